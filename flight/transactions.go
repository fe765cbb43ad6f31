package flight

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow/flight/flightsql"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Flight SQL transactions are the session's own transaction block: BEGIN
// READ ONLY, COMMIT and ROLLBACK run through the gateway as a pgwire
// client's would (the same audit records; a write inside is refused with
// pgwire's SQLSTATE, and the block is then failed until it ends, as in
// PostgreSQL). A token's session holds one transaction at a time.
// Savepoints are not offered (GetSqlInfo says so).

var errSavepoints = status.Error(codes.Unimplemented, "savepoints are not supported over Flight SQL (SQLSTATE 0A000)\nHINT: End the transaction with EndTransaction (ROLLBACK) instead; the PostgreSQL port offers SAVEPOINT.")

// inTransaction checks a statement's transaction id: none, or the one
// open on the call's session.
func (t *token) inTransaction(id []byte) error {
	if len(id) == 0 {
		return nil
	}
	t.mu.Lock()
	open := t.tx
	t.mu.Unlock()
	if open == "" || open != string(id) {
		return status.Error(codes.InvalidArgument, "the transaction is not open on this session (SQLSTATE 25P01)\nHINT: Begin one with BeginTransaction on the same bearer token; EndTransaction ends it.")
	}
	return nil
}

// BeginTransaction opens a read-only transaction on the session.
func (s *Server) BeginTransaction(ctx context.Context, _ flightsql.ActionBeginTransactionRequest) ([]byte, error) {
	t := fromContext(ctx)
	t.mu.Lock()
	open := t.tx != ""
	t.mu.Unlock()
	if open {
		return nil, status.Error(codes.FailedPrecondition, "there is already a transaction in progress on this session (SQLSTATE 25001)\nHINT: End it with EndTransaction first; a second handshake gives a second session.")
	}
	if _, err := s.update(ctx, "BEGIN READ ONLY"); err != nil {
		return nil, err
	}
	id := newHandleID()
	t.mu.Lock()
	t.tx = id
	t.mu.Unlock()
	return []byte(id), nil
}

// EndTransaction commits or rolls back the session's transaction (a
// failed one rolls back, as COMMIT does in PostgreSQL).
func (s *Server) EndTransaction(ctx context.Context, req flightsql.ActionEndTransactionRequest) error {
	t := fromContext(ctx)
	if len(req.GetTransactionId()) == 0 {
		return status.Error(codes.InvalidArgument, "EndTransaction needs the transaction id BeginTransaction returned (SQLSTATE 25P01)")
	}
	if err := t.inTransaction(req.GetTransactionId()); err != nil {
		return err
	}
	var sql string
	switch req.GetAction() {
	case flightsql.EndTransactionCommit:
		sql = "COMMIT"
	case flightsql.EndTransactionRollback:
		sql = "ROLLBACK"
	default:
		return status.Error(codes.InvalidArgument, "EndTransaction needs an action: commit or rollback")
	}
	_, err := s.update(ctx, sql)
	if err == nil {
		t.mu.Lock()
		t.tx = ""
		t.mu.Unlock()
	}
	return err
}

// BeginSavepoint is refused: savepoints are not offered over Flight SQL.
func (s *Server) BeginSavepoint(context.Context, flightsql.ActionBeginSavepointRequest) ([]byte, error) {
	return nil, errSavepoints
}

// EndSavepoint is refused: no savepoint was ever begun.
func (s *Server) EndSavepoint(context.Context, flightsql.ActionEndSavepointRequest) error {
	return errSavepoints
}
