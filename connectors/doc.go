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
//
// # Opening
//
// Open(ctx, product, port, secrets) returns the connector of a postgres or
// http port (see planner/catalog for the descriptor options). It resolves
// the credentials (NewSecrets: env:NAME and file:PATH#key, a file path of
// a descriptor being relative to the descriptor) but does not connect, so
// a source that is down fails the scans of its product only.
//
// # PostgreSQL ports
//
// A pgx pool per port (pool_max). Scan prepares
//
//	SELECT "c1", "c2" FROM "schema"."table" WHERE "c" = $1::int8 AND ... LIMIT $n::int8
//
// (identifiers quoted with pgx.Identifier.Sanitize, every value a $n
// parameter cast to the declared type; string ranges compare COLLATE "C",
// DuckDB's order; FLOAT, JSON, BLOB and list columns are not compared at
// the source; the LIMIT only when every predicate was pushed), checks the
// RowDescription's types against the declaration (catalog.RemoteCompatible),
// then executes it with binary results, decoded per OID into Arrow builders
// BatchRows rows at a time as the reader is consumed. Releasing the
// reader early, or canceling ctx, sends a cancel request so the source
// query stops. Types: see ArrowSchema.
//
// A postgres port is also a Pusher (pgpush.go): it runs a whole statement
// written by the gateway (statement pushdown) once it has checked that its
// source compares text as DuckDB does (collation C or POSIX, no char(n))
// and that every declared column has exactly the source's type; a
// statement the source refuses to prepare is ErrPushRefused.
//
// # HTTP ports
//
// Scan fetches the first page before it returns (so a source that is
// down or refuses answers at once), then streams rows from a goroutine:
// each row is checked against every declared column (present, JSON type,
// range; strict refuses undeclared fields; null in a required column is
// an error). Predicates become query parameters only through the port's
// filters option (for "="); the limit applies when all were pushed.
//
// # Errors
//
// All errors are *sqlstate.Error naming the port and product:
//
//	08001  the source cannot be reached (refused, unreachable, timed out
//	       connecting, HTTP status other than 2xx on the first page)
//	08004  the source refused meshgate's credentials (PostgreSQL 28xxx,
//	       HTTP 401/403)
//	08006  the connection was lost during the scan
//	57014  ctx was canceled or its deadline passed (the source query is
//	       canceled), or the source canceled the query
//	42703  contract drift: a declared column is missing from the source
//	42804  contract drift: a type differs (PostgreSQL RowDescription, a
//	       JSON value of the wrong kind, an Arrow field type), or a strict
//	       http port sent an undeclared field
//	42P01  the source table does not exist
//	22xxx  a value that cannot be represented (out of range, infinity, bad
//	       date text) or invalid JSON
//	54000  max_pages or max_bytes exceeded
//	F0000  the port cannot be configured (missing secret, bad option)
//
// Drift errors start with "contract drift on port NAME of DOMAIN.PRODUCT:"
// and wrap a *DriftError (errors.As) with the column and both types.
package connectors
