package engine

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshgate/meshgate/planner/catalog"
	"github.com/meshgate/meshgate/sqlstate"
)

// queryFirst runs a statement without parameters and returns its first row.
func queryFirst(t *testing.T, s *Session, sql string) []string {
	t.Helper()
	p, err := s.Prepare(context.Background(), "", sql)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	rr, err := p.Query(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	_, first := collect(t, rr)
	return first
}

// The guard of plan.go rests on a measured fact: a view's body binds its
// unqualified names through the caller's search path, not the path it
// was created under.
func TestViewBodyBindsThroughCallersPath(t *testing.T) {
	e, _ := testEngine(t)
	s := session(t, e)
	// The product view reads through mg$real when executed…
	if first := queryFirst(t, s, "SELECT count(*) FROM sales.orders"); len(first) != 1 || first[0] != "10000" {
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
	if got := strings.Join(plan.Columns, ","); got != "sales.orders.amount,sales.orders.country,sales.orders.id" {
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
	if first := queryFirst(t, s, "SELECT count(*) FROM orders"); first[0] != "10000" {
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

// DuckDB must serialise the plans of ordinary analytical SQL: a statement
// whose plan cannot be verified is refused, so a gap here would refuse
// legitimate work.
func TestPlanVerifiesOrdinarySQL(t *testing.T) {
	e, _ := testEngine(t)
	s := session(t, e)
	for _, q := range []string{
		"SELECT country, sum(amount), count(DISTINCT id), string_agg(country, ',' ORDER BY id) FROM sales.orders GROUP BY ALL ORDER BY ALL",
		"SELECT id, rank() OVER (PARTITION BY country ORDER BY amount DESC), lag(amount) OVER w, sum(amount) OVER (ORDER BY id ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) FROM sales.orders WINDOW w AS (ORDER BY id)",
		"SELECT * FROM sales.orders QUALIFY row_number() OVER (PARTITION BY country ORDER BY id) = 1",
		"SELECT country, id FROM sales.orders GROUP BY GROUPING SETS ((country), (country, id), ())",
		"SELECT country FROM sales.orders GROUP BY CUBE (country) HAVING count(*) > 1",
		"SELECT DISTINCT ON (country) country, id FROM sales.orders ORDER BY country, id",
		"SELECT * EXCLUDE (amount) FROM sales.orders LIMIT 5 OFFSET 2",
		"SELECT * REPLACE (amount * 2 AS amount) FROM sales.orders",
		"SELECT COLUMNS('a.*') FROM sales.orders",
		"SELECT list_transform([1, 2, 3], x -> x + 1), [x * 2 FOR x IN [1, 2]], {'a': 1}.a, struct_pack(k := 1)",
		"SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY amount), mode(country), median(amount), quantile_disc(amount, 0.9) FROM sales.orders",
		"SELECT count(*) FILTER (WHERE amount > 10) FROM sales.orders",
		"SELECT * FROM sales.orders WHERE id IN (SELECT id FROM sales.orders WHERE amount > 100) AND amount > ANY (SELECT amount FROM sales.orders WHERE id < 5)",
		"SELECT * FROM sales.orders o WHERE EXISTS (SELECT 1 FROM sales.orders p WHERE p.id = o.id + 1)",
		"SELECT * FROM sales.orders a, LATERAL (SELECT b.amount FROM sales.orders b WHERE b.id = a.id) l LIMIT 3",
		"SELECT id FROM sales.orders EXCEPT SELECT id FROM sales.orders WHERE id > 5 INTERSECT SELECT 3 UNION SELECT 4",
		"WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 10) SELECT sum(n) FROM t",
		"WITH a AS MATERIALIZED (SELECT * FROM sales.orders) SELECT count(*) FROM a x JOIN a y USING (id)",
		"SELECT * FROM sales.orders USING SAMPLE 10%",
		"SELECT * FROM sales.orders TABLESAMPLE reservoir(5 ROWS)",
		"SELECT date_trunc('month', DATE '2024-05-17') + INTERVAL 1 DAY, now() - INTERVAL '3 hours', extract(year FROM current_date)",
		"SELECT CASE WHEN amount > 10 THEN 'big' ELSE 'small' END, coalesce(NULL, 1), nullif(1, 1), greatest(1, 2) FROM sales.orders",
		"SELECT regexp_replace(country, '[0-9]', 'x'), upper(country) || lower(country), length(country), md5(country) FROM sales.orders",
		"SELECT unnest([1, 2, 3]) AS x, unnest(range(3))",
		"SELECT * FROM generate_series(1, 10) g(i) JOIN sales.orders o ON o.id = g.i",
		"SELECT * FROM (VALUES (1, 'a'), (2, 'b')) v(i, s)",
		"SELECT * FROM sales.orders ORDER BY amount DESC NULLS LAST LIMIT $1",
		"SELECT * FROM sales.orders a ASOF JOIN sales.orders b ON a.country = b.country AND a.id >= b.id LIMIT 3",
		"SELECT * FROM sales.orders a POSITIONAL JOIN sales.orders b LIMIT 3",
		"SELECT histogram(country), list(id ORDER BY id), array_agg(amount), arg_max(id, amount), bool_and(amount > 0) FROM sales.orders",
		"SELECT id::VARCHAR, amount::DECIMAL(18, 2), TRY_CAST(country AS INTEGER), id::DOUBLE / 3 FROM sales.orders",
		"SELECT * FROM sales.orders WHERE country LIKE 'c%' OR country ILIKE 'C1' OR country SIMILAR TO 'c[0-9]' OR country ~ '^c'",
		"PIVOT (SELECT country, amount FROM sales.orders) ON country IN ('c0', 'c1') USING sum(amount)",
		"SELECT * FROM (SELECT country, amount FROM sales.orders) PIVOT (sum(amount) FOR country IN ('c0', 'c1'))",
		"UNPIVOT (SELECT 1 AS a, 2 AS b) ON a, b INTO NAME k VALUE v",
	} {
		p, err := s.Prepare(context.Background(), "", q)
		if err != nil {
			t.Errorf("%s: %v", q, err)
			continue
		}
		p.Close()
	}
	_, err := s.Prepare(context.Background(), "", "PIVOT (SELECT country, amount FROM sales.orders) ON country USING sum(amount)")
	if code := sqlstate.CodeOf(err); code != sqlstate.FeatureNotSupported {
		t.Errorf("a PIVOT without values: %v, want 0A000", err)
	}
}
