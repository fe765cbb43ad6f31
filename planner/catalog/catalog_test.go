package catalog_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/meshgate/meshgate/planner/catalog"
)

const (
	meshDir   = "../../testdata/mesh"
	brokenDir = "../../testdata/broken"
	meshSQL   = "../../testdata/gen/mesh.sql"
)

func openDB(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// demoMesh copies the committed demo mesh to a temporary directory and
// generates its binary files there with testdata/gen/mesh.sql, as
// `go run ./testdata/gen -mesh` does. It returns the directory.
func demoMesh(t *testing.T) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.WalkDir(meshDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(meshDir, path)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		if ext := filepath.Ext(path); ext == ".parquet" || ext == ".duckdb" || ext == ".wal" || ext == ".tmp" {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	script, err := os.ReadFile(meshSQL)
	if err != nil {
		t.Fatal(err)
	}
	db := openDB(t)
	if _, err := db.Exec(strings.ReplaceAll(string(script), "{{mesh}}", strings.ReplaceAll(dst, "'", "''"))); err != nil {
		t.Fatalf("mesh.sql: %v", err)
	}
	for _, f := range []string{"sales/data/orders.parquet", "supply/data/inventory.parquet", "supply/data/suppliers.duckdb"} {
		if err := os.Rename(filepath.Join(dst, f+".tmp"), filepath.Join(dst, f)); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

func TestDemoMesh(t *testing.T) {
	dir := demoMesh(t)
	m, problems := catalog.Load(dir)
	for _, p := range problems {
		t.Errorf("problem: %s", p)
	}
	var addrs []string
	for _, p := range m.Products {
		addrs = append(addrs, p.Address.String())
	}
	want := []string{"geo.countries", "geo.regions", "marketing.country_reach", "sales.customers", "sales.orders", "sales.revenue_by_country", "supply.inventory", "supply.shipments", "supply.suppliers"}
	if !reflect.DeepEqual(addrs, want) {
		t.Fatalf("products = %v, want %v", addrs, want)
	}
	if got := m.Domains(); !reflect.DeepEqual(got, []string{"geo", "marketing", "sales", "supply"}) {
		t.Errorf("Domains() = %v", got)
	}
	kinds := map[string]bool{}
	ctx := context.Background()
	db := openDB(t)
	for _, p := range m.Products {
		for i := range p.Ports {
			port := &p.Ports[i]
			kinds[port.Type] = true
			if port.Type == "sql" {
				continue // its schema is its query's (engine tests)
			}
			if !filepath.IsAbs(port.Location) {
				t.Errorf("%s: port location %q is not absolute", p.Address, port.Location)
			}
			actual, err := catalog.PortSchema(ctx, db, port)
			if err != nil {
				t.Errorf("%s: PortSchema: %v", p.Address, err)
				continue
			}
			for _, pr := range catalog.CompareSchema(p, port, actual) {
				t.Errorf("drift: %s", pr)
			}
			// The data must also read with the declared types.
			from := ""
			if port.Type == "duckdb" {
				if _, err := db.Exec(fmt.Sprintf("ATTACH '%s' AS chk (READ_ONLY)", port.Location)); err != nil {
					t.Fatal(err)
				}
				s, tb := port.DuckDBTable()
				from = "chk." + s + "." + tb
			} else if from, err = catalog.ScanSQL(p, port); err != nil {
				t.Fatal(err)
			}
			var n int64
			if err := db.QueryRow("SELECT count(*) FROM (SELECT * FROM " + from + ")").Scan(&n); err != nil || n == 0 {
				t.Errorf("%s: reading with declared types: n=%d err=%v", p.Address, n, err)
			}
			for _, c := range p.Columns {
				if !c.Required {
					continue
				}
				var nulls int64
				if err := db.QueryRow(fmt.Sprintf("SELECT count(*) FROM %s WHERE %s IS NULL", from, c.Name)).Scan(&nulls); err != nil || nulls != 0 {
					t.Errorf("%s: required column %s has %d NULLs (err %v)", p.Address, c.Name, nulls, err)
				}
			}
			if port.Type == "duckdb" {
				db.Exec("DETACH chk")
			}
		}
	}
	for _, k := range []string{"parquet", "csv", "json", "duckdb"} {
		if !kinds[k] {
			t.Errorf("the demo mesh has no %s port", k)
		}
	}

	// Referential integrity, so joins across domains are meaningful.
	scan := func(domain, name string) string {
		p := m.Product(domain, name)
		s, err := catalog.ScanSQL(p, &p.Ports[0])
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	orders, customers, countries, regions, shipments := scan("sales", "orders"), scan("sales", "customers"), scan("geo", "countries"), scan("geo", "regions"), scan("supply", "shipments")
	for name, q := range map[string]string{
		"orders":                       "SELECT count(*) - 2000 FROM " + orders,
		"orders without a country":     "SELECT count(*) FROM " + orders + " o ANTI JOIN " + countries + " c USING (country_code)",
		"orders without a customer":    "SELECT count(*) FROM " + orders + " o ANTI JOIN " + customers + " c USING (customer_id)",
		"orders before signup":         "SELECT count(*) FROM " + orders + " o JOIN " + customers + " c USING (customer_id) WHERE o.order_date < c.signup_date OR o.country_code <> c.country_code",
		"countries without a region":   "SELECT count(*) FROM " + countries + " c ANTI JOIN " + regions + " r USING (region_code)",
		"shipments without an order":   "SELECT count(*) FROM " + shipments + " s ANTI JOIN " + orders + " o USING (order_id)",
		"duplicate order ids":          "SELECT count(*) - count(DISTINCT order_id) FROM " + orders,
		"shipments before their order": "SELECT count(*) FROM " + shipments + " s JOIN " + orders + " o USING (order_id) WHERE s.shipped_at <= o.created_at",
	} {
		var n int64
		if err := db.QueryRow(q).Scan(&n); err != nil || n != 0 {
			t.Errorf("%s: %d (err %v)", name, n, err)
		}
	}
	var countriesWithSales int
	var total float64
	if err := db.QueryRow("SELECT count(*), sum(s)::DOUBLE FROM (SELECT c.name, sum(o.amount) AS s FROM "+orders+" o JOIN "+countries+" c USING (country_code) GROUP BY 1)").Scan(&countriesWithSales, &total); err != nil {
		t.Fatal(err)
	}
	if countriesWithSales < 10 || total < 100000 {
		t.Errorf("sales by country: %d countries, total %.2f", countriesWithSales, total)
	}
}

// The committed csv and json files must be exactly what the generator
// writes: deterministic, and not edited by hand.
func TestDemoTextFilesUpToDate(t *testing.T) {
	dir := demoMesh(t)
	for _, f := range []string{"geo/data/countries.csv", "geo/data/regions.json", "sales/data/customers.csv", "supply/data/shipments.json"} {
		want, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Join(meshDir, f))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("testdata/mesh/%s differs from what testdata/gen writes; run go run -tags duckdb_arrow ./testdata/gen -mesh testdata/mesh", f)
		}
	}
}

func TestBrokenDescriptors(t *testing.T) {
	type want struct {
		file string // relative to the case's mesh dir
		line int
		msg  string // substring of the message
	}
	cases := map[string][]want{
		"valid":         nil,
		"unknown_key":   {{"sales/orders.yaml", 10, `unknown key "onwer" in the descriptor; did you mean "owner"?`}},
		"missing_field": {{"sales/orders.yaml", 1, `required key "version" is missing`}},
		"wrong_type": {
			{"sales/orders.yaml", 6, `version must be text, not a number (1.4) (write a semantic version in quotes, e.g. "1.4.0")`},
			{"sales/orders.yaml", 11, `tags must be a list, such as [a, b], not the text "orders"`},
			{"sales/orders.yaml", 19, `required of column "order_id" must be true or false, not the text "yes"`},
		},
		// The sql rules of orders are checked by the engine (meshgate validate).
		"bad_quality": {
			{"sales/returns.yaml", 19, `quality rule 1 of column "order_id": metric "uniqueValues" is not one of nullValues`},
			{"sales/returns.yaml", 25, `quality rule 1 of column "amount": mustBe must be a number, not the text "none"`},
		},
		"bad_semver": {{"sales/orders.yaml", 6, `version "v1.0" is not a semantic version; write MAJOR.MINOR.PATCH, e.g. "1.4.0"`}},
		"bad_enum": {
			{"sales/orders.yaml", 7, `status "actve" is not one of proposed, active, deprecated, retired; did you mean "active"?`},
			{"sales/orders.yaml", 21, `classification "secret" of column "amount" is not one of public, internal, confidential, pii`},
		},
		"bad_address": {
			{"sales/orders.yaml", 3, `id is "sales.order" but the descriptor is sales/orders.yaml, so the id must be "sales.orders"`},
			{"sales/orders.yaml", 4, `domain is "sale" but the descriptor is in the folder "sales"; the domain must match its folder`},
		},
		"bad_name": {
			{"sales/orders.yaml", 16, `column name "order" is a reserved SQL word and would need quoting`},
			{"sales/orders.yaml", 19, `column name "Order-Total" is not a valid name: use only lowercase letters, digits and underscores, not starting with a digit (use "order_total")`},
		},
		"duplicate_address": {
			{"sales/orders.yaml", 1, `product sales.orders is also defined in ` + filepath.Join(brokenDir, "duplicate_address", "sales", "orders.yml")},
			{"sales/orders.yml", 1, `product sales.orders is also defined in ` + filepath.Join(brokenDir, "duplicate_address", "sales", "orders.yaml")},
		},
		"duplicate_column": {{"sales/orders.yaml", 19, `column "order_id" is declared twice (first on line 16)`}},
		"unknown_type":     {{"sales/orders.yaml", 20, `column "amount": "strng" is not a known SQL type; did you mean "string"?`}},
		"location_outside": {{"sales/orders.yaml", 14, `location "../../../mesh/geo/data/countries.csv" of port "files" points outside the mesh directory`}},
		"location_missing": {{"sales/orders.yaml", 14, `location "data/order.csv" of port "files" does not exist`}},
		"duckdb_no_table":  {{"sales/orders.yaml", 12, `port "files" is a duckdb port and needs options.table, the table to serve`}},
		"port_unsupported": {{"sales/orders.yaml", 13, `port type "kafka" is not one of parquet, csv, json, duckdb, postgres, http, gateway`}},
		"yaml_syntax":      {{"sales/orders.yaml", 9, `the file is not valid YAML: mapping values are not allowed in this context`}},
		"empty":            {{"sales/orders.yaml", 1, `the descriptor is empty`}},
		"bad_option": {
			{"sales/orders.yaml", 15, `unknown option "delimeter" for the csv port "files"; did you mean "delimiter"?`},
			{"sales/orders.yaml", 15, `option header of port "files" must be true or false, not the text "maybe"`},
		},
	}
	entries, err := os.ReadDir(brokenDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if _, ok := cases[e.Name()]; !ok {
			t.Errorf("testdata/broken/%s has no test case", e.Name())
		}
	}
	for name, wants := range cases {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(brokenDir, name)
			m, problems := catalog.Load(dir)
			if m == nil {
				t.Fatal("Load returned no mesh")
			}
			if len(problems) != len(wants) {
				t.Errorf("got %d problems, want %d:", len(problems), len(wants))
				for _, p := range problems {
					t.Logf("  %s", p)
				}
			}
			for i, w := range wants {
				if i >= len(problems) {
					break
				}
				p := problems[i]
				if p.File != filepath.Join(dir, w.file) || p.Line != w.line || !strings.Contains(p.Message, w.msg) {
					t.Errorf("problem %d = %s\nwant %s:%d: …%s…", i, p, filepath.Join(dir, w.file), w.line, w.msg)
				}
				if !strings.HasPrefix(p.String(), fmt.Sprintf("%s:%d: ", p.File, p.Line)) {
					t.Errorf("String() = %q", p.String())
				}
			}
			switch {
			case name == "bad_quality":
				// Only sales.orders loads: its sql rules fail in the engine.
				if len(m.Products) != 1 || m.Products[0].Address.String() != "sales.orders" {
					t.Errorf("bad_quality kept %d products", len(m.Products))
				}
			case len(wants) > 0 && len(m.Products) != 0:
				t.Errorf("a broken product was kept: %v", m.Products[0].Address)
			}
			if len(wants) == 0 && len(m.Products) != 1 {
				t.Errorf("the valid product was not loaded")
			}
		})
	}
}

func TestCompareSchemaDrift(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "sales", "data"), 0o755); err != nil {
		t.Fatal(err)
	}
	desc, err := os.ReadFile(filepath.Join(meshDir, "sales", "orders.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "sales", "orders.yaml"), desc, 0o644); err != nil {
		t.Fatal(err)
	}
	db := openDB(t)
	// amount became a DOUBLE, created_at is gone, a discount column and a
	// differently cased Status column appeared.
	if _, err := db.Exec(fmt.Sprintf(`COPY (SELECT range AS order_id, range %% 7 AS customer_id, 'DE' AS country_code,
		DATE '2024-01-01' AS order_date, range * 1.5::DOUBLE AS amount, 'paid' AS "Status", 0.1 AS discount
		FROM range(10)) TO '%s' (FORMAT parquet)`, filepath.Join(dir, "sales", "data", "orders.parquet"))); err != nil {
		t.Fatal(err)
	}
	m, problems := catalog.Load(dir)
	if len(problems) != 0 {
		t.Fatal(problems)
	}
	p := m.Product("sales", "orders")
	actual, err := catalog.PortSchema(context.Background(), db, &p.Ports[0])
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, pr := range catalog.CompareSchema(p, &p.Ports[0], actual) {
		got = append(got, fmt.Sprintf("%d: %s", pr.Line, pr.Message))
	}
	want := []string{
		"37: column amount is declared DECIMAL(12,2) but port files holds DOUBLE",
		`49: column status is named "Status" in port files; names must match exactly (rename the column in the data or in the descriptor)`,
		"59: column created_at is declared but port files has no such column",
		"13: port files has a column discount (DECIMAL(2,1)) that the schema does not declare",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("CompareSchema:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestCompareSchemaCSVOrder(t *testing.T) {
	p := &catalog.Product{Address: catalog.Address{Domain: "d", Name: "p"}, File: "d/p.yaml",
		Columns: []catalog.Column{{Name: "a", Type: "INTEGER", Line: 5}, {Name: "b", Type: "UUID", Line: 8}}}
	port := &catalog.Port{Name: "files", Type: "csv", Line: 3}
	got := catalog.CompareSchema(p, port, []catalog.Column{{Name: "b", Type: "VARCHAR"}, {Name: "a", Type: "BIGINT"}})
	if len(got) != 2 || !strings.Contains(got[0].Message, "column a is declared in position 1 but is in position 2 of the csv file") {
		t.Errorf("got %v", got)
	}
	port.Type = "parquet"
	if got := catalog.CompareSchema(p, port, []catalog.Column{{Name: "b", Type: "VARCHAR"}, {Name: "a", Type: "INTEGER"}}); len(got) != 1 ||
		got[0].String() != "d/p.yaml:8: column b is declared UUID but port files holds VARCHAR" {
		t.Errorf("got %v", got)
	}
}

func TestCanonicalType(t *testing.T) {
	for in, want := range map[string]string{
		"bigint": "BIGINT", "int8": "BIGINT", "INT": "INTEGER", "int4": "INTEGER", "smallint": "SMALLINT",
		"hugeint": "HUGEINT", "real": "FLOAT", "float4": "FLOAT", "float8": "DOUBLE", "double precision": "DOUBLE",
		"numeric(12, 2)": "DECIMAL(12,2)", "decimal(10)": "DECIMAL(10,0)", "DECIMAL(12,2)": "DECIMAL(12,2)",
		"text": "VARCHAR", "character varying(20)": "VARCHAR", "varchar": "VARCHAR", "bytea": "BLOB", "blob": "BLOB",
		"date": "DATE", "time": "TIME", "timestamp": "TIMESTAMP", "timestamptz": "TIMESTAMP WITH TIME ZONE",
		"Timestamp  With Time Zone": "TIMESTAMP WITH TIME ZONE", "interval": "INTERVAL", "uuid": "UUID", "json": "JSON",
		"boolean": "BOOLEAN", "bool": "BOOLEAN", "int[]": "INTEGER[]", "text[][]": "VARCHAR[][]", "TIMESTAMP_NS": "TIMESTAMP_NS",
	} {
		got, err := catalog.CanonicalType(in)
		if err != nil || got != want {
			t.Errorf("CanonicalType(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for in, msg := range map[string]string{
		"strng":          `"strng" is not a known SQL type; did you mean "string"?`,
		"decimal(40,2)":  "precision",
		"decimal(4,6)":   "scale",
		"struct(a int)":  "not a known SQL type",
		"":               "empty",
		"map(text,text)": "not a known SQL type",
	} {
		if _, err := catalog.CanonicalType(in); err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("CanonicalType(%q) error = %v, want …%s…", in, err, msg)
		}
	}
}

func TestScanSQL(t *testing.T) {
	p := &catalog.Product{Columns: []catalog.Column{{Name: "id", Type: "BIGINT"}, {Name: "note", Type: "VARCHAR"}}}
	for _, c := range []struct {
		port       catalog.Port
		prod, want string
	}{
		{catalog.Port{Type: "parquet", Location: "/m/it's.parquet"}, "", `read_parquet('/m/it''s.parquet')`},
		{catalog.Port{Type: "csv", Location: "/m/x.csv"}, "", `read_csv('/m/x.csv')`},
		{catalog.Port{Type: "csv", Location: "/m/x.csv", Options: map[string]string{"delimiter": ";", "header": "false"}}, "", `read_csv('/m/x.csv', header=false, delim=';')`},
		{catalog.Port{Type: "csv", Location: "/m/x.csv", Options: map[string]string{"delimiter": ";", "null": "NA"}}, "p",
			`read_csv('/m/x.csv', header=true, delim=';', quote='"', escape='"', nullstr='NA', columns={'id': 'BIGINT', 'note': 'VARCHAR'})`},
		{catalog.Port{Type: "json", Location: "/m/x.json"}, "", `read_json('/m/x.json', format='newline_delimited')`},
		{catalog.Port{Type: "json", Location: "/m/x.json"}, "p", `read_json('/m/x.json', format='newline_delimited', auto_detect=false, columns={'id': 'BIGINT', 'note': 'VARCHAR'})`},
	} {
		var prod *catalog.Product
		if c.prod != "" {
			prod = p
		}
		got, err := catalog.ScanSQL(prod, &c.port)
		if err != nil || got != c.want {
			t.Errorf("ScanSQL(%+v) = %s, %v\nwant %s", c.port, got, err, c.want)
		}
	}
	_, err := catalog.ScanSQL(p, &catalog.Port{Name: "db", Type: "duckdb", Location: "/m/x.duckdb", Options: map[string]string{"table": "t"}})
	if err == nil || !strings.Contains(err.Error(), "the engine attaches it") {
		t.Errorf("duckdb port: %v", err)
	}
	s, tb := catalog.Port{Options: map[string]string{"table": "t"}}.DuckDBTable()
	if s != "main" || tb != "t" {
		t.Errorf("DuckDBTable = %s, %s", s, tb)
	}
}

func TestAddressAndLookup(t *testing.T) {
	a, err := catalog.ParseAddress("sales.orders")
	if err != nil || a.String() != "sales.orders" {
		t.Errorf("ParseAddress = %v, %v", a, err)
	}
	for _, bad := range []string{"sales", "Sales.orders", "sales.select", "sales.or-ders"} {
		if _, err := catalog.ParseAddress(bad); err == nil {
			t.Errorf("ParseAddress(%q) accepted", bad)
		}
	}
	m, _ := catalog.Load(filepath.Join(brokenDir, "valid"))
	if m.Product("sales", "orders") == nil || m.Product("sales", "x") != nil || m.Product("geo", "orders") != nil {
		t.Error("Product lookup")
	}
	if p := m.Product("sales", "orders"); p.MajorVersion() != 1 || p.Column("amount").Type != "DECIMAL(12,2)" || p.Column("order_id").Classification != "internal" || !p.Column("order_id").Required {
		t.Errorf("product = %+v", p)
	}
	if _, problems := catalog.Load(filepath.Join(brokenDir, "does-not-exist")); len(problems) != 1 {
		t.Errorf("missing dir: %v", problems)
	}
}

func TestLocationSymlinkAndFolders(t *testing.T) {
	dir := t.TempDir()
	valid, err := os.ReadFile(filepath.Join(brokenDir, "valid", "sales", "orders.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	outside := t.TempDir()
	os.WriteFile(filepath.Join(outside, "orders.csv"), []byte("order_id,amount\n1,2.5\n"), 0o644)
	os.MkdirAll(filepath.Join(dir, "sales", "data"), 0o755)
	os.WriteFile(filepath.Join(dir, "sales", "orders.yaml"), valid, 0o644)
	if err := os.Symlink(filepath.Join(outside, "orders.csv"), filepath.Join(dir, "sales", "data", "orders.csv")); err != nil {
		t.Skip(err)
	}
	os.MkdirAll(filepath.Join(dir, "Marketing"), 0o755)
	os.WriteFile(filepath.Join(dir, "Marketing", "leads.yaml"), []byte("{}"), 0o644)
	m, problems := catalog.Load(dir)
	if len(m.Products) != 0 || len(problems) < 2 {
		t.Fatalf("products %d, problems %v", len(m.Products), problems)
	}
	var all []string
	for _, p := range problems {
		all = append(all, p.String())
	}
	joined := strings.Join(all, "\n")
	for _, want := range []string{
		`the domain folder "Marketing" is not a valid name`,
		`sales/orders.yaml:14: location "data/orders.csv" of port "files" leads outside the mesh directory through a symbolic link`,
	} {
		if !strings.Contains(joined, want) {
			t.Errorf("problems:\n%s\nwant …%s…", joined, want)
		}
	}
}
