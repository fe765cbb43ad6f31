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
//
// Statement pushdown (pushdown.go, pushdown_explain.go): when every
// product of a checked and verified read is a live postgres port of one
// source, the read is translated (planner.PushStatement) with each
// product as its policy relation for the session, and the source's rows
// are streamed under the prepared statement's schema instead of the
// engine's; a statement the source refuses runs in the engine.
// meshgate.pushdown (serve -pushdown) turns it off.
//
// The result cache sits in that one path (cacheread.go), so every front
// door shares it: an execution whose key (cachekey.go: the statement, its
// parameters, the effective policy view and data version of every product
// read, the result-changing settings) has a complete answer is served from
// its Arrow batches (resultcache.go), audited as cached; anything DuckDB's
// bound plan shows to be volatile is never cached.
package gateway
