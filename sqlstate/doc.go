// Package sqlstate owns the errors a client sees: a PostgreSQL SQLSTATE code
// with a message a human can act on, an optional detail and hint.
//
// Every room (planner, engine, auth, connectors) returns *sqlstate.Error for
// anything the client caused or should know about; the wire layer turns it
// into an ErrorResponse. Any other error reaching the wire is reported as
// XX000 internal_error without its text, so internals never leak.
package sqlstate
