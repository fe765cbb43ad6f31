package redteam

// The meshgate under test: the real binary (bin/meshgate, built by
// `make build`), started once per test process on a free loopback port
// over the demo mesh, users and policies, with a fixed mask key, TLS (the
// demo admin may only connect over TLS) and an audit file in a temporary
// directory.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// maskKey keys the hash masks of the gateway under test: no answer, plan,
// notice or error may ever contain it.
const maskKey = "redteam-mask-key-5c1d0e7b93a4f26e"

// passwords of the demo users (testdata/users.yaml documents them).
var passwords = map[string]string{"analyst": "analyst-demo", "steward": "steward-demo", "admin": "admin-demo"}

// gateway is a running meshgate process.
type gateway struct {
	root      string // the repository root (the process's working directory)
	addr      string // host:port
	auditPath string
	logPath   string
	cmd       *exec.Cmd
	done      chan struct{}
}

var (
	gwOnce sync.Once
	gwVal  *gateway
	gwErr  error
	gwDir  string
)

// repoRoot is the repository root, two levels above this package.
func repoRoot() (string, error) { return filepath.Abs("../..") }

// startGateway returns the shared gateway, starting it on first use. It
// fails the test when the binary or the demo data is missing.
func startGateway(t testing.TB) *gateway {
	t.Helper()
	gwOnce.Do(func() { gwVal, gwErr = launch() })
	if gwErr != nil {
		t.Fatalf("starting meshgate: %v", gwErr)
	}
	return gwVal
}

func launch() (*gateway, error) {
	root, err := repoRoot()
	if err != nil {
		return nil, err
	}
	bin := filepath.Join(root, "bin", "meshgate")
	if _, err := os.Stat(bin); err != nil {
		return nil, fmt.Errorf("%s is missing: run `make build` first (the red-team suite attacks the real binary)", bin)
	}
	for _, f := range []string{"sales/data/orders.parquet", "supply/data/inventory.parquet", "supply/data/suppliers.duckdb"} {
		if _, err := os.Stat(filepath.Join(root, "testdata/mesh", f)); err != nil {
			return nil, fmt.Errorf("demo mesh file %s is missing: run `make demo` first", f)
		}
	}
	dir, err := os.MkdirTemp("", "meshgate-redteam-")
	if err != nil {
		return nil, err
	}
	gwDir = dir
	keyFile := filepath.Join(dir, "mask.key")
	if err := os.WriteFile(keyFile, []byte(maskKey+"\n"), 0o600); err != nil {
		return nil, err
	}
	certs := filepath.Join(dir, "certs")
	if out, err := exec.Command(bin, "cert", "-out", certs, "-host", "127.0.0.1").CombinedOutput(); err != nil {
		return nil, fmt.Errorf("meshgate cert: %v: %s", err, out)
	}
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		g, err := launchOn(root, bin, dir, keyFile, certs)
		if err == nil {
			return g, nil
		}
		lastErr = err
	}
	return nil, lastErr
}

func freePort() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

func launchOn(root, bin, dir, keyFile, certs string) (*gateway, error) {
	addr, err := freePort()
	if err != nil {
		return nil, err
	}
	g := &gateway{root: root, addr: addr, auditPath: filepath.Join(dir, "audit.jsonl"), logPath: filepath.Join(dir, "meshgate.log"), done: make(chan struct{})}
	logf, err := os.Create(g.logPath)
	if err != nil {
		return nil, err
	}
	g.cmd = exec.Command(bin, "serve",
		"-mesh", "testdata/mesh", "-users", "testdata/users.yaml", "-policies", "testdata/policies",
		"-listen", addr, "-audit-file", g.auditPath, "-mask-key-file", keyFile,
		"-tls-cert", filepath.Join(certs, "server.crt"), "-tls-key", filepath.Join(certs, "server.key"),
		"-threads", "1", "-login-delay", "1ms", "-login-delay-max", "1ms", "-ops", "") // no ops listener: its fixed port may be taken
	g.cmd.Dir = root // relative port paths of the issue resolve as for `make run`
	g.cmd.Stdout, g.cmd.Stderr = logf, logf
	if err := g.cmd.Start(); err != nil {
		logf.Close()
		return nil, err
	}
	go func() { g.cmd.Wait(); logf.Close(); close(g.done) }()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-g.done:
			return nil, fmt.Errorf("meshgate exited at start: %s", g.log())
		default:
		}
		if c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond); err == nil {
			c.Close()
			return g, nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	g.stop()
	return nil, fmt.Errorf("meshgate did not listen on %s within 60 s: %s", addr, g.log())
}

func (g *gateway) log() string {
	b, _ := os.ReadFile(g.logPath)
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

// stop ends the meshgate process this package started (by its own
// *os.Process, never by name).
func (g *gateway) stop() {
	if g == nil || g.cmd == nil || g.cmd.Process == nil {
		return
	}
	_ = g.cmd.Process.Signal(os.Interrupt)
	select {
	case <-g.done:
	case <-time.After(10 * time.Second):
		_ = g.cmd.Process.Kill()
		<-g.done
	}
}

func TestMain(m *testing.M) {
	code := m.Run()
	gwVal.stop()
	if gwDir != "" {
		os.RemoveAll(gwDir)
	}
	os.Exit(code)
}

// client is one connection with the notices it received.
type client struct {
	user    string
	conn    *pgx.Conn
	mu      sync.Mutex
	notices []string
}

// connect opens a session as user (admins over TLS, as the demo access
// rules demand; the others in clear).
func (g *gateway) connect(t testing.TB, user string) *client {
	t.Helper()
	c, err := g.dial(user)
	if err != nil {
		t.Fatalf("connect as %s: %v\nmeshgate log: %s", user, err, g.log())
	}
	t.Cleanup(func() { c.close() })
	return c
}

func (g *gateway) dial(user string) (*client, error) {
	host, port, _ := net.SplitHostPort(g.addr)
	ssl := "disable"
	if user == "admin" {
		ssl = "require"
	}
	cfg, err := pgx.ParseConfig(fmt.Sprintf("host=%s port=%s user=%s password=%s dbname=mesh sslmode=%s connect_timeout=10 application_name=redteam",
		host, port, user, passwords[user], ssl))
	if err != nil {
		return nil, err
	}
	c := &client{user: user}
	cfg.OnNotice = func(_ *pgconn.PgConn, n *pgconn.Notice) {
		c.mu.Lock()
		c.notices = append(c.notices, n.Severity+" "+n.Code+" "+n.Message+" "+n.Detail+" "+n.Hint)
		c.mu.Unlock()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	c.conn, err = pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, err
	}
	return c, nil
}

func (c *client) close() {
	if c.conn != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		c.conn.Close(ctx)
	}
}

// takeNotices returns and forgets the notices received so far.
func (c *client) takeNotices() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := c.notices
	c.notices = nil
	return n
}

// alive checks the session still answers; it reports the error if not.
func (c *client) alive() error {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	var n int
	if err := c.conn.QueryRow(ctx, "select 4141 + 1", pgx.QueryExecModeSimpleProtocol).Scan(&n); err != nil {
		return err
	}
	if n != 4142 {
		return fmt.Errorf("select 4141 + 1 answered %d", n)
	}
	return nil
}

// auditRecord is the part of an audit line (auth/audit.Record) the suite
// checks.
type auditRecord struct {
	QueryID   string   `json:"query_id"`
	User      string   `json:"user"`
	Statement string   `json:"statement"`
	Kind      string   `json:"kind"`
	Products  []string `json:"products"`
	Columns   []string `json:"columns"`
	Decision  string   `json:"decision"`
	SQLState  string   `json:"sqlstate"`
	Rows      int64    `json:"rows"`
}

// auditTail reads the audit file from an offset.
type auditTail struct {
	path string
	off  int64
}

// skip moves the offset to the end of the file.
func (a *auditTail) skip() {
	if st, err := os.Stat(a.path); err == nil {
		a.off = st.Size()
	}
}

// next returns the complete records written since the last call.
func (a *auditTail) next() ([]auditRecord, error) {
	f, err := os.Open(a.path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if _, err := f.Seek(a.off, 0); err != nil {
		return nil, err
	}
	var out []auditRecord
	r := bufio.NewReaderSize(f, 1<<16)
	for {
		line, err := r.ReadBytes('\n')
		if err != nil { // EOF: an incomplete last line stays for next time
			return out, nil
		}
		a.off += int64(len(line))
		var rec auditRecord
		if jerr := json.Unmarshal(bytes.TrimSpace(line), &rec); jerr != nil {
			return out, fmt.Errorf("audit line is not JSON: %v: %.200s", jerr, line)
		}
		out = append(out, rec)
	}
}

// normSQL lowercases and collapses white space, for matching a statement
// with its audit record.
func normSQL(s string) string {
	s = strings.ToLower(strings.Join(strings.Fields(s), " "))
	return strings.TrimSpace(strings.TrimRight(s, "; "))
}
