package planner_test

import (
	"context"
	"strings"
	"testing"

	"github.com/meshgate/meshgate/planner"
)

// The calls of FunctionRewrites are rewritten whole; the others are left
// to the macros of gateway/pgcatalog (their results are compared with
// PostgreSQL in gateway's semantics corpus).
func TestFunctionRewrites(t *testing.T) {
	es := parser(t)
	cases := map[string]string{
		"SELECT json_build_object('a', 1)":                               "SELECT mg_json_build_object(CAST('{' || mg_json_key('a', 1) || ' : ' || mg_json_text(1) || '}' AS JSON))",
		"SELECT pg_catalog.json_agg(x ORDER BY x) FROM sales.orders t":   "SELECT mg_json_agg(CAST('[' || string_agg(mg_json_text(x), ', ' ORDER BY x) || ']' AS JSON)) FROM sales.orders t",
		"SELECT json_agg(x) OVER () FROM sales.orders t":                 "SELECT string_agg(error('[0A000] json_agg with FILTER or OVER is not supported'), '') OVER () FROM sales.orders t",
		"SELECT json_agg(DISTINCT x) FROM sales.orders t":                "SELECT error('[0A000] json_agg(DISTINCT …) is not supported') FROM sales.orders t",
		"SELECT json_build_object('a')":                                  "SELECT error('[22023] argument list must have even number of elements (the arguments of json_build_object() must consist of alternating keys and values)')",
		"SELECT json_build_array()":                                      "SELECT mg_json_build_array(CAST('[]' AS JSON))",
		"SELECT pg_typeof('hello'), pg_typeof('1'::int)":                 `SELECT pg_typeof(NULL), pg_typeof('1'::int)`,
		"SELECT regexp_matches('hello', 'l+')":                           `SELECT unnest(mg_regexp_matches(CASE WHEN regexp_matches('hello', 'l+') THEN [[regexp_extract('hello', 'l+')]] ELSE []::VARCHAR[][] END))`,
		"SELECT regexp_matches(s, '(a)(b)', 'gi') FROM sales.orders t":   `SELECT unnest(mg_regexp_matches(list_transform(range(1, len(regexp_extract_all(s, '(?i)(a)(b)', 1)) + 1), mg_i -> [regexp_extract_all(s, '(?i)(a)(b)', 1)[mg_i], regexp_extract_all(s, '(?i)(a)(b)', 2)[mg_i]]))) FROM sales.orders t`,
		"SELECT regexp_matches(s::text, 'x', 'g') FROM sales.orders t":   `SELECT unnest(mg_regexp_matches(list_transform(regexp_extract_all(mg_to_text(s), 'x'), mg_m -> [mg_m]))) FROM sales.orders t`,
		"SELECT regexp_matches(s, p) FROM sales.orders t":                `SELECT error('[0A000] regexp_matches with a pattern or flags that are not literals is not supported') FROM sales.orders t`,
		"SELECT regexp_matches(s, 'x', 'n') FROM sales.orders t":         `SELECT error('[0A000] regexp_matches flag "n" is not supported') FROM sales.orders t`,
		"SELECT t.regexp_matches(1) FROM sales.orders t":                 `SELECT t.regexp_matches(1) FROM sales.orders t`,
		"SELECT json_agg(json_build_object('k', k)) FROM sales.orders t": "SELECT mg_json_agg(CAST('[' || string_agg(mg_json_text(mg_json_build_object(CAST('{' || mg_json_key('k', 1) || ' : ' || mg_json_text(k) || '}' AS JSON))), ', ') || ']' AS JSON)) FROM sales.orders t",
	}
	for in, want := range cases {
		r, err := planner.CheckRead(context.Background(), es, scope{[]string{"sales"}}, in)
		if err != nil {
			t.Errorf("%s: %v", in, err)
			continue
		}
		if r.SQL != want {
			t.Errorf("%s:\n got %s\nwant %s", in, r.SQL, want)
		}
	}
}

// An unconstrained numeric never becomes DuckDB's DECIMAL(18,3): literals
// keep their scale, other operands go through mg_numeric.
func TestNumericCasts(t *testing.T) {
	es := parser(t)
	cases := map[string]string{
		"SELECT '1.50'::numeric, 12.5::decimal, '-0.001'::numeric":        `SELECT CAST('1.50' AS DECIMAL(38,2)), CAST(12.5 AS DECIMAL(38,1)), CAST('-0.001' AS DECIMAL(38,3))`,
		"SELECT round(exp(1)::numeric, 5)":                                `SELECT round(list_transform([exp(1)], mg_a -> mg_numeric(mg_a))[1], 5)`,
		"SELECT x::numeric(10,2), CAST(x AS numeric) FROM sales.orders x": `SELECT x::numeric(10,2), mg_numeric(x) FROM sales.orders x`,
		"SELECT 'NaN'::numeric":                                           `SELECT mg_numeric('NaN')`,
	}
	for in, want := range cases {
		r, err := planner.CheckRead(context.Background(), es, scope{[]string{"sales"}}, in)
		if err != nil {
			t.Errorf("%s: %v", in, err)
			continue
		}
		if r.SQL != want {
			t.Errorf("%s:\n got %s\nwant %s", in, r.SQL, want)
		}
	}
}

// TestNumberFormats: which to_char formats are number formats (the rest
// are read as date formats or refused).
func TestNumberFormats(t *testing.T) {
	p := parser(t)
	for sql, want := range map[string]string{
		"SELECT to_char(x, 'YYYY-MM') FROM sales.orders t":    "strftime",
		"SELECT to_char(x, 'FM9,990.00') FROM sales.orders t": "printf('%.2f', mg_v)",
		"SELECT to_char(x, '999') FROM sales.orders t":        "printf('%.0f', mg_v)",
		"SELECT to_char(x, 'S999') FROM sales.orders t":       "error('[0A000] to_char: format pattern at \"S999\" is not supported')",
	} {
		r, err := planner.CheckRead(context.Background(), p, scope{[]string{"sales"}}, sql)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(r.SQL, want) {
			t.Errorf("%s:\n got %s\nwant it to contain %s", sql, r.SQL, want)
		}
	}
}
