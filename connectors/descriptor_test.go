package connectors_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshgate/meshgate/connectors"
	"github.com/meshgate/meshgate/connectors/pgtest"
	"github.com/meshgate/meshgate/planner/catalog"
	"github.com/meshgate/meshgate/sqlstate"
)

// TestPostgresDescriptor reads the example descriptor of
// testdata/federation, whose password comes from the secrets file next to
// it, from a role that must authenticate with that password.
func TestPostgresDescriptor(t *testing.T) {
	c := pgtest.Shared(t)
	c.Exec(t, `DROP SCHEMA IF EXISTS crm CASCADE`, `DROP ROLE IF EXISTS meshgate_reader`,
		`CREATE ROLE meshgate_reader LOGIN PASSWORD 'example-not-a-real-password'`,
		`CREATE SCHEMA crm`, `GRANT USAGE ON SCHEMA crm TO meshgate_reader`,
		`CREATE TABLE crm.customers (id int8 NOT NULL, email text, country_code char(2), signed_up_at timestamptz,
			lifetime_value numeric(12,2), tags text[], external_id uuid, profile jsonb)`,
		`INSERT INTO crm.customers VALUES (1, 'a@example.com', 'DE', now(), 10.5, '{vip}', gen_random_uuid(), '{"x": 1}'), (2, NULL, 'FR', NULL, NULL, NULL, NULL, NULL)`,
		`GRANT SELECT ON crm.customers TO meshgate_reader`)
	c.RequirePassword(t, "meshgate_reader")
	m, problems := catalog.Load("../testdata/federation")
	if len(problems) != 0 {
		t.Fatal(problems)
	}
	p := m.Product("sales", "customers")
	port := &p.Ports[0]
	port.Options["port"] = fmt.Sprint(c.Port)
	port.Options["database"] = "postgres"
	conn := openPG(t, p, port)
	_, n := scanAll(t, conn, connectors.Request{Columns: []string{"customer_id", "email", "country_code"}, Limit: -1,
		Filters: []connectors.Predicate{{Column: "country_code", Op: connectors.OpIn, Values: []any{"DE", "FR"}}}})
	if n != 2 {
		t.Errorf("%d rows", n)
	}
	cols, err := conn.Describe(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if problems := catalog.CompareSchema(p, port, cols); len(problems) != 0 {
		t.Errorf("CompareSchema: %v", problems)
	}

	// A wrong password: the source refuses the connection.
	secrets := t.TempDir()
	t.Setenv("WRONG_PW", "nope")
	port.Options["password_secret"] = "env:WRONG_PW"
	bad, err := connectors.Open(context.Background(), p, port, connectors.NewSecrets(secrets))
	if err != nil {
		t.Fatal(err)
	}
	defer bad.Close()
	_, err = bad.Scan(context.Background(), connectors.Request{Limit: -1})
	wantCode(t, err, "08004", "cannot connect to port pg of sales.customers", "password authentication failed")
	if e := sqlstate.As(err); e != nil && strings.Contains(e.Error(), "nope") {
		t.Errorf("the error shows the password: %v", e)
	}
}

func TestSecrets(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "s.yaml"), []byte("db_password: \"p@ss: word\"\nport: 5432\n"), 0o600)
	os.WriteFile(filepath.Join(dir, "s.env"), []byte("# c\nexport A=1\nB='two words'\nC=\"q\\\"x\"\n"), 0o600)
	t.Setenv("MG_TEST_SECRET", "v")
	s := connectors.NewSecrets(dir)
	for ref, want := range map[string]string{"env:MG_TEST_SECRET": "v", "file:s.yaml#db_password": "p@ss: word", "file:s.yaml#port": "5432",
		"file:s.env#A": "1", "file:s.env#B": "two words", "file:s.env#C": `q"x`, "file:" + filepath.Join(dir, "s.env") + "#A": "1"} {
		if got, err := s.Lookup(ref); err != nil || got != want {
			t.Errorf("%s = %q, %v; want %q", ref, got, err, want)
		}
	}
	for ref, msg := range map[string]string{"env:MG_NOT_SET": "MG_NOT_SET", "file:s.yaml#nope": `no value for "nope"`, "file:missing.env#A": "cannot read", "plain": "not a secret reference"} {
		if _, err := s.Lookup(ref); err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("%s: %v, want …%s…", ref, err, msg)
		}
	}
}
