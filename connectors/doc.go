// Package connectors owns the output ports meshgate reads remotely: one
// connector per port kind (PostgreSQL tables, HTTP APIs), each producing
// Arrow record streams in the product's declared schema and applying the
// pushdown it supports (columns, predicates, limit).
//
// File ports (Parquet, CSV, JSON, DuckDB files) are not here: DuckDB scans
// them natively (engine). The engine materialises a connector's stream
// into a table before DuckDB reads it (ARCHITECTURE.md fact 1), so
// pushdown is an optimisation only: a connector may return more rows than
// the predicates select, never fewer, and DuckDB applies the whole query
// again.
package connectors
