package engine

import (
	"fmt"
	"sort"

	"github.com/meshgate/meshgate/internal/sqlquote"
	"github.com/meshgate/meshgate/planner"
	"github.com/meshgate/meshgate/planner/catalog"
)

// Lineage of the products of sql ports, as the product meshgate.lineage:
// one row per input column an output column (or the product's rows, for
// filter and join) is derived from, derived from the query with DuckDB's
// parser (planner.Lineage).

const lineageColumns = "from_product VARCHAR, from_column VARCHAR, to_product VARCHAR, to_column VARCHAR, transformation VARCHAR"

// LineageRow is one edge of column lineage. ToColumn is "" for filter and
// join edges (they shape the rows, not one column).
type LineageRow struct {
	From           catalog.Address
	FromColumn     string
	To             catalog.Address
	ToColumn       string
	Transformation string // identity | expression | aggregate | filter | join
}

// LineageProduct is meshgate.lineage.
func LineageProduct() *catalog.Product {
	return builtIn("lineage", "lineage", "Column lineage of the products defined in SQL over other products: which input column each output column is derived from, and how.", []catalog.Column{
		internalCol("from_product", "VARCHAR", "Input product address."),
		internalCol("from_column", "VARCHAR", "Input column."),
		internalCol("to_product", "VARCHAR", "Derived product address."),
		internalCol("to_column", "VARCHAR", "Derived column (NULL for filter and join: the input column decides which rows there are)."),
		internalCol("transformation", "VARCHAR", "identity, expression, aggregate, filter or join."),
	})
}

// Lineage lists every lineage edge, sorted.
func (e *Engine) Lineage() []LineageRow { return e.lineageRows }

// fillLineage derives the rows of every defined aggregate and writes
// meshgate.lineage.
func (e *Engine) fillLineage() error {
	var rows []LineageRow
	for a, ag := range e.aggregates {
		for i, src := range ag.lineage.Columns {
			if i >= len(ag.p.Columns) {
				break
			}
			for _, s := range src {
				rows = append(rows, LineageRow{From: s.Product, FromColumn: s.Column, To: a, ToColumn: ag.p.Columns[i].Name, Transformation: s.Transformation})
			}
		}
		for _, s := range append(append([]planner.Source(nil), ag.lineage.Filters...), ag.lineage.Joins...) {
			rows = append(rows, LineageRow{From: s.Product, FromColumn: s.Column, To: a, Transformation: s.Transformation})
		}
	}
	sort.Slice(rows, func(i, j int) bool {
		x, y := rows[i], rows[j]
		if x.To != y.To {
			return x.To.String() < y.To.String()
		}
		if x.ToColumn != y.ToColumn {
			return x.ToColumn < y.ToColumn
		}
		if x.From != y.From {
			return x.From.String() < y.From.String()
		}
		if x.FromColumn != y.FromColumn {
			return x.FromColumn < y.FromColumn
		}
		return x.Transformation < y.Transformation
	})
	e.lineageRows = rows
	vals := make([]string, len(rows))
	for i, r := range rows {
		vals[i] = fmt.Sprintf("(%s, %s, %s, %s, %s)", sqlquote.Literal(r.From.String()), sqlquote.Literal(r.FromColumn),
			sqlquote.Literal(r.To.String()), nullable(r.ToColumn), sqlquote.Literal(r.Transformation))
	}
	return e.replaceRows("memory.mg_audit.lineage", vals)
}

// LineageView narrows a session's view of meshgate.lineage (view, the
// policy's view SQL; cols its columns) to edges between products the
// caller may discover. Other products' views are returned unchanged.
func LineageView(a catalog.Address, view string, cols []string, visible []catalog.Address) string {
	if a != (catalog.Address{Domain: "meshgate", Name: "lineage"}) {
		return view
	}
	has := map[string]bool{}
	for _, c := range cols {
		has[c] = true
	}
	if !has["from_product"] || !has["to_product"] {
		return fmt.Sprintf("SELECT * FROM (%s) WHERE false", view) // fail closed
	}
	names := make([]string, len(visible))
	for i, v := range visible {
		names[i] = v.String()
	}
	list := "[]::VARCHAR[]"
	if len(names) > 0 {
		list = listLiteral(names)
	}
	return fmt.Sprintf("SELECT * FROM (%s) WHERE list_contains(%s, from_product) AND list_contains(%s, to_product)", view, list, list)
}
