// Command duckdirect measures the "engine ceiling" for the wire benchmark:
// embedded DuckDB reading the bench parquet file into Arrow record batches
// through duckdb-go's Arrow API (SELECT * FROM read_parquet(...)), counting
// rows, with no wire protocol in between. Build tag duckdb_arrow is needed.
//
//	go run -tags duckdb_arrow ./bench/duckdirect -parquet bench/data/wide/bench/data/wide.parquet
//
// Output: a JSON line prefixed "RESULT " and a human line, like bench/wire.
package main

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/duckdb/duckdb-go/v2"

	"github.com/meshgate/meshgate/bench/internal/proc"
)

type Result struct {
	System      string    `json:"system"`
	Mode        string    `json:"mode"`
	Table       string    `json:"table"`
	Rows        int64     `json:"rows"`
	Runs        []float64 `json:"runs_s"`
	BestS       float64   `json:"best_s"`
	MedianS     float64   `json:"median_s"`
	BestRowsS   float64   `json:"best_rows_per_s"`
	MedianRowsS float64   `json:"median_rows_per_s"`
	ServerCPU   []float64 `json:"server_cpu_s,omitempty"` // this process's CPU time per run (DuckDB's threads included)
}

func main() {
	parquet := flag.String("parquet", "bench/data/wide/bench/data/wide.parquet", "parquet file to read")
	runs := flag.Int("runs", 3, "runs")
	threads := flag.Int("threads", 0, "DuckDB threads (0: DuckDB's default, one per core)")
	flag.Parse()
	ctx := context.Background()

	connector, err := duckdb.NewConnector("", nil)
	if err != nil {
		fatal("open duckdb: %v", err)
	}
	db := sql.OpenDB(connector)
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		fatal("conn: %v", err)
	}
	defer conn.Close()
	if *threads > 0 {
		if _, err := conn.ExecContext(ctx, fmt.Sprintf("SET threads = %d", *threads)); err != nil {
			fatal("set threads: %v", err)
		}
	}
	q := fmt.Sprintf("SELECT * FROM read_parquet('%s')", strings.ReplaceAll(*parquet, "'", "''"))
	res := Result{System: "duckdb-direct", Mode: "arrow", Table: *parquet}
	for i := 0; i < *runs; i++ {
		var n int64
		cpu0 := proc.CPUSeconds(os.Getpid())
		start := time.Now()
		err := conn.Raw(func(dc any) error {
			ar, err := duckdb.NewArrowFromConn(dc.(driver.Conn))
			if err != nil {
				return err
			}
			rr, err := ar.QueryContext(ctx, q)
			if err != nil {
				return err
			}
			defer rr.Release()
			for rr.Next() {
				n += rr.RecordBatch().NumRows()
			}
			return rr.Err()
		})
		el := time.Since(start).Seconds()
		if err != nil {
			fatal("run %d: %v", i+1, err)
		}
		res.Rows = n
		res.Runs = append(res.Runs, el)
		cpu := proc.CPUSeconds(os.Getpid()) - cpu0
		res.ServerCPU = append(res.ServerCPU, cpu)
		fmt.Fprintf(os.Stderr, "  duckdb-direct arrow run %d/%d: %d rows in %.3fs (%.0f rows/s), CPU %.2fs\n", i+1, *runs, n, el, float64(n)/el, cpu)
	}
	s := append([]float64(nil), res.Runs...)
	sort.Float64s(s)
	res.BestS, res.MedianS = s[0], s[len(s)/2]
	res.BestRowsS = float64(int64(float64(res.Rows) / res.BestS))
	res.MedianRowsS = float64(int64(float64(res.Rows) / res.MedianS))
	fmt.Print("RESULT ")
	json.NewEncoder(os.Stdout).Encode(res)
	fmt.Printf("duckdb-direct arrow: %d rows, best %.3fs (%.2f M rows/s), median %.3fs (%.2f M rows/s)\n",
		res.Rows, res.BestS, res.BestRowsS/1e6, res.MedianS, res.MedianRowsS/1e6)
}

func fatal(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "duckdirect: "+format+"\n", args...)
	os.Exit(1)
}
