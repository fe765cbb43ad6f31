package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

const (
	demoMesh     = "../../testdata/mesh"
	demoPolicies = "../../testdata/policies"
	demoUsers    = "../../testdata/users.yaml"
)

func needDemo(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(filepath.Join(demoMesh, "sales/data/orders.parquet")); err != nil {
		t.Fatalf("the demo mesh is not generated: run `make demo` first (%v)", err)
	}
}

func TestValidatePolicies(t *testing.T) {
	needDemo(t)
	code, out, errs := runCmd("validate", "-policies", demoPolicies, demoMesh)
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errs)
	}
	want := "mesh is valid: 9 product(s) in 4 domain(s)\npolicy is valid: " + demoPolicies + "\n"
	if out != want {
		t.Errorf("stdout %q, want %q", out, want)
	}
	if errs != "" {
		t.Errorf("stderr %q", errs)
	}
}

// copyPolicies copies the demo policy directory, replacing old with new in
// one file.
func copyPolicies(t *testing.T, file, old, new string) string {
	t.Helper()
	dir := t.TempDir()
	for _, f := range []string{"federation.yaml", "domains/sales.yaml", "domains/supply.yaml"} {
		b, err := os.ReadFile(filepath.Join(demoPolicies, f))
		if err != nil {
			t.Fatal(err)
		}
		text := string(b)
		if f == file {
			if !strings.Contains(text, old) {
				t.Fatalf("%s does not contain %q", f, old)
			}
			text = strings.Replace(text, old, new, 1)
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

// lineOf is the 1-based line of the first occurrence of s in a file.
func lineOf(t *testing.T, path, s string) int {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range strings.Split(string(b), "\n") {
		if strings.Contains(l, s) {
			return i + 1
		}
	}
	t.Fatalf("%s has no line with %q", path, s)
	return 0
}

func TestValidateBrokenPolicies(t *testing.T) {
	needDemo(t)
	cases := []struct {
		name, file, old, new string
		lineOf               string // the rule's line holds this
		want                 string
	}{
		// Loader problems.
		{"unknown_mask_kind", "domains/sales.yaml", "mask: {kind: truncate, unit: month}", "mask: {kind: blur}",
			"- id: signup-month-only", `rule "signup-month-only": mask kind "blur" is not one of`},
		{"foreign_product", "domains/supply.yaml", `products: ["supply.*"]`, `products: ["sales.*"]`,
			"- id: stewards-read-supply", `a domain may only write rules for its own products (supply.*)`},
		{"duplicate_key", "federation.yaml", "    products: [\"*\"]\n  - id: everyone-reads-freshness", "    products: [\"*\"]\n    products: [\"geo.*\"]\n  - id: everyone-reads-freshness",
			`products: ["geo.*"]`, `key "products" appears twice in a rule of grants (first on line 19, again on line 20)`},
		{"misspelt_key", "federation.yaml", "    classification: pii\n", "    clasification: pii\n",
			"clasification: pii", `unknown key "clasification" in a rule of classifications; did you mean "classification"?`},
		// Compiler problems (the files load; the mesh refuses them).
		{"unknown_column", "domains/sales.yaml", "columns: [signup_date]", "columns: [signed_up]",
			"- id: signup-month-only", `product sales.customers has no column "signed_up"`},
		{"filter_does_not_parse", "domains/sales.yaml", `filter: "country_code IN ('DE', 'ES', 'FR', 'GB', 'IT', 'NL', 'PL', 'SE')"`, `filter: "country_code IN ('DE',"`,
			"- id: eu-readers-see-eu-customers", `rule "eu-readers-see-eu-customers": the filter does not work on sales.customers`},
		{"hash_on_decimal", "domains/supply.yaml", "columns: [unit_cost]\n    mask: {kind: round, digits: 0}", "columns: [unit_cost]\n    mask: hash",
			"- id: unit-cost-rounded", `rule "unit-cost-rounded": cannot mask supply.inventory.unit_cost`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := copyPolicies(t, tc.file, tc.old, tc.new)
			code, out, errs := runCmd("validate", "-policies", dir, demoMesh)
			if code != 1 {
				t.Fatalf("exit %d, want 1\nstdout:\n%s\nstderr:\n%s", code, out, errs)
			}
			path := filepath.Join(dir, tc.file)
			loc := path + ":" + strconv.Itoa(lineOf(t, path, tc.lineOf)) + ": "
			found := false
			for _, l := range strings.Split(out, "\n") {
				if strings.HasPrefix(l, loc) && strings.Contains(l, tc.want) {
					found = true
				}
			}
			if !found {
				t.Errorf("no line %q…%q in\n%s", loc, tc.want, out)
			}
			if !strings.Contains(out, "problem(s) found") {
				t.Errorf("no summary line:\n%s", out)
			}
		})
	}
	t.Run("missing_federation", func(t *testing.T) {
		dir := t.TempDir()
		code, out, _ := runCmd("validate", "-policies", dir, demoMesh)
		if code != 1 || !strings.Contains(out, filepath.Join(dir, "federation.yaml")+": the federation policy file is missing") {
			t.Errorf("exit %d\n%s", code, out)
		}
	})
}

func explain(t *testing.T, user, product string) (int, string, string) {
	t.Helper()
	return runCmd("explain-access", "-mesh", demoMesh, "-users", demoUsers, "-policies", demoPolicies, user, product)
}

func TestExplainAccess(t *testing.T) {
	needDemo(t)
	t.Run("analyst_aggregate", func(t *testing.T) {
		code, out, errs := explain(t, "analyst", "sales.revenue_by_country")
		if code != 0 {
			t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errs)
		}
		for _, want := range []string{
			"defined in SQL (mode live) over its inputs, read with the rights of domain:sales:",
			"geo.countries            granted by domains-read-domains",
			"sales.orders             granted by domains-read-domains",
			"revenue              ← sales.orders.amount (aggregate)",
			"country              ← geo.countries.name (identity)",
			"(rows)               ← sales.orders.status (filter)",
			"read by:",
			"revenue              → marketing.country_reach.revenue (identity)",
		} {
			if !strings.Contains(out, want) {
				t.Errorf("output lacks %q:\n%s", want, out)
			}
		}
	})
	t.Run("analyst_customers", func(t *testing.T) {
		code, out, errs := explain(t, "analyst", "sales.customers")
		if code != 0 {
			t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errs)
		}
		for _, want := range []string{
			"user analyst (groups: analysts; attributes: region=EU)",
			"product sales.customers 2.1.0",
			"GRANTED by: analysts-read-domains",
			"masked by pii-redacted",
			"masked by signup-month-only",
			"rows: only where",
			"country_code IN ('DE', 'ES', 'FR', 'GB', 'IT', 'NL', 'PL', 'SE')   (rule eu-readers-see-eu-customers)",
		} {
			if !strings.Contains(out, want) {
				t.Errorf("output lacks %q:\n%s", want, out)
			}
		}
		for _, col := range []string{"name", "email", "phone"} {
			if !containsLine(out, col, "masked by pii-redacted") {
				t.Errorf("column %s is not shown masked by pii-redacted:\n%s", col, out)
			}
		}
		if !containsLine(out, "customer_id", "as stored") {
			t.Errorf("customer_id not shown as stored:\n%s", out)
		}
		if strings.Contains(out, "mg_secret") || strings.Contains(out, "memory.ports") {
			t.Errorf("output names internals:\n%s", out)
		}
	})
	t.Run("steward_customers", func(t *testing.T) {
		code, out, _ := explain(t, "steward", "sales.customers")
		if code != 0 || !strings.Contains(out, "GRANTED") || strings.Contains(out, "masked by") || !strings.Contains(out, "rows: all") {
			t.Errorf("exit %d:\n%s", code, out)
		}
	})
	t.Run("analyst_audit_denied", func(t *testing.T) {
		code, out, errs := explain(t, "analyst", "meshgate.audit")
		if code != 0 {
			t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errs)
		}
		if !strings.Contains(out, "DENIED: permission denied for product meshgate.audit: role analyst has no grant") {
			t.Errorf("output:\n%s", out)
		}
		if strings.Contains(out, "GRANTED") {
			t.Errorf("output says GRANTED:\n%s", out)
		}
	})
	t.Run("steward_audit_filtered", func(t *testing.T) {
		code, out, _ := explain(t, "steward", "meshgate.audit")
		if code != 0 || !strings.Contains(out, "GRANTED by: stewards-read-audit") || !strings.Contains(out, "user_name = current_user   (rule audit-own-records)") {
			t.Errorf("exit %d:\n%s", code, out)
		}
	})
	t.Run("analyst_suppliers_hashed", func(t *testing.T) {
		code, out, _ := explain(t, "analyst", "supply.suppliers")
		if code != 0 || !containsLine(out, "name", "masked by supplier-names-hashed") {
			t.Errorf("exit %d:\n%s", code, out)
		}
	})
	t.Run("errors", func(t *testing.T) {
		if code, _, errs := explain(t, "nobody", "sales.customers"); code != 1 || !strings.Contains(errs, `no user "nobody"`) {
			t.Errorf("unknown user: exit %d, %q", code, errs)
		}
		if code, _, errs := explain(t, "analyst", "sales.nope"); code != 1 || !strings.Contains(errs, "product sales.nope is not served") {
			t.Errorf("unknown product: exit %d, %q", code, errs)
		}
		if code, _, _ := runCmd("explain-access", "analyst"); code != 2 {
			t.Errorf("missing argument: exit %d, want 2", code)
		}
		broken := copyPolicies(t, "domains/sales.yaml", "mask: {kind: truncate, unit: month}", "mask: {kind: blur}")
		code, _, errs := runCmd("explain-access", "-mesh", demoMesh, "-users", demoUsers, "-policies", broken, "analyst", "sales.customers")
		if code != 1 || !strings.Contains(errs, filepath.Join(broken, "domains/sales.yaml")+":") {
			t.Errorf("broken policy: exit %d, %q", code, errs)
		}
	})
}

// containsLine reports whether one line of out holds every part.
func containsLine(out string, parts ...string) bool {
	for _, l := range strings.Split(out, "\n") {
		ok := true
		for _, p := range parts {
			ok = ok && strings.Contains(l, p)
		}
		if ok {
			return true
		}
	}
	return false
}

// TestValidateDeclassification: a declassification no federation rule
// allows is refused with the column's file and line; with the rule it is
// valid (TestValidatePolicies).
func TestValidateDeclassification(t *testing.T) {
	needDemo(t)
	for name, edit := range map[string][2]string{
		"rule_missing":      {"  - id: counts-of-personal-data\n", "  - id: counts-of-other-data\n"},
		"wrong_domain":      {"    transformation: aggregate\n", "    transformation: aggregate\n    domains: [sales]\n"},
		"not_low_enough_to": {"    to: internal\n", "    to: confidential\n"},
	} {
		t.Run(name, func(t *testing.T) {
			dir := copyPolicies(t, "federation.yaml", edit[0], edit[1])
			code, out, errs := runCmd("validate", "-policies", dir, demoMesh)
			if code != 1 {
				t.Fatalf("exit %d, want 1\nstdout:\n%s\nstderr:\n%s", code, out, errs)
			}
			desc, _ := filepath.Abs(filepath.Join(demoMesh, "marketing", "country_reach.yaml"))
			loc := desc + ":" + strconv.Itoa(lineOf(t, desc, "rule: counts-of-personal-data")) + ": "
			if !strings.Contains(out, loc+"column reachable_customers is declared internal but derived from pii columns, and the declassification is not allowed") {
				t.Errorf("no line %q… in\n%s", loc, out)
			}
		})
	}
}
