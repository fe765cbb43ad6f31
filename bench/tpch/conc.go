package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

const (
	pointQuery = "SELECT * FROM sales.orders WHERE o_orderkey = $1"
	aggQuery   = "SELECT count(*), sum(o_totalprice) FROM sales.orders WHERE o_custkey = $1"
)

type latencyStats struct {
	N   int     `json:"n"`
	P50 float64 `json:"p50_ms"`
	P99 float64 `json:"p99_ms"`
}

type concLevel struct {
	Clients int          `json:"clients"`
	Seconds float64      `json:"seconds"`
	QPS     float64      `json:"qps"`
	All     latencyStats `json:"all"`
	Point   latencyStats `json:"point"`
	Agg     latencyStats `json:"agg"`
	Errors  int          `json:"errors"`
	Error   string       `json:"error,omitempty"`
}

type concRun struct {
	System string      `json:"system"`
	Levels []concLevel `json:"levels"`
}

func stats(ms []float64) latencyStats {
	if len(ms) == 0 {
		return latencyStats{}
	}
	sort.Float64s(ms)
	pct := func(p float64) float64 { return ms[min(len(ms)-1, int(p*float64(len(ms))))] }
	return latencyStats{N: len(ms), P50: pct(0.50), P99: pct(0.99)}
}

// orderKey is the i-th TPC-H order key (dbgen's sparse keys: 8 of every 32).
func orderKey(i int64) int64 { return (i>>3)<<5 | i&7 }

// cmdConc runs clients × (point lookup | small aggregate) for a fixed time
// per level, one connection per client.
func cmdConc(args []string) {
	fs := flag.NewFlagSet("conc", flag.ExitOnError)
	connStr := fs.String("conn", "", "connection string")
	system := fs.String("system", "", "label")
	levelsF := fs.String("levels", "1,8,32,128", "concurrent clients per level")
	dur := fs.Duration("duration", 10*time.Second, "time per level")
	sf := fs.Int64("sf", 1, "scale factor (key ranges)")
	out := fs.String("out", "", "JSON output")
	fs.Parse(args)
	ctx := context.Background()
	res := concRun{System: *system}
	nOrders, nCust := 1_500_000**sf, 150_000**sf
	for _, ls := range strings.Split(*levelsF, ",") {
		n, err := strconv.Atoi(ls)
		must(err)
		lvl := concLevel{Clients: n}
		conns := make([]*pgx.Conn, n)
		var cerr error
		for i := range conns {
			c, err := pgx.Connect(ctx, *connStr)
			if err != nil {
				cerr = err
				break
			}
			conns[i] = c
		}
		if cerr != nil {
			lvl.Error = "connect: " + cerr.Error()
			fmt.Printf("  %-12s %3d clients: %s\n", *system, n, lvl.Error)
		} else {
			var mu sync.Mutex
			var point, agg []float64
			var wg sync.WaitGroup
			errs := 0
			firstErr := ""
			start := time.Now()
			deadline := start.Add(*dur)
			for i, c := range conns {
				wg.Add(1)
				go func(seed int, c *pgx.Conn) {
					defer wg.Done()
					r := rand.New(rand.NewPCG(uint64(seed), 42))
					var p, a []float64
					e, fe := 0, ""
					for time.Now().Before(deadline) {
						isPoint := r.IntN(2) == 0
						q, arg := pointQuery, orderKey(r.Int64N(nOrders))
						if !isPoint {
							q, arg = aggQuery, 1+r.Int64N(nCust)
						}
						t := time.Now()
						rows, err := c.Query(ctx, q, arg)
						if err == nil {
							for rows.Next() {
							}
							rows.Close()
							err = rows.Err()
						}
						ms := float64(time.Since(t).Microseconds()) / 1000
						if err != nil {
							e++
							if fe == "" {
								fe = err.Error()
							}
							if e > 100 {
								break
							}
							continue
						}
						if isPoint {
							p = append(p, ms)
						} else {
							a = append(a, ms)
						}
					}
					mu.Lock()
					point, agg = append(point, p...), append(agg, a...)
					errs += e
					if firstErr == "" {
						firstErr = fe
					}
					mu.Unlock()
				}(i, c)
			}
			wg.Wait()
			el := time.Since(start).Seconds()
			lvl.Seconds = el
			lvl.QPS = float64(len(point)+len(agg)) / el
			lvl.All = stats(append(append([]float64(nil), point...), agg...))
			lvl.Point, lvl.Agg = stats(point), stats(agg)
			lvl.Errors, lvl.Error = errs, firstErr
			fmt.Printf("  %-12s %3d clients: %8.0f q/s, p50 %.2f ms, p99 %.2f ms (point p50 %.2f, agg p50 %.2f)%s\n", *system, n, lvl.QPS,
				lvl.All.P50, lvl.All.P99, lvl.Point.P50, lvl.Agg.P50, errNote(errs, firstErr))
		}
		for _, c := range conns {
			if c != nil {
				c.Close(ctx)
			}
		}
		res.Levels = append(res.Levels, lvl)
	}
	writeJSON(*out, res)
}

func errNote(n int, first string) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprintf(", %d errors (first: %s)", n, first)
}

type overheadRow struct {
	System string  `json:"system"`
	Query  string  `json:"query"`
	N      int     `json:"n"`
	Median float64 `json:"median_us"`
	P99    float64 `json:"p99_us"`
	Error  string  `json:"error,omitempty"`
}

var overheadQueries = []string{"SELECT 1", "SELECT * FROM geo.nation"}

// cmdOverhead measures the latency of tiny queries, one after another on
// one connection: through a PostgreSQL-wire server (-conn) or on embedded
// DuckDB in-process (-duckdb).
func cmdOverhead(args []string) {
	fs := flag.NewFlagSet("overhead", flag.ExitOnError)
	connStr := fs.String("conn", "", "connection string")
	duckFile := fs.String("duckdb", "", "DuckDB database file instead of -conn")
	system := fs.String("system", "", "label")
	n := fs.Int("n", 2000, "measured runs per query (after n/10 warm-up runs)")
	out := fs.String("out", "", "JSON output (a list, appended to)")
	fs.Parse(args)
	ctx := context.Background()
	var run func(q string) error
	if *duckFile != "" {
		db, err := sql.Open("duckdb", *duckFile+"?access_mode=read_only")
		must(err)
		defer db.Close()
		conn, err := db.Conn(ctx)
		must(err)
		run = func(q string) error {
			rows, err := conn.QueryContext(ctx, q)
			if err != nil {
				return err
			}
			cols, _ := rows.Columns()
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			for rows.Next() {
				if err := rows.Scan(ptrs...); err != nil {
					return err
				}
			}
			rows.Close()
			return rows.Err()
		}
	} else {
		conn, err := pgx.Connect(ctx, *connStr)
		if err != nil {
			fatal("overhead: connect %s: %v", *system, err)
		}
		defer conn.Close(ctx)
		run = func(q string) error {
			rows, err := conn.Query(ctx, q)
			if err != nil {
				return err
			}
			for rows.Next() {
				_ = rows.RawValues()
			}
			rows.Close()
			return rows.Err()
		}
	}
	var list []overheadRow
	readJSON(*out, &list)
	for _, q := range overheadQueries {
		row := overheadRow{System: *system, Query: q, N: *n}
		var us []float64
		for i := 0; i < *n+*n/10; i++ {
			t := time.Now()
			if err := run(q); err != nil {
				row.Error = err.Error()
				break
			}
			if i >= *n/10 {
				us = append(us, float64(time.Since(t).Nanoseconds())/1000)
			}
		}
		if row.Error == "" {
			sort.Float64s(us)
			row.Median, row.P99 = us[len(us)/2], us[min(len(us)-1, len(us)*99/100)]
			fmt.Printf("  %-22s %-26s median %8.1f µs, p99 %8.1f µs\n", *system, q, row.Median, row.P99)
		} else {
			fmt.Printf("  %-22s %-26s FAILED: %s\n", *system, q, row.Error)
		}
		list = append(list, row)
	}
	writeJSON(*out, list)
}
