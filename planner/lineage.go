package planner

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/meshgate/meshgate/planner/catalog"
)

// Column lineage of a query over products, from DuckDB's syntax tree
// (json_serialize_sql): which input columns each output column is derived
// from, and how.

// Transformations of a lineage edge, from the weakest.
const (
	Identity   = "identity"   // the value itself
	Expression = "expression" // computed from the value, row by row
	Aggregate  = "aggregate"  // computed over a group of rows (an aggregate or window aggregate)
	Filter     = "filter"     // decides which rows are kept (WHERE, HAVING, QUALIFY)
	Join       = "join"       // decides which rows are combined (ON, USING)
)

var transformationRank = map[string]int{Identity: 0, Expression: 1, Aggregate: 2}

// Source is one input column an output column (or the rows) depends on.
type Source struct {
	Product        catalog.Address
	Column         string
	Transformation string
}

// QueryLineage is the lineage of one query.
type QueryLineage struct {
	Columns [][]Source // per output column, in output order
	Filters []Source   // input columns the rows are filtered by
	Joins   []Source   // input columns the rows are joined on
}

// Inputs resolves a table named schema.table to an input product and its
// columns, in order; ok is false when it is not one.
type Inputs func(schema, table string) (a catalog.Address, columns []string, ok bool)

// Lineage derives the lineage of the first statement of a serialised
// syntax tree. aggregates names DuckDB's aggregate functions (lower case).
// Names the tree does not resolve (struct fields, correlated references)
// contribute no source: lineage never names a column it cannot place.
func Lineage(tree []byte, inputs Inputs, aggregates map[string]bool) (*QueryLineage, error) {
	var doc struct {
		Error      bool   `json:"error"`
		Message    string `json:"error_message"`
		Statements []struct {
			Node map[string]any `json:"node"`
		} `json:"statements"`
	}
	if err := json.Unmarshal(tree, &doc); err != nil {
		return nil, fmt.Errorf("planner: decode syntax tree: %w", err)
	}
	if doc.Error || len(doc.Statements) != 1 {
		return nil, fmt.Errorf("planner: lineage needs one SELECT: %s", doc.Message)
	}
	l := &lineage{inputs: inputs, aggs: aggregates}
	out := l.node(doc.Statements[0].Node, nil)
	ql := &QueryLineage{Columns: out.src, Filters: dedupe(l.filters), Joins: dedupe(l.joins)}
	for i := range ql.Columns {
		ql.Columns[i] = dedupe(ql.Columns[i])
	}
	return ql, nil
}

// rel is a relation in scope: its name, columns and their sources.
type rel struct {
	name string
	cols []string
	src  [][]Source
}

type lineage struct {
	inputs         Inputs
	aggs           map[string]bool
	filters, joins []Source
}

func (l *lineage) node(n map[string]any, ctes map[string]*rel) *rel {
	ctes = l.ctes(n, ctes)
	switch str(n, "type") {
	case "SELECT_NODE":
		scope := l.from(mapOf(n["from_table"]), ctes)
		for _, k := range []string{"where_clause", "having", "qualify"} {
			src, _ := l.expr(n[k], scope, ctes)
			l.filters = append(l.filters, as(src, Filter)...)
		}
		out := &rel{}
		for _, e := range asSlice(n["select_list"]) {
			m := mapOf(e)
			if str(m, "class") == "STAR" {
				for _, r := range scope {
					if rn := str(m, "relation_name"); rn != "" && !strings.EqualFold(rn, r.name) {
						continue
					}
					for i, c := range r.cols {
						if excluded(m, c) {
							continue
						}
						out.cols = append(out.cols, c)
						out.src = append(out.src, slices.Clone(r.src[i]))
					}
				}
				continue
			}
			src, direct := l.expr(m, scope, ctes)
			if !direct {
				kind := Expression
				if l.hasAggregate(m) {
					kind = Aggregate
				}
				src = stronger(src, kind)
			}
			name := str(m, "alias")
			if name == "" && str(m, "class") == "COLUMN_REF" {
				names := asSlice(m["column_names"])
				name, _ = names[len(names)-1].(string)
			}
			out.cols = append(out.cols, name)
			out.src = append(out.src, src)
		}
		return out
	case "SET_OPERATION_NODE", "RECURSIVE_CTE_NODE":
		left := l.node(mapOf(n["left"]), ctes)
		right := l.node(mapOf(n["right"]), ctes)
		for i := range left.src {
			if i < len(right.src) {
				left.src[i] = append(left.src[i], right.src[i]...)
			}
		}
		return left
	}
	return &rel{}
}

// ctes adds a node's common table expressions to the scope.
func (l *lineage) ctes(n map[string]any, outer map[string]*rel) map[string]*rel {
	entries := asSlice(mapOf(n["cte_map"])["map"])
	if len(entries) == 0 {
		return outer
	}
	scope := map[string]*rel{}
	for k, v := range outer {
		scope[k] = v
	}
	for _, e := range entries {
		m := mapOf(e)
		v := mapOf(m["value"])
		r := l.node(mapOf(mapOf(v["query"])["node"]), scope)
		rename(r, asSlice(v["aliases"]))
		scope[strings.ToLower(str(m, "key"))] = r
	}
	return scope
}

// from returns the relations a FROM clause brings into scope.
func (l *lineage) from(t map[string]any, ctes map[string]*rel) []*rel {
	switch str(t, "type") {
	case "BASE_TABLE":
		schema, table := str(t, "schema_name"), str(t, "table_name")
		name := str(t, "alias")
		if name == "" {
			name = table
		}
		var r *rel
		if cte, ok := ctes[strings.ToLower(table)]; ok && schema == "" {
			r = &rel{name: name, cols: slices.Clone(cte.cols)}
			for _, s := range cte.src {
				r.src = append(r.src, slices.Clone(s))
			}
		} else if a, cols, ok := l.inputs(strings.ToLower(schema), strings.ToLower(table)); ok {
			r = &rel{name: name, cols: slices.Clone(cols)}
			for _, c := range cols {
				r.src = append(r.src, []Source{{Product: a, Column: c, Transformation: Identity}})
			}
		} else {
			return nil
		}
		rename(r, asSlice(t["column_name_alias"]))
		return []*rel{r}
	case "SUBQUERY":
		r := l.node(mapOf(mapOf(t["subquery"])["node"]), ctes)
		r.name = str(t, "alias")
		rename(r, asSlice(t["column_name_alias"]))
		return []*rel{r}
	case "JOIN":
		scope := append(l.from(mapOf(t["left"]), ctes), l.from(mapOf(t["right"]), ctes)...)
		src, _ := l.expr(t["condition"], scope, ctes)
		l.joins = append(l.joins, as(src, Join)...)
		for _, u := range asSlice(t["using_columns"]) {
			c, _ := u.(string)
			for _, r := range scope {
				if i := r.index(c); i >= 0 {
					l.joins = append(l.joins, as(r.src[i], Join)...)
				}
			}
		}
		return scope
	}
	return nil
}

// expr returns the sources an expression reads; direct is set when it is
// one column reference.
func (l *lineage) expr(e any, scope []*rel, ctes map[string]*rel) (src []Source, direct bool) {
	m := mapOf(e)
	if m == nil {
		for _, x := range asSlice(e) {
			s, _ := l.expr(x, scope, ctes)
			src = append(src, s...)
		}
		return src, false
	}
	if str(m, "class") == "COLUMN_REF" {
		return resolve(m, scope), true
	}
	if sub := mapOf(m["subquery"]); sub != nil && str(m, "class") == "SUBQUERY" {
		r := l.node(mapOf(sub["node"]), ctes)
		for _, s := range r.src {
			src = append(src, s...)
		}
		if c, _ := l.expr(m["child"], scope, ctes); len(c) > 0 {
			src = append(src, c...)
		}
		return stronger(src, Expression), false
	}
	for k, v := range m {
		switch k {
		case "children", "child", "left", "right", "input", "check", "case_checks", "then_expr", "when_expr",
			"else_expr", "lower", "upper", "partitions", "orders", "expression", "filter", "filter_expr", "order_bys":
			s, _ := l.expr(v, scope, ctes)
			src = append(src, s...)
		}
	}
	return src, false
}

// hasAggregate reports whether an expression calls an aggregate (or a
// window aggregate) outside a subquery.
func (l *lineage) hasAggregate(e any) bool {
	m := mapOf(e)
	if m == nil {
		for _, x := range asSlice(e) {
			if l.hasAggregate(x) {
				return true
			}
		}
		return false
	}
	switch str(m, "class") {
	case "FUNCTION", "WINDOW":
		if l.aggs[strings.ToLower(str(m, "function_name"))] {
			return true
		}
	case "SUBQUERY":
		return false
	}
	for k, v := range m {
		if k != "subquery" && (mapOf(v) != nil || asSlice(v) != nil) && l.hasAggregate(v) {
			return true
		}
	}
	return false
}

// resolve places a column reference in the scope.
func resolve(m map[string]any, scope []*rel) []Source {
	var names []string
	for _, n := range asSlice(m["column_names"]) {
		s, _ := n.(string)
		names = append(names, s)
	}
	if len(names) == 0 {
		return nil
	}
	col := names[len(names)-1]
	if len(names) >= 2 {
		q := names[len(names)-2]
		for _, r := range scope {
			if strings.EqualFold(r.name, q) {
				if i := r.index(col); i >= 0 {
					return slices.Clone(r.src[i])
				}
			}
		}
		col = names[0] // a struct field of a column: the column is the source
	}
	for _, r := range scope {
		if i := r.index(col); i >= 0 {
			return slices.Clone(r.src[i])
		}
	}
	return nil
}

func (r *rel) index(col string) int {
	for i, c := range r.cols {
		if strings.EqualFold(c, col) {
			return i
		}
	}
	return -1
}

// rename applies column aliases (t(a, b)) in order.
func rename(r *rel, aliases []any) {
	for i, a := range aliases {
		if s, ok := a.(string); ok && i < len(r.cols) {
			r.cols[i] = s
		}
	}
}

func excluded(star map[string]any, col string) bool {
	for _, x := range asSlice(star["exclude_list"]) {
		if s, ok := x.(string); ok && strings.EqualFold(s, col) {
			return true
		}
	}
	return false
}

// stronger raises every source's transformation to at least kind.
func stronger(src []Source, kind string) []Source {
	out := make([]Source, len(src))
	for i, s := range src {
		if transformationRank[kind] > transformationRank[s.Transformation] {
			s.Transformation = kind
		}
		out[i] = s
	}
	return out
}

// as sets every source's transformation to kind (filter, join).
func as(src []Source, kind string) []Source {
	out := make([]Source, len(src))
	for i, s := range src {
		s.Transformation = kind
		out[i] = s
	}
	return out
}

// dedupe keeps each (product, column) once, with its strongest
// transformation, in first-seen order.
func dedupe(src []Source) []Source {
	var out []Source
	at := map[string]int{}
	for _, s := range src {
		k := s.Product.String() + "." + s.Column
		if i, ok := at[k]; ok {
			if transformationRank[s.Transformation] > transformationRank[out[i].Transformation] {
				out[i].Transformation = s.Transformation
			}
			continue
		}
		at[k] = len(out)
		out = append(out, s)
	}
	return out
}

func asSlice(v any) []any {
	s, _ := v.([]any)
	return s
}
