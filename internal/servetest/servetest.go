package servetest

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Server is a running meshgate.
type Server struct {
	Root     string // repository root (its working directory)
	PG       string // host:port of the PostgreSQL protocol
	Flight   string // host:port of Flight SQL (TLS)
	CertFile string // the CA certificate clients trust
	LogPath  string
	cmd      *exec.Cmd
	done     chan struct{}
}

// Start launches bin/meshgate from the repository root (root is the
// path of the repository from the test's directory, e.g. "../.."), with
// extra serve flags. It fails the test when the binary or demo data is
// missing.
func Start(t testing.TB, root string, extra ...string) *Server {
	t.Helper()
	root, err := filepath.Abs(root)
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(root, "bin", "meshgate")
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("%s is missing: run `make build` first (the tests use the real binary)", bin)
	}
	if _, err := os.Stat(filepath.Join(root, "testdata/mesh/.generated")); err != nil {
		t.Fatalf("the demo mesh is not generated: run `make demo` first")
	}
	dir := t.TempDir()
	certs := filepath.Join(dir, "certs")
	if out, err := exec.Command(bin, "cert", "-out", certs, "-host", "127.0.0.1,localhost").CombinedOutput(); err != nil {
		t.Fatalf("meshgate cert: %v: %s", err, out)
	}
	key := filepath.Join(dir, "mask.key")
	if err := os.WriteFile(key, []byte("servetest mask key, not a secret 0123456789"), 0o600); err != nil {
		t.Fatal(err)
	}
	s := &Server{Root: root, PG: freePort(t), Flight: freePort(t), CertFile: filepath.Join(certs, "ca.crt"),
		LogPath: filepath.Join(dir, "meshgate.log"), done: make(chan struct{})}
	logf, err := os.Create(s.LogPath)
	if err != nil {
		t.Fatal(err)
	}
	args := append([]string{"serve",
		"-mesh", "testdata/mesh", "-users", "testdata/users.yaml", "-policies", "testdata/policies",
		"-listen", s.PG, "-flight", s.Flight, "-audit-file", filepath.Join(dir, "audit.jsonl"), "-mask-key-file", key,
		"-tls-cert", filepath.Join(certs, "server.crt"), "-tls-key", filepath.Join(certs, "server.key"),
		"-threads", "2", "-login-delay", "1ms", "-login-delay-max", "1ms",
		"-ops", ""}, extra...) // no ops listener on its fixed default port, which parallel runs share
	s.cmd = exec.Command(bin, args...)
	s.cmd.Dir = root
	s.cmd.Stdout, s.cmd.Stderr = logf, logf
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = s.cmd.Wait(); logf.Close(); close(s.done) }()
	t.Cleanup(s.stop)
	deadline := time.Now().Add(90 * time.Second)
	for _, addr := range []string{s.PG, s.Flight} {
		for {
			select {
			case <-s.done:
				t.Fatalf("meshgate exited at start: %s", s.Log())
			default:
			}
			if c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond); err == nil {
				c.Close()
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("meshgate did not listen on %s within 90 s: %s", addr, s.Log())
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	return s
}

func freePort(t testing.TB) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// Log is the end of meshgate's log.
func (s *Server) Log() string {
	b, _ := os.ReadFile(s.LogPath)
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

// stop ends the process this package started (by its own *os.Process).
func (s *Server) stop() {
	if s.cmd.Process == nil {
		return
	}
	_ = s.cmd.Process.Signal(os.Interrupt)
	select {
	case <-s.done:
	case <-time.After(10 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
	}
}

// TLSConfig trusts the server's throw-away certificate.
func (s *Server) TLSConfig(t testing.TB) *tls.Config {
	t.Helper()
	pem, err := os.ReadFile(s.CertFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	return &tls.Config{RootCAs: pool, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12}
}

// Password is a demo user's password (README: the name, then -demo).
func Password(user string) string { return user + "-demo" }

// PG connects over the PostgreSQL protocol with TLS as a demo user.
func (s *Server) PGConn(t testing.TB, user string) *pgx.Conn {
	t.Helper()
	host, port, _ := net.SplitHostPort(s.PG)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, fmt.Sprintf("host=%s port=%s user=%s password=%s dbname=mesh sslmode=require", host, port, user, Password(user)))
	if err != nil {
		t.Fatalf("pgx connect as %s: %v\n%s", user, err, s.Log())
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	return c
}

// PGRows runs sql over pgx (text results) as the same user.
func PGRows(t testing.TB, c *pgx.Conn, sql string, args ...any) []string {
	t.Helper()
	rows, err := c.Query(context.Background(), sql, append([]any{pgx.QueryExecModeSimpleProtocol}, args...)...)
	if err != nil {
		t.Fatalf("pgx %s: %v", sql, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			t.Fatal(err)
		}
		cells := make([]string, len(vals))
		for i, v := range vals {
			if v == nil {
				cells[i] = "<nil>"
			} else {
				cells[i] = fmt.Sprint(v)
			}
		}
		out = append(out, strings.Join(cells, "|"))
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("pgx %s: %v", sql, err)
	}
	return out
}
