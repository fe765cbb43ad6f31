package main

import (
	"flag"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/meshgate/meshgate/bench/internal/benchmd"
)

// cmdDashReport writes the "Dashboard workload" section of BENCHMARKS.md
// from the dash runs in -dir: meshgate with the result cache on and off,
// and PostgreSQL.
func cmdDashReport(args []string) {
	fs := flag.NewFlagSet("dashreport", flag.ExitOnError)
	dir := fs.String("dir", "", "directory of the run's JSON files")
	md := fs.String("md", "BENCHMARKS.md", "markdown file to update ('' for none)")
	cmd := fs.String("cmd", "make bench-dashboard", "command")
	note := fs.String("note", "", "extra note")
	fs.Parse(args)
	var on, off, pg dashRun
	readJSON(filepath.Join(*dir, "dash-cache-on.json"), &on)
	readJSON(filepath.Join(*dir, "dash-cache-off.json"), &off)
	readJSON(filepath.Join(*dir, "dash-postgresql.json"), &pg)
	var b strings.Builder
	fmt.Fprintf(&b, "_Written by `%s` on %s; regenerated on every run._\n\n", *cmd, time.Now().UTC().Format("2006-01-02 15:04 MST"))
	fmt.Fprintf(&b, "- Machine: %s\n", benchmd.Machine())
	fmt.Fprintf(&b, "- Workload: each client refreshes a dashboard of %d aggregate tiles (bench/tpch/dash.go; parameters drawn from 1–5 values each), connecting anew every 5 refreshes with pgjdbc's connect statements (%d). q/s counts every statement; latencies are of tiles; connect is connect + SCRAM-less trust login + the connect statements.\n", len(dashboard), len(connectStatements))
	if *note != "" {
		fmt.Fprintf(&b, "- %s\n", *note)
	}
	b.WriteString("\n| clients | system | q/s | tile p50 ms | tile p99 ms | connect p50 ms | errors | vs PostgreSQL |\n|---:|---|---:|---:|---:|---:|---:|---:|\n")
	for i, l := range pg.Levels {
		for _, r := range []dashRun{on, off, pg} {
			if i >= len(r.Levels) {
				continue
			}
			x := r.Levels[i]
			ratio := ""
			if l.QPS > 0 {
				ratio = fmt.Sprintf("%.2f×", x.QPS/l.QPS)
			}
			fmt.Fprintf(&b, "| %d | %s | %.0f | %.2f | %.2f | %.2f | %d | %s |\n", x.Clients, r.System, x.QPS, x.Tiles.P50, x.Tiles.P99, x.Connect.P50, x.Errors, ratio)
		}
	}
	fmt.Print(b.String())
	if *md != "" {
		must(benchmd.UpdateSection(*md, "dashboard", "Dashboard workload",
			"BI load (issue 18): many clients refreshing the same dashboard tiles, meshgate with its result cache on and off against PostgreSQL 15 over the same TPC-H data.", b.String()))
	}
}
