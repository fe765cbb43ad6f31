package catalog

import (
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/meshgate/meshgate/internal/strictyaml"
)

// A sql port serves the rows of a read-only SELECT over other products
// (aggregate and consumer-aligned products):
//
//	outputPorts:
//	  - name: query
//	    type: sql
//	    options: {mode: live}      # live (a view; default) | snapshot (with refresh, max_staleness, on_stale)
//	    query: |
//	      SELECT c.name AS country, sum(o.amount) AS revenue
//	      FROM sales.orders o JOIN geo.countries_v1 c USING (country_code)
//	      GROUP BY 1
//
// The loader checks the shape (a query, no location, the options); what
// the query may read, its output schema, its cycles and its lineage are
// checked by the engine with DuckDB's parser when the mesh is served.

// declassificationKeys are the keys of a column's declassification.
var declassificationKeys = []string{"rule", "justification"}

// Declassification lets a column of a sql port be classified less strictly
// than the strictest of the input columns it is derived from. Rule names
// a declassifications rule of the federation policy that must allow it;
// Justification says why in words (for reviewers and the catalog).
type Declassification struct {
	Rule, Justification string
	Line                int
	// From is the classification the inputs give the column and
	// Transformation how it is derived from them (planner lineage: identity,
	// expression or aggregate); the engine sets both when it defines the port.
	From, Transformation string
}

// classificationRank orders classifications from the least strict.
var classificationRank = map[string]int{"public": 0, "internal": 1, "confidential": 2, "pii": 3}

// Stricter reports whether classification a is stricter than b.
func Stricter(a, b string) bool { return classificationRank[a] > classificationRank[b] }

// sqlQuery reads the query of a port: required for a sql port, refused on
// any other.
func (l *loader) sqlQuery(f map[string]*yaml.Node, pn *yaml.Node, where string, port *Port) {
	qn := f["query"]
	if port.Type != "sql" {
		if qn != nil {
			l.Errorf(qn.Line, "%s is a %s port; query applies only to ports of type sql", where, port.Type)
		}
		return
	}
	q, n := l.Str(f, pn, where, "query", true)
	if n == nil {
		return
	}
	if strings.TrimSpace(q) == "" {
		l.Errorf(n.Line, "the query of %s is empty; write the SELECT that defines the product", where)
		return
	}
	port.Query, port.QueryLine = q, n.Line
	if n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
		port.QueryLine = n.Line + 1 // a block scalar starts on the next line
	}
}

// declassification reads a column's declassification.
func (l *loader) declassification(f map[string]*yaml.Node, where string, c *Column) {
	n := f["declassification"]
	if n == nil || strictyaml.IsNull(n) {
		return
	}
	if n.Kind != yaml.MappingNode {
		l.Errorf(n.Line, "declassification of %s must be a mapping with rule and justification, not %s", where, strictyaml.KindName(n))
		return
	}
	df := l.Mapping(n, "declassification of "+where, declassificationKeys)
	d := &Declassification{Line: n.Line}
	d.Rule, _ = l.Str(df, n, "declassification of "+where, "rule", true)
	d.Justification, _ = l.Str(df, n, "declassification of "+where, "justification", true)
	if !c.ClassificationDeclared {
		l.Errorf(n.Line, "%s has a declassification but no classification; declare the classification it is lowered to", where)
	}
	c.Declassification = d
}
