package gateway_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/meshgate/meshgate/auth/audit"
	"github.com/meshgate/meshgate/gateway"
	"github.com/meshgate/meshgate/planner/catalog"
)

// Products defined in SQL over other products (type: sql ports), read by
// consumers with a grant on them only: definer rights, the consumer's own
// policy on the aggregate's columns, classification propagation, attacks
// on the inputs and the definer views, a differential oracle, pushdown,
// snapshots that follow their inputs, and an unreachable aggregate.

// aggPolicy: carol and dave consume aggregates only; the domains' identities
// (group domains) read the inputs, geo.countries restricted to the EU by
// a filter that reads the identity (so it must be the definer's, not the
// consumer's); twin is a user with the sales domain's identity's groups and
// attributes (the oracle).
func aggPolicy(declassifications string) string {
	return `apiVersion: meshgate/v1
kind: FederationPolicy
grants:
  - id: consumers
    subjects: {users: [carol]}
    products: ["sales.revenue", "mkt.reach", "mkt.doubled", "sales.blocked", "mkt.top"]
  - id: dave-revenue
    subjects: {users: [dave]}
    products: ["sales.revenue"]
  - id: domains-read-inputs
    subjects: {groups: [domains]}
    products: ["sales.orders", "geo.countries", "web.rates", "sales.revenue"]
  - id: mkt-reads-people
    subjects: {attributes: {domain: mkt}}
    products: ["crm.people"]
  - id: stewards-read-usage
    subjects: {users: [stew]}
    products: ["meshgate.usage"]
rowFilters:
  - id: usage-of-own-domains
    subjects: {}
    products: ["meshgate.usage"]
    filter: "list_contains(string_split(coalesce(session_attr('steward_of'), ''), ','), domain)"
  - id: definers-see-eu
    subjects: {groups: [domains]}
    products: ["geo.countries"]
    filter: "region_code = 'EU' AND in_group('domains') AND session_attr('domain') = 'sales'"
masks:
  - id: carol-rounds-revenue
    subjects: {users: [carol]}
    products: ["sales.revenue"]
    columns: [revenue]
    mask: {kind: round, digits: -2}
classifications:
  - id: pii-redacted
    classification: pii
    mask: redact
    unless: {attributes: {domain: mkt}}
` + declassifications
}

const aggDeclassification = `declassifications:
  - id: counts
    classification: pii
    to: internal
    transformation: aggregate
`

const aggUsers = `apiVersion: meshgate/v1
kind: Users
users:
  - name: carol
  - name: dave
  - name: twin
    groups: [domains]
    attributes: {domain: sales}
  - name: stew
    attributes: {steward_of: "sales,crm"}
`

// revenueSQL is sales.revenue's query; the oracle runs it by hand.
const revenueSQL = `SELECT c.country_code, c.name AS country, count(*) AS orders, sum(o.amount) AS revenue
FROM sales.orders o JOIN geo.countries_v1 c ON c.country_code = o.country_code
GROUP BY c.country_code, c.name`

func sqlDescriptor(domain, name, mode, query, schema string) string {
	return fmt.Sprintf(`apiVersion: meshgate/v1
kind: DataProduct
id: %[1]s.%[2]s
domain: %[1]s
name: %[2]s
version: 1.0.0
status: active
type: aggregate
description: Derived %[1]s.%[2]s.
owner: {team: Aggregate Tests, contact: agg@example.com}
outputPorts:
  - name: query
    type: sql
    options: {mode: %[3]s}
    query: |
      %[4]s
schema:
%[5]s`, domain, name, mode, strings.ReplaceAll(query, "\n", "\n      "), schema)
}

type aggRig struct {
	*fedServer
	rate atomic.Int64 // web.rates' rate for DE
}

// startAggGateway serves orders, countries, crm.people (pii), web.rates (an
// http port in snapshot mode) and the aggregates over them.
func startAggGateway(t *testing.T, declassifications string) *aggRig {
	t.Helper()
	rig := &aggRig{}
	rig.rate.Store(3)
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode([]map[string]any{{"country_code": "DE", "rate": rig.rate.Load()}, {"country_code": "FR", "rate": 5}})
	}))
	t.Cleanup(api.Close)
	mesh := t.TempDir()
	writeFileProducts(t, mesh)
	var people strings.Builder
	people.WriteString("customer_id,name,email,country_code\n")
	for i := 1; i <= 40; i++ {
		fmt.Fprintf(&people, "%d,Person %d,p%d@example.com,%s\n", i, i, i, fedCountries[i%len(fedCountries)][0])
	}
	writeFile(t, filepath.Join(mesh, "crm", "data", "people.csv"), people.String())
	writeFile(t, filepath.Join(mesh, "crm", "people.yaml"), `apiVersion: meshgate/v1
kind: DataProduct
id: crm.people
domain: crm
name: people
version: 1.0.0
status: active
type: source-aligned
description: People.
owner: {team: CRM, contact: crm@example.com}
outputPorts:
  - {name: files, type: csv, location: data/people.csv}
schema:
  - {name: customer_id, type: bigint, classification: public}
  - {name: name, type: varchar, classification: pii}
  - {name: email, type: varchar, classification: pii}
  - {name: country_code, type: varchar, classification: public}
`)
	writeFile(t, filepath.Join(mesh, "web", "rates.yaml"), descriptor("web", "rates", fmt.Sprintf(`  - name: api
    type: http
    location: %s/rates
    options: {format: json, mode: snapshot, refresh: 1h}
`, api.URL), []fedCol{{"country_code", "varchar"}, {"rate", "bigint"}}))
	writeFile(t, filepath.Join(mesh, "sales", "revenue.yaml"), sqlDescriptor("sales", "revenue", "live", revenueSQL,
		"  - {name: country_code, type: varchar}\n  - {name: country, type: varchar}\n  - {name: orders, type: bigint}\n  - {name: revenue, type: \"decimal(38,2)\"}\n"))
	writeFile(t, filepath.Join(mesh, "mkt", "reach.yaml"), sqlDescriptor("mkt", "reach", "live",
		"SELECT country_code, min(name) AS first_name, count(DISTINCT email) AS reachable FROM crm.people GROUP BY country_code",
		"  - {name: country_code, type: varchar}\n  - {name: first_name, type: varchar}\n"+
			"  - {name: reachable, type: bigint, classification: internal, declassification: {rule: counts, justification: a count per country identifies no one}}\n"))
	writeFile(t, filepath.Join(mesh, "mkt", "doubled.yaml"), sqlDescriptor("mkt", "doubled", "snapshot",
		"SELECT country_code, rate * 2 AS doubled FROM web.rates", "  - {name: country_code, type: varchar}\n  - {name: doubled, type: bigint}\n"))
	// An aggregate over an aggregate, in another domain.
	writeFile(t, filepath.Join(mesh, "mkt", "top.yaml"), sqlDescriptor("mkt", "top", "live",
		"SELECT max(revenue) AS top FROM sales.revenue", "  - {name: top, type: \"decimal(38,2)\"}\n"))
	// The sales domain has no grant on crm.people.
	writeFile(t, filepath.Join(mesh, "sales", "blocked.yaml"), sqlDescriptor("sales", "blocked", "live",
		"SELECT count(*) AS n FROM crm.people", "  - {name: n, type: bigint}\n"))
	rig.fedServer = startFedGatewayAs(t, mesh, aggPolicy(declassifications), aggUsers, nil)
	return rig
}

func sqlCode(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

func TestAggregateDefinerRights(t *testing.T) {
	s := startAggGateway(t, aggDeclassification)
	carol, dave, twin := s.connectAs(t, "carol", ""), s.connectAs(t, "dave", ""), s.connectAs(t, "twin", "")

	// The differential oracle: dave (no policy on the aggregate's columns)
	// reads what the sales domain's identity computes by hand over its
	// views of the inputs (twin has that identity's groups and attributes).
	got := textRows(t, dave, "SELECT * FROM sales.revenue ORDER BY country_code")
	want := textRows(t, twin, revenueSQL+" ORDER BY 1")
	if len(got) == 0 || !reflect.DeepEqual(got, want) {
		t.Fatalf("aggregate vs the same SQL over the definer's views:\n got  %v\n want %v", got, want)
	}
	for _, r := range got {
		switch r[0] {
		case "DE", "ES", "FR", "GB":
		default:
			t.Errorf("row %v: the definer's row filter (EU only, read with the domain's identity) did not apply", r)
		}
	}
	// An aggregate over it (mkt's rights on sales.revenue, whose own
	// definer is sales) sees the same rows.
	top := "0"
	for _, r := range got {
		if a, b := r[3], top; len(a) > len(b) || (len(a) == len(b) && a > b) {
			top = a
		}
	}
	if rows := textRows(t, carol, "SELECT top FROM mkt.top"); rows[0][0] != top {
		t.Errorf("mkt.top = %s, want %s (the largest revenue of sales.revenue)", rows[0][0], top)
	}
	// carol's own mask applies to the aggregate's column.
	rounded := textRows(t, carol, "SELECT country_code, revenue FROM sales.revenue ORDER BY 1")
	if len(rounded) != len(got) {
		t.Fatalf("carol sees %d rows, dave %d", len(rounded), len(got))
	}
	for i, r := range rounded {
		v, _ := strconv.ParseFloat(got[i][3], 64)
		if w := fmt.Sprintf("%.2f", float64(int64(v/100+0.5))*100); r[1] != w {
			t.Errorf("carol's revenue of %s = %s, want %s (rounded to hundreds by her mask)", r[0], r[1], w)
		}
	}
	// The consumer's WHERE reaches the input's port (DuckDB plans the view
	// into the statement): the Parquet scan of sales.orders filters.
	plan := strings.Join(flatten(textRows(t, dave, "EXPLAIN SELECT * FROM sales.revenue WHERE country_code = 'DE'")), "\n")
	if !regexp.MustCompile(`(?s)READ_PARQUET.*Filters:.*country_code='DE'`).MatchString(plan) {
		t.Errorf("the consumer's filter is not pushed into the input's scan:\n%s", plan)
	}
	if strings.Contains(plan, "mg$") || strings.Contains(plan, ".parquet") {
		t.Errorf("EXPLAIN names internals:\n%s", plan)
	}

	// Attacks: the inputs and the definer's views are out of reach.
	for _, q := range []string{
		"SELECT * FROM sales.orders",
		"SELECT * FROM geo.countries_v1",
		"SELECT * FROM crm.people",
		`SELECT * FROM "mg$def_sales".sales.orders`,
		`SELECT * FROM "mg$def_sales".geo.countries`,
		`SELECT * FROM "mg$def_sales"."geo"."countries"`,
		"SELECT * FROM memory.ports.sales__revenue",
		"SELECT * FROM memory.ports.sales__orders",
		"SELECT * FROM query('SELECT * FROM sales.orders')",
		`SELECT * FROM query_table('"mg$def_sales".sales.orders')`,
		"SELECT count(*) FROM sales.revenue WHERE EXISTS (SELECT 1 FROM sales.orders)",
		"WITH x AS (SELECT * FROM sales.orders) SELECT * FROM sales.revenue, x",
		`SELECT "mg$def_sales".main.mg_current_user()`,
	} {
		_, err := textRowsErr(ctxT(t), carol, q)
		if code := sqlCode(err); code != "42501" && code != "42P01" {
			t.Errorf("%s: want 42501 or 42P01, got %v", q, err)
		}
	}
	// SET search_path cannot reach the definer catalog either.
	_, err := textRowsErr(ctxT(t), carol, `SET search_path TO "mg$def_sales", sales; SELECT * FROM orders`)
	if code := sqlCode(err); code != "42501" && code != "42P01" {
		t.Errorf("search path into the definer catalog: %v", err)
	}
}

func TestAggregateClassification(t *testing.T) {
	s := startAggGateway(t, aggDeclassification)
	carol := s.connectAs(t, "carol", "")
	want := map[string]int{}
	for i := 1; i <= 40; i++ {
		want[fedCountries[i%len(fedCountries)][0]]++
	}
	rows := textRows(t, carol, "SELECT country_code, first_name, reachable FROM mkt.reach ORDER BY 1")
	if len(rows) != len(want) {
		t.Fatalf("rows %v", rows)
	}
	for _, r := range rows {
		// first_name is min(name) of pii names: pii, redacted for carol.
		if !regexp.MustCompile(`^Xxxxxx 0+$`).MatchString(r[1]) {
			t.Errorf("%s: first_name %q is not redacted (pii propagates)", r[0], r[1])
		}
		// reachable is declassified by the counts rule: the real count.
		if r[2] != strconv.Itoa(want[r[0]]) {
			t.Errorf("%s: reachable = %s, want %d", r[0], r[2], want[r[0]])
		}
	}
}

func TestAggregateDeclassificationNotAllowed(t *testing.T) {
	s := startAggGateway(t, "")
	carol := s.connectAs(t, "carol", "")
	for _, r := range textRows(t, carol, "SELECT country_code, reachable FROM mkt.reach") {
		if r[1] != "0" {
			t.Errorf("%s: reachable = %s; without a rule allowing the declassification it stays pii (redacted to 0)", r[0], r[1])
		}
	}
}

func TestAggregateUnreachable(t *testing.T) {
	s := startAggGateway(t, aggDeclassification)
	carol := s.connectAs(t, "carol", "")
	_, err := textRowsErr(ctxT(t), carol, "SELECT * FROM sales.blocked")
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "55000" || !strings.Contains(pe.Message, "product sales.blocked is unreachable: domain sales may not read its input crm.people") {
		t.Fatalf("want 55000 naming the reason, got %v", err)
	}
	if st := s.gw.Health(catalog.Address{Domain: "sales", Name: "blocked"}); st.State != "unreachable" {
		t.Errorf("health = %v", st)
	}
	if rows := textRows(t, carol, "SELECT count(*) FROM sales.revenue"); rows[0][0] == "0" {
		t.Errorf("other aggregates must keep working")
	}
}

func TestAggregateSnapshotFollowsInput(t *testing.T) {
	s := startAggGateway(t, aggDeclassification)
	carol := s.connectAs(t, "carol", "")
	read := func() string {
		rows := textRows(t, carol, "SELECT doubled FROM mkt.doubled WHERE country_code = 'DE'")
		if len(rows) != 1 {
			return fmt.Sprint(rows)
		}
		return rows[0][0]
	}
	deadline := time.Now().Add(10 * time.Second)
	for read() != "6" && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if got := read(); got != "6" {
		t.Fatalf("first snapshot: doubled = %s, want 6", got)
	}
	// The input changes; its snapshot refreshes; the aggregate's follows
	// (its own refresh is hourly).
	s.rate.Store(21)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.snaps.Refresh(ctx, catalog.Address{Domain: "web", Name: "rates"}); err != nil {
		t.Fatal(err)
	}
	for read() != "42" && ctx.Err() == nil {
		time.Sleep(50 * time.Millisecond)
	}
	if got := read(); got != "42" {
		t.Errorf("after the input's refresh: doubled = %s, want 42", got)
	}
}

func flatten(rows [][]string) []string {
	var out []string
	for _, r := range rows {
		out = append(out, r...)
	}
	return out
}

// TestAggregateUsage: meshgate.usage counts the reads of a product,
// including those through a product derived from it, for the stewards of
// its domain only.
func TestAggregateUsage(t *testing.T) {
	s := startAggGateway(t, aggDeclassification)
	alog, err := audit.Open(filepath.Join(t.TempDir(), "audit.jsonl"), 1<<20, 1, gateway.AuditSink(s.eng), 20*time.Millisecond, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { alog.Close() })
	s.gw.SetAudit(alog)
	dave := s.connectAs(t, "dave", "application_name=dash")
	carol, stew := s.connectAs(t, "carol", ""), s.connectAs(t, "stew", "")
	textRows(t, dave, "SELECT * FROM sales.revenue")
	textRows(t, dave, "SELECT count(*) FROM sales.revenue")
	textRows(t, carol, "SELECT * FROM mkt.reach")
	if _, err := textRowsErr(ctxT(t), carol, "SELECT * FROM sales.orders"); err == nil {
		t.Fatal("carol read sales.orders")
	}
	alog.Flush()
	want := [][]string{
		{"crm.people", "1", "1", "{mkt.reach}", "{}"},
		{"sales.orders", "2", "1", "{sales.revenue}", "{dash}"},
		{"sales.revenue", "2", "1", "{}", "{dash}"},
	}
	var rows [][]string
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) && !reflect.DeepEqual(rows, want) {
		rows = textRows(t, stew, "SELECT product, statements, readers, consuming_products, applications FROM meshgate.usage ORDER BY product")
		time.Sleep(20 * time.Millisecond)
	}
	// geo.countries (read through sales.revenue) and mkt.reach are in
	// other domains: not stew's.
	if !reflect.DeepEqual(rows, want) {
		t.Errorf("meshgate.usage for the steward of sales and crm:\n got  %v\n want %v", rows, want)
	}
	if _, err := textRowsErr(ctxT(t), carol, "SELECT * FROM meshgate.usage"); sqlCode(err) != "42501" {
		t.Errorf("carol reads meshgate.usage: %v", err)
	}
}

// An answer over a product defined in SQL is never served from the result
// cache: its key holds no data version of the aggregate's inputs, so a
// cached answer could outlive a change of an input's files.
func TestAggregateNotCached(t *testing.T) {
	s := startGateway(t)
	c := s.connectAs(t, "analyst", "")
	const q = "SELECT country_code, revenue FROM sales.revenue_by_country ORDER BY country_code"
	first := textRows(t, c, q)
	if len(first) == 0 {
		t.Fatal("sales.revenue_by_country has no rows")
	}
	if again := textRows(t, c, q); fmt.Sprint(again) != fmt.Sprint(first) {
		t.Fatalf("the second answer differs: %v, first %v", again, first)
	}
	plan := textRows(t, c, "EXPLAIN "+q)
	verdict := fmt.Sprint(plan[len(plan)-1])
	if !strings.Contains(verdict, "Result cache: not used (it reads sales.revenue_by_country, a product defined in SQL") {
		t.Errorf("EXPLAIN's result cache verdict after two runs: %s", verdict)
	}
}
