// Command aggregate benchmarks a live aggregate product (make
// bench-aggregate): bench.revenue_per_nation, a type: sql port over the
// TPC-H mesh of bench/tpch gen (lineitem × orders × customer × nation),
// against the same SQL written by hand over its inputs, both through the
// gateway's one read path (gateway/frontdoor.go: check, bound-plan
// verification, policy views), alternating, median of -runs each. Also
// with a consumer filter (WHERE nation = 'GERMANY'), which DuckDB pushes
// into the inputs' scans through the aggregate's view.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/meshgate/meshgate/auth"
	"github.com/meshgate/meshgate/auth/policy"
	"github.com/meshgate/meshgate/engine"
	"github.com/meshgate/meshgate/gateway"
	"github.com/meshgate/meshgate/planner/catalog"
)

const revenueSQL = `SELECT n.n_name AS nation, CAST(sum(l.l_extendedprice * (1 - l.l_discount)) AS DECIMAL(38,4)) AS revenue
FROM supply.lineitem l
JOIN sales.orders o ON l.l_orderkey = o.o_orderkey
JOIN sales.customer c ON o.o_custkey = c.c_custkey
JOIN geo.nation n ON c.c_nationkey = n.n_nationkey
GROUP BY n.n_name`

func main() {
	dir := flag.String("dir", "bench/data/tpch/sf1", "directory of bench/tpch gen (holding mesh/)")
	runs := flag.Int("runs", 5, "runs of each query")
	threads := flag.Int("threads", 2, "DuckDB threads")
	flag.Parse()
	if err := run(*dir, *runs, *threads); err != nil {
		fmt.Fprintln(os.Stderr, "bench-aggregate:", err)
		os.Exit(1)
	}
}

func run(dir string, runs, threads int) error {
	ctx := context.Background()
	mesh, problems := catalog.Load(filepath.Join(dir, "mesh"))
	if mesh == nil || len(problems) > 0 {
		return fmt.Errorf("TPC-H mesh in %s: %v (generate it with bench/tpch gen -dir %s)", dir, problems, dir)
	}
	aggDir, err := os.MkdirTemp("", "bench-aggregate")
	if err != nil {
		return err
	}
	defer os.RemoveAll(aggDir)
	desc := `apiVersion: meshgate/v1
kind: DataProduct
id: bench.revenue_per_nation
domain: bench
name: revenue_per_nation
version: 1.0.0
status: active
type: aggregate
description: TPC-H revenue per nation (bench/aggregate).
owner: {team: meshgate maintainers, contact: maintainers@example.com}
outputPorts:
  - name: query
    type: sql
    options: {mode: live}
    query: |
      ` + strings.ReplaceAll(revenueSQL, "\n", "\n      ") + `
schema:
  - {name: nation, type: varchar}
  - {name: revenue, type: "decimal(38,4)"}
`
	if err := os.MkdirAll(filepath.Join(aggDir, "bench"), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(aggDir, "bench", "revenue_per_nation.yaml"), []byte(desc), 0o644); err != nil {
		return err
	}
	aggMesh, problems := catalog.Load(aggDir)
	if len(problems) > 0 {
		return fmt.Errorf("aggregate descriptor: %v", problems)
	}
	mesh.Products = append(mesh.Products, aggMesh.Products...)
	sort.Slice(mesh.Products, func(i, j int) bool { return mesh.Products[i].Address.String() < mesh.Products[j].Address.String() })
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	eng, portProblems, err := engine.Open(ctx, mesh, engine.Config{Threads: threads, Logger: log})
	if err != nil {
		return err
	}
	defer eng.Close()
	if len(portProblems) > 0 {
		return fmt.Errorf("ports: %v", portProblems)
	}
	pdir, err := os.MkdirTemp("", "bench-aggregate-policy")
	if err != nil {
		return err
	}
	defer os.RemoveAll(pdir)
	if err := os.WriteFile(filepath.Join(pdir, "federation.yaml"), []byte(`apiVersion: meshgate/v1
kind: FederationPolicy
grants:
  - id: bench-reads-all
    subjects: {groups: [bench, domains]}
    products: ["*"]
`), 0o644); err != nil {
		return err
	}
	set, pp := policy.Load(pdir)
	if len(pp) > 0 {
		return fmt.Errorf("policy: %v", pp)
	}
	usersFile := filepath.Join(pdir, "users.yaml")
	if err := os.WriteFile(usersFile, []byte("apiVersion: meshgate/v1\nkind: Users\nusers:\n  - name: bench\n    groups: [bench]\n"), 0o644); err != nil {
		return err
	}
	users, err := auth.LoadDirectory(usersFile)
	if err != nil {
		return err
	}
	u, _ := users.Lookup("bench")
	gw := gateway.New(eng, users, "mesh", log)
	gw.SetPolicy(set)
	sess, err := gw.OpenSession(ctx, u, gateway.Door{Protocol: "bench", Application: "bench-aggregate"})
	if err != nil {
		return err
	}
	defer sess.Close()
	query := func(sql string) (time.Duration, int64, error) {
		start := time.Now()
		rows, err := sess.Query(ctx, sql, nil)
		if err != nil {
			return 0, 0, err
		}
		n, err := drain(rows.Records)
		return time.Since(start), n, err
	}
	pairs := []struct{ name, agg, hand string }{
		{"revenue per nation", "SELECT * FROM bench.revenue_per_nation ORDER BY nation", revenueSQL + " ORDER BY nation"},
		{"one nation (filter pushed down)", "SELECT * FROM bench.revenue_per_nation WHERE nation = 'GERMANY'",
			"SELECT * FROM (" + revenueSQL + ") WHERE nation = 'GERMANY'"},
	}
	fmt.Printf("bench-aggregate: TPC-H in %s, %d runs each, %d threads\n\n", dir, runs, threads)
	fmt.Printf("| query | aggregate (median) | by hand (median) | ratio |\n|---|---:|---:|---:|\n")
	for _, p := range pairs {
		var ta, th []time.Duration
		var na, nh int64
		if _, _, err := query(p.agg); err != nil { // warm-up (file metadata, plan caches)
			return err
		}
		if _, _, err := query(p.hand); err != nil {
			return err
		}
		for i := 0; i < runs; i++ {
			d, n, err := query(p.agg)
			if err != nil {
				return err
			}
			ta, na = append(ta, d), n
			d, n, err = query(p.hand)
			if err != nil {
				return err
			}
			th, nh = append(th, d), n
		}
		if na != nh {
			return fmt.Errorf("%s: %d rows from the aggregate, %d by hand", p.name, na, nh)
		}
		ma, mh := median(ta), median(th)
		fmt.Printf("| %s (%d rows) | %s | %s | %.2f× |\n", p.name, na, ma.Round(time.Millisecond), mh.Round(time.Millisecond), float64(ma)/float64(mh))
	}
	return nil
}

func drain(rr array.RecordReader) (int64, error) {
	if rr == nil {
		return 0, nil
	}
	defer rr.Release()
	var n int64
	for rr.Next() {
		n += rr.RecordBatch().NumRows()
	}
	return n, rr.Err()
}

func median(ds []time.Duration) time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}
