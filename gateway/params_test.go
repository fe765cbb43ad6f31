package gateway_test

import (
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5"
)

// TestE2EUntypedParameters: a parameter nothing in the statement types
// (SELECT $1) is text, as in PostgreSQL, or the type the client declared
// in Parse; parameters the statement types keep working.
func TestE2EUntypedParameters(t *testing.T) {
	s := startGateway(t)
	c := s.connect(t, "")
	ctx := ctxT(t)
	pc := c.PgConn()

	// Through pgconn: the exact types and bytes, declared and undeclared.
	for _, tc := range []struct {
		sql     string
		oids    []uint32
		values  []string
		params  string // ParameterDescription
		fields  string // name:oid of each result column
		text    string // the row in text format
		comment string
	}{
		{"SELECT $1", nil, []string{"5"}, "[25]", "?column?:25", "5", "undeclared: text"},
		{"SELECT $1", []uint32{0}, []string{"x"}, "[25]", "?column?:25", "x", "declared 0: text"},
		{"SELECT $1", []uint32{705}, []string{"x"}, "[25]", "?column?:25", "x", "declared unknown: text"},
		{"SELECT $1", []uint32{23}, []string{"5"}, "[23]", "?column?:23", "5", "declared int4"},
		{"SELECT $1", []uint32{20}, []string{"-7"}, "[20]", "?column?:20", "-7", "declared int8"},
		{"SELECT $1", []uint32{16}, []string{"true"}, "[16]", "?column?:16", "t", "declared bool"},
		{"SELECT $1", []uint32{1082}, []string{"2024-01-02"}, "[1082]", "?column?:1082", "2024-01-02", "declared date"},
		{"SELECT $1", []uint32{701}, []string{"1.5"}, "[701]", "?column?:701", "1.5", "declared float8"},
		{"SELECT $1", []uint32{1043}, []string{"v"}, "[1043]", "?column?:25", "v", "declared varchar (meshgate's strings are text)"},
		{"SELECT $1 AS a, $2 AS b", []uint32{23}, []string{"1", "two"}, "[23 25]", "a:23,b:25", "1,two", "one declared, one not"},
		{"SELECT $1 || 'a'", nil, []string{"b"}, "[25]", "?column?:25", "ba", "text by context"},
		{"SELECT $1 AS a, $2::date AS d", nil, []string{"x", "2024-05-06"}, "[25 1082]", "a:25,d:1082", "x,2024-05-06", "the later parameter keeps its type"},
		{"SELECT $2 AS a, $1::date AS d", nil, []string{"2024-05-06", "x"}, "[1082 25]", "a:25,d:1082", "x,2024-05-06", "in text order, not number order"},
		{"SELECT $1 AS a, $2::int + 1 AS b", nil, []string{"x", "41"}, "[25 23]", "a:25,b:23", "x,42", "a cast types the second"},
		{"SELECT 1 AS one WHERE $1 IS NOT NULL", nil, []string{"z"}, "[25]", "one:23", "1", "unresolved outside the select list"},
		{"SELECT '$1' AS s, $1 AS p", nil, []string{"q"}, "[25]", "s:25,p:25", "$1,q", "a string is not a parameter"},
		{"SELECT $1::int + 1", nil, []string{"41"}, "[23]", "?column?:23", "42", "cast by the statement"},
		{"SELECT $1 = 'x'", nil, []string{"x"}, "[25]", "?column?:16", "t", "typed by the comparison"},
		{"SELECT count(*) FROM sales.orders WHERE order_id = $1", nil, []string{"100001"}, "[20]", "count:20", "1", "typed by the column"},
		{"SELECT count(*) FROM sales.orders WHERE order_id = $1", []uint32{23}, []string{"100001"}, "[23]", "count:20", "1", "declared int4 against a bigint column"},
		{"SELECT count(*) FROM sales.orders WHERE status = $1", []uint32{25}, []string{"paid"}, "[25]", "count:20", "400", "declared text against a text column"},
		{"SELECT $1", []uint32{1700}, []string{"1.50"}, "[1700]", "?column?:25", "1.50", "declared numeric: text, never rounded"},
		{"SELECT $1", []uint32{1007}, []string{"{1,2}"}, "[1007]", "?column?:1007", "{1,2}", "declared int4[]"},
	} {
		t.Run(tc.comment, func(t *testing.T) {
			sd, err := pc.Prepare(ctx, "", tc.sql, tc.oids)
			if err != nil {
				t.Fatalf("%s: prepare: %v", tc.sql, err)
			}
			if got := fmt.Sprint(sd.ParamOIDs); got != tc.params {
				t.Errorf("%s: parameters %s, want %s", tc.sql, got, tc.params)
			}
			var fields, text string
			for i, f := range sd.Fields {
				if i > 0 {
					fields += ","
				}
				fields += fmt.Sprintf("%s:%d", f.Name, f.DataTypeOID)
			}
			if fields != tc.fields {
				t.Errorf("%s: fields %s, want %s", tc.sql, fields, tc.fields)
			}
			vals := make([][]byte, len(tc.values))
			for i, v := range tc.values {
				vals[i] = []byte(v)
			}
			res := pc.ExecParams(ctx, tc.sql, vals, tc.oids, nil, nil).Read()
			if res.Err != nil {
				t.Fatalf("%s: %v", tc.sql, res.Err)
			}
			if len(res.Rows) != 1 {
				t.Fatalf("%s: %d rows", tc.sql, len(res.Rows))
			}
			for i, v := range res.Rows[0] {
				if i > 0 {
					text += ","
				}
				text += string(v)
			}
			if text != tc.text {
				t.Errorf("%s: row %q, want %q", tc.sql, text, tc.text)
			}
		})
	}

	// Known difference: PostgreSQL types $1 + 1 as integer, DuckDB leaves
	// it untyped, so $1 is text and the operator does not exist (42883,
	// as PostgreSQL answers for text + integer); $1::int + 1 works.
	res := pc.ExecParams(ctx, "SELECT $1 + 1", [][]byte{[]byte("1")}, nil, nil, nil).Read()
	pgErr(t, res.Err, "42883")
	// A declared type the value does not fit is PostgreSQL's 22P02.
	res = pc.ExecParams(ctx, "SELECT $1", [][]byte{[]byte("five")}, []uint32{23}, nil, nil).Read()
	pgErr(t, res.Err, "22P02")
	stillWorks(t, c)

	// pgx as applications use it: the cached-statement and describe modes
	// (Parse without types, then Describe) and the exec mode (no types,
	// values in text): PostgreSQL answers text for SELECT $1 in each.
	for _, mode := range []pgx.QueryExecMode{pgx.QueryExecModeCacheStatement, pgx.QueryExecModeDescribeExec, pgx.QueryExecModeExec} {
		var s1, s2 string
		if err := c.QueryRow(ctx, "SELECT $1, $2", mode, "hello", "42").Scan(&s1, &s2); err != nil || s1 != "hello" || s2 != "42" {
			t.Errorf("%v: SELECT $1, $2: %q %q %v", mode, s1, s2, err)
		}
		var n int32
		if err := c.QueryRow(ctx, "SELECT $1::int4 + 1", mode, 41).Scan(&n); err != nil || n != 42 {
			t.Errorf("%v: SELECT $1::int4 + 1: %d %v", mode, n, err)
		}
	}
	var s3 string
	if err := c.QueryRow(ctx, "SELECT $1", pgx.QueryExecModeExec, int64(42)).Scan(&s3); err != nil || s3 != "42" {
		t.Errorf("exec mode SELECT $1 with an int64: %q %v", s3, err)
	}
	var b bool
	if err := c.QueryRow(ctx, "SELECT $1 = 'x'", "x").Scan(&b); err != nil || !b {
		t.Errorf("SELECT $1 = 'x': %v %v", b, err)
	}
	var cnt int64
	if err := c.QueryRow(ctx, "SELECT count(*) FROM sales.orders WHERE status = $1", "paid").Scan(&cnt); err != nil || cnt != 400 {
		t.Errorf("WHERE status = $1: %d %v", cnt, err)
	}
}
