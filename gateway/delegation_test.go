package gateway_test

// Identity delegation on the domain gateway's side: a trusted gateway's
// service account presents a signed assertion of an end user in the
// meshgate.assertion startup parameter (as the type: gateway connector
// does) and the session runs under this gateway's policy for that user.

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/meshgate/meshgate/auth/delegation"
	"github.com/meshgate/meshgate/auth/policy"
	"github.com/meshgate/meshgate/connectors"
	"github.com/meshgate/meshgate/engine"
	"github.com/meshgate/meshgate/gateway"
	"github.com/meshgate/meshgate/planner/catalog"
)

type delegationRig struct {
	s         *govServer
	priv      ed25519.PrivateKey
	otherPriv ed25519.PrivateKey
}

func startDelegationRig(t *testing.T) *delegationRig {
	t.Helper()
	return startDelegationRigPolicy(t, nil)
}

// startDelegationRigPolicy is startDelegationRig under the policy set
// (nil: the demo policy).
func startDelegationRigPolicy(t *testing.T, set *policy.Set) *delegationRig {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	_, other, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	users := fmt.Sprintf(`apiVersion: meshgate/v1
kind: Users
users:
  - name: analyst
    groups: [analysts]
    attributes: {region: EU}
  - name: admin
    groups: [admins]
  - name: fed_svc
trusted_gateways:
  - name: federation
    key: %s
    audience: sales-gw
    service_account: fed_svc
    users: [analyst]
    groups: [analysts]
`, delegation.FormatPublicKey(pub))
	path := filepath.Join(t.TempDir(), "users.yaml")
	if err := os.WriteFile(path, []byte(users), 0o600); err != nil {
		t.Fatal(err)
	}
	return &delegationRig{s: startGovGatewayUsers(t, set, engine.Config{Threads: 2}, path), priv: priv, otherPriv: other}
}

func (r *delegationRig) assertion(t *testing.T, key ed25519.PrivateKey, user string, groups []string, attrs map[string]string, aud string, issued time.Time, sid string) string {
	t.Helper()
	tok, err := delegation.Sign(key, delegation.Claims{User: user, Groups: groups, Attributes: attrs, Audience: aud,
		Issuer: "fed_svc", IssuedAt: issued.Unix(), Expiry: issued.Unix() + 60, StatementID: sid})
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// connectDelegated connects as fed_svc presenting token.
func (r *delegationRig) connectDelegated(t *testing.T, token string) (*pgx.Conn, error) {
	t.Helper()
	cfg, err := pgx.ParseConfig(r.s.connString("fed_svc", ""))
	if err != nil {
		t.Fatal(err)
	}
	cfg.RuntimeParams[gateway.AssertionParam] = token
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := pgx.ConnectConfig(ctx, cfg)
	if err == nil {
		t.Cleanup(func() { c.Close(context.Background()) })
	}
	return c, err
}

const customersQuery = "SELECT customer_id::text, coalesce(signup_date::text, ''), country_code FROM sales.customers ORDER BY customer_id"

func rowsOf(t *testing.T, c *pgx.Conn, q string) ([][]string, error) {
	t.Helper()
	rows, err := c.Query(ctxT(t), q, pgx.QueryExecModeSimpleProtocol)
	if err != nil {
		return nil, err
	}
	var out [][]string
	for rows.Next() {
		var a, b, c string
		if err := rows.Scan(&a, &b, &c); err != nil {
			return nil, err
		}
		out = append(out, []string{a, b, c})
	}
	return out, rows.Err()
}

// The delegated session sees exactly what the end user sees connecting
// directly (row filter by their attribute, mask), not the service
// account's view; the assertion is no setting and not in the audit.
func TestDelegationSeesTheEndUsersView(t *testing.T) {
	r := startDelegationRig(t)
	direct, err := rowsOf(t, r.s.connectAs(t, "analyst", ""), customersQuery)
	if err != nil {
		t.Fatal(err)
	}
	all, err := rowsOf(t, r.s.connectAs(t, "admin", ""), customersQuery)
	if err != nil {
		t.Fatal(err)
	}
	if len(direct) == 0 || len(direct) >= len(all) {
		t.Fatalf("the analyst's filter should keep some but not all customers: %d of %d", len(direct), len(all))
	}

	sid := fmt.Sprintf("fed-%d", time.Now().UnixNano())
	tok := r.assertion(t, r.priv, "analyst", []string{"analysts"}, map[string]string{"region": "EU"}, "sales-gw", time.Now(), sid)
	c, err := r.connectDelegated(t, tok)
	if err != nil {
		t.Fatalf("delegated connection refused: %v", err)
	}
	got, err := rowsOf(t, c, customersQuery+" /* "+sid+" */")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, direct) {
		t.Fatalf("delegated view (%d rows) differs from the analyst's direct view (%d rows)", len(got), len(direct))
	}
	var who string
	if err := c.QueryRow(ctxT(t), "SELECT current_user", pgx.QueryExecModeSimpleProtocol).Scan(&who); err != nil || who != "analyst" {
		t.Fatalf("current_user = %q, %v", who, err)
	}
	if _, err := c.Exec(ctxT(t), "SHOW "+gateway.AssertionParam); err == nil {
		t.Fatal("the assertion is readable as a setting")
	}

	// An end user this gateway does not list is admitted with the
	// asserted groups and attributes: the same view as an analyst.
	visitor, err := r.connectDelegated(t, r.assertion(t, r.priv, "visitor", []string{"analysts"}, map[string]string{"region": "EU"}, "sales-gw", time.Now(), sid+"-v"))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := rowsOf(t, visitor, customersQuery); err != nil || !reflect.DeepEqual(got, direct) {
		t.Fatalf("visitor: %d rows, %v; want the analyst's %d", len(got), err, len(direct))
	}

	// Without an assertion the service account's own grants apply.
	svc := r.s.connectAs(t, "fed_svc", "")
	if own, err := rowsOf(t, svc, customersQuery); err == nil && reflect.DeepEqual(own, direct) {
		t.Fatal("the service account alone sees the analyst's view")
	}

	// Linked audit: the delegated statement's record names both identities
	// and the delegating gateway's statement id, never the assertion.
	r.s.audit.Flush()
	data, err := os.ReadFile(r.s.auditFile)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), tok) {
		t.Fatal("the assertion is in the audit trail")
	}
	var found bool
	for _, line := range strings.Split(string(data), "\n") {
		if strings.Contains(line, sid+" */") {
			found = strings.Contains(line, `"user":"analyst"`) && strings.Contains(line, `"delegated_by":"fed_svc"`) && strings.Contains(line, `"trace_id":"`+sid+`"`)
			if !found {
				t.Fatalf("audit record lacks the identities or trace id: %s", line)
			}
		}
	}
	if !found {
		t.Fatal("no audit record of the delegated statement")
	}
}

// Forged, expired, replayed, wrong-audience and out-of-scope assertions
// refuse the connection with 28000; none falls back to the service account.
func TestDelegationRefusals(t *testing.T) {
	r := startDelegationRig(t)
	eu := map[string]string{"region": "EU"}
	replayed := r.assertion(t, r.priv, "analyst", []string{"analysts"}, eu, "sales-gw", time.Now(), "s-replay")
	if _, err := r.connectDelegated(t, replayed); err != nil {
		t.Fatalf("first use refused: %v", err)
	}
	// A users-file reload (a new verifier) forgets no used assertion.
	if err := r.s.gw.ReloadUsers(); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ name, token, want string }{
		{"forged", r.assertion(t, r.otherPriv, "analyst", []string{"analysts"}, eu, "sales-gw", time.Now(), "s1"), "matches no trusted gateway"},
		{"expired", r.assertion(t, r.priv, "analyst", []string{"analysts"}, eu, "sales-gw", time.Now().Add(-10*time.Minute), "s2"), "expired at"},
		{"replayed", replayed, "already used"},
		{"wrong audience", r.assertion(t, r.priv, "analyst", []string{"analysts"}, eu, "hr-gw", time.Now(), "s3"), `meant for gateway "hr-gw"`},
		{"outside the allowed set", r.assertion(t, r.priv, "admin", []string{"admins"}, nil, "sales-gw", time.Now(), "s4"), `may not speak for user "admin"`},
		{"garbage", "x.y", "refused"},
	} {
		_, err := r.connectDelegated(t, c.token)
		var pe *pgconn.PgError
		if !errors.As(err, &pe) || pe.Code != "28000" || !strings.Contains(pe.Message, c.want) {
			t.Errorf("%s: err = %v, want 28000 saying %q", c.name, err, c.want)
			continue
		}
		if strings.Contains(pe.Message, c.token) {
			t.Errorf("%s: the refusal repeats the assertion", c.name)
		}
	}
}

// Two gateways: a federation gateway serves fed.customers from the domain
// gateway's sales.customers through a type: gateway port. The end user
// sees there exactly what the domain gateway's policy gives them
// connecting directly (EU filter, month mask), not the service account's
// view; both audit records carry the same trace id; the domain gateway
// down answers 08001 naming the product while other products still work.
func TestTwoGatewaysDelegation(t *testing.T) {
	r := startDelegationRig(t)
	direct, err := rowsOf(t, r.s.connectAs(t, "analyst", ""), customersQuery)
	if err != nil {
		t.Fatal(err)
	}
	proxy := newProxyTo(t, r.s.addr())
	dir := t.TempDir()
	port := fmt.Sprintf(`  - name: domain
    type: gateway
    location: 127.0.0.1:%d
    options:
      product: sales.customers
      user: fed_svc
      audience: sales-gw
      sslmode: disable
      connect_timeout: 2s
`, proxy.port)
	cols := []fedCol{{"customer_id", "bigint"}, {"name", "varchar"}, {"email", "varchar"}, {"phone", "varchar"}, {"country_code", "varchar"}, {"signup_date", "date"}}
	writeFile(t, filepath.Join(dir, "fed", "customers.yaml"), descriptor("fed", "customers", port, cols))
	writeFile(t, filepath.Join(dir, "fed", "data", "local.csv"), "id\n1\n2\n")
	writeFile(t, filepath.Join(dir, "fed", "local.yaml"), descriptor("fed", "local", "  - name: f\n    type: csv\n    location: data/local.csv\n", []fedCol{{"id", "bigint"}}))
	users := "apiVersion: meshgate/v1\nkind: Users\nusers:\n  - name: analyst\n    groups: [analysts]\n    attributes: {region: EU}\n"
	policy := "apiVersion: meshgate/v1\nkind: FederationPolicy\ngrants:\n  - id: analysts-read-fed\n    subjects: {users: [analyst]}\n    products: [\"fed.*\"]\n"
	fed := startFedGatewayAs(t, dir, policy, users, r.priv)
	fc := fed.connectAs(t, "analyst", "")

	q := strings.Replace(customersQuery, "sales.customers", "fed.customers", 1)
	got, err := rowsOf(t, fc, q)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, direct) {
		t.Fatalf("through the federation gateway: %d rows, want the domain gateway's %d for the analyst\n got %v\nwant %v", len(got), len(direct), head(got), head(direct))
	}
	// With a pushed predicate, too.
	if got, err := rowsOf(t, fc, strings.Replace(q, " ORDER BY", " WHERE country_code = 'DE' ORDER BY", 1)); err != nil || len(got) == 0 || len(got) >= len(direct) {
		t.Fatalf("pushed predicate: %d rows, %v", len(got), err)
	}

	// validate's check: the remote product's real schema, read through
	// the domain gateway's catalog, is the declared one — for an account
	// the domain's policy grants the product; the service account alone
	// is granted nothing and sees no such table (fail closed).
	prod := fed.eng.Product(catalog.Address{Domain: "fed", Name: "customers"})
	describe := func(user string) ([]catalog.Column, error) {
		port := prod.Ports[0]
		port.Options = map[string]string{}
		for k, v := range prod.Ports[0].Options {
			port.Options[k] = v
		}
		port.Options["user"] = user
		conn, err := connectors.Open(ctxT(t), prod, &port, connectors.NewSecrets(dir))
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		return conn.Describe(ctxT(t))
	}
	if _, err := describe("fed_svc"); err == nil || !strings.Contains(err.Error(), "42P01") {
		t.Fatalf("the service account describes a product it is not granted: %v", err)
	}
	described, err := describe("admin")
	if err != nil {
		t.Fatalf("Describe through the domain gateway: %v", err)
	}
	for i, c := range described {
		if i >= len(cols) || c.Name != cols[i].name || !strings.EqualFold(c.Type, cols[i].typ) {
			t.Fatalf("described schema %+v differs from the declared %v", described, cols)
		}
	}

	// Linked audit: the domain gateway's record of the delegated read
	// carries the federation statement's trace id and both identities.
	r.s.audit.Flush()
	data, err := os.ReadFile(r.s.auditFile)
	if err != nil {
		t.Fatal(err)
	}
	var trace string
	for _, line := range strings.Split(string(data), "\n") {
		if strings.Contains(line, `"delegated_by":"fed_svc"`) && strings.Contains(line, `"user":"analyst"`) {
			if i := strings.Index(line, `"trace_id":"`); i >= 0 {
				trace = strings.SplitN(line[i+len(`"trace_id":"`):], `"`, 2)[0]
			}
		}
	}
	if trace == "" {
		t.Fatalf("no delegated audit record on the domain gateway:\n%s", data)
	}

	// The domain gateway down: 08001 naming the product; local products work.
	proxy.down()
	_, err = rowsOf(t, fc, q)
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "08001" || !strings.Contains(pe.Message, "fed.customers") {
		t.Fatalf("domain gateway down: %v, want 08001 naming fed.customers", err)
	}
	var n int64
	if err := fc.QueryRow(ctxT(t), "SELECT count(*) FROM fed.local", pgx.QueryExecModeSimpleProtocol).Scan(&n); err != nil || n != 2 {
		t.Fatalf("a local product while the domain gateway is down: %d, %v", n, err)
	}
}

func head(rows [][]string) [][]string {
	if len(rows) > 3 {
		return rows[:3]
	}
	return rows
}
