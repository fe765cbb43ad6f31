package gateway_test

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/meshgate/meshgate/auth/audit"
	"github.com/meshgate/meshgate/gateway"
	"github.com/meshgate/meshgate/planner/catalog"
	"github.com/meshgate/meshgate/quality"
)

// noticeConn connects as fed and collects the notices the server sends.
func noticeConn(t *testing.T, s *fedServer) (*pgx.Conn, func() []*pgconn.Notice) {
	t.Helper()
	cfg, err := pgx.ParseConfig(s.connString("fed", ""))
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var got []*pgconn.Notice
	cfg.OnNotice = func(_ *pgconn.PgConn, n *pgconn.Notice) {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, n)
	}
	c, err := pgx.ConnectConfig(ctxT(t), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	return c, func() []*pgconn.Notice {
		mu.Lock()
		defer mu.Unlock()
		out := got
		got = nil
		return out
	}
}

// startChecks runs the gateway's background checks until the test ends.
func startChecks(t *testing.T, gw *gateway.Gateway, cfg gateway.QualityConfig) {
	ctx, cancel := context.WithCancel(context.Background())
	wait := gw.StartQuality(ctx, cfg)
	t.Cleanup(func() { cancel(); wait() })
}

func waitHealth(t *testing.T, gw *gateway.Gateway, a catalog.Address, state string) quality.Status {
	t.Helper()
	var st quality.Status
	eventually(t, 30*time.Second, a.String()+" "+state, func() (bool, string) {
		st = gw.Health(a)
		return st.State == state, st.State + ": " + st.Message()
	})
	return st
}

// TestHealthOnEveryAnswer: a PostgreSQL port with a duplicate key fails
// its contract; a query of it gets a WARNING naming the product, status
// and rule, and its audit record names the health; after the table is
// fixed and checked again, the product is healthy and queries get no
// notice. A CSV product with on_failure: block is refused with 55000.
// meshgate.health and meshgate.quality show only readable products.
func TestHealthOnEveryAnswer(t *testing.T) {
	c, pg := fedDB(t, "health_answer")
	pgExec(t, pg, "CREATE TABLE crm.parts (id bigint, sku text)",
		"INSERT INTO crm.parts VALUES (1, 'P-1'), (2, 'P-2'), (2, 'P-2b'), (3, 'P-3')")
	dir := t.TempDir()
	cols := []fedCol{{"id", "bigint"}, {"sku", "varchar"}}
	pk := func(d string) string {
		return strings.Replace(d, "    type: bigint\n", "    type: bigint\n    primaryKey: true\n", 1)
	}
	writeFile(t, filepath.Join(dir, "plant", "parts.yaml"), pk(descriptor("plant", "parts", pgPortYAML(c.Port, "health_answer", "parts"), cols)))
	writeFile(t, filepath.Join(dir, "plant", "data", "bins.csv"), "id,sku\n1,B-1\n1,B-2\n")
	writeFile(t, filepath.Join(dir, "plant", "bins.yaml"), pk(descriptor("plant", "bins", "  - name: files\n    type: csv\n    location: data/bins.csv\n", cols))+"on_failure: block\n")
	writeFile(t, filepath.Join(dir, "plant", "data", "secret.csv"), "id,sku\n1,S-1\n1,S-2\n")
	writeFile(t, filepath.Join(dir, "plant", "secret.yaml"), pk(descriptor("plant", "secret", "  - name: files\n    type: csv\n    location: data/secret.csv\n", cols)))
	s := startFedGateway(t, dir, `apiVersion: meshgate/v1
kind: FederationPolicy
grants:
  - id: fed-reads-plant
    subjects: {users: [fed]}
    products: ["plant.parts", "plant.bins", "meshgate.*"]
`)
	auditFile := filepath.Join(t.TempDir(), "audit.jsonl")
	alog, err := audit.Open(auditFile, 1<<20, 1, nil, 20*time.Millisecond, nil)
	if err != nil {
		t.Fatal(err)
	}
	s.gw.SetAudit(alog)
	startChecks(t, s.gw, gateway.QualityConfig{Interval: time.Hour, Timeout: 30 * time.Second})
	parts := catalog.Address{Domain: "plant", Name: "parts"}
	bins := catalog.Address{Domain: "plant", Name: "bins"}
	waitHealth(t, s.gw, parts, quality.Failing)
	waitHealth(t, s.gw, bins, quality.Failing)

	conn, notices := noticeConn(t, s)
	if got := one(t, conn, "SELECT count(*) FROM plant.parts"); got != "4" {
		t.Errorf("count %s", got)
	}
	ns := notices()
	want := "product plant.parts is failing its contract: rule id_primary_key (duplicateValues of id 1, expected = 0)"
	if len(ns) != 1 || ns[0].Severity != "WARNING" || ns[0].Code != "01000" || ns[0].Message != want {
		t.Errorf("notices %+v, want one WARNING %q", ns, want)
	}
	// The extended protocol gets it too.
	var n int
	if err := conn.QueryRow(ctxT(t), "SELECT count(*) FROM plant.parts WHERE id > $1", 0).Scan(&n); err != nil || n != 4 {
		t.Errorf("extended: %d, %v", n, err)
	}
	if ns := notices(); len(ns) != 1 || ns[0].Message != want {
		t.Errorf("extended protocol notices: %+v", ns)
	}
	pe := fedErr(t, conn, "SELECT p.sku FROM plant.parts p JOIN plant.bins b USING (id)", "55000",
		"product plant.bins is failing its contract: rule id_primary_key (duplicateValues of id 1, expected = 0)")
	if !strings.Contains(pe.Hint, "meshgate.health") {
		t.Errorf("hint %q", pe.Hint)
	}
	health := textRows(t, conn, "SELECT product, status, failing_rules FROM meshgate.health ORDER BY product")
	sameRows(t, "meshgate.health", health, [][]string{{"plant.bins", "failing", "{id_primary_key}"}, {"plant.parts", "failing", "{id_primary_key}"}})
	// The catalog's meshgate.products says the same.
	catalogHealth := textRows(t, conn, "SELECT product, health FROM meshgate.products WHERE product IN ('plant.bins', 'plant.parts') ORDER BY product")
	sameRows(t, "meshgate.products health", catalogHealth, [][]string{{"plant.bins", "failing"}, {"plant.parts", "failing"}})
	if got := one(t, conn, "SELECT count(*) FROM meshgate.quality WHERE product = 'plant.secret'"); got != "0" {
		t.Errorf("meshgate.quality shows %s rows of an unreadable product", got)
	}
	if got := one(t, conn, "SELECT measured || ' ' || status FROM meshgate.quality WHERE product = 'plant.parts' AND rule = 'id_primary_key'"); got != "1.0 fail" {
		t.Errorf("meshgate.quality: %s", got)
	}

	// Fixed at the source and checked again: healthy, no notice.
	pgExec(t, pg, "UPDATE crm.parts SET id = 4 WHERE sku = 'P-2b'")
	s.gw.CheckNow(parts)
	waitHealth(t, s.gw, parts, quality.Healthy)
	notices()
	if got := one(t, conn, "SELECT count(DISTINCT id) FROM plant.parts"); got != "4" {
		t.Errorf("distinct ids %s", got)
	}
	if ns := notices(); len(ns) != 0 {
		t.Errorf("notices of a healthy product: %+v", ns)
	}
	alog.Close()
	var healths [][]string
	f, err := os.Open(auditFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var r audit.Record
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(strings.Join(r.Products, " "), "plant.parts") {
			healths = append(healths, append([]string{r.SQLState}, r.Health...))
		}
	}
	wantAudit := [][]string{
		{"00000", "plant.parts=failing"}, {"00000", "plant.parts=failing"},
		{"55000", "plant.bins=failing", "plant.parts=failing"},
		{"00000", "plant.parts=healthy"},
	}
	if len(healths) != len(wantAudit) {
		t.Fatalf("audit health %v, want %v", healths, wantAudit)
	}
	for i := range wantAudit {
		if strings.Join(healths[i], " ") != strings.Join(wantAudit[i], " ") {
			t.Errorf("audit record %d: %v, want %v", i, healths[i], wantAudit[i])
		}
	}
}

// TestSlowCheckDoesNotDelayQueries: a check that runs until its timeout
// does not hold up a query of its product, and ends as an error with the
// reason (failing), never a pass.
func TestSlowCheckDoesNotDelayQueries(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "plant", "data", "bins.csv"), "id,sku\n1,B-1\n2,B-2\n")
	writeFile(t, filepath.Join(dir, "plant", "bins.yaml"), descriptor("plant", "bins", "  - name: files\n    type: csv\n    location: data/bins.csv\n", []fedCol{{"id", "bigint"}, {"sku", "varchar"}})+
		"quality:\n  - {name: slow, type: sql, query: \"SELECT count(*) FROM plant.bins, range(50000000000) r(n) WHERE r.n % 7 = 3\", mustBeGreaterThan: 0}\n")
	s := startFedGateway(t, dir, fedPolicy(""))
	startChecks(t, s.gw, gateway.QualityConfig{Interval: time.Hour, Timeout: 3 * time.Second})
	bins := catalog.Address{Domain: "plant", Name: "bins"}
	conn, _ := noticeConn(t, s)
	for i := 0; i < 3; i++ {
		if got := one(t, conn, "SELECT count(*) FROM plant.bins"); got != "2" {
			t.Errorf("count %s", got)
		}
	}
	// The queries answered while the check still ran.
	if st := s.gw.Health(bins); st.State != quality.Unchecked {
		t.Errorf("the check finished before the queries (%s): make it slower", st.State)
	}
	st := waitHealth(t, s.gw, bins, quality.Failing)
	if !strings.Contains(st.Message(), "rule slow could not run (the check did not finish within its timeout of 3s)") {
		t.Errorf("message: %s", st.Message())
	}
}
