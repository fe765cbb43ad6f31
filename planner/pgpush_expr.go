package planner

import (
	"encoding/json"
	"math/big"
	"strconv"
	"strings"
)

// The expression allow-list of subtree pushdown: each entry's PostgreSQL
// meaning equals DuckDB's for the types a pushable product may have
// (BOOLEAN, SMALLINT, INTEGER, BIGINT, DOUBLE, DECIMAL(p,s), VARCHAR,
// DATE, TIMESTAMP; text in a "C"-collated source, so comparisons, sorts,
// min/max and LIKE follow byte order as DuckDB's do).

var comparisonOps = map[string]string{
	"COMPARE_EQUAL": "=", "COMPARE_NOTEQUAL": "<>", "COMPARE_LESSTHAN": "<", "COMPARE_LESSTHANOREQUALTO": "<=",
	"COMPARE_GREATERTHAN": ">", "COMPARE_GREATERTHANOREQUALTO": ">=",
	"COMPARE_DISTINCT_FROM": "IS DISTINCT FROM", "COMPARE_NOT_DISTINCT_FROM": "IS NOT DISTINCT FROM",
}

// aggregates DuckDB and PostgreSQL compute alike; avg is DOUBLE in DuckDB
// whatever its input, so its PostgreSQL numeric is cast to float8.
var aggregates = map[string]bool{"count": true, "sum": true, "min": true, "max": true, "avg": true}

// castTypes are the target types a CAST is pushed to, in PostgreSQL.
var castTypes = map[string]string{"DATE": "date", "TIMESTAMP": "timestamp", "BOOLEAN": "bool", "INTEGER": "int4",
	"BIGINT": "int8", "SMALLINT": "int2", "DOUBLE": "float8", "VARCHAR": "text", "INTERVAL": "interval"}

// dateParts EXTRACT pushes (DuckDB's BIGINT, PostgreSQL's numeric cast).
var dateParts = map[string]string{"year": "YEAR", "month": "MONTH", "day": "DAY", "quarter": "QUARTER"}

// intervalUnits are DuckDB's to_days(n) etc. (INTERVAL '90' DAY).
var intervalUnits = map[string]string{"to_days": "days", "to_months": "months", "to_years": "years"}

func (t *pgTranslator) exprs(list []any, ctes []string) ([]string, error) {
	out := make([]string, len(list))
	for i, e := range list {
		s, err := t.expr(mapOf(e), ctes)
		if err != nil {
			return nil, err
		}
		out[i] = s
	}
	return out, nil
}

// expr writes one expression, parenthesised where it is compound.
func (t *pgTranslator) expr(e map[string]any, ctes []string) (string, error) {
	children := asList(e["children"])
	switch str(e, "class") {
	case "COLUMN_REF":
		parts := asList(e["column_names"])
		if len(parts) == 0 || len(parts) > 2 {
			return "", notPushable("column reference form")
		}
		if len(parts) == 1 && t.env.Identity != nil {
			if n, _ := parts[0].(string); strings.EqualFold(n, "current_user") || strings.EqualFold(n, "session_user") {
				if v, cast, ok := t.env.Identity("current_user", ""); ok {
					return t.w.Param(v, cast), nil
				}
			}
		}
		names, err := identList(parts)
		if err != nil {
			return "", err
		}
		return strings.ReplaceAll(names, ", ", "."), nil
	case "CONSTANT":
		return t.constant(mapOf(e["value"]))
	case "CAST":
		return t.cast(e, ctes)
	case "COMPARISON":
		op, ok := comparisonOps[str(e, "type")]
		if !ok {
			return "", notPushable("comparison %s", str(e, "type"))
		}
		l, err := t.expr(mapOf(e["left"]), ctes)
		if err != nil {
			return "", err
		}
		r, err := t.expr(mapOf(e["right"]), ctes)
		if err != nil {
			return "", err
		}
		return "(" + l + " " + op + " " + r + ")", nil
	case "CONJUNCTION":
		op := map[string]string{"CONJUNCTION_AND": " AND ", "CONJUNCTION_OR": " OR "}[str(e, "type")]
		if op == "" || len(children) < 2 {
			return "", notPushable("conjunction %s", str(e, "type"))
		}
		parts, err := t.exprs(children, ctes)
		if err != nil {
			return "", err
		}
		return "(" + strings.Join(parts, op) + ")", nil
	case "BETWEEN":
		parts, err := t.exprs([]any{e["input"], e["lower"], e["upper"]}, ctes)
		if err != nil {
			return "", err
		}
		return "(" + parts[0] + " BETWEEN " + parts[1] + " AND " + parts[2] + ")", nil
	case "OPERATOR":
		return t.operator(e, children, ctes)
	case "CASE":
		var sb strings.Builder
		sb.WriteString("(CASE")
		for _, c := range asList(e["case_checks"]) {
			cm := mapOf(c)
			parts, err := t.exprs([]any{cm["when_expr"], cm["then_expr"]}, ctes)
			if err != nil {
				return "", err
			}
			sb.WriteString(" WHEN " + parts[0] + " THEN " + parts[1])
		}
		if el := e["else_expr"]; el != nil {
			s, err := t.expr(mapOf(el), ctes)
			if err != nil {
				return "", err
			}
			sb.WriteString(" ELSE " + s)
		}
		sb.WriteString(" END)")
		return sb.String(), nil
	case "FUNCTION":
		return t.function(e, children, ctes)
	case "SUBQUERY":
		return t.subquery(e, ctes)
	}
	return "", notPushable("expression %s", str(e, "class"))
}

func (t *pgTranslator) operator(e map[string]any, children []any, ctes []string) (string, error) {
	parts, err := t.exprs(children, ctes)
	if err != nil {
		return "", err
	}
	switch typ := str(e, "type"); {
	case typ == "OPERATOR_NOT" && len(parts) == 1:
		return "(NOT " + parts[0] + ")", nil
	case typ == "OPERATOR_IS_NULL" && len(parts) == 1:
		return "(" + parts[0] + " IS NULL)", nil
	case typ == "OPERATOR_IS_NOT_NULL" && len(parts) == 1:
		return "(" + parts[0] + " IS NOT NULL)", nil
	case (typ == "COMPARE_IN" || typ == "COMPARE_NOT_IN") && len(parts) >= 2:
		op := " IN ("
		if typ == "COMPARE_NOT_IN" {
			op = " NOT IN ("
		}
		return "(" + parts[0] + op + strings.Join(parts[1:], ", ") + "))", nil
	case typ == "OPERATOR_COALESCE" && len(parts) >= 1:
		return "COALESCE(" + strings.Join(parts, ", ") + ")", nil
	}
	return "", notPushable("operator %s", str(e, "type"))
}

func (t *pgTranslator) subquery(e map[string]any, ctes []string) (string, error) {
	q, err := t.query(mapOf(mapOf(e["subquery"])["node"]), ctes)
	if err != nil {
		return "", err
	}
	switch str(e, "subquery_type") {
	case "SCALAR":
		return "(" + q + ")", nil
	case "EXISTS":
		return "(EXISTS (" + q + "))", nil
	case "NOT_EXISTS":
		return "(NOT EXISTS (" + q + "))", nil
	case "ANY":
		op, ok := comparisonOps[str(e, "comparison_type")]
		if !ok || strings.Contains(op, "DISTINCT") {
			return "", notPushable("ANY with %s", str(e, "comparison_type"))
		}
		l, err := t.expr(mapOf(e["child"]), ctes)
		if err != nil {
			return "", err
		}
		return "(" + l + " " + op + " ANY (" + q + "))", nil
	}
	return "", notPushable("subquery %s", str(e, "subquery_type"))
}

func (t *pgTranslator) function(e map[string]any, children []any, ctes []string) (string, error) {
	name := strings.ToLower(str(e, "function_name"))
	if s := strings.ToLower(str(e, "schema")); (s != "" && s != "main" && s != "pg_catalog") || str(e, "catalog") != "" {
		return "", notPushable("qualified function %s", name)
	}
	if e["filter"] != nil || len(asList(mapOf(e["order_bys"])["orders"])) > 0 || e["export_state"] == true {
		return "", notPushable("aggregate with FILTER or ORDER BY")
	}
	distinct, _ := e["distinct"].(bool)
	if distinct && !aggregates[name] {
		return "", notPushable("DISTINCT %s", name)
	}
	// Identity functions of policies (never in a user's statement: the
	// read check resolves names against the session's catalog, where they
	// are the session's own; the translation answers them as parameters).
	if t.env.Identity != nil {
		switch name {
		case "session_attr", "in_group":
			if len(children) == 1 {
				if arg, ok := stringConstant(mapOf(children[0])); ok {
					if v, cast, ok := t.env.Identity(name, arg); ok {
						return t.w.Param(v, cast), nil
					}
				}
			}
			return "", notPushable("%s of a non-constant", name)
		case "mg_current_user", "current_user":
			if len(children) == 0 {
				if v, cast, ok := t.env.Identity("current_user", ""); ok {
					return t.w.Param(v, cast), nil
				}
			}
		}
	}
	switch name {
	case "count_star":
		if len(children) == 0 && !distinct {
			return "count(*)", nil
		}
	case "date_part":
		if len(children) == 2 {
			part, ok := stringConstant(mapOf(children[0]))
			if pg := dateParts[strings.ToLower(part)]; ok && pg != "" {
				arg, err := t.expr(mapOf(children[1]), ctes)
				if err != nil {
					return "", err
				}
				return "CAST(EXTRACT(" + pg + " FROM " + arg + ") AS int8)", nil
			}
		}
	case "mg_extract":
		// extract(field FROM x) as the planner rewrote it (extract.go): a
		// numeric of scale 0 for these fields in both.
		if len(children) == 2 {
			part, ok := stringConstant(mapOf(children[0]))
			if pg := dateParts[strings.ToLower(part)]; ok && pg != "" {
				arg, err := t.expr(mapOf(children[1]), ctes)
				if err != nil {
					return "", err
				}
				return "CAST(EXTRACT(" + pg + " FROM " + arg + ") AS numeric(38,0))", nil
			}
		}
	case "substring", "substr":
		// Positive constant start and non-negative constant length: the
		// forms whose meaning is the same (DuckDB counts a negative start
		// from the end).
		if len(children) == 3 {
			from, ok1 := intConstant(mapOf(children[1]))
			n, ok2 := intConstant(mapOf(children[2]))
			if ok1 && ok2 && from > 0 && n >= 0 {
				parts, err := t.exprs(children, ctes)
				if err != nil {
					return "", err
				}
				return "substring(" + parts[0] + " FROM " + parts[1] + " FOR " + parts[2] + ")", nil
			}
		}
	case "mg_sum":
		// The planner's PostgreSQL sum (gateway/pgcatalog): sum of int2
		// and int4 is an int8, else DuckDB's sum — PostgreSQL's sum.
		if len(children) == 1 && !distinct {
			arg, err := t.expr(mapOf(children[0]), ctes)
			if err != nil {
				return "", err
			}
			return "sum(" + arg + ")", nil
		}
	case "mg_avg":
		// The planner's PostgreSQL avg: of integers the exact quotient
		// rounded half away from zero to 16 decimals, of other types
		// DuckDB's (DOUBLE) avg. Pushed only where the argument's type is
		// known.
		if len(children) == 1 && !distinct {
			typ := t.columnType(mapOf(children[0]))
			arg, err := t.expr(mapOf(children[0]), ctes)
			if err != nil {
				return "", err
			}
			switch {
			case typ == "SMALLINT" || typ == "INTEGER" || typ == "BIGINT":
				return "(CASE WHEN count(" + arg + ") = 0 THEN NULL ELSE CAST(round(CAST(sum(" + arg + ") AS numeric) * 10000000000000000 / count(" + arg + ")) * 0.0000000000000001 AS numeric(38,16)) END)", nil
			case typ == "DOUBLE" || strings.HasPrefix(typ, "DECIMAL("):
				return "CAST(avg(" + arg + ") AS float8)", nil
			}
			return "", notPushable("avg of an expression of unknown type")
		}
	case "to_days", "to_months", "to_years":
		if len(children) == 1 {
			arg, err := t.expr(mapOf(children[0]), ctes)
			if err != nil {
				return "", err
			}
			return "make_interval(" + intervalUnits[name] + " => " + arg + ")", nil
		}
	}
	if len(children) == 0 {
		return "", notPushable("function %s", name)
	}
	parts, err := t.exprs(children, ctes)
	if err != nil {
		return "", err
	}
	op, _ := e["is_operator"].(bool)
	switch {
	case op && len(parts) == 2 && (name == "+" || name == "-" || name == "*"):
		return "(" + parts[0] + " " + name + " " + parts[1] + ")", nil
	case op && len(parts) == 1 && name == "-":
		return "(- " + parts[0] + ")", nil
	case op && len(parts) == 2 && name == "/":
		// meshgate's / (engine setting integer_division, and the "/"
		// macro of gateway/pgcatalog): of two integers the integer
		// quotient truncated towards zero, as PostgreSQL's; of other
		// numbers a double precision quotient; by zero 22012 in either,
		// as PostgreSQL raises it. An operand whose type is not known
		// here is not pushed.
		l, r := t.numberKind(mapOf(children[0])), t.numberKind(mapOf(children[1]))
		switch {
		case l == "" || r == "":
			return "", notPushable("division of operands of unknown type")
		case l == "int" && r == "int":
			return "(" + parts[0] + " / " + parts[1] + ")", nil
		}
		return "(CAST(" + parts[0] + " AS float8) / CAST(" + parts[1] + " AS float8))", nil
	case name == "~~" || name == "!~~":
		// DuckDB's LIKE has no escape character.
		if len(parts) != 2 {
			break
		}
		not := ""
		if name == "!~~" {
			not = "NOT "
		}
		return "(" + parts[0] + " " + not + "LIKE " + parts[1] + " ESCAPE '')", nil
	case name == "nullif" && len(parts) == 2:
		return "NULLIF(" + parts[0] + ", " + parts[1] + ")", nil
	case name == "trunc" && len(parts) == 1:
		return "trunc(" + parts[0] + ")", nil
	case aggregates[name] && len(parts) == 1:
		d := ""
		if distinct {
			d = "DISTINCT "
		}
		s := name + "(" + d + parts[0] + ")"
		if name == "avg" {
			s = "CAST(" + s + " AS float8)"
		}
		return s, nil
	}
	return "", notPushable("function %s", name)
}

func stringConstant(e map[string]any) (string, bool) {
	if str(e, "class") != "CONSTANT" {
		return "", false
	}
	v := mapOf(e["value"])
	s, ok := v["value"].(string)
	return s, ok && str(mapOf(v["type"]), "id") == "VARCHAR"
}

// constant writes a constant as a parameter typed as DuckDB types it
// (strings untyped, as PostgreSQL types a literal from its context).
func (t *pgTranslator) constant(v map[string]any) (string, error) {
	if isNull, _ := v["is_null"].(bool); isNull {
		return "NULL", nil
	}
	typ := mapOf(v["type"])
	switch id := str(typ, "id"); id {
	case "VARCHAR":
		s, ok := v["value"].(string)
		if !ok || strings.ContainsRune(s, 0) {
			return "", notPushable("string constant")
		}
		return t.w.Param(&s, ""), nil
	case "INTEGER", "BIGINT", "SMALLINT", "TINYINT":
		n, ok := v["value"].(json.Number)
		if _, err := n.Int64(); !ok || err != nil {
			return "", notPushable("integer constant")
		}
		text := n.String()
		cast := "int4"
		if id == "BIGINT" {
			cast = "int8"
		}
		return t.w.Param(&text, cast), nil
	case "DECIMAL":
		n, ok := v["value"].(json.Number)
		info := mapOf(typ["type_info"])
		scale, err := strconv.Atoi(string(asNumber(info["scale"])))
		if !ok || err != nil || scale < 0 {
			return "", notPushable("decimal constant")
		}
		i, ok := new(big.Int).SetString(n.String(), 10)
		if !ok {
			return "", notPushable("decimal constant")
		}
		text := new(big.Rat).SetFrac(i, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(scale)), nil)).FloatString(scale)
		return t.w.Param(&text, "numeric"), nil
	case "DOUBLE":
		n, ok := v["value"].(json.Number)
		f, err := n.Float64()
		if !ok || err != nil {
			return "", notPushable("double constant")
		}
		text := strconv.FormatFloat(f, 'g', -1, 64)
		return t.w.Param(&text, "float8"), nil
	}
	return "", notPushable("constant of type %s", str(typ, "id"))
}

func asNumber(v any) json.Number {
	n, _ := v.(json.Number)
	return n
}

// cast writes CAST(x AS T) for the target types whose conversion is the
// same in both: any of them from a constant (the text of a literal), and
// from other expressions only DECIMAL, DOUBLE, DATE and TIMESTAMP, plus
// INTEGER of trunc(…) (an INTERVAL literal's count).
func (t *pgTranslator) cast(e map[string]any, ctes []string) (string, error) {
	if tc, _ := e["try_cast"].(bool); tc {
		return "", notPushable("TRY_CAST")
	}
	ct := mapOf(e["cast_type"])
	id := str(ct, "id")
	pg := castTypes[id]
	if id == "DECIMAL" {
		info := mapOf(ct["type_info"])
		pg = "numeric(" + string(asNumber(info["width"])) + "," + string(asNumber(info["scale"])) + ")"
	}
	if pg == "" {
		return "", notPushable("cast to %s", id)
	}
	child := mapOf(e["child"])
	isConst := str(child, "class") == "CONSTANT"
	switch id {
	case "DECIMAL", "DOUBLE", "DATE", "TIMESTAMP":
	case "INTEGER", "BIGINT":
		if !isConst && !(str(child, "class") == "FUNCTION" && str(child, "function_name") == "trunc") {
			return "", notPushable("cast to %s", id)
		}
	default:
		if !isConst {
			return "", notPushable("cast to %s", id)
		}
	}
	s, err := t.expr(child, ctes)
	if err != nil {
		return "", err
	}
	return "CAST(" + s + " AS " + pg + ")", nil
}

// numberKind is "int" for an expression of an integer type, "float" for
// a double, float or decimal, "" when its type is not known here: a
// product column, a constant, a cast, + - * (and unary -) of such, a
// CASE of such, or an aggregate whose type follows from its argument's.
func (t *pgTranslator) numberKind(e map[string]any) string {
	kind := func(id string) string {
		switch {
		case id == "INTEGER" || id == "BIGINT" || id == "SMALLINT" || id == "TINYINT":
			return "int"
		case id == "DOUBLE" || id == "FLOAT" || id == "DECIMAL" || strings.HasPrefix(id, "DECIMAL("):
			return "float"
		}
		return ""
	}
	switch str(e, "class") {
	case "COLUMN_REF":
		if k := kind(t.columnType(e)); k != "" {
			return k
		}
		return t.derivedKind(e)
	case "CONSTANT":
		return kind(str(mapOf(mapOf(e["value"])["type"]), "id"))
	case "CAST":
		return kind(str(mapOf(e["cast_type"]), "id"))
	case "CASE":
		var kinds []string
		for _, c := range asList(e["case_checks"]) {
			kinds = append(kinds, t.numberKind(mapOf(mapOf(c)["then_expr"])))
		}
		if el := e["else_expr"]; el != nil {
			kinds = append(kinds, t.numberKind(mapOf(el)))
		}
		return joinKinds(kinds...)
	case "FUNCTION":
		name := str(e, "function_name")
		children := asList(e["children"])
		switch {
		case name == "count" || name == "count_star":
			return "int"
		case len(children) == 1 && (name == "avg" || name == "mg_avg"):
			if t.numberKind(mapOf(children[0])) != "" {
				return "float"
			}
			return ""
		case len(children) == 1 && (name == "min" || name == "max"):
			return t.numberKind(mapOf(children[0]))
		case len(children) == 1 && (name == "sum" || name == "mg_sum"):
			// A sum of integers is a bigint or DuckDB's HUGEINT (whose
			// division meshgate refuses): not known here.
			if t.numberKind(mapOf(children[0])) == "float" {
				return "float"
			}
			return ""
		}
		if op, _ := e["is_operator"].(bool); op && len(children) == 1 && name == "-" {
			return t.numberKind(mapOf(children[0]))
		}
		if op, _ := e["is_operator"].(bool); !op || len(children) != 2 || (name != "+" && name != "-" && name != "*") {
			return ""
		}
		return joinKinds(t.numberKind(mapOf(children[0])), t.numberKind(mapOf(children[1])))
	}
	return ""
}

// joinKinds is the kind of an expression whose operands (or branches)
// are of these kinds: "" if one is not known, "int" if all are, else
// "float".
func joinKinds(kinds ...string) string {
	out := "int"
	for _, k := range kinds {
		switch k {
		case "":
			return ""
		case "float":
			out = "float"
		}
	}
	if len(kinds) == 0 {
		return ""
	}
	return out
}
