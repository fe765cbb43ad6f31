package flight_test

import (
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/flight"
	"github.com/apache/arrow-go/v18/arrow/flight/flightsql"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/meshgate/meshgate/internal/servetest"
)

// Calls meshgate does not offer answer Unimplemented, 0A000 and a hint.
func testUnsupported(t *testing.T, s *servetest.Server) {
	fc := login(t, s, "analyst")
	for name, call := range map[string]func() error{
		"PollFlightInfo": func() error { _, err := fc.cl.ExecutePoll(fc.ctx, "SELECT 1", nil); return err },
		"Substrait": func() error {
			_, err := fc.cl.ExecuteSubstrait(fc.ctx, flightsql.SubstraitPlan{Plan: []byte{1}, Version: "0.1"})
			return err
		},
		"RenewFlightEndpoint": func() error {
			_, err := fc.cl.Client.RenewFlightEndpoint(fc.ctx, &flight.RenewFlightEndpointRequest{})
			return err
		},
	} {
		err := call()
		if status.Code(err) != codes.Unimplemented || !strings.Contains(err.Error(), "0A000") || !strings.Contains(err.Error(), "HINT: ") {
			t.Errorf("%s: %v, want Unimplemented 0A000 with a hint", name, err)
		}
	}
	fc.mustQuery(t, "SELECT 1") // the session is still fine
}

// Session options are the session's search_path and database, as ADBC's
// current schema and catalog: unqualified names then resolve as in psql
// after SET search_path.
func testSessionOptions(t *testing.T, s *servetest.Server) {
	fc, pc := login(t, s, "analyst"), s.PGConn(t, "analyst")
	opts, err := flight.NewSessionOptionValues(map[string]any{"schema": "sales", "catalog": "elsewhere", "colour": "blue"})
	if err != nil {
		t.Fatal(err)
	}
	res, err := fc.cl.SetSessionOptions(fc.ctx, &flight.SetSessionOptionsRequest{SessionOptions: opts})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Errors) != 2 || res.Errors["catalog"].GetValue() != flight.SetSessionOptionsResultErrorInvalidValue || res.Errors["colour"].GetValue() != flight.SetSessionOptionsResultErrorInvalidName {
		t.Fatalf("SetSessionOptions errors %v, want catalog invalid value and colour invalid name", res.Errors)
	}
	got, err := fc.cl.GetSessionOptions(fc.ctx, &flight.GetSessionOptionsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if got.SessionOptions["schema"].GetStringValue() != "sales" || got.SessionOptions["catalog"].GetStringValue() != servetest.PGRows(t, pc, "SELECT current_database()")[0] {
		t.Fatalf("GetSessionOptions %v", got.SessionOptions)
	}
	const q = "SELECT customer_id::varchar, country_code FROM customers ORDER BY 1"
	_, rows := fc.mustQuery(t, q)
	if _, err := pc.Exec(fc.ctx, "SET search_path TO sales"); err != nil {
		t.Fatal(err)
	}
	same(t, "after the schema option", rows, servetest.PGRows(t, pc, q))
}
