// Package libpq is the lib/pq (github.com/lib/pq, database/sql) client
// scenario of meshgate: the real binary is started over the demo mesh
// (internal/servetest) and every answer lib/pq reads is compared with the
// one pgx reads for the same user over the same statement (text form),
// including masks, row filters, refusals and their SQLSTATEs.
//
//	go test -tags duckdb_arrow ./test/clients/libpq   (after make build demo)
package libpq
