package policy

import (
	"fmt"

	"github.com/meshgate/meshgate/planner/catalog"
)

// ListsUngranted reports whether products a caller has no grant on are
// listed in discovery (metadata only: name, owner, description, schema,
// classifications, how to request access) rather than hidden. It is the
// federation file's discovery.ungranted; the default is listed.
func (s *Set) ListsUngranted() bool {
	return s.federation == nil || s.federation.Ungranted != "hidden"
}

// Access explains a decision the way `meshgate explain-access` prints it
// and the catalog shows it: granted or why not, each declared column as
// stored, masked (by which rule, of which kind, as which expression) or
// absent, and the row filters that apply.
type Access struct {
	Granted    bool
	Reason     string // why not, when not granted
	GrantRules []string
	DenyRule   string
	Columns    []ColumnAccess // every declared column, in order
	Filters    []FilterView
}

// ColumnAccess is what a user gets of one column.
type ColumnAccess struct {
	Name     string
	Access   string // "as stored", "masked" or "absent"
	MaskRule string // the mask's rule id when masked
	MaskKind string // redact, null, hash, partial, round, truncate, sql
	Expr     string // the mask's SQL over the raw column, when masked
}

// Explain evaluates the policy for one identity and product and explains
// the decision column by column.
func (s *Set) Explain(id Identity, p *catalog.Product) Access {
	d := s.Decide(id, p)
	a := Access{Granted: d.Granted, Reason: d.Reason, GrantRules: d.GrantRules, DenyRule: d.DenyRule, Filters: d.Filters}
	kinds := map[string]string{}
	for _, r := range s.Rules() {
		if r.Section == "masks" || r.Section == "classifications" {
			kinds[r.ID] = r.Mask.Kind
		}
	}
	views := map[string]ColumnView{}
	for _, c := range d.Columns {
		views[c.Name] = c
	}
	for _, c := range p.Columns {
		ca := ColumnAccess{Name: c.Name, Access: "absent"}
		if v, ok := views[c.Name]; ok && d.Granted {
			ca.Access = "as stored"
			if v.MaskRule != "" {
				ca.Access, ca.MaskRule, ca.MaskKind, ca.Expr = "masked", v.MaskRule, kinds[v.MaskRule], v.Expr
			}
		}
		a.Columns = append(a.Columns, ca)
	}
	return a
}

// Plain says in one sentence what the caller gets of a column.
func (c ColumnAccess) Plain() string {
	switch c.Access {
	case "as stored":
		return "You see the stored values."
	case "absent":
		return "Not granted to you: the column is absent from your view."
	}
	how := map[string]string{
		"redact":   "letters and digits are replaced by X, x and 0",
		"null":     "you see NULL",
		"hash":     "you see a keyed hash (equal values stay joinable)",
		"partial":  "only some characters are shown",
		"round":    "values are rounded",
		"truncate": "values are truncated",
		"sql":      "a policy expression transforms the values",
	}[c.MaskKind]
	if how == "" {
		how = "the values are transformed"
	}
	return fmt.Sprintf("Masked by rule %s: %s.", c.MaskRule, how)
}
