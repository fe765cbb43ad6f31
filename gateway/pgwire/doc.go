// Package pgwire owns meshgate's PostgreSQL v3 wire protocol: the listener
// and accept loop, the startup phase (TLS, GSS refusal, protocol version
// negotiation, CancelRequest), the simple and extended query protocols, the
// encoding of Arrow record batches as DataRow and COPY TO STDOUT messages in
// PostgreSQL's text and binary formats, the decoding of Bind parameters, and
// the mapping of errors to ErrorResponse.
//
// The package knows nothing of SQL: it never looks into query text. What a
// statement means, which rows it yields and how a session's transaction
// state evolves is decided by the Handler, Session, Statement and Portal
// interfaces in handler.go, which the gateway package implements.
//
// Files, by concern:
//
//	server.go        listener, accept loop, cancel registry, shutdown
//	replica.go       replica IDs in process IDs, forwarding cancels to peers
//	conn.go          one connection's state machine, by protocol phase
//	simple.go        the simple query protocol (Query)
//	extended.go      the extended query protocol (Parse/Bind/Describe/Execute/Close/Sync)
//	cursors.go       SQL cursors as portals and portals as cursors (one namespace)
//	copy.go          COPY ... TO STDOUT (text and CSV)
//	types.go         Arrow type → PostgreSQL type OID/size/typmod
//	encode_text.go   PostgreSQL text output functions over Arrow arrays
//	encode_binary.go PostgreSQL binary send functions over Arrow arrays
//	params.go        decoding of Bind parameter values
//	rows.go          streaming record batches as DataRows, Execute row limits
//	encode_json.go   structs, maps and nested lists as JSON text
//	errors.go        ErrorResponse/NoticeResponse mapping
//	writer.go        the connection's single buffered writer
//	tls.go           TLS (SSLRequest and direct), idle-session timeouts
package pgwire
