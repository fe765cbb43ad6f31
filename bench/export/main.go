// Command export writes a parquet file as CSV with a plain embedded DuckDB,
// for loading the same rows into PostgreSQL with COPY ... FROM (FORMAT csv).
//
//	go run -tags duckdb_arrow ./bench/export -parquet in.parquet -csv out.csv
package main

import (
	"database/sql"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"
)

func main() {
	parquet := flag.String("parquet", "", "parquet file to read")
	csv := flag.String("csv", "", "csv file to write (no header)")
	flag.Parse()
	if *parquet == "" || *csv == "" {
		flag.Usage()
		os.Exit(2)
	}
	q := func(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
	db, err := sql.Open("duckdb", "")
	if err != nil {
		fmt.Fprintln(os.Stderr, "export:", err)
		os.Exit(1)
	}
	defer db.Close()
	start := time.Now()
	// Columns in the order of the PostgreSQL table: id, value, name, day.
	stmt := fmt.Sprintf(`COPY (SELECT id, value, name, day FROM read_parquet(%s)) TO %s (FORMAT csv, HEADER false)`, q(*parquet), q(*csv))
	if _, err := db.Exec(stmt); err != nil {
		fmt.Fprintln(os.Stderr, "export:", err)
		os.Exit(1)
	}
	fmt.Printf("exported %s to %s in %v\n", *parquet, *csv, time.Since(start).Round(time.Millisecond))
}
