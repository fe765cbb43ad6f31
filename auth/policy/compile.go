package policy

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/meshgate/meshgate/internal/sqlquote"
	"github.com/meshgate/meshgate/planner/catalog"
)

// Describer reports the DuckDB types of expressions evaluated over a
// product's port, filtered by where ("" for none). The engine implements
// it; identity functions resolve to stand-ins there.
type Describer interface {
	DescribeExprs(ctx context.Context, a catalog.Address, exprs []string, where string) ([]string, error)
}

// subquery finds what a row filter may not contain.
var subquery = regexp.MustCompile(`(?i)\b(select|from|read_\w+|glob|query|query_table)\b`)

// Compile checks every rule against the products of the mesh: unknown
// products and columns, masks that change a column's type or do not fit
// it, filters that do not parse or bind. Each problem names file and line.
func Compile(ctx context.Context, s *Set, mesh *catalog.Mesh, d Describer) []Problem {
	var problems []Problem
	add := func(r *Rule, format string, args ...any) {
		problems = append(problems, Problem{File: r.File, Line: r.Line, Message: fmt.Sprintf("rule %q: ", r.ID) + fmt.Sprintf(format, args...)})
	}
	for _, r := range s.Rules() {
		var matched []*catalog.Product
		for _, pat := range r.Products {
			n := 0
			for _, p := range mesh.Products {
				if matchProduct([]string{pat}, p.Address) {
					n++
					if !containsProduct(matched, p) {
						matched = append(matched, p)
					}
				}
			}
			if n == 0 {
				add(r, "%s names no product of the mesh", pat)
			}
		}
		for _, p := range matched {
			for _, col := range append(append([]string(nil), r.Columns...), r.ExceptColumns...) {
				if p.Column(col) == nil {
					add(r, "product %s has no column %q", p.Address, col)
				}
			}
		}
		switch r.Section {
		case "masks":
			for _, p := range matched {
				for _, name := range r.Columns {
					if c := p.Column(name); c != nil {
						problems = append(problems, checkMask(ctx, d, r, p, *c)...)
					}
				}
			}
		case "classifications":
			n := 0
			for _, p := range mesh.Products {
				for _, c := range p.Columns {
					// A declassified column the policy does not allow is
					// masked as its inputs' class at run time; a mask that
					// does not fit its type answers NULL (evaluate.go).
					if c.Classification == r.Classification {
						n++
						problems = append(problems, checkMask(ctx, d, r, p, c)...)
					}
				}
			}
			if n == 0 {
				add(r, "no column of the mesh is classified %q", r.Classification)
			}
		case "rowFilters":
			if subquery.MatchString(r.Filter) {
				add(r, "a row filter is a predicate over the product's own columns; subqueries and table functions are not allowed")
				continue
			}
			for _, p := range matched {
				types, err := d.DescribeExprs(ctx, p.Address, []string{"1"}, identityCalls(r.Filter, func(fn string) string { return fn }))
				if err != nil {
					add(r, "the filter does not work on %s: %v", p.Address, err)
				} else if len(types) != 1 {
					add(r, "the filter does not work on %s", p.Address)
				}
			}
		}
	}
	return problems
}

func containsProduct(list []*catalog.Product, p *catalog.Product) bool {
	for _, x := range list {
		if x == p {
			return true
		}
	}
	return false
}

// checkMask compiles a mask for one column and checks it keeps the type.
func checkMask(ctx context.Context, d Describer, r *Rule, p *catalog.Product, c catalog.Column) []Problem {
	prob := func(format string, args ...any) []Problem {
		return []Problem{{File: r.File, Line: r.Line, Message: fmt.Sprintf("rule %q: ", r.ID) + fmt.Sprintf(format, args...)}}
	}
	expr, err := maskSQL(r.Mask, c)
	if err != nil {
		return prob("cannot mask %s.%s: %v", p.Address, c.Name, err)
	}
	types, err := d.DescribeExprs(ctx, p.Address, []string{sqlquote.Ident(c.Name), identityCalls(expr, func(fn string) string { return fn })}, "")
	if err != nil {
		return prob("the mask of %s.%s does not work: %v", p.Address, c.Name, err)
	}
	if len(types) == 2 && !strings.EqualFold(types[0], types[1]) {
		return prob("the mask of %s.%s changes its type from %s to %s; a mask must keep the column's type", p.Address, c.Name, types[0], types[1])
	}
	return nil
}
