package flight_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/flight"
	"github.com/apache/arrow-go/v18/arrow/flight/flightsql"
	pb "github.com/apache/arrow-go/v18/arrow/flight/gen/flight"
	"github.com/jackc/pgx/v5/pgconn"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"

	"github.com/meshgate/meshgate/internal/servetest"
)

// pgError runs sql on a pgx connection and returns its error sentence as
// Flight carries it ("… (SQLSTATE …)").
func pgError(t *testing.T, pc interface {
	Exec(context.Context, string, ...any) (pgconn.CommandTag, error)
}, sql string) string {
	t.Helper()
	_, err := pc.Exec(context.Background(), sql)
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		t.Fatalf("%s: pgx answered %v, want an error", sql, err)
	}
	return fmt.Sprintf("%s (SQLSTATE %s)", pe.Message, pe.Code)
}

// inTxn asks for a query's FlightInfo in transaction id as a raw
// CommandStatementQuery (arrow-go's client refuses stale ids itself).
func inTxn(t *testing.T, c *conn, id flightsql.Transaction, query string) error {
	t.Helper()
	cmd, err := anypb.New(&pb.CommandStatementQuery{Query: query, TransactionId: id})
	if err != nil {
		t.Fatal(err)
	}
	b, err := proto.Marshal(cmd)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.cl.Client.GetFlightInfo(c.ctx, &flight.FlightDescriptor{Type: flight.DescriptorCMD, Cmd: b})
	return err
}

// Flight SQL transactions are the session's read-only transaction block:
// reads run in it under the same policy; a write in it gets pgwire's
// refusal and fails the block as in PostgreSQL, until it is rolled back.
func testTransactions(t *testing.T, s *servetest.Server) {
	fc, pc := login(t, s, "analyst"), s.PGConn(t, "analyst")
	info, err := fc.cl.GetSqlInfo(fc.ctx, []flightsql.SqlInfo{flightsql.SqlInfoFlightSqlServerTransaction})
	if err != nil {
		t.Fatal(err)
	}
	if _, rows, err := fc.read(t, info); err != nil || len(rows) != 1 || !strings.HasSuffix(rows[0], fmt.Sprintf(",%d]", flightsql.SqlTransactionTransaction)) { // a dense union: [type, value]
		t.Fatalf("GetSqlInfo transactions: %v %v, want transactions without savepoints", rows, err)
	}

	const q = "SELECT customer_id::varchar, name, country_code FROM sales.customers ORDER BY 1"
	tx, err := fc.cl.BeginTransaction(fc.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fc.cl.BeginTransaction(fc.ctx); status.Code(err) != codes.FailedPrecondition || !strings.Contains(err.Error(), "25001") {
		t.Fatalf("a second transaction on the session: %v, want FailedPrecondition 25001", err)
	}
	info, err = tx.Execute(fc.ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	_, got, err := fc.read(t, info)
	if err != nil {
		t.Fatal(err)
	}
	same(t, "a read in the transaction", got, servetest.PGRows(t, pc, q))
	ps, err := tx.Prepare(fc.ctx, "SELECT count(*)::varchar FROM sales.orders")
	if err != nil {
		t.Fatal(err)
	}
	ps.Close(fc.ctx)
	if _, err := tx.BeginSavepoint(fc.ctx, "a"); status.Code(err) != codes.Unimplemented || !strings.Contains(err.Error(), "0A000") {
		t.Fatalf("a savepoint: %v, want Unimplemented 0A000", err)
	}
	// Another session's transaction is not this session's.
	other := login(t, s, "analyst")
	if err := inTxn(t, other, tx.ID(), q); status.Code(err) != codes.InvalidArgument || !strings.Contains(err.Error(), "25P01") {
		t.Fatalf("another session's transaction id: %v, want InvalidArgument 25P01", err)
	}
	id := tx.ID()
	if err := tx.Commit(fc.ctx); err != nil {
		t.Fatal(err)
	}
	if err := inTxn(t, fc, id, q); status.Code(err) != codes.InvalidArgument || !strings.Contains(err.Error(), "25P01") {
		t.Fatalf("a statement in a committed transaction: %v, want InvalidArgument 25P01", err)
	}

	// A write inside: pgwire's refusal, then the failed block's error, as
	// psql gets them in BEGIN READ ONLY.
	const write = "INSERT INTO sales.orders VALUES (1)"
	if _, err := pc.Exec(context.Background(), "BEGIN READ ONLY"); err != nil {
		t.Fatal(err)
	}
	wantWrite := pgError(t, pc, write)
	wantFailed := pgError(t, pc, "SELECT 1")
	if _, err := pc.Exec(context.Background(), "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
	tx, err = fc.cl.BeginTransaction(fc.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecuteUpdate(fc.ctx, write); err == nil || !strings.HasPrefix(status.Convert(err).Message(), wantWrite) {
		t.Fatalf("a write in the transaction: %v, want %q", err, wantWrite)
	}
	_, err = tx.Execute(fc.ctx, "SELECT 1")
	if err == nil || !strings.HasPrefix(status.Convert(err).Message(), wantFailed) {
		t.Fatalf("a read after the refused write: %v, want %q", err, wantFailed)
	}
	if err := tx.Rollback(fc.ctx); err != nil {
		t.Fatal(err)
	}
	if _, rows := fc.mustQuery(t, "SELECT 3"); len(rows) != 1 || rows[0] != "3" {
		t.Fatalf("after the rollback: %v", rows)
	}
}
