package policy_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshgate/meshgate/auth/policy"
	"github.com/meshgate/meshgate/engine"
	"github.com/meshgate/meshgate/planner/catalog"
)

const brokenDir = "../../testdata/policies-broken"

// TestLoadBroken: one broken policy directory per kind of mistake; each
// is reported once, in the right file, on the right line, in a sentence
// that says what to do.
func TestLoadBroken(t *testing.T) {
	cases := []struct {
		dir  string
		file string // relative to the case directory
		line int
		want []string // in the message
	}{
		{"unknown_key", "federation.yaml", 6, []string{`unknown key "subject" in a rule of grants`, "known keys: id, description, subjects"}},
		{"missing_id", "federation.yaml", 4, []string{"a rule of grants needs an id"}},
		{"bad_pattern", "federation.yaml", 6, []string{`rule "bad": "Sales.Orders" is not a product address or pattern`, "domain.product"}},
		{"foreign_product", "domains/sales.yaml", 6, []string{`rule "no-suppliers" of the sales domain names "supply.suppliers"`, "only write rules for its own products (sales.*)"}},
		{"classification_in_domain", "domains/sales.yaml", 5, []string{`rule "pii-hidden"`, "belong in the federation file"}},
		{"unknown_mask_kind", "federation.yaml", 8, []string{`mask kind "scramble" is not one of redact, null, hash, partial, round, truncate, sql`}},
		{"partial_without_show", "federation.yaml", 7, []string{`rule "pii-partial": a partial mask needs show_first or show_last`}},
		{"duplicate_id", "federation.yaml", 9, []string{`rule id "analysts-read" is used twice (first on line 4)`}},
		{"yaml_syntax", "federation.yaml", 6, []string{"the file is not valid YAML: mapping values are not allowed in this context"}},
		{"domain_file_mismatch", "domains/sales.yaml", 1, []string{`domain is "supply" but the file is sales.yaml`}},
		{"missing_federation", "federation.yaml", 0, []string{"federation policy file is missing", "deny by default"}},
		{"sql_mask_without_sql", "federation.yaml", 4, []string{`rule "status-sql": a sql mask needs sql:`}},
	}
	seen := map[string]bool{}
	for _, tc := range cases {
		seen[tc.dir] = true
		t.Run(tc.dir, func(t *testing.T) {
			dir := filepath.Join(brokenDir, tc.dir)
			set, problems := policy.Load(dir)
			if set != nil {
				t.Errorf("a broken policy loaded")
			}
			if len(problems) != 1 {
				t.Fatalf("want exactly one problem, got %d: %v", len(problems), problems)
			}
			p := problems[0]
			if want := filepath.Join(dir, tc.file); p.File != want {
				t.Errorf("file %q, want %q", p.File, want)
			}
			if p.Line != tc.line {
				t.Errorf("line %d, want %d (%s)", p.Line, tc.line, p.Message)
			}
			for _, w := range tc.want {
				if !strings.Contains(p.Message, w) {
					t.Errorf("message %q does not contain %q", p.Message, w)
				}
			}
			s := p.String()
			prefix := filepath.Join(dir, tc.file) + ":"
			if tc.line > 0 {
				prefix += strings.TrimSpace(strings.Split(s[len(prefix):], ":")[0]) + ":"
			}
			if !strings.HasPrefix(s, prefix) {
				t.Errorf("String() %q does not start with file:line", s)
			}
		})
	}
	// Every fixture directory is covered by a case.
	entries, err := os.ReadDir(brokenDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() && !seen[e.Name()] {
			t.Errorf("fixture %s has no test case", e.Name())
		}
	}
}

func TestLoadDemo(t *testing.T) {
	set, problems := policy.Load("../../testdata/policies")
	if len(problems) > 0 {
		t.Fatalf("demo policy: %v", problems)
	}
	if len(set.Version) != 12 {
		t.Errorf("version %q", set.Version)
	}
	ids := map[string]string{}
	for _, r := range set.Rules() {
		ids[r.ID] = r.Origin
		if r.File == "" || r.Line == 0 {
			t.Errorf("rule %s has no position", r.ID)
		}
	}
	for id, origin := range map[string]string{"analysts-read-domains": "federation", "pii-redacted": "federation", "signup-month-only": "sales", "supplier-names-hashed": "supply"} {
		if ids[id] != origin {
			t.Errorf("rule %s: origin %q, want %q", id, ids[id], origin)
		}
	}
	// Same files, same version.
	again, _ := policy.Load("../../testdata/policies")
	if again.Version != set.Version {
		t.Errorf("version changes between loads of the same files")
	}
}

// writeSet writes a federation file and domain files into a temporary
// policy directory and loads it.
func writeSet(t *testing.T, federation string, domains map[string]string) *policy.Set {
	t.Helper()
	dir := writeDir(t, federation, domains)
	set, problems := policy.Load(dir)
	if len(problems) > 0 {
		t.Fatalf("policy: %v", problems)
	}
	return set
}

func writeDir(t *testing.T, federation string, domains map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "domains"), 0o755); err != nil {
		t.Fatal(err)
	}
	head := "apiVersion: meshgate/v1\nkind: FederationPolicy\n"
	if err := os.WriteFile(filepath.Join(dir, "federation.yaml"), []byte(head+federation), 0o644); err != nil {
		t.Fatal(err)
	}
	for d, body := range domains {
		head := "apiVersion: meshgate/v1\nkind: DomainPolicy\ndomain: " + d + "\n"
		if err := os.WriteFile(filepath.Join(dir, "domains", d+".yaml"), []byte(head+body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// product is a synthetic product: columns "name:TYPE:classification".
func product(addr string, cols ...string) *catalog.Product {
	d, n, _ := strings.Cut(addr, ".")
	p := &catalog.Product{Address: catalog.Address{Domain: d, Name: n}}
	for _, c := range cols {
		parts := strings.Split(c, ":")
		col := catalog.Column{Name: parts[0], Type: "VARCHAR", Classification: "internal"}
		if len(parts) > 1 {
			col.Type = parts[1]
		}
		if len(parts) > 2 {
			col.Classification = parts[2]
		}
		p.Columns = append(p.Columns, col)
	}
	return p
}

func id(user string, groups []string, attrs map[string]string) policy.Identity {
	return policy.Identity{User: user, Groups: groups, Attributes: attrs}
}

func columnNames(d policy.Decision) []string {
	var out []string
	for _, c := range d.Columns {
		out = append(out, c.Name)
	}
	return out
}

func maskOf(d policy.Decision, col string) string {
	for _, c := range d.Columns {
		if c.Name == col {
			return c.MaskRule
		}
	}
	return "(absent)"
}

var people = product("hr.people", "id:BIGINT:public", "name:VARCHAR:pii", "email:VARCHAR:pii", "salary:DECIMAL(10,2):confidential", "hired:DATE:internal", "region:VARCHAR:public")

func TestDecideGrants(t *testing.T) {
	set := writeSet(t, `
grants:
  - id: ids-for-analysts
    subjects: {groups: [analysts]}
    products: [hr.people]
    columns: [id, region]
  - id: names-for-recruiters
    subjects: {groups: [recruiters]}
    products: ["hr.*"]
    columns: [name, id]
  - id: all-but-salary-for-managers
    subjects: {attributes: {role: manager}}
    products: ["*"]
    exceptColumns: [salary]
  - id: nothing-real
    subjects: {users: [ghost]}
    products: [hr.people]
    columns: [no_such_column]
`, nil)
	t.Run("columns", func(t *testing.T) {
		d := set.Decide(id("ann", []string{"analysts"}, nil), people)
		if !d.Granted || strings.Join(columnNames(d), ",") != "id,region" {
			t.Errorf("analyst: granted %v, columns %v", d.Granted, columnNames(d))
		}
		if strings.Join(d.GrantRules, ",") != "ids-for-analysts" {
			t.Errorf("grant rules %v", d.GrantRules)
		}
	})
	t.Run("union_in_product_order", func(t *testing.T) {
		d := set.Decide(id("bob", []string{"analysts", "recruiters"}, nil), people)
		if strings.Join(columnNames(d), ",") != "id,name,region" {
			t.Errorf("columns %v, want the union id,name,region in product order", columnNames(d))
		}
		if len(d.GrantRules) != 2 {
			t.Errorf("grant rules %v", d.GrantRules)
		}
	})
	t.Run("except_columns", func(t *testing.T) {
		d := set.Decide(id("cy", nil, map[string]string{"role": "manager"}), people)
		if strings.Join(columnNames(d), ",") != "id,name,email,hired,region" {
			t.Errorf("columns %v", columnNames(d))
		}
	})
	t.Run("no_grant", func(t *testing.T) {
		d := set.Decide(id("dan", []string{"others"}, map[string]string{"role": "clerk"}), people)
		if d.Granted || len(d.Columns) != 0 {
			t.Fatalf("granted %v columns %v", d.Granted, d.Columns)
		}
		if d.Reason != "permission denied for product hr.people: role dan has no grant" {
			t.Errorf("reason %q", d.Reason)
		}
	})
	t.Run("granted_no_column", func(t *testing.T) {
		d := set.Decide(id("ghost", nil, nil), people)
		if d.Granted || !strings.Contains(d.Reason, "permission denied for product hr.people: role ghost is granted none of its columns") {
			t.Errorf("granted %v, reason %q", d.Granted, d.Reason)
		}
	})
	t.Run("subject_parts_all_must_match", func(t *testing.T) {
		set := writeSet(t, `
grants:
  - id: eu-analysts
    subjects: {users: [eve, fay], groups: [analysts], attributes: {region: EU, level: "2"}}
    products: [hr.people]
`, nil)
		for _, tc := range []struct {
			id   policy.Identity
			want bool
		}{
			{id("eve", []string{"analysts"}, map[string]string{"region": "EU", "level": "2"}), true},
			{id("fay", []string{"x", "analysts"}, map[string]string{"region": "EU", "level": "2", "extra": "y"}), true},
			{id("gus", []string{"analysts"}, map[string]string{"region": "EU", "level": "2"}), false},
			{id("eve", []string{"stewards"}, map[string]string{"region": "EU", "level": "2"}), false},
			{id("eve", []string{"analysts"}, map[string]string{"region": "EU"}), false},
			{id("eve", []string{"analysts"}, map[string]string{"region": "US", "level": "2"}), false},
		} {
			if got := set.Decide(tc.id, people).Granted; got != tc.want {
				t.Errorf("%+v: granted %v, want %v", tc.id, got, tc.want)
			}
		}
	})
	t.Run("empty_set", func(t *testing.T) {
		d := policy.NewSet(nil, "").Decide(id("root", []string{"admins"}, nil), people)
		if d.Granted || d.Reason != "permission denied for product hr.people: role root has no grant" {
			t.Errorf("granted %v reason %q", d.Granted, d.Reason)
		}
	})
	t.Run("pattern_scope", func(t *testing.T) {
		other := product("finance.ledger", "id:BIGINT")
		d := set.Decide(id("rita", []string{"recruiters"}, nil), other)
		if d.Granted {
			t.Errorf("hr.* granted finance.ledger")
		}
	})
}

func TestDecideDenies(t *testing.T) {
	set := writeSet(t, `
grants:
  - id: everyone-reads
    products: ["*"]
denies:
  - id: no-contractors
    subjects: {attributes: {employment: contractor}}
    products: ["hr.*"]
`, map[string]string{"hr": `
grants:
  - id: hr-contractors-welcome
    subjects: {attributes: {employment: contractor}}
    products: [hr.people]
denies:
  - id: no-interns-on-people
    subjects: {groups: [interns]}
    products: [hr.people]
`})
	t.Run("federation_deny_beats_domain_grant", func(t *testing.T) {
		d := set.Decide(id("kim", nil, map[string]string{"employment": "contractor"}), people)
		if d.Granted || d.DenyRule != "no-contractors" {
			t.Fatalf("granted %v deny %q", d.Granted, d.DenyRule)
		}
		if d.Reason != "permission denied for product hr.people: rule no-contractors denies role kim" {
			t.Errorf("reason %q", d.Reason)
		}
		if len(d.Columns) != 0 {
			t.Errorf("a denied decision carries columns")
		}
	})
	t.Run("domain_deny_beats_federation_grant", func(t *testing.T) {
		d := set.Decide(id("ivy", []string{"interns"}, nil), people)
		if d.Granted || d.DenyRule != "no-interns-on-people" {
			t.Errorf("granted %v deny %q", d.Granted, d.DenyRule)
		}
	})
	t.Run("others_read", func(t *testing.T) {
		d := set.Decide(id("lou", []string{"staff"}, nil), people)
		if !d.Granted || len(d.Columns) != len(people.Columns) {
			t.Errorf("granted %v columns %v", d.Granted, columnNames(d))
		}
	})
}

func TestDecideMasks(t *testing.T) {
	set := writeSet(t, `
grants:
  - id: everyone-reads
    products: ["*"]
classifications:
  - id: pii-redacted
    classification: pii
    mask: redact
    unless: {attributes: {clearance: pii}}
masks:
  - id: salary-rounded
    products: [hr.people]
    columns: [salary]
    mask: {kind: round, digits: -3}
    unless: {groups: [payroll]}
  - id: salary-hidden-from-interns
    subjects: {groups: [interns]}
    products: [hr.people]
    columns: [salary]
    mask: "null"
`, map[string]string{"hr": `
masks:
  - id: hr-salary-null
    products: [hr.people]
    columns: [salary]
    mask: "null"
    unless: {groups: [managers]}
  - id: hr-names-partial
    products: [hr.people]
    columns: [name]
    mask: {kind: partial, show_first: 1}
  - id: hr-hired-month
    products: [hr.people]
    columns: [hired]
    mask: {kind: truncate, unit: month}
    unless: {groups: [managers]}
`})
	t.Run("classification_and_unless", func(t *testing.T) {
		d := set.Decide(id("ann", nil, nil), people)
		if maskOf(d, "name") != "pii-redacted" || maskOf(d, "email") != "pii-redacted" {
			t.Errorf("name %q email %q, want pii-redacted", maskOf(d, "name"), maskOf(d, "email"))
		}
		if maskOf(d, "id") != "" || maskOf(d, "region") != "" {
			t.Errorf("unclassified columns masked: id %q region %q", maskOf(d, "id"), maskOf(d, "region"))
		}
		for _, c := range d.Columns {
			if c.Name == "name" && !strings.Contains(c.Expr, "regexp_replace") {
				t.Errorf("redact of text: %s", c.Expr)
			}
		}
		// Cleared for pii: the classification rule does not apply, so the
		// domain's own mask of name (partial) does.
		d = set.Decide(id("cleo", nil, map[string]string{"clearance": "pii"}), people)
		if maskOf(d, "email") != "" {
			t.Errorf("cleared user: email masked by %q", maskOf(d, "email"))
		}
		if maskOf(d, "name") != "hr-names-partial" {
			t.Errorf("cleared user: name masked by %q, want the domain's hr-names-partial", maskOf(d, "name"))
		}
	})
	t.Run("federation_mask_beats_domain_mask", func(t *testing.T) {
		d := set.Decide(id("ann", nil, nil), people)
		if maskOf(d, "salary") != "salary-rounded" {
			t.Errorf("salary masked by %q, want the federation's salary-rounded", maskOf(d, "salary"))
		}
		if maskOf(d, "name") != "pii-redacted" {
			t.Errorf("name masked by %q, want the federation's pii-redacted", maskOf(d, "name"))
		}
	})
	t.Run("domain_unless_cannot_exempt_from_federation_mask", func(t *testing.T) {
		// managers are exempt from the domain's salary mask, not from the
		// federation's.
		d := set.Decide(id("max", []string{"managers"}, nil), people)
		if maskOf(d, "salary") != "salary-rounded" {
			t.Errorf("manager: salary masked by %q, want salary-rounded", maskOf(d, "salary"))
		}
		if maskOf(d, "hired") != "" {
			t.Errorf("manager: hired masked by %q, want exempt from the domain's rule", maskOf(d, "hired"))
		}
	})
	t.Run("federation_unless_falls_through_to_domain", func(t *testing.T) {
		// payroll is exempt from the federation rule: the domain's applies.
		d := set.Decide(id("pat", []string{"payroll"}, nil), people)
		if maskOf(d, "salary") != "hr-salary-null" {
			t.Errorf("payroll: salary masked by %q, want hr-salary-null", maskOf(d, "salary"))
		}
		d = set.Decide(id("pam", []string{"payroll", "managers"}, nil), people)
		if maskOf(d, "salary") != "" {
			t.Errorf("payroll manager: salary masked by %q, want clear", maskOf(d, "salary"))
		}
	})
	t.Run("first_matching_rule_in_file_order", func(t *testing.T) {
		// interns: salary-rounded comes first in the federation file.
		d := set.Decide(id("ian", []string{"interns"}, nil), people)
		if maskOf(d, "salary") != "salary-rounded" {
			t.Errorf("intern: salary masked by %q", maskOf(d, "salary"))
		}
		// interns in payroll: exempt from the first, the second applies.
		d = set.Decide(id("ira", []string{"interns", "payroll"}, nil), people)
		if maskOf(d, "salary") != "salary-hidden-from-interns" {
			t.Errorf("payroll intern: salary masked by %q", maskOf(d, "salary"))
		}
	})
	t.Run("rules_listed", func(t *testing.T) {
		d := set.Decide(id("ann", nil, nil), people)
		got := strings.Join(d.Rules(), ",")
		for _, r := range []string{"everyone-reads", "pii-redacted", "salary-rounded", "hr-hired-month"} {
			if !strings.Contains(got, r) {
				t.Errorf("Rules() %s lacks %s", got, r)
			}
		}
	})
}

func TestDecideFilters(t *testing.T) {
	set := writeSet(t, `
grants:
  - id: everyone-reads
    products: ["*"]
rowFilters:
  - id: eu-sees-eu
    products: [hr.people]
    subjects: {attributes: {region: EU}}
    filter: "region = 'EU'"
  - id: own-row-unless-hr
    products: ["hr.*"]
    filter: "in_group('hr') OR name = current_user"
`, map[string]string{"hr": `
rowFilters:
  - id: hr-hired-recently
    products: [hr.people]
    filter: "hired >= DATE '2020-01-01' AND session_attr('level') <> 'current_user'"
`})
	qualify := func(fn string) string { return "main." + fn }
	t.Run("and_together", func(t *testing.T) {
		d := set.Decide(id("eu", nil, map[string]string{"region": "EU"}), people)
		if len(d.Filters) != 3 {
			t.Fatalf("filters %+v", d.Filters)
		}
		sql := d.ViewSQL("src", qualify)
		want := ` WHERE (region = 'EU') AND (main.in_group('hr') OR name = main.mg_current_user()) AND (hired >= DATE '2020-01-01' AND main.session_attr('level') <> 'current_user')`
		if !strings.HasSuffix(sql, want) {
			t.Errorf("view SQL\n%s\nwant it to end with\n%s", sql, want)
		}
		if !strings.HasPrefix(sql, `SELECT "id" AS "id", "name" AS "name"`) || !strings.Contains(sql, " FROM src WHERE ") {
			t.Errorf("view SQL %s", sql)
		}
	})
	t.Run("only_matching_subjects", func(t *testing.T) {
		d := set.Decide(id("us", nil, map[string]string{"region": "US"}), people)
		for _, f := range d.Filters {
			if f.Rule == "eu-sees-eu" {
				t.Errorf("the EU filter applies to a US reader")
			}
		}
		if len(d.Filters) != 2 {
			t.Errorf("filters %+v", d.Filters)
		}
	})
	t.Run("no_filter_no_where", func(t *testing.T) {
		other := product("sales.orders", "id:BIGINT")
		d := set.Decide(id("x", nil, nil), other)
		if sql := d.ViewSQL("src", qualify); strings.Contains(sql, "WHERE") {
			t.Errorf("view SQL %s", sql)
		}
	})
}

func TestMaskExpressions(t *testing.T) {
	set := writeSet(t, `
grants:
  - id: everyone-reads
    products: ["*"]
masks:
  - id: h
    products: [x.t]
    columns: [s, i, n]
    mask: hash
`, nil)
	p := product("x.t", "s:VARCHAR", "i:INTEGER", "n:DATE")
	d := set.Decide(id("u", nil, nil), p)
	for _, c := range d.Columns {
		switch c.Name {
		case "s", "i":
			if !strings.Contains(c.Expr, policy.MaskKeySQL) {
				t.Errorf("hash of %s does not use the secret key: %s", c.Name, c.Expr)
			}
		case "n":
			// hash does not fit a DATE: the evaluator fails closed (NULL of
			// the column's type); the compiler refuses such a policy.
			if c.Expr != "CAST(NULL AS DATE)" {
				t.Errorf("hash of a DATE: %s, want a typed NULL", c.Expr)
			}
		}
	}
}

// demoEngine opens the engine over the demo mesh plus meshgate.audit.
func demoEngine(t *testing.T) (*engine.Engine, *catalog.Mesh) {
	t.Helper()
	mesh, problems := catalog.Load("../../testdata/mesh")
	if len(problems) > 0 {
		t.Fatalf("demo mesh (run `make demo`): %v", problems)
	}
	mesh.Products = append(mesh.Products, engine.BuiltinProducts()...)
	eng, portProblems, err := engine.Open(context.Background(), mesh, engine.Config{Threads: 1, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(eng.Close)
	if len(portProblems) > 0 {
		t.Fatalf("demo ports (run `make demo`): %v", portProblems)
	}
	return eng, &catalog.Mesh{Dir: mesh.Dir, Products: eng.Products()}
}

func TestCompileDemo(t *testing.T) {
	eng, mesh := demoEngine(t)
	set, problems := policy.Load("../../testdata/policies")
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	if problems := policy.Compile(context.Background(), set, mesh, eng); len(problems) > 0 {
		t.Errorf("the demo policy does not compile: %v", problems)
	}
}

func TestCompileProblems(t *testing.T) {
	eng, mesh := demoEngine(t)
	const grant = "grants:\n  - id: everyone\n    products: [\"*\"]\n"
	cases := []struct {
		name       string
		federation string
		domains    map[string]string
		file       string // federation.yaml or domains/x.yaml
		line       int
		want       []string
	}{
		{"unknown_product", grant + "denies:\n  - id: nope\n    products: [sales.nope]\n",
			nil, "federation.yaml", 7, []string{`rule "nope": sales.nope names no product of the mesh`}},
		{"unknown_domain_pattern", grant + "denies:\n  - id: nowhere\n    products: [\"hr.*\"]\n",
			nil, "federation.yaml", 7, []string{`rule "nowhere": hr.* names no product of the mesh`}},
		{"unknown_column", grant, map[string]string{"sales": "masks:\n  - id: mask-nocol\n    products: [sales.customers]\n    columns: [nocol]\n    mask: \"null\"\n"},
			"domains/sales.yaml", 5, []string{`rule "mask-nocol": product sales.customers has no column "nocol"`}},
		{"unknown_except_column", "grants:\n  - id: all-but\n    products: [sales.orders]\n    exceptColumns: [secret]\n",
			nil, "federation.yaml", 4, []string{`product sales.orders has no column "secret"`}},
		{"sql_mask_changes_type", grant, map[string]string{"sales": "masks:\n  - id: name-length\n    products: [sales.customers]\n    columns: [name]\n    mask: {kind: sql, sql: \"length(name)\"}\n"},
			"domains/sales.yaml", 5, []string{`rule "name-length": the mask of sales.customers.name changes its type from VARCHAR to BIGINT`}},
		{"hash_on_date", grant, map[string]string{"sales": "masks:\n  - id: hash-signup\n    products: [sales.customers]\n    columns: [signup_date]\n    mask: hash\n"},
			"domains/sales.yaml", 5, []string{`rule "hash-signup": cannot mask sales.customers.signup_date`, "hash mask applies to text and integer columns"}},
		{"partial_on_number", grant + "masks:\n  - id: partial-amount\n    products: [sales.orders]\n    columns: [amount]\n    mask: {kind: partial, show_last: 2}\n",
			nil, "federation.yaml", 7, []string{`rule "partial-amount": cannot mask sales.orders.amount`}},
		{"bad_unit", grant + "masks:\n  - id: weird-unit\n    products: [sales.orders]\n    columns: [order_date]\n    mask: {kind: truncate, unit: fortnight}\n",
			nil, "federation.yaml", 7, []string{`unit "fortnight"`}},
		{"sql_mask_unknown_column", grant + "masks:\n  - id: sql-nocol\n    products: [sales.orders]\n    columns: [status]\n    mask: {kind: sql, sql: \"upper(nocol)\"}\n",
			nil, "federation.yaml", 7, []string{`rule "sql-nocol": the mask of sales.orders.status does not work`}},
		{"classification_unused", grant + "classifications:\n  - id: secret-null\n    classification: topsecret\n    mask: \"null\"\n",
			nil, "federation.yaml", 7, []string{`no column of the mesh is classified "topsecret"`}},
		{"filter_does_not_parse", grant, map[string]string{"sales": "rowFilters:\n  - id: broken-filter\n    products: [sales.customers]\n    filter: \"country_code IN ('DE',\"\n"},
			"domains/sales.yaml", 5, []string{`rule "broken-filter": the filter does not work on sales.customers`}},
		{"filter_unknown_column", grant, map[string]string{"sales": "rowFilters:\n  - id: filter-nocol\n    products: [sales.orders]\n    filter: \"region = 'EU'\"\n"},
			"domains/sales.yaml", 5, []string{`rule "filter-nocol": the filter does not work on sales.orders`}},
		{"filter_with_subquery", grant, map[string]string{"sales": "rowFilters:\n  - id: sub-filter\n    products: [sales.customers]\n    filter: \"customer_id IN (SELECT customer_id FROM sales.orders)\"\n"},
			"domains/sales.yaml", 5, []string{`rule "sub-filter": a row filter is a predicate over the product's own columns; subqueries and table functions are not allowed`}},
		{"filter_with_table_function", grant + "rowFilters:\n  - id: file-filter\n    products: [sales.customers]\n    filter: \"name IN read_csv('/etc/passwd')\"\n",
			nil, "federation.yaml", 7, []string{"subqueries and table functions are not allowed"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeDir(t, tc.federation, tc.domains)
			set, problems := policy.Load(dir)
			if len(problems) > 0 {
				t.Fatalf("the loader refused it (want the compiler to): %v", problems)
			}
			problems = policy.Compile(context.Background(), set, mesh, eng)
			if len(problems) != 1 {
				t.Fatalf("want one problem, got %d: %v", len(problems), problems)
			}
			p := problems[0]
			if want := filepath.Join(dir, tc.file); p.File != want || p.Line != tc.line {
				t.Errorf("at %s:%d, want %s:%d (%s)", p.File, p.Line, want, tc.line, p.Message)
			}
			for _, w := range tc.want {
				if !strings.Contains(p.Message, w) {
					t.Errorf("message %q does not contain %q", p.Message, w)
				}
			}
		})
	}
}
