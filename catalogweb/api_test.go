package catalogweb_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/meshgate/meshgate/auth/policy"
	"github.com/meshgate/meshgate/planner/catalog"
)

type summary struct {
	ID      string `json:"id"`
	Granted bool   `json:"granted"`
	Health  string `json:"health"`
}

type page struct {
	Products []summary `json:"products"`
	Total    int       `json:"total"`
}

type column struct {
	Name, Access, Mask, Explained string
	Classification                string
	MaskRule                      string `json:"mask_rule"`
}

type detail struct {
	ID      string
	Owner   string
	Contact string
	Schema  []column
	Port    map[string]string
	Health  string
	Granted bool
	Access  struct {
		Granted       bool
		Reason        string
		MaskedColumns []string                     `json:"masked_columns"`
		RowFilters    []struct{ Rule, SQL string } `json:"row_filters"`
		Request       string                       `json:"how_to_request"`
	}
}

func ids(p page) []string {
	var out []string
	for _, s := range p.Products {
		out = append(out, s.ID)
	}
	return out
}

// Who sees what: analysts, stewards and admins, with ungranted products
// listed (the default) and hidden; every product's access is the
// explanation explain-access gives.
func TestVisibility(t *testing.T) {
	listed := start(t, "../testdata/policies")
	hidden := start(t, policyWith(t, "ungranted: listed", "ungranted: hidden"))
	for _, c := range []struct {
		h                *harness
		user             string
		visible, granted bool // of meshgate.audit
	}{
		{listed, "analyst", true, false},
		{listed, "steward", true, true},
		{listed, "admin", true, true},
		{hidden, "analyst", false, false},
		{hidden, "steward", true, true},
	} {
		var all page
		c.h.getJSON(t, c.user, "/api/v1/products?limit=200", &all)
		i := slices.Index(ids(all), "meshgate.audit")
		// Health comes from the product's data: withheld without a grant.
		if i >= 0 && (all.Products[i].Health == "withheld") == c.granted {
			t.Errorf("%s: meshgate.audit health %q (granted %v)", c.user, all.Products[i].Health, c.granted)
		}
		if (i >= 0) != c.visible || i >= 0 && all.Products[i].Granted != c.granted {
			t.Errorf("%s: meshgate.audit listed %v (granted %v), want %v (%v)", c.user, i >= 0, i >= 0 && all.Products[i].Granted, c.visible, c.granted)
		}
		status, _, body := c.h.get(t, c.user, "/api/v1/products/meshgate.audit")
		if c.visible != (status == http.StatusOK) || !c.visible && status != http.StatusNotFound {
			t.Errorf("%s: GET meshgate.audit: %d %s", c.user, status, body)
		}
		// The SQL catalog lists the same products with the same grants.
		if c.user != "admin" {
			conn := c.h.pgx(t, c.user)
			rows, err := conn.Query(context.Background(), "SELECT product, granted, health FROM meshgate.products ORDER BY product")
			if err != nil {
				t.Fatal(err)
			}
			var sqlList page
			for rows.Next() {
				var s summary
				if err := rows.Scan(&s.ID, &s.Granted, &s.Health); err != nil {
					t.Fatal(err)
				}
				sqlList.Products = append(sqlList.Products, s)
			}
			if rows.Err() != nil {
				t.Fatal(rows.Err())
			}
			apiList := slices.Clone(all.Products)
			slices.SortFunc(apiList, func(a, b summary) int { return strings.Compare(a.ID, b.ID) })
			if !reflect.DeepEqual(sqlList.Products, apiList) {
				t.Errorf("%s: meshgate.products %v\nAPI %v", c.user, sqlList.Products, apiList)
			}
			var cols int
			for _, s := range apiList {
				var d detail
				c.h.getJSON(t, c.user, "/api/v1/products/"+s.ID, &d)
				cols += len(d.Schema)
			}
			var n int
			if err := conn.QueryRow(context.Background(), "SELECT count(*) FROM meshgate.columns").Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n != cols {
				t.Errorf("%s: meshgate.columns has %d rows, the API's schemas %d columns", c.user, n, cols)
			}
		}
	}
	// An ungranted, listed product: metadata and how to ask, never data.
	var d detail
	listed.getJSON(t, "analyst", "/api/v1/products/meshgate.audit", &d)
	if d.Granted || d.Access.Granted || !strings.Contains(d.Access.Reason, "has no grant") || !strings.Contains(d.Access.Request, "meshgate") || len(d.Schema) == 0 {
		t.Errorf("ungranted product: %+v", d)
	}
	if d.Health != "withheld" {
		t.Errorf("ungranted product's health: %q, want withheld", d.Health)
	}
	for _, c := range d.Schema {
		if c.Access != "absent" {
			t.Errorf("ungranted product's column %s: access %q", c.Name, c.Access)
		}
	}
	// Searching by health cannot tell an ungranted product's health either.
	var healthy page
	listed.getJSON(t, "analyst", "/api/v1/products?health=healthy&limit=200", &healthy)
	if slices.Contains(ids(healthy), "meshgate.audit") || len(healthy.Products) == 0 {
		t.Errorf("analyst's health=healthy search: %v", ids(healthy))
	}
	status, _, body := listed.get(t, "analyst", "/api/v1/products/meshgate.audit/sample")
	if status != http.StatusForbidden || !strings.Contains(string(body), `"permission_denied"`) || !strings.Contains(string(body), "has no grant") {
		t.Errorf("sample without grant: %d %s", status, body)
	}
}

// A product's access is policy.Explain's (explain-access's) explanation;
// its port shows kind and mode, never a location.
func TestProductAccessExplained(t *testing.T) {
	h := start(t, "../testdata/policies")
	set := h.gw.Policy()
	for _, user := range []string{"analyst", "steward"} {
		var d detail
		h.getJSON(t, user, "/api/v1/products/sales.customers", &d)
		u, _ := h.gw.Users().Lookup(user)
		var p *catalog.Product
		for _, x := range h.gw.Products() {
			if x.Address.String() == "sales.customers" {
				p = x
			}
		}
		want := set.Explain(policy.Identity{User: u.Name, Groups: u.Groups, Attributes: u.Attributes}, p)
		var masked []string
		for i, c := range want.Columns {
			got := d.Schema[i]
			if got.Name != c.Name || got.Access != c.Access || got.MaskRule != c.MaskRule || got.Mask != c.MaskKind || got.Explained != c.Plain() {
				t.Errorf("%s: column %d %+v, want %+v", user, i, got, c)
			}
			if c.Access == "masked" {
				masked = append(masked, c.Name)
			}
		}
		if !slices.Equal(d.Access.MaskedColumns, masked) || len(d.Access.RowFilters) != len(want.Filters) {
			t.Errorf("%s: masked %v filters %v, want %v %v", user, d.Access.MaskedColumns, d.Access.RowFilters, masked, want.Filters)
		}
		if d.Port["kind"] != "csv" || d.Port["mode"] != "file" || d.Owner != "Sales Engineering" || d.Contact != "sales-data@example.com" || d.Health != "healthy" {
			t.Errorf("%s: port %v owner %q contact %q health %q", user, d.Port, d.Owner, d.Contact, d.Health)
		}
	}
	_, _, body := h.get(t, "admin", "/api/v1/products/sales.customers")
	for _, leak := range []string{"customers.csv", "/data/", "location", h.pgPort} {
		if strings.Contains(string(body), leak) {
			t.Errorf("product detail leaks %q: %s", leak, body)
		}
	}
	// The analyst: pii redacted, EU rows only; the steward: clear.
	var a, s detail
	h.getJSON(t, "analyst", "/api/v1/products/sales.customers", &a)
	h.getJSON(t, "steward", "/api/v1/products/sales.customers", &s)
	if !slices.Contains(a.Access.MaskedColumns, "email") || slices.Contains(s.Access.MaskedColumns, "email") ||
		len(a.Access.RowFilters) != 1 || a.Access.RowFilters[0].Rule != "eu-readers-see-eu-customers" {
		t.Errorf("analyst %+v\nsteward %+v", a.Access, s.Access)
	}
}

type sample struct {
	Columns []string
	Rows    [][]*string
}

// Samples are what the same user reads over pgx: masked and filtered.
func TestSampleIsTheSQLView(t *testing.T) {
	h := start(t, "../testdata/policies")
	for _, user := range []string{"analyst", "steward"} {
		var got sample
		h.getJSON(t, user, "/api/v1/products/sales.customers/sample?limit=7", &got)
		rows, err := h.pgx(t, user).Query(context.Background(), "SELECT * FROM sales.customers LIMIT 7", pgx.QueryExecModeSimpleProtocol)
		if err != nil {
			t.Fatal(err)
		}
		var want [][]*string
		for rows.Next() {
			var row []*string
			for _, v := range rows.RawValues() {
				if v == nil {
					row = append(row, nil)
				} else {
					s := string(v)
					row = append(row, &s)
				}
			}
			want = append(want, row)
		}
		if len(got.Rows) != 7 || !reflect.DeepEqual(got.Rows, want) {
			gj, _ := json.Marshal(got.Rows)
			wj, _ := json.Marshal(want)
			t.Errorf("%s: sample\n%s\npgx\n%s", user, gj, wj)
		}
		if user == "analyst" {
			for _, r := range got.Rows {
				if !strings.ContainsAny(*r[2], "x") || strings.ContainsAny(*r[2], "abcdefghijklmnopqrstuvwyz") {
					t.Errorf("analyst sees an unredacted email %q", *r[2])
				}
				if !slices.Contains([]string{"DE", "ES", "FR", "GB", "IT", "NL", "PL", "SE"}, *r[4]) {
					t.Errorf("analyst sees a non-EU customer %q", *r[4])
				}
			}
		}
	}
}

// Bad input: every refusal is JSON with a code and a sentence, with the
// right status.
func TestBadInput(t *testing.T) {
	h := start(t, "../testdata/policies")
	long := strings.Repeat("a", 3000)
	for _, c := range []struct {
		user, path string
		status     int
		code, says string
	}{
		{"", "/api/v1/products", 401, "unauthenticated", "Log in"},
		{"analyst", "/api/v1/products/nosuch.product", 404, "not_found", "no product nosuch.product"},
		{"analyst", "/api/v1/products/NoDot", 400, "bad_request", "domain.product"},
		{"analyst", "/api/v1/products/sales.customers/sample?limit=0", 400, "bad_request", "limit must be a whole number from 1 to 100"},
		{"analyst", "/api/v1/products/sales.customers/sample?limit=x&", 400, "bad_request", "limit must be"},
		{"analyst", "/api/v1/products?limit=500", 400, "bad_request", "limit must be a whole number from 1 to 200"},
		{"analyst", "/api/v1/products?offset=-1", 400, "bad_request", "offset must be"},
		{"analyst", "/api/v1/products?limit=10&limit=20", 400, "bad_request", "given 2 times"},
		{"analyst", "/api/v1/products?sort=name", 400, "bad_request", `Unknown parameter "sort"`},
		{"analyst", "/api/v1/products?q=" + long, 400, "bad_request", "query string is 3002 bytes"},
		{"analyst", "/api/v1/products?q=" + strings.Repeat("b", 300), 400, "bad_request", "at most 200"},
		{"analyst", "/api/v1/products/..%2F..%2Fetc%2Fpasswd", 400, "bad_request", "not allowed"},
		{"analyst", "/api/v1/products/%2e%2e/sample", 400, "bad_request", "not allowed"},
		{"analyst", "/api/v1/../../etc/passwd", 400, "bad_request", "not allowed"},
		{"analyst", "/api/v1/nothing", 404, "not_found", "openapi.json"},
		{"admin", "/api/v1/domains?x=1", 400, "bad_request", "takes no parameters"},
	} {
		req, _ := http.NewRequest("GET", h.tls.URL+"/", nil)
		req.URL.Opaque = c.path // sent as written (no cleaning of .. by the client)
		if c.user != "" {
			req.SetBasicAuth(c.user, passwords[c.user])
		}
		resp, err := h.client(t).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var e struct {
			Error struct{ Code, Message string }
		}
		err = json.NewDecoder(resp.Body).Decode(&e)
		resp.Body.Close()
		if err != nil || resp.StatusCode != c.status || e.Error.Code != c.code || !strings.Contains(e.Error.Message, c.says) {
			t.Errorf("%s: %d %+v (%v), want %d %s %q", c.path, resp.StatusCode, e, err, c.status, c.code, c.says)
		}
		if c.status == 401 && resp.Header.Get("WWW-Authenticate") == "" {
			t.Errorf("%s: 401 without WWW-Authenticate", c.path)
		}
	}
}

// Logins: the SQL side's rules, throttle and verifiers.
func TestAPILogin(t *testing.T) {
	h := start(t, "../testdata/policies")
	status, hdr, body := h.get(t, "wrong:nope", "/api/v1/domains")
	if status != 401 || !strings.HasPrefix(hdr.Get("WWW-Authenticate"), "Basic ") || !strings.Contains(string(body), "bad_credentials") {
		t.Fatalf("wrong password: %d %v %s", status, hdr, body)
	}
	// The second failure from the address waits as a second SQL failure does.
	begin := time.Now()
	status, _, _ = h.get(t, "wrong:nope", "/api/v1/domains")
	if d := time.Since(begin); status != 401 || d < throttleBase {
		t.Errorf("second wrong password: %d after %v, want 401 after ≥ %v", status, d, throttleBase)
	}
	// admins only over TLS (hostnossl reject): plain loopback is refused.
	status, _, body = do(t, h.plain.Client(), h.plain.URL, "admin", "/api/v1/domains")
	if status != http.StatusForbidden || !strings.Contains(string(body), "access_refused") {
		t.Errorf("admin over plain HTTP: %d %s", status, body)
	}
	status, _, body = do(t, h.plain.Client(), h.plain.URL, "steward", "/api/v1/domains")
	if status != http.StatusOK {
		t.Errorf("steward over loopback plain HTTP: %d %s", status, body)
	}
	// Basic from a remote address without TLS is refused before any check.
	req := httptest.NewRequest("GET", "/api/v1/domains", nil)
	req.RemoteAddr = "10.1.2.3:5555"
	req.SetBasicAuth("analyst", "analyst-demo")
	rec := httptest.NewRecorder()
	h.cat.ServeHTTP(rec, req)
	if rec.Code != http.StatusForbidden || !strings.Contains(rec.Body.String(), "tls_required") {
		t.Errorf("Basic from a remote address over plain HTTP: %d %s", rec.Code, rec.Body)
	}
}

// Every API call is audited (kind api, protocol http); a sample's
// statement is audited as a read by the session.
func TestAudit(t *testing.T) {
	h := start(t, "../testdata/policies")
	h.get(t, "analyst", "/api/v1/products?q=orders")
	h.get(t, "analyst", "/api/v1/products/sales.orders/sample?limit=2")
	h.get(t, "analyst", "/api/v1/products/meshgate.audit/sample")
	h.get(t, "", "/api/v1/domains")
	var api, reads, denied, anon int
	for _, r := range h.auditRecords(t) {
		if r.Protocol != "http" {
			t.Errorf("record with protocol %q: %+v", r.Protocol, r)
		}
		switch {
		case r.Kind == "api" && r.User == "":
			anon++
		case r.Kind == "api":
			api++
		case r.Kind == "read" && r.User == "analyst" && strings.Contains(r.Statement, "sales.orders"):
			reads++
		case r.Kind == "read" && r.Decision == "denied" && r.SQLState == "42501":
			denied++
		}
	}
	if api != 3 || reads != 1 || denied != 1 || anon != 1 {
		t.Errorf("audit: %d api calls, %d sample reads, %d denied reads, %d anonymous, want 3 1 1 1", api, reads, denied, anon)
	}
}

// Search: q over names, descriptions, column names and tags; filters;
// paging.
func TestSearch(t *testing.T) {
	h := start(t, "../testdata/policies")
	for _, c := range []struct {
		query string
		want  []string
	}{
		{"q=customers", []string{"sales.customers"}},             // name first
		{"q=crm", []string{"sales.customers"}},                   // tag
		{"q=signup_date", []string{"sales.customers"}},           // column name
		{"q=FIVE+sales", []string{"geo.regions"}},                // description, any case, every word
		{"domain=geo", []string{"geo.countries", "geo.regions"}}, //
		{"tag=reference&domain=geo", []string{"geo.countries", "geo.regions"}},
		{"classification=pii&domain=sales", []string{"sales.customers"}},
		{"q=zzzz-nothing", nil},
	} {
		var p page
		h.getJSON(t, "analyst", "/api/v1/products?"+c.query, &p)
		got := ids(p)
		if c.query == "q=customers" {
			got = got[:1]
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%s: %v, want %v", c.query, got, c.want)
		}
	}
	var all, p1, p2 page
	h.getJSON(t, "analyst", "/api/v1/products", &all)
	h.getJSON(t, "analyst", "/api/v1/products?limit=3", &p1)
	h.getJSON(t, "analyst", "/api/v1/products?limit=3&offset=3", &p2)
	if all.Total != len(all.Products) || p1.Total != all.Total || !slices.Equal(append(ids(p1), ids(p2)...), ids(all)[:6]) {
		t.Errorf("paging: %v + %v, all %v", ids(p1), ids(p2), ids(all))
	}
	var st, dep, unk page
	h.getJSON(t, "analyst", "/api/v1/products?status=active", &st)
	h.getJSON(t, "analyst", "/api/v1/products?status=proposed", &dep)
	h.getJSON(t, "analyst", "/api/v1/products?health=healthy", &unk)
	granted := 0 // an ungranted product's health is withheld
	for _, p := range all.Products {
		if p.Granted {
			granted++
		}
	}
	if st.Total+dep.Total != all.Total || !slices.Equal(ids(dep), []string{"supply.suppliers"}) || unk.Total != granted || granted == all.Total {
		t.Errorf("status=active: %d, proposed: %d (%v), health=healthy: %d, of %d (%d granted)", st.Total, dep.Total, ids(dep), unk.Total, all.Total, granted)
	}
	var domains struct{ Domains []struct{ Name string } }
	h.getJSON(t, "analyst", "/api/v1/domains", &domains)
	if len(domains.Domains) != 5 || domains.Domains[0].Name != "geo" {
		t.Errorf("domains: %+v", domains)
	}
}

// A policy that grants the SQL catalog without its product column leaves
// no rows (the discovery filter cannot apply: fail closed), and other
// products keep working.
func TestSQLCatalogWithoutProductColumn(t *testing.T) {
	h := start(t, policyWith(t, `products: ["meshgate.products", "meshgate.columns", "meshgate.lineage"]`,
		"products: [\"meshgate.products\", \"meshgate.columns\"]\n    exceptColumns: [product]"))
	conn := h.pgx(t, "analyst")
	for _, q := range []string{"SELECT count(*) FROM meshgate.products", "SELECT count(*) FROM meshgate.columns"} {
		var n int
		if err := conn.QueryRow(context.Background(), q).Scan(&n); err != nil || n != 0 {
			t.Errorf("%s: %d %v, want 0", q, n, err)
		}
	}
	var n int
	if err := conn.QueryRow(context.Background(), "SELECT count(*) FROM sales.orders").Scan(&n); err != nil || n == 0 {
		t.Errorf("sales.orders: %d %v", n, err)
	}
}
