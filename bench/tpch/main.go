// Command tpch is the TPC-H part of meshgate's benchmark harness
// (bench/run.sh, make bench). Subcommands:
//
//	gen       generate TPC-H (go-tpc's dbgen port) and lay it out as the bench mesh
//	          (sales: postgres ports, supply: Parquet, catalog and geo: CSV),
//	          plus a DuckDB database for the direct-DuckDB peer
//	mesh      rewrite the sales descriptors (postgres port host/port/mode, or Parquet)
//	pgsql     print the psql scripts that create, load and index the PostgreSQL peer
//	query     run the 22 queries through a PostgreSQL-wire server or embedded DuckDB
//	check     compare a meshgate run with PostgreSQL's rows (non-zero exit on mismatch)
//	conc      concurrent short queries (point lookup, small aggregate)
//	overhead  latency of SELECT 1 and a tiny product query
//	dash      the dashboard workload: clients refreshing ten aggregate tiles, reconnecting (dash.go)
//	report    write the TPC-H, concurrency and overhead sections of BENCHMARKS.md
//
// Build with -tags duckdb_arrow like the gateway.
package main

import (
	"fmt"
	"os"

	_ "github.com/duckdb/duckdb-go/v2"
)

func main() {
	if len(os.Args) < 2 {
		fatal("usage: tpch gen|mesh|pgsql|query|check|conc|overhead|report|dash|dashreport [flags]")
	}
	cmds := map[string]func([]string){
		"gen": cmdGen, "mesh": cmdMesh, "pgsql": cmdPGSQL, "query": cmdQuery, "check": cmdCheck,
		"conc": cmdConc, "overhead": cmdOverhead, "report": cmdReport, "dash": cmdDash, "dashreport": cmdDashReport,
	}
	f, ok := cmds[os.Args[1]]
	if !ok {
		fatal("unknown subcommand %q", os.Args[1])
	}
	f(os.Args[2:])
}

func must(err error) {
	if err != nil {
		fatal("%v", err)
	}
}

func fatal(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "tpch: "+format+"\n", args...)
	os.Exit(1)
}
