package policy

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/meshgate/meshgate/internal/sqlquote"
	"github.com/meshgate/meshgate/planner"
	"github.com/meshgate/meshgate/planner/catalog"
)

// Identity is who a decision is for.
type Identity struct {
	User       string
	Groups     []string
	Attributes map[string]string
}

// Matches reports whether the subject covers the identity.
func (s Subject) Matches(id Identity) bool {
	if len(s.Users) > 0 && !slices.Contains(s.Users, id.User) {
		return false
	}
	if len(s.Groups) > 0 {
		ok := false
		for _, g := range s.Groups {
			if slices.Contains(id.Groups, g) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	for k, v := range s.Attributes {
		if id.Attributes[k] != v {
			return false
		}
	}
	return true
}

// matchProduct reports whether a pattern list names the address.
func matchProduct(patterns []string, a catalog.Address) bool {
	for _, p := range patterns {
		switch {
		case p == "*", p == a.String(), p == a.Domain+".*":
			return true
		}
	}
	return false
}

// Set is a loaded, valid set of policy files: one federation file and the
// domain files. It is immutable and safe for concurrent use.
type Set struct {
	federation *File
	domains    map[string]*File
	// Version identifies the policy in audit records (load time and files).
	Version string
}

// NewSet combines loaded files into a set.
func NewSet(files []*File, version string) *Set {
	s := &Set{domains: map[string]*File{}, Version: version}
	for _, f := range files {
		if f.Kind == "FederationPolicy" {
			s.federation = f
		} else {
			s.domains[f.Domain] = f
		}
	}
	return s
}

// files returns the files that govern a product, federation first.
func (s *Set) files(a catalog.Address) []*File {
	var out []*File
	if s.federation != nil {
		out = append(out, s.federation)
	}
	if d := s.domains[a.Domain]; d != nil {
		out = append(out, d)
	}
	return out
}

// Rules returns every rule of the set, federation first.
func (s *Set) Rules() []*Rule {
	var out []*Rule
	if s.federation != nil {
		out = append(out, s.federation.Rules...)
	}
	names := make([]string, 0, len(s.domains))
	for d := range s.domains {
		names = append(names, d)
	}
	sort.Strings(names)
	for _, d := range names {
		out = append(out, s.domains[d].Rules...)
	}
	return out
}

// ColumnView is one column as a user sees it.
type ColumnView struct {
	Name     string
	Expr     string // SQL over the raw column (the quoted name when unmasked)
	MaskRule string // id of the mask applied, "" when none
}

// FilterView is one row filter applied.
type FilterView struct {
	Rule string
	SQL  string
}

// Decision is what a user gets of a product.
type Decision struct {
	Product    catalog.Address
	Granted    bool
	Reason     string   // why not, when not granted
	GrantRules []string // ids of the grants that matched
	DenyRule   string
	Columns    []ColumnView
	Filters    []FilterView
}

// Rules lists the ids of every rule that shaped the decision.
func (d Decision) Rules() []string {
	out := append([]string(nil), d.GrantRules...)
	if d.DenyRule != "" {
		out = append(out, d.DenyRule)
	}
	for _, c := range d.Columns {
		if c.MaskRule != "" && !slices.Contains(out, c.MaskRule) {
			out = append(out, c.MaskRule)
		}
	}
	for _, f := range d.Filters {
		out = append(out, f.Rule)
	}
	return out
}

// Decide evaluates the policy for one identity and product: deny by
// default, see the package documentation for the semantics.
func (s *Set) Decide(id Identity, p *catalog.Product) Decision {
	d := Decision{Product: p.Address}
	allowed := map[string]bool{}
	allCols := false
	for _, f := range s.files(p.Address) {
		for _, r := range f.Rules {
			if !matchProduct(r.Products, p.Address) || !r.Subjects.Matches(id) {
				continue
			}
			switch r.Section {
			case "denies":
				if d.DenyRule == "" {
					d.DenyRule = r.ID
				}
			case "grants":
				d.GrantRules = append(d.GrantRules, r.ID)
				switch {
				case len(r.Columns) > 0:
					for _, c := range r.Columns {
						allowed[c] = true
					}
				case len(r.ExceptColumns) > 0:
					for _, c := range p.Columns {
						if !slices.Contains(r.ExceptColumns, c.Name) {
							allowed[c.Name] = true
						}
					}
				default:
					allCols = true
				}
			}
		}
	}
	switch {
	case d.DenyRule != "":
		d.Reason = fmt.Sprintf("permission denied for product %s: rule %s denies role %s", p.Address, d.DenyRule, id.User)
		return d
	case len(d.GrantRules) == 0:
		d.Reason = fmt.Sprintf("permission denied for product %s: role %s has no grant", p.Address, id.User)
		return d
	}
	d.Granted = true
	for _, c := range p.Columns {
		if !allCols && !allowed[c.Name] {
			continue
		}
		cv := ColumnView{Name: c.Name, Expr: sqlquote.Ident(c.Name)}
		if r := s.maskFor(id, p, c); r != nil {
			expr, err := maskSQL(r.Mask, c)
			if err != nil {
				// A mask the compiler should have refused: fail closed.
				expr = fmt.Sprintf("CAST(NULL AS %s)", c.Type)
			}
			cv.Expr, cv.MaskRule = expr, r.ID
		}
		d.Columns = append(d.Columns, cv)
	}
	if len(d.Columns) == 0 {
		d.Granted = false
		d.Reason = fmt.Sprintf("permission denied for product %s: role %s is granted none of its columns", p.Address, id.User)
		return d
	}
	for _, f := range s.files(p.Address) {
		for _, r := range f.Rules {
			if r.Section == "rowFilters" && matchProduct(r.Products, p.Address) && r.Subjects.Matches(id) {
				d.Filters = append(d.Filters, FilterView{Rule: r.ID, SQL: r.Filter})
			}
		}
	}
	return d
}

// maskFor finds the mask that applies to a column: the federation's first
// matching classification or mask rule, else the domain's first.
func (s *Set) maskFor(id Identity, p *catalog.Product, c catalog.Column) *Rule {
	for _, f := range s.files(p.Address) {
		for _, sec := range []string{"classifications", "masks"} {
			for _, r := range f.Rules {
				if r.Section != sec || !r.Subjects.Matches(id) {
					continue
				}
				if r.Unless != nil && r.Unless.Matches(id) {
					continue
				}
				switch sec {
				case "classifications":
					if s.classificationOf(p, c) == r.Classification {
						return r
					}
				case "masks":
					if matchProduct(r.Products, p.Address) && slices.Contains(r.Columns, c.Name) {
						return r
					}
				}
			}
		}
	}
	return nil
}

// ViewSQL is the SELECT that defines the product for the user, over from
// (the port's internal view). qualify maps the identity functions
// (current_user, session_attr, in_group) to the session's own.
func (d Decision) ViewSQL(from string, qualify func(fn string) string) string {
	cols := make([]string, len(d.Columns))
	for i, c := range d.Columns {
		cols[i] = identityCalls(c.Expr, qualify) + " AS " + sqlquote.Ident(c.Name)
	}
	sql := "SELECT " + strings.Join(cols, ", ") + " FROM " + from
	if len(d.Filters) > 0 {
		preds := make([]string, len(d.Filters))
		for i, f := range d.Filters {
			preds[i] = "(" + identityCalls(f.SQL, qualify) + ")"
		}
		sql += " WHERE " + strings.Join(preds, " AND ")
	}
	return sql
}

// identityCalls rewrites current_user, session_user, session_attr and
// in_group (unquoted words, found by the statements' lexer) with qualify.
// Text that does not lex is kept: DuckDB refuses it when the policy
// compiles.
func identityCalls(sql string, qualify func(string) string) string {
	out, err := planner.RewriteWords(sql, func(w string) (string, bool, bool) {
		switch w {
		case "current_user", "session_user":
			return qualify("mg_current_user") + "()", true, true
		case "session_attr", "in_group":
			return qualify(w), false, true
		}
		return "", false, false
	})
	if err != nil {
		return sql
	}
	return out
}
