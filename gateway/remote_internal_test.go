package gateway

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	"github.com/meshgate/meshgate/connectors"
	"github.com/meshgate/meshgate/planner/catalog"
	"github.com/meshgate/meshgate/sqlstate"
)

// A port's contract drift is logged once, however many queries hit it.
func TestDriftLoggedOnce(t *testing.T) {
	var buf bytes.Buffer
	g := &Gateway{log: slog.New(slog.NewTextHandler(&buf, nil))}
	a := catalog.Address{Domain: "crm", Name: "customers"}
	drift := sqlstate.Wrap(&connectors.DriftError{Product: "crm.customers", Port: "pg", Column: "email", Declared: "VARCHAR", Actual: "INTEGER"},
		sqlstate.DatatypeMismatch, `contract drift on port pg of crm.customers: column "email" is declared VARCHAR but the source has INTEGER`)
	for i := 0; i < 3; i++ {
		g.noteDrift(a, drift)
	}
	g.noteDrift(a, sqlstate.New(sqlstate.UnableToConnect, "port is down")) // not drift: not logged here
	if n := strings.Count(buf.String(), "contract drift"); n != 1 {
		t.Fatalf("logged %d times:\n%s", n, buf.String())
	}
	if !strings.Contains(buf.String(), "column=email") {
		t.Fatalf("log line does not name the column: %s", buf.String())
	}
}
