// Package redteam attacks the real meshgate binary the way an attacker
// would (issue 11), and checks it with a differential oracle. It holds
// tests only; `make test` runs them (test-go: go test ./...).
//
// # The gateway under test
//
// The tests start bin/meshgate (run `make build demo` first; the tests
// fail with that advice when the binary or the demo data is missing) once
// per test process, from the repository root, on a free loopback port:
// the demo mesh, users and policies, a fixed -mask-key-file, TLS from
// `meshgate cert` (the demo admin may only connect over TLS) and an
// -audit-file in a temporary directory that the tests read back.
//
// # TestRedTeam
//
// attacks_test.go is the table of attack statements of the EU analyst:
// CTE forward references and WITH RECURSIVE self-references without UNION
// naming port files and DuckDB system views, system views and catalog
// table functions, catalog-qualified scalar functions (system.main.…,
// memory.main.…, a quoted "pg_catalog"), file table functions and
// replacement scans, internal schemas and catalogs and other sessions'
// catalogs, "Did you mean" and value-echoing error oracles, EXPLAIN
// ANALYZE on row-filtered products, settings, ATTACH, COPY to files,
// INSTALL/LOAD, SQL PREPARE/EXECUTE, USE, CALL, PRAGMA, multi-statement
// strings and cursors — and reads of granted products that must be
// answered masked and filtered. channels_test.go runs each statement over
// every channel that applies: simple protocol, pgx exec and
// statement-cache modes, a named protocol-level prepared statement, SQL
// PREPARE/EXECUTE, DECLARE … CURSOR + FETCH, COPY (…) TO STDOUT, EXPLAIN,
// EXPLAIN (FORMAT JSON), "select 1; <attack>" through the simple protocol
// and through the extended one. Each run must
//
//   - leak nothing (leak_test.go): no clear pii, no raw supplier name, no
//     mask key, no internal name the client did not write itself (sess_N,
//     memory., mg_secret, mg$…, port_…, ports., domain__product, mg_…,
//     port file names, server paths) in rows, tags, notices, errors,
//     details or hints; no customer outside the analyst's row filter;
//   - be refused with one of the SQLSTATEs the attack documents (42501
//     for policy refusals; never XX000), or, where an answer is
//     acceptable, answer what the policy grants;
//   - leave the session working (select after the attack);
//   - leave an audit record of the statement, refused ones and those
//     refused at Parse included, with the SQLSTATE the client got, and for
//     answered reads of products the products and columns read.
//
// Failures start with their category (LEAK, NOT-REFUSED, SQLSTATE,
// WRONG-ANSWER, AUDIT, CONNECTION); the test logs a summary of the
// failing attacks and channels at the end, and writes it to the file
// named by REDTEAM_REPORT when set:
//
//	REDTEAM_REPORT=/tmp/redteam.txt go test -tags duckdb_arrow -count=1 -run TestRedTeam ./test/redteam
//
// # TestOracle and FuzzOracle
//
// oracle_gen_test.go generates random queries over the products a user is
// granted (columns and DuckDB types read through meshgate): joins on
// keys, LATERAL, CTEs with backward and forward references, WITH
// RECURSIVE with and without UNION, scalar, IN, EXISTS and correlated
// subqueries, set operations, window functions, aggregates, quoted and
// case-folded names; every output column is cast to STRING (DuckDB's text form; VARCHAR and TEXT are PostgreSQL's through meshgate). A few
// percent are hostile (a forward or recursive self-reference naming a
// port file or a system view). oracle_test.go materialises, for analyst,
// steward and admin, SELECT * of every granted product (meshgate.* aside,
// it changes as the audit grows) into a plain in-memory DuckDB with the
// same domain.product names, external access disabled, and runs each
// query on both sides. meshgate's answer must equal DuckDB's as a sorted
// multiset of rows (text, NULL distinguished, floats within 1e-9), or
// meshgate refuses; answering where DuckDB fails is a difference. More
// than 20 % refusals of valid queries fail the test too (a gateway that
// refuses everything is useless), as do more than 25 % queries invalid
// on both sides (a broken generator).
//
// TestOracle runs 300 queries per user (REDTEAM_ORACLE_N changes it); a
// few seconds per user. For longer runs, fuzz (the corpus seeds are in
// testdata/fuzz/FuzzOracle; each input seeds one query for one user):
//
//	go test -tags duckdb_arrow -run XXX -fuzz FuzzOracle -fuzztime 10m ./test/redteam
//
// or a larger bounded run:
//
//	REDTEAM_ORACLE_N=5000 go test -tags duckdb_arrow -count=1 -run TestOracle ./test/redteam
//
// A failing fuzz input is written under testdata/fuzz/FuzzOracle; add it
// to the commit that fixes the defect it found.
package redteam
