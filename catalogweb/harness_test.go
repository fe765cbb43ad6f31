package catalogweb_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/meshgate/meshgate/auth"
	"github.com/meshgate/meshgate/auth/audit"
	"github.com/meshgate/meshgate/auth/policy"
	"github.com/meshgate/meshgate/catalogweb"
	"github.com/meshgate/meshgate/engine"
	"github.com/meshgate/meshgate/gateway"
	"github.com/meshgate/meshgate/gateway/pgwire"
	"github.com/meshgate/meshgate/planner/catalog"
)

// injected is a descriptor text that must reach pages escaped.
const injected = `The company's <b>five</b> sales regions <script>alert("x")</script>.`

// throttleBase is the test throttle's first delay after a failed login.
const throttleBase = 150 * time.Millisecond

// harness is a gateway over a copy of the demo mesh (geo.regions'
// description holds HTML), the demo users and policy, serving SQL on a
// loopback port and the catalog over TLS (tls) and plain HTTP (plain).
type harness struct {
	gw         *gateway.Gateway
	cat        *catalogweb.Server
	tls, plain *httptest.Server
	pgHost     string
	pgPort     string
	auditFile  string
	auditLog   *audit.Log
}

// policyWith copies the demo policy, replacing old by new in federation.yaml.
func policyWith(t *testing.T, old, new string) string {
	t.Helper()
	dir := t.TempDir()
	if out, err := exec.Command("cp", "-r", "../testdata/policies/.", dir).CombinedOutput(); err != nil {
		t.Fatalf("copy policies: %v %s", err, out)
	}
	if old != "" {
		p := filepath.Join(dir, "federation.yaml")
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), old) {
			t.Fatalf("federation.yaml has no %q", old)
		}
		if err := os.WriteFile(p, []byte(strings.Replace(string(b), old, new, 1)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func start(t *testing.T, policyDir string) *harness {
	t.Helper()
	if _, err := os.Stat("../testdata/mesh/sales/data/orders.parquet"); err != nil {
		t.Fatalf("demo mesh files missing: run `make demo` first (%v)", err)
	}
	meshDir := filepath.Join(t.TempDir(), "mesh")
	if out, err := exec.Command("cp", "-r", "../testdata/mesh", meshDir).CombinedOutput(); err != nil {
		t.Fatalf("copy mesh: %v %s", err, out)
	}
	regions := filepath.Join(meshDir, "geo", "regions.yaml")
	b, err := os.ReadFile(regions)
	if err != nil {
		t.Fatal(err)
	}
	desc, _ := json.Marshal(injected)
	if err := os.WriteFile(regions, []byte(strings.Replace(string(b), "description: The company's five sales regions.", "description: "+string(desc), 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	mesh, problems := catalog.Load(meshDir)
	if len(problems) > 0 {
		t.Fatalf("mesh: %v", problems)
	}
	mesh.Products = append(mesh.Products, engine.BuiltInProducts()...)
	users, err := auth.LoadDirectory("../testdata/users.yaml")
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	if os.Getenv("E2E_LOG") != "" {
		logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	ctx, cancel := context.WithCancel(context.Background())
	eng, portProblems, err := engine.Open(ctx, mesh, engine.Config{Threads: 1, Logger: logger})
	if err != nil || len(portProblems) > 0 {
		cancel()
		t.Fatalf("engine: %v %v", err, portProblems)
	}
	set, ps := policy.Load(policyDir)
	if len(ps) > 0 {
		t.Fatalf("policy: %v", ps)
	}
	if ps := policy.Compile(ctx, set, &catalog.Mesh{Dir: mesh.Dir, Products: eng.Products()}, eng); len(ps) > 0 {
		t.Fatalf("policy: %v", ps)
	}
	h := &harness{auditFile: filepath.Join(t.TempDir(), "audit.jsonl")}
	h.auditLog, err = audit.Open(h.auditFile, 64<<20, 2, gateway.AuditSink(eng), 50*time.Millisecond, logger)
	if err != nil {
		t.Fatal(err)
	}
	gw := gateway.New(eng, users, "mesh", logger)
	gw.SetPolicy(set)
	gw.SetAudit(h.auditLog)
	authn := gw.Secure(gateway.SecurityConfig{Secret: []byte("catalog test secret"),
		Throttle: auth.NewThrottle(100, throttleBase, 4*throttleBase)})
	h.gw = gw
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &pgwire.Server{Handler: gw, Logger: logger, Authenticator: authn}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	h.pgHost, h.pgPort, _ = net.SplitHostPort(ln.Addr().String())
	h.cat, err = catalogweb.New(gw, catalogweb.Config{TLS: true, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	h.cat.SQLAddress(ln.Addr().String())
	h.tls = httptest.NewTLSServer(h.cat)
	h.plain = httptest.NewServer(h.cat)
	t.Cleanup(func() {
		h.tls.Close()
		h.plain.Close()
		cancel()
		<-done
		h.auditLog.Close()
		eng.Close()
	})
	return h
}

// client is an HTTPS client of the TLS listener with a cookie jar.
func (h *harness) client(t *testing.T) *http.Client {
	t.Helper()
	c := h.tls.Client()
	jar, _ := cookiejar.New(nil)
	c.Jar = jar
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	c.Timeout = 30 * time.Second
	return c
}

var passwords = map[string]string{"analyst": "analyst-demo", "steward": "steward-demo", "admin": "admin-demo"}

// get calls the API over TLS as user (Basic); "" sends no credentials.
func (h *harness) get(t *testing.T, user, path string) (int, http.Header, []byte) {
	t.Helper()
	return do(t, h.client(t), h.tls.URL, user, path)
}

func do(t *testing.T, c *http.Client, base, user, path string) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequest("GET", base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if user != "" {
		pw, ok := passwords[user]
		if !ok {
			pw = strings.TrimPrefix(user, "wrong:")
			user = "analyst"
		}
		req.SetBasicAuth(user, pw)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, b
}

// getJSON calls the API and decodes a 200 answer into v.
func (h *harness) getJSON(t *testing.T, user, path string, v any) {
	t.Helper()
	status, _, body := h.get(t, user, path)
	if status != http.StatusOK {
		t.Fatalf("GET %s as %s: %d %s", path, user, status, body)
	}
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatalf("GET %s: %v in %s", path, err, body)
	}
}

// pgx connects to the SQL door as user.
func (h *harness) pgx(t *testing.T, user string) *pgx.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, fmt.Sprintf("host=%s port=%s user=%s password=%s dbname=mesh sslmode=disable", h.pgHost, h.pgPort, user, passwords[user]))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	return c
}

// auditRecords reads the audit file.
func (h *harness) auditRecords(t *testing.T) []audit.Record {
	t.Helper()
	h.auditLog.Flush()
	b, err := os.ReadFile(h.auditFile)
	if err != nil {
		t.Fatal(err)
	}
	var out []audit.Record
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		if l == "" {
			continue
		}
		var r audit.Record
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatalf("audit line %q: %v", l, err)
		}
		out = append(out, r)
	}
	return out
}
