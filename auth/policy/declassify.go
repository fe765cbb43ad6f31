package policy

import (
	"fmt"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/meshgate/meshgate/planner/catalog"
)

// Declassification and definer rights: the governance of products defined
// in SQL over other products (see the package documentation).

// DefinerGroup is the group of every domain identity.
const DefinerGroup = "domains"

// DefinerIdentity is the identity a domain's sql ports read their inputs
// with: user "domain:NAME", group domains, attribute domain: NAME.
// Policies grant it like any role.
func DefinerIdentity(domain string) Identity {
	return Identity{User: "domain:" + domain, Groups: []string{DefinerGroup}, Attributes: map[string]string{"domain": domain}}
}

var (
	classificationNames = []string{"public", "internal", "confidential", "pii"}
	declassifyKinds     = []string{"identity", "expression", "aggregate"}
)

// declassificationRule checks a rule of the declassifications section.
func (l *loader) declassificationRule(n *yaml.Node, r *Rule, f *File) {
	if f.Kind != "FederationPolicy" {
		l.Errorf(n.Line, "rule %q: declassification rules are federation-wide and belong in the federation file", r.ID)
	}
	if !slices.Contains(classificationNames, r.Classification) {
		l.Errorf(n.Line, "rule %q needs classification: the class it lowers (one of %s)", r.ID, strings.Join(classificationNames, ", "))
	}
	if !slices.Contains(classificationNames, r.To) {
		l.Errorf(n.Line, "rule %q needs to: the least strict class a column may be lowered to (one of %s)", r.ID, strings.Join(classificationNames, ", "))
	} else if !catalog.Stricter(r.Classification, r.To) {
		l.Errorf(n.Line, "rule %q lowers %s to %s, which is not less strict", r.ID, r.Classification, r.To)
	}
	if r.Transformation != "" && !slices.Contains(declassifyKinds, r.Transformation) {
		l.Errorf(n.Line, "rule %q: transformation %q is not one of %s (the weakest derivation allowed: aggregate allows only aggregates)", r.ID, r.Transformation, strings.Join(declassifyKinds, ", "))
	}
}

var derivationRank = map[string]int{"identity": 0, "expression": 1, "aggregate": 2}

// Declassify reports why the policy does not allow a column's
// declassification, or nil when it does (or the column has none). A
// column's declassification names a rule of the federation's
// declassifications section; the rule must cover the product (products,
// default all), its owning domain (domains, default all), the class the
// inputs give the column (classification), the class declared (not below
// to) and how the column is derived (transformation: at least as strong,
// e.g. aggregate admits only aggregates).
func (s *Set) Declassify(p *catalog.Product, c catalog.Column) error {
	d := c.Declassification
	if d == nil || d.From == "" {
		return nil
	}
	var r *Rule
	if s != nil && s.federation != nil {
		for _, x := range s.federation.Rules {
			if x.Section == "declassifications" && x.ID == d.Rule {
				r = x
			}
		}
	}
	switch {
	case r == nil:
		return fmt.Errorf("column %s names declassification rule %q, which the federation policy does not have", c.Name, d.Rule)
	case len(r.Products) > 0 && !matchProduct(r.Products, p.Address):
		return fmt.Errorf("declassification rule %q does not cover product %s", r.ID, p.Address)
	case len(r.Domains) > 0 && !slices.Contains(r.Domains, p.Address.Domain):
		return fmt.Errorf("declassification rule %q allows only the domains %s, not %s", r.ID, strings.Join(r.Domains, ", "), p.Address.Domain)
	case r.Classification != d.From:
		return fmt.Errorf("declassification rule %q lowers %s columns, but column %s is derived from %s", r.ID, r.Classification, c.Name, d.From)
	case catalog.Stricter(r.To, c.Classification):
		return fmt.Errorf("declassification rule %q lowers %s at most to %s, not to %s", r.ID, r.Classification, r.To, c.Classification)
	case r.Transformation != "" && derivationRank[d.Transformation] < derivationRank[r.Transformation]:
		return fmt.Errorf("declassification rule %q admits only columns derived by %s, but column %s is derived by %s", r.ID, r.Transformation, c.Name, d.Transformation)
	}
	return nil
}

// classificationOf is the class the policy treats a column as: the
// declared one, or for a declassified column the class its inputs give it
// unless the declassification is allowed (fail closed).
func (s *Set) classificationOf(p *catalog.Product, c catalog.Column) string {
	if c.Declassification != nil && c.Declassification.From != "" && s.Declassify(p, c) != nil {
		return c.Declassification.From
	}
	return c.Classification
}

// CheckDeclassifications reports every declassification of the mesh the
// policy does not allow, at the column's line (meshgate validate refuses
// them; serve logs them, and the columns keep their inputs' class).
func CheckDeclassifications(s *Set, mesh *catalog.Mesh) []Problem {
	var out []Problem
	for _, p := range mesh.Products {
		for _, c := range p.Columns {
			if err := s.Declassify(p, c); err != nil {
				out = append(out, Problem{File: p.File, Line: c.Declassification.Line, Product: p.Address.String(),
					Message: fmt.Sprintf("column %s is declared %s but derived from %s columns, and the declassification is not allowed: %v; it is treated as %s", c.Name, c.Classification, c.Declassification.From, err, c.Declassification.From)})
			}
		}
	}
	return out
}
