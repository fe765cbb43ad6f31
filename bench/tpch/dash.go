package main

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// The dashboard workload (issue 18): a BI tool's load. Each client
// refreshes a dashboard of ten aggregate tiles over the TPC-H products,
// each tile with a parameter drawn from a few values (as users pick a
// year, a status, a nation), again and again; every few refreshes it
// drops its connection and connects anew, sending the statements pgjdbc
// and a BI tool send on connect.

// tile is one dashboard query and the values its parameters take.
type tile struct {
	name   string
	sql    string
	values [][]any
}

var dashboard = []tile{
	{"revenue by year", "SELECT extract(year FROM o_orderdate) AS y, count(*), sum(o_totalprice) FROM sales.orders WHERE o_orderstatus = $1 GROUP BY 1 ORDER BY 1",
		[][]any{{"F"}, {"O"}, {"P"}}},
	{"priorities of a year", "SELECT o_orderpriority, count(*) FROM sales.orders WHERE o_orderdate >= $1::date AND o_orderdate < $2::date GROUP BY 1 ORDER BY 1",
		[][]any{{"1994-01-01", "1995-01-01"}, {"1995-01-01", "1996-01-01"}, {"1996-01-01", "1997-01-01"}}},
	{"segments of a nation", "SELECT c_mktsegment, count(*), avg(c_acctbal) FROM sales.customer WHERE c_nationkey = $1 GROUP BY 1 ORDER BY 1",
		[][]any{{int64(3)}, {int64(7)}, {int64(12)}, {int64(19)}, {int64(22)}}},
	{"top nations by balance", "SELECT n_name, sum(c_acctbal) FROM sales.customer JOIN geo.nation ON c_nationkey = n_nationkey GROUP BY 1 ORDER BY 2 DESC LIMIT 10",
		[][]any{{}}},
	{"ship modes of a month", "SELECT l_shipmode, count(*), sum(l_extendedprice) FROM supply.lineitem WHERE l_shipdate >= $1::date AND l_shipdate < $2::date GROUP BY 1 ORDER BY 1",
		[][]any{{"1995-03-01", "1995-04-01"}, {"1996-06-01", "1996-07-01"}, {"1997-09-01", "1997-10-01"}}},
	{"brands of a size", "SELECT p_brand, count(*), avg(p_retailprice) FROM catalog.part WHERE p_size = $1 GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 10",
		[][]any{{int64(1)}, {int64(15)}, {int64(30)}, {int64(45)}}},
	{"suppliers by nation", "SELECT n_name, count(*) FROM catalog.supplier JOIN geo.nation ON s_nationkey = n_nationkey GROUP BY 1 ORDER BY 1",
		[][]any{{}}},
	{"nations by region", "SELECT r_name, count(*) FROM geo.region JOIN geo.nation ON r_regionkey = n_regionkey GROUP BY 1 ORDER BY 1",
		[][]any{{}}},
	{"a customer's orders", "SELECT count(*), sum(o_totalprice) FROM sales.orders WHERE o_custkey = $1",
		[][]any{{int64(1)}, {int64(4)}, {int64(7)}, {int64(10)}, {int64(13)}}},
	{"a part's stock", "SELECT count(*), sum(ps_availqty) FROM supply.partsupp WHERE ps_partkey = $1",
		[][]any{{int64(1)}, {int64(500)}, {int64(1000)}, {int64(1500)}}},
}

// connectStatements are what pgjdbc (42.x) and a BI tool send after the
// startup message: session settings, the schema and isolation level, the
// server version.
var connectStatements = []string{
	"SET extra_float_digits = 3",
	"SET application_name = 'PostgreSQL JDBC Driver'",
	"SELECT current_schema()",
	"SHOW TRANSACTION ISOLATION LEVEL",
	"SELECT version()",
}

type dashLevel struct {
	Clients  int          `json:"clients"`
	Seconds  float64      `json:"seconds"`
	QPS      float64      `json:"qps"`
	Tiles    latencyStats `json:"tiles"`
	Connect  latencyStats `json:"connect"` // connect + the connect statements
	Connects int          `json:"connects"`
	Errors   int          `json:"errors"`
	Error    string       `json:"error,omitempty"`
}

type dashRun struct {
	System string      `json:"system"`
	Levels []dashLevel `json:"levels"`
}

// cmdDash runs the dashboard workload for a fixed time per level.
func cmdDash(args []string) {
	fs := flag.NewFlagSet("dash", flag.ExitOnError)
	connStr := fs.String("conn", "", "connection string")
	system := fs.String("system", "", "label")
	levelsF := fs.String("levels", "1,8,32,128", "concurrent clients per level")
	dur := fs.Duration("duration", 10*time.Second, "time per level")
	reconnect := fs.Int("reconnect", 5, "dashboard refreshes per connection")
	out := fs.String("out", "", "JSON output")
	fs.Parse(args)
	res := dashRun{System: *system}
	for _, ls := range strings.Split(*levelsF, ",") {
		n, err := strconv.Atoi(ls)
		must(err)
		lvl := runDashLevel(*connStr, n, *dur, *reconnect)
		fmt.Printf("  %-22s %3d clients: %8.0f q/s, tile p50 %.2f ms, p99 %.2f ms, connect p50 %.2f ms (%d connects)%s\n", *system, n, lvl.QPS,
			lvl.Tiles.P50, lvl.Tiles.P99, lvl.Connect.P50, lvl.Connects, errNote(lvl.Errors, lvl.Error))
		res.Levels = append(res.Levels, lvl)
	}
	writeJSON(*out, res)
}

// dashClient is one client's measurements.
type dashClient struct {
	tiles, connects []float64
	statements      int
	errs            int
	firstErr        string
}

func (d *dashClient) fail(err error) {
	d.errs++
	if d.firstErr == "" {
		d.firstErr = err.Error()
	}
}

func runDashLevel(connStr string, n int, dur time.Duration, reconnect int) dashLevel {
	ctx := context.Background()
	lvl := dashLevel{Clients: n}
	clients := make([]dashClient, n)
	var wg sync.WaitGroup
	start := time.Now()
	deadline := start.Add(dur)
	for i := range clients {
		wg.Add(1)
		go func(seed int, d *dashClient) {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(seed), 18))
			for time.Now().Before(deadline) && d.errs <= 100 {
				t := time.Now()
				c, err := pgx.Connect(ctx, connStr)
				if err != nil {
					d.fail(err)
					continue
				}
				for _, s := range connectStatements {
					if err := drain(ctx, c, s); err != nil {
						d.fail(err)
					}
					d.statements++
				}
				d.connects = append(d.connects, ms(time.Since(t)))
				for k := 0; k < reconnect && time.Now().Before(deadline); k++ {
					for _, q := range dashboard {
						t := time.Now()
						if err := drain(ctx, c, q.sql, q.values[r.IntN(len(q.values))]...); err != nil {
							d.fail(err)
							continue
						}
						d.tiles = append(d.tiles, ms(time.Since(t)))
						d.statements++
					}
				}
				c.Close(ctx)
			}
		}(i, &clients[i])
	}
	wg.Wait()
	lvl.Seconds = time.Since(start).Seconds()
	var tiles, connects []float64
	statements := 0
	for _, d := range clients {
		tiles, connects = append(tiles, d.tiles...), append(connects, d.connects...)
		statements += d.statements
		lvl.Errors += d.errs
		if lvl.Error == "" {
			lvl.Error = d.firstErr
		}
	}
	lvl.QPS = float64(statements) / lvl.Seconds
	lvl.Tiles, lvl.Connect, lvl.Connects = stats(tiles), stats(connects), len(connects)
	return lvl
}

// drain runs a statement and reads its rows.
func drain(ctx context.Context, c *pgx.Conn, sql string, args ...any) error {
	rows, err := c.Query(ctx, sql, args...)
	if err != nil {
		return err
	}
	for rows.Next() {
	}
	rows.Close()
	return rows.Err()
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
