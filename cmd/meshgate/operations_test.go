package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	collectortrace "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/protobuf/proto"
)

// served is a `meshgate serve` running in the test process.
type served struct {
	pgAddr, opsAddr string
	audit, traces   string
	stderr, stdout  *syncBuffer
	done            chan int
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var servingRE = regexp.MustCompile(`serving \d+ data products on (\S+)`)
var opsRE = regexp.MustCompile(`on http://(\S+)/metrics`)

// startServe runs serve with the demo files and extra flags until it
// prints where it listens.
func startServe(t *testing.T, mesh string, extra ...string) *served {
	t.Helper()
	dir := t.TempDir()
	s := &served{audit: filepath.Join(dir, "audit.jsonl"), traces: filepath.Join(dir, "traces.jsonl"), stderr: &syncBuffer{}, stdout: &syncBuffer{}, done: make(chan int, 1)}
	args := append([]string{"serve", "-mesh", mesh, "-users", demoUsers, "-policies", demoPolicies,
		"-listen", "127.0.0.1:0", "-ops", "127.0.0.1:0", "-audit-file", s.audit, "-trace-file", s.traces,
		"-threads", "1", "-login-delay", "1ms", "-login-delay-max", "1ms"}, extra...)
	pr, pw := io.Pipe()
	go func() {
		s.done <- run(args, pw, s.stderr)
		pw.Close()
	}()
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			s.stdout.Write([]byte(sc.Text() + "\n"))
			lines <- sc.Text()
		}
		close(lines)
	}()
	timeout := time.After(90 * time.Second)
	for s.pgAddr == "" {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("serve exited before serving: %s", s.stderr.String())
			}
			if m := opsRE.FindStringSubmatch(l); m != nil {
				s.opsAddr = m[1]
			}
			if m := servingRE.FindStringSubmatch(l); m != nil {
				s.pgAddr = m[1]
			}
		case <-timeout:
			t.Fatalf("serve did not start: %s", s.stderr.String())
		}
	}
	go func() { // the rest of stdout
		for range lines {
		}
	}()
	return s
}

func (s *served) connString(user, password string) string {
	host, port, _ := strings.Cut(s.pgAddr, ":")
	return fmt.Sprintf("host=%s port=%s user=%s password=%s dbname=mesh sslmode=disable", host, port, user, password)
}

func (s *served) connect(t *testing.T) *pgx.Conn {
	t.Helper()
	c, err := pgx.Connect(context.Background(), s.connString("analyst", "analyst-demo"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	return c
}

func (s *served) get(t *testing.T, path string) (int, string) {
	t.Helper()
	resp, err := http.Get("http://" + s.opsAddr + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// metric is the value of one series in /metrics (0 when absent).
func (s *served) metric(t *testing.T, series string) float64 {
	t.Helper()
	_, body := s.get(t, "/metrics")
	for _, l := range strings.Split(body, "\n") {
		if v, ok := strings.CutPrefix(l, series+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatalf("%s: %v", l, err)
			}
			return f
		}
	}
	return 0
}

// stop drains serve with a SIGTERM to this process (serve catches it) and
// returns serve's exit code.
func (s *served) stop(t *testing.T) int {
	t.Helper()
	if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case code := <-s.done:
		return code
	case <-time.After(2 * time.Minute):
		t.Fatal("serve did not stop")
	}
	return -1
}

func pgCode(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

// regionsPort writes a second mesh holding geo.regions_api, an http port
// over a test server that fails while failing is set.
func regionsPort(t *testing.T, failing *atomic.Bool) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if failing.Load() {
			http.Error(w, "upstream down", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode([]map[string]any{{"region_code": "EU", "name": "Europe"}, {"region_code": "NA", "name": "North America"}})
	}))
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "geo"), 0o755); err != nil {
		t.Fatal(err)
	}
	desc := fmt.Sprintf(`apiVersion: meshgate/v1
kind: DataProduct
id: geo.regions_api
domain: geo
name: regions_api
version: 1.0.0
status: active
type: source-aligned
description: Regions served by an HTTP API (operations test).
owner: {team: Ops Tests, contact: ops@example.com}
outputPorts:
  - name: api
    type: http
    location: %s/v1/regions
    options: {format: json, timeout: 5s}
schema:
  - name: region_code
    type: varchar
  - name: name
    type: varchar
`, srv.URL)
	if err := os.WriteFile(filepath.Join(dir, "geo", "regions_api.yaml"), []byte(desc), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// otlpReceiver is an OTLP/HTTP trace receiver: it decodes each export
// request's protobuf and keeps the span names by trace id.
func otlpReceiver(t *testing.T) (url string, spans func() map[string][]string) {
	var mu sync.Mutex
	got := map[string][]string{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/traces" || r.Header.Get("Content-Type") != "application/x-protobuf" {
			http.Error(w, "want a protobuf POST to /v1/traces", http.StatusBadRequest)
			return
		}
		body, _ := io.ReadAll(r.Body)
		var req collectortrace.ExportTraceServiceRequest
		if err := proto.Unmarshal(body, &req); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		mu.Lock()
		for _, rs := range req.ResourceSpans {
			for _, ss := range rs.ScopeSpans {
				for _, sp := range ss.Spans {
					id := fmt.Sprintf("%x", sp.TraceId)
					got[id] = append(got[id], sp.Name)
				}
			}
		}
		mu.Unlock()
		w.Header().Set("Content-Type", "application/x-protobuf")
		out, _ := proto.Marshal(&collectortrace.ExportTraceServiceResponse{})
		w.Write(out)
	}))
	t.Cleanup(srv.Close)
	return srv.URL, func() map[string][]string {
		mu.Lock()
		defer mu.Unlock()
		out := map[string][]string{}
		for k, v := range got {
			out[k] = append([]string(nil), v...)
		}
		return out
	}
}

// auditRecords reads the audit file.
func auditRecords(t *testing.T, path string) []map[string]any {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var r map[string]any
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatalf("audit line %q: %v", l, err)
		}
		out = append(out, r)
	}
	return out
}

// TestOperations runs meshgate serve and checks its metrics after known
// statements, the bound on their series, readiness, traces (file and
// OTLP) with the trace id in the audit, and a drain with a long query in
// flight.
func TestOperations(t *testing.T) {
	needDemo(t)
	var failing atomic.Bool
	otlpURL, otlpSpans := otlpReceiver(t)
	s := startServe(t, demoMesh+","+regionsPort(t, &failing), "-trace-otlp", otlpURL, "-drain-timeout", "2m")
	ctx := context.Background()

	if code, body := s.get(t, "/healthz"); code != 200 || body != "ok\n" {
		t.Errorf("/healthz: %d %q", code, body)
	}
	// Ready once the PostgreSQL listener accepts, which follows the
	// "serving" line by the start of the catalog: probes poll.
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(50 * time.Millisecond) {
		code, body := s.get(t, "/readyz")
		if code == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Errorf("/readyz before the drain: %d %q", code, body)
			break
		}
	}
	products := 0.0
	for _, st := range []string{"healthy", "warning", "failing", "stale", "unreachable", "unchecked"} {
		products += s.metric(t, `meshgate_products{status="`+st+`"}`)
	}
	if products < 10 {
		t.Errorf("meshgate_products by health status: %v products, want every served product (≥ 10)", products)
	}

	t.Run("refused_login", func(t *testing.T) {
		before := s.metric(t, `meshgate_connections_refused_total{reason="auth"}`)
		failed := s.metric(t, `meshgate_logins_total{protocol="pgwire",result="failed"}`)
		_, err := pgx.Connect(ctx, s.connString("analyst", "wrong"))
		if pgCode(err) != "28P01" {
			t.Fatalf("wrong password: %v", err)
		}
		if got := s.metric(t, `meshgate_connections_refused_total{reason="auth"}`); got != before+1 {
			t.Errorf("refused (auth) %v → %v, want +1", before, got)
		}
		if got := s.metric(t, `meshgate_logins_total{protocol="pgwire",result="failed"}`); got != failed+1 {
			t.Errorf("failed logins %v → %v, want +1", failed, got)
		}
	})

	c := s.connect(t)
	t.Run("permission_denied", func(t *testing.T) {
		series := `meshgate_statements_total{kind="read",protocol="pgwire",sqlstate_class="42"}`
		before := s.metric(t, series)
		_, err := c.Exec(ctx, "SELECT * FROM meshgate.audit")
		if pgCode(err) != "42501" {
			t.Fatalf("ungranted product: %v", err)
		}
		if got := s.metric(t, series); got != before+1 {
			t.Errorf("%s %v → %v, want +1", series, before, got)
		}
	})

	t.Run("port_error", func(t *testing.T) {
		fetches := s.metric(t, `meshgate_port_fetches_total{product="geo.regions_api"}`)
		var n int
		if err := c.QueryRow(ctx, "SELECT count(*) FROM geo.regions_api").Scan(&n); err != nil || n != 2 {
			t.Fatalf("regions_api: %d rows, %v", n, err)
		}
		if got := s.metric(t, `meshgate_port_rows_fetched_total{product="geo.regions_api"}`); got < 2 {
			t.Errorf("rows fetched %v, want at least 2", got)
		}
		failing.Store(true)
		_, err := c.Exec(ctx, "SELECT count(*) FROM geo.regions_api")
		failing.Store(false)
		if err == nil {
			t.Fatal("a failing port answered")
		}
		class := pgCode(err)[:2]
		if got := s.metric(t, fmt.Sprintf(`meshgate_port_fetch_errors_total{product="geo.regions_api",sqlstate_class=%q}`, class)); got != 1 {
			t.Errorf("port errors (class %s) = %v, want 1 (%v)", class, got, err)
		}
		if got := s.metric(t, `meshgate_port_fetches_total{product="geo.regions_api"}`); got != fetches+2 {
			t.Errorf("port fetches %v → %v, want +2", fetches, got)
		}
	})

	t.Run("bounded_cardinality", func(t *testing.T) {
		_, before := s.get(t, "/metrics")
		for i := range 1000 {
			var v int
			if err := c.QueryRow(ctx, fmt.Sprintf("SELECT %d AS distinct_%d", i, i)).Scan(&v); err != nil || v != i {
				t.Fatalf("statement %d: %v", i, err)
			}
		}
		_, after := s.get(t, "/metrics")
		if strings.Contains(after, "distinct_") || strings.Contains(after, "analyst") {
			t.Error("/metrics holds statement text or a user name")
		}
		series := func(body string) int { return strings.Count(body, "\nmeshgate_") }
		if grow := series(after) - series(before); grow > 0 {
			t.Errorf("1,000 distinct statements added %d meshgate series (want none: every label is bounded)", grow)
		}
		if got := s.metric(t, `meshgate_rows_sent_total{protocol="pgwire"}`); got < 1000 {
			t.Errorf("rows sent %v, want at least 1000", got)
		}
	})

	// A long statement in flight and an idle session when SIGTERM comes.
	const n = 200_000_000
	want := int64((n-1-3)/7 + 1)
	long := s.connect(t)
	idle := s.connect(t)
	type result struct {
		n   int64
		err error
	}
	res := make(chan result, 1)
	go func() {
		var r result
		r.err = long.QueryRow(ctx, fmt.Sprintf("SELECT count(*) FROM range(%d) t(x) WHERE x %% 7 = 3", n)).Scan(&r.n)
		res <- r
	}()
	time.Sleep(500 * time.Millisecond)
	stopped := make(chan int, 1)
	go func() { stopped <- s.stop(t) }()
	deadline := time.Now().Add(5 * time.Second)
	for {
		code, body := s.get(t, "/readyz")
		if code == http.StatusServiceUnavailable {
			if !strings.Contains(body, "draining") {
				t.Errorf("/readyz during the drain: %q", body)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz still %d %q after SIGTERM", code, body)
		}
		time.Sleep(20 * time.Millisecond)
	}
	r := <-res
	if r.err != nil || r.n != want {
		t.Errorf("the statement in flight: %d, %v (want %d)", r.n, r.err, want)
	}
	if _, err := idle.Exec(ctx, "SELECT 1"); err == nil {
		t.Error("an idle session still answers after the drain")
	} else if code := pgCode(err); code != "57P01" && !strings.Contains(err.Error(), "closed") && !strings.Contains(err.Error(), "EOF") {
		t.Errorf("idle session after the drain: %v", err)
	}
	if code := <-stopped; code != 0 {
		t.Fatalf("serve exited %d: %s", code, s.stderr.String())
	}

	recs := auditRecords(t, s.audit)
	var longRec map[string]any
	for _, rec := range recs {
		if strings.Contains(rec["statement"].(string), "range(200000000)") {
			longRec = rec
		}
	}
	if longRec == nil || longRec["sqlstate"] != "00000" || longRec["rows"] != float64(1) {
		t.Fatalf("the drained statement's audit record: %v", longRec)
	}
	traceID, _ := longRec["trace_id"].(string)
	if len(traceID) != 32 {
		t.Fatalf("audit record without a trace id: %v", longRec)
	}

	t.Run("trace_file", func(t *testing.T) {
		data, err := os.ReadFile(s.traces)
		if err != nil {
			t.Fatal(err)
		}
		names := map[string]bool{}
		for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
			var sp struct {
				Name        string
				SpanContext struct{ TraceID string }
			}
			if err := json.Unmarshal([]byte(l), &sp); err != nil {
				t.Fatalf("trace line %q: %v", l, err)
			}
			if sp.SpanContext.TraceID == traceID {
				names[sp.Name] = true
			}
		}
		for _, want := range []string{"statement", "plan", "execute", "send"} {
			if !names[want] {
				t.Errorf("trace %s has no %q span (has %v)", traceID, want, names)
			}
		}
		if !strings.Contains(string(data), `"port fetch"`) {
			t.Error("no port fetch span in the trace file")
		}
	})
	t.Run("otlp", func(t *testing.T) {
		got := otlpSpans()[traceID]
		joined := strings.Join(got, ",")
		for _, want := range []string{"statement", "plan", "execute", "send"} {
			if !strings.Contains(joined, want) {
				t.Errorf("OTLP receiver: trace %s has spans %v, no %q", traceID, got, want)
			}
		}
	})
}

// TestDrainTimeout: a statement still running when -drain-timeout ends is
// canceled with 57P01, and serve still exits cleanly.
func TestDrainTimeout(t *testing.T) {
	needDemo(t)
	s := startServe(t, demoMesh, "-drain-timeout", "300ms")
	c := s.connect(t)
	errc := make(chan error, 1)
	go func() {
		var n int64
		errc <- c.QueryRow(context.Background(), "SELECT count(*) FROM range(100000000000) t(x) WHERE x % 7 = 3").Scan(&n)
	}()
	time.Sleep(500 * time.Millisecond)
	if code := s.stop(t); code != 0 {
		t.Fatalf("serve exited %d: %s", code, s.stderr.String())
	}
	select {
	case err := <-errc:
		if pgCode(err) != "57P01" {
			t.Errorf("the canceled statement: %v, want 57P01", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the statement was not canceled")
	}
	if !strings.Contains(s.stderr.String(), "drain timed out") {
		t.Errorf("no drain timeout logged: %s", s.stderr.String())
	}
}
