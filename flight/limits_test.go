package flight_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/flight"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/meshgate/meshgate/internal/servetest"
)

// A Flight session has the user's limits: statement_timeout stops a long
// query with pgwire's 57014, and the user's connection_limit counts Flight
// sessions with pgwire connections (53300 past it, as psql is told);
// CloseSession frees the slot at once.
func TestFlightLimits(t *testing.T) {
	s := servetest.Start(t, "..")
	ctx := context.Background()
	pc := s.PGConn(t, "steward") // one of the steward's 10 connections
	const long = "SELECT count(*) FROM range(100000000000)"
	if _, err := pc.Exec(ctx, "SET statement_timeout = '300ms'"); err != nil {
		t.Fatal(err)
	}
	wantTimeout := pgError(t, pc, long)
	fc := login(t, s, "steward") // the second
	if _, err := fc.cl.ExecuteUpdate(fc.ctx, "SET statement_timeout = '300ms'"); err != nil {
		t.Fatal(err)
	}
	_, _, err := fc.query(t, long)
	if err == nil || !strings.HasPrefix(status.Convert(err).Message(), wantTimeout) {
		t.Fatalf("statement_timeout over Flight: %v, want %q", err, wantTimeout)
	}

	var open []*conn
	for i := 0; i < 8; i++ { // the third to the tenth
		open = append(open, login(t, s, "steward"))
	}
	_, err = dial(t, s, "steward", servetest.Password("steward"))
	host, port, _ := net.SplitHostPort(s.PG)
	_, pgErr := pgx.Connect(ctx, fmt.Sprintf("host=%s port=%s user=steward password=%s dbname=mesh sslmode=require", host, port, servetest.Password("steward")))
	var pe *pgconn.PgError
	if !errors.As(pgErr, &pe) || pe.Code != "53300" {
		t.Fatalf("an 11th pgwire connection: %v, want 53300", pgErr)
	}
	if want := pe.Message + " (SQLSTATE 53300)"; status.Code(err) != codes.ResourceExhausted || !strings.HasPrefix(status.Convert(err).Message(), want) {
		t.Fatalf("an 11th session over Flight: %v, want ResourceExhausted %q", err, want)
	}
	if _, err := open[0].cl.CloseSession(open[0].ctx, &flight.CloseSessionRequest{}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := open[0].query(t, "SELECT 1"); status.Code(err) != codes.Unauthenticated {
		t.Fatalf("the closed session's token: %v, want Unauthenticated", err)
	}
	login(t, s, "steward").mustQuery(t, "SELECT 1")
}
