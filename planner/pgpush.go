package planner

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/meshgate/meshgate/internal/sqlquote"
	"github.com/meshgate/meshgate/planner/catalog"
)

// Subtree pushdown (pgpush.go, pgpush_expr.go): a read statement whose
// every product is served by one PostgreSQL source is translated from
// DuckDB's syntax tree into one PostgreSQL statement, so the source
// answers the joins, filters, aggregates and sorts itself. Only
// constructs whose PostgreSQL meaning equals DuckDB's are translated (the
// allow-list below); anything else makes the translation fail, and the
// statement runs as before. Every value of the statement (and every
// session attribute of a policy) becomes a $n parameter; identifiers are
// quoted; products become their policy-shaped relation (PushEnv.Relation).

// ErrNotPushable is the cause of a translation that is not attempted.
var ErrNotPushable = errors.New("not pushable")

func notPushable(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrNotPushable, fmt.Sprintf(format, args...))
}

// PGWriter accumulates the parameters of a PostgreSQL statement being
// written: text values (nil for NULL), numbered in order.
type PGWriter struct {
	Params []*string
}

// Param adds a parameter and returns its placeholder, cast to cast ("":
// untyped, as a literal would be).
func (w *PGWriter) Param(text *string, cast string) string {
	w.Params = append(w.Params, text)
	if cast == "" {
		return fmt.Sprintf("$%d", len(w.Params))
	}
	return fmt.Sprintf("$%d::%s", len(w.Params), cast)
}

// PushEnv is what the translation needs from the session.
type PushEnv struct {
	// Resolve maps a table reference to the product it names (as the
	// read check resolved it), ok false when it names no product.
	Resolve func(schema, table string) (catalog.Address, bool)
	// Relation writes the product's relation as the session sees it (a
	// parenthesised SELECT: granted columns, masks, row filters).
	Relation func(w *PGWriter, a catalog.Address) (string, error)
	// ColumnType is the declared type of a product's column as the
	// session sees it ("" when it has no such column).
	ColumnType func(a catalog.Address, column string) string
	// Identity answers a policy's current_user, session_attr('k') and
	// in_group('g') (fn is "current_user", "session_attr" or "in_group").
	Identity func(fn, arg string) (value *string, cast string, ok bool)
}

// ParseTree decodes json_serialize_sql output keeping numbers exact.
func ParseTree(raw []byte) (map[string]any, error) {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var tree map[string]any
	if err := d.Decode(&tree); err != nil {
		return nil, fmt.Errorf("planner: decode syntax tree: %w", err)
	}
	if e, _ := tree["error"].(bool); e {
		return nil, notPushable("DuckDB does not parse it: %v", tree["error_message"])
	}
	return tree, nil
}

// PushStatement translates the single statement of tree to PostgreSQL.
func PushStatement(w *PGWriter, env PushEnv, tree map[string]any) (string, error) {
	stmts := asList(tree["statements"])
	if len(stmts) != 1 {
		return "", notPushable("expected one statement")
	}
	if len(asList(mapOf(stmts[0])["named_param_map"])) > 0 {
		return "", notPushable("named parameters")
	}
	t := &pgTranslator{w: w, env: env}
	return t.query(mapOf(mapOf(stmts[0])["node"]), nil)
}

// pgTranslator writes one statement; ctes are the CTE names in scope.
type pgTranslator struct {
	w     *PGWriter
	env   PushEnv
	alias int
	// scope is the innermost SELECT's FROM when it is products only (by
	// alias), nil otherwise: where a column's type is known.
	scope []map[string]catalog.Address
	// derived is, for the same SELECTs, the number kinds (numberKind) of
	// the columns of its FROM's derived tables, by alias and column.
	derived []map[string]map[string]string
}

// columnType is the declared type of a column reference of the innermost
// SELECT, "" when it is not certainly a product column.
func (t *pgTranslator) columnType(e map[string]any) string {
	if len(t.scope) == 0 || t.scope[len(t.scope)-1] == nil || t.env.ColumnType == nil || str(e, "class") != "COLUMN_REF" {
		return ""
	}
	from := t.scope[len(t.scope)-1]
	parts := asList(e["column_names"])
	col, _ := parts[len(parts)-1].(string)
	col = strings.ToLower(col)
	found := ""
	for alias, a := range from {
		if len(parts) == 2 {
			if q, _ := parts[0].(string); strings.ToLower(q) != alias {
				continue
			}
		}
		if typ := t.env.ColumnType(a, col); typ != "" {
			if found != "" {
				return "" // ambiguous
			}
			found = typ
		}
	}
	return found
}

// fromScope lists the FROM's products by alias, nil when it has anything else.
func (t *pgTranslator) fromScope(ref map[string]any, ctes []string, out map[string]catalog.Address) map[string]catalog.Address {
	if out == nil {
		return nil
	}
	switch str(ref, "type") {
	case "BASE_TABLE":
		schema, name := strings.ToLower(str(ref, "schema_name")), strings.ToLower(str(ref, "table_name"))
		if len(asList(ref["column_name_alias"])) > 0 || (schema == "" && contains(ctes, name)) {
			return nil
		}
		a, ok := t.env.Resolve(schema, name)
		if !ok {
			return nil
		}
		alias := strings.ToLower(str(ref, "alias"))
		if alias == "" {
			alias = name
		}
		out[alias] = a
		return out
	case "JOIN":
		return t.fromScope(mapOf(ref["right"]), ctes, t.fromScope(mapOf(ref["left"]), ctes, out))
	}
	return nil
}

// enter makes a SELECT's FROM the innermost scope (its products' columns
// and its derived tables' number kinds); the function it returns leaves it.
func (t *pgTranslator) enter(from map[string]any, ctes []string) (leave func()) {
	t.scope = append(t.scope, t.fromScope(from, ctes, map[string]catalog.Address{}))
	t.derived = append(t.derived, t.derivedKinds(from, ctes, map[string]map[string]string{}))
	return func() { t.scope, t.derived = t.scope[:len(t.scope)-1], t.derived[:len(t.derived)-1] }
}

// derivedKinds adds to out, for each derived table (a subquery with an
// alias) of a FROM, the number kinds of its select list's named columns,
// computed in the subquery's own scope.
func (t *pgTranslator) derivedKinds(ref map[string]any, ctes []string, out map[string]map[string]string) map[string]map[string]string {
	switch str(ref, "type") {
	case "JOIN":
		t.derivedKinds(mapOf(ref["left"]), ctes, out)
		t.derivedKinds(mapOf(ref["right"]), ctes, out)
	case "SUBQUERY":
		alias := strings.ToLower(str(ref, "alias"))
		node := mapOf(mapOf(ref["subquery"])["node"])
		if alias == "" || str(node, "type") != "SELECT_NODE" {
			return out
		}
		defer t.enter(mapOf(node["from_table"]), ctes)()
		colAliases := asList(ref["column_name_alias"])
		cols := map[string]string{}
		for i, e := range asList(node["select_list"]) {
			em := mapOf(e)
			name := entryName(em)
			if i < len(colAliases) {
				name, _ = colAliases[i].(string)
				name = strings.ToLower(name)
			}
			if name != "" {
				cols[name] = t.numberKind(em)
			}
		}
		out[alias] = cols
	}
	return out
}

// derivedKind is the number kind of a column reference to a derived
// table of the innermost SELECT, "" when it is not one (or ambiguous).
func (t *pgTranslator) derivedKind(e map[string]any) string {
	if len(t.derived) == 0 {
		return ""
	}
	parts := asList(e["column_names"])
	col, _ := parts[len(parts)-1].(string)
	col = strings.ToLower(col)
	found := ""
	for alias, cols := range t.derived[len(t.derived)-1] {
		if len(parts) == 2 {
			if q, _ := parts[0].(string); strings.ToLower(q) != alias {
				continue
			}
		}
		if k, ok := cols[col]; ok {
			if found != "" {
				return ""
			}
			found = k
		}
	}
	return found
}

func ident(s string) string { return sqlquote.Ident(strings.ToLower(s)) }

// query writes a query node (SELECT or set operation) with its CTEs.
func (t *pgTranslator) query(node map[string]any, ctes []string) (string, error) {
	var sb strings.Builder
	cm := mapOf(node["cte_map"])
	if entries := asList(cm["map"]); len(entries) > 0 {
		sb.WriteString("WITH ")
		for i, e := range entries {
			m := mapOf(e)
			name, _ := m["key"].(string)
			v := mapOf(m["value"])
			if name == "" || str(v, "materialized") != "CTE_MATERIALIZE_DEFAULT" || len(asList(v["key_targets"])) > 0 {
				return "", notPushable("CTE form")
			}
			body, err := t.query(mapOf(mapOf(v["query"])["node"]), ctes)
			if err != nil {
				return "", err
			}
			if i > 0 {
				sb.WriteString(", ")
			}
			sb.WriteString(ident(name))
			if al := asList(v["aliases"]); len(al) > 0 {
				names, err := identList(al)
				if err != nil {
					return "", err
				}
				sb.WriteString(" (" + names + ")")
			}
			sb.WriteString(" AS (" + body + ")")
			ctes = append(ctes[:len(ctes):len(ctes)], strings.ToLower(name))
		}
		sb.WriteString(" ")
	}
	var body string
	var err error
	switch str(node, "type") {
	case "SELECT_NODE":
		body, err = t.selectNode(node, ctes)
	case "SET_OPERATION_NODE":
		body, err = t.setOperation(node, ctes)
	default:
		return "", notPushable("query node %s", str(node, "type"))
	}
	if err != nil {
		return "", err
	}
	sb.WriteString(body)
	mods, err := t.modifiers(node, ctes)
	if err != nil {
		return "", err
	}
	sb.WriteString(mods)
	return sb.String(), nil
}

func identList(l []any) (string, error) {
	out := make([]string, len(l))
	for i, v := range l {
		s, ok := v.(string)
		if !ok || s == "" {
			return "", notPushable("column alias")
		}
		out[i] = ident(s)
	}
	return strings.Join(out, ", "), nil
}

var setOps = map[string]string{"UNION": "UNION", "EXCEPT": "EXCEPT", "INTERSECT": "INTERSECT"}

func (t *pgTranslator) setOperation(node map[string]any, ctes []string) (string, error) {
	op, ok := setOps[str(node, "setop_type")]
	if !ok {
		return "", notPushable("set operation %s", str(node, "setop_type"))
	}
	if all, _ := node["setop_all"].(bool); all {
		op += " ALL"
	}
	var parts []string
	for _, side := range []string{"left", "right"} {
		q, err := t.query(mapOf(node[side]), ctes)
		if err != nil {
			return "", err
		}
		parts = append(parts, "("+q+")")
	}
	return parts[0] + " " + op + " " + parts[1], nil
}

// unsupportedSelect lists SELECT node keys that must be empty.
var unsupportedSelect = []string{"sample", "qualify"}

func (t *pgTranslator) selectNode(node map[string]any, ctes []string) (string, error) {
	for _, k := range unsupportedSelect {
		if node[k] != nil {
			return "", notPushable("SELECT with %s", k)
		}
	}
	if h := str(node, "aggregate_handling"); h != "" && h != "STANDARD_HANDLING" {
		return "", notPushable("GROUP BY ALL")
	}
	var sb strings.Builder
	sb.WriteString("SELECT ")
	for _, m := range asList(node["modifiers"]) {
		if str(mapOf(m), "type") == "DISTINCT_MODIFIER" {
			if len(asList(mapOf(m)["distinct_on_targets"])) > 0 {
				return "", notPushable("DISTINCT ON")
			}
			sb.WriteString("DISTINCT ")
		}
	}
	using := false
	from := ""
	if ft := mapOf(node["from_table"]); str(ft, "type") != "EMPTY" {
		var err error
		if from, err = t.tableRef(ft, ctes, &using); err != nil {
			return "", err
		}
	}
	defer t.enter(mapOf(node["from_table"]), ctes)()
	list := asList(node["select_list"])
	if len(list) == 0 {
		return "", notPushable("empty select list")
	}
	for i, e := range list {
		em := mapOf(e)
		if i > 0 {
			sb.WriteString(", ")
		}
		if str(em, "class") == "STAR" {
			if using {
				return "", notPushable("* over a USING join")
			}
			s, err := star(em)
			if err != nil {
				return "", err
			}
			sb.WriteString(s)
			continue
		}
		s, err := t.expr(em, ctes)
		if err != nil {
			return "", err
		}
		sb.WriteString(s)
		if a := str(em, "alias"); a != "" {
			sb.WriteString(" AS " + ident(a))
		}
	}
	if from != "" {
		sb.WriteString(" FROM " + from)
	}
	if w := node["where_clause"]; w != nil {
		s, err := t.expr(mapOf(w), ctes)
		if err != nil {
			return "", err
		}
		sb.WriteString(" WHERE " + s)
	}
	if groups := asList(node["group_expressions"]); len(groups) > 0 {
		sets := asList(node["group_sets"])
		if len(sets) != 1 || len(asList(sets[0])) != len(groups) {
			return "", notPushable("grouping sets")
		}
		parts := make([]string, len(groups))
		for i, g := range groups {
			s, err := t.position(mapOf(g), ctes)
			if err != nil {
				return "", err
			}
			parts[i] = s
		}
		sb.WriteString(" GROUP BY " + strings.Join(parts, ", "))
	} else if len(asList(node["group_sets"])) > 0 {
		return "", notPushable("grouping sets")
	}
	if h := node["having"]; h != nil {
		s, err := t.expr(mapOf(h), ctes)
		if err != nil {
			return "", err
		}
		sb.WriteString(" HAVING " + s)
	}
	return sb.String(), nil
}

// star writes * or alias.* (no EXCLUDE, REPLACE, COLUMNS).
func star(e map[string]any) (string, error) {
	if len(asList(e["exclude_list"])) > 0 || len(asList(e["replace_list"])) > 0 || len(asList(e["rename_list"])) > 0 ||
		len(asList(e["qualified_exclude_list"])) > 0 || e["expr"] != nil {
		return "", notPushable("* with EXCLUDE/REPLACE")
	}
	if c, _ := e["columns"].(bool); c {
		return "", notPushable("COLUMNS(*)")
	}
	if r := str(e, "relation_name"); r != "" {
		return ident(r) + ".*", nil
	}
	return "*", nil
}

// position writes a GROUP BY or ORDER BY entry: an integer constant is a
// position in the select list (written as is), anything else an expression.
func (t *pgTranslator) position(e map[string]any, ctes []string) (string, error) {
	if str(e, "class") == "CONSTANT" {
		v := mapOf(e["value"])
		if n, ok := v["value"].(json.Number); ok && str(mapOf(v["type"]), "id") == "INTEGER" {
			if i, err := n.Int64(); err == nil && i > 0 {
				return n.String(), nil
			}
		}
		return "", notPushable("constant in GROUP BY/ORDER BY")
	}
	return t.expr(e, ctes)
}

var nullOrders = map[string]string{"ORDER_DEFAULT": "", "NULLS FIRST": " NULLS FIRST", "NULLS_FIRST": " NULLS FIRST", "NULLS LAST": " NULLS LAST", "NULLS_LAST": " NULLS LAST"}

// modifiers writes ORDER BY and LIMIT/OFFSET (DISTINCT is in selectNode).
// DuckDB's default null order here is PostgreSQL's (engine setting
// default_null_order), so ORDER_DEFAULT is written as nothing.
func (t *pgTranslator) modifiers(node map[string]any, ctes []string) (string, error) {
	var sb strings.Builder
	for _, m := range asList(node["modifiers"]) {
		mm := mapOf(m)
		switch str(mm, "type") {
		case "DISTINCT_MODIFIER":
			if str(node, "type") != "SELECT_NODE" {
				return "", notPushable("DISTINCT on a set operation")
			}
		case "ORDER_MODIFIER":
			var parts []string
			for _, o := range asList(mm["orders"]) {
				om := mapOf(o)
				s, err := t.position(mapOf(om["expression"]), ctes)
				if err != nil {
					return "", err
				}
				switch str(om, "type") {
				case "ORDER_DEFAULT", "ASCENDING":
				case "DESCENDING":
					s += " DESC"
				default:
					return "", notPushable("order %s", str(om, "type"))
				}
				no, ok := nullOrders[str(om, "null_order")]
				if !ok {
					return "", notPushable("null order %s", str(om, "null_order"))
				}
				parts = append(parts, s+no)
			}
			if len(parts) > 0 {
				sb.WriteString(" ORDER BY " + strings.Join(parts, ", "))
			}
		case "LIMIT_MODIFIER":
			for _, k := range []string{"limit", "offset"} {
				if mm[k] == nil {
					continue
				}
				n, ok := intConstant(mapOf(mm[k]))
				if !ok || n < 0 {
					return "", notPushable("%s that is not a constant", k)
				}
				text := fmt.Sprint(n)
				sb.WriteString(" " + strings.ToUpper(k) + " " + t.w.Param(&text, "int8"))
			}
		default:
			return "", notPushable("modifier %s", str(mm, "type"))
		}
	}
	return sb.String(), nil
}

// intConstant is the value of an integer constant.
func intConstant(e map[string]any) (int64, bool) {
	if str(e, "class") != "CONSTANT" {
		return 0, false
	}
	v := mapOf(e["value"])
	switch str(mapOf(v["type"]), "id") {
	case "INTEGER", "BIGINT", "SMALLINT", "TINYINT":
	default:
		return 0, false
	}
	n, ok := v["value"].(json.Number)
	if !ok {
		return 0, false
	}
	i, err := n.Int64()
	return i, err == nil
}

var joinTypes = map[string]string{"INNER": "JOIN", "LEFT": "LEFT JOIN", "RIGHT": "RIGHT JOIN", "OUTER": "FULL JOIN", "FULL": "FULL JOIN"}

// tableRef writes a FROM item; using is set when a USING join is met.
func (t *pgTranslator) tableRef(ref map[string]any, ctes []string, using *bool) (string, error) {
	if ref["sample"] != nil {
		return "", notPushable("TABLESAMPLE")
	}
	alias := str(ref, "alias")
	colAliases := asList(ref["column_name_alias"])
	switch str(ref, "type") {
	case "BASE_TABLE":
		if str(ref, "catalog_name") != "" || ref["at_clause"] != nil {
			return "", notPushable("table reference form")
		}
		schema, name := strings.ToLower(str(ref, "schema_name")), strings.ToLower(str(ref, "table_name"))
		if alias == "" {
			alias = name
		}
		var sql string
		if schema == "" && contains(ctes, name) {
			sql = ident(name)
		} else {
			a, ok := t.env.Resolve(schema, name)
			if !ok {
				return "", notPushable("%s is not a product", name)
			}
			rel, err := t.env.Relation(t.w, a)
			if err != nil {
				return "", err
			}
			sql = rel
		}
		return t.aliased(sql, alias, colAliases)
	case "SUBQUERY":
		q, err := t.query(mapOf(mapOf(ref["subquery"])["node"]), ctes)
		if err != nil {
			return "", err
		}
		if alias == "" {
			t.alias++
			alias = fmt.Sprintf("mg_s%d", t.alias)
		}
		return t.aliased("("+q+")", alias, colAliases)
	case "JOIN":
		if alias != "" {
			return "", notPushable("aliased join")
		}
		left, err := t.tableRef(mapOf(ref["left"]), ctes, using)
		if err != nil {
			return "", err
		}
		right, err := t.tableRef(mapOf(ref["right"]), ctes, using)
		if err != nil {
			return "", err
		}
		switch str(ref, "ref_type") {
		case "CROSS":
			return left + " CROSS JOIN " + right, nil
		case "REGULAR":
		default:
			return "", notPushable("%s join", str(ref, "ref_type"))
		}
		jt, ok := joinTypes[str(ref, "join_type")]
		if !ok {
			return "", notPushable("%s join", str(ref, "join_type"))
		}
		if u := asList(ref["using_columns"]); len(u) > 0 {
			*using = true
			names, err := identList(u)
			if err != nil {
				return "", err
			}
			return "(" + left + " " + jt + " " + right + " USING (" + names + "))", nil
		}
		if ref["condition"] == nil {
			return "", notPushable("join without a condition")
		}
		cond, err := t.expr(mapOf(ref["condition"]), ctes)
		if err != nil {
			return "", err
		}
		return "(" + left + " " + jt + " " + right + " ON " + cond + ")", nil
	}
	return "", notPushable("table reference %s", str(ref, "type"))
}

func (t *pgTranslator) aliased(sql, alias string, colAliases []any) (string, error) {
	out := sql + " AS " + ident(alias)
	if len(colAliases) > 0 {
		names, err := identList(colAliases)
		if err != nil {
			return "", err
		}
		out += " (" + names + ")"
	}
	return out, nil
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// PushPolicyRelation writes a product's relation as a session sees it,
// from the syntax tree of the policy view over the raw rows,
//
//	SELECT <column or mask expression> AS name, ... FROM mg_raw WHERE (<row filter>) AND ...
//
// with mg_raw standing for source (the raw columns, under their declared
// names). identity answers the policy's identity calls as parameters.
// With fence, the relation ends in OFFSET 0, which PostgreSQL never
// flattens into the query around it: a user's condition cannot run on
// rows a row filter removes (an error would reveal them).
func PushPolicyRelation(w *PGWriter, identity func(fn, arg string) (*string, string, bool), tree map[string]any, source string, fence bool) (string, error) {
	stmts := asList(tree["statements"])
	if len(stmts) != 1 {
		return "", notPushable("policy view")
	}
	node := mapOf(mapOf(stmts[0])["node"])
	if str(node, "type") != "SELECT_NODE" || len(asList(node["modifiers"])) > 0 || len(asList(node["group_expressions"])) > 0 ||
		node["having"] != nil || len(asList(mapOf(node["cte_map"])["map"])) > 0 {
		return "", notPushable("policy view form")
	}
	used := false
	env := PushEnv{
		Resolve: func(schema, table string) (catalog.Address, bool) {
			ok := !used && schema == "" && table == "mg_raw"
			used = true
			return catalog.Address{}, ok
		},
		Relation: func(*PGWriter, catalog.Address) (string, error) { return source, nil },
		Identity: identity,
	}
	t := &pgTranslator{w: w, env: env}
	s, err := t.selectNode(node, nil)
	if err != nil {
		return "", err
	}
	if fence {
		s += " OFFSET 0"
	}
	return "(" + s + ")", nil
}
