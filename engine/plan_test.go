package engine

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshgate/meshgate/planner/catalog"
	"github.com/meshgate/meshgate/sqlstate"
)

// The guard of plan.go rests on a measured fact: a view's body binds its
// unqualified names through the caller's search path, not the path it
// was created under.
func TestViewBodyBindsThroughCallersPath(t *testing.T) {
	e, _ := testEngine(t)
	s := session(t, e)
	// The product view reads through mg$real when executed…
	p, err := s.Prepare(context.Background(), "", "SELECT count(*) FROM sales.orders")
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	rr, err := p.Query(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, first := collect(t, rr); len(first) != 1 || first[0] != "10000" {
		t.Fatalf("count through the product view = %v, want 10000", first)
	}
	// …and through the empty shadow table when verified.
	c, err := s.acquirePlanner()
	if err != nil {
		t.Fatal(err)
	}
	rows, err := queryStringsOn(c.c, "SELECT CAST(count(*) AS VARCHAR) FROM sales.orders", 1)
	s.release(c)
	if err != nil || len(rows) != 1 || rows[0][0] != "0" {
		t.Fatalf("count on the planning connection = %v, %v; want 0 (the shadow table)", rows, err)
	}
}

func TestPlanNamesWhatIsRead(t *testing.T) {
	e, _ := testEngine(t)
	s := session(t, e)
	p, err := s.Prepare(context.Background(), "", "WITH x AS (SELECT id, amount FROM sales.orders WHERE country = $1) SELECT sum(amount) FROM x")
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	plan := p.Plan()
	if len(plan.Products) != 1 || plan.Products[0] != (catalog.Address{Domain: "sales", Name: "orders"}) {
		t.Fatalf("products = %v", plan.Products)
	}
	if got := strings.Join(plan.Columns, ","); got != "sales.orders.amount,sales.orders.country" {
		t.Fatalf("columns = %s", got)
	}
	q, err := s.Prepare(context.Background(), "", "SELECT 1 + 1, x FROM range(3) r(x) UNION ALL SELECT 2, 3")
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	if len(q.Plan().Products) != 0 {
		t.Fatalf("products of a product-free statement: %v", q.Plan().Products)
	}
}

// What the planner's checks would refuse too: the engine refuses it on its
// own, whatever the text looked like.
func TestPlanRefusesWhatNoProductExplains(t *testing.T) {
	e, mesh := testEngine(t)
	s := session(t, e)
	file := mesh.Products[0].Ports[0].Location
	dir := filepath.Dir(file)
	for _, q := range []string{
		// A forward CTE reference binds to the file (issue 11).
		`WITH a AS (SELECT * FROM "` + file + `"), "` + file + `" AS (SELECT 1) SELECT * FROM a`,
		`WITH RECURSIVE "` + file + `" AS (SELECT * FROM "` + file + `") SELECT * FROM "` + file + `"`,
		`SELECT * FROM "` + file + `"`,
		`SELECT * FROM read_parquet('` + dir + `/*.parquet')`,
		`SELECT * FROM glob('` + dir + `/*')`,
		`SELECT * FROM ` + PortView(catalog.Address{Domain: "sales", Name: "orders"}),
		`SELECT * FROM memory.mg_secret.mask_key`,
		`SELECT * FROM memory.mg_audit.records`,
		`SELECT * FROM duckdb_views`,
		`SELECT * FROM duckdb_views()`,
		`SELECT sql FROM duckdb_tables()`,
		`SELECT * FROM duckdb_settings()`,
		`SELECT * FROM sales.orders, (SELECT * FROM duckdb_databases()) d`,
		`SELECT (SELECT count(*) FROM "` + file + `")`,
		`SELECT * FROM sales.orders o WHERE EXISTS (SELECT 1 FROM "` + file + `" f WHERE f.id = o.id)`,
		`SELECT * FROM "mg$real"."mg$p0"`,
		`SELECT system.main.current_setting('allowed_directories')`,
		`SELECT current_database()`,
		`SELECT stats(id) FROM sales.orders`,
		`SELECT json_serialize_plan('SELECT * FROM "` + file + `"')`,
		`SELECT json_serialize_sql('SELECT 1')`,
		`SELECT * FROM json_execute_serialized_sql(json_serialize_sql('SELECT * FROM "` + file + `"'))`,
		`SELECT * FROM query_table('` + PortView(catalog.Address{Domain: "sales", Name: "orders"}) + `')`,
		`SELECT * FROM query('SELECT * FROM read_parquet(''` + file + `'')')`,
	} {
		p, err := s.Prepare(context.Background(), "", q)
		if err == nil {
			p.Close()
			t.Errorf("%s: prepared, want a refusal", q)
			continue
		}
		if code := sqlstate.CodeOf(err); code != sqlstate.InsufficientPrivilege {
			t.Errorf("%s: %s %v, want 42501", q, code, err)
		}
		if msg := err.Error(); strings.Contains(msg, dir) || strings.Contains(msg, "mg$") || strings.Contains(msg, "sess_") {
			t.Errorf("%s: the refusal names internals: %s", q, msg)
		}
	}
}

func TestSearchPathCannotNameInternalSchemas(t *testing.T) {
	e, _ := testEngine(t)
	s := session(t, e)
	s.SetSearchPath([]string{"mg$shadow", "sales"})
	p, err := s.Prepare(context.Background(), "", "SELECT count(*) FROM orders")
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	rr, err := p.Query(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, first := collect(t, rr); first[0] != "10000" {
		t.Fatalf("count = %v: an internal schema in the search path changed what a product view reads", first)
	}
}

func BenchmarkPrepareVerified(b *testing.B) {
	e, _ := testEngine(b)
	s := session(b, e)
	for _, cached := range []bool{false, true} {
		name := "uncached"
		if cached {
			name = "cached"
		}
		b.Run(name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if !cached {
					s.verified.Purge()
				}
				p, err := s.Prepare(context.Background(), "", "SELECT count(*) FROM sales.orders WHERE id = 4")
				if err != nil {
					b.Fatal(err)
				}
				p.Close()
			}
		})
	}
}
