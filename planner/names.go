package planner

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/meshgate/meshgate/planner/catalog"
)

// outputNames returns PostgreSQL's names for the result columns of a
// statement tree, "" where DuckDB's own name is right (aliases, column
// references). DuckDB names an unaliased expression after its text
// ("count_star()", "CAST(1 AS SMALLINT)"); PostgreSQL after the function
// ("count"), the cast's type ("int2") or "?column?", and clients depend on
// those names (pandas columns, ORM mappings).
//
// One STAR may appear in the select list (its expansion keeps DuckDB's
// names); with more, nil is returned and DuckDB's names stand.
func outputNames(stmt any) (names []string, hints []TypeHint, stars int) {
	node, _ := mapOf(stmt)["node"].(map[string]any)
	for node != nil && str(node, "type") == "SET_OPERATION_NODE" {
		node, _ = node["left"].(map[string]any)
	}
	if node == nil || str(node, "type") != "SELECT_NODE" {
		return nil, nil, 0
	}
	list, _ := node["select_list"].([]any)
	for _, e := range list {
		m := mapOf(e)
		hints = append(hints, typeHint(m))
		if str(m, "class") == "STAR" {
			stars++
			if len(list) == 1 && valuesStar(mapOf(node["from_table"])) {
				names = append(names, valuesColumns)
				continue
			}
			names = append(names, "*")
			continue
		}
		if str(m, "alias") != "" {
			names = append(names, "")
			continue
		}
		names = append(names, pgName(m))
	}
	return names, hints, stars
}

// valuesColumns marks the * of VALUES (or of SELECT * FROM (VALUES …) t):
// PostgreSQL names its columns column1, column2, …, DuckDB col0, col1, ….
const valuesColumns = "*values"

// valuesStar reports whether a FROM item is a VALUES list, or a derived
// table without column aliases that is one.
func valuesStar(ref map[string]any) bool {
	switch str(ref, "type") {
	case "EXPRESSION_LIST":
		return true
	case "SUBQUERY":
		node := mapOf(mapOf(ref["subquery"])["node"])
		list := asList(node["select_list"])
		return len(asList(ref["column_name_alias"])) == 0 && str(node, "type") == "SELECT_NODE" && len(list) == 1 &&
			str(mapOf(list[0]), "class") == "STAR" && valuesStar(mapOf(node["from_table"]))
	}
	return false
}

// TypeHint is what a result column's expression tells of its PostgreSQL
// type beyond DuckDB's type: an explicit type (OID non-zero, with its
// type modifier), or for a numeric whether DuckDB's precision and scale
// are PostgreSQL's type modifier (Keep: a column or an explicit cast to
// numeric(p,s)) or PostgreSQL gives none (-1: an expression's numeric).
type TypeHint struct {
	OID    uint32
	Typmod int32
	Keep   bool
}

// typeHint is the TypeHint of one select-list entry.
func typeHint(m map[string]any) TypeHint {
	switch str(m, "class") {
	case "COLUMN_REF", "STAR":
		return TypeHint{Keep: true}
	case "CAST":
		// The planner writes an unconstrained numeric as DECIMAL(38,s).
		t := mapOf(m["cast_type"])
		if info := mapOf(t["type_info"]); str(t, "id") == "DECIMAL" && info != nil && fmt.Sprint(info["width"]) == "38" {
			return TypeHint{}
		}
		return TypeHint{Keep: true}
	case "OPERATOR":
		// coalesce(x::varchar, '-') is a varchar
		if args, _ := m["children"].([]any); str(m, "type") == "OPERATOR_COALESCE" && len(args) > 0 {
			if h := typeHint(mapOf(args[0])); h.OID != 0 {
				return TypeHint{OID: h.OID, Typmod: -1}
			}
		}
	case "FUNCTION":
		fn := strings.ToLower(str(m, "function_name"))
		if args, _ := m["children"].([]any); fn == "nullif" && len(args) == 2 {
			return typeHint(mapOf(args[0])) // nullif(x, y) is x's type
		}
		if fn != "mg_to_varchar" {
			return TypeHint{}
		}
		h := TypeHint{OID: catalog.OIDVarchar, Typmod: -1}
		if args, _ := m["children"].([]any); len(args) == 2 {
			v := mapOf(mapOf(args[1])["value"])
			if n, err := strconv.Atoi(fmt.Sprint(v["value"])); err == nil && str(mapOf(args[1]), "class") == "CONSTANT" {
				h.Typmod = int32(n) + 4
			}
		}
		return h
	}
	return TypeHint{}
}

func mapOf(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

// pgName is the name PostgreSQL gives an unaliased expression.
func pgName(m map[string]any) string {
	switch str(m, "class") {
	case "COLUMN_REF":
		return ""
	case "FUNCTION", "AGGREGATE", "WINDOW":
		fn := strings.ToLower(str(m, "function_name"))
		args, _ := m["children"].([]any)
		if n := lambdaCallName(m); n != "" {
			return n
		}
		switch {
		case (fn == "array_extract" || fn == "array_slice") && len(args) > 0: // a[1]: the array's name
			if n := castName(mapOf(args[0]), ""); n != "" {
				return n
			}
		case fn == "regexp_full_match", fn == "list_contains": // SIMILAR TO, x = ANY(array)
			return "?column?"
		case fn == "unnest" && len(args) == 1:
			if inner, ok := setFunctions[strings.ToLower(str(mapOf(args[0]), "function_name"))]; ok {
				return inner
			}
		}
		if op, _ := m["is_operator"].(bool); op {
			return "?column?"
		}
		switch fn {
		case "count_star":
			return "count"
		case "trim": // trim(x), trim(both … from x)
			return "btrim"
		case "list_contains", // x = ANY(array), rewritten
			"like_escape", "not_like_escape", "ilike_escape", "not_ilike_escape": // LIKE with the backslash escape
			return "?column?"
		case "list_value":
			return "array"
		case "struct_pack", "row":
			return "row"
		}
		if name, ok := rewrittenCalls[fn]; ok {
			return name
		}
		if typ, ok := rewrittenCasts[fn]; ok && (len(args) == 1 || fn == "mg_to_varchar") { // x::text, x::numeric, x::varchar(n)
			return castName(mapOf(args[0]), typ)
		}
		if strings.HasPrefix(fn, "mg_reg") { // a rewritten ::regclass cast
			fn = strings.TrimPrefix(fn, "mg_")
			fn, _, _ = strings.Cut(fn, "_")
			return fn
		}
		if strings.HasPrefix(fn, "__") || fn == "" {
			return "?column?"
		}
		return fn
	case "CAST":
		if isBooleanKeyword(m) {
			return "?column?" // TRUE, FALSE
		}
		return castName(mapOf(m["child"]), pgTypeName(mapOf(m["cast_type"])))
	case "CASE":
		return "case"
	case "OPERATOR":
		if n := lambdaCallName(m); n != "" {
			return n
		}
		switch str(m, "type") {
		case "ARRAY_CONSTRUCTOR":
			return "array"
		case "ARRAY_EXTRACT", "ARRAY_SLICE": // a[1]: the array's name
			if args, _ := m["children"].([]any); len(args) > 0 {
				if n := castName(mapOf(args[0]), ""); n != "" {
					return n
				}
			}
		case "OPERATOR_COALESCE":
			return "coalesce"
		case "OPERATOR_NULLIF":
			return "nullif"
		}
	case "SUBQUERY":
		if str(m, "subquery_type") == "EXISTS" {
			return "exists"
		}
	}
	return "?column?"
}

// rewrittenCalls are the functions the planner writes for PostgreSQL's
// (functions.go), with the PostgreSQL function's name.
var rewrittenCalls = map[string]string{"mg_sum": "sum", "mg_avg": "avg", "mg_to_char": "to_char",
	"mg_to_date": "to_date", "mg_to_timestamp": "to_timestamp", "mg_regexp_match": "regexp_match",
	"mg_extract": "extract", "mg_extract_second": "extract", "mg_extract_ms": "extract", "mg_extract_us": "extract",
	"mg_extract_epoch": "extract", "mg_json_build_object": "json_build_object", "mg_json_build_array": "json_build_array",
	"mg_json_agg": "json_agg", "from_hex": "bytea", "quantile_cont": "percentile_cont", "quantile_disc": "percentile_disc",
	"mg_json_extract_path": "json_extract_path", "mg_json_extract_path_text": "json_extract_path_text",
	"mg_jsonb_extract_path": "jsonb_extract_path", "mg_jsonb_extract_path_text": "jsonb_extract_path_text"}

// rewrittenCasts are the functions the planner writes for casts
// (rewrite.go), with the name of the type cast to.
var rewrittenCasts = map[string]string{"mg_to_text": "text", "mg_numeric": "numeric", "mg_to_varchar": "varchar"}

// setFunctions are the macros the planner's set-returning rewrites unnest
// (functions.go), with the PostgreSQL function's name.
var setFunctions = map[string]string{"mg_series": "generate_series", "mg_regexp_matches": "regexp_matches"}

// castName is the name of a cast of child to the type typ, as PostgreSQL
// names it: the column's name, a function's, or else the type's (also for
// a cast of a cast of a literal: '\x41'::bytea::text is text).
func castName(child map[string]any, typ string) string {
	switch str(child, "class") {
	case "COLUMN_REF":
		if parts, _ := child["column_names"].([]any); len(parts) > 0 {
			if name, ok := parts[len(parts)-1].(string); ok {
				return name
			}
		}
		return ""
	case "FUNCTION":
		if strings.ToLower(str(child, "function_name")) == "from_hex" { // a bytea literal
			return typ
		}
		if n := pgName(child); n != "" && n != "?column?" {
			return n
		}
	case "CAST":
		if n := castName(mapOf(child["child"]), ""); n != "" {
			return n
		}
	case "OPERATOR":
		if n := pgName(child); n != "?column?" {
			return n
		}
	}
	return typ
}

// pgTypeName is PostgreSQL's name for the type of a DuckDB cast target.
func pgTypeName(t map[string]any) string {
	id := str(t, "id")
	if info := mapOf(t["type_info"]); info != nil {
		if alias := strings.ToLower(str(info, "alias")); alias != "" {
			return alias
		}
	}
	switch id {
	case "BOOLEAN":
		return "bool"
	case "TINYINT", "SMALLINT":
		return "int2"
	case "INTEGER":
		return "int4"
	case "BIGINT":
		return "int8"
	case "FLOAT":
		return "float4"
	case "DOUBLE":
		return "float8"
	case "DECIMAL", "HUGEINT":
		return "numeric"
	case "VARCHAR":
		return "text"
	case "BLOB":
		return "bytea"
	case "DATE":
		return "date"
	case "TIME":
		return "time"
	case "TIMESTAMP", "TIMESTAMP_S", "TIMESTAMP_MS", "TIMESTAMP_NS":
		return "timestamp"
	case "TIMESTAMP WITH TIME ZONE":
		return "timestamptz"
	case "INTERVAL":
		return "interval"
	case "UUID":
		return "uuid"
	case "LIST":
		// A cast to an array type is named by its element type.
		if child := mapOf(mapOf(t["type_info"])["child_type"]); child != nil {
			return pgTypeName(child)
		}
		return "array"
	case "UNBOUND":
		// A type the binder resolves (json): its name.
		if name := str(mapOf(t["type_info"]), "name"); name != "" {
			return strings.ToLower(name)
		}
	}
	return strings.ToLower(id)
}

// Origin is where a result column comes from, when it is a plain column
// of a product (clients show it: pgjdbc getTableName, psycopg2 table_oid).
type Origin struct {
	Product catalog.Address
	Column  string // "" for a * entry: every column of Product
	Star    bool
	// Function is the function an entry calls (unqualified, lower case),
	// when the entry is a call and nothing else; Null marks an untyped
	// NULL, which PostgreSQL describes as text.
	Function string
	Null     bool
	// Opaque marks a * entry whose width is not known: the positions of
	// the entries after it are not known either.
	Opaque bool
}

// Catalog reports whether the origin is a pg_catalog or
// information_schema relation (Product then holds its name in the domain
// pg_catalog or information_schema), not a product.
func (o *Origin) Catalog() bool {
	return o.Product.Domain == "pg_catalog" || o.Product.Domain == "information_schema"
}

// isBooleanKeyword: DuckDB's parser writes TRUE and FALSE as a cast of
// 't' or 'f' to BOOLEAN without a location of its own ('t'::bool has one).
func isBooleanKeyword(m map[string]any) bool {
	loc, _ := m["query_location"].(float64)
	child := mapOf(m["child"])
	v := mapOf(child["value"])
	val, _ := v["value"].(string)
	return loc > 1e15 && str(mapOf(m["cast_type"]), "id") == "BOOLEAN" && str(child, "class") == "CONSTANT" && (val == "t" || val == "f")
}

// lambdaCallName names list_transform([x], v -> f(…))[1], the planner's
// form of a typed macro's call on a call's value (typedArg), after f, or
// for a cast macro after x.
func lambdaCallName(e map[string]any) string {
	if !strings.EqualFold(str(e, "function_name"), "array_extract") && str(e, "type") != "ARRAY_EXTRACT" {
		return ""
	}
	args := asList(e["children"])
	if len(args) == 0 {
		return ""
	}
	lt := mapOf(args[0])
	if !strings.EqualFold(str(lt, "function_name"), "list_transform") {
		return ""
	}
	largs := asList(lt["children"])
	if len(largs) != 2 || str(mapOf(largs[1]), "class") != "LAMBDA" {
		return ""
	}
	body := mapOf(mapOf(largs[1])["expr"])
	bargs := asList(body["children"])
	if str(body, "class") != "FUNCTION" || len(bargs) == 0 || str(mapOf(bargs[len(bargs)-1]), "class") != "COLUMN_REF" {
		return ""
	}
	// A cast macro is named after the value cast (avg(x)::numeric: avg).
	if typ, ok := rewrittenCasts[strings.ToLower(str(body, "function_name"))]; ok && len(bargs) == 1 {
		if operand := asList(mapOf(asList(lt["children"])[0])["children"]); len(operand) == 1 {
			return castName(mapOf(operand[0]), typ)
		}
	}
	return pgName(body)
}
