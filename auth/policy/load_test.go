package policy_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshgate/meshgate/auth/policy"
)

// TestLoadRefusesDuplicateKeys: a key given twice anywhere in a policy
// file is an error naming both lines, never "the last one wins" (issue
// 14: a deny rule's second products: key silently replaced the first,
// and id: a then id: b loaded as rule b).
func TestLoadRefusesDuplicateKeys(t *testing.T) {
	const grant = "grants:\n  - id: everyone\n    products: [\"*\"]\n" // lines 3-5
	cases := []struct {
		name       string
		federation string
		domains    map[string]string
		file       string
		line       int
		want       string
	}{
		{"rule_id", "grants:\n  - id: a\n    id: b\n    products: [\"*\"]\n",
			nil, "federation.yaml", 5, `key "id" appears twice in a rule of grants (first on line 4, again on line 5)`},
		{"deny_products", grant + "denies:\n  - id: no-customers\n    products: [sales.customers]\n    products: [sales.orders]\n",
			nil, "federation.yaml", 9, `key "products" appears twice in a rule of denies (first on line 8, again on line 9)`},
		{"deny_users", grant + "denies:\n  - id: no-bob\n    subjects: {users: [bob], users: [alice]}\n    products: [\"*\"]\n",
			nil, "federation.yaml", 8, `key "users" appears twice in subjects of a rule of denies (first on line 8, again on line 8)`},
		{"section", grant + "denies:\n  - id: d1\n    products: [sales.orders]\ndenies:\n  - id: d2\n    products: [geo.countries]\n",
			nil, "federation.yaml", 9, `key "denies" appears twice in the policy file (first on line 6, again on line 9)`},
		{"unless_attribute", grant + "masks:\n  - id: m\n    products: [\"*\"]\n    columns: [name]\n    mask: redact\n    unless:\n      attributes:\n        clearance: pii\n        clearance: none\n",
			nil, "federation.yaml", 14, `key "clearance" appears twice in attributes of unless of a rule of masks (first on line 13, again on line 14)`},
		{"mask_kind", grant + "masks:\n  - id: m\n    products: [\"*\"]\n    columns: [name]\n    mask: {kind: \"null\", kind: redact}\n",
			nil, "federation.yaml", 10, `key "kind" appears twice in the mask of a rule of masks (first on line 10, again on line 10)`},
		{"domain_key", grant, map[string]string{"sales": "domain: sales\ndenies:\n  - id: d\n    products: [sales.orders]\n"},
			"domains/sales.yaml", 4, `key "domain" appears twice in the policy file (first on line 3, again on line 4)`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeDir(t, tc.federation, tc.domains)
			set, problems := policy.Load(dir)
			if set != nil {
				t.Fatalf("a policy with a duplicate key loaded (version %s)", set.Version)
			}
			if len(problems) != 1 {
				t.Fatalf("want one problem, got %d: %v", len(problems), problems)
			}
			want := fmt.Sprintf("%s:%d: %s", filepath.Join(dir, tc.file), tc.line, tc.want)
			if got := problems[0].String(); !strings.HasPrefix(got, want) {
				t.Errorf("problem\n %s\nwant\n %s…", got, want)
			}
		})
	}
}

// TestLoadSuggestsKeys: a misspelt key is refused with the closest known
// key, and a file with a duplicate and a misspelt key reports both.
func TestLoadSuggestsKeys(t *testing.T) {
	dir := writeDir(t, "grants:\n  - id: a\n    prodcts: [\"*\"]\n    subjects: {grups: [x]}\n    id: b\n", nil)
	_, problems := policy.Load(dir)
	fed := filepath.Join(dir, "federation.yaml")
	want := []string{
		fed + `:4: rule "a" needs products`,
		fed + `:5: unknown key "prodcts" in a rule of grants; did you mean "products"?`,
		fed + `:6: unknown key "grups" in subjects of a rule of grants; did you mean "groups"?`,
		fed + `:7: key "id" appears twice in a rule of grants (first on line 4, again on line 7)`,
	}
	if len(problems) != len(want) {
		t.Errorf("got %d problems, want %d: %v", len(problems), len(want), problems)
	}
	for i, w := range want {
		if i < len(problems) && !strings.HasPrefix(problems[i].String(), w) {
			t.Errorf("problem %d\n %s\nwant\n %s…", i, problems[i], w)
		}
	}
}

// discovery.ungranted: listed (default) or hidden, federation file only.
func TestDiscoverySetting(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	const head = "apiVersion: meshgate/v1\nkind: FederationPolicy\n"
	for _, c := range []struct {
		text, problem string
		lists         bool
	}{
		{head, "", true},
		{head + "discovery:\n  ungranted: listed\n", "", true},
		{head + "discovery:\n  ungranted: hidden\n", "", false},
		{head + "discovery:\n  ungranted: secret\n", "discovery.ungranted must be listed", false},
		{head + "discovery:\n  unganted: hidden\n", "unganted", false},
		{"apiVersion: meshgate/v1\nkind: DomainPolicy\ndomain: sales\ndiscovery: {ungranted: hidden}\n", "federation-wide setting", false},
	} {
		f, problems := policy.LoadFile(write("p.yaml", c.text))
		if c.problem != "" {
			if len(problems) == 0 || !strings.Contains(problems[0].String(), c.problem) {
				t.Errorf("%q: problems %v, want %q", c.text, problems, c.problem)
			}
			continue
		}
		if len(problems) > 0 {
			t.Fatalf("%q: %v", c.text, problems)
		}
		if got := policy.NewSet([]*policy.File{f}, "v").ListsUngranted(); got != c.lists {
			t.Errorf("%q: lists ungranted %v, want %v", c.text, got, c.lists)
		}
	}
}
