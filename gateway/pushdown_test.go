package gateway_test

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// Subtree pushdown, differentially: every TPC-H query and a generated
// corpus run through meshgate with pushdown on, with it off, and on
// PostgreSQL itself; any difference fails. Policy users (column grants,
// masks, row filters with attributes) compare on and off, and attacks on
// the row filter are refused alike.

const pushUsers = `apiVersion: meshgate/v1
kind: Users
users:
  - name: fed
    groups: [analysts]
  - name: eu
    groups: [analysts]
    attributes: {segment: BUILDING}
  - name: redacted
    groups: [analysts]
`

const pushPolicy = `apiVersion: meshgate/v1
kind: FederationPolicy
grants:
  - id: fed-reads-everything
    subjects: {users: [fed]}
    products: ["*"]
  - id: eu-reads-tpch
    subjects: {users: [eu]}
    products: ["tpch.*"]
  - id: eu-orders-without-comments
    subjects: {users: [eu]}
    products: ["tpch.orders"]
    exceptColumns: [o_comment]
  - id: redacted-reads-tpch
    subjects: {users: [redacted]}
    products: ["tpch.*"]
masks:
  - id: eu-phone-hidden
    products: ["tpch.customer"]
    columns: [c_phone]
    mask: {kind: "null"}
    unless: {users: [fed, redacted]}
  - id: eu-balance-zero
    products: ["tpch.customer"]
    columns: [c_acctbal]
    mask: {kind: redact}
    unless: {users: [fed, redacted]}
  - id: redacted-names
    products: ["tpch.customer"]
    columns: [c_name]
    mask: {kind: redact}
    unless: {users: [fed, eu]}
rowFilters:
  - id: eu-own-segment
    products: ["tpch.customer"]
    subjects: {users: [eu]}
    filter: "c_mktsegment = session_attr('segment')"
  - id: eu-recent-orders
    products: ["tpch.orders"]
    subjects: {users: [eu]}
    filter: "o_orderdate >= DATE '1994-01-01'"
`

// pushFixture is the mesh of the differential test.
type pushFixture struct {
	srv    *fedServer
	pg     *pgx.Conn // the source database, search_path tpch
	tables []pushTable
}

func startPushFixture(t *testing.T) *pushFixture {
	t.Helper()
	c, pg := fedDB(t, "pushdown")
	tables := pushTables()
	loadPushTables(t, pg, tables)
	pgExec(t, pg, "SET search_path TO tpch")
	dir := t.TempDir()
	for _, tb := range tables {
		port := strings.ReplaceAll(pgPortYAML(c.Port, "pushdown", tb.name), "schema: crm", "schema: tpch")
		writeFile(t, filepath.Join(dir, "tpch", tb.name+".yaml"), descriptor("tpch", tb.name, port, tb.cols))
	}
	srv := startFedGatewayAs(t, dir, pushPolicy, pushUsers, nil)
	return &pushFixture{srv: srv, pg: pg, tables: tables}
}

// session connects as user with search_path tpch and pushdown on or off.
func (f *pushFixture) session(t *testing.T, user string, pushdown bool) *pgx.Conn {
	t.Helper()
	c := f.srv.connectAs(t, user, "")
	pgExec(t, c, "SET search_path TO tpch", fmt.Sprintf("SET meshgate.pushdown = %v", pushdown))
	return c
}

// pushedCalls is the number of pushed statements the source has run.
func (f *pushFixture) pushedCalls(t *testing.T) int64 {
	t.Helper()
	var n int64
	if err := f.pg.QueryRow(ctxT(t), `SELECT coalesce(sum(calls), 0)::int8 FROM public.pg_stat_statements WHERE query LIKE '%) AS mg_q (%'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// normalizeRows makes a result comparable across engines: numbers compare
// as float64 to 12 significant digits (DuckDB's avg is DOUBLE,
// PostgreSQL's numeric; sums of doubles depend on the order), the rows
// as a sorted multiset.
func normalizeRows(rows [][]string) [][]string {
	out := make([][]string, len(rows))
	for i, r := range rows {
		out[i] = make([]string, len(r))
		for j, v := range r {
			out[i][j] = v
			if f, err := strconv.ParseFloat(v, 64); err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
				if f == 0 {
					f = 0 // -0
				}
				out[i][j] = strconv.FormatFloat(f, 'g', 12, 64)
			}
		}
	}
	sort.Slice(out, func(a, b int) bool { return strings.Join(out[a], "\x00") < strings.Join(out[b], "\x00") })
	return out
}

func diffRows(a, b [][]string) string {
	a, b = normalizeRows(a), normalizeRows(b)
	if len(a) != len(b) {
		return fmt.Sprintf("%d rows against %d", len(a), len(b))
	}
	for i := range a {
		if strings.Join(a[i], "|") != strings.Join(b[i], "|") {
			return fmt.Sprintf("row %d: %q against %q", i, a[i], b[i])
		}
	}
	return ""
}

func tpchQueries(t *testing.T) map[string]string {
	t.Helper()
	dir := os.Getenv("TPCH_QUERIES")
	if dir == "" {
		dir = "/work/shared/bench/tpch/queries"
	}
	files, _ := filepath.Glob(filepath.Join(dir, "q*.sql"))
	if len(files) != 22 {
		t.Skipf("the 22 TPC-H queries are not in %s (set TPCH_QUERIES)", dir)
	}
	out := map[string]string{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out[strings.TrimSuffix(filepath.Base(f), ".sql")] = strings.TrimRight(strings.TrimSpace(string(b)), ";")
	}
	return out
}

// TestPushdownDifferential runs the TPC-H queries and the generated
// corpus three ways (pushdown on, off, PostgreSQL) and requires equal
// answers, and every TPC-H query to be pushed.
func TestPushdownDifferential(t *testing.T) {
	f := startPushFixture(t)
	on, off := f.session(t, "fed", true), f.session(t, "fed", false)
	type query struct{ name, sql string }
	var queries []query
	tq := tpchQueries(t)
	for name, q := range tq {
		queries = append(queries, query{name, q})
	}
	for i, q := range pushCorpus() {
		queries = append(queries, query{fmt.Sprintf("corpus %03d", i), q})
	}
	sort.Slice(queries, func(i, j int) bool { return queries[i].name < queries[j].name })
	pushed, notPushed := 0, []string{}
	for _, q := range queries {
		before := f.pushedCalls(t)
		got, err := textRowsErr(ctxT(t), on, q.sql)
		if err != nil {
			t.Errorf("%s: pushdown on: %v\n%s", q.name, err, q.sql)
			continue
		}
		if f.pushedCalls(t) > before {
			pushed++
		} else {
			notPushed = append(notPushed, q.name)
			if _, isTPCH := tq[q.name]; isTPCH {
				t.Errorf("%s was not pushed to the source", q.name)
			}
		}
		base, err := textRowsErr(ctxT(t), off, q.sql)
		if err != nil {
			t.Errorf("%s: pushdown off: %v", q.name, err)
			continue
		}
		want, err := textRowsErr(ctxT(t), f.pg, q.sql)
		if err != nil {
			t.Errorf("%s: PostgreSQL: %v", q.name, err)
			continue
		}
		if d := diffRows(got, base); d != "" {
			t.Errorf("%s: pushdown on and off differ: %s\n%s", q.name, d, q.sql)
		}
		if d := diffRows(got, want); d != "" {
			t.Errorf("%s: meshgate and PostgreSQL differ: %s\n%s", q.name, d, q.sql)
		}
	}
	t.Logf("%d of %d queries pushed; not pushed: %v", pushed, len(queries), notPushed)
	if len(queries)-len(tq) < 200 {
		t.Errorf("the corpus has %d queries, want at least 200", len(queries)-len(tq))
	}
	if pushed < len(queries)*8/10 {
		t.Errorf("only %d of %d queries were pushed", pushed, len(queries))
	}
}
