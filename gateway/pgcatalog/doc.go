// Package pgcatalog builds the PostgreSQL system catalog a client sees in
// its session: pg_catalog relations (pg_namespace, pg_class, pg_attribute,
// pg_type with PostgreSQL's OIDs, pg_description, …), information_schema
// views, and the functions clients call (version(), format_type(),
// pg_table_is_visible(), current_setting(), …).
//
// Everything is generated per session from the products that session may
// read, as DuckDB statements run in the session's own catalog (schemas
// planner.CompatPG and planner.CompatIS, macros in its main schema). The
// planner rewrites references to pg_catalog and information_schema to those
// schemas, so catalog queries list exactly the session's products: nothing
// of other sessions, nothing internal.
//
// Columns are declared with DuckDB types, or with PostgreSQL's name where
// DuckDB has no such type (name, "char", regproc, int2vector, oidvector,
// information_schema's varchar): coltypes.go stores them as the DuckDB
// type that carries their values and tells the gateway their OIDs for
// RowDescription.
//
// PostgreSQL functions and operators that DuckDB names or means
// differently are macros of one table (pgfunctions.go, pgsemantics.go)
// that shadow DuckDB's: division by zero is 22012, round() of a float is
// half to even, lengths are integers, and so on. Their answers are
// compared with PostgreSQL 15 by gateway's semantics corpus.
package pgcatalog
