package gateway_test

// Governance end to end: what the demo users see of the demo mesh under
// the demo policy (testdata/policies), rule kind by rule kind, compared
// with the port files read directly; the audit trail as a product; policy
// reload; and a policy exercising the remaining rule kinds (column grants,
// denies, mask kinds, identity-dependent filters).

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/jackc/pgx/v5"

	"github.com/meshgate/meshgate/auth/policy"
)

// redact is what the redact mask makes of text: letters of every script →
// X (upper and title case) or x, digits → 0, combining marks dropped.
func redact(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case unicode.IsMark(r):
		case unicode.IsUpper(r) || unicode.IsTitle(r):
			b.WriteByte('X')
		case unicode.IsLetter(r):
			b.WriteByte('x')
		case unicode.IsNumber(r):
			b.WriteByte('0')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

type customerRow struct {
	name, email, country, signup string
	phone                        *string
}

// customersOf reads sales.customers as a user sees it, by customer_id.
func customersOf(t *testing.T, c *pgx.Conn) map[int64]customerRow {
	t.Helper()
	rows, err := c.Query(ctxT(t), "SELECT customer_id, name, email, phone, country_code, signup_date::VARCHAR FROM sales.customers")
	if err != nil {
		t.Fatal(err)
	}
	out := map[int64]customerRow{}
	for rows.Next() {
		var id int64
		var r customerRow
		if err := rows.Scan(&id, &r.name, &r.email, &r.phone, &r.country, &r.signup); err != nil {
			t.Fatal(err)
		}
		out[id] = r
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// rawCustomers reads the port file with a plain DuckDB.
func rawCustomers(t *testing.T) map[int64]customerRow {
	t.Helper()
	db := referenceDB(t)
	path, _ := filepath.Abs(filepath.Join(meshDir, "sales/data/customers.csv"))
	rows, err := db.Query(fmt.Sprintf(`SELECT customer_id, name, email, phone, country_code, signup_date::VARCHAR
		FROM read_csv('%s', header = true, columns = {'customer_id': 'BIGINT', 'name': 'VARCHAR', 'email': 'VARCHAR',
		'phone': 'VARCHAR', 'country_code': 'VARCHAR', 'signup_date': 'DATE'})`, path))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[int64]customerRow{}
	for rows.Next() {
		var id int64
		var r customerRow
		if err := rows.Scan(&id, &r.name, &r.email, &r.phone, &r.country, &r.signup); err != nil {
			t.Fatal(err)
		}
		out[id] = r
	}
	return out
}

func scalar[T any](t *testing.T, c *pgx.Conn, sql string) T {
	t.Helper()
	var v T
	if err := c.QueryRow(ctxT(t), sql).Scan(&v); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return v
}

func TestGovernanceDemoPolicy(t *testing.T) {
	s := startGovGateway(t, nil)
	analyst := s.connectAs(t, "analyst", "")
	steward := s.connectAs(t, "steward", "")
	admin := s.connectAs(t, "admin", "")
	raw := rawCustomers(t)
	if len(raw) != 200 {
		t.Fatalf("customers.csv: %d rows, want 200", len(raw))
	}

	t.Run("pii_redacted_for_analyst_clear_for_steward", func(t *testing.T) {
		a, st, ad := customersOf(t, analyst), customersOf(t, steward), customersOf(t, admin)
		if len(a) == 0 || len(st) != 200 || len(ad) != 200 {
			t.Fatalf("rows: analyst %d, steward %d, admin %d", len(a), len(st), len(ad))
		}
		for id, r := range a {
			want := raw[id]
			if r.name != redact(want.name) || r.email != redact(want.email) {
				t.Errorf("analyst, customer %d: name %q email %q, want %q %q", id, r.name, r.email, redact(want.name), redact(want.email))
			}
			if want.phone != nil && (r.phone == nil || *r.phone != redact(*want.phone)) {
				t.Errorf("analyst, customer %d: phone %v, want %q", id, r.phone, redact(*want.phone))
			}
			if r.name == want.name {
				t.Errorf("analyst sees the clear name of customer %d", id)
			}
			if !regexp.MustCompile(`^Xx+ Xx+`).MatchString(r.name) {
				t.Errorf("analyst, customer %d: name %q does not look redacted", id, r.name)
			}
		}
		for id, r := range st {
			want := raw[id]
			if r.name != want.name || r.email != want.email || (want.phone != nil && (r.phone == nil || *r.phone != *want.phone)) {
				t.Errorf("steward (clearance pii), customer %d: %q %q, want the clear %q %q", id, r.name, r.email, want.name, want.email)
			}
		}
		// admin has no pii clearance: every row, redacted.
		for id, r := range ad {
			if r.name != redact(raw[id].name) {
				t.Errorf("admin, customer %d: name %q, want redacted %q", id, r.name, redact(raw[id].name))
			}
		}
	})

	t.Run("signup_date_truncated_to_month", func(t *testing.T) {
		a, st := customersOf(t, analyst), customersOf(t, steward)
		for id, r := range a {
			want := raw[id].signup[:8] + "01"
			if r.signup != want {
				t.Errorf("analyst, customer %d: signup_date %s, want %s (month of %s)", id, r.signup, want, raw[id].signup)
			}
		}
		for id, r := range st {
			if r.signup != raw[id].signup {
				t.Errorf("steward (exempt), customer %d: signup_date %s, want %s", id, r.signup, raw[id].signup)
			}
		}
		// Some raw dates are not the first of a month: the test means something.
		n := 0
		for _, r := range raw {
			if !strings.HasSuffix(r.signup, "-01") {
				n++
			}
		}
		if n == 0 {
			t.Fatal("every raw signup_date is the first of a month")
		}
	})

	t.Run("eu_row_filter", func(t *testing.T) {
		db := referenceDB(t)
		path, _ := filepath.Abs(filepath.Join(meshDir, "sales/data/customers.csv"))
		var euCount int64
		if err := db.QueryRow(fmt.Sprintf("SELECT count(*) FROM read_csv('%s', header = true, all_varchar = true) WHERE country_code IN %s", path, euList)).Scan(&euCount); err != nil {
			t.Fatal(err)
		}
		if euCount == 0 || euCount == 200 {
			t.Fatalf("EU count %d: the filter would mean nothing", euCount)
		}
		if got := scalar[int64](t, analyst, "SELECT count(*) FROM sales.customers"); got != euCount {
			t.Errorf("analyst (region EU) counts %d customers, want the %d EU customers", got, euCount)
		}
		codes := map[string]bool{}
		for _, r := range customersOf(t, analyst) {
			codes[r.country] = true
		}
		for cc := range codes {
			if !euCodes[cc] {
				t.Errorf("analyst sees a customer in %s", cc)
			}
		}
		if got := scalar[int64](t, analyst, "SELECT count(*) FROM sales.customers WHERE country_code = 'US'"); got != 0 {
			t.Errorf("analyst sees %d US customers", got)
		}
		// No region attribute: no filter.
		for _, c := range []*pgx.Conn{steward, admin} {
			if got := scalar[int64](t, c, "SELECT count(*) FROM sales.customers"); got != 200 {
				t.Errorf("%s counts %d customers, want 200", c.Config().User, got)
			}
		}
		// The filter is on sales.customers only: orders are not filtered.
		if got := scalar[int64](t, analyst, "SELECT count(*) FROM sales.orders"); got != 2000 {
			t.Errorf("analyst counts %d orders, want 2000", got)
		}
	})

	t.Run("supplier_names_hashed_and_joinable", func(t *testing.T) {
		names := func(c *pgx.Conn) map[int32]string {
			rows, err := c.Query(ctxT(t), "SELECT supplier_id, name FROM supply.suppliers")
			if err != nil {
				t.Fatal(err)
			}
			out := map[int32]string{}
			for rows.Next() {
				var id int32
				var n string
				if err := rows.Scan(&id, &n); err != nil {
					t.Fatal(err)
				}
				out[id] = n
			}
			return out
		}
		a, st, ad := names(analyst), names(steward), names(admin)
		if len(a) != 30 || len(st) != 30 {
			t.Fatalf("suppliers: analyst %d, steward %d", len(a), len(st))
		}
		hexRE := regexp.MustCompile(`^[0-9a-f]{64}$`)
		for id, h := range a {
			rawName := st[id]
			if h == rawName {
				t.Errorf("analyst sees supplier %d's raw name %q", id, rawName)
			}
			if !hexRE.MatchString(h) {
				t.Errorf("analyst's supplier %d name %q is not a SHA-256 hex digest", id, h)
			}
			plain := sha256.Sum256([]byte(rawName))
			if h == hex.EncodeToString(plain[:]) {
				t.Errorf("supplier %d: the mask is the plain (unkeyed) sha256 of the name: anyone can test guesses", id)
			}
			if ad[id] != rawName {
				t.Errorf("admin (exempt from the supply mask): supplier %d name %q, want %q", id, ad[id], rawName)
			}
		}
		// Equal names hash equally: the self-join on name returns as many
		// rows for the analyst (hashes) as for the steward (raw names).
		const join = "SELECT count(*) FROM supply.suppliers a JOIN supply.suppliers b ON a.name = b.name"
		ja, js := scalar[int64](t, analyst, join), scalar[int64](t, steward, join)
		if ja != js || ja < 30 {
			t.Errorf("self-join on name: analyst %d rows, steward %d rows", ja, js)
		}
		const distinct = "SELECT count(DISTINCT name) FROM supply.suppliers"
		if da, ds := scalar[int64](t, analyst, distinct), scalar[int64](t, steward, distinct); da != ds {
			t.Errorf("distinct names: analyst %d, steward %d", da, ds)
		}
		// Hashes are stable across sessions of one gateway.
		other := s.connectAs(t, "analyst", "")
		for id, h := range names(other) {
			if a[id] != h {
				t.Errorf("supplier %d hashes differently in two sessions", id)
			}
		}
	})

	t.Run("unit_cost_rounded", func(t *testing.T) {
		costs := func(c *pgx.Conn) map[string]string {
			rows, err := c.Query(ctxT(t), "SELECT sku, unit_cost::VARCHAR FROM supply.inventory")
			if err != nil {
				t.Fatal(err)
			}
			out := map[string]string{}
			for rows.Next() {
				var sku, cost string
				if err := rows.Scan(&sku, &cost); err != nil {
					t.Fatal(err)
				}
				out[sku] = cost
			}
			return out
		}
		a, st := costs(analyst), costs(steward)
		if len(a) != 500 || len(st) != 500 {
			t.Fatalf("inventory: analyst %d, steward %d", len(a), len(st))
		}
		rounded := 0
		for sku, v := range a {
			if !strings.HasSuffix(v, ".00") {
				t.Errorf("analyst: unit_cost of %s is %s, want a whole number", sku, v)
			}
			var raw, got float64
			fmt.Sscan(st[sku], &raw)
			fmt.Sscan(v, &got)
			if d := got - raw; d > 0.5 || d < -0.5 {
				t.Errorf("analyst: unit_cost of %s is %s, raw %s: not rounded", sku, v, st[sku])
			}
			if st[sku] != v {
				rounded++
			}
		}
		if rounded == 0 {
			t.Error("no unit_cost differs between analyst and steward: the mask is not applied")
		}
		// The type is kept.
		if got := scalar[string](t, analyst, "SELECT data_type FROM information_schema.columns WHERE table_schema = 'supply' AND table_name = 'inventory' AND column_name = 'unit_cost'"); got != "numeric" {
			t.Errorf("unit_cost is %s for the analyst, want numeric", got)
		}
	})

	t.Run("ungranted_product", func(t *testing.T) {
		err := queryErr(ctxT(t), analyst, "SELECT * FROM meshgate.audit")
		pe := pgErr(t, err, "42501")
		if !strings.Contains(pe.Message, "permission denied for product meshgate.audit") {
			t.Errorf("message %q", pe.Message)
		}
		stillWorks(t, analyst)
		if n := scalar[int64](t, analyst, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'audit'"); n != 0 {
			t.Errorf("information_schema.tables lists meshgate.audit to the analyst (%d rows)", n)
		}
		if n := scalar[int64](t, analyst, "SELECT count(*) FROM pg_catalog.pg_class WHERE relname = 'audit'"); n != 0 {
			t.Errorf("pg_class lists audit to the analyst (%d rows)", n)
		}
		// The analyst still sees the meshgate schema: meshgate.freshness is
		// granted to every reader.
		if n := scalar[int64](t, steward, "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'meshgate' AND table_name = 'audit'"); n != 1 {
			t.Errorf("information_schema.tables does not list meshgate.audit to the steward (%d rows)", n)
		}
	})

	t.Run("audit_rows_filtered_per_user", func(t *testing.T) {
		marker := fmt.Sprintf("audit-marker-%d", time.Now().UnixNano())
		for _, c := range []*pgx.Conn{analyst, steward, admin} {
			if got := scalar[string](t, c, fmt.Sprintf("SELECT '%s-%s'", marker, c.Config().User)); got == "" {
				t.Fatal("empty")
			}
		}
		s.audit.Flush()
		users := func(c *pgx.Conn) map[string]int {
			rows, err := c.Query(ctxT(t), fmt.Sprintf("SELECT user_name FROM meshgate.audit WHERE statement LIKE '%%%s%%'", marker))
			if err != nil {
				t.Fatal(err)
			}
			out := map[string]int{}
			for rows.Next() {
				var u string
				if err := rows.Scan(&u); err != nil {
					t.Fatal(err)
				}
				out[u]++
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			return out
		}
		var st, ad map[string]int
		deadline := time.Now().Add(3 * time.Second)
		for {
			st, ad = users(steward), users(admin)
			if len(ad) >= 3 || time.Now().After(deadline) {
				break
			}
			time.Sleep(100 * time.Millisecond)
			s.audit.Flush()
		}
		if len(st) != 1 || st["steward"] == 0 {
			t.Errorf("steward sees the audit records of %v, want their own only", st)
		}
		for _, u := range []string{"analyst", "steward", "admin"} {
			if ad[u] == 0 {
				t.Errorf("admin does not see %s's audit record (sees %v)", u, ad)
			}
		}
		all := scalar[int64](t, admin, "SELECT count(DISTINCT user_name) FROM meshgate.audit")
		mine := scalar[int64](t, steward, "SELECT count(DISTINCT user_name) FROM meshgate.audit")
		if all < 3 || mine != 1 {
			t.Errorf("distinct users in the audit: admin sees %d, steward %d", all, mine)
		}
		// The denied attempt of the analyst was recorded as denied.
		n := scalar[int64](t, admin, "SELECT count(*) FROM meshgate.audit WHERE user_name = 'analyst' AND decision = 'denied' AND sqlstate = '42501'")
		if n == 0 {
			t.Error("the analyst's denied read of meshgate.audit is not in the audit trail")
		}
	})
}

// writePolicyDir writes a policy directory: federation.yaml plus domain
// files keyed by domain.
func writePolicyDir(t *testing.T, federation string, domains map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "domains"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "federation.yaml"), []byte(federation), 0o644); err != nil {
		t.Fatal(err)
	}
	for d, body := range domains {
		if err := os.WriteFile(filepath.Join(dir, "domains", d+".yaml"), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func loadPolicyDir(t *testing.T, dir string) *policy.Set {
	t.Helper()
	set, problems := policy.Load(dir)
	if len(problems) > 0 {
		t.Fatalf("policy %s: %v", dir, problems)
	}
	return set
}

// copyDemoPolicy copies testdata/policies to a temporary directory,
// applying edits (file → old → new) on the way.
func copyDemoPolicy(t *testing.T, edits map[string][2]string) string {
	t.Helper()
	dir := t.TempDir()
	for _, f := range []string{"federation.yaml", "domains/sales.yaml", "domains/supply.yaml"} {
		b, err := os.ReadFile(filepath.Join("../testdata/policies", f))
		if err != nil {
			t.Fatal(err)
		}
		text := string(b)
		if e, ok := edits[f]; ok {
			if !strings.Contains(text, e[0]) {
				t.Fatalf("%s does not contain %q", f, e[0])
			}
			text = strings.Replace(text, e[0], e[1], 1)
		}
		p := filepath.Join(dir, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestGovernanceReload(t *testing.T) {
	s := startGovGateway(t, nil)
	old := s.connectAs(t, "analyst", "")
	if n := scalar[int64](t, old, "SELECT count(*) FROM sales.orders"); n != 2000 {
		t.Fatalf("before reload: %d orders", n)
	}
	// The new policy no longer grants the sales domain to analysts.
	dir := copyDemoPolicy(t, map[string][2]string{
		"federation.yaml": {`products: ["geo.*", "sales.*", "supply.*"]`, `products: ["geo.*", "supply.*"]`},
	})
	set := loadPolicyDir(t, dir)
	before := s.gw.Policy().Version
	s.gw.SetPolicy(set)
	if s.gw.Policy().Version == before {
		t.Fatal("the reloaded policy has the same version")
	}

	t.Run("new_session", func(t *testing.T) {
		c := s.connectAs(t, "analyst", "")
		err := queryErr(ctxT(t), c, "SELECT count(*) FROM sales.orders")
		pe := pgErr(t, err, "42501")
		if !strings.Contains(pe.Message, "permission denied for product sales.orders") {
			t.Errorf("message %q", pe.Message)
		}
		if n := scalar[int64](t, c, "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'sales'"); n != 0 {
			t.Errorf("information_schema.tables still lists %d sales products", n)
		}
		if n := scalar[int64](t, c, "SELECT count(*) FROM geo.countries"); n != 20 {
			t.Errorf("geo.countries: %d rows", n)
		}
	})

	t.Run("existing_session", func(t *testing.T) {
		// SetPolicy documents: "Sessions pick a new policy up at their next
		// statement". Sessions hold views built at connect time.
		err := queryErr(ctxT(t), old, "SELECT count(*) FROM sales.orders")
		if err == nil {
			t.Fatal("an existing session keeps reading sales.orders after SetPolicy removed its grant")
		}
		pgErr(t, err, "42501")
		stillWorks(t, old)
	})

	t.Run("reload_back", func(t *testing.T) {
		s.gw.SetPolicy(demoPolicy(t))
		c := s.connectAs(t, "analyst", "")
		if n := scalar[int64](t, c, "SELECT count(*) FROM sales.orders"); n != 2000 {
			t.Errorf("after restoring the grant: %d orders", n)
		}
	})

	t.Run("no_policy_denies_everything", func(t *testing.T) {
		s.gw.SetPolicy(nil)
		defer s.gw.SetPolicy(demoPolicy(t))
		c := s.connectAs(t, "admin", "")
		err := queryErr(ctxT(t), c, "SELECT count(*) FROM geo.countries")
		pe := pgErr(t, err, "42501")
		if !strings.Contains(pe.Message, "no access policy is loaded") {
			t.Errorf("message %q", pe.Message)
		}
	})
}

// rulesPolicy exercises the rule kinds the demo policy does not: column
// grants (columns, exceptColumns, their union), a deny in a domain file
// beating a federation grant, mask kinds null / partial / round / sql,
// the federation's mask winning over a domain's, and row filters reading
// the identity (current_user, session_attr, in_group) AND-ed together.
const rulesFederation = `apiVersion: meshgate/v1
kind: FederationPolicy
grants:
  - id: analysts-geo
    subjects: {groups: [analysts]}
    products: ["geo.*"]
  - id: analysts-customers-some
    subjects: {groups: [analysts]}
    products: [sales.customers]
    columns: [customer_id, name, country_code]
  - id: stewards-customers-but-phone
    subjects: {groups: [stewards]}
    products: [sales.customers]
    exceptColumns: [phone]
  - id: everyone-orders
    products: [sales.orders]
classifications:
  - id: pii-partial
    classification: pii
    mask: {kind: partial, show_first: 2}
masks:
  - id: amount-rounded
    products: [sales.orders]
    columns: [amount]
    mask: {kind: round, digits: -2}
  - id: population-null
    products: [geo.countries]
    columns: [population]
    mask: null
    unless: {users: [steward]}
rowFilters:
  - id: eu-only
    products: [sales.customers]
    subjects: {attributes: {region: EU}}
    filter: "country_code IN ('DE', 'ES', 'FR', 'GB', 'IT', 'NL', 'PL', 'SE')"
  - id: analysts-by-attribute
    products: [geo.countries]
    filter: "in_group('stewards') OR region_code = CASE WHEN session_attr('region') = 'EU' THEN 'EU' ELSE 'none' END"
`

const rulesSales = `apiVersion: meshgate/v1
kind: DomainPolicy
domain: sales
denies:
  - id: no-admins-on-orders
    subjects: {groups: [admins]}
    products: [sales.orders]
masks:
  - id: domain-name-null
    products: [sales.customers]
    columns: [name]
    mask: null
  - id: orders-status-sql
    products: [sales.orders]
    columns: [status]
    mask: {kind: sql, sql: "upper(status)"}
rowFilters:
  - id: orders-of-de
    products: [sales.orders]
    subjects: {users: [analyst]}
    filter: "country_code = 'DE'"
  - id: orders-recent
    products: [sales.orders]
    subjects: {users: [analyst]}
    filter: "order_date >= DATE '2024-01-01'"
  - id: customers-own-name-filter
    products: [sales.customers]
    filter: "current_user IS NOT NULL"
`

func TestGovernanceRuleKinds(t *testing.T) {
	dir := writePolicyDir(t, rulesFederation, map[string]string{"sales": rulesSales})
	s := startGovGateway(t, loadPolicyDir(t, dir))
	analyst := s.connectAs(t, "analyst", "")
	steward := s.connectAs(t, "steward", "")
	admin := s.connectAs(t, "admin", "")
	raw := rawCustomers(t)

	t.Run("column_grants", func(t *testing.T) {
		// analyst: columns [customer_id, name, country_code].
		pgErr(t, queryErr(ctxT(t), analyst, "SELECT email FROM sales.customers"), "42703")
		stillWorks(t, analyst)
		rows := simple(t, analyst, "SELECT * FROM sales.customers LIMIT 1")
		if !strings.HasPrefix(rows[0], "SELECT 1|customer_id,name,country_code|") {
			t.Errorf("analyst's customers: %s", rows[0])
		}
		cols := simple(t, analyst, "SELECT string_agg(column_name, ',' ORDER BY ordinal_position) FROM information_schema.columns WHERE table_schema = 'sales' AND table_name = 'customers'")
		if cols[0] != "SELECT 1|string_agg|customer_id,name,country_code" {
			t.Errorf("information_schema.columns for the analyst: %s", cols[0])
		}
		// steward: in analysts and stewards: the union of both grants.
		cols = simple(t, steward, "SELECT string_agg(column_name, ',' ORDER BY ordinal_position) FROM information_schema.columns WHERE table_schema = 'sales' AND table_name = 'customers'")
		if cols[0] != "SELECT 1|string_agg|customer_id,name,email,country_code,signup_date" {
			t.Errorf("information_schema.columns for the steward: %s", cols[0])
		}
		pgErr(t, queryErr(ctxT(t), steward, "SELECT phone FROM sales.customers"), "42703")
		stillWorks(t, steward)
		// admin: no grant on customers.
		pe := pgErr(t, queryErr(ctxT(t), admin, "SELECT * FROM sales.customers"), "42501")
		if !strings.Contains(pe.Message, "permission denied for product sales.customers") {
			t.Errorf("message %q", pe.Message)
		}
	})

	t.Run("deny_beats_grant", func(t *testing.T) {
		pe := pgErr(t, queryErr(ctxT(t), admin, "SELECT count(*) FROM sales.orders"), "42501")
		if !strings.Contains(pe.Message, "no-admins-on-orders") {
			t.Errorf("message %q does not name the deny rule", pe.Message)
		}
		stillWorks(t, admin)
	})

	t.Run("federation_mask_wins", func(t *testing.T) {
		// pii-partial (federation) applies to name for everyone, the
		// domain's null mask never does.
		rows, err := steward.Query(ctxT(t), "SELECT customer_id, name, email FROM sales.customers")
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for rows.Next() {
			var id int64
			var name, email *string
			if err := rows.Scan(&id, &name, &email); err != nil {
				t.Fatal(err)
			}
			n++
			r := raw[id]
			rs := []rune(r.name)
			wantName := string(rs[:2]) + strings.Repeat("x", len(rs)-2)
			if name == nil || *name != wantName {
				got := "NULL (the domain's null mask)"
				if name != nil {
					got = *name
				}
				t.Errorf("customer %d: name %s, want the federation's partial mask %q", id, got, wantName)
			}
			if email == nil || !strings.HasPrefix(*email, r.email[:2]) || *email == r.email {
				t.Errorf("customer %d: email %v not partially masked", id, email)
			}
		}
		if n != 200 {
			t.Errorf("steward: %d customers, want 200 (no region)", n)
		}
	})

	t.Run("filters_and_together", func(t *testing.T) {
		// analyst: orders of DE since 2024 only (two domain filters).
		db := referenceDB(t)
		path, _ := filepath.Abs(filepath.Join(meshDir, "sales/data/orders.parquet"))
		var want int64
		if err := db.QueryRow(fmt.Sprintf("SELECT count(*) FROM read_parquet('%s') WHERE country_code = 'DE' AND order_date >= DATE '2024-01-01'", path)).Scan(&want); err != nil {
			t.Fatal(err)
		}
		if got := scalar[int64](t, analyst, "SELECT count(*) FROM sales.orders"); got != want || want == 0 {
			t.Errorf("analyst: %d orders, want %d (DE and 2024)", got, want)
		}
		if got := scalar[int64](t, steward, "SELECT count(*) FROM sales.orders"); got != 2000 {
			t.Errorf("steward: %d orders, want 2000", got)
		}
		// The federation's EU filter and the domain's current_user filter
		// both hold for the analyst's customers.
		var euN int
		for _, r := range raw {
			if euCodes[r.country] {
				euN++
			}
		}
		if got := scalar[int64](t, analyst, "SELECT count(*) FROM sales.customers"); got != int64(euN) {
			t.Errorf("analyst: %d customers, want %d", got, euN)
		}
	})

	t.Run("identity_functions_in_filters", func(t *testing.T) {
		// analyst (region EU): EU countries only; steward (in_group
		// stewards): all; admin: none.
		if got := scalar[int64](t, analyst, "SELECT count(*) FROM geo.countries WHERE region_code <> 'EU'"); got != 0 {
			t.Errorf("analyst sees %d non-EU countries", got)
		}
		if got := scalar[int64](t, analyst, "SELECT count(*) FROM geo.countries"); got == 0 || got == 20 {
			t.Errorf("analyst sees %d countries", got)
		}
		if got := scalar[int64](t, steward, "SELECT count(*) FROM geo.countries"); got != 20 {
			t.Errorf("steward sees %d countries, want 20", got)
		}
	})

	t.Run("mask_kinds", func(t *testing.T) {
		// null, with unless by user.
		if got := scalar[int64](t, analyst, "SELECT count(population) FROM geo.countries"); got != 0 {
			t.Errorf("analyst sees %d populations, want none (null mask)", got)
		}
		if got := scalar[int64](t, steward, "SELECT count(population) FROM geo.countries"); got != 20 {
			t.Errorf("steward (exempt) sees %d populations", got)
		}
		// round digits -2 keeps the DECIMAL type.
		rows := simple(t, steward, "SELECT count(*) FILTER (WHERE amount % 100 <> 0), typeof(any_value(amount)) FROM sales.orders")
		if rows[0] != "SELECT 1|count,typeof|0,DECIMAL(12,2)" {
			t.Errorf("rounded amounts: %s", rows[0])
		}
		// sql mask.
		if got := scalar[int64](t, steward, "SELECT count(*) FROM sales.orders WHERE status <> upper(status)"); got != 0 {
			t.Errorf("%d statuses are not upper-cased by the sql mask", got)
		}
	})
}
