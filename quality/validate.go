package quality

import (
	"context"
	"fmt"

	"github.com/meshgate/meshgate/engine"
	"github.com/meshgate/meshgate/planner/catalog"
)

// Validate checks the sql rules of every served product without running
// them: each must be one read of its own product that the engine can bind
// (a query that does not parse, reads another product or names an unknown
// column is a problem at the rule's line).
func Validate(ctx context.Context, eng *engine.Engine) []catalog.Problem {
	var out []catalog.Problem
	r := &Runner{Engine: eng}
	for _, p := range eng.Products() {
		var sqlRules []catalog.Rule
		for _, rule := range p.Quality {
			if rule.Type == "sql" {
				sqlRules = append(sqlRules, rule)
			}
		}
		if len(sqlRules) == 0 {
			continue
		}
		sess, err := r.open(ctx, p)
		if err != nil {
			out = append(out, catalog.Problem{File: p.File, Line: sqlRules[0].Line, Product: p.Address.String(), Message: err.Error()})
			continue
		}
		for _, rule := range sqlRules {
			err := bindSQL(ctx, sess, p.Address, rule.Query)
			if err != nil {
				out = append(out, catalog.Problem{File: p.File, Line: rule.Line, Product: p.Address.String(),
					Message: fmt.Sprintf("quality rule %q: its query cannot run: %v", rule.Name, err)})
			}
		}
		sess.Close()
	}
	return out
}

func bindSQL(ctx context.Context, sess *engine.Session, a catalog.Address, sql string) error {
	read, err := CheckSQL(ctx, sess, a, sql)
	if err != nil {
		return err
	}
	prep, err := sess.Prepare(ctx, "", read.SQL)
	if err != nil {
		return err
	}
	defer prep.Close()
	return oneNumber(prep.Schema())
}
