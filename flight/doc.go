// Package flight is meshgate's Arrow Flight SQL front door (arrow-go's
// flightsql server). It only translates: every statement goes through
// gateway/frontdoor.go, so a Flight client gets the same login (access
// rules, throttle, SCRAM verifiers), the same session (grants, masks, row
// filters, connection limits, statement_timeout), the same refusals (the
// SQLSTATE and sentence pgwire sends, in a gRPC status) and the same audit
// records (protocol flight) as a psql client, and Arrow batches exactly as
// DuckDB produced them.
//
// The handshake takes HTTP Basic credentials and answers a bearer token
// (auth.go); each token owns one gateway session, which CloseSession ends,
// and expires after an idle and an absolute lifetime; its session options
// are the session's search_path and database (options.go). Calls not
// offered (Substrait, PollFlightInfo, RenewFlightEndpoint) answer 0A000
// with what to use instead (unsupported.go). Tickets and prepared-statement handles are
// looked up in the token's own session, so another user's token cannot
// redeem them (statements.go). Catalog calls run the session's own
// information_schema queries, so a client sees in GetTables just what SQL
// shows it (metadata.go); GetPrimaryKeys adds the descriptors' primaryKey
// columns of those tables when the session may read all of them (keys.go).
// A DoPut of several parameter rows runs the statement once per row, the
// results one after another (executemany; stream.go). Flight transactions
// are the session's read-only transaction block (transactions.go).
// CancelFlightInfo and a client that goes away cancel the running
// statement's context, which stops DuckDB and any port fetch. DoGet joins
// DuckDB's 2048-row chunks into 64K-row batches and keeps two ready while
// gRPC sends (stream.go).
package flight
