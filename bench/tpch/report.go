package main

import (
	"flag"
	"fmt"
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/meshgate/meshgate/bench/internal/benchmd"
)

// cmdReport writes the TPC-H, concurrency and overhead sections of
// BENCHMARKS.md from the JSON files bench/run.sh left in -dir.
func cmdReport(args []string) {
	fs := flag.NewFlagSet("report", flag.ExitOnError)
	dir := fs.String("dir", "", "directory of the run's JSON files")
	md := fs.String("md", "BENCHMARKS.md", "markdown file to update ('' for none)")
	sf := fs.String("sf", "1", "scale factor")
	cmd := fs.String("cmd", "./bench/run.sh", "command")
	pgVersion := fs.String("pg-version", "PostgreSQL 15", "PostgreSQL label")
	sales := fs.String("sales", "postgres", "port kind of the sales products (postgres or parquet)")
	salesNote := fs.String("sales-note", "", "why sales is not on a postgres port")
	load := fs.String("load", "", "load average before the run")
	genNote := fs.String("gen-note", "", "data generation and load times")
	note := fs.String("note", "", "extra note")
	fs.Parse(args)
	p := func(n string) string { return filepath.Join(*dir, n) }

	var pg, duck, live, snap tpchRun
	readJSON(p("tpch-postgresql.json"), &pg)
	hasDuck := readJSON(p("tpch-duckdb.json"), &duck)
	hasLive, hasSnap := readJSON(p("tpch-meshgate-live.json"), &live), readJSON(p("tpch-meshgate-snapshot.json"), &snap)
	var chkLive, chkSnap []checkResult
	readJSON(p("check-meshgate-live.json"), &chkLive)
	readJSON(p("check-meshgate-snapshot.json"), &chkSnap)
	liveLabel, snapLabel := "meshgate live", "meshgate snapshot"
	if *sales != "postgres" {
		liveLabel, snapLabel = "meshgate (sales on Parquet)", "meshgate (sales on Parquet, 2nd run)"
	}

	stamp := time.Now().UTC().Format("2006-01-02 15:04 MST")
	header := func(b *strings.Builder, what string) {
		fmt.Fprintf(b, "_Written by `bench/run.sh` on %s; regenerated on every run (text between the %s markers is replaced)._\n\n", stamp, what)
		fmt.Fprintf(b, "- Machine: %s\n- Command: `%s`\n- Scale factor: %s\n", benchmd.Machine(), *cmd, *sf)
		if *load != "" {
			fmt.Fprintf(b, "- Load average before the run: %s\n", *load)
		}
	}

	// ---------------------------------------------------------------- TPC-H
	var t strings.Builder
	header(&t, "tpch")
	fmt.Fprintf(&t, "- Mesh: `sales` (customer, orders) %s; `supply` (lineitem, partsupp) Parquet (zstd); `catalog` (part, supplier) and `geo` (nation, region) CSV. Data from go-tpc's dbgen port (github.com/pingcap/go-tpc v1.0.7, `tpch/dbgen`).\n",
		map[bool]string{true: "on **postgres ports** (a table per product in the PostgreSQL peer's database `tpch`, schema `sales`)", false: "on **Parquet** (fallback: " + *salesNote + ")"}[*sales == "postgres"])
	if *genNote != "" {
		fmt.Fprintf(&t, "- Preparation: %s\n", *genNote)
	}
	fmt.Fprintf(&t, "- Queries: the 22 of `/work/shared/bench/tpch/queries` after `SET search_path TO sales, supply, catalog, geo`; pgx v5, simple protocol, all rows read as text. Time = best of the runs (meshgate and DuckDB %d runs, PostgreSQL %d).\n", max(snap.Runs, live.Runs, duck.Runs), pg.Runs)
	fmt.Fprintf(&t, "- DuckDB direct: the same engine in-process (database/sql), on a DuckDB file holding `sales` as native tables and views over the very Parquet/CSV files meshgate serves.\n")
	fmt.Fprintf(&t, "- %s: all 8 tables native, primary keys plus indexes on the usual foreign keys and dates (o_custkey, o_orderdate, l_partkey+l_suppkey, l_suppkey, l_shipdate, ps_suppkey, s_nationkey, c_nationkey), `VACUUM ANALYZE`d; `shared_buffers=256MB`, parallel workers at their defaults.\n", *pgVersion)
	fmt.Fprintf(&t, "- Check: every meshgate result is compared with PostgreSQL's, value by value: text exactly, numbers within a relative %.0e (decimal sums are exact on both sides; averages are DOUBLE in DuckDB and NUMERIC in PostgreSQL); where the ORDER BY leaves ties, the ORDER BY columns must agree row by row and the rows as a multiset. A difference fails the run.\n\n", relTol)

	idx := func(r tpchRun) map[string]queryResult {
		m := map[string]queryResult{}
		for _, q := range r.Queries {
			m[q.Query] = q
		}
		return m
	}
	mp, md2, ml, ms := idx(pg), idx(duck), idx(live), idx(snap)
	vl, vs := map[string]checkResult{}, map[string]checkResult{}
	for _, v := range chkLive {
		vl[v.Query] = v
	}
	for _, v := range chkSnap {
		vs[v.Query] = v
	}
	cell := func(m map[string]queryResult, q string) string {
		r, ok := m[q]
		switch {
		case !ok:
			return "–"
		case r.Error != "":
			return "error"
		}
		return fmt.Sprintf("%.3f", r.Best)
	}
	ratio := func(a, b map[string]queryResult, q string) string {
		x, ok1 := a[q]
		y, ok2 := b[q]
		if !ok1 || !ok2 || x.Error != "" || y.Error != "" || y.Best == 0 {
			return "–"
		}
		return fmt.Sprintf("%.2f×", x.Best/y.Best)
	}
	verdict := func(v checkResult, ok bool) string {
		if !ok {
			return "–"
		}
		switch v.Status {
		case "ok":
			return "="
		case "ties":
			return "= (ties)"
		}
		return "**" + v.Status + "**"
	}
	names := pg.Queries
	if len(names) == 0 {
		names = snap.Queries
	}
	fmt.Fprintf(&t, "| Query | %s s | %s s | DuckDB s | PostgreSQL s | snapshot / DuckDB | live / DuckDB | PostgreSQL / snapshot | PostgreSQL / live | check (live, snapshot) |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n", snapLabel, liveLabel)
	allQ := []string{}
	for _, q := range names {
		allQ = append(allQ, q.Query)
	}
	fasterThanPG, both := 0, 0
	for _, q := range allQ {
		fmt.Fprintf(&t, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s, %s |\n", q, cell(ms, q), cell(ml, q), cell(md2, q), cell(mp, q),
			ratio(ms, md2, q), ratio(ml, md2, q), ratio(mp, ms, q), ratio(mp, ml, q), verdict(vl[q], hasLive), verdict(vs[q], hasSnap))
		if s, ok := ms[q]; ok && s.Error == "" {
			if r, ok := mp[q]; ok && r.Error == "" {
				both++
				if s.Best < r.Best {
					fasterThanPG++
				}
			}
		}
	}
	ms2 := map[string]map[string]queryResult{"pg": mp, "duck": md2, "live": ml, "snap": ms}
	okq := func(k, q string) (float64, bool) {
		r, has := ms2[k][q]
		return r.Best, has && r.Error == "" && r.Best > 0
	}
	// pairGeo is the geometric mean of a/b over the queries both answered.
	pairGeo := func(a, b string) (float64, int) {
		sum, n := 0.0, 0
		for _, q := range allQ {
			x, ok1 := okq(a, q)
			y, ok2 := okq(b, q)
			if ok1 && ok2 {
				sum += math.Log(x / y)
				n++
			}
		}
		if n == 0 {
			return 0, 0
		}
		return math.Exp(sum / float64(n)), n
	}
	gr := func(a, b string) string {
		r, n := pairGeo(a, b)
		if n == 0 {
			return "–"
		}
		if n < len(allQ) {
			return fmt.Sprintf("**%.2f×** (%d q)", r, n)
		}
		return fmt.Sprintf("**%.2f×**", r)
	}
	gs := func(k string) string {
		sum, n := 0.0, 0
		for _, q := range allQ {
			if x, ok := okq(k, q); ok {
				sum += math.Log(x)
				n++
			}
		}
		if n == 0 {
			return "–"
		}
		if n < len(allQ) {
			return fmt.Sprintf("**%.3f** (%d q)", math.Exp(sum/float64(n)), n)
		}
		return fmt.Sprintf("**%.3f**", math.Exp(sum/float64(n)))
	}
	fmt.Fprintf(&t, "| **geomean** | %s | %s | %s | %s | %s | %s | %s | %s | |\n\n", gs("snap"), gs("live"), gs("duck"), gs("pg"),
		gr("snap", "duck"), gr("live", "duck"), gr("pg", "snap"), gr("pg", "live"))
	t.WriteString("Geometric means over the queries the system(s) answered; \"(n q)\" when that is fewer than all.\n\n")
	if r, n := pairGeo("snap", "duck"); hasSnap && hasDuck && n > 0 {
		fmt.Fprintf(&t, "Targets: geomean within 1.3× of direct DuckDB in snapshot mode — **%.2f×, %s**; every query faster than PostgreSQL — **%d of %d, %s**.\n",
			r, map[bool]string{true: "met", false: "not met"}[r <= 1.3], fasterThanPG, both, map[bool]string{true: "met", false: "not met"}[both > 0 && fasterThanPG == both])
	}
	var failures []string
	for _, set := range []struct {
		label string
		v     []checkResult
	}{{liveLabel, chkLive}, {snapLabel, chkSnap}} {
		for _, v := range set.v {
			if v.Status == "error" || v.Status == "mismatch" || v.Status == "noref" {
				failures = append(failures, fmt.Sprintf("- %s %s (%s): `%s`", set.label, v.Query, v.Status, oneLine(v.Detail)))
			}
		}
	}
	for _, r := range []tpchRun{pg, duck} {
		for _, q := range r.Queries {
			if q.Error != "" {
				failures = append(failures, fmt.Sprintf("- %s %s: `%s`", r.System, q.Query, oneLine(q.Error)))
			}
		}
	}
	if len(failures) > 0 {
		fmt.Fprintf(&t, "\n**Failures and mismatches** (the run exited non-zero):\n\n%s\n", strings.Join(failures, "\n"))
	} else if hasLive || hasSnap {
		t.WriteString("\nAll meshgate results equal PostgreSQL's.\n")
	}
	if *note != "" {
		fmt.Fprintf(&t, "\n%s\n", *note)
	}

	// --------------------------------------------------------- concurrency
	var c strings.Builder
	header(&c, "concurrency")
	fmt.Fprintf(&c, "- Workload: each client (one pgx connection, extended protocol, prepared statements) loops for the level's time, choosing at random between a point lookup `%s` (random existing keys) and a small aggregate `%s` (random customer), one after another.\n", pointQuery, aggQuery)
	c.WriteString("- Latency in ms over all queries of the level; point / aggregate columns give the p50 of each kind.\n\n")
	c.WriteString("| System | Clients | Queries/s | p50 ms | p99 ms | point p50 | aggregate p50 | errors |\n|---|---:|---:|---:|---:|---:|---:|---:|\n")
	var concs []concRun
	for _, n := range []string{"conc-meshgate-snapshot.json", "conc-meshgate-live.json", "conc-postgresql.json"} {
		var r concRun
		if readJSON(p(n), &r) {
			concs = append(concs, r)
		}
	}
	for _, r := range concs {
		for _, l := range r.Levels {
			if l.QPS == 0 && l.Error != "" {
				fmt.Fprintf(&c, "| %s | %d | – | – | – | – | – | `%s` |\n", r.System, l.Clients, oneLine(l.Error))
				continue
			}
			e := strconv.Itoa(l.Errors)
			if l.Errors > 0 {
				e += " (`" + oneLine(l.Error) + "`)"
			}
			fmt.Fprintf(&c, "| %s | %d | %.0f | %.2f | %.2f | %.2f | %.2f | %s |\n", r.System, l.Clients, l.QPS, l.All.P50, l.All.P99, l.Point.P50, l.Agg.P50, e)
		}
	}

	// ------------------------------------------------------------ overhead
	var o strings.Builder
	header(&o, "overhead")
	o.WriteString("- One connection, one query after another (pgx extended protocol, statement cached; in-process DuckDB through database/sql); the median and p99 of the measured runs after a 10% warm-up. `geo.nation` is a 25-row CSV product.\n\n")
	o.WriteString("| System | Query | Median µs | p99 µs | runs |\n|---|---|---:|---:|---:|\n")
	var ov []overheadRow
	readJSON(p("overhead.json"), &ov)
	for _, r := range ov {
		if r.Error != "" {
			fmt.Fprintf(&o, "| %s | `%s` | error: `%s` | | |\n", r.System, r.Query, oneLine(r.Error))
			continue
		}
		fmt.Fprintf(&o, "| %s | `%s` | %.0f | %.0f | %d |\n", r.System, r.Query, r.Median, r.P99, r.N)
	}

	fmt.Println(t.String())
	fmt.Println(c.String())
	fmt.Println(o.String())
	if *md == "" {
		return
	}
	for _, s := range []struct{ key, title, intro, body string }{
		{"tpch", "TPC-H", "The 22 TPC-H queries over a mesh spread across domains and port kinds, through meshgate, against DuckDB reading the same files in-process, and against PostgreSQL holding every table natively. `live`: each query reads the remote `sales` port from PostgreSQL; `snapshot`: it is served from meshgate's local snapshot.", t.String()},
		{"concurrency", "Concurrency", "Many clients running short queries at once, meshgate next to PostgreSQL.", c.String()},
		{"overhead", "Per-query overhead", "What the gateway adds to a trivial query: meshgate over the wire next to the same query on embedded DuckDB in-process (and PostgreSQL over the wire for reference).", o.String()},
	} {
		must(benchmd.UpdateSection(*md, s.key, s.title, s.intro, s.body))
	}
	fmt.Printf("updated the TPC-H, Concurrency and Per-query overhead sections of %s\n", *md)
}

func oneLine(s string) string {
	s = strings.ReplaceAll(strings.ReplaceAll(s, "\n", " "), "`", "'")
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}
