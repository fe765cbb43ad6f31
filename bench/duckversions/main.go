// Command duckversions runs the 22 TPC-H queries and an Arrow-export scan on
// embedded DuckDB in-process, to compare duckdb-go versions (issue 18: DuckDB
// 2.0 against the current 1.5). bench/duckversions/run.sh builds it once
// against go.mod's version and once against another in a scratch module and
// runs both alternately. Output per query: the best wall and CPU time
// (getrusage: DuckDB's threads included) of -runs after a warm-up.
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/duckdb/duckdb-go/v2"
)

func cpu() float64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

func main() {
	mesh := flag.String("mesh", "", "bench/data/tpch/sf1/mesh")
	queries := flag.String("queries", "/work/shared/bench/tpch/queries", "")
	wide := flag.String("wide", "", "wide parquet")
	runs := flag.Int("runs", 3, "")
	flag.Parse()
	c, err := duckdb.NewConnector("", nil)
	if err != nil {
		panic(err)
	}
	db := sql.OpenDB(c)
	db.SetMaxOpenConns(1)
	ex := func(q string) {
		if _, err := db.Exec(q); err != nil {
			panic(fmt.Sprint(err, q))
		}
	}
	ex("SET threads=2")
	for _, d := range []string{"sales", "supply", "catalog", "geo"} {
		ex("CREATE SCHEMA " + d)
		files, _ := filepath.Glob(filepath.Join(*mesh, d, "data", "*"))
		for _, f := range files {
			name := strings.TrimSuffix(filepath.Base(f), filepath.Ext(f))
			if strings.HasSuffix(f, ".parquet") {
				ex(fmt.Sprintf("CREATE VIEW %s.%s AS SELECT * FROM read_parquet('%s')", d, name, f))
			} else if strings.HasSuffix(f, ".csv") {
				ex(fmt.Sprintf("CREATE TABLE %s.%s AS SELECT * FROM read_csv('%s', header=true)", d, name, f))
			}
		}
	}
	ex("SET search_path TO 'sales,supply,catalog,geo'")
	qs, _ := filepath.Glob(filepath.Join(*queries, "q*.sql"))
	sort.Strings(qs)
	var gw, gc float64
	n := 0
	for _, qf := range qs {
		b, _ := os.ReadFile(qf)
		q := string(b)
		bw, bc := math.Inf(1), math.Inf(1)
		for r := 0; r < *runs+1; r++ {
			t0, c0 := time.Now(), cpu()
			rows, err := db.Query(q)
			if err != nil {
				fmt.Println(filepath.Base(qf), "error", err)
				break
			}
			for rows.Next() {
			}
			rows.Close()
			w, cc := time.Since(t0).Seconds(), cpu()-c0
			if r > 0 {
				bw, bc = math.Min(bw, w), math.Min(bc, cc)
			}
		}
		fmt.Printf("%s wall %.3f cpu %.3f\n", filepath.Base(qf), bw, bc)
		gw += math.Log(bw)
		gc += math.Log(bc)
		n++
	}
	fmt.Printf("GEOMEAN wall %.4f cpu %.4f (%d q)\n", math.Exp(gw/float64(n)), math.Exp(gc/float64(n)), n)
	if *wide != "" {
		conn, _ := c.Connect(context.Background())
		ar, err := duckdb.NewArrowFromConn(conn)
		if err != nil {
			panic(err)
		}
		bw, bc := math.Inf(1), math.Inf(1)
		var rowsN int64
		for r := 0; r < *runs+1; r++ {
			t0, c0 := time.Now(), cpu()
			rr, err := ar.QueryContext(context.Background(), fmt.Sprintf("SELECT * FROM read_parquet('%s')", *wide))
			if err != nil {
				panic(err)
			}
			rowsN = 0
			for rr.Next() {
				rowsN += rr.RecordBatch().NumRows()
			}
			rr.Release()
			w, cc := time.Since(t0).Seconds(), cpu()-c0
			if r > 0 {
				bw, bc = math.Min(bw, w), math.Min(bc, cc)
			}
		}
		fmt.Printf("ARROW scan %d rows: wall %.3f (%.2f M rows/s) cpu %.3f (%.3f s per M rows)\n", rowsN, bw, float64(rowsN)/bw/1e6, bc, bc/float64(rowsN)*1e6)
		conn.Close()
	}
}
