package quality

import (
	"fmt"
	"strings"

	"github.com/meshgate/meshgate/internal/sqlquote"
	"github.com/meshgate/meshgate/planner/catalog"
)

// Scan is the one aggregate query of a product's library rules and SLAs:
// column i of its single row is the value of Exprs[i].
type Scan struct {
	SQL string
	// Index maps a rule name to its column; rowsCol is count(*), needed
	// for percentages; freshCol and retainCol hold the epoch seconds of
	// the newest and oldest values of the SLA elements (-1: none).
	Index                        map[string]int
	rowsCol, freshCol, retainCol int
}

// Compile builds the scan of a product's library rules and SLAs. It holds
// only count(*) when the product has neither.
func Compile(p *catalog.Product) *Scan {
	s := &Scan{Index: map[string]int{}, freshCol: -1, retainCol: -1}
	exprs := []string{"count(*)"}
	add := func(e string) int {
		exprs = append(exprs, e)
		return len(exprs) - 1
	}
	for _, r := range p.Quality {
		if r.Type != "library" {
			continue
		}
		s.Index[r.Name] = add(metricExpr(r))
	}
	if f := p.SLA.Freshness; f != nil && f.Element != "" {
		s.freshCol = add("epoch(max(" + sqlquote.Ident(f.Element) + "))")
	}
	if r := p.SLA.Retention; r != nil && r.Element != "" {
		s.retainCol = add("epoch(min(" + sqlquote.Ident(r.Element) + "))")
	}
	for i, e := range exprs {
		exprs[i] = fmt.Sprintf("CAST(%s AS DOUBLE) AS m%d", e, i)
	}
	s.SQL = fmt.Sprintf("SELECT %s FROM %s.%s", strings.Join(exprs, ", "), sqlquote.Ident(p.Address.Domain), sqlquote.Ident(p.Address.Name))
	return s
}

// metricExpr is the aggregate of one library rule.
func metricExpr(r catalog.Rule) string {
	c := sqlquote.Ident(r.Column)
	text := "CAST(" + c + " AS VARCHAR)"
	switch r.Metric {
	case catalog.MetricRowCount:
		return "count(*)"
	case catalog.MetricNullValues:
		return fmt.Sprintf("count(*) FILTER (WHERE %s IS NULL)", c)
	case catalog.MetricDuplicateValues:
		return fmt.Sprintf("count(%s) - count(DISTINCT %s)", c, c)
	case catalog.MetricMissingValues:
		var conds, vals []string
		for _, l := range r.Missing {
			if l.Null {
				conds = append(conds, c+" IS NULL")
			} else {
				vals = append(vals, sqlquote.Literal(l.Text))
			}
		}
		if len(vals) > 0 {
			conds = append(conds, fmt.Sprintf("%s IN (%s)", text, strings.Join(vals, ", ")))
		}
		return fmt.Sprintf("count(*) FILTER (WHERE %s)", strings.Join(conds, " OR "))
	case catalog.MetricInvalidValues:
		if r.Valid != nil {
			vals := make([]string, len(r.Valid))
			for i, l := range r.Valid {
				vals[i] = sqlquote.Literal(l.Text)
			}
			return fmt.Sprintf("count(*) FILTER (WHERE %s IS NOT NULL AND %s NOT IN (%s))", c, text, strings.Join(vals, ", "))
		}
		var bad []string
		if r.Options.Pattern != "" {
			bad = append(bad, fmt.Sprintf("NOT regexp_full_match(%s, %s)", text, sqlquote.Literal(r.Options.Pattern)))
		}
		if r.Options.Minimum != "" {
			bad = append(bad, fmt.Sprintf("%s < %s", c, r.Options.Minimum))
		}
		if r.Options.Maximum != "" {
			bad = append(bad, fmt.Sprintf("%s > %s", c, r.Options.Maximum))
		}
		return fmt.Sprintf("count(*) FILTER (WHERE %s IS NOT NULL AND (%s))", c, strings.Join(bad, " OR "))
	}
	// The loader admits no other metric; an unknown one measures NULL,
	// which the check reports as an error.
	return "NULL"
}
