package planner_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/meshgate/meshgate/planner"
	"github.com/meshgate/meshgate/planner/catalog"
)

// pushSQL translates sql over products t and u (relations of one source)
// with DuckDB's parser.
func pushSQL(t *testing.T, p interface {
	SerializeSQL(context.Context, string) ([]byte, error)
}, sql string) (string, []*string, error) {
	t.Helper()
	raw, err := p.SerializeSQL(context.Background(), sql)
	if err != nil {
		t.Fatal(err)
	}
	tree, err := planner.ParseTree(raw)
	if err != nil {
		return "", nil, err
	}
	w := &planner.PGWriter{}
	env := planner.PushEnv{
		Resolve: func(schema, table string) (catalog.Address, bool) {
			return catalog.Address{Domain: "d", Name: table}, (schema == "" || schema == "d") && (table == "t" || table == "u")
		},
		Relation: func(_ *planner.PGWriter, a catalog.Address) (string, error) {
			return `(SELECT * FROM "src"."` + a.Name + `")`, nil
		},
		ColumnType: func(a catalog.Address, c string) string {
			return map[string]string{"i": "INTEGER", "x": "DECIMAL(10,2)", "s": "VARCHAR"}[c]
		},
	}
	q, err := planner.PushStatement(w, env, tree)
	return q, w.Params, err
}

// TestPushStatement: what is translated (values as parameters, DuckDB's
// meaning of /, LIKE and avg) and what is not (anything off the
// allow-list is ErrNotPushable, never a guess).
func TestPushStatement(t *testing.T) {
	p := parser(t)
	for _, c := range []struct{ sql, want string }{
		{"SELECT i FROM t WHERE s = 'x''; DROP TABLE t; --'", `SELECT "i" FROM (SELECT * FROM "src"."t") AS "t" WHERE ("s" = $1)`},
		{"SELECT x / 2 FROM t", `(CAST("x" AS float8) / CAST($1::int4 AS float8))`},
		{"SELECT i / 10 * 10, -i / 2 FROM t", `(("i" / $1::int4) * $2::int4), ((- "i") / $3::int4)`},
		{"SELECT (i + 1) / 2, i / x FROM t", `(("i" + $1::int4) / $2::int4), (CAST("i" AS float8) / CAST("x" AS float8))`},
		{"SELECT v / 2 FROM (SELECT i * 2 AS v FROM t) AS s", `("v" / $2::int4)`},
		{"SELECT s.v / 2, w / 4 FROM (SELECT x AS v, sum(x) AS w FROM t) AS s", `(CAST("s"."v" AS float8) / CAST($1::int4 AS float8)), (CAST("w" AS float8) / CAST($2::int4 AS float8))`},
		{"SELECT count(*) FROM t WHERE s LIKE 'a\\%'", `("s" LIKE $1 ESCAPE '')`},
		{"SELECT avg(x), avg(i) FROM t", `CAST(avg("x") AS float8)`},
		{"SELECT t.i FROM t LEFT JOIN d.u ON t.i = u.i AND u.s IS NULL ORDER BY 1 DESC NULLS LAST LIMIT 3", `ORDER BY 1 DESC NULLS LAST LIMIT $1::int8`},
		{"SELECT i FROM t WHERE NOT EXISTS (SELECT 1 FROM u WHERE u.i = t.i) AND x > 0.05", `(NOT (EXISTS (SELECT $1::int4 FROM (SELECT * FROM "src"."u") AS "u" WHERE ("u"."i" = "t"."i"))))`},
		{"SELECT i FROM t WHERE d <= DATE '1998-12-01' - INTERVAL 90 DAY", `make_interval(days => CAST(trunc(CAST($2::int4 AS float8)) AS int4))`},
		// The planner's avg (PostgreSQL's: exact for integers).
		{"SELECT mg_avg(i), mg_avg(x) FROM t", `CAST(round(CAST(sum("i") AS numeric) * 10000000000000000 / count("i")) * 0.0000000000000001 AS numeric(38,16)) END), CAST(avg("x") AS float8)`},
	} {
		got, params, err := pushSQL(t, p, c.sql)
		if err != nil {
			t.Errorf("%s: %v", c.sql, err)
			continue
		}
		if !strings.Contains(got, c.want) {
			t.Errorf("%s:\n got %s\nwant it to contain %s", c.sql, got, c.want)
		}
		for _, v := range params {
			if v != nil && len(*v) > 2 && strings.Contains(got, *v) {
				t.Errorf("%s: the value %q is spliced into %s", c.sql, *v, got)
			}
		}
	}
	for _, sql := range []string{
		"SELECT s ILIKE 'a%' FROM t",
		"SELECT row_number() OVER () FROM t",
		"SELECT substring(s, -2, 2) FROM t",
		"SELECT regexp_matches(s, 'a') FROM t",
		"SELECT upper(s) FROM t",
		"SELECT CAST(x AS INTEGER) FROM t",
		"SELECT CAST(x AS VARCHAR) FROM t",
		"SELECT mg_avg(i + 1) FROM t",
		"SELECT * FROM t, read_csv('/etc/passwd')",
		"SELECT * FROM t JOIN v ON true",
		"SELECT * FROM t WHERE i = $1",
		"SELECT i FROM t GROUP BY ROLLUP (i)",
		"SELECT * EXCLUDE (i) FROM t",
		"SELECT * FROM t NATURAL JOIN u",
		"SELECT * FROM t USING SAMPLE 10%",
		"SELECT s || 'x' FROM t",
		"SELECT count(*) FILTER (WHERE i > 1) FROM t",
		"WITH RECURSIVE r AS (SELECT 1 AS n UNION ALL SELECT n + 1 FROM r WHERE n < 3) SELECT * FROM r",
	} {
		if got, _, err := pushSQL(t, p, sql); !errors.Is(err, planner.ErrNotPushable) {
			t.Errorf("%s: translated to %s (%v), want ErrNotPushable", sql, got, err)
		}
	}
}
