package replicas

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/meshgate/meshgate/auth"
	"github.com/meshgate/meshgate/auth/delegation"
	"github.com/meshgate/meshgate/internal/servetest"
)

// A delegation assertion is used once across the replicas: accepted on
// replica 1, the same assertion presented to replica 2 is a replay (28000),
// because both claim nonces in the one -state-dir; a fresh assertion is
// accepted on replica 2.
func TestAssertionReplayedOnAnotherReplica(t *testing.T) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	demo, err := os.ReadFile(filepath.Join(root, "testdata/users.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	verifier, err := auth.MakeVerifier(servetest.Password("fed_svc"))
	if err != nil {
		t.Fatal(err)
	}
	users := strings.Replace(string(demo), "\nusers:\n", fmt.Sprintf("\nusers:\n  - name: fed_svc\n    password: %s\n", verifier), 1) +
		fmt.Sprintf(`
trusted_gateways:
  - name: federation
    key: %s
    audience: replicas-gw
    service_account: fed_svc
    users: [analyst]
`, delegation.FormatPublicKey(pub))
	usersFile := filepath.Join(t.TempDir(), "users.yaml")
	if err := os.WriteFile(usersFile, []byte(users), 0o600); err != nil {
		t.Fatal(err)
	}
	c := startCluster(t, 2, "-users", usersFile)

	sign := func(sid string) string {
		now := time.Now().Unix()
		tok, err := delegation.Sign(priv, delegation.Claims{User: "analyst", Groups: []string{"analysts"}, Audience: "replicas-gw",
			Issuer: "fed_svc", IssuedAt: now, Expiry: now + 30, StatementID: sid})
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	delegated := func(r *replica, tok string) (string, error) {
		host, port, _ := net.SplitHostPort(r.PG)
		cfg, err := pgx.ParseConfig(fmt.Sprintf("host=%s port=%s user=fed_svc password=%s dbname=mesh sslmode=disable connect_timeout=60",
			host, port, servetest.Password("fed_svc")))
		if err != nil {
			t.Fatal(err)
		}
		cfg.RuntimeParams["meshgate.assertion"] = tok
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		conn, err := pgx.ConnectConfig(ctx, cfg)
		if err != nil {
			return "", err
		}
		defer conn.Close(context.Background())
		var who string
		err = conn.QueryRow(ctx, "SELECT current_user").Scan(&who)
		return who, err
	}

	tok := sign("replay-1")
	if who, err := delegated(c.replicas[0], tok); err != nil || who != "analyst" {
		t.Fatalf("first use on replica 1: %q, %v", who, err)
	}
	_, err = delegated(c.replicas[1], tok)
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "28000" || !strings.Contains(pe.Message, "already used") {
		t.Fatalf("the assertion replayed on replica 2: %v, want 28000 saying it was already used", err)
	}
	if strings.Contains(pe.Message, tok) {
		t.Fatal("the refusal repeats the assertion")
	}
	fresh := sign("replay-2")
	if who, err := delegated(c.replicas[1], fresh); err != nil || who != "analyst" {
		t.Fatalf("a fresh assertion on replica 2: %q, %v", who, err)
	}
	// And back: replica 1 refuses the one replica 2 accepted.
	if _, err := delegated(c.replicas[0], fresh); !errors.As(err, &pe) || pe.Code != "28000" || !strings.Contains(pe.Message, "already used") {
		t.Fatalf("replica 2's assertion replayed on replica 1: %v", err)
	}
}
