// Package pgtest starts throw-away PostgreSQL 15 clusters for tests.
//
// A cluster lives in a temporary directory, listens on a free loopback
// port (and a Unix socket in the same directory), runs with fsync off and
// pg_stat_statements loaded, and is stopped (pg_ctl stop -m immediate)
// and removed when the test or the test binary ends. initdb refuses to
// run as root: as root, the directory is given to the postgres account
// and initdb and pg_ctl run through runuser (or su).
//
// Without /usr/lib/postgresql/15/bin the tests that need a cluster are
// skipped, unless the environment variable CI is set: in CI they fail.
package pgtest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// BinDir holds the PostgreSQL 15 server programs.
var BinDir = "/usr/lib/postgresql/15/bin"

// Cluster is a running throw-away PostgreSQL cluster.
type Cluster struct {
	Dir  string // temporary directory (data in Dir/data, socket and log in Dir)
	Host string // 127.0.0.1
	Port int
	User string // the superuser, "postgres"
	DB   string // "postgres"

	asPostgres bool
	stopOnce   sync.Once
}

// DSN is a connection string for database db ("" for the default).
func (c *Cluster) DSN(db string) string {
	if db == "" {
		db = c.DB
	}
	return fmt.Sprintf("postgres://%s@%s:%d/%s?sslmode=disable", c.User, c.Host, c.Port, db)
}

// Available reports whether the server programs are installed.
func Available() bool {
	_, err := os.Stat(filepath.Join(BinDir, "initdb"))
	return err == nil
}

// skipOrFail skips the test when PostgreSQL is not installed locally, and
// fails it in CI.
func skipOrFail(t testing.TB, err error) {
	t.Helper()
	if !Available() && os.Getenv("CI") == "" {
		t.Skipf("PostgreSQL 15 is not installed (%s); set CI to make this a failure", BinDir)
	}
	t.Fatalf("pgtest: %v", err)
}

// Start starts a cluster for one test; t.Cleanup stops and removes it.
func Start(t testing.TB) *Cluster {
	t.Helper()
	if !Available() {
		skipOrFail(t, fmt.Errorf("%s is missing", BinDir))
	}
	c, err := Launch()
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	t.Cleanup(c.Stop)
	return c
}

var (
	sharedMu  sync.Mutex
	shared    *Cluster
	sharedErr error
)

// Shared returns the cluster shared by the tests of this binary, starting
// it on first use. Call Run from TestMain so that it is stopped at the end.
func Shared(t testing.TB) *Cluster {
	t.Helper()
	if !Available() {
		skipOrFail(t, fmt.Errorf("%s is missing", BinDir))
	}
	sharedMu.Lock()
	defer sharedMu.Unlock()
	if shared == nil && sharedErr == nil {
		shared, sharedErr = Launch()
	}
	if sharedErr != nil {
		t.Fatalf("pgtest: %v", sharedErr)
	}
	return shared
}

// Run runs the tests (m.Run) and stops the shared cluster; use it as
// os.Exit(pgtest.Run(m)) in TestMain.
func Run(m *testing.M) int {
	code := m.Run()
	sharedMu.Lock()
	if shared != nil {
		shared.Stop()
	}
	sharedMu.Unlock()
	return code
}

// FreePort returns a loopback TCP port nothing listens on (at the moment).
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Launch initialises and starts a cluster; the caller must Stop it.
func Launch() (*Cluster, error) {
	dir, err := os.MkdirTemp("", "pgtest-")
	if err != nil {
		return nil, err
	}
	c := &Cluster{Dir: dir, Host: "127.0.0.1", User: "postgres", DB: "postgres", asPostgres: os.Geteuid() == 0}
	if c.asPostgres {
		u, err := user.Lookup("postgres")
		if err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("running as root needs the postgres account to run initdb: %v", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
	}
	data := filepath.Join(dir, "data")
	if out, err := c.run("initdb", "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("initdb: %v\n%s", err, out)
	}
	var lastErr error
	for attempt := 0; attempt < 5; attempt++ {
		port, err := FreePort()
		if err != nil {
			lastErr = err
			continue
		}
		c.Port = port
		opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c synchronous_commit=off -c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track=all -c max_connections=100", port, dir)
		out, err := c.run("pg_ctl", "-D", data, "-l", filepath.Join(dir, "postgres.log"), "-w", "-t", "60", "-o", opts, "start")
		if err == nil {
			lastErr = nil
			break
		}
		log, _ := os.ReadFile(filepath.Join(dir, "postgres.log"))
		lastErr = fmt.Errorf("pg_ctl start: %v\n%s\n%s", err, out, log)
	}
	if lastErr != nil {
		os.RemoveAll(dir)
		return nil, lastErr
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, c.DSN(""))
	if err != nil {
		c.Stop()
		return nil, err
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE EXTENSION IF NOT EXISTS pg_stat_statements"); err != nil {
		c.Stop()
		return nil, err
	}
	return c, nil
}

// run runs a server program, as the postgres account when root.
func (c *Cluster) run(prog string, args ...string) ([]byte, error) {
	bin := filepath.Join(BinDir, prog)
	var cmd *exec.Cmd
	if c.asPostgres {
		if _, err := exec.LookPath("runuser"); err == nil {
			cmd = exec.Command("runuser", append([]string{"-u", "postgres", "--", bin}, args...)...)
		} else {
			q := make([]string, 0, len(args)+1)
			for _, a := range append([]string{bin}, args...) {
				q = append(q, "'"+strings.ReplaceAll(a, "'", `'\''`)+"'")
			}
			cmd = exec.Command("su", "postgres", "-s", "/bin/sh", "-c", strings.Join(q, " "))
		}
	} else {
		cmd = exec.Command(bin, args...)
	}
	cmd.Dir = c.Dir
	return cmd.CombinedOutput()
}

// Stop stops the server immediately and removes its directory.
func (c *Cluster) Stop() {
	c.stopOnce.Do(func() {
		c.run("pg_ctl", "-D", filepath.Join(c.Dir, "data"), "-m", "immediate", "-w", "stop")
		os.RemoveAll(c.Dir)
	})
}

// Exec runs statements on the cluster's default database.
func (c *Cluster) Exec(t testing.TB, sql ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, c.DSN(""))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	for _, s := range sql {
		if _, err := conn.Exec(ctx, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// Conn opens a connection to the cluster's default database, closed at
// the end of the test.
func (c *Cluster) Conn(t testing.TB) *pgx.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, c.DSN(""))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// RequirePassword makes role user authenticate with SCRAM over TCP (the
// other roles keep trust authentication).
func (c *Cluster) RequirePassword(t testing.TB, user string) {
	t.Helper()
	hba := filepath.Join(c.Dir, "data", "pg_hba.conf")
	old, err := os.ReadFile(hba)
	if err != nil {
		t.Fatal(err)
	}
	line := fmt.Sprintf("host all %s 127.0.0.1/32 scram-sha-256\n", user)
	if !strings.Contains(string(old), line) {
		if err := os.WriteFile(hba, append([]byte(line), old...), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	c.Exec(t, "SELECT pg_reload_conf()")
}
