package pgcatalog

import (
	"strings"
	"sync"

	"github.com/meshgate/meshgate/planner"
)

// Catalog columns are declared with DuckDB types, except where PostgreSQL
// gives the column a type DuckDB has no equivalent of: those are declared
// with PostgreSQL's (lower-case) name, stored as the DuckDB type that
// carries their values, and described to clients with PostgreSQL's type
// OID (ColumnTypeOID), so a result column that reads one (pg_class.relname,
// pg_type.typtype) is a name or a "char" as in PostgreSQL. oid columns are
// UINTEGER, which the wire layer presents as oid.
var pgOnlyTypes = map[string]struct {
	duck string
	oid  uint32
}{
	"name":       {"VARCHAR", 19},
	"char":       {"VARCHAR", 18},
	"regproc":    {"VARCHAR", 24},
	"int2vector": {"SMALLINT[]", 22},
	"oidvector":  {"UINTEGER[]", 30},
	// information_schema's character_data and yes_or_no are varchar;
	// its sql_identifier columns are names.
	"varchar": {"VARCHAR", 1043},
}

// columnTypes holds the PostgreSQL-only column types of the catalog
// relations built so far: "schema.relation.column" → type OID (schema
// pg_catalog or information_schema).
var columnTypes sync.Map

// duckColumns returns the DuckDB declarations of the "name TYPE" columns
// of a relation of schema (a session's or the shared catalog schema) and
// records the PostgreSQL-only types among them.
func duckColumns(schema, relation string, cols []string) []string {
	pgSchema := "pg_catalog"
	if schema == StaticIS || strings.HasSuffix(schema, ident(planner.CompatIS)) {
		pgSchema = "information_schema"
	}
	out := make([]string, len(cols))
	names := make([]string, len(cols))
	for i, c := range cols {
		n, typ, _ := strings.Cut(c, " ")
		names[i] = strings.ToLower(strings.Trim(n, `"`))
		t, ok := pgOnlyTypes[typ]
		if !ok {
			out[i] = c
			continue
		}
		out[i] = n + " " + t.duck
		columnTypes.Store(pgSchema+"."+relation+"."+n, t.oid)
	}
	relationColumns.Store(pgSchema+"."+relation, names)
	return out
}

// relationColumns holds the column names of the catalog relations built
// so far, in order: "schema.relation" → []string.
var relationColumns sync.Map

// RelationColumns are the columns of a pg_catalog or information_schema
// relation, in order (what its * expands to); ok false when it is not
// one this package builds.
func RelationColumns(schema, relation string) ([]string, bool) {
	v, ok := relationColumns.Load(schema + "." + relation)
	if !ok {
		return nil, false
	}
	return v.([]string), true
}

// ColumnTypeOID is the PostgreSQL type OID of a column of a pg_catalog or
// information_schema relation where DuckDB's type does not say it (name,
// "char", regproc, int2vector, oidvector, varchar).
func ColumnTypeOID(schema, relation, column string) (uint32, bool) {
	v, ok := columnTypes.Load(schema + "." + relation + "." + column)
	if !ok {
		return 0, false
	}
	return v.(uint32), true
}

// functionTypes are the result types of the session functions PostgreSQL
// declares as name (or void), which the macros answer as text.
var functionTypes = map[string]uint32{"current_schema": 19, "current_user": 19, "session_user": 19, "current_role": 19,
	"user": 19, "current_catalog": 19, "current_database": 19, "pg_client_encoding": 19, "getdatabaseencoding": 19,
	// void: its one value is '' in text and binary alike.
	"pg_advisory_unlock_all": 2278}

// FunctionTypeOID is the PostgreSQL result type of a session function
// whose macro's DuckDB type does not say it.
func FunctionTypeOID(name string) (uint32, bool) {
	oid, ok := functionTypes[name]
	return oid, ok
}
