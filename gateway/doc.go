// Package gateway owns the client's SQL session: it admits a connection
// (Open), keeps the session's settings and transaction state, answers the
// session statements itself (SET, SHOW, RESET, BEGIN/COMMIT/ROLLBACK,
// SAVEPOINT/RELEASE/ROLLBACK TO, DISCARD, DEALLOCATE, UNLISTEN, cursors)
// and sends every read statement through the planner's checks to the
// engine.
//
// The PostgreSQL wire protocol lives in the sub-package pgwire, which
// knows nothing of SQL: it drives the interfaces this package implements
// (pgwire.Handler, pgwire.Session, pgwire.Statement, pgwire.Portal).
//
// Following one query: pgwire/conn.go reads a Query message → Session.Parse
// (session.go) splits and classifies it (planner.Split, planner.Classify),
// checks a read against the session's products (planner.CheckRead) and
// prepares it in the engine (engine.Session.Prepare) → Statement.Bind →
// Portal.Execute streams Arrow batches that pgwire encodes as DataRows.
package gateway
