// Command quality measures meshgate's quality check of a large product:
// every rule and SLA of a 10 M-row Parquet product computed in one pass
// (quality.Runner.Check: a check session, the read check, the bound-plan
// verification, the one aggregate scan) against the same aggregates run
// directly by an embedded DuckDB on the file (the target is at most 1.3×).
// Both use the same number of DuckDB threads; the measured values must be
// equal, or the run fails.
//
//	go run -tags duckdb_arrow ./testdata/gen -bench-rows 10000000 -bench-out bench/data/wide
//	go run -tags duckdb_arrow ./bench/quality -parquet bench/data/wide/bench/data/wide.parquet -md BENCHMARKS.md
//
// (make bench-quality runs both.) The product quality.wide is laid out in
// -dir with a hard link to (or else a copy of) the parquet file.
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/meshgate/meshgate/bench/internal/benchmd"
	"github.com/meshgate/meshgate/engine"
	"github.com/meshgate/meshgate/internal/sqlquote"
	"github.com/meshgate/meshgate/planner/catalog"
	"github.com/meshgate/meshgate/quality"
)

const descriptor = `apiVersion: meshgate/v1
kind: DataProduct
id: quality.wide
domain: quality
name: wide
version: 1.0.0
status: active
type: source-aligned
description: The wide bench product with a contract.
owner: {team: Bench, contact: bench@example.com}
outputPorts:
  - name: files
    type: parquet
    location: data/wide.parquet
schema:
  - name: id
    type: bigint
    primaryKey: true
  - name: value
    type: double
    logicalTypeOptions: {minimum: 0, maximum: 1000000}
    quality:
      - {metric: nullValues, mustBe: 0}
      - {metric: invalidValues, mustBe: 0}
  - name: name
    type: varchar
    logicalTypeOptions: {pattern: '[a-z]+-[0-9]+'}
    quality:
      - {metric: missingValues, missingValues: [null, '', 'n/a'], unit: percent, mustBeLessThan: 1}
      - {metric: invalidValues, mustBe: 0, severity: warning}
  - name: day
    type: date
    quality:
      - {metric: invalidValues, arguments: {minimum: "2000-01-01"}, mustBe: 0}
quality:
  - {name: rows, metric: rowCount, mustBeGreaterThan: 0}
slaProperties:
  - {property: latency, value: 1, unit: d, element: day}
  - {property: retention, value: 30, unit: years, element: day}
`

func main() {
	parquet := flag.String("parquet", "bench/data/wide/bench/data/wide.parquet", "the wide bench product's file (testdata/gen -bench-rows)")
	dir := flag.String("dir", "bench/data/quality", "mesh directory to lay quality.wide out in")
	runs := flag.Int("runs", 3, "runs of each side")
	threads := flag.Int("threads", 2, "DuckDB threads of both sides")
	md := flag.String("md", "", "BENCHMARKS.md to write the section to (empty: print only)")
	flag.Parse()
	ctx := context.Background()
	data := filepath.Join(*dir, "quality", "data", "wide.parquet")
	if err := layout(*parquet, data, filepath.Join(*dir, "quality", "wide.yaml")); err != nil {
		log.Fatalf("bench/quality: %v", err)
	}
	mesh, problems := catalog.Load(*dir)
	if len(problems) > 0 {
		log.Fatalf("bench/quality: %v", problems)
	}
	eng, pp, err := engine.Open(ctx, mesh, engine.Config{Threads: *threads, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil || len(pp) > 0 {
		log.Fatalf("bench/quality: %v %v", err, pp)
	}
	defer eng.Close()
	p := eng.Product(catalog.Address{Domain: "quality", Name: "wide"})
	runner := &quality.Runner{Engine: eng}
	var mg []float64
	var rep quality.Report
	for i := 0; i < *runs; i++ {
		start := time.Now()
		rep = runner.Check(ctx, p)
		mg = append(mg, time.Since(start).Seconds())
		if rep.Unreachable != "" {
			log.Fatalf("bench/quality: %s", rep.Unreachable)
		}
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(fmt.Sprintf("SET threads = %d", *threads)); err != nil {
		log.Fatal(err)
	}
	abs, _ := filepath.Abs(data)
	scan := quality.Compile(p).SQL
	direct := scan[:strings.LastIndex(scan, " FROM ")] + " FROM read_parquet(" + sqlquote.Literal(abs) + ")"
	var dd []float64
	var vals []any
	for i := 0; i < *runs; i++ {
		start := time.Now()
		rows, err := db.QueryContext(ctx, direct)
		if err != nil {
			log.Fatalf("bench/quality: direct: %v", err)
		}
		cols, _ := rows.Columns()
		vals = make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for j := range vals {
			ptrs[j] = &vals[j]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				log.Fatal(err)
			}
		}
		rows.Close()
		dd = append(dd, time.Since(start).Seconds())
	}
	if err := same(rep, vals); err != nil {
		log.Fatalf("bench/quality: %v", err)
	}
	nrows := vals[0].(float64)
	m, d := median(mg), median(dd)
	body := fmt.Sprintf("Machine: %s; %d DuckDB threads on both sides; %s rows; %d rules and SLAs (%d aggregates in one scan); median of %d runs.\n\n"+
		"| check | median s | runs s |\n|---|---:|---|\n"+
		"| meshgate `quality.Runner.Check` (session, read check, bound-plan verification, one scan) | %.3f | %s |\n"+
		"| DuckDB, the same aggregates on `read_parquet` | %.3f | %s |\n\n"+
		"Ratio meshgate / DuckDB: **%.2f×** (target ≤ 1.3×). Reproduce: `make bench-quality ROWS=%d`.\n",
		benchmd.Machine(), *threads, fmtInt(int64(nrows)), len(rep.Results), len(vals), *runs, m, list(mg), d, list(dd), m/d, int64(nrows))
	fmt.Print(body)
	if *md != "" {
		if err := benchmd.UpdateSection(*md, "quality", "Quality checks",
			"All rules of a product in one pass: `meshgate check` and the background checks of `serve` compute every library rule and SLA of a product in one aggregate query (package quality), compared here with the same aggregates run directly by DuckDB on the file.", body); err != nil {
			log.Fatal(err)
		}
	}
}

// layout writes the descriptor and links the parquet file into the mesh.
func layout(src, dst, desc string) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(desc, []byte(descriptor), 0o644); err != nil {
		return err
	}
	if st, err := os.Stat(dst); err == nil {
		if s2, err := os.Stat(src); err == nil && os.SameFile(st, s2) {
			return nil
		}
		os.Remove(dst)
	}
	if err := os.Link(src, dst); err == nil {
		return nil
	}
	in, err := os.ReadFile(src)
	if err != nil {
		return fmt.Errorf("the wide product is not generated (go run -tags duckdb_arrow ./testdata/gen -bench-rows N -bench-out bench/data/wide): %w", err)
	}
	return os.WriteFile(dst, in, 0o644)
}

// same checks that meshgate measured what DuckDB did (the first columns
// of the scan are count(*) and the rules in order).
func same(rep quality.Report, vals []any) error {
	i := 1
	for _, r := range rep.Results {
		if r.Rule == "freshness" || r.Rule == "retention" {
			continue
		}
		v, _ := vals[i].(float64)
		i++
		if r.Unit == "percent" {
			continue // meshgate reports it relative to count(*)
		}
		if r.Measured == nil || *r.Measured != v {
			return fmt.Errorf("rule %s: meshgate measured %v, DuckDB %v", r.Rule, r.Measured, v)
		}
	}
	return nil
}

func median(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	return s[len(s)/2]
}

func list(xs []float64) string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = fmt.Sprintf("%.3f", x)
	}
	return strings.Join(out, ", ")
}

func fmtInt(n int64) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
