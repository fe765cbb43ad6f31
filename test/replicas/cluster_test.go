package replicas

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/meshgate/meshgate/internal/servetest"
)

const root = "../.."

// cluster is replicas of one gateway sharing one policy directory and
// state directory, each listing the others as its peers.
type cluster struct {
	policies string
	replicas []*replica
}

type replica struct {
	*servetest.Server
	ops string // host:port of the ops listener
}

// startCluster starts n replicas (IDs 1…n) with extra serve flags.
func startCluster(t *testing.T, n int, extra ...string) *cluster {
	t.Helper()
	c := &cluster{policies: filepath.Join(t.TempDir(), "policies")}
	copyDir(t, filepath.Join(root, "testdata/policies"), c.policies)
	state := filepath.Join(t.TempDir(), "state")
	pgs := make([]string, n)
	for i := range pgs {
		pgs[i] = servetest.FreePort(t)
	}
	for i := range n {
		var peers []string
		for j, a := range pgs {
			if j != i {
				peers = append(peers, a)
			}
		}
		ops := servetest.FreePort(t)
		args := append([]string{"-policies", c.policies, "-replica-id", fmt.Sprint(i + 1), "-peers", strings.Join(peers, ","),
			"-ops", ops, "-state-dir", state, "-threads", "1", "-check-interval", "1h"}, extra...)
		c.replicas = append(c.replicas, &replica{Server: servetest.StartOn(t, root, pgs[i], args...), ops: ops})
	}
	return c
}

func copyDir(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.Walk(from, func(path string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, path)
		dst := filepath.Join(to, rel)
		if info.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// metric is the ops /metrics text of the replica.
func (r *replica) metrics(t *testing.T) string {
	t.Helper()
	resp, err := http.Get("http://" + r.ops + "/metrics")
	if err != nil {
		t.Fatalf("metrics of %s: %v", r.ops, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

var policyVersionRE = regexp.MustCompile(`(?m)^meshgate_policy_info\{version="([^"]+)"\} 1`)

// policyVersion is the policy version the replica reports in force.
func (r *replica) policyVersion(t *testing.T) string {
	t.Helper()
	m := policyVersionRE.FindStringSubmatch(r.metrics(t))
	if m == nil {
		t.Fatalf("replica %s reports no meshgate_policy_info", r.PG)
	}
	return m[1]
}

// cancels is the replica's count of CancelRequests with the outcome.
func (r *replica) cancels(t *testing.T, outcome string) int {
	t.Helper()
	re := regexp.MustCompile(`(?m)^meshgate_cancel_requests_total\{outcome="` + outcome + `"\} (\d+)`)
	m := re.FindStringSubmatch(r.metrics(t))
	if m == nil {
		t.Fatalf("replica %s reports no meshgate_cancel_requests_total{outcome=%q}", r.PG, outcome)
	}
	var n int
	fmt.Sscan(m[1], &n)
	return n
}

// haproxy runs a real HAProxy in TCP mode balancing roundrobin over the
// replicas' PostgreSQL listeners, each checked on its ops /readyz (a
// failed check takes the replica out; a refused connection is retried on
// another). It
// skips the test when haproxy is not installed (CI installs it:
// scripts/install-test-deps.sh).
func haproxy(t *testing.T, replicas []*replica) string {
	t.Helper()
	bin, err := exec.LookPath("haproxy")
	if err != nil {
		for _, p := range []string{"/usr/sbin/haproxy", "/usr/local/sbin/haproxy"} {
			if _, serr := os.Stat(p); serr == nil {
				bin, err = p, nil
			}
		}
	}
	if err != nil {
		t.Skip("haproxy is not installed (apt-get install haproxy, or sudo ./scripts/install-test-deps.sh): the replicas-behind-a-balancer test needs it")
	}
	front := servetest.FreePort(t)
	var cfg strings.Builder
	fmt.Fprintf(&cfg, `global
  maxconn 2000
defaults
  mode tcp
  timeout connect 2s
  timeout client 5m
  timeout server 5m
frontend pg
  bind %s
  default_backend meshgate
backend meshgate
  balance roundrobin
  option httpchk GET /readyz
  option redispatch
  retries 3
`, front)
	for i, r := range replicas {
		_, opsPort, _ := net.SplitHostPort(r.ops)
		fmt.Fprintf(&cfg, "  server r%d %s check port %s inter 300ms fall 1 rise 1\n", i+1, r.PG, opsPort)
	}
	path := filepath.Join(t.TempDir(), "haproxy.cfg")
	if err := os.WriteFile(path, []byte(cfg.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-db", "-f", path)
	logPath := filepath.Join(t.TempDir(), "haproxy.log")
	logf, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatalf("haproxy: %v", err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); logf.Close(); close(done) }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	})
	deadline := time.Now().Add(15 * time.Second)
	for {
		if c, err := net.DialTimeout("tcp", front, 200*time.Millisecond); err == nil {
			c.Close()
			return front
		}
		select {
		case <-done:
			b, _ := os.ReadFile(logPath)
			t.Fatalf("haproxy exited: %s", b)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("haproxy did not listen within 15 s")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// connect opens a pgx connection to addr as a demo user.
func connect(ctx context.Context, addr, user, sslmode string) (*pgx.Conn, error) {
	host, port, _ := net.SplitHostPort(addr)
	return pgx.Connect(ctx, fmt.Sprintf("host=%s port=%s user=%s password=%s dbname=mesh sslmode=%s connect_timeout=60",
		host, port, user, servetest.Password(user), sslmode))
}

// replicaOf is the replica ID a connection's process ID carries.
func replicaOf(c *pgx.Conn) uint32 { return c.PgConn().PID() >> 24 }

// appendLines appends text to a file by writing a new file and renaming it
// over the old (the policy watch never reads half a file).
func appendLines(t *testing.T, path, text string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	w, err := os.CreateTemp(t.TempDir(), "policy-*.yaml") // outside the watched directory
	if err != nil {
		t.Fatal(err)
	}
	tmp := w.Name()
	bw := bufio.NewWriter(w)
	bw.Write(b)
	bw.WriteString(text)
	if err := bw.Flush(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

// grepLog is the lines of the replica's log that contain s.
func (r *replica) grepLog(s string) string {
	b, _ := os.ReadFile(r.LogPath)
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		if strings.Contains(l, s) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
