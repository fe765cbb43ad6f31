package planner

import (
	"strconv"
	"strings"

	"github.com/meshgate/meshgate/planner/catalog"
)

// Pushdown is what a query needs of one product, for ports that can
// filter at the source: the columns it references, the conjuncts of its
// WHERE clause that compare one column of that product with constants,
// and a LIMIT when the query is a plain scan of that product alone.
// Everything is a superset: the engine applies the whole query again.
type Pushdown struct {
	Columns    []string // nil: all columns
	Predicates []Predicate
	Limit      int64 // < 0: none
}

// Param is a predicate value that is the statement's $n parameter.
type Param int

// Predicate compares one column with constants (see connectors.Op).
type Predicate struct {
	Column string
	Op     string // = <> < <= > >= IN BETWEEN "IS NULL" "IS NOT NULL" "LIKE PREFIX"
	Values []any  // int64, float64, string, bool
}

// pushdowns computes a Pushdown for every product referenced directly in
// the top SELECT's FROM clause through inner joins. A product referenced
// anywhere else (subqueries, CTEs, outer joins) gets the conservative
// Pushdown (all columns, no predicates).
func pushdowns(stmt any, products map[catalog.Address]bool, resolve func(schema, table string) (catalog.Address, bool), columns map[string]bool, star bool) map[catalog.Address]*Pushdown {
	out := map[catalog.Address]*Pushdown{}
	for a := range products {
		out[a] = &Pushdown{Limit: -1}
	}
	node, _ := mapOf(stmt)["node"].(map[string]any)
	if node == nil || str(node, "type") != "SELECT_NODE" {
		return out
	}
	// Aliases of products reachable through inner joins of the top FROM.
	aliases := map[string]catalog.Address{}
	direct := map[catalog.Address]int{}
	ok := true
	var walk func(ref map[string]any)
	walk = func(ref map[string]any) {
		switch str(ref, "type") {
		case "BASE_TABLE":
			a, found := resolve(strings.ToLower(str(ref, "schema_name")), strings.ToLower(str(ref, "table_name")))
			if !found {
				return
			}
			name := strings.ToLower(str(ref, "alias"))
			if name == "" {
				name = strings.ToLower(str(ref, "table_name"))
			}
			aliases[name] = a
			direct[a]++
		case "JOIN":
			if jt := str(ref, "join_type"); jt != "INNER" && jt != "" {
				ok = false
				return
			}
			walk(mapOf(ref["left"]))
			walk(mapOf(ref["right"]))
		case "EMPTY":
		default:
			ok = false
		}
	}
	walk(mapOf(node["from_table"]))
	if !ok || len(aliases) == 0 {
		return out
	}
	// Columns: the names the statement references (qualification is not
	// tracked: a name counts for every product that has it).
	if !star {
		for a := range products {
			if direct[a] != 1 {
				continue
			}
			var cols []string
			for c := range columns {
				cols = append(cols, c)
			}
			out[a].Columns = cols
		}
	}
	single := len(aliases) == 1
	var only catalog.Address
	for _, a := range aliases {
		only = a
	}
	// Predicates: conjuncts of the WHERE clause.
	allPushed := true
	for _, conj := range conjuncts(mapOf(node["where_clause"])) {
		p, alias := predicate(conj)
		if p == nil {
			allPushed = false
			continue
		}
		var a catalog.Address
		switch {
		case alias != "":
			var found bool
			if a, found = aliases[alias]; !found {
				continue
			}
		case single:
			a = only
		default:
			continue
		}
		if direct[a] != 1 {
			continue // self-joins: predicates may belong to either copy
		}
		out[a].Predicates = append(out[a].Predicates, *p)
	}
	// LIMIT: a scan of one product whose WHERE went to the source whole.
	if single && allPushed && len(asList(node["group_expressions"])) == 0 && node["having"] == nil {
		for _, m := range asList(node["modifiers"]) {
			mm := mapOf(m)
			switch str(mm, "type") {
			case "LIMIT_MODIFIER":
				if v, isConst := constant(mapOf(mm["limit"])); isConst && mm["offset"] == nil {
					if n, isInt := v.(int64); isInt {
						out[only].Limit = n
					}
				}
			default:
				out[only].Limit = -1
				return out
			}
		}
		if !noAggregates(node) {
			out[only].Limit = -1
		}
	}
	return out
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

// noAggregates reports whether the select list has no aggregate or window
// functions (a LIMIT then applies to scanned rows).
func noAggregates(node map[string]any) bool {
	for _, e := range asList(node["select_list"]) {
		switch str(mapOf(e), "class") {
		case "COLUMN_REF", "STAR", "CONSTANT":
		default:
			return false
		}
	}
	return true
}

// conjuncts splits an AND tree.
func conjuncts(e map[string]any) []map[string]any {
	if e == nil {
		return nil
	}
	if str(e, "class") == "CONJUNCTION" && str(e, "type") == "CONJUNCTION_AND" {
		var out []map[string]any
		for _, c := range asList(e["children"]) {
			out = append(out, conjuncts(mapOf(c))...)
		}
		return out
	}
	return []map[string]any{e}
}

// columnRef returns the column and its qualifier of a COLUMN_REF.
func columnRef(e map[string]any) (col, alias string, ok bool) {
	if str(e, "class") != "COLUMN_REF" {
		return "", "", false
	}
	parts := asList(e["column_names"])
	switch len(parts) {
	case 1:
		c, _ := parts[0].(string)
		return strings.ToLower(c), "", true
	case 2:
		a, _ := parts[0].(string)
		c, _ := parts[1].(string)
		return strings.ToLower(c), strings.ToLower(a), true
	}
	return "", "", false
}

// constant returns the Go value of a constant (possibly cast) expression.
func constant(e map[string]any) (any, bool) {
	switch str(e, "class") {
	case "CONSTANT":
		v := mapOf(e["value"])
		if isNull, _ := v["is_null"].(bool); isNull {
			return nil, false
		}
		t := str(mapOf(v["type"]), "id")
		switch val := v["value"].(type) {
		case float64:
			if t == "DOUBLE" || t == "FLOAT" {
				return val, true
			}
			return int64(val), true
		case string:
			switch t {
			case "INTEGER", "BIGINT", "SMALLINT", "TINYINT":
				n, err := strconv.ParseInt(val, 10, 64)
				return n, err == nil
			}
			return val, true
		case bool:
			return val, true
		}
	case "CAST":
		// A cast of a literal ('2024-01-01'::DATE): the source casts the
		// text the same way.
		return constant(mapOf(e["child"]))
	case "PARAMETER":
		// $n: its value is known when the statement is executed.
		if n, err := strconv.Atoi(str(e, "identifier")); err == nil && n > 0 {
			return Param(n), true
		}
	}
	return nil, false
}

var comparisons = map[string]string{
	"COMPARE_EQUAL": "=", "COMPARE_NOTEQUAL": "<>", "COMPARE_LESSTHAN": "<", "COMPARE_LESSTHANOREQUALTO": "<=",
	"COMPARE_GREATERTHAN": ">", "COMPARE_GREATERTHANOREQUALTO": ">=",
}

var flipped = map[string]string{"=": "=", "<>": "<>", "<": ">", "<=": ">=", ">": "<", ">=": "<="}

// predicate turns one conjunct into a pushable predicate, or nil.
func predicate(e map[string]any) (*Predicate, string) {
	switch str(e, "class") {
	case "COMPARISON":
		op, ok := comparisons[str(e, "type")]
		if !ok {
			return nil, ""
		}
		l, r := mapOf(e["left"]), mapOf(e["right"])
		if col, alias, isCol := columnRef(l); isCol {
			if v, isConst := constant(r); isConst {
				return &Predicate{Column: col, Op: op, Values: []any{v}}, alias
			}
		}
		if col, alias, isCol := columnRef(r); isCol {
			if v, isConst := constant(l); isConst {
				return &Predicate{Column: col, Op: flipped[op], Values: []any{v}}, alias
			}
		}
	case "BETWEEN":
		col, alias, isCol := columnRef(mapOf(e["input"]))
		lo, okLo := constant(mapOf(e["lower"]))
		hi, okHi := constant(mapOf(e["upper"]))
		if isCol && okLo && okHi {
			return &Predicate{Column: col, Op: "BETWEEN", Values: []any{lo, hi}}, alias
		}
	case "OPERATOR":
		children := asList(e["children"])
		switch str(e, "type") {
		case "OPERATOR_IS_NULL", "OPERATOR_IS_NOT_NULL":
			if len(children) == 1 {
				if col, alias, isCol := columnRef(mapOf(children[0])); isCol {
					op := "IS NULL"
					if str(e, "type") == "OPERATOR_IS_NOT_NULL" {
						op = "IS NOT NULL"
					}
					return &Predicate{Column: col, Op: op}, alias
				}
			}
		case "COMPARE_IN":
			if len(children) < 2 {
				return nil, ""
			}
			col, alias, isCol := columnRef(mapOf(children[0]))
			if !isCol {
				return nil, ""
			}
			var vals []any
			for _, c := range children[1:] {
				v, isConst := constant(mapOf(c))
				if !isConst {
					return nil, ""
				}
				vals = append(vals, v)
			}
			return &Predicate{Column: col, Op: "IN", Values: vals}, alias
		}
	case "FUNCTION":
		// col LIKE 'prefix%' with no other wildcard.
		if str(e, "function_name") != "~~" {
			return nil, ""
		}
		children := asList(e["children"])
		if len(children) != 2 {
			return nil, ""
		}
		col, alias, isCol := columnRef(mapOf(children[0]))
		v, isConst := constant(mapOf(children[1]))
		pat, isText := v.(string)
		if !isCol || !isConst || !isText || !strings.HasSuffix(pat, "%") {
			return nil, ""
		}
		prefix := strings.TrimSuffix(pat, "%")
		if prefix == "" || strings.ContainsAny(prefix, "%_\\") {
			return nil, ""
		}
		return &Predicate{Column: col, Op: "LIKE PREFIX", Values: []any{prefix}}, alias
	}
	return nil, ""
}
