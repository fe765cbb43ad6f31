package catalogweb_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// login logs a browser client in through the form; it returns the
// response to the form's POST.
func login(t *testing.T, h *harness, c *http.Client, user, password, origin string) *http.Response {
	t.Helper()
	resp, err := c.Get(h.tls.URL + "/login?next=%2Fproducts%2Fsales.customers")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := csrfField.FindSubmatch(b)
	if m == nil {
		t.Fatalf("login page has no CSRF field:\n%s", b)
	}
	form := url.Values{"user": {user}, "password": {password}, "csrf": {string(m[1])}, "next": {"/products/sales.customers"}}
	req, _ := http.NewRequest("POST", h.tls.URL+"/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	resp, err = c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func body(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func fetchPage(t *testing.T, c *http.Client, u string) (int, string) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, body(t, resp)
}

// The login form: wrong passwords, forged posts, and the session cookie's
// flags; pages without a session go to the form.
func TestWebLogin(t *testing.T) {
	h := start(t, "../testdata/policies")
	c := h.client(t)
	resp, err := c.Get(h.tls.URL + "/products/sales.customers")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login?next=") {
		t.Fatalf("page without a session: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp := login(t, h, c, "analyst", "wrong", ""); resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body(t, resp), "The user name or password is wrong.") {
		t.Errorf("wrong password: %d", resp.StatusCode)
	}
	if resp := login(t, h, c, "analyst", "analyst-demo", "https://evil.example"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-origin login: %d", resp.StatusCode)
	}
	// A form without the CSRF cookie (another site's page) is refused.
	form := url.Values{"user": {"analyst"}, "password": {"analyst-demo"}, "csrf": {"forged"}}
	resp, err = h.tls.Client().PostForm(h.tls.URL+"/login", form)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("login without the CSRF cookie: %d", resp.StatusCode)
	}
	resp.Body.Close()
	resp = login(t, h, c, "analyst", "analyst-demo", h.tls.URL)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/products/sales.customers" {
		t.Fatalf("login: %d → %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	var ck *http.Cookie
	for _, x := range resp.Cookies() {
		if x.Name == "mg_session" {
			ck = x
		}
	}
	if ck == nil || !ck.HttpOnly || !ck.Secure || ck.SameSite != http.SameSiteStrictMode || ck.MaxAge <= 0 || len(ck.Value) < 40 {
		t.Fatalf("session cookie: %+v", ck)
	}
	status, html := fetchPage(t, c, h.tls.URL+"/products/sales.customers")
	if status != 200 || !strings.Contains(html, `id="user">analyst<`) {
		t.Fatalf("product page after login: %d", status)
	}
	// The session cookie also authenticates the API (instant search).
	var p struct{ Total int }
	resp, err = c.Get(h.tls.URL + "/api/v1/products?q=orders")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("API with the session cookie: %v %v", err, resp)
	}
	if !strings.Contains(body(t, resp), `"sales.orders"`) {
		t.Error("API with the session cookie: no sales.orders")
	}
	_ = p
	// Log out: a forged form is refused, the real one ends the session.
	resp, err = c.PostForm(h.tls.URL+"/logout", url.Values{"csrf": {"forged"}})
	if err != nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("forged logout: %v %d", err, resp.StatusCode)
	}
	resp.Body.Close()
	m := csrfField.FindStringSubmatch(html)
	resp, err = c.PostForm(h.tls.URL+"/logout", url.Values{"csrf": {m[1]}})
	if err != nil || resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout: %v %d", err, resp.StatusCode)
	}
	resp.Body.Close()
	c.Jar.SetCookies(resp.Request.URL, []*http.Cookie{ck}) // the old cookie, replayed
	resp, err = c.Get(h.tls.URL + "/")
	if err != nil || resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("page after logout with the old cookie: %v %d", err, resp.StatusCode)
	}
	resp.Body.Close()
}

// Pages: home, search, domain and product page (escaped descriptor text,
// schema with badges, access in words, psql command, masked sample).
func TestWebPages(t *testing.T) {
	h := start(t, "../testdata/policies")
	c := h.client(t)
	login(t, h, c, "analyst", "analyst-demo", "").Body.Close()
	status, home := fetchPage(t, c, h.tls.URL+"/")
	if status != 200 || !strings.Contains(home, `href="/domains/sales"`) || !strings.Contains(home, "All data products") {
		t.Fatalf("home: %d\n%s", status, home)
	}
	status, found := fetchPage(t, c, h.tls.URL+"/?q=five+regions")
	if status != 200 || !strings.Contains(found, "1 product found") || !strings.Contains(found, `href="/products/geo.regions"`) {
		t.Errorf("search page: %d\n%s", status, found)
	}
	// Descriptor text is escaped wherever it appears.
	for _, u := range []string{"/?q=five+regions", "/domains/geo", "/products/geo.regions"} {
		_, html := fetchPage(t, c, h.tls.URL+u)
		if strings.Contains(html, "<script>alert") || strings.Contains(html, "<b>five</b>") || !strings.Contains(html, "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;") {
			t.Errorf("%s: descriptor HTML not escaped", u)
		}
	}
	status, prod := fetchPage(t, c, h.tls.URL+"/products/sales.customers")
	for _, want := range []string{
		`<span class="badge badge-pii">pii</span>`,
		"Masked by rule pii-redacted: letters and digits are replaced by X, x and 0.",
		"You see only the rows where:",
		"psql &#34;host=127.0.0.1 port=" + h.pgPort + " user=analyst dbname=mesh sslmode=require&#34;",
		"SELECT customer_id, name, email, phone, country_code, signup_date FROM sales.customers LIMIT 10;",
		"Sales Engineering", "sales-data@example.com", `id="health" class="health-healthy">healthy<`,
		`<table class="rows" id="sample">`,
	} {
		if !strings.Contains(prod, want) {
			t.Errorf("product page lacks %q", want)
		}
	}
	if status != 200 || strings.Contains(prod, "@example.com</td>") {
		t.Errorf("product page: %d, or an unmasked e-mail in the sample", status)
	}
	status, denied := fetchPage(t, c, h.tls.URL+"/products/meshgate.audit")
	if status != 200 || !strings.Contains(denied, "You have no access to this product") || strings.Contains(denied, `id="sample"`) {
		t.Errorf("ungranted product page: %d", status)
	}
	for u, want := range map[string]int{"/products/nosuch.thing": 404, "/products/bad": 400, "/domains/nosuch": 404, "/domains/Bad-Name": 400, "/nothing": 404, "/?limit=0": 400} {
		if status, _ := fetchPage(t, c, h.tls.URL+u); status != want {
			t.Errorf("%s: %d, want %d", u, status, want)
		}
	}
	// Assets are embedded and served.
	for _, a := range []string{"/assets/style.css", "/assets/search.js"} {
		if status, text := fetchPage(t, c, h.tls.URL+a); status != 200 || len(text) < 500 {
			t.Errorf("%s: %d (%d bytes)", a, status, len(text))
		}
	}
}

// The OpenAPI document is a valid OpenAPI 3 document describing every
// route of the API.
func TestOpenAPIDocument(t *testing.T) {
	h := start(t, "../testdata/policies")
	status, _, b := h.get(t, "", "/api/v1/openapi.json")
	if status != 200 {
		t.Fatalf("openapi.json: %d", status)
	}
	doc, err := openapi3.NewLoader().LoadFromData(b)
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("not a valid OpenAPI 3 document: %v", err)
	}
	for _, p := range []string{"/domains", "/products", "/products/{id}", "/products/{id}/sample"} {
		if doc.Paths.Find(p) == nil || doc.Paths.Find(p).Get == nil {
			t.Errorf("openapi.json does not describe GET %s", p)
		}
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Errorf("openapi: %s", doc.OpenAPI)
	}
}
