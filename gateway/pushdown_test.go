package gateway_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/meshgate/meshgate/auth/audit"
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
  - name: inject
    groups: [analysts]
    attributes: {segment: "BUILDING' OR 'x' = 'x"}
`

const pushPolicy = `apiVersion: meshgate/v1
kind: FederationPolicy
grants:
  - id: fed-reads-everything
    subjects: {users: [fed]}
    products: ["*"]
  - id: eu-reads-tpch
    subjects: {users: [eu, inject]}
    products: ["tpch.region", "tpch.nation", "tpch.supplier", "tpch.part", "tpch.partsupp", "tpch.customer", "tpch.lineitem", "tpch.edge_a", "tpch.edge_b", "tpch.edge_empty"]
  - id: eu-orders-without-comments
    subjects: {users: [eu, inject]}
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
    unless: {users: [fed, eu, inject]}
rowFilters:
  - id: eu-own-segment
    products: ["tpch.customer"]
    subjects: {users: [eu, inject]}
    filter: "c_mktsegment = session_attr('segment') OR (c_custkey < 0 AND c_nationkey < 0 AND c_acctbal < -1000000 AND c_name = 'nobody')"
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

// TestPushdownPolicies runs the corpus and TPC-H as policy users (a
// column grant, a null and a zero mask, row filters with a session
// attribute; an untranslatable mask) with pushdown on and off, and
// attacks on the row filter and masks.
func TestPushdownPolicies(t *testing.T) {
	f := startPushFixture(t)
	queries := pushCorpus()
	for _, q := range tpchQueries(t) {
		queries = append(queries, q)
	}
	for _, user := range []string{"eu", "redacted"} {
		on, off := f.session(t, user, true), f.session(t, user, false)
		before, pushed := f.pushedCalls(t), 0
		for _, q := range queries {
			n := f.pushedCalls(t)
			got, errOn := textRowsErr(ctxT(t), on, q)
			if f.pushedCalls(t) > n {
				pushed++
			}
			want, errOff := textRowsErr(ctxT(t), off, q)
			if (errOn == nil) != (errOff == nil) || (errOn != nil && pgCode(errOn) != pgCode(errOff)) {
				t.Errorf("%s: %s: pushdown on: %v, off: %v", user, q, errOn, errOff)
				continue
			}
			if d := diffRows(got, want); errOn == nil && d != "" {
				t.Errorf("%s: pushdown on and off differ: %s\n%s", user, d, q)
			}
		}
		t.Logf("%s: %d of %d queries pushed (%d source calls)", user, pushed, len(queries), f.pushedCalls(t)-before)
		if pushed == 0 {
			t.Errorf("%s: nothing was pushed", user)
		}
	}

	eu := f.session(t, "eu", true)
	count := func(c *pgx.Conn, q string) string {
		t.Helper()
		n := f.pushedCalls(t)
		v := one(t, c, q)
		if f.pushedCalls(t) == n {
			t.Errorf("not pushed: %s", q)
		}
		return v
	}
	var wantCust, wantOrders string
	if err := f.pg.QueryRow(ctxT(t), "SELECT count(*)::text FROM customer WHERE c_mktsegment = 'BUILDING'").Scan(&wantCust); err != nil {
		t.Fatal(err)
	}
	if err := f.pg.QueryRow(ctxT(t), "SELECT count(*)::text FROM orders WHERE o_orderdate >= DATE '1994-01-01'").Scan(&wantOrders); err != nil {
		t.Fatal(err)
	}
	if got := count(eu, "SELECT count(*) FROM customer"); got != wantCust {
		t.Errorf("eu sees %s customers, the row filter allows %s", got, wantCust)
	}
	if got := count(eu, "SELECT count(*) FROM orders o JOIN customer c ON o.o_custkey = c.c_custkey WHERE o.o_orderdate < DATE '1994-01-01'"); got != "0" {
		t.Errorf("eu sees %s orders the row filter removes", got)
	}
	if got := count(eu, "SELECT count(*) FROM orders"); got != wantOrders {
		t.Errorf("eu sees %s orders, the row filter allows %s", got, wantOrders)
	}
	// Masked values are what predicates, joins and aggregates see.
	if got := count(eu, "SELECT count(*) FROM customer WHERE c_phone IS NOT NULL OR c_phone LIKE '1%'"); got != "0" {
		t.Errorf("eu's predicate on the masked phone matched %s rows", got)
	}
	if got := count(eu, "SELECT sum(c_acctbal) FROM customer"); got != "0.00" {
		t.Errorf("eu's sum of the masked balance is %s", got)
	}
	// A condition that fails on a row the filter removes must not run on
	// it (the pushed relation is a fence): the error would reveal the row.
	var hidden int64
	if err := f.pg.QueryRow(ctxT(t), "SELECT min(c_custkey) FROM customer WHERE c_mktsegment <> 'BUILDING'").Scan(&hidden); err != nil {
		t.Fatal(err)
	}
	// (The filter is the costlier condition, so PostgreSQL would run the
	// probe first were the relation flattened: the probe would fail at
	// the source, and count would report it not pushed.)
	probe := fmt.Sprintf("SELECT count(*) FROM customer WHERE CASE WHEN c_custkey = %d THEN 9223372036854775807 + c_custkey ELSE 0 END > 0", hidden)
	if got := count(eu, probe); got != "0" {
		t.Errorf("the probe of a filtered row answered %s", got)
	}
	if got := one(t, f.session(t, "eu", false), probe); got != "0" {
		t.Errorf("without pushdown, the probe of a filtered row answered %s", got)
	}
	// An ungranted column is unknown, pushed or not.
	fedErr(t, eu, "SELECT o_comment FROM orders", "42703")
	// A session attribute is a parameter, never SQL text.
	if got := count(f.session(t, "inject", true), "SELECT count(*) FROM customer"); got != "0" {
		t.Errorf("an attribute with SQL in it matched %s customers", got)
	}
}

func pgCode(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return err.Error()
}

// TestPushdownExplainAudit: EXPLAIN shows the source and the statement
// sent to it, EXPLAIN ANALYZE the rows that came back; the audit record
// lists the pushed statement; with pushdown off neither does.
func TestPushdownExplainAudit(t *testing.T) {
	f := startPushFixture(t)
	auditFile := filepath.Join(t.TempDir(), "audit.jsonl")
	alog, err := audit.Open(auditFile, 1<<20, 1, nil, 20*time.Millisecond, nil)
	if err != nil {
		t.Fatal(err)
	}
	f.srv.gw.SetAudit(alog)
	on := f.session(t, "fed", true)
	const q = "SELECT c_mktsegment, count(*) FROM customer JOIN orders ON c_custkey = o_custkey WHERE o_orderdate < DATE '1995-01-01' GROUP BY c_mktsegment"
	plan := textRows(t, on, "EXPLAIN "+q)
	text := fmt.Sprint(plan)
	for _, want := range []string{"Pushed to its source: tpch.", "Source SQL: SELECT CAST(mg_q.", `FROM "tpch"."customer"`, `FROM "tpch"."orders"`, "GROUP BY", "$1"} {
		if !strings.Contains(text, want) {
			t.Errorf("EXPLAIN lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "1995-01-01") {
		t.Errorf("EXPLAIN's source SQL splices a value:\n%s", text)
	}
	analyzed := fmt.Sprint(textRows(t, on, "EXPLAIN ANALYZE "+q))
	if !strings.Contains(analyzed, "Rows from the source: 5 ") {
		t.Errorf("EXPLAIN ANALYZE does not count the 5 groups:\n%s", analyzed)
	}
	off := f.session(t, "fed", false)
	if text := fmt.Sprint(textRows(t, off, "EXPLAIN "+q)); strings.Contains(text, "Pushed to its source") {
		t.Errorf("EXPLAIN with pushdown off shows a pushed statement:\n%s", text)
	}
	textRows(t, on, q+" ORDER BY 1")
	textRows(t, off, q+" ORDER BY 2")
	var pushed, plain *audit.Record
	eventually(t, 5*time.Second, "the audit records", func() (bool, string) {
		data, _ := os.ReadFile(auditFile)
		for _, line := range strings.Split(string(data), "\n") {
			var r audit.Record
			if json.Unmarshal([]byte(line), &r) != nil {
				continue
			}
			switch {
			case strings.HasSuffix(r.Statement, "ORDER BY 1"):
				pushed = &r
			case strings.HasSuffix(r.Statement, "ORDER BY 2"):
				plain = &r
			}
		}
		return pushed != nil && plain != nil, string(data)
	})
	if len(pushed.Pushed) != 1 || !strings.HasPrefix(pushed.Pushed[0], "tpch.") || !strings.Contains(pushed.Pushed[0], `"tpch"."orders"`) || pushed.Rows != 5 {
		t.Errorf("the pushed statement's audit record: %+v", pushed)
	}
	if len(plain.Pushed) != 0 || plain.Rows != 5 || len(plain.Products) != 2 {
		t.Errorf("the engine's statement's audit record: %+v", plain)
	}
	if strings.Join(pushed.Products, ",") != strings.Join(plain.Products, ",") || strings.Join(pushed.Columns, ",") != strings.Join(plain.Columns, ",") {
		t.Errorf("pushed and not, the audit names different reads: %v %v / %v %v", pushed.Products, pushed.Columns, plain.Products, plain.Columns)
	}
}
