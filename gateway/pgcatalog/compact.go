package pgcatalog

import (
	"fmt"
	"strings"

	"github.com/meshgate/meshgate/planner"
)

// Session relations are views over one JSON row store per schema, not
// tables. Every column of a DuckDB table that holds a row takes
// 2048 × its width from the buffer pool (34 KB for a VARCHAR column, 68 KB
// for a list), whatever the number of rows: the 16 relations of a
// session's client catalog, about 200 columns, took 5.4 MB of the
// -memory-limit per session, so 200 sessions could not log in under 1GB
// (issue 11). A session's relations now share one two-column table in
// its pg_catalog schema, each row a JSON array of the relation's values:
// about 0.6 MB per session with the demo mesh's rows.
//
// The shared static relations (built once) and the relations the gateway
// rewrites (mg_settings) stay tables.

// rowStore is the table of a catalog's pg_catalog schema that holds the
// rows of the catalog's relations, as JSON arrays.
func rowStore(schema string) string {
	cat, _, _ := strings.Cut(schema, ".") // schema is "catalog"."schema"
	return cat + "." + ident(planner.CompatPG) + ".mg_rows"
}

// stored reports whether a relation is a table rather than a view over
// the row store.
func stored(schema, name string, rows [][]string) bool {
	return len(rows) == 0 || schema == StaticPG || schema == StaticIS || name == "mg_settings"
}

// rowsView renders the rows of a relation into the schema's row store and
// a view that reads them back with their types. cols are "name TYPE"
// pairs; rows hold SQL literals.
func rowsView(schema, name string, cols []string, rows [][]string) string {
	reads := make([]string, len(cols))
	for i, c := range cols {
		n, typ, _ := strings.Cut(c, " ")
		op := "->>" // the text of a scalar
		if strings.HasSuffix(typ, "[]") {
			op = "->" // a JSON array, cast to the list type
		}
		reads[i] = fmt.Sprintf("CAST(j%s'$[%d]' AS %s) AS %s", op, i, typ, ident(n))
	}
	store := rowStore(schema)
	var b strings.Builder
	fmt.Fprintf(&b, "CREATE TABLE IF NOT EXISTS %s (rel VARCHAR, j JSON);\n", store)
	b.WriteString(rowsInsert(schema, name, cols, rows) + ";\n")
	fmt.Fprintf(&b, "CREATE VIEW %s.%s AS SELECT %s FROM %s WHERE rel = %s", schema, ident(name), strings.Join(reads, ", "), store, lit(schema+"."+ident(name)))
	return b.String()
}

// rowsInsert is the statement that adds a relation's rows to the row
// store (rowsView).
func rowsInsert(schema, name string, cols []string, rows [][]string) string {
	cols = duckColumns(schema, name, cols)
	names := make([]string, len(cols))
	casts := make([]string, len(cols))
	for i, c := range cols {
		n, typ, _ := strings.Cut(c, " ")
		names[i] = ident(n)
		casts[i] = fmt.Sprintf("CAST(v.%s AS %s)", ident(n), typ)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "INSERT INTO %s SELECT %s, json_array(%s) FROM (VALUES ", rowStore(schema), lit(schema+"."+ident(name)), strings.Join(casts, ", "))
	for i, r := range rows {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(" + strings.Join(r, ", ") + ")")
	}
	fmt.Fprintf(&b, ") v(%s)", strings.Join(names, ", "))
	return b.String()
}
