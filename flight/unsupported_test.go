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
		"SetSessionOptions": func() error {
			_, err := fc.cl.SetSessionOptions(fc.ctx, &flight.SetSessionOptionsRequest{})
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
