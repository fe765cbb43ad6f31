package policy_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshgate/meshgate/auth/policy"
	"github.com/meshgate/meshgate/planner/catalog"
)

// TestDeclassify: a declassification holds only when a rule of the
// federation covers the product, domain, classes and derivation; a
// disallowed one leaves the column masked as its inputs' class.
func TestDeclassify(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "federation.yaml"), []byte(`apiVersion: meshgate/v1
kind: FederationPolicy
grants:
  - {id: all, subjects: {}, products: ["*"]}
classifications:
  - {id: pii-null, classification: pii, mask: "null"}
declassifications:
  - id: counts
    classification: pii
    to: internal
    transformation: aggregate
    domains: [mkt]
`), 0o644); err != nil {
		t.Fatal(err)
	}
	set, problems := policy.Load(dir)
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	product := func(domain, transformation, declared, rule string) *catalog.Product {
		return &catalog.Product{Address: catalog.Address{Domain: domain, Name: "p"}, Columns: []catalog.Column{{
			Name: "n", Type: "BIGINT", Classification: declared, ClassificationDeclared: true,
			Declassification: &catalog.Declassification{Rule: rule, From: "pii", Transformation: transformation, Line: 9}}}}
	}
	for _, tc := range []struct {
		p    *catalog.Product
		want string // "" when allowed
	}{
		{product("mkt", "aggregate", "internal", "counts"), ""},
		{product("mkt", "expression", "internal", "counts"), "admits only columns derived by aggregate, but column n is derived by expression"},
		{product("sales", "aggregate", "internal", "counts"), "allows only the domains mkt, not sales"},
		{product("mkt", "aggregate", "public", "counts"), "lowers pii at most to internal, not to public"},
		{product("mkt", "aggregate", "internal", "other"), `names declassification rule "other", which the federation policy does not have`},
	} {
		err := set.Declassify(tc.p, tc.p.Columns[0])
		d := set.Decide(policy.Identity{User: "u"}, tc.p)
		masked := d.Columns[0].MaskRule == "pii-null"
		switch {
		case tc.want == "" && (err != nil || masked):
			t.Errorf("%+v: %v, masked %v; want allowed", tc.p.Columns[0].Declassification, err, masked)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want) || !masked):
			t.Errorf("%+v: %v, masked %v; want %q and the pii mask", tc.p.Columns[0].Declassification, err, masked, tc.want)
		}
	}
}

// TestDefinerIdentity: the identity policies grant a domain's sql ports.
func TestDefinerIdentity(t *testing.T) {
	id := policy.DefinerIdentity("sales")
	if id.User != "domain:sales" || len(id.Groups) != 1 || id.Groups[0] != "domains" || id.Attributes["domain"] != "sales" {
		t.Errorf("%+v", id)
	}
}
