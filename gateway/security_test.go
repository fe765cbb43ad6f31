package gateway_test

// Identity and transport security end to end: a gateway with
// authentication (Secure) and TLS, driven by pgx and psql. Certificates
// come from a throw-away CA generated in the test.

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/meshgate/meshgate/auth"
	"github.com/meshgate/meshgate/engine"
	"github.com/meshgate/meshgate/gateway"
	"github.com/meshgate/meshgate/gateway/pgwire"
	"github.com/meshgate/meshgate/planner/catalog"
)

// secUsers is the users file of these tests: the demo users (passwords
// name-demo) plus users with limits, and rules exercising each method.
func secUsers(t *testing.T) string {
	t.Helper()
	v := func(pw string) string {
		s, err := auth.MakeVerifier(pw)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	body := fmt.Sprintf(`apiVersion: meshgate/v1
kind: Users
users:
  - name: analyst
    groups: [analysts]
    password: %s
  - name: admin
    groups: [admins]
    password: %s
  - name: clerk
    password: %s
  - name: limited
    password: %s
    connection_limit: 2
    statement_timeout: 300ms
    max_statement_timeout: 10min
  - name: sleepy
    password: %s
    idle_session_timeout: 400ms
  - name: nopass
access:
  - {type: hostnossl, address: all, users: [+admins], databases: [all], method: reject}
  - {type: hostssl, address: 127.0.0.0/8, users: [clerk], databases: [mesh], method: password}
  - {type: host, address: all, users: [clerk], databases: [all], method: reject}
  - {type: host, address: all, users: [all], databases: [all], method: scram-sha-256}
`, v("analyst-demo"), v("admin-demo"), v("clerk-pw"), v("limited-pw"), v("sleepy-pw"))
	p := filepath.Join(t.TempDir(), "users.yaml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

type secServer struct {
	host, port string
	caFile     string
	gw         *gateway.Gateway
	usersFile  string
}

func startSecure(t *testing.T, limits gateway.Limits) *secServer {
	t.Helper()
	mesh, problems := catalog.Load(meshDir)
	if len(problems) > 0 {
		t.Fatalf("demo mesh has problems (run `make demo`): %v", problems)
	}
	usersFile := secUsers(t)
	users, err := auth.LoadDirectory(usersFile)
	if err != nil {
		t.Fatal(err)
	}
	certDir := t.TempDir()
	certs, err := auth.GenerateCerts([]string{"127.0.0.1", "localhost"}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if err := certs.Write(certDir); err != nil {
		t.Fatal(err)
	}
	tlsConf, err := auth.ServerTLSConfig(filepath.Join(certDir, auth.ServerCertFile), filepath.Join(certDir, auth.ServerKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	if os.Getenv("E2E_LOG") != "" {
		logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	ctx, cancel := context.WithCancel(context.Background())
	eng, _, err := engine.Open(ctx, mesh, engine.Config{Threads: 2, Logger: logger})
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	gw := gateway.New(eng, users, "mesh", logger)
	gw.SetPolicy(demoPolicy(t))
	authn := gw.Secure(gateway.SecurityConfig{
		Secret:   []byte("test secret, not for production"),
		Throttle: auth.NewThrottle(100, time.Millisecond, 20*time.Millisecond),
		Limits:   limits,
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &pgwire.Server{Handler: gw, Logger: logger, Authenticator: authn, TLSConfig: tlsConf}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Errorf("server did not stop within 10s")
		}
		eng.Close()
	})
	host, port, _ := net.SplitHostPort(ln.Addr().String())
	return &secServer{host: host, port: port, caFile: filepath.Join(certDir, auth.CACertFile), gw: gw, usersFile: usersFile}
}

func (s *secServer) dsn(user, password, ssl string) string {
	return fmt.Sprintf("host=%s port=%s user=%s password=%s dbname=mesh %s", s.host, s.port, user, password, ssl)
}

func (s *secServer) pgx(t *testing.T, user, password, ssl string) (*pgx.Conn, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, s.dsn(user, password, ssl))
	if err == nil {
		t.Cleanup(func() { c.Close(context.Background()) })
	}
	return c, err
}

func wantPgErr(t *testing.T, err error, code, msg string) *pgconn.PgError {
	t.Helper()
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		t.Fatalf("want error %s %q, got %v", code, msg, err)
	}
	if pe.Code != code || !strings.Contains(pe.Message, msg) {
		t.Fatalf("want %s %q, got %s %q", code, msg, pe.Code, pe.Message)
	}
	return pe
}

func isTLS(c *pgx.Conn) bool {
	_, ok := c.PgConn().Conn().(*tls.Conn)
	return ok
}

func TestSecurityPgx(t *testing.T) {
	s := startSecure(t, gateway.Limits{})
	verifyFull := "sslmode=verify-full sslrootcert=" + s.caFile

	t.Run("scram_without_tls", func(t *testing.T) {
		c, err := s.pgx(t, "analyst", "analyst-demo", "sslmode=disable")
		if err != nil {
			t.Fatal(err)
		}
		var user string
		if err := c.QueryRow(ctxT(t), "SHOW session_authorization").Scan(&user); err != nil || user != "analyst" {
			t.Fatalf("%q %v", user, err)
		}
		if isTLS(c) {
			t.Fatal("sslmode=disable gave TLS")
		}
	})
	for _, ssl := range []string{"sslmode=require", verifyFull} {
		t.Run("scram_"+strings.Fields(ssl)[0], func(t *testing.T) {
			c, err := s.pgx(t, "analyst", "analyst-demo", ssl)
			if err != nil {
				t.Fatal(err)
			}
			if !isTLS(c) {
				t.Fatal("no TLS")
			}
			st := c.PgConn().Conn().(*tls.Conn).ConnectionState()
			if st.Version < tls.VersionTLS12 {
				t.Fatalf("TLS version %x", st.Version)
			}
			var n int64
			if err := c.QueryRow(ctxT(t), "SELECT count(*) FROM geo.countries").Scan(&n); err != nil || n != 20 {
				t.Fatalf("%d %v", n, err)
			}
		})
	}
	t.Run("verify_full_wrong_host", func(t *testing.T) {
		// The certificate names 127.0.0.1 and localhost, not db.example.
		cfg, err := pgx.ParseConfig(s.dsn("analyst", "analyst-demo", verifyFull))
		if err != nil {
			t.Fatal(err)
		}
		cfg.TLSConfig.ServerName = "db.example"
		cfg.Fallbacks = nil
		_, err = pgx.ConnectConfig(ctxT(t), cfg)
		if err == nil || !strings.Contains(err.Error(), "certificate") {
			t.Fatalf("want a certificate error, got %v", err)
		}
	})
	t.Run("tls1.1_refused", func(t *testing.T) {
		nc, err := net.Dial("tcp", net.JoinHostPort(s.host, s.port))
		if err != nil {
			t.Fatal(err)
		}
		defer nc.Close()
		nc.Write([]byte{0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f}) // SSLRequest
		b := make([]byte, 1)
		if _, err := io.ReadFull(nc, b); err != nil || b[0] != 'S' {
			t.Fatalf("SSLRequest answer %q %v", b, err)
		}
		tc := tls.Client(nc, &tls.Config{InsecureSkipVerify: true, MaxVersion: tls.VersionTLS11, MinVersion: tls.VersionTLS10})
		if err := tc.HandshakeContext(ctxT(t)); err == nil {
			t.Fatal("TLS 1.1 handshake succeeded")
		}
	})
	t.Run("wrong_password_and_unknown_user", func(t *testing.T) {
		_, err1 := s.pgx(t, "analyst", "wrong", "sslmode=disable")
		pe1 := wantPgErr(t, err1, "28P01", `password authentication failed for user "analyst"`)
		_, err2 := s.pgx(t, "mallory", "wrong", "sslmode=disable")
		pe2 := wantPgErr(t, err2, "28P01", `password authentication failed for user "mallory"`)
		_, err3 := s.pgx(t, "nopass", "x", "sslmode=require")
		wantPgErr(t, err3, "28P01", `password authentication failed for user "nopass"`)
		if pe1.Severity != pe2.Severity || pe1.Detail != pe2.Detail || pe1.Hint != pe2.Hint {
			t.Fatalf("unknown user answered differently: %+v vs %+v", pe1, pe2)
		}
	})
	t.Run("unknown_user_salt_is_stable", func(t *testing.T) {
		// The fake verifier is deterministic: the same salt each time, as
		// for a real user.
		salt := func(user string) string {
			nc, err := net.Dial("tcp", net.JoinHostPort(s.host, s.port))
			if err != nil {
				t.Fatal(err)
			}
			defer nc.Close()
			fe := pgproto3NewFrontend(nc)
			return scramSalt(t, fe, user)
		}
		if a, b := salt("mallory"), salt("mallory"); a != b || a == "" {
			t.Fatalf("unknown user salts %q %q", a, b)
		}
		if a, b := salt("analyst"), salt("analyst"); a != b {
			t.Fatalf("real user salts %q %q", a, b)
		}
	})
	t.Run("reject_rule", func(t *testing.T) {
		_, err := s.pgx(t, "admin", "admin-demo", "sslmode=disable")
		wantPgErr(t, err, "28000", `access rules reject connection for host "127.0.0.1", user "admin", database "mesh", no encryption`)
		if _, err := s.pgx(t, "admin", "admin-demo", "sslmode=require"); err != nil {
			t.Fatalf("admin over TLS: %v", err)
		}
	})
	t.Run("cleartext_only_over_tls", func(t *testing.T) {
		// clerk's password rule is hostssl: without TLS the next rule
		// rejects, the password is never asked for in clear.
		_, err := s.pgx(t, "clerk", "clerk-pw", "sslmode=disable")
		wantPgErr(t, err, "28000", "reject")
		c, err := s.pgx(t, "clerk", "clerk-pw", "sslmode=require")
		if err != nil {
			t.Fatalf("cleartext over TLS: %v", err)
		}
		if !isTLS(c) {
			t.Fatal("no TLS")
		}
		_, err = s.pgx(t, "clerk", "wrong", "sslmode=require")
		wantPgErr(t, err, "28P01", `password authentication failed for user "clerk"`)
	})
	t.Run("channel_binding_not_offered", func(t *testing.T) {
		// pgx would use SCRAM-SHA-256-PLUS if offered; it is not, so
		// channel_binding=require fails on the client side.
		_, err := s.pgx(t, "analyst", "analyst-demo", "sslmode=require channel_binding=require")
		if err == nil {
			t.Fatal("channel_binding=require succeeded")
		}
	})
	t.Run("reload", func(t *testing.T) {
		keep, err := os.ReadFile(s.usersFile)
		if err != nil {
			t.Fatal(err)
		}
		// A broken file is refused and the old directory stays.
		os.WriteFile(s.usersFile, []byte("apiVersion: meshgate/v1\nkind: Users\nusers: [{name: x, pasword: y}]\n"), 0o600)
		if err := s.gw.ReloadUsers(); err == nil || !strings.Contains(err.Error(), `unknown key "pasword"`) {
			t.Fatalf("broken reload: %v", err)
		}
		c, err := s.pgx(t, "analyst", "analyst-demo", "sslmode=disable")
		if err != nil {
			t.Fatalf("after a refused reload: %v", err)
		}
		// A valid change applies to new connections; open sessions stay.
		v, _ := auth.MakeVerifier("new-pw")
		os.WriteFile(s.usersFile, []byte("apiVersion: meshgate/v1\nkind: Users\nusers: [{name: analyst, password: '"+v+"'}]\n"), 0o600)
		if err := s.gw.ReloadUsers(); err != nil {
			t.Fatal(err)
		}
		if _, err := s.pgx(t, "analyst", "analyst-demo", "sslmode=disable"); err == nil {
			t.Fatal("old password still accepted after reload")
		}
		if _, err := s.pgx(t, "analyst", "new-pw", "sslmode=disable"); err != nil {
			t.Fatalf("new password: %v", err)
		}
		if _, err := c.Exec(ctxT(t), "SELECT 1"); err != nil {
			t.Fatalf("open session after reload: %v", err)
		}
		os.WriteFile(s.usersFile, keep, 0o600)
		if err := s.gw.ReloadUsers(); err != nil {
			t.Fatal(err)
		}
	})
}

func TestSecurityLimits(t *testing.T) {
	s := startSecure(t, gateway.Limits{MaxConnections: 4})

	t.Run("per_user_limit", func(t *testing.T) {
		var conns []*pgx.Conn
		for range 2 {
			c, err := s.pgx(t, "limited", "limited-pw", "sslmode=disable")
			if err != nil {
				t.Fatal(err)
			}
			conns = append(conns, c)
		}
		_, err := s.pgx(t, "limited", "limited-pw", "sslmode=disable")
		wantPgErr(t, err, "53300", `too many connections for role "limited"`)
		conns[0].Close(context.Background())
		time.Sleep(100 * time.Millisecond) // the server notices the close
		if _, err := s.pgx(t, "limited", "limited-pw", "sslmode=disable"); err != nil {
			t.Fatalf("after a close: %v", err)
		}
	})
	t.Run("global_limit", func(t *testing.T) {
		// The subtest above closed its sessions when it ended.
		for range 4 {
			if _, err := s.pgx(t, "analyst", "analyst-demo", "sslmode=disable"); err != nil {
				t.Fatal(err)
			}
		}
		_, err := s.pgx(t, "analyst", "analyst-demo", "sslmode=disable")
		wantPgErr(t, err, "53300", "sorry, too many clients already")
	})
}

func TestSecurityTimeouts(t *testing.T) {
	s := startSecure(t, gateway.Limits{})

	t.Run("statement_timeout_role_default", func(t *testing.T) {
		c, err := s.pgx(t, "limited", "limited-pw", "sslmode=disable")
		if err != nil {
			t.Fatal(err)
		}
		var v string
		if err := c.QueryRow(ctxT(t), "SHOW statement_timeout").Scan(&v); err != nil || v != "300ms" {
			t.Fatalf("role default: %q %v", v, err)
		}
		start := time.Now()
		_, err = c.Exec(ctxT(t), "select count(*) from range(100000000000)")
		wantPgErr(t, err, "57014", "statement timeout")
		if d := time.Since(start); d > 10*time.Second {
			t.Fatalf("took %v", d)
		}
		if _, err := c.Exec(ctxT(t), "SET statement_timeout = '5min'"); err != nil {
			t.Fatalf("within the maximum: %v", err)
		}
		_, err = c.Exec(ctxT(t), "SET statement_timeout = '2h'")
		wantPgErr(t, err, "22023", `statement_timeout of 2h is above the maximum of 10min for role "limited"`)
		_, err = c.Exec(ctxT(t), "SET statement_timeout = 0")
		wantPgErr(t, err, "22023", `statement_timeout cannot be turned off for role "limited"`)
		// RESET goes back to the role's default.
		if _, err := c.Exec(ctxT(t), "RESET statement_timeout"); err != nil {
			t.Fatal(err)
		}
		if err := c.QueryRow(ctxT(t), "SHOW statement_timeout").Scan(&v); err != nil || v != "300ms" {
			t.Fatalf("after RESET: %q %v", v, err)
		}
		// A startup parameter above the maximum is refused at login.
		_, err = s.pgx(t, "limited", "limited-pw", "sslmode=disable options='-c statement_timeout=1h'")
		wantPgErr(t, err, "22023", "above the maximum")
	})
	t.Run("idle_session_timeout", func(t *testing.T) {
		c, err := s.pgx(t, "sleepy", "sleepy-pw", "sslmode=require")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Exec(ctxT(t), "SELECT 1"); err != nil {
			t.Fatal(err)
		}
		_, err = c.Exec(ctxT(t), "SET idle_session_timeout = '1h'")
		wantPgErr(t, err, "22023", "above the maximum")
		time.Sleep(time.Second)
		_, err = c.Exec(ctxT(t), "SELECT 1")
		if err == nil {
			t.Fatal("the idle session survived its timeout")
		}
		pe := wantPgErr(t, err, "57P05", "terminating connection due to idle-session timeout")
		if pe.Severity != "FATAL" {
			t.Fatalf("severity %s", pe.Severity)
		}
		if !c.IsClosed() {
			t.Fatal("connection still open")
		}
	})
}

// TestSecurityPsql logs in with psql (libpq): SCRAM with and without TLS,
// verify-full, a wrong password and an unknown user.
func TestSecurityPsql(t *testing.T) {
	if _, err := exec.LookPath("psql"); err != nil {
		t.Skip("psql is not installed")
	}
	s := startSecure(t, gateway.Limits{})
	psql := func(conn, password string) (string, error) {
		cmd := exec.Command("psql", "-X", "-At", "-c", "SELECT current_user || ' ' || (SELECT count(*) FROM geo.countries)", conn)
		cmd.Env = append(os.Environ(), "PGPASSWORD="+password, "PGCONNECT_TIMEOUT=10", "PGSSLMODE=", "PGSSLROOTCERT=")
		out, err := cmd.CombinedOutput()
		return strings.TrimSpace(string(out)), err
	}
	base := fmt.Sprintf("host=%s port=%s dbname=mesh", s.host, s.port)
	for _, ssl := range []string{"sslmode=disable", "sslmode=require", "sslmode=verify-full sslrootcert=" + s.caFile} {
		out, err := psql(base+" user=analyst "+ssl, "analyst-demo")
		if err != nil || out != "analyst 20" {
			t.Errorf("%s: %q %v", ssl, out, err)
		}
	}
	out, err := psql(base+" user=analyst sslmode=require", "nope")
	if err == nil || !strings.Contains(out, `FATAL:  password authentication failed for user "analyst"`) {
		t.Errorf("wrong password: %q %v", out, err)
	}
	out, err = psql(base+" user=mallory sslmode=require", "nope")
	if err == nil || !strings.Contains(out, `FATAL:  password authentication failed for user "mallory"`) {
		t.Errorf("unknown user: %q %v", out, err)
	}
	// sslmode=require with psql's own SSL reporting.
	cmd := exec.Command("psql", "-X", "-At", "-c", `\conninfo`, base+" user=analyst sslmode=require")
	cmd.Env = append(os.Environ(), "PGPASSWORD=analyst-demo")
	b, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(b), "SSL connection (protocol: TLSv1.3") {
		t.Errorf("conninfo: %s %v", b, err)
	}
}

func pgproto3NewFrontend(nc net.Conn) *pgproto3.Frontend {
	nc.SetDeadline(time.Now().Add(10 * time.Second))
	return pgproto3.NewFrontend(nc, nc)
}

// scramSalt starts a SCRAM exchange as user and returns the salt the
// server announces.
func scramSalt(t *testing.T, fe *pgproto3.Frontend, user string) string {
	t.Helper()
	fe.Send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersionNumber, Parameters: map[string]string{"user": user, "database": "mesh"}})
	if err := fe.Flush(); err != nil {
		t.Fatal(err)
	}
	msg, err := fe.Receive()
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := msg.(*pgproto3.AuthenticationSASL); !ok {
		t.Fatalf("want AuthenticationSASL, got %T", msg)
	}
	fe.Send(&pgproto3.SASLInitialResponse{AuthMechanism: "SCRAM-SHA-256", Data: []byte("n,,n=,r=clientnonce")})
	if err := fe.Flush(); err != nil {
		t.Fatal(err)
	}
	msg, err = fe.Receive()
	if err != nil {
		t.Fatal(err)
	}
	cont, ok := msg.(*pgproto3.AuthenticationSASLContinue)
	if !ok {
		t.Fatalf("want AuthenticationSASLContinue, got %T", msg)
	}
	for _, f := range strings.Split(string(cont.Data), ",") {
		if s, ok := strings.CutPrefix(f, "s="); ok {
			return s
		}
	}
	return ""
}

// TestSecurityDirectTLS: PostgreSQL 17's sslnegotiation=direct starts with
// a TLS handshake (ALPN "postgresql") instead of an SSLRequest.
func TestSecurityDirectTLS(t *testing.T) {
	s := startSecure(t, gateway.Limits{})
	tc, err := tls.Dial("tcp", net.JoinHostPort(s.host, s.port), &tls.Config{InsecureSkipVerify: true, NextProtos: []string{"postgresql"}})
	if err != nil {
		t.Fatal(err)
	}
	defer tc.Close()
	if salt := scramSalt(t, pgproto3NewFrontend(tc), "analyst"); salt == "" {
		t.Fatal("no SCRAM exchange over direct TLS")
	}
	// Without ALPN the server closes the connection.
	tc2, err := tls.Dial("tcp", net.JoinHostPort(s.host, s.port), &tls.Config{InsecureSkipVerify: true})
	if err == nil {
		tc2.SetDeadline(time.Now().Add(5 * time.Second))
		_, err = tc2.Read(make([]byte, 1))
		tc2.Close()
	}
	if err == nil {
		t.Fatal("direct TLS without ALPN was served")
	}
}
