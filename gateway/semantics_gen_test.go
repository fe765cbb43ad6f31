package gateway_test

import (
	"fmt"
	"strings"
)

// generatedRefusals are the generated queries meshgate refuses (README:
// known differences), with the SQLSTATE it must answer.
var generatedRefusals = map[string]string{
	// DuckDB types numeric(10,2) * numeric(10,2) as DECIMAL(18,4).
	"SELECT id, n2 * n2 FROM sem.vals": "22003",
}

// generatedCorpus are the query families of the semantics corpus made by
// combination: every operator and function of a family over every column
// (of sem.vals) it applies to. Each query is real and compared with
// PostgreSQL as the queries of test/semantics/*.sql are.
func generatedCorpus() []corpusQuery {
	var out []corpusQuery
	add := func(format string, args ...any) {
		q := fmt.Sprintf(format, args...)
		out = append(out, corpusQuery{sql: q, refuse: generatedRefusals[q], line: len(out) + 1})
	}
	typed := map[string][]string{
		"integer": {"id", "i2", "i8"},
		"float":   {"f8"},
		"numeric": {"n2"},
		"text":    {"t"},
		"date":    {"d"},
		"ts":      {"ts"},
		"bool":    {"b"},
	}
	// Comparisons between columns of one family and with a literal.
	cmps := []string{"=", "<>", "<", "<=", ">", ">=", "IS DISTINCT FROM", "IS NOT DISTINCT FROM"}
	lits := map[string]string{"integer": "7", "float": "1.5", "numeric": "12.5", "text": "'hello'",
		"date": "DATE '2024-01-31'", "ts": "TIMESTAMP '2024-01-31 10:00:00'", "bool": "true"}
	for _, fam := range []string{"integer", "float", "numeric", "text", "date", "ts", "bool"} {
		cols := typed[fam]
		for _, op := range cmps {
			for _, a := range cols {
				add("SELECT id, %s %s %s FROM sem.vals", a, op, lits[fam])
				for _, b := range cols {
					if a != b {
						add("SELECT id, %s %s %s FROM sem.vals", a, op, b)
					}
				}
			}
		}
	}
	// Arithmetic between the numeric columns.
	nums := []string{"id", "i2", "i8", "f8", "n2"}
	for _, op := range []string{"+", "-", "*"} {
		for _, a := range nums {
			for _, b := range nums {
				add("SELECT id, %s %s %s FROM sem.vals", a, op, b)
			}
		}
	}
	for _, a := range typed["integer"] {
		for _, b := range typed["integer"] {
			add("SELECT id, %s / %s, %s %% %s FROM sem.vals", a, b, a, b)
		}
		add("SELECT id, -%s, abs(%s), %s / 0::smallint FROM sem.vals WHERE id = 3", a, a, a)
	}
	// Aggregates over every column.
	for _, c := range []string{"id", "i2", "i8", "f8", "n2", "t", "d", "ts"} {
		add("SELECT count(%[1]s), min(%[1]s), max(%[1]s) FROM sem.vals", c)
		add("SELECT count(DISTINCT %[1]s) FROM sem.vals", c)
	}
	add("SELECT count(b), bool_and(b), bool_or(b), every(b), count(DISTINCT b) FROM sem.vals")
	// Text functions over the text column.
	for _, f := range []string{"upper(t)", "lower(t)", "length(t)", "char_length(t)", "octet_length(t)", "reverse(t)",
		"md5(t)", "initcap(t)", "btrim(t)", "btrim(t, 'h')", "ltrim(t, 'hs')", "rtrim(t, 'od')", "lpad(t, 8)",
		"rpad(t, 8, '*')", "lpad(t, 3)", "left(t, 2)", "right(t, 2)", "left(t, -1)", "repeat(t, 2)",
		"replace(t, 'l', 'L')", "split_part(t, 'l', 1)", "strpos(t, 'l')", "position('l' in t)",
		"substr(t, 2, 3)", "substring(t, 2)", "concat(t, 'x', id)", "t || 'x'", "concat_ws('-', t, id, t)",
		"quote_ident(t)", "quote_literal(t)", "quote_nullable(t)", "ascii(t)", "translate(t, 'lo', 'x')",
		"starts_with(t, 'he')", "t LIKE '%l%'", "t ILIKE 'w%'", "t NOT LIKE 'h%'", "t SIMILAR TO '%l%'",
		"t SIMILAR TO '(h|W)%'", "t SIMILAR TO '_e%'", "t ~ 'l+'", "t ~* '^w'", "t !~ 'l'",
		"regexp_replace(t, 'l', 'L')", "regexp_replace(t, 'l', 'L', 'g')", "regexp_replace(t, '(.)(.)', '\\2\\1')",
		"regexp_match(t, 'l+')", "regexp_match(t, '(e)(l)')", "format('%s-%s', t, id)", "format('%I', t)",
		"bit_length(t)", "to_hex(id)", "encode(convert_to(t, 'UTF8'), 'hex')", "t = 'hello'", "t < 'a'"} {
		add("SELECT id, %s FROM sem.vals", f)
	}
	// Date and timestamp functions.
	for _, u := range []string{"year", "quarter", "month", "week", "day", "hour", "minute", "second"} {
		add("SELECT id, date_trunc('%s', ts) FROM sem.vals", u)
		add("SELECT id, date_trunc('%s', d) FROM sem.vals", u)
	}
	for _, p := range []string{"YYYY-MM-DD", "YYYY-MM-DD HH24:MI:SS", "DD/MM/YY", "Mon DD, YYYY", "MON", "mon", "Month",
		"FMMonth", "MONTH", "Day", "FMDay", "DY", "dy", "HH12:MI AM", "HH:MI pm", "DDD", "D", "Q", "FMDD.FMMM",
		"YYYYMMDD", "\"week day\" D", "HH24:MI:SS.MS", "HH24:MI:SS.US", "yyyy-mm-dd"} {
		add("SELECT id, to_char(ts, '%s') FROM sem.vals", strings.ReplaceAll(p, "'", "''"))
		add("SELECT id, to_char(d, '%s') FROM sem.vals", strings.ReplaceAll(p, "'", "''"))
	}
	for _, c := range [][2]string{{"2024-01-31", "YYYY-MM-DD"}, {"31/01/2024", "DD/MM/YYYY"}, {"20240131", "YYYYMMDD"},
		{"Jan 31 2024", "Mon DD YYYY"}, {"31 January 2024", "DD Month YYYY"}, {"2024-01-31 10:20:30", "YYYY-MM-DD HH24:MI:SS"},
		{"01/31/24 02:05 PM", "MM/DD/YY HH12:MI AM"}} {
		add("SELECT to_date('%s', '%s')", c[0], c[1])
		add("SELECT to_timestamp('%s', '%s')", c[0], c[1])
	}
	// Text forms of every column type.
	for _, c := range []string{"id", "i2", "i8", "f8", "n2", "t", "b", "d", "ts", "bin", "ia", "ta", "iaa"} {
		add("SELECT id, %s::text FROM sem.vals", c)
		add("SELECT id, %[1]s IS NULL, coalesce(%[1]s::text, '-') FROM sem.vals", c)
		add("SELECT id, %s::varchar, CAST(%[1]s AS varchar) FROM sem.vals", c)
		add("SELECT id, %s::varchar(4), CAST(%[1]s AS character varying(2)) FROM sem.vals", c)
	}
	// Functions of one numeric column.
	for _, c := range nums {
		for _, f := range []string{"abs(%s)", "-%s", "%s + 1::int", "%s * 2::int", "%s - 0.5", "round(%s::numeric)",
			"trunc(%s::numeric)", "greatest(%s, 0::int)", "least(%s, 5::int)", "coalesce(%s, -1::int)",
			"nullif(%s, 7)", "%s BETWEEN 0 AND 10", "%s IN (1, 7, 10)", "CASE WHEN %s > 5 THEN 'big' ELSE 'small' END",
			"%s::float8", "%s::numeric(20,4)", "to_char(DATE '2024-01-31', 'YYYY') || %s::text", "width_bucket(%s, 0, 20, 4)"} {
			q := fmt.Sprintf("SELECT id, "+f+" FROM sem.vals", c)
			// a numeric keeps one scale per column (README: known differences)
			out = append(out, corpusQuery{sql: q, numeric: c == "n2", line: len(out) + 1})
		}
	}
	// Integer conversions and overflow.
	for _, c := range typed["integer"] {
		for _, ty := range []string{"integer", "bigint", "numeric", "float8", "text"} {
			add("SELECT id, %s::%s FROM sem.vals", c, ty)
		}
		add("SELECT id, %[1]s / 2::smallint, %[1]s %% 3::smallint, div(%[1]s, 2), mod(%[1]s, 3::smallint) FROM sem.vals", c)
	}
	// Text functions with literal arguments.
	for _, w := range []string{"hello", "Hello World", "", " padded ", "a,b,,c", "50%", "it's"} {
		w = strings.ReplaceAll(w, "'", "''")
		l := "'" + w + "'"
		for _, f := range []string{"upper(%s)", "lower(%s)", "length(%s)", "octet_length(%s)", "initcap(%s)", "btrim(%s)",
			"reverse(%s)", "lpad(%s, 6, '.')", "rpad(%s, 6)", "md5(%s)", "quote_literal(%s)", "quote_ident(%s)",
			"split_part(%s, ',', 2)", "replace(%s, 'l', '')", "%s || '!'", "left(%s, 3)", "strpos(%s, 'l')",
			"%s LIKE '%%l%%'", "%s SIMILAR TO '%%(l|,)%%'", "format('[%%s]', %s)", "encode(convert_to(%s, 'UTF8'), 'base64')"} {
			add("SELECT "+f, l)
		}
	}
	// Ordering: NULLs last ascending, first descending, as PostgreSQL.
	for _, c := range []string{"i2", "i8", "f8", "n2", "t", "d", "ts", "b"} {
		for _, dir := range []string{"", " DESC", " NULLS FIRST", " DESC NULLS LAST"} {
			out = append(out, corpusQuery{sql: fmt.Sprintf("SELECT id, %s FROM sem.vals ORDER BY %s%s, id", c, c, dir), ordered: true, line: len(out) + 1})
		}
	}
	return out
}
