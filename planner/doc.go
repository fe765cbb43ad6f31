// Package planner owns what happens to SQL text before it executes:
// splitting a query string into statements, classifying each (what is
// allowed at all), parsing session statements (SET, SHOW, BEGIN…) for the
// gateway, and checking read statements against the session's scope with
// DuckDB's own parser (json_serialize_sql): every table a statement names
// must resolve to a product the session may read, every table function
// must be on a short allow-list, and nothing internal may be named.
//
// The sub-package catalog owns product descriptors: loading, validation
// and the comparison of a port's real schema with its contract.
//
// The planner does not execute anything and knows nothing of the wire.
package planner
