// Command catalog benchmarks the catalog front door (make bench-catalog):
// it generates a mesh of N products (50 per domain, CSV ports, 6 columns
// each, a pii column), serves it with the demo users and a policy granting
// analysts half the domains, and measures in-process server time of
// GET /api/v1/products?q=… (varied searches, filters and pages) and of the
// product page (with its sample rows, a logged-in browser session).
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/meshgate/meshgate/auth"
	"github.com/meshgate/meshgate/auth/policy"
	"github.com/meshgate/meshgate/catalogweb"
	"github.com/meshgate/meshgate/engine"
	"github.com/meshgate/meshgate/gateway"
	"github.com/meshgate/meshgate/planner/catalog"
)

func main() {
	n := flag.Int("products", 5000, "products to generate")
	reqs := flag.Int("requests", 1000, "requests per measurement")
	flag.Parse()
	if err := run(*n, *reqs); err != nil {
		fmt.Fprintln(os.Stderr, "bench-catalog:", err)
		os.Exit(1)
	}
}

const perDomain = 50

func generate(dir string, n int) error {
	words := []string{"orders", "customers", "invoices", "shipments", "stock", "prices", "returns", "visits", "leads", "payments"}
	for i := 0; i < n; i++ {
		d := fmt.Sprintf("d%03d", i/perDomain)
		data := filepath.Join(dir, d, "data")
		if i%perDomain == 0 {
			if err := os.MkdirAll(data, 0o755); err != nil {
				return err
			}
			if err := os.WriteFile(filepath.Join(data, "rows.csv"), []byte("id,name,email,amount,day,note\n1,Ann Lee,ann@example.com,10.5,2024-01-02,first\n2,Bo Chen,bo@example.com,7.25,2024-02-03,second\n"), 0o644); err != nil {
				return err
			}
		}
		w := words[i%len(words)]
		y := fmt.Sprintf(`apiVersion: meshgate/v1
kind: DataProduct
id: %[1]s.p%04[2]d_%[3]s
domain: %[1]s
name: p%04[2]d_%[3]s
version: 1.%[4]d.0
status: active
type: source-aligned
description: Generated product %[2]d about %[3]s of region %[4]d.
owner: {team: Team %[1]s, contact: team-%[1]s@example.com}
tags: [%[3]s, gen%[4]d]
outputPorts:
  - {name: files, type: csv, location: data/rows.csv, options: {header: true}}
schema:
  - {name: id, type: bigint, description: Row id %[2]d., classification: public}
  - {name: name, type: varchar, description: Customer name., classification: pii}
  - {name: email, type: varchar, description: E-mail., classification: pii}
  - {name: amount, type: double, description: Amount of %[3]s., classification: internal}
  - {name: day, type: date, description: Day., classification: public}
  - {name: note, type: varchar, description: Free text col_%[2]d., classification: internal}
`, d, i, w, i%7)
		if err := os.WriteFile(filepath.Join(dir, d, fmt.Sprintf("p%04d_%s.yaml", i, w)), []byte(y), 0o644); err != nil {
			return err
		}
	}
	half := []string{}
	for i := 0; i < n/perDomain/2; i++ {
		half = append(half, fmt.Sprintf(`"d%03d.*"`, i))
	}
	pol := fmt.Sprintf(`apiVersion: meshgate/v1
kind: FederationPolicy
grants:
  - {id: analysts-half, subjects: {groups: [analysts]}, products: [%s]}
  - {id: catalog, subjects: {}, products: ["meshgate.products", "meshgate.columns"]}
classifications:
  - {id: pii-redacted, classification: pii, mask: redact}
`, strings.Join(half, ", "))
	if err := os.MkdirAll(filepath.Join(filepath.Dir(dir), "policies"), 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(filepath.Dir(dir), "policies", "federation.yaml"), []byte(pol), 0o644)
}

func run(n, reqs int) error {
	dir, err := os.MkdirTemp("", "meshgate-bench-catalog-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	meshDir := filepath.Join(dir, "mesh")
	if err := generate(meshDir, n); err != nil {
		return err
	}
	policyDir := filepath.Join(dir, "policies")
	ctx := context.Background()
	t0 := time.Now()
	mesh, problems := catalog.Load(meshDir)
	if len(problems) > 0 {
		return fmt.Errorf("mesh: %v", problems[0])
	}
	mesh.Products = append(mesh.Products, engine.BuiltInProducts()...)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	eng, pp, err := engine.Open(ctx, mesh, engine.Config{Threads: 1, Logger: log})
	if err != nil || len(pp) > 0 {
		return fmt.Errorf("engine: %v %v", err, pp)
	}
	defer eng.Close()
	set, ps := policy.Load(policyDir)
	if len(ps) > 0 {
		return fmt.Errorf("policy: %v", ps[0])
	}
	if ps := policy.Compile(ctx, set, &catalog.Mesh{Dir: mesh.Dir, Products: eng.Products()}, eng); len(ps) > 0 {
		return fmt.Errorf("policy: %v", ps[0])
	}
	users, err := auth.LoadDirectory("testdata/users.yaml")
	if err != nil {
		return err
	}
	gw := gateway.New(eng, users, "mesh", log)
	gw.SetPolicy(set)
	cs, err := catalogweb.New(gw, catalogweb.Config{Logger: log})
	if err != nil {
		return err
	}
	fmt.Printf("mesh of %d products served in %v\n", len(eng.Products()), time.Since(t0).Round(time.Millisecond))

	// Searches as the analyst (HTTP Basic from loopback; the test gateway
	// checks user names only, so the figures are the catalog's, not SCRAM's).
	queries := []string{"q=orders", "q=customers+region", "q=col_4711", "q=gen3&limit=20", "q=e-mail&offset=100",
		"domain=d007", "tag=stock&limit=200", "classification=pii&q=prices", "q=zzz-no-match", "q=generated+product+42"}
	call := func(target string, cookie *http.Cookie, basic bool) (time.Duration, int) {
		req := httptest.NewRequest("GET", target, nil)
		req.RemoteAddr = "127.0.0.1:40000"
		if basic {
			req.SetBasicAuth("analyst", "analyst-demo")
		}
		if cookie != nil {
			req.AddCookie(cookie)
		}
		rec := httptest.NewRecorder()
		start := time.Now()
		cs.ServeHTTP(rec, req)
		return time.Since(start), rec.Code
	}
	for _, q := range queries { // warm the per-user listing
		if _, code := call("/api/v1/products?"+q, nil, true); code != 200 {
			return fmt.Errorf("GET /api/v1/products?%s: %d", q, code)
		}
	}
	var search []time.Duration
	for i := 0; i < reqs; i++ {
		d, _ := call("/api/v1/products?"+queries[i%len(queries)], nil, true)
		search = append(search, d)
	}
	report("GET /api/v1/products?q=…", search)

	// The product page of a logged-in browser session.
	cookie, err := formLogin(cs)
	if err != nil {
		return err
	}
	page := func(i int) string {
		return fmt.Sprintf("/products/d%03d.p%04d_%s", (i%(n/2))/perDomain, i%(n/2), []string{"orders", "customers", "invoices", "shipments", "stock", "prices", "returns", "visits", "leads", "payments"}[(i%(n/2))%10])
	}
	t1 := time.Now()
	if _, code := call(page(0), cookie, false); code != 200 {
		return fmt.Errorf("GET %s: %d", page(0), code)
	}
	fmt.Printf("first product page (opens the session's SQL session): %v\n", time.Since(t1).Round(time.Millisecond))
	var pages []time.Duration
	for i := 0; i < reqs/4; i++ {
		d, code := call(page(i*37), cookie, false)
		if code != 200 {
			return fmt.Errorf("GET %s: %d", page(i*37), code)
		}
		pages = append(pages, d)
	}
	report("GET /products/{id} (page with 10 sample rows)", pages)
	var details []time.Duration
	for i := 0; i < reqs/4; i++ {
		d, _ := call("/api/v1"+page(i*37), nil, true)
		details = append(details, d)
	}
	report("GET /api/v1/products/{id} (no sample)", details)
	return nil
}

func formLogin(cs *catalogweb.Server) (*http.Cookie, error) {
	rec := httptest.NewRecorder()
	cs.ServeHTTP(rec, httptest.NewRequest("GET", "/login", nil))
	var csrf *http.Cookie
	for _, c := range rec.Result().Cookies() {
		if c.Name == "mg_login_csrf" {
			csrf = c
		}
	}
	if csrf == nil {
		return nil, fmt.Errorf("login page set no CSRF cookie")
	}
	form := url.Values{"user": {"analyst"}, "password": {"analyst-demo"}, "csrf": {csrf.Value}}
	req := httptest.NewRequest("POST", "/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(csrf)
	rec = httptest.NewRecorder()
	cs.ServeHTTP(rec, req)
	for _, c := range rec.Result().Cookies() {
		if c.Name == "mg_session" && c.Value != "" {
			return c, nil
		}
	}
	return nil, fmt.Errorf("login: %d, no session cookie", rec.Code)
}

func report(what string, ds []time.Duration) {
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	q := func(p float64) time.Duration { return ds[int(p*float64(len(ds)-1))].Round(time.Microsecond) }
	fmt.Printf("%-48s n=%d  p50 %v  p90 %v  p99 %v  max %v (server time)\n", what, len(ds), q(.5), q(.9), q(.99), ds[len(ds)-1].Round(time.Microsecond))
}
