package planner_test

import (
	"context"
	"strings"
	"testing"

	"github.com/meshgate/meshgate/planner"
	"github.com/meshgate/meshgate/sqlstate"
)

// The syntax-dependent PostgreSQL calls and casts are rewritten whole
// (their results are compared with PostgreSQL 15 in gateway's semantics
// corpus); what cannot be mapped is refused with its SQLSTATE.
func TestPostgresCallRewrites(t *testing.T) {
	es := parser(t)
	cases := map[string]string{
		// generate_series: a set in the select list and as a FROM item
		"SELECT generate_series(1, 3)":                                                 `SELECT unnest(mg_series(1, 3))`,
		"SELECT * FROM generate_series(1, 3)":                                          `SELECT * FROM (SELECT unnest(mg_series(1, 3)) AS generate_series) AS generate_series(generate_series)`,
		"SELECT x FROM generate_series(1, 3) AS g(x)":                                  `SELECT x FROM (SELECT unnest(mg_series(1, 3)) AS "generate_series") AS g(x)`,
		"SELECT * FROM sales.orders o, generate_series(1, 2) WHERE true":               `SELECT * FROM sales.orders o, (SELECT unnest(mg_series(1, 2)) AS generate_series) AS generate_series(generate_series) WHERE true`,
		"SELECT * FROM generate_series(DATE '2024-01-01', DATE '2024-01-02', '1 day')": `SELECT * FROM (SELECT unnest(mg_series(DATE '2024-01-01', DATE '2024-01-02', CAST('1 day' AS INTERVAL))) AS generate_series) AS generate_series(generate_series)`,
		// to_date, to_timestamp and to_char with literal formats
		"SELECT to_date('31/01/2024', 'DD/MM/YYYY')":                    `SELECT mg_to_date(CAST(strptime('31/01/2024', '%d/%m/%Y') AS DATE))`,
		"SELECT to_timestamp('2024-01-31 10:20', 'yyyy-mm-dd hh24:mi')": `SELECT mg_to_timestamp(CAST(strptime('2024-01-31 10:20', '%Y-%m-%d %H:%M') AS TIMESTAMPTZ))`,
		"SELECT to_timestamp(0)":                                        `SELECT to_timestamp(0)`,
		"SELECT to_char(d, 'YYYY-MM-DD \"x%\"') FROM sales.orders t":    `SELECT mg_to_char(strftime(mg_ts(d), '%Y-%m-%d x%%')) FROM sales.orders t`,
		"SELECT to_char(d, 'FMDD Month') FROM sales.orders t":           `SELECT mg_to_char(strftime(mg_ts(d), '%-d ') || rpad(strftime(mg_ts(d), '%B'), 9, ' ')) FROM sales.orders t`,
		"SELECT to_char(d, 'DY') FROM sales.orders t":                   `SELECT mg_to_char(upper(strftime(mg_ts(d), '%a'))) FROM sales.orders t`,
		"SELECT to_char(d, 'WW') FROM sales.orders t":                   `SELECT error('[0A000] to_char: format pattern at "WW" is not supported') FROM sales.orders t`,
		"SELECT to_date(s, f) FROM sales.orders t":                      `SELECT error('[0A000] to_date with a format that is not a literal is not supported') FROM sales.orders t`,
		// aggregates: plain calls get PostgreSQL's types, windowed ones stay
		"SELECT avg(x), sum(x) FROM sales.orders t":                  `SELECT mg_avg(x), mg_sum(x) FROM sales.orders t`,
		"SELECT avg(x) OVER (), sum(DISTINCT x) FROM sales.orders t": `SELECT avg(x) OVER (), sum(DISTINCT x) FROM sales.orders t`,
		// SIMILAR TO, regexp_match
		"SELECT s SIMILAR TO 'a%b_.c' FROM sales.orders t":   `SELECT s SIMILAR TO 'a.*b.\.c' FROM sales.orders t`,
		"SELECT s SIMILAR TO '[%_]x\\%' FROM sales.orders t": `SELECT s SIMILAR TO '[%_]x%' FROM sales.orders t`,
		"SELECT regexp_match(s, '(a)b') FROM sales.orders t": `SELECT mg_regexp_match(CASE WHEN regexp_matches(s, '(a)b') THEN [regexp_extract(s, '(a)b', 1)] END) FROM sales.orders t`,
		// casts to text and varchar(n)
		"SELECT x::text, x::int::text, 'a'::text, $1::text FROM sales.orders t":              `SELECT mg_to_text(x), mg_to_text(x::int), 'a'::text, $1::text FROM sales.orders t`,
		"SELECT CAST(x AS text), ARRAY[1]::text, INTERVAL '1 day'::text FROM sales.orders t": `SELECT mg_to_text(x), mg_to_text(ARRAY[1]), mg_to_text(INTERVAL '1 day') FROM sales.orders t`,
		"SELECT x::varchar(3), CAST(x AS character varying(2)) FROM sales.orders t":          `SELECT mg_to_varchar(x, 3), mg_to_varchar(x, 2) FROM sales.orders t`,
		// LIKE escapes with a backslash; PostgreSQL's boolean input words
		"SELECT s LIKE 'a\\%', s NOT ILIKE 'b\\_' ESCAPE '!', s LIKE 'c%' FROM sales.orders t":     `SELECT s LIKE 'a\%' ESCAPE '\', s NOT ILIKE 'b\_' ESCAPE '!', s LIKE 'c%' FROM sales.orders t`,
		"SELECT 'yes'::boolean, 'OFF'::bool, ' t '::boolean, 'maybe'::boolean FROM sales.orders t": `SELECT 'true'::boolean, 'false'::bool, 'true'::boolean, 'maybe'::boolean FROM sales.orders t`,
		// extract is a numeric of the field's scale; unmapped fields are refused
		"SELECT extract(year from x), EXTRACT(SECOND FROM x), extract(epoch from x::date) FROM sales.orders t": `SELECT mg_extract('year', x), mg_extract_second(x), mg_extract_epoch(x::date) FROM sales.orders t`,
		"SELECT extract(julian from x) FROM sales.orders t":                                                    `SELECT error('[0A000] extract(julian from …) is not supported') FROM sales.orders t`,
		// varchar is text's form; a literal cast on stays DuckDB's cast
		"SELECT x::varchar, CAST(x AS varchar), 'a'::varchar, $1::varchar, CAST($2 AS varchar(2)) FROM sales.orders t": `SELECT mg_to_varchar(x), mg_to_varchar(x), mg_to_varchar('a'), mg_to_varchar(CAST($1 AS VARCHAR)), mg_to_varchar(CAST($2 AS VARCHAR), 2) FROM sales.orders t`,
		"SELECT x::int::varchar, 'int4'::varchar::regtype::oid FROM sales.orders t":                                    `SELECT mg_to_varchar(x::int), mg_regtype_oid('int4'::varchar)::UINTEGER FROM sales.orders t`,
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
	for in, code := range map[string]string{
		"SELECT x::char(3) FROM sales.orders t":                  "0A000",
		"SELECT CAST(x AS character(3)) FROM sales.orders t":     "0A000",
		"SELECT s SIMILAR TO p FROM sales.orders t":              "0A000",
		"SELECT s SIMILAR TO 'a' ESCAPE '#' FROM sales.orders t": "0A000",
	} {
		_, err := planner.CheckRead(context.Background(), es, scope{[]string{"sales"}}, in)
		if e := sqlstate.As(err); e == nil || e.Code != code || !strings.Contains(e.Message, "not supported") {
			t.Errorf("%s: %v, want %s … not supported", in, err, code)
		}
	}
}
