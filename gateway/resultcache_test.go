package gateway_test

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/meshgate/meshgate/auth"
	"github.com/meshgate/meshgate/auth/audit"
	"github.com/meshgate/meshgate/auth/policy"
	"github.com/meshgate/meshgate/engine"
	"github.com/meshgate/meshgate/gateway"
	"github.com/meshgate/meshgate/planner/catalog"
)

// The result cache's tests: correctness only. Every answer from the cache
// is compared with the answer the same user gets with the cache off
// (SET meshgate.result_cache = off) — the engine's own answer.

// cacheMesh is a gateway over a throw-away mesh whose files the tests
// rewrite: shop.orders (Parquet) and shop.notes (CSV).
type cacheMesh struct {
	dir, policyDir string
	gw             *gateway.Gateway
	eng            *engine.Engine
	srv            *server
	auditPath      string
	audit          *audit.Log
}

const cacheUsers = `apiVersion: meshgate/v1
kind: Users
users:
  - {name: eu1, groups: [readers], attributes: {region: EU}}
  - {name: eu2, groups: [readers], attributes: {region: EU}}
  - {name: us1, groups: [readers], attributes: {region: US}}
  - {name: euc, groups: [readers], attributes: {region: EU, clearance: pii}}
  - {name: ops, groups: [ops]}
`

const cachePolicy = `apiVersion: meshgate/v1
kind: FederationPolicy
grants:
  - {id: readers-shop, subjects: {groups: [readers]}, products: ["shop.*"]}
  - {id: ops-cache, subjects: {groups: [ops]}, products: ["meshgate.cache", "shop.*"]}
masks:
  - id: email-redacted
    products: [shop.orders]
    columns: [email]
    mask: redact
    unless: {attributes: {clearance: pii}}
  - id: note-signed
    products: [shop.notes]
    columns: [note]
    mask: {kind: sql, sql: "note || ' for ' || current_user"}
rowFilters:
  - id: own-region
    subjects: {groups: [readers]}
    products: [shop.orders]
    filter: "region = session_attr('region')"
`

// writeOrders (re)writes shop.orders' Parquet file with n orders per region.
func writeOrders(t *testing.T, path string, n int, amount float64) {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tmp := path + ".tmp"
	q := fmt.Sprintf(`COPY (SELECT i::BIGINT AS id, CASE WHEN i %% 2 = 0 THEN 'EU' ELSE 'US' END AS region,
		(i * %g)::DOUBLE AS amount, 'buyer' || i || '@example.com' AS email FROM range(%d) t(i)) TO '%s' (FORMAT parquet)`, amount, 2*n, tmp)
	if _, err := db.Exec(q); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

func writeNotes(t *testing.T, path string, notes ...string) {
	t.Helper()
	text := "id,note\n"
	for i, n := range notes {
		text += fmt.Sprintf("%d,%s\n", i+1, n)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func startCacheMesh(t *testing.T) *cacheMesh {
	t.Helper()
	dir := t.TempDir()
	m := &cacheMesh{dir: dir, policyDir: filepath.Join(dir, "policies")}
	writeOrders(t, m.orders(), 50, 1.5)
	writeNotes(t, m.notes(), "first", "second")
	mesh := &catalog.Mesh{Dir: dir, Products: []*catalog.Product{
		{Address: catalog.Address{Domain: "shop", Name: "orders"}, Version: "1.0.0", Status: "active", File: filepath.Join(dir, "orders.yaml"),
			Ports: []catalog.Port{{Name: "files", Type: "parquet", Location: m.orders()}},
			Columns: []catalog.Column{{Name: "id", Type: "BIGINT"}, {Name: "region", Type: "VARCHAR"}, {Name: "amount", Type: "DOUBLE"},
				{Name: "email", Type: "VARCHAR", Classification: "pii"}}},
		{Address: catalog.Address{Domain: "shop", Name: "notes"}, Version: "1.0.0", Status: "active", File: filepath.Join(dir, "notes.yaml"),
			Ports:   []catalog.Port{{Name: "files", Type: "csv", Location: m.notes()}},
			Columns: []catalog.Column{{Name: "id", Type: "BIGINT"}, {Name: "note", Type: "VARCHAR"}}},
		engine.CacheProduct(),
	}}
	usersPath := filepath.Join(dir, "users.yaml")
	if err := os.WriteFile(usersPath, []byte(cacheUsers), 0o644); err != nil {
		t.Fatal(err)
	}
	users, err := auth.LoadDirectory(usersPath)
	if err != nil {
		t.Fatal(err)
	}
	m.writePolicy(t, cachePolicy)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	ctx, cancel := context.WithCancel(context.Background())
	eng, problems, err := engine.Open(ctx, mesh, engine.Config{Threads: 2, Logger: logger})
	if err != nil || len(problems) > 0 {
		cancel()
		t.Fatalf("engine: %v %v", err, problems)
	}
	m.auditPath = filepath.Join(dir, "audit.jsonl")
	m.audit, err = audit.Open(m.auditPath, 1<<30, 1, nil, time.Hour, logger)
	if err != nil {
		cancel()
		eng.Close()
		t.Fatal(err)
	}
	m.eng = eng
	m.gw = gateway.New(eng, users, "mesh", logger)
	m.gw.SetAudit(m.audit)
	m.gw.SetPolicy(m.loadPolicy(t))
	m.srv = serveGateway(t, ctx, cancel, m.gw, logger, func() { m.audit.Close() }, eng.Close)
	return m
}

func (m *cacheMesh) orders() string { return filepath.Join(m.dir, "orders.parquet") }
func (m *cacheMesh) notes() string  { return filepath.Join(m.dir, "notes.csv") }

func (m *cacheMesh) writePolicy(t *testing.T, text string) {
	t.Helper()
	if err := os.MkdirAll(m.policyDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(m.policyDir, "federation.yaml"), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func (m *cacheMesh) loadPolicy(t *testing.T) *policy.Set {
	t.Helper()
	set, problems := policy.Load(m.policyDir)
	if len(problems) > 0 {
		t.Fatalf("policy: %v", problems)
	}
	return set
}

// as connects as a user; extra are connection settings.
func (m *cacheMesh) as(t *testing.T, user, extra string) *pgx.Conn {
	t.Helper()
	c, err := pgx.Connect(ctxT(t), m.srv.connString(user, extra))
	if err != nil {
		t.Fatalf("connect as %s: %v", user, err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	return c
}

// cacheRows reads every row of a query as text.
func cacheRows(t *testing.T, c *pgx.Conn, q string, args ...any) []string {
	t.Helper()
	rows, err := c.Query(ctxT(t), q, args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	var out []string
	for rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, strings.TrimSuffix(fmt.Sprintln(vals...), "\n"))
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return out
}

// truth is what the engine itself answers the user (cache off).
func (m *cacheMesh) truth(t *testing.T, user, q string, args ...any) []string {
	t.Helper()
	c := m.as(t, user, "")
	if _, err := c.Exec(ctxT(t), "SET meshgate.result_cache = off"); err != nil {
		t.Fatal(err)
	}
	got := cacheRows(t, c, q, args...)
	c.Close(context.Background())
	return got
}

// truthIn is the engine's answer in a time zone.
func (m *cacheMesh) truthIn(t *testing.T, user, zone, q string) []string {
	t.Helper()
	c := m.as(t, user, "")
	defer c.Close(context.Background())
	for _, set := range []string{"SET meshgate.result_cache = off", "SET TimeZone = '" + zone + "'"} {
		if _, err := c.Exec(ctxT(t), set); err != nil {
			t.Fatal(err)
		}
	}
	return cacheRows(t, c, q)
}

// same fails unless two answers are equal.
func same(t *testing.T, what string, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s:\n got %q\nwant %q", what, got, want)
	}
}

const regionSums = "SELECT region, count(*), sum(amount), min(email) FROM shop.orders GROUP BY region ORDER BY region"

// TestResultCacheEffectiveViews: users with the same effective view (eu1,
// eu2: same groups and region) share an answer; a different row filter
// value (us1), a different mask (euc, cleared for pii) or a mask reading
// the user's name (shop.notes) never do, in simple and extended protocol.
func TestResultCacheEffectiveViews(t *testing.T) {
	m := startCacheMesh(t)
	for _, mode := range modes {
		t.Run(mode.name, func(t *testing.T) {
			m.gw.SetPolicy(m.loadPolicy(t)) // an empty cache
			conns := map[string]*pgx.Conn{}
			for _, u := range []string{"eu1", "eu2", "us1", "euc"} {
				conns[u] = m.as(t, u, mode.extra)
			}
			before := m.gw.ResultCacheStats()
			got := map[string][]string{}
			for _, u := range []string{"eu1", "eu2", "us1", "euc"} {
				got[u] = cacheRows(t, conns[u], regionSums)
				same(t, u+" (cache on) vs the engine", got[u], m.truth(t, u, regionSums))
			}
			after := m.gw.ResultCacheStats()
			if hits := after.Hits - before.Hits; hits != 1 {
				t.Errorf("hits %d, want 1 (eu2 shares eu1's answer; us1 and euc have other views)", hits)
			}
			if len(got["eu1"]) != 1 || !strings.HasPrefix(got["eu1"][0], "EU") || !strings.HasPrefix(got["us1"][0], "US") {
				t.Errorf("row filter: eu1 %q, us1 %q", got["eu1"], got["us1"])
			}
			if got["eu1"][0] == got["euc"][0] || !strings.Contains(got["euc"][0], "@example.com") || strings.Contains(got["eu1"][0], "@example.com") {
				t.Errorf("mask: eu1 %q, euc %q", got["eu1"], got["euc"])
			}
			// A mask that reads the user's name: eu1 and eu2 differ there.
			const notes = "SELECT note FROM shop.notes ORDER BY id"
			n1 := cacheRows(t, conns["eu1"], notes)
			n2 := cacheRows(t, conns["eu2"], notes)
			same(t, "eu1's notes", n1, []string{"first for eu1", "second for eu1"})
			same(t, "eu2's notes", n2, []string{"first for eu2", "second for eu2"})
			// Parameters are part of the key.
			const byID = "SELECT id, amount FROM shop.orders WHERE id = $1"
			for _, id := range []int64{2, 4, 2} {
				same(t, fmt.Sprint("order ", id), cacheRows(t, conns["eu2"], byID, id), m.truth(t, "eu2", byID, id))
			}
		})
	}
}

// TestResultCacheSessionFunctions: statements whose answer depends on the
// session or the clock are never served from the cache, though the users
// share an effective view of the product.
func TestResultCacheSessionFunctions(t *testing.T) {
	m := startCacheMesh(t)
	eu1, eu2 := m.as(t, "eu1", "application_name=one"), m.as(t, "eu2", "application_name=two")
	cases := []struct{ q, want1, want2 string }{
		{"SELECT current_user, count(*) FROM shop.orders", "eu1 50", "eu2 50"},
		{"SELECT session_user, count(*) FROM shop.orders", "eu1 50", "eu2 50"},
		{"SELECT current_setting('application_name'), count(*) FROM shop.orders", "one 50", "two 50"},
		{"SELECT pg_backend_pid() = pg_backend_pid(), count(*) FROM shop.orders", "true 50", "true 50"},
	}
	for _, c := range cases {
		before := m.gw.ResultCacheStats()
		same(t, c.q+" as eu1", cacheRows(t, eu1, c.q), []string{c.want1})
		same(t, c.q+" as eu2", cacheRows(t, eu2, c.q), []string{c.want2})
		if after := m.gw.ResultCacheStats(); after.Hits != before.Hits || after.Uncacheable < before.Uncacheable+2 {
			t.Errorf("%s: hits %d→%d, uncacheable %d→%d; want no hit, both uncacheable", c.q, before.Hits, after.Hits, before.Uncacheable, after.Uncacheable)
		}
	}
	for _, q := range []string{
		"SELECT random() FROM shop.orders LIMIT 1",
		"SELECT now(), count(*) FROM shop.orders",
		"SELECT current_date, count(*) FROM shop.orders",
		"SELECT gen_random_uuid(), count(*) FROM shop.orders",
		"SELECT count(*) FROM shop.orders USING SAMPLE 10%",
	} {
		before := m.gw.ResultCacheStats()
		for range 2 {
			cacheRows(t, eu1, q)
		}
		if after := m.gw.ResultCacheStats(); after.Hits != before.Hits || after.Entries != before.Entries {
			t.Errorf("%s: hits %d→%d, entries %d→%d; a volatile statement was cached", q, before.Hits, after.Hits, before.Entries, after.Entries)
		}
	}
	// The built-in products are meshgate's own, changing state.
	ops := m.as(t, "ops", "")
	a := cacheRows(t, ops, "SELECT hits FROM meshgate.cache")
	cacheRows(t, ops, regionSums)
	cacheRows(t, ops, regionSums) // a hit
	b := cacheRows(t, ops, "SELECT hits FROM meshgate.cache")
	if len(a) != 1 || len(b) != 1 || a[0] == b[0] {
		t.Errorf("meshgate.cache hits %q then %q: not live", a, b)
	}
}

// TestResultCacheNeverStale: a rewritten file, a policy reload and a
// changed setting are never answered from an old entry.
func TestResultCacheNeverStale(t *testing.T) {
	m := startCacheMesh(t)
	eu1 := m.as(t, "eu1", "")
	first := cacheRows(t, eu1, regionSums)
	same(t, "second run", cacheRows(t, eu1, regionSums), first)

	// The Parquet file is replaced with other amounts, then other rows.
	writeOrders(t, m.orders(), 50, 2.5)
	changed := cacheRows(t, eu1, regionSums)
	same(t, "after the rewrite", changed, m.truth(t, "eu1", regionSums))
	if strings.Join(changed, "") == strings.Join(first, "") {
		t.Fatalf("the rewritten file's answer equals the old one: %q", changed)
	}
	writeOrders(t, m.orders(), 60, 2.5)
	same(t, "after the second rewrite", cacheRows(t, eu1, regionSums), m.truth(t, "eu1", regionSums))

	// The CSV file is rewritten in place (same size, same second).
	const notes = "SELECT note FROM shop.notes ORDER BY id"
	cacheRows(t, eu1, notes)
	writeNotes(t, m.notes(), "FIRST", "SECOND")
	same(t, "notes after the rewrite", cacheRows(t, eu1, notes), []string{"FIRST for eu1", "SECOND for eu1"})

	// A policy without the row filter: eu1 now sees both regions.
	m.writePolicy(t, strings.Replace(cachePolicy, "region = session_attr('region')", "true", 1))
	m.gw.SetPolicy(m.loadPolicy(t))
	after := cacheRows(t, eu1, regionSums)
	same(t, "after the policy reload", after, m.truth(t, "eu1", regionSums))
	if len(after) != 2 {
		t.Errorf("after the reload eu1 sees %q, want both regions", after)
	}

	// A result-changing setting is part of the key.
	const ts = "SELECT TIMESTAMPTZ '2024-01-01 12:00:00+00' + (count(*) * INTERVAL '1 hour') FROM shop.orders"
	utc := cacheRows(t, eu1, ts)
	if _, err := eu1.Exec(ctxT(t), "SET TimeZone = 'Asia/Tokyo'"); err != nil {
		t.Fatal(err)
	}
	same(t, "in another time zone", cacheRows(t, eu1, ts), m.truthIn(t, "eu1", "Asia/Tokyo", ts))
	if _, err := eu1.Exec(ctxT(t), "RESET TimeZone"); err != nil {
		t.Fatal(err)
	}
	same(t, "back in UTC", cacheRows(t, eu1, ts), utc)
}

// TestResultCacheAuditAndExplain: a hit writes its audit record, marked
// cached, on every front door; EXPLAIN says what the cache would do; the
// session setting turns the cache off.
func TestResultCacheAuditAndExplain(t *testing.T) {
	m := startCacheMesh(t)
	eu1 := m.as(t, "eu1", "")
	explain := func() string {
		lines := cacheRows(t, eu1, "EXPLAIN "+regionSums)
		return lines[len(lines)-1]
	}
	if v := explain(); !strings.Contains(v, "miss") {
		t.Errorf("EXPLAIN before the first run: %q", v)
	}
	cacheRows(t, eu1, regionSums)
	if v := explain(); !strings.Contains(v, "hit") {
		t.Errorf("EXPLAIN after the first run: %q", v)
	}
	if v := strings.Join(cacheRows(t, eu1, "EXPLAIN SELECT random() FROM shop.orders"), "\n"); !strings.Contains(v, "not used (it calls random()") {
		t.Errorf("EXPLAIN of a volatile statement: %q", v)
	}
	// The HTTP and Flight front doors' sessions share the answer.
	ctx := ctxT(t)
	for _, door := range []string{"http", "flight"} {
		u, err := m.gw.Login(ctx, gateway.Credentials{User: "eu2", Protocol: door})
		if err != nil {
			t.Fatal(err)
		}
		s, err := m.gw.OpenSession(ctx, u, gateway.Door{Protocol: door})
		if err != nil {
			t.Fatal(err)
		}
		rows, err := s.Query(ctx, regionSums, nil)
		if err != nil {
			t.Fatal(err)
		}
		n := int64(0)
		for rows.Records.Next() {
			n += rows.Records.RecordBatch().NumRows()
		}
		rows.Records.Release()
		s.Close()
		if n != 1 {
			t.Errorf("%s: %d rows", door, n)
		}
		// us1 through the same door gets its own region.
		u, _ = m.gw.Login(ctx, gateway.Credentials{User: "us1", Protocol: door})
		s, _ = m.gw.OpenSession(ctx, u, gateway.Door{Protocol: door})
		rows, err = s.Query(ctx, regionSums, nil)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Records.Next() {
			rec := rows.Records.RecordBatch()
			if v := rec.Column(0).ValueStr(0); v != "US" {
				t.Errorf("%s: us1 sees region %s", door, v)
			}
		}
		rows.Records.Release()
		s.Close()
	}
	off := m.as(t, "eu1", "")
	if _, err := off.Exec(ctxT(t), "SET meshgate.result_cache = off"); err != nil {
		t.Fatal(err)
	}
	if v := strings.Join(cacheRows(t, off, "EXPLAIN "+regionSums), "\n"); !strings.Contains(v, "meshgate.result_cache = off") {
		t.Errorf("EXPLAIN with the cache off: %q", v)
	}
	cacheRows(t, off, regionSums)
	if _, err := off.Exec(ctxT(t), "SET meshgate.result_cache = maybe"); err == nil {
		t.Error("SET meshgate.result_cache = maybe was accepted")
	} else {
		pgErr(t, err, "22023")
	}

	m.audit.Flush()
	f, err := os.Open(m.auditPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cached := map[string]int{}
	all := map[string]int{}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var r audit.Record
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		if r.Statement != regionSums {
			continue
		}
		k := r.User + "/" + r.Protocol
		all[k]++
		if r.Cached {
			cached[k]++
			if r.Rows != 1 || len(r.Products) != 1 || r.SQLState != "00000" {
				t.Errorf("cached record %+v", r)
			}
		}
	}
	want := map[string]int{"eu2/http": 1, "eu2/flight": 1, "us1/flight": 1} // us1/http filled the entry
	if fmt.Sprint(cached) != fmt.Sprint(want) {
		t.Errorf("cached audit records by user/protocol %v, want %v (all: %v)", cached, want, all)
	}
	if all["eu1/pgwire"] != 2 || all["us1/http"] != 1 {
		t.Errorf("audit records by user/protocol %v", all)
	}
}

// TestResultCachePortalsCursorsCancel: a portal's row limit and a cursor
// over a cached answer page through it like over the engine's; a portal
// closed before its end, or a statement canceled while it fills the cache,
// leaves nothing in the cache.
func TestResultCachePortalsCursorsCancel(t *testing.T) {
	m := startCacheMesh(t)
	const q = "SELECT id FROM shop.orders WHERE id < $1 ORDER BY id"
	r := m.srv.rawAs(t, "eu1")
	// page runs the statement in pages of 3 rows; stopAfter > 0 closes
	// the portal after that many pages.
	page := func(stopAfter int) (ids []string, suspended int) {
		r.send(&pgproto3.Parse{Name: "s", Query: q}, &pgproto3.Bind{PreparedStatement: "s", DestinationPortal: "p", Parameters: [][]byte{[]byte("20")}},
			&pgproto3.Execute{Portal: "p", MaxRows: 3}, &pgproto3.Flush{})
		for {
			switch msg := r.receive().(type) {
			case *pgproto3.DataRow:
				ids = append(ids, string(msg.Values[0]))
			case *pgproto3.PortalSuspended:
				suspended++
				if stopAfter > 0 && suspended == stopAfter {
					r.send(&pgproto3.Close{ObjectType: 'P', Name: "p"}, &pgproto3.Close{ObjectType: 'S', Name: "s"}, &pgproto3.Sync{})
				} else {
					r.send(&pgproto3.Execute{Portal: "p", MaxRows: 3}, &pgproto3.Flush{})
				}
			case *pgproto3.CommandComplete:
				r.send(&pgproto3.Close{ObjectType: 'S', Name: "s"}, &pgproto3.Sync{})
			case *pgproto3.ErrorResponse:
				t.Fatalf("%s: %s", msg.Code, msg.Message)
			case *pgproto3.ReadyForQuery:
				return ids, suspended
			}
		}
	}
	before := m.gw.ResultCacheStats()
	ids, _ := page(1)
	if len(ids) != 3 {
		t.Fatalf("first page %q", ids)
	}
	if st := m.gw.ResultCacheStats(); st.Entries != before.Entries {
		t.Errorf("a portal closed after its first page was cached (%d → %d entries)", before.Entries, st.Entries)
	}
	full, n := page(0)
	if len(full) != 10 || n != 3 {
		t.Fatalf("all pages: %q (%d suspensions)", full, n)
	}
	mid := m.gw.ResultCacheStats()
	again, n := page(0)
	if st := m.gw.ResultCacheStats(); st.Hits != mid.Hits+1 {
		t.Errorf("the complete answer was not cached: hits %d → %d", mid.Hits, st.Hits)
	}
	same(t, "pages of the cached answer", again, full)
	if n != 3 {
		t.Errorf("%d suspensions over the cached answer, want 3", n)
	}

	// A cursor over the cached answer.
	eu1 := m.as(t, "eu1", "")
	cacheRows(t, eu1, "SELECT id FROM shop.orders WHERE id < 20 ORDER BY id")
	tx, err := eu1.Begin(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctxT(t), "DECLARE c SCROLL CURSOR FOR SELECT id FROM shop.orders WHERE id < 20 ORDER BY id"); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range []string{"FETCH 4 FROM c", "FETCH PRIOR FROM c", "FETCH ALL FROM c"} {
		rows, err := tx.Query(ctxT(t), f)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				t.Fatal(err)
			}
			got = append(got, fmt.Sprint(id))
		}
		if rows.Err() != nil {
			t.Fatal(rows.Err())
		}
	}
	_ = tx.Rollback(ctxT(t))
	same(t, "cursor over the cached answer", got, strings.Fields("0 2 4 6 4 6 8 10 12 14 16 18"))

	// Cancel while filling: a statement_timeout ends a slow statement.
	slow := "SELECT count(*) FROM shop.orders a, range(200000000) r(i) WHERE a.id + r.i = -1"
	c := m.as(t, "eu1", "")
	if _, err := c.Exec(ctxT(t), "SET statement_timeout = '150ms'"); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		b := m.gw.ResultCacheStats()
		if _, err := c.Exec(ctxT(t), slow); err == nil {
			t.Fatal("the slow statement ended within its timeout")
		} else {
			pgErr(t, err, "57014")
		}
		if a := m.gw.ResultCacheStats(); a.Entries != b.Entries || a.Hits != b.Hits {
			t.Errorf("a canceled fill was cached: entries %d → %d, hits %d → %d", b.Entries, a.Entries, b.Hits, a.Hits)
		}
	}
}

// TestResultCacheSnapshotRefresh: an answer over a snapshot of a real
// PostgreSQL table is cached until the snapshot is refreshed, and never
// served after: the refresh's new rows are the next answer. A live port
// is never cached.
func TestResultCacheSnapshotRefresh(t *testing.T) {
	cluster, pg := fedDB(t, "cache_snap")
	pgExec(t, pg,
		`CREATE TABLE crm.accounts (account_id bigint PRIMARY KEY, name text, balance numeric(12,2))`,
		`INSERT INTO crm.accounts SELECT g, 'account ' || g, g * 1.25 FROM generate_series(1, 100) g`)
	proxy := newProxy(t, cluster)
	mesh := t.TempDir()
	writeFileProducts(t, mesh)
	cols := []fedCol{{"account_id", "bigint"}, {"name", "varchar"}, {"balance", "decimal(12,2)"}}
	writeFile(t, filepath.Join(mesh, "crm", "accounts.yaml"), descriptor("crm", "accounts",
		pgPortYAML(proxy.port, "cache_snap", "accounts", "mode: snapshot", "refresh: 1h"), cols))
	writeFile(t, filepath.Join(mesh, "crm", "accounts_live.yaml"), descriptor("crm", "accounts_live",
		pgPortYAML(proxy.port, "cache_snap", "accounts"), cols))
	s := startFedGateway(t, mesh, fedPolicy(""))
	c := s.conn(t)
	const count = `SELECT count(*) || '/' || sum(balance) FROM crm.accounts`
	if got := one(t, c, count); got != "100/6312.50" {
		t.Fatalf("first read: %s", got)
	}
	before := s.gw.ResultCacheStats()
	if got := one(t, c, count); got != "100/6312.50" {
		t.Fatalf("second read: %s", got)
	}
	if st := s.gw.ResultCacheStats(); st.Hits != before.Hits+1 {
		t.Errorf("the snapshot's answer was not served from the cache: hits %d → %d", before.Hits, st.Hits)
	}
	pgExec(t, pg, `INSERT INTO crm.accounts VALUES (101, 'new', 1000)`)
	if got := one(t, c, count); got != "100/6312.50" {
		t.Errorf("before the refresh: %s (the snapshot holds the old rows)", got)
	}
	if err := s.snaps.Refresh(ctxT(t), catalog.Address{Domain: "crm", Name: "accounts"}); err != nil {
		t.Fatal(err)
	}
	if got := one(t, c, count); got != "101/7312.50" {
		t.Errorf("after the refresh: %s, want the new row", got)
	}
	const live = `SELECT count(*) FROM crm.accounts_live`
	one(t, c, live)
	pgExec(t, pg, `INSERT INTO crm.accounts VALUES (102, 'newer', 1)`)
	if got := one(t, c, live); got != "102" {
		t.Errorf("live port: %s rows, want 102", got)
	}
}
