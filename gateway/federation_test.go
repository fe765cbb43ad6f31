package gateway_test

// End-to-end federation tests: an in-process gateway serving a mesh built
// at test time in a temporary directory, with file products (Parquet, CSV
// written by a plain DuckDB), products served by postgres ports (tables
// of a throw-away PostgreSQL 15 from connectors/pgtest, shared by the
// tests of this binary) and by an http port (an httptest server). The
// remote ports are wired as `meshgate serve` wires them
// (cmd/meshgate/federation.go): a connector per port, snapshot ports
// registered with a snapshot manager refreshed in the background, and
// meshgate.freshness fed from it. A TCP proxy in front of the PostgreSQL
// cluster lets the tests take a port down (refused or silent) and bring it
// back without restarting anything.

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/meshgate/meshgate/auth"
	"github.com/meshgate/meshgate/auth/policy"
	"github.com/meshgate/meshgate/connectors"
	"github.com/meshgate/meshgate/connectors/pgtest"
	"github.com/meshgate/meshgate/engine"
	"github.com/meshgate/meshgate/gateway"
	"github.com/meshgate/meshgate/planner/catalog"
)

// TestMain stops the shared PostgreSQL cluster of the federation tests.
func TestMain(m *testing.M) { os.Exit(pgtest.Run(m)) }

// ---------------------------------------------------------------------
// Fixtures: mesh descriptors and data files.

// fedCol is a declared column of a test product.
type fedCol struct{ name, typ string }

// descriptor renders a product descriptor with one output port (port is
// the YAML of the port entry, indented by four spaces under outputPorts).
func descriptor(domain, name, port string, cols []fedCol) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, `apiVersion: meshgate/v1
kind: DataProduct
id: %[1]s.%[2]s
domain: %[1]s
name: %[2]s
version: 1.0.0
status: active
type: source-aligned
description: Federation test product %[1]s.%[2]s.
owner: {team: Federation Tests, contact: fed@example.com}
outputPorts:
%[3]s
schema:
`, domain, name, strings.TrimRight(port, "\n"))
	for _, c := range cols {
		fmt.Fprintf(&sb, "  - name: %s\n    type: %s\n", c.name, c.typ)
	}
	return sb.String()
}

// pgPortYAML is a postgres port reading crm.TABLE of database db through
// 127.0.0.1:port, with extra option lines ("key: value").
func pgPortYAML(port int, db, table string, extra ...string) string {
	s := fmt.Sprintf(`  - name: pg
    type: postgres
    options:
      host: 127.0.0.1
      port: %d
      database: %s
      schema: crm
      table: %s
      user: postgres
      sslmode: disable
      connect_timeout: 2s
`, port, db, table)
	for _, e := range extra {
		s += "      " + e + "\n"
	}
	return s
}

func writeFile(t *testing.T, path, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

var (
	ordersCols = []fedCol{{"order_id", "bigint"}, {"customer_id", "bigint"}, {"country_code", "varchar"},
		{"order_date", "date"}, {"amount", "decimal(12,2)"}}
	countriesCols = []fedCol{{"country_code", "varchar"}, {"name", "varchar"}, {"region_code", "varchar"}, {"population", "bigint"}}
	fedCountries  = [][4]string{
		{"AU", "Australia", "APAC", "26439111"}, {"BR", "Brazil", "LATAM", "216422446"}, {"CA", "Canada", "NA", "38781291"},
		{"DE", "Germany", "EU", "83294633"}, {"ES", "Spain", "EU", "47519628"}, {"FR", "France", "EU", "68170228"},
		{"GB", "United Kingdom", "EU", "68350000"}, {"IN", "India", "APAC", "1428627663"}, {"JP", "Japan", "APAC", "123294513"},
		{"MX", "Mexico", "LATAM", "128455567"}, {"US", "United States", "NA", "339996563"}, {"ZA", "South Africa", "EMEA", "60414495"},
	}
	// orders also go to XX, which geo.countries does not list (the inner
	// join drops them).
	orderCountries = []string{"AU", "BR", "CA", "DE", "ES", "FR", "GB", "IN", "JP", "MX", "US", "ZA", "XX"}
)

const (
	fedOrders    = 6000
	fedCustomers = 3000
)

// writeFileProducts writes sales.orders (Parquet, 6,000 rows, customer
// ids 1..3200 of which 1..3000 exist in crm.customers) and geo.countries
// (CSV) into mesh, and returns the CSV text of the orders and countries
// (to load the same rows into PostgreSQL).
func writeFileProducts(t *testing.T, mesh string) (ordersCSV, countriesCSV string) {
	t.Helper()
	var ob strings.Builder
	ob.WriteString("order_id,customer_id,country_code,order_date,amount\n")
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 1; i <= fedOrders; i++ {
		cust := (i*7919)%3200 + 1
		cents := (i * 104729) % 250000
		fmt.Fprintf(&ob, "%d,%d,%s,%s,%d.%02d\n", i, cust, orderCountries[i%len(orderCountries)],
			base.AddDate(0, 0, i%366).Format("2006-01-02"), cents/100, cents%100)
	}
	var cb strings.Builder
	cb.WriteString("country_code,name,region_code,population\n")
	for _, c := range fedCountries {
		cb.WriteString(strings.Join(c[:], ",") + "\n")
	}
	ordersCSV, countriesCSV = ob.String(), cb.String()

	csvPath := filepath.Join(t.TempDir(), "orders.csv")
	writeFile(t, csvPath, ordersCSV)
	pq := filepath.Join(mesh, "sales", "data", "orders.parquet")
	if err := os.MkdirAll(filepath.Dir(pq), 0o755); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(fmt.Sprintf(`COPY (SELECT * FROM read_csv('%s', header = true, columns = {'order_id': 'BIGINT', 'customer_id': 'BIGINT', 'country_code': 'VARCHAR', 'order_date': 'DATE', 'amount': 'DECIMAL(12,2)'})) TO '%s' (FORMAT parquet)`, csvPath, pq)); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(mesh, "sales", "orders.yaml"), descriptor("sales", "orders", "  - name: files\n    type: parquet\n    location: data/orders.parquet\n", ordersCols))
	writeFile(t, filepath.Join(mesh, "geo", "data", "countries.csv"), countriesCSV)
	writeFile(t, filepath.Join(mesh, "geo", "countries.yaml"), descriptor("geo", "countries", "  - name: files\n    type: csv\n    location: data/countries.csv\n", countriesCols))
	return ordersCSV, countriesCSV
}

// ---------------------------------------------------------------------
// PostgreSQL: the shared cluster, a database per test, a proxy.

// fedDB creates database name in the shared cluster (with schema crm) and
// returns a connection to it, closed at the end of the test.
func fedDB(t *testing.T, name string) (*pgtest.Cluster, *pgx.Conn) {
	t.Helper()
	c := pgtest.Shared(t)
	c.Exec(t, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)", "CREATE DATABASE "+name)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, c.DSN(name))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	pgExec(t, conn, "CREATE SCHEMA crm", "CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
	return c, conn
}

func pgExec(t *testing.T, conn *pgx.Conn, stmts ...string) {
	t.Helper()
	for _, s := range stmts {
		if _, err := conn.Exec(ctxT(t), s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// pgCopyCSV loads CSV text (with a header) into table.
func pgCopyCSV(t *testing.T, conn *pgx.Conn, table, text string) {
	t.Helper()
	if _, err := conn.PgConn().CopyFrom(ctxT(t), strings.NewReader(text), "COPY "+table+" FROM STDIN (FORMAT csv, HEADER true)"); err != nil {
		t.Fatalf("COPY %s: %v", table, err)
	}
}

// pgProxy forwards TCP connections from a fixed loopback port to the
// cluster. down closes the port (and every forwarded connection):
// connections are refused. up opens it again; with silent, connections
// are accepted but nothing is ever answered.
type pgProxy struct {
	target string
	port   int
	mu     sync.Mutex
	ln     net.Listener
	conns  map[net.Conn]struct{}
}

func newProxy(t *testing.T, c *pgtest.Cluster) *pgProxy {
	t.Helper()
	return newProxyTo(t, net.JoinHostPort(c.Host, fmt.Sprint(c.Port)))
}

// newProxyTo is a proxy in front of the server at target (host:port).
func newProxyTo(t *testing.T, target string) *pgProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &pgProxy{target: target, port: ln.Addr().(*net.TCPAddr).Port, conns: map[net.Conn]struct{}{}}
	p.serve(ln, false)
	t.Cleanup(p.down)
	return p
}

func (p *pgProxy) serve(ln net.Listener, silent bool) {
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			if !p.track(ln, c) {
				c.Close()
				return
			}
			if !silent {
				go p.forward(c)
			}
		}
	}()
}

// track records a connection, unless ln was closed meanwhile.
func (p *pgProxy) track(ln net.Listener, c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != ln {
		return false
	}
	p.conns[c] = struct{}{}
	return true
}

func (p *pgProxy) forward(c net.Conn) {
	s, err := net.DialTimeout("tcp", p.target, 5*time.Second)
	if err != nil {
		c.Close()
		return
	}
	p.mu.Lock()
	if p.ln == nil {
		p.mu.Unlock()
		s.Close()
		c.Close()
		return
	}
	p.conns[s] = struct{}{}
	p.mu.Unlock()
	go func() {
		io.Copy(s, c)
		s.Close()
		c.Close()
	}()
	io.Copy(c, s)
	c.Close()
	s.Close()
}

// down closes the port and every connection through it.
func (p *pgProxy) down() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for c := range p.conns {
		c.Close()
	}
	p.conns = map[net.Conn]struct{}{}
}

// up opens the port again (silent: accept, never answer).
func (p *pgProxy) up(t *testing.T, silent bool) {
	t.Helper()
	p.down()
	var ln net.Listener
	var err error
	for i := 0; i < 50; i++ {
		if ln, err = net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p.port)); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("proxy: cannot listen on port %d again: %v", p.port, err)
	}
	p.serve(ln, silent)
}

// ---------------------------------------------------------------------
// The gateway.

// fedServer is an in-process gateway over a test mesh with its remote
// ports wired as `meshgate serve` wires them.
type fedServer struct {
	*server
	eng   *engine.Engine
	gw    *gateway.Gateway
	snaps *connectors.Snapshots
}

// fedPolicy grants the test user every product (meshgate.* included);
// extra is appended to the federation file (masks:, rowFilters: ...).
func fedPolicy(extra string) string {
	return `apiVersion: meshgate/v1
kind: FederationPolicy
grants:
  - id: fed-reads-everything
    subjects: {users: [fed]}
    products: ["*"]
` + extra
}

// startFedGateway serves the mesh in dir under the federation policy
// text, with meshgate.audit and meshgate.freshness added as serve does
// (withAudit), connectors for the remote ports and a running snapshot
// manager.
func startFedGateway(t *testing.T, dir, federationPolicy string) *fedServer {
	t.Helper()
	return startFedGatewayAs(t, dir, federationPolicy, "apiVersion: meshgate/v1\nkind: Users\nusers:\n  - name: fed\n    groups: [analysts]\n", nil)
}

// startFedGatewayAs is startFedGateway with the users file text users and
// a delegation key for its type: gateway ports (nil: none).
func startFedGatewayAs(t *testing.T, dir, federationPolicy, usersYAML string, key ed25519.PrivateKey) *fedServer {
	t.Helper()
	mesh, problems := catalog.Load(dir)
	if len(problems) > 0 {
		t.Fatalf("test mesh has problems: %v", problems)
	}
	mesh.Products = append(mesh.Products, engine.BuiltInProducts()...)
	usersFile := filepath.Join(t.TempDir(), "users.yaml")
	writeFile(t, usersFile, usersYAML)
	users, err := auth.LoadDirectory(usersFile)
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() && os.Getenv("E2E_LOG") != "" {
		logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	ctx, cancel := context.WithCancel(context.Background())
	eng, portProblems, err := engine.Open(ctx, mesh, engine.Config{Threads: 2, Logger: logger, MaskKey: testMaskKey})
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	if len(portProblems) > 0 {
		cancel()
		eng.Close()
		t.Fatalf("test mesh ports have problems: %v", portProblems)
	}
	set := loadPolicyDir(t, writePolicyDir(t, federationPolicy, nil))
	served := &catalog.Mesh{Dir: mesh.Dir, Products: eng.Products()}
	if problems := policy.Compile(ctx, set, served, eng); len(problems) > 0 {
		cancel()
		eng.Close()
		t.Fatalf("policy does not compile: %v", problems)
	}
	gw := gateway.New(eng, users, "mesh", logger)
	gw.SetPolicy(set)
	if key != nil {
		gw.SetDelegationKey(key)
	}

	snaps, stopRemote, err := gw.StartRemote(ctx, 1<<30)
	if err != nil {
		cancel()
		eng.Close()
		t.Fatal(err)
	}

	stopSnapshots := func() {
		stopped := make(chan struct{})
		go func() { defer close(stopped); stopRemote() }()
		select {
		case <-stopped:
		case <-time.After(10 * time.Second):
			t.Errorf("the snapshot manager did not stop within 10s")
		}
	}
	srv := serveGateway(t, ctx, cancel, gw, logger, stopSnapshots, eng.Close)
	return &fedServer{server: srv, eng: eng, gw: gw, snaps: snaps}
}

// conn connects as the test user.
func (s *fedServer) conn(t *testing.T) *pgx.Conn {
	t.Helper()
	return s.connectAs(t, "fed", "")
}

// textRows runs one statement with the simple protocol and returns its
// rows as text (NULL for nulls).
func textRows(t *testing.T, c *pgx.Conn, query string) [][]string {
	t.Helper()
	rows, err := textRowsErr(ctxT(t), c, query)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return rows
}

func textRowsErr(ctx context.Context, c *pgx.Conn, query string) ([][]string, error) {
	results, err := c.PgConn().Exec(ctx, query).ReadAll()
	if err != nil {
		return nil, err
	}
	var out [][]string
	for _, r := range results {
		if r.Err != nil {
			return nil, r.Err
		}
		for _, row := range r.Rows {
			vals := make([]string, len(row))
			for i, v := range row {
				if v == nil {
					vals[i] = "NULL"
				} else {
					vals[i] = string(v)
				}
			}
			out = append(out, vals)
		}
	}
	return out, nil
}

// one is the single value of a one-row, one-column query.
func one(t *testing.T, c *pgx.Conn, query string) string {
	t.Helper()
	rows := textRows(t, c, query)
	if len(rows) != 1 || len(rows[0]) != 1 {
		t.Fatalf("%s: want one value, got %v", query, rows)
	}
	return rows[0][0]
}

func sortRows(rows [][]string) {
	sort.Slice(rows, func(i, j int) bool { return strings.Join(rows[i], "\x00") < strings.Join(rows[j], "\x00") })
}

// sameRows compares two results row by row after sorting.
func sameRows(t *testing.T, what string, got, want [][]string) {
	t.Helper()
	sortRows(got)
	sortRows(want)
	if len(got) != len(want) {
		t.Errorf("%s: meshgate answered %d rows, PostgreSQL %d", what, len(got), len(want))
	}
	bad := 0
	for i := 0; i < min(len(got), len(want)); i++ {
		if !reflect.DeepEqual(got[i], want[i]) {
			if bad < 5 {
				t.Errorf("%s: row %d: meshgate %q, PostgreSQL %q", what, i, got[i], want[i])
			}
			bad++
		}
	}
	if bad > 5 {
		t.Errorf("%s: %d rows differ in all", what, bad)
	}
}

// fedErr runs a query through meshgate and asserts it fails with code,
// the message containing every one of words.
func fedErr(t *testing.T, c *pgx.Conn, query, code string, words ...string) *pgconn.PgError {
	t.Helper()
	_, err := textRowsErr(ctxT(t), c, query)
	if err == nil {
		t.Fatalf("%s: want SQLSTATE %s, got no error", query, code)
	}
	pe := pgErr(t, err, code)
	for _, w := range words {
		if !strings.Contains(pe.Message, w) {
			t.Errorf("%s: error %q does not name %q", query, pe.Message, w)
		}
	}
	return pe
}

// eventually retries f (which reports whether it is satisfied, and what
// it saw) every 100ms until it is or within passes.
func eventually(t *testing.T, within time.Duration, what string, f func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		ok, saw := f()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s; last saw %s", what, within, saw)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// ---------------------------------------------------------------------
// 1. Three-way cross-domain join.

// TestFederationCrossDomainJoin joins crm.customers (PostgreSQL, live,
// password from an env: secret), sales.orders (Parquet) and geo.countries
// (CSV) through meshgate and compares the answers, row by row and with
// exact numerics, with the same queries run by PostgreSQL over the same
// three tables.
func TestFederationCrossDomainJoin(t *testing.T) {
	cluster, pg := fedDB(t, "fed_join")
	mesh := t.TempDir()
	ordersCSV, countriesCSV := writeFileProducts(t, mesh)

	pgExec(t, pg,
		`CREATE TABLE crm.customers (customer_id bigint PRIMARY KEY, name text NOT NULL, segment varchar(20),
			credit_limit numeric(12,2), country_code varchar(2), signed_up date)`,
		fmt.Sprintf(`INSERT INTO crm.customers
			SELECT g, 'Customer ' || g, (ARRAY['retail', 'smb', 'enterprise'])[g %% 3 + 1],
				CASE WHEN g %% 17 = 0 THEN NULL ELSE ((g * 7727) %% 5000000) / 100.0 END,
				(ARRAY['DE', 'FR', 'US', 'JP', 'BR'])[g %% 5 + 1], DATE '2020-01-01' + (g %% 1400)
			FROM generate_series(1, %d) g`, fedCustomers),
		// The reference copies of the file products, same names as in the mesh.
		`CREATE SCHEMA sales`, `CREATE SCHEMA geo`,
		`CREATE TABLE sales.orders (order_id bigint, customer_id bigint, country_code varchar, order_date date, amount numeric(12,2))`,
		`CREATE TABLE geo.countries (country_code varchar, name varchar, region_code varchar, population bigint)`,
		// meshgate reads as a reader role that needs a password.
		`DROP ROLE IF EXISTS fed_reader`,
		`CREATE ROLE fed_reader LOGIN PASSWORD 'fed-reader-pw'`,
		`GRANT USAGE ON SCHEMA crm TO fed_reader`,
		`GRANT SELECT ON crm.customers TO fed_reader`,
	)
	pgCopyCSV(t, pg, "sales.orders", ordersCSV)
	pgCopyCSV(t, pg, "geo.countries", countriesCSV)
	cluster.RequirePassword(t, "fed_reader")
	t.Setenv("FED_READER_PASSWORD", "fed-reader-pw")

	port := strings.Replace(pgPortYAML(cluster.Port, "fed_join", "customers", "password_secret: env:FED_READER_PASSWORD"),
		"user: postgres", "user: fed_reader", 1)
	writeFile(t, filepath.Join(mesh, "crm", "customers.yaml"), descriptor("crm", "customers", port, []fedCol{
		{"customer_id", "bigint"}, {"name", "varchar"}, {"segment", "varchar"}, {"credit_limit", "decimal(12,2)"},
		{"country_code", "varchar"}, {"signed_up", "date"}}))
	s := startFedGateway(t, mesh, fedPolicy(""))
	c := s.conn(t)

	queries := map[string]string{
		"rows": `SELECT o.order_id, c.customer_id, c.name, c.segment, c.credit_limit, c.signed_up, g.name AS country,
				g.region_code, o.order_date, o.amount
			FROM sales.orders o
			JOIN crm.customers c ON c.customer_id = o.customer_id
			JOIN geo.countries g ON g.country_code = o.country_code
			WHERE o.amount >= 1000 AND c.segment <> 'smb'`,
		"aggregates": `SELECT g.region_code, c.segment, count(*) AS orders, count(c.credit_limit) AS with_limit,
				sum(o.amount) AS revenue, max(o.amount) AS largest, min(o.order_date) AS first_day,
				sum(c.credit_limit) AS limits, sum(g.population) AS people
			FROM sales.orders o
			JOIN crm.customers c ON c.customer_id = o.customer_id
			JOIN geo.countries g ON g.country_code = o.country_code
			GROUP BY g.region_code, c.segment`,
		"pushed": `SELECT c.customer_id, c.credit_limit, sum(o.amount) AS spent, count(*) AS n
			FROM crm.customers c
			JOIN sales.orders o ON o.customer_id = c.customer_id
			JOIN geo.countries g ON g.country_code = o.country_code
			WHERE c.customer_id BETWEEN 100 AND 400 AND g.region_code = 'EU'
			GROUP BY c.customer_id, c.credit_limit`,
	}
	queries["using"] = `SELECT o.order_id, customer_id, c.segment, g.region_code, o.amount
			FROM sales.orders o JOIN crm.customers c USING (customer_id) JOIN geo.countries g ON g.country_code = o.country_code
			WHERE o.order_id % 10 = 0`
	for _, name := range []string{"rows", "aggregates", "pushed", "using"} {
		q := queries[name]
		got := textRows(t, c, q)
		want := textRows(t, pg, q)
		if len(want) == 0 {
			t.Fatalf("%s: the reference answers no rows; the fixture is wrong", name)
		}
		sameRows(t, name, got, want)
	}
	// The same join written with USING, as numbers through pgx's binary
	// results (extended protocol): the total revenue is exact. (The
	// planner's column pushdown must count the USING column as read.)
	const total = `SELECT sum(o.amount) FROM sales.orders o JOIN crm.customers c USING (customer_id) JOIN geo.countries g ON g.country_code = o.country_code`
	var got, want pgtype.Numeric
	if err := c.QueryRow(ctxT(t), total).Scan(&got); err != nil {
		t.Fatal(err)
	}
	if err := pg.QueryRow(ctxT(t), total).Scan(&want); err != nil {
		t.Fatal(err)
	}
	if numText(got) != numText(want) {
		t.Errorf("%s:\n meshgate %s, PostgreSQL %s", total, numText(got), numText(want))
	}
}

// numText renders a numeric exactly ("NULL" for null).
func numText(n pgtype.Numeric) string {
	if !n.Valid {
		return "NULL"
	}
	v, err := n.Value()
	if err != nil {
		return err.Error()
	}
	return fmt.Sprint(v)
}

// ---------------------------------------------------------------------
// 2. Pushdown, checked by what the source received.

// sourceQuery is one entry of pg_stat_statements.
type sourceQuery struct {
	query      string
	calls, row int64
}

// sourceQueries lists what the connector ran on crm.events since the
// last reset (the connector's queries quote their identifiers).
func sourceQueries(t *testing.T, pg *pgx.Conn) []sourceQuery {
	t.Helper()
	rows, err := pg.Query(ctxT(t), `SELECT query, calls, rows FROM pg_stat_statements
		WHERE query LIKE '%"crm"."events"%' AND dbid = (SELECT oid FROM pg_database WHERE datname = current_database())`)
	if err != nil {
		t.Fatal(err)
	}
	var out []sourceQuery
	for rows.Next() {
		var q sourceQuery
		if err := rows.Scan(&q.query, &q.calls, &q.row); err != nil {
			t.Fatal(err)
		}
		out = append(out, q)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// received runs query through meshgate and returns its rows and the one
// source query the connector ran for it.
func received(t *testing.T, c, pg *pgx.Conn, query string) ([][]string, sourceQuery) {
	t.Helper()
	pgExec(t, pg, "SELECT pg_stat_statements_reset()")
	rows := textRows(t, c, query)
	var got []sourceQuery
	eventually(t, 5*time.Second, "the source query in pg_stat_statements", func() (bool, string) {
		got = sourceQueries(t, pg)
		return len(got) == 1, fmt.Sprint(got)
	})
	t.Logf("%s\n  source ran: %s (%d rows)", query, got[0].query, got[0].row)
	return rows, got[0]
}

// whereClause is the WHERE clause of a source query ("" without one).
func whereClause(q string) string {
	_, w, ok := strings.Cut(q, " WHERE ")
	if !ok {
		return ""
	}
	w, _, _ = strings.Cut(w, " LIMIT ")
	return w
}

// TestFederationPushdown checks on the source what a live postgres port
// was asked for: a 1% predicate moves 1% of 1,000,000 rows as a
// parameterised WHERE, a LIMIT is pushed, a predicate on a masked column
// is not (and the answer, over masked values, is still right).
func TestFederationPushdown(t *testing.T) {
	cluster, pg := fedDB(t, "fed_push")
	pgExec(t, pg,
		`CREATE TABLE crm.events AS SELECT g::bigint AS event_id, (g % 100)::int AS kind, (g % 1000)::int AS account_id,
			'e' || g AS payload FROM generate_series(1, 1000000) g`,
		`ANALYZE crm.events`)
	mesh := t.TempDir()
	writeFileProducts(t, mesh)
	writeFile(t, filepath.Join(mesh, "crm", "events.yaml"), descriptor("crm", "events", pgPortYAML(cluster.Port, "fed_push", "events"),
		[]fedCol{{"event_id", "bigint"}, {"kind", "integer"}, {"account_id", "integer"}, {"payload", "varchar"}}))
	s := startFedGateway(t, mesh, fedPolicy(`masks:
  - id: payload-redacted
    products: [crm.events]
    columns: [payload]
    mask: redact
`))
	c := s.conn(t)

	t.Run("selective predicate", func(t *testing.T) {
		q := `SELECT count(*), sum(event_id), min(event_id), max(event_id) FROM crm.events WHERE kind = 7`
		rows, src := received(t, c, pg, q)
		sameRows(t, q, rows, textRows(t, pg, q))
		if src.row < 9000 || src.row > 11000 {
			t.Errorf("the source sent %d rows for a 1%% predicate (want about 10,000): %s", src.row, src.query)
		}
		if w := whereClause(src.query); !strings.Contains(w, `"kind" = $1`) {
			t.Errorf("the source query has no parameterised predicate on kind: %s", src.query)
		}
		if strings.Contains(src.query, "7") {
			t.Errorf("the predicate's value is spliced into the source query: %s", src.query)
		}
	})
	t.Run("range and IN", func(t *testing.T) {
		q := `SELECT count(*), sum(kind) FROM crm.events WHERE account_id IN (3, 5, 8) AND event_id BETWEEN 100000 AND 199999`
		rows, src := received(t, c, pg, q)
		sameRows(t, q, rows, textRows(t, pg, q))
		if src.row != 300 {
			t.Errorf("the source sent %d rows, want 300: %s", src.row, src.query)
		}
	})
	t.Run("limit", func(t *testing.T) {
		q := `SELECT event_id, account_id FROM crm.events LIMIT 7`
		rows, src := received(t, c, pg, q)
		if len(rows) != 7 {
			t.Fatalf("%s: %d rows", q, len(rows))
		}
		if !strings.Contains(src.query, " LIMIT $") || src.row != 7 {
			t.Errorf("the LIMIT was not pushed: the source ran %s and sent %d rows", src.query, src.row)
		}
		// With a WHERE clause the planner pushes the predicates but not the
		// LIMIT (it pushes one only for a plain scan): the answer is right,
		// the source sends every matching row.
		q = `SELECT event_id, account_id FROM crm.events WHERE account_id = 5 LIMIT 7`
		rows, src = received(t, c, pg, q)
		if len(rows) != 7 {
			t.Fatalf("%s: %d rows", q, len(rows))
		}
		for _, r := range rows {
			if r[1] != "5" || !strings.HasSuffix(r[0], "5") {
				t.Errorf("%s: row %v", q, r)
			}
		}
		if !strings.Contains(whereClause(src.query), `"account_id" = $1`) {
			t.Errorf("the predicate was not pushed: %s", src.query)
		}
		if !strings.Contains(src.query, " LIMIT $") {
			t.Logf("note: LIMIT with a WHERE clause is not pushed (the source sent %d rows for LIMIT 7)", src.row)
		}
		q = `SELECT * FROM crm.events LIMIT 5`
		rows, src = received(t, c, pg, q)
		if len(rows) != 5 || src.row != 5 || !strings.Contains(src.query, " LIMIT $") {
			t.Errorf("%s: %d rows; the source ran %s and sent %d rows", q, len(rows), src.query, src.row)
		}
	})
	t.Run("masked column", func(t *testing.T) {
		// payload is redacted ('e12345' reads 'x00000'): a predicate on it
		// compares masked values and must not reach the source, where it
		// would compare raw ones.
		q := `SELECT count(*) FROM crm.events WHERE kind = 7 AND payload = 'x00000'`
		rows, src := received(t, c, pg, q)
		want := one(t, pg, `SELECT count(*) FROM crm.events WHERE kind = 7 AND length(payload) = 6`)
		if len(rows) != 1 || rows[0][0] != want {
			t.Errorf("%s: got %v, want %s", q, rows, want)
		}
		w := whereClause(src.query)
		if strings.Contains(w, "payload") {
			t.Errorf("a predicate on the masked column reached the source: %s", src.query)
		}
		if !strings.Contains(w, `"kind" = $1`) || src.row < 9000 || src.row > 11000 {
			t.Errorf("the unmasked predicate was not pushed: the source ran %s and sent %d rows", src.query, src.row)
		}
		if strings.Contains(src.query, "LIMIT") {
			t.Errorf("a LIMIT was pushed although a predicate was not: %s", src.query)
		}
		// The raw value matches nothing: the user sees masked values only.
		if got := one(t, c, `SELECT count(*) FROM crm.events WHERE kind = 7 AND payload = 'e10007'`); got != "0" {
			t.Errorf("a predicate on the raw value of a masked column matched %s rows", got)
		}
		if got := one(t, c, `SELECT payload FROM crm.events WHERE event_id = 12345`); got != "x00000" {
			t.Errorf("masked payload reads %q", got)
		}
	})
}

// ---------------------------------------------------------------------
// 3. Snapshots: refresh and staleness.

// TestFederationSnapshots serves crm.accounts from a snapshot refreshed
// every second (max_staleness 2s, on_stale fail) and crm.accounts_live
// (the same table, on_stale live): new source rows appear after a
// refresh, meshgate.freshness shows the snapshots, a source that is down
// makes the snapshot stale (55000 naming product and max_staleness), and
// on_stale live reads the source on use.
func TestFederationSnapshots(t *testing.T) {
	cluster, pg := fedDB(t, "fed_snap")
	pgExec(t, pg,
		`CREATE TABLE crm.accounts (account_id bigint PRIMARY KEY, name text, balance numeric(12,2))`,
		`INSERT INTO crm.accounts SELECT g, 'account ' || g, g * 1.25 FROM generate_series(1, 500) g`)
	proxy := newProxy(t, cluster)
	mesh := t.TempDir()
	writeFileProducts(t, mesh)
	cols := []fedCol{{"account_id", "bigint"}, {"name", "varchar"}, {"balance", "decimal(12,2)"}}
	writeFile(t, filepath.Join(mesh, "crm", "accounts.yaml"), descriptor("crm", "accounts",
		pgPortYAML(proxy.port, "fed_snap", "accounts", "mode: snapshot", "refresh: 1s", "max_staleness: 2s", "on_stale: fail"), cols))
	writeFile(t, filepath.Join(mesh, "crm", "accounts_live.yaml"), descriptor("crm", "accounts_live",
		pgPortYAML(proxy.port, "fed_snap", "accounts", "mode: snapshot", "refresh: 1s", "max_staleness: 2s", "on_stale: live"), cols))
	s := startFedGateway(t, mesh, fedPolicy(""))
	c := s.conn(t)

	const count = `SELECT count(*) || '/' || sum(balance) FROM crm.accounts`
	if got := one(t, c, count); got != "500/156562.50" {
		t.Fatalf("first read of the snapshot: %s", got)
	}
	// A statement prepared now (pgx caches it: extended protocol) is
	// planned over the 500 rows; it must not keep answering from them.
	const above = `SELECT count(*) FROM crm.accounts WHERE account_id > 510`
	if got := scalar[int64](t, c, above); got != 0 {
		t.Fatalf("%s before the insert: %d", above, got)
	}
	pgExec(t, pg, `INSERT INTO crm.accounts SELECT g, 'account ' || g, g * 1.25 FROM generate_series(501, 525) g`)
	inserted := time.Now()
	if got := one(t, c, count); got != "500/156562.50" {
		t.Logf("the snapshot already had the new rows %s after the insert", time.Since(inserted))
	}
	time.Sleep(1200 * time.Millisecond) // > refresh
	eventually(t, 5*time.Second, "the inserted rows in the snapshot", func() (bool, string) {
		got := one(t, c, count)
		return got == "525/172593.75", got
	})
	if got := scalar[int64](t, c, above); got != 15 {
		t.Errorf("%s, prepared before the refresh, after it: %d rows, want 15", above, got)
	}

	t.Run("freshness", func(t *testing.T) {
		var (
			loaded  bool
			last    time.Time
			rows    int64
			lastErr *string
			mode    string
		)
		err := c.QueryRow(ctxT(t), `SELECT mode, loaded, last_refresh, row_count, last_error FROM meshgate.freshness WHERE product = 'crm.accounts'`).
			Scan(&mode, &loaded, &last, &rows, &lastErr)
		if err != nil {
			t.Fatal(err)
		}
		if mode != "snapshot" || !loaded || rows != 525 || lastErr != nil {
			t.Errorf("meshgate.freshness of crm.accounts: mode %s loaded %t rows %d error %v", mode, loaded, rows, lastErr)
		}
		if age := time.Since(last); age < -time.Second || age > 5*time.Second {
			t.Errorf("meshgate.freshness of crm.accounts: last_refresh %s is %s ago", last, age)
		}
		if n := one(t, c, `SELECT count(*) FROM meshgate.freshness WHERE product IN ('crm.accounts', 'crm.accounts_live') AND age IS NOT NULL`); n != "2" {
			t.Errorf("meshgate.freshness lists %s of the two snapshots", n)
		}
	})

	// The source goes down: the snapshot is served until it is older than
	// max_staleness, then refused.
	proxy.down()
	downAt := time.Now()
	if got, err := textRowsErr(ctxT(t), c, count); err != nil {
		t.Errorf("a fresh snapshot is not served while its source is down: %v", err)
	} else if got[0][0] != "525/172593.75" {
		t.Errorf("the snapshot while its source is down: %v", got)
	}
	var stale *pgconn.PgError
	eventually(t, 10*time.Second, "the stale snapshot refused", func() (bool, string) {
		_, err := textRowsErr(ctxT(t), c, count)
		errors.As(err, &stale)
		return stale != nil, fmt.Sprint(err)
	})
	t.Logf("stale after %s: %s (hint %q)", time.Since(downAt), stale.Message, stale.Hint)
	pe := fedErr(t, c, count, "55000", "crm.accounts", "max_staleness", "2s")
	if !strings.Contains(pe.Message, "refresh failed") {
		t.Errorf("the stale error does not say that the refresh failed: %s", pe.Message)
	}
	if strings.Contains(pe.Message, "(SQLSTATE") {
		t.Errorf("the stale error nests another error's SQLSTATE: %s", pe.Message)
	}
	if got := one(t, c, `SELECT last_error IS NOT NULL AND last_error LIKE '%crm.accounts%' FROM meshgate.freshness WHERE product = 'crm.accounts'`); got != "t" {
		t.Errorf("meshgate.freshness does not show the failed refresh of crm.accounts")
	}
	if got := one(t, c, `SELECT count(*) FROM sales.orders`); got != fmt.Sprint(fedOrders) {
		t.Errorf("file product on the same connection: %s", got)
	}

	// on_stale live: a stale snapshot is refreshed on use, which with the
	// source down answers the connection error, not 55000.
	// (Its last refresh may be up to a refresh period later than
	// crm.accounts': wait until it is stale too.)
	eventually(t, 10*time.Second, "crm.accounts_live stale and refreshed on use", func() (bool, string) {
		_, err := textRowsErr(ctxT(t), c, `SELECT count(*) FROM crm.accounts_live`)
		return err != nil, fmt.Sprint(err)
	})
	fedErr(t, c, `SELECT count(*) FROM crm.accounts_live`, "08001", "crm.accounts_live", "port pg")

	// The source comes back with more rows.
	pgExec(t, pg, `INSERT INTO crm.accounts SELECT g, 'account ' || g, g * 1.25 FROM generate_series(526, 530) g`)
	proxy.up(t, false)
	if got := one(t, c, `SELECT count(*) FROM crm.accounts_live`); got != "530" {
		t.Errorf("on_stale live after the source came back: %s rows, want 530", got)
	}
	eventually(t, 5*time.Second, "crm.accounts refreshed after the source came back", func() (bool, string) {
		rows, err := textRowsErr(ctxT(t), c, `SELECT count(*) FROM crm.accounts`)
		if err != nil {
			return false, err.Error()
		}
		return rows[0][0] == "530", rows[0][0]
	})
}

// ---------------------------------------------------------------------
// 4. A port down and back up.

// TestFederationPortDown takes the PostgreSQL of a live product away
// (connections refused, then accepted and never answered): its queries
// answer 08001 naming product and port within the connect_timeout, the
// file products keep working on the same connection, and when the source
// is back the product works again without restarting the gateway.
func TestFederationPortDown(t *testing.T) {
	cluster, pg := fedDB(t, "fed_down")
	pgExec(t, pg,
		`CREATE TABLE crm.customers (customer_id bigint PRIMARY KEY, name text)`,
		`INSERT INTO crm.customers SELECT g, 'customer ' || g FROM generate_series(1, 3200) g`)
	proxy := newProxy(t, cluster)
	mesh := t.TempDir()
	writeFileProducts(t, mesh)
	writeFile(t, filepath.Join(mesh, "crm", "customers.yaml"), descriptor("crm", "customers",
		pgPortYAML(proxy.port, "fed_down", "customers"), []fedCol{{"customer_id", "bigint"}, {"name", "varchar"}}))
	s := startFedGateway(t, mesh, fedPolicy(""))
	c := s.conn(t)

	const join = `SELECT count(*) FROM sales.orders o JOIN crm.customers c USING (customer_id)`
	want := one(t, c, join)
	if want != fmt.Sprint(fedOrders) {
		t.Fatalf("%s: %s", join, want)
	}
	fileWorks := func() {
		t.Helper()
		if got := one(t, c, `SELECT count(*) FROM sales.orders o JOIN geo.countries g USING (country_code)`); got == "0" {
			t.Errorf("file products on the same connection: %s", got)
		}
	}

	proxy.down()
	// A pooled connection that just died may surface as a lost connection
	// (08006) once; after that the source is plainly unreachable.
	if _, err := textRowsErr(ctxT(t), c, join); err == nil {
		t.Fatalf("a query of a product whose source is down succeeded")
	} else {
		t.Logf("first query after the source went down: %v", err)
	}
	time.Sleep(1100 * time.Millisecond) // pgxpool pings connections idle for > 1s
	start := time.Now()
	pe := fedErr(t, c, join, "08001", "crm.customers", "port pg")
	if d := time.Since(start); d > 15*time.Second {
		t.Errorf("refused: the error took %s", d)
	}
	t.Logf("refused: %s (hint %q)", pe.Message, pe.Hint)
	fileWorks()

	// Accepted and never answered: the connect_timeout (2s) ends it.
	proxy.up(t, true)
	start = time.Now()
	pe = fedErr(t, c, join, "08001", "crm.customers", "port pg")
	if d := time.Since(start); d > 15*time.Second {
		t.Errorf("silent: the error took %s (connect_timeout 2s)", d)
	}
	t.Logf("silent: %s after %s", pe.Message, time.Since(start))
	fileWorks()

	proxy.up(t, false)
	if got := one(t, c, join); got != want {
		t.Errorf("after the source came back: %s, want %s", got, want)
	}
	// A new connection works too.
	if got := one(t, s.conn(t), `SELECT count(*) FROM crm.customers`); got != "3200" {
		t.Errorf("new connection after the source came back: %s", got)
	}
}

// ---------------------------------------------------------------------
// 5. Schema drift.

// TestFederationSchemaDrift changes the source table of a live product:
// a dropped column answers 42703 naming it, a changed type 42804 naming
// the column and both types; other products are unaffected.
func TestFederationSchemaDrift(t *testing.T) {
	cluster, pg := fedDB(t, "fed_drift")
	pgExec(t, pg,
		`CREATE TABLE crm.profiles (id bigint PRIMARY KEY, nickname text, score integer)`,
		`INSERT INTO crm.profiles SELECT g, 'nick' || g, g % 50 FROM generate_series(1, 100) g`)
	mesh := t.TempDir()
	writeFileProducts(t, mesh)
	writeFile(t, filepath.Join(mesh, "crm", "profiles.yaml"), descriptor("crm", "profiles",
		pgPortYAML(cluster.Port, "fed_drift", "profiles"), []fedCol{{"id", "bigint"}, {"nickname", "varchar"}, {"score", "integer"}}))
	s := startFedGateway(t, mesh, fedPolicy(""))
	c := s.conn(t)

	if got := one(t, c, `SELECT count(*) || '/' || sum(score) FROM crm.profiles`); got != "100/2450" {
		t.Fatalf("before the drift: %s", got)
	}
	others := func() {
		t.Helper()
		if got := one(t, c, `SELECT count(*) FROM sales.orders`); got != fmt.Sprint(fedOrders) {
			t.Errorf("other products after the drift: %s", got)
		}
	}

	pgExec(t, pg, `ALTER TABLE crm.profiles DROP COLUMN nickname`)
	for _, q := range []string{`SELECT * FROM crm.profiles`, `SELECT id, nickname FROM crm.profiles WHERE id < 10`} {
		pe := fedErr(t, c, q, "42703", "nickname", "crm.profiles", "contract drift")
		t.Logf("dropped column: %s (hint %q)", pe.Message, pe.Hint)
	}
	others()
	if got := one(t, c, `SELECT sum(score) FROM crm.profiles`); got != "2450" {
		t.Errorf("a query not reading the dropped column: %s", got)
	}

	pgExec(t, pg, `ALTER TABLE crm.profiles ADD COLUMN nickname text`, `ALTER TABLE crm.profiles ALTER COLUMN score TYPE text`)
	pe := fedErr(t, c, `SELECT id, score FROM crm.profiles`, "42804", "score", "INTEGER", "VARCHAR", "crm.profiles")
	t.Logf("changed type: %s (hint %q)", pe.Message, pe.Hint)
	others()

	pgExec(t, pg, `ALTER TABLE crm.profiles ALTER COLUMN score TYPE integer USING score::integer`)
	if got := one(t, c, `SELECT count(*) || '/' || sum(score) FROM crm.profiles`); got != "100/2450" {
		t.Errorf("after the drift was repaired: %s", got)
	}
}

// ---------------------------------------------------------------------
// 6. HTTP port.

type fedRegion struct {
	RegionCode string `json:"region_code"`
	Name       string `json:"name"`
	Headcount  any    `json:"headcount"`
	Active     bool   `json:"active"`
}

// TestFederationHTTP joins geo.regions_api (an http port over an
// httptest server) with geo.countries (CSV), pushes an equality through
// the port's filters option, and reports a value of the wrong JSON type
// as contract drift.
func TestFederationHTTP(t *testing.T) {
	regions := []fedRegion{
		{"APAC", "Asia-Pacific", int64(310), true}, {"EU", "Europe", int64(1250), true}, {"LATAM", "Latin America", int64(95), true},
		{"NA", "North America", int64(880), true}, {"EMEA", "Middle East and Africa", int64(40), false},
	}
	var wrongType atomic.Bool
	var mu sync.Mutex
	var seen []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.URL.RawQuery)
		mu.Unlock()
		if r.URL.Path != "/v1/regions" {
			http.NotFound(w, r)
			return
		}
		out := []fedRegion{}
		for _, reg := range regions {
			if f := r.URL.Query().Get("region"); f != "" && f != reg.RegionCode {
				continue
			}
			if wrongType.Load() && reg.RegionCode == "EU" {
				reg.Headcount = "twelve hundred"
			}
			out = append(out, reg)
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(out)
	}))
	t.Cleanup(srv.Close)

	mesh := t.TempDir()
	writeFileProducts(t, mesh)
	writeFile(t, filepath.Join(mesh, "geo", "regions_api.yaml"), descriptor("geo", "regions_api", fmt.Sprintf(`  - name: api
    type: http
    location: %s/v1/regions
    options:
      format: json
      timeout: 5s
      filters: {region_code: region}
`, srv.URL), []fedCol{{"region_code", "varchar"}, {"name", "varchar"}, {"headcount", "bigint"}, {"active", "boolean"}}))
	s := startFedGateway(t, mesh, fedPolicy(""))
	c := s.conn(t)

	byCode := map[string]fedRegion{}
	for _, r := range regions {
		byCode[r.RegionCode] = r
	}
	var want [][]string
	for _, co := range fedCountries {
		r := byCode[co[2]]
		if r.Active {
			want = append(want, []string{co[0], co[1], r.Name, fmt.Sprint(r.Headcount)})
		}
	}
	got := textRows(t, c, `SELECT c.country_code, c.name, r.name, r.headcount
		FROM geo.countries c JOIN geo.regions_api r ON r.region_code = c.region_code
		WHERE r.active ORDER BY c.country_code`)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("join of the http product with the csv product:\n got  %v\n want %v", got, want)
	}
	// Aggregates over the join (bigint arithmetic on both sides).
	got = textRows(t, c, `SELECT r.region_code, count(*), sum(c.population)::bigint / r.headcount
		FROM geo.countries c JOIN geo.regions_api r USING (region_code)
		GROUP BY r.region_code, r.headcount ORDER BY 1`)
	want = nil
	for _, code := range []string{"APAC", "EMEA", "EU", "LATAM", "NA"} {
		var n, pop int64
		for _, co := range fedCountries {
			if co[2] == code {
				var p int64
				fmt.Sscan(co[3], &p)
				n, pop = n+1, pop+p
			}
		}
		hc := byCode[code].Headcount.(int64)
		// bigint / bigint is an integer division (sum of bigints is a
		// numeric, whose division is refused: README, known differences).
		want = append(want, []string{code, fmt.Sprint(n), fmt.Sprint(pop / hc)})
	}
	for i := range got {
		if i < len(want) && len(got[i]) == 3 {
			got[i][2], _, _ = strings.Cut(got[i][2], ".")
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("aggregates over the join:\n got  %v\n want %v", got, want)
	}

	// An equality on region_code becomes the API's query parameter.
	mu.Lock()
	seen = nil
	mu.Unlock()
	if got := one(t, c, `SELECT headcount FROM geo.regions_api WHERE region_code = 'EU'`); got != "1250" {
		t.Errorf("filtered read: %s", got)
	}
	mu.Lock()
	if len(seen) != 1 || seen[0] != "region=EU" {
		t.Errorf("the API received %q, want one request with region=EU", seen)
	}
	mu.Unlock()

	// The API sends a string where the contract says bigint.
	wrongType.Store(true)
	pe := fedErr(t, c, `SELECT c.name, r.headcount FROM geo.countries c JOIN geo.regions_api r USING (region_code)`,
		"42804", "headcount", "geo.regions_api", "contract drift")
	t.Logf("wrong type: %s (hint %q)", pe.Message, pe.Hint)
	if got := one(t, c, `SELECT count(*) FROM geo.countries`); got != fmt.Sprint(len(fedCountries)) {
		t.Errorf("the file product after the drift error: %s", got)
	}
	wrongType.Store(false)
	if got := one(t, c, `SELECT sum(headcount) FROM geo.regions_api`); got != "2575" {
		t.Errorf("after the API was fixed: %s", got)
	}
}
