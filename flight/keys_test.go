package flight_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/flight"
	"github.com/apache/arrow-go/v18/arrow/flight/flightsql"
	"github.com/apache/arrow-go/v18/arrow/flight/flightsql/schema_ref"

	"github.com/meshgate/meshgate/internal/servetest"
)

// keyPolicy grants the steward all of sales, the analyst sales.orders
// without its key column, the admin nothing.
const keyPolicy = `apiVersion: meshgate/v1
kind: FederationPolicy
grants:
  - id: stewards-read-sales
    subjects: {users: [steward]}
    products: ["sales.*"]
  - id: analyst-reads-orders-without-the-key
    subjects: {users: [analyst]}
    products: [sales.orders]
    exceptColumns: [order_id]
`

// GetPrimaryKeys answers the descriptors' primaryKey columns of the tables
// the session may read, only when it may read every key column; the
// foreign-key calls are empty (descriptors declare none).
func TestFlightKeys(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "federation.yaml"), []byte(keyPolicy), 0o600); err != nil {
		t.Fatal(err)
	}
	s := servetest.Start(t, "..", "-policies", dir)
	sales, orders := "sales", "orders"
	keys := func(c *conn, ref flightsql.TableRef) []string {
		t.Helper()
		info, err := c.cl.GetPrimaryKeys(c.ctx, ref)
		if err != nil {
			t.Fatal(err)
		}
		sc, rows, err := c.read(t, info)
		if err != nil {
			t.Fatal(err)
		}
		if !sc.Equal(schema_ref.PrimaryKeys) {
			t.Fatalf("GetPrimaryKeys schema %v", sc)
		}
		return rows
	}
	steward, analyst, admin := login(t, s, "steward"), login(t, s, "analyst"), login(t, s, "admin")
	want := servetest.PGRows(t, s.PGConn(t, "steward"), "SELECT current_database()")[0] + "|sales|orders|order_id|1|orders_pkey"
	for _, ref := range []flightsql.TableRef{{Table: orders}, {DBSchema: &sales, Table: orders}} {
		if got := keys(steward, ref); strings.Join(got, "\n") != want {
			t.Fatalf("the steward's key of sales.orders: %v, want %s", got, want)
		}
	}
	if got := keys(steward, flightsql.TableRef{Table: "customers"}); len(got) != 0 {
		t.Fatalf("sales.customers declares no key: %v", got)
	}
	// The analyst reads orders without order_id: no key, not half of one;
	// the admin has no grant: an ungranted table has no key either.
	if got := keys(analyst, flightsql.TableRef{Table: orders}); len(got) != 0 {
		t.Fatalf("the analyst, without order_id, sees the key %v", got)
	}
	if got := keys(admin, flightsql.TableRef{DBSchema: &sales, Table: orders}); len(got) != 0 {
		t.Fatalf("the admin, without a grant, sees the key %v", got)
	}
	if got := keys(steward, flightsql.TableRef{Table: "no_such_table"}); len(got) != 0 {
		t.Fatalf("an unknown table: %v", got)
	}
	ref := flightsql.TableRef{DBSchema: &sales, Table: orders}
	for name, call := range map[string]func() (*flight.FlightInfo, error){
		"GetExportedKeys":   func() (*flight.FlightInfo, error) { return steward.cl.GetExportedKeys(steward.ctx, ref) },
		"GetImportedKeys":   func() (*flight.FlightInfo, error) { return steward.cl.GetImportedKeys(steward.ctx, ref) },
		"GetCrossReference": func() (*flight.FlightInfo, error) { return steward.cl.GetCrossReference(steward.ctx, ref, ref) },
	} {
		info, err := call()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		sc, rows, err := steward.read(t, info)
		if err != nil || len(rows) != 0 || !sc.Equal(schema_ref.ImportedExportedKeysAndCrossReference) {
			t.Fatalf("%s: %v rows, schema %v, %v", name, rows, sc, err)
		}
	}
}
