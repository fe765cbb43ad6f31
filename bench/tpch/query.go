package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

const (
	searchPath     = "SET search_path TO sales, supply, catalog, geo"
	duckSearchPath = "SET search_path = 'sales,supply,catalog,geo'" // DuckDB's spelling
)

// queryResult is one TPC-H query on one system.
type queryResult struct {
	Query   string      `json:"query"`
	Runs    []float64   `json:"runs_s"`
	Best    float64     `json:"best_s"`
	Error   string      `json:"error,omitempty"`
	Columns []string    `json:"columns,omitempty"`
	Rows    [][]*string `json:"rows,omitempty"`
}

type tpchRun struct {
	System  string        `json:"system"`
	Runs    int           `json:"runs"`
	Queries []queryResult `json:"queries"`
}

func loadQueries(dir string) (names []string, texts map[string]string) {
	files, err := filepath.Glob(filepath.Join(dir, "q*.sql"))
	must(err)
	if len(files) == 0 {
		fatal("no q*.sql in %s", dir)
	}
	sort.Strings(files)
	texts = map[string]string{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		must(err)
		name := strings.TrimSuffix(filepath.Base(f), ".sql")
		names = append(names, name)
		texts[name] = strings.TrimRight(strings.TrimSpace(string(b)), ";")
	}
	return names, texts
}

// cmdQuery runs the TPC-H queries on a PostgreSQL-wire server (-conn) or
// on embedded DuckDB (-duckdb FILE), -runs times each, keeping the rows of
// the last run as text.
func cmdQuery(args []string) {
	fs := flag.NewFlagSet("query", flag.ExitOnError)
	connStr := fs.String("conn", "", "PostgreSQL connection string")
	duckFile := fs.String("duckdb", "", "DuckDB database file (direct peer) instead of -conn")
	system := fs.String("system", "", "label")
	runs := fs.Int("runs", 3, "runs per query (best is reported)")
	qdir := fs.String("queries", "/work/shared/bench/tpch/queries", "directory of q01.sql … q22.sql")
	only := fs.String("only", "", "comma-separated query names to run (default all)")
	timeout := fs.Duration("timeout", 5*time.Minute, "per-query timeout")
	out := fs.String("out", "", "JSON output file")
	fs.Parse(args)
	names, texts := loadQueries(*qdir)
	if *only != "" {
		names = strings.Split(*only, ",")
	}
	ctx := context.Background()
	var run func(ctx context.Context, q string) ([]string, [][]*string, error)
	if *duckFile != "" {
		db, err := sql.Open("duckdb", *duckFile+"?access_mode=read_only")
		must(err)
		defer db.Close()
		conn, err := db.Conn(ctx)
		must(err)
		if _, err := conn.ExecContext(ctx, duckSearchPath); err != nil {
			fatal("duckdb: %v", err)
		}
		run = func(ctx context.Context, q string) ([]string, [][]*string, error) { return sqlRows(ctx, conn, q) }
	} else {
		conn, err := pgx.Connect(ctx, *connStr)
		if err != nil {
			fatal("connect %s: %v", *system, err)
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, searchPath, pgx.QueryExecModeSimpleProtocol); err != nil {
			fatal("%s: %s: %v", *system, searchPath, err)
		}
		run = func(ctx context.Context, q string) ([]string, [][]*string, error) { return pgRows(ctx, conn, q) }
	}
	res := tpchRun{System: *system, Runs: *runs}
	for _, name := range names {
		qr := queryResult{Query: name}
		for i := 0; i < *runs; i++ {
			qctx, cancel := context.WithTimeout(ctx, *timeout)
			start := time.Now()
			cols, rows, err := run(qctx, texts[name])
			el := time.Since(start).Seconds()
			timedOut := errors.Is(qctx.Err(), context.DeadlineExceeded)
			cancel()
			if err != nil {
				if timedOut {
					err = fmt.Errorf("timed out after %s: %w", *timeout, err)
				}
				qr.Error = err.Error()
				break
			}
			qr.Runs = append(qr.Runs, el)
			qr.Columns, qr.Rows = cols, rows
		}
		if len(qr.Runs) > 0 {
			qr.Best = minOf(qr.Runs)
		}
		if qr.Error != "" {
			fmt.Printf("  %-12s %s FAILED: %s\n", *system, name, qr.Error)
		} else {
			fmt.Printf("  %-12s %s %8.3f s best of %d (%d rows)\n", *system, name, qr.Best, len(qr.Runs), len(qr.Rows))
		}
		res.Queries = append(res.Queries, qr)
	}
	writeJSON(*out, res)
}

// pgRows runs q with the simple protocol and returns the values as text.
func pgRows(ctx context.Context, conn *pgx.Conn, q string) ([]string, [][]*string, error) {
	rows, err := conn.Query(ctx, q, pgx.QueryExecModeSimpleProtocol)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var cols []string
	for _, f := range rows.FieldDescriptions() {
		cols = append(cols, f.Name)
	}
	var out [][]*string
	for rows.Next() {
		raw := rows.RawValues()
		row := make([]*string, len(raw))
		for i, v := range raw {
			if v != nil {
				s := string(v)
				row[i] = &s
			}
		}
		out = append(out, row)
	}
	return cols, out, rows.Err()
}

func sqlRows(ctx context.Context, conn *sql.Conn, q string) ([]string, [][]*string, error) {
	rows, err := conn.QueryContext(ctx, q)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out [][]*string
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return nil, nil, err
		}
		row := make([]*string, len(cols))
		for i, v := range vals {
			if v != nil {
				var s string
				switch x := v.(type) {
				case time.Time:
					s = x.Format("2006-01-02")
				case *big.Int:
					s = x.String()
				default:
					s = fmt.Sprint(x)
				}
				row[i] = &s
			}
		}
		out = append(out, row)
	}
	return cols, out, rows.Err()
}

func minOf(v []float64) float64 {
	m := v[0]
	for _, x := range v[1:] {
		m = min(m, x)
	}
	return m
}

func writeJSON(path string, v any) {
	if path == "" {
		return
	}
	b, err := json.Marshal(v)
	must(err)
	must(os.WriteFile(path, b, 0o644))
}

func readJSON(path string, v any) bool {
	b, err := os.ReadFile(path)
	if err != nil {
		return false
	}
	must(json.Unmarshal(b, v))
	return true
}
