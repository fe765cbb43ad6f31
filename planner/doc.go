// Package planner owns what happens to SQL text before it executes:
// splitting a query string into statements, classifying each (what is
// allowed at all), parsing session statements (SET, SHOW, BEGIN…) for the
// gateway, and checking read statements against the session's scope with
// DuckDB's own parser (json_serialize_sql): every table a statement names
// must resolve to a product the session may read, every table function
// must be on a short allow-list, and nothing internal may be named.
//
// Before parsing, PostgreSQL-only syntax is rewritten into DuckDB's
// (rewrite.go): casts (x::text is PostgreSQL's text form, varchar(n)
// truncates, char(n) is refused), SIMILAR TO patterns, and the calls whose
// meaning depends on their syntax, through the one table FunctionRewrites
// (functions.go, pgcalls.go, tochar.go: generate_series as a set with
// PostgreSQL's types, to_char/to_date/to_timestamp with literal formats,
// regexp_match(es), avg and sum of integers); what cannot be mapped is
// refused with 0A000. The macros these rewrites call live in
// gateway/pgcatalog.
//
// pgpush.go and pgpush_expr.go translate a read (DuckDB's syntax tree)
// into one PostgreSQL statement for statement pushdown: only constructs on
// an allow-list whose PostgreSQL meaning equals DuckDB's, every value a $n
// parameter, products and policy views written by the caller; anything
// else is ErrNotPushable.
//
// Lineage (lineage.go) derives, from the same syntax tree, which input
// columns each output column of a query is derived from and how
// (identity, expression, aggregate) and which decide its rows (filter,
// join), for products defined in SQL.
//
// The sub-package catalog owns product descriptors: loading, validation
// and the comparison of a port's real schema with its contract.
//
// The planner does not execute anything and knows nothing of the wire.
package planner
