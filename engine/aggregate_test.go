package engine_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/meshgate/meshgate/engine"
	"github.com/meshgate/meshgate/planner/catalog"
)

// aggMesh writes a mesh with two file products, sales.orders (Parquet-free:
// CSV) and geo.countries, plus the extra descriptors (path relative to the
// mesh → text), and returns its directory.
func aggMesh(t *testing.T, extra map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"sales/data/orders.csv": "order_id,country_code,amount,status\n1,DE,10.50,paid\n2,DE,4.50,cancelled\n3,FR,7.00,paid\n4,US,1.25,paid\n",
		"sales/orders.yaml": `apiVersion: meshgate/v1
kind: DataProduct
id: sales.orders
domain: sales
name: orders
version: 1.2.0
status: active
type: source-aligned
description: Orders.
owner: {team: Sales, contact: s@example.com}
outputPorts:
  - {name: files, type: csv, location: data/orders.csv}
schema:
  - {name: order_id, type: bigint, classification: public}
  - {name: country_code, type: varchar, classification: public}
  - {name: amount, type: "decimal(12,2)", classification: confidential}
  - {name: status, type: varchar}
`,
		"geo/data/countries.csv": "country_code,name,contact\nDE,Germany,a@de\nFR,France,b@fr\nUS,United States,c@us\n",
		"geo/countries.yaml": `apiVersion: meshgate/v1
kind: DataProduct
id: geo.countries
domain: geo
name: countries
version: 1.0.0
status: active
type: source-aligned
description: Countries.
owner: {team: Geo, contact: g@example.com}
outputPorts:
  - {name: files, type: csv, location: data/countries.csv}
schema:
  - {name: country_code, type: varchar, classification: public}
  - {name: name, type: varchar, classification: public}
  - {name: contact, type: varchar, classification: pii}
`,
	}
	for k, v := range extra {
		files[k] = v
	}
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// sqlProduct is the descriptor of a sql port product d.n with the query
// (indented as a block) and the schema lines.
func sqlProduct(d, n, mode, query, schema string) string {
	return fmt.Sprintf(`apiVersion: meshgate/v1
kind: DataProduct
id: %[1]s.%[2]s
domain: %[1]s
name: %[2]s
version: 1.0.0
status: active
type: aggregate
description: Derived.
owner: {team: T, contact: t@example.com}
outputPorts:
  - name: query
    type: sql
    options: {mode: %[3]s}
    query: |
      %[4]s
schema:
%[5]s`, d, n, mode, strings.ReplaceAll(query, "\n", "\n      "), schema)
}

// openMesh loads and opens a mesh, returning the engine and every problem
// (loader and engine) as "file:line: message" with the mesh directory cut.
func openMesh(t *testing.T, dir string) (*engine.Engine, []string) {
	t.Helper()
	mesh, problems := catalog.Load(dir)
	e, portProblems, err := engine.Open(context.Background(), mesh, engine.Config{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Close)
	var out []string
	for _, p := range append(problems, portProblems...) {
		out = append(out, strings.TrimPrefix(p.String(), dir+"/"))
	}
	return e, out
}

const revenueSchema = `  - {name: country, type: varchar}
  - {name: orders, type: bigint}
  - {name: revenue, type: "decimal(38,2)"}
`

const revenueQuery = `SELECT c.name AS country, count(*) AS orders, sum(o.amount) AS revenue
FROM sales.orders o JOIN geo.countries_v1 c ON c.country_code = o.country_code
WHERE o.status <> 'cancelled'
GROUP BY c.name`

func TestSQLPortLoads(t *testing.T) {
	dir := aggMesh(t, map[string]string{"sales/revenue.yaml": sqlProduct("sales", "revenue", "live", revenueQuery, revenueSchema)})
	e, problems := openMesh(t, dir)
	if len(problems) > 0 {
		t.Fatalf("problems: %v", problems)
	}
	a := catalog.Address{Domain: "sales", Name: "revenue"}
	if got := e.AggregateInputs(a); !slices.Equal(got, []catalog.Address{{Domain: "geo", Name: "countries"}, {Domain: "sales", Name: "orders"}}) {
		t.Errorf("inputs = %v", got)
	}
	// Classification: revenue is derived from a confidential column, orders
	// from none (count(*)), country from a public one.
	p := e.Product(a)
	for name, want := range map[string]string{"country": "public", "orders": "internal", "revenue": "confidential"} {
		if got := p.Column(name).Classification; got != want {
			t.Errorf("classification of %s = %s, want %s", name, got, want)
		}
	}
	var got []string
	for _, r := range e.Lineage() {
		got = append(got, fmt.Sprintf("%s.%s→%s.%s:%s", r.From, r.FromColumn, r.To, r.ToColumn, r.Transformation))
	}
	want := []string{
		"geo.countries.country_code→sales.revenue.:join",
		"sales.orders.country_code→sales.revenue.:join",
		"sales.orders.status→sales.revenue.:filter",
		"geo.countries.name→sales.revenue.country:identity",
		"sales.orders.amount→sales.revenue.revenue:aggregate",
	}
	if !slices.Equal(got, want) {
		t.Errorf("lineage\n got %v\nwant %v", got, want)
	}
}

func TestSQLPortLineageKinds(t *testing.T) {
	q := `WITH paid AS (SELECT * FROM sales.orders WHERE status = 'paid')
SELECT upper(country_code) AS code, amount, amount * 2 AS doubled, max(amount) OVER (PARTITION BY country_code) AS top
FROM paid`
	schema := `  - {name: code, type: varchar}
  - {name: amount, type: "decimal(12,2)"}
  - {name: doubled, type: "decimal(18,2)"}
  - {name: top, type: "decimal(12,2)"}
`
	dir := aggMesh(t, map[string]string{"sales/paid.yaml": sqlProduct("sales", "paid", "live", q, schema)})
	e, problems := openMesh(t, dir)
	if len(problems) > 0 {
		t.Fatalf("problems: %v", problems)
	}
	kinds := map[string]string{}
	for _, r := range e.Lineage() {
		kinds[r.FromColumn+"→"+r.ToColumn] = r.Transformation
	}
	for k, want := range map[string]string{
		"country_code→code": "expression", "amount→amount": "identity", "amount→doubled": "expression",
		"amount→top": "aggregate", "country_code→top": "aggregate", "status→": "filter",
	} {
		if kinds[k] != want {
			t.Errorf("%s: %q, want %q (all: %v)", k, kinds[k], want, kinds)
		}
	}
}

// TestSQLPortProblems: what a sql port may not do is refused at load with
// the file and line of the query (or of the column).
func TestSQLPortProblems(t *testing.T) {
	one := "  - {name: n, type: bigint}\n"
	queryLine := 16 // the first line of the query block in sqlProduct
	cases := []struct {
		name, query, schema, want string
		line                      int
	}{
		{"write", "INSERT INTO sales.orders VALUES (1, 'DE', 1, 'x')", one, "only queries", queryLine},
		{"delete", "DELETE FROM sales.orders", one, "only queries", queryLine},
		{"table_function", "SELECT count(*) AS n FROM read_csv('/etc/passwd')", one, "table function read_csv is not allowed", queryLine},
		{"file_read", "SELECT count(*) AS n FROM '/etc/passwd'", one, "reading files by name is not allowed", queryLine},
		{"internal_schema", "SELECT count(*) AS n FROM memory.ports.sales__orders", one, "without a catalog", queryLine},
		{"ports_schema", "SELECT count(*) AS n FROM ports.sales__orders", one, "internal to meshgate", queryLine},
		{"meshgate_product", "SELECT count(*) AS n FROM meshgate.audit", one, "one of meshgate's own products", queryLine},
		{"client_catalog", "SELECT count(*) AS n FROM pg_catalog.pg_class", one, "not a data product", queryLine},
		{"unqualified", "SELECT count(*) AS n FROM orders", one, "does not exist", queryLine},
		{"unknown_input", "SELECT count(*) AS n FROM sales.nope", one, "input sales.nope is not a product of the mesh", queryLine},
		{"pinned_wrong_major", "SELECT count(*) AS n FROM sales.orders_v2", one, "pinned to major version 2, but sales.orders is at version 1.2.0", queryLine},
		{"no_input", "SELECT 1::BIGINT AS n", one, "reads no product", queryLine},
		{"two_statements", "SELECT 1 AS n FROM sales.orders; SELECT 2 AS n FROM sales.orders", one, "exactly one statement", queryLine},
		{"name_differs", "SELECT count(*) AS m FROM sales.orders", one, "column 1 is declared n but the query of port query returns m there", 18},
		{"type_differs", "SELECT count(*)::INTEGER AS n FROM sales.orders", one, "column n is declared BIGINT but the query of port query returns INTEGER", 18},
		{"extra_column", "SELECT count(*) AS n, 1 AS x FROM sales.orders", one, "returns column x (INTEGER, position 2), which is not declared", queryLine},
		{"missing_column", "SELECT count(*) AS n FROM sales.orders", one + "  - {name: m, type: bigint}\n", "returns only 1 columns", 19},
		{"order_differs", "SELECT count(*) AS n, sum(order_id) AS s FROM sales.orders", "  - {name: s, type: hugeint}\n" + one, "column 1 is declared s but the query of port query returns n there", 18},
		{"unknown_column", "SELECT count(o.nope) AS n FROM sales.orders o", one, "the query of port query does not bind", queryLine},
		{"pii_lowered", "SELECT contact AS n FROM geo.countries", "  - {name: n, type: varchar, classification: internal}\n", "column n is classified internal but is derived from geo.countries.contact, classified pii", 18},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := aggMesh(t, map[string]string{"sales/derived.yaml": sqlProduct("sales", "derived", "live", tc.query, tc.schema)})
			e, problems := openMesh(t, dir)
			want := fmt.Sprintf("sales/derived.yaml:%d: ", tc.line)
			found := false
			for _, p := range problems {
				found = found || (strings.HasPrefix(p, want) && strings.Contains(p, tc.want))
			}
			if !found {
				t.Errorf("want a problem %s…%s, got %v", want, tc.want, problems)
			}
			for _, p := range problems {
				if strings.Contains(p, "mg$") {
					t.Errorf("problem names engine internals: %s", p)
				}
			}
			if e.Product(catalog.Address{Domain: "sales", Name: "derived"}) != nil {
				t.Errorf("the product is served despite its problem")
			}
			if e.Product(catalog.Address{Domain: "sales", Name: "orders"}) == nil {
				t.Errorf("sales.orders is not served: one bad product must not take others down")
			}
		})
	}
}

func TestSQLPortCycle(t *testing.T) {
	schema := "  - {name: n, type: bigint}\n"
	dir := aggMesh(t, map[string]string{
		"sales/a.yaml": sqlProduct("sales", "a", "live", "SELECT count(*) AS n FROM sales.b", schema),
		"sales/b.yaml": sqlProduct("sales", "b", "live", "SELECT count(*) AS n FROM geo.c", schema),
		"geo/c.yaml":   sqlProduct("geo", "c", "live", "SELECT count(*) AS n FROM sales.a JOIN sales.orders ON true", schema),
		"geo/ok.yaml":  sqlProduct("geo", "ok", "live", "SELECT count(*) AS n FROM sales.orders", schema),
	})
	e, problems := openMesh(t, dir)
	for _, f := range []string{"sales/a.yaml", "sales/b.yaml", "geo/c.yaml"} {
		found := false
		for _, p := range problems {
			found = found || (strings.HasPrefix(p, f+":16: ") && strings.Contains(p, "forms a cycle of products: geo.c → sales.a → sales.b → geo.c"))
		}
		if !found {
			t.Errorf("%s: no cycle problem naming the chain: %v", f, problems)
		}
	}
	if e.Product(catalog.Address{Domain: "geo", Name: "ok"}) == nil {
		t.Errorf("geo.ok (not on the cycle) is not served: %v", problems)
	}
}

// TestSQLPortUnreachableInput: an input whose port fails leaves the
// aggregate served but unreachable, with the reason; the others work.
func TestSQLPortUnreachableInput(t *testing.T) {
	dir := aggMesh(t, map[string]string{
		"sales/revenue.yaml": sqlProduct("sales", "revenue", "live", revenueQuery, revenueSchema),
		// geo.countries drifts: its file lost the contact column.
		"geo/data/countries.csv": "country_code,name\nDE,Germany\n",
	})
	e, problems := openMesh(t, dir)
	if len(problems) != 1 || !strings.HasPrefix(problems[0], "geo/countries.yaml:") {
		t.Fatalf("want geo.countries's port problem only, got %v", problems)
	}
	a := catalog.Address{Domain: "sales", Name: "revenue"}
	if e.Product(a) == nil {
		t.Fatalf("the aggregate is not served: %v", problems)
	}
	if got := e.Unreachable(a); !strings.Contains(got, "its input geo.countries is not served") {
		t.Errorf("unreachable = %q", got)
	}
	if e.Product(catalog.Address{Domain: "sales", Name: "orders"}) == nil || e.Unreachable(catalog.Address{Domain: "sales", Name: "orders"}) != "" {
		t.Errorf("sales.orders must keep working")
	}
}

// TestSQLPortLoaderProblems: the descriptor's own mistakes, from the strict
// loader (meshgate validate).
func TestSQLPortLoaderProblems(t *testing.T) {
	base := sqlProduct("sales", "derived", "live", "SELECT count(*) AS n FROM sales.orders", "  - {name: n, type: bigint}\n")
	cases := map[string]struct{ edit [2]string }{
		`"port \"query\".query" is missing`:               {[2]string{"    query: |\n      SELECT count(*) AS n FROM sales.orders\n", ""}},
		"takes no location":                               {[2]string{"    type: sql\n", "    type: sql\n    location: data/orders.csv\n"}},
		`option mode of port "query" is "often"`:          {[2]string{"mode: live", "mode: often"}},
		"option refresh applies only with mode: snapshot": {[2]string{"mode: live", "mode: live, refresh: 5m"}},
		"has a declassification but no classification":    {[2]string{"type: bigint}", "type: bigint, declassification: {rule: r, justification: j}}"}},
	}
	for want, tc := range cases {
		t.Run(want, func(t *testing.T) {
			text := strings.Replace(base, tc.edit[0], tc.edit[1], 1)
			if text == base {
				t.Fatalf("edit %q does not apply", tc.edit[0])
			}
			dir := aggMesh(t, map[string]string{"sales/derived.yaml": text})
			_, problems := catalog.Load(dir)
			found := false
			for _, p := range problems {
				found = found || strings.Contains(p.String(), want)
			}
			if !found {
				t.Errorf("want %q, got %v", want, problems)
			}
		})
	}
}
