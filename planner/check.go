package planner

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/meshgate/meshgate/internal/sqlquote"
	"github.com/meshgate/meshgate/planner/catalog"
	"github.com/meshgate/meshgate/sqlstate"
)

// Parser returns DuckDB's JSON syntax tree of SELECT statements
// (json_serialize_sql). The engine's session implements it.
type Parser interface {
	SerializeSQL(ctx context.Context, sql string) ([]byte, error)
}

// Scope is what a session may name: its products and its search path.
type Scope interface {
	// Lookup returns nil when the session may read domain.name, otherwise a
	// *sqlstate.Error (42P01 when it does not exist for the session,
	// 42501 when it exists but is not granted).
	Lookup(domain, name string) error
	// SearchPath lists the schemas unqualified names resolve in, in order.
	SearchPath() []string
	// CatalogSchema says where a pg_catalog or information_schema relation
	// of the session is read (a qualified schema name).
	CatalogSchema(schema, name string) string
}

// allowedTableFunctions generate values; none of them reads storage.
var allowedTableFunctions = map[string]bool{
	"range":           true,
	"generate_series": true,
	"unnest":          true,
	"pg_get_keywords": true, // client-compatibility macro (gateway/pgcatalog)
}

// forbiddenRefTypes are table references that would reach around the
// session's catalog.
var forbiddenRefTypes = map[string]bool{
	"SHOW_REF":    true,
	"COLUMN_DATA": true,
	"DELIM_GET":   true,
	"BOUND_REF":   true,
}

// Read is a checked read statement.
type Read struct {
	// SQL is the statement to execute: the query with references to
	// pg_catalog and information_schema rewritten to the session's
	// compatibility schemas (see rewrite.go).
	SQL string
	// Products are the products the statement reads, sorted.
	Products []catalog.Address
	// ColumnRefs are the column names the statement references (for the
	// audit trail); Star is set when it selects * from something.
	ColumnRefs []string
	Star       bool
	// Origins are the product columns of the select list's entries (nil
	// where an entry is not a plain column; see origins).
	Origins []*Origin
	// Pushdown is, per product read, what a port that filters at the
	// source needs to fetch (see pushdown.go).
	Pushdown map[catalog.Address]*Pushdown
	// names are PostgreSQL's names for unaliased result columns (see
	// outputNames); stars counts the * entries of the select list.
	names []string
	hints []TypeHint
	stars int
}

// ColumnNames renames result columns the way PostgreSQL names them: given
// DuckDB's names, it returns the names a PostgreSQL client expects
// ("count" for count(*), "int2" for 1::int2, "?column?" for 1+1). The
// input is returned unchanged when the select list cannot be matched.
func (r *Read) ColumnNames(duck []string) []string {
	if r == nil {
		return duck
	}
	names := expandSelectList(r.names, r.stars, duck, func(n string) bool { return n == "*" || n == valuesColumns })
	if names == nil {
		return duck
	}
	out := make([]string, len(duck))
	for i, n := range names {
		out[i] = n
		switch n {
		case "", "*":
			out[i] = duck[i]
		case valuesColumns:
			out[i] = duck[i]
			if duck[i] == "col"+strconv.Itoa(i) {
				out[i] = "column" + strconv.Itoa(i+1)
			}
		}
	}
	return out
}

// ColumnTypes are the TypeHints of n result columns (the zero hint where
// the select list cannot be matched; a * entry's columns are Keep).
func (r *Read) ColumnTypes(n int) []TypeHint {
	out := make([]TypeHint, n)
	if r == nil || len(r.hints) != len(r.names) {
		return out
	}
	idx := make([]int, len(r.hints))
	for i := range idx {
		idx[i] = i
	}
	ents := expandSelectList(idx, r.stars, make([]int, n), func(i int) bool { return r.names[i] == "*" || r.names[i] == valuesColumns })
	if ents == nil {
		return out
	}
	for i, e := range ents {
		out[i] = r.hints[e]
	}
	return out
}

// expandSelectList lays the select list's entries over the n result
// columns (len(duck)): each entry one column, the one * entry (star) as
// many as are left. nil when they cannot be matched.
func expandSelectList[T any, D any](entries []T, stars int, duck []D, star func(T) bool) []T {
	if len(entries) == 0 || stars > 1 {
		return nil
	}
	expanded := len(duck) - (len(entries) - stars)
	if expanded < 0 || (stars == 0 && len(duck) != len(entries)) {
		return nil
	}
	out := make([]T, 0, len(duck))
	for _, e := range entries {
		if star(e) {
			for k := 0; k < expanded; k++ {
				out = append(out, e)
			}
			continue
		}
		out = append(out, e)
	}
	return out
}

// CheckRead parses query (one SELECT-like statement) with DuckDB's parser
// and verifies that every table it names resolves, through the session's
// scope, to a product the session may read. Anything else — file-reading
// table functions, internal schemas, other catalogs, replacement scans of
// file names — is refused before execution.
func CheckRead(ctx context.Context, parser Parser, scope Scope, query string) (*Read, error) {
	pre, err := preRewrite(query)
	var refused *sqlstate.Error
	if errors.As(err, &refused) {
		return nil, refused
	}
	if err != nil {
		return nil, syntaxError(err.Error(), query, -1)
	}
	raw, err := parser.SerializeSQL(ctx, pre)
	if err != nil {
		return nil, err
	}
	var tree struct {
		Error        bool              `json:"error"`
		ErrorMessage string            `json:"error_message"`
		ErrorType    string            `json:"error_type"`
		Position     json.RawMessage   `json:"position"`
		Statements   []json.RawMessage `json:"statements"`
	}
	if err := json.Unmarshal(raw, &tree); err != nil {
		return nil, fmt.Errorf("planner: decode syntax tree: %w", err)
	}
	if tree.Error {
		if tree.ErrorType == "not implemented" {
			return nil, sqlstate.New(sqlstate.FeatureNotSupported, "only queries can be run here: %s", tree.ErrorMessage)
		}
		msg := tree.ErrorMessage
		if i := strings.Index(msg, "\n"); i >= 0 {
			msg = msg[:i]
		}
		return nil, sqlstate.New(sqlstate.SyntaxError, "%s", strings.TrimPrefix(msg, "Parser Error: "))
	}
	if len(tree.Statements) != 1 {
		return nil, sqlstate.New(sqlstate.SyntaxError, "expected exactly one statement, found %d", len(tree.Statements))
	}
	var stmt any
	if err := json.Unmarshal(tree.Statements[0], &stmt); err != nil {
		return nil, fmt.Errorf("planner: decode statement: %w", err)
	}
	c := &checker{scope: scope, products: map[catalog.Address]bool{}, columns: map[string]bool{}}
	if err := c.walk(stmt, nil); err != nil {
		return nil, err
	}
	var tables []edit
	for _, t := range c.tables {
		if start, end, ok := tableSpan(pre, t.loc); ok {
			tables = append(tables, edit{start, end, t.repl})
		}
	}
	for _, a := range c.aliases {
		if e, ok := columnAliasEdit(pre, a.loc, a.repl); ok {
			tables = append(tables, e)
		}
	}
	for _, src := range c.sources {
		tables = append(tables, scalarSourceEdits(pre, src.loc, src.repl)...)
	}
	for _, st := range c.stars {
		e, ok := starEdit(pre, st.loc, st.repl)
		if !ok {
			return nil, sqlstate.New(sqlstate.FeatureNotSupported, "SELECT * over a USING join cannot be rewritten in this form").
				WithHint("Name the columns.")
		}
		tables = append(tables, e)
	}
	for _, loc := range c.qualifiers {
		if e, ok := qualifierEdit(pre, loc); ok {
			tables = append(tables, e)
		}
	}
	out, err := postRewrite(pre, tables)
	if err != nil {
		return nil, syntaxError(err.Error(), query, -1)
	}
	r := &Read{SQL: out, Star: c.star}
	for name := range c.columns {
		r.ColumnRefs = append(r.ColumnRefs, name)
	}
	sort.Strings(r.ColumnRefs)
	r.names, r.hints, r.stars = outputNames(stmt)
	resolve := func(schema, table string) (catalog.Address, bool) {
		if schema != "" {
			a := catalog.Address{Domain: schema, Name: table}
			return a, c.products[a]
		}
		for _, s := range scope.SearchPath() {
			a := catalog.Address{Domain: strings.ToLower(s), Name: table}
			if c.products[a] {
				return a, true
			}
		}
		return catalog.Address{}, false
	}
	r.Origins = origins(stmt, func(schema, table string) (catalog.Address, bool) {
		if a, ok := resolve(schema, table); ok {
			return a, true
		}
		if schema == "pg_catalog" || schema == "information_schema" {
			return catalog.Address{Domain: schema, Name: table}, true // a catalog relation
		}
		if schema == "" && strings.HasPrefix(table, "pg_") {
			return catalog.Address{Domain: "pg_catalog", Name: table}, true
		}
		return catalog.Address{}, false
	})
	r.Pushdown = pushdowns(stmt, c.products, resolve, c.columns, c.star)
	for a := range c.products {
		r.Products = append(r.Products, a)
	}
	sort.Slice(r.Products, func(i, j int) bool { return r.Products[i].String() < r.Products[j].String() })
	return r, nil
}

type checker struct {
	scope    Scope
	products map[catalog.Address]bool
	tables   []tableRewrite
	aliases  []tableRewrite // table functions whose alias also names their column
	// qualifiers are the offsets of schema.relation.column references to
	// catalog relations, whose schema is dropped.
	qualifiers []int
	sources    []tableRewrite // scalar calls read as a table, and their column
	stars      []tableRewrite // a * over a USING join, in PostgreSQL's order (usingstar.go)
	columns    map[string]bool
	star       bool
}

// catalogColumn records a column reference qualified with its catalog
// relation's schema (pg_catalog.pg_class.relname, as SQLAlchemy writes
// them): the relation is read from the session's compatibility schema
// under its own name, so the reference keeps only relation.column.
func (c *checker) catalogColumn(v map[string]any, parts []any) {
	schema, _ := parts[0].(string)
	schema = strings.ToLower(schema)
	if len(parts) != 3 || schema != "pg_catalog" && schema != "information_schema" {
		return
	}
	if loc, ok := v["query_location"].(float64); ok && loc >= 0 && loc < 1e15 {
		c.qualifiers = append(c.qualifiers, int(loc))
	}
}

// tableRewrite replaces the table name at byte offset loc.
type tableRewrite struct {
	loc  int
	repl string
}

// compat records a catalog relation to be read from the session's
// compatibility schema.
func (c *checker) compat(v map[string]any, schema, name string) error {
	loc, ok := v["query_location"].(float64)
	if !ok || loc < 0 || loc > 1e15 {
		return sqlstate.New(sqlstate.FeatureNotSupported, "catalog relation %s cannot be resolved in this form", name)
	}
	c.tables = append(c.tables, tableRewrite{loc: int(loc), repl: schema + "." + sqlquote.Ident(strings.ToLower(name))})
	return nil
}

// walk visits every node of the tree; ctes holds the CTE names visible at
// this point, resolved as DuckDB binds them (ARCHITECTURE fact 7): a CTE is
// visible to the CTEs defined after it and to its node's body, never to
// itself or to the CTEs before it — except that the recursive part of a
// WITH RECURSIVE … UNION sees its own name. A name the checker takes for a
// table DuckDB binds as a CTE only refuses more; the reverse would read
// around a policy, and the engine's plan verification refuses it too.
func (c *checker) walk(n any, ctes []string) error {
	switch v := n.(type) {
	case []any:
		for _, e := range v {
			if err := c.walk(e, ctes); err != nil {
				return err
			}
		}
	case map[string]any:
		skip := map[string]bool{}
		if cm, ok := v["cte_map"].(map[string]any); ok {
			skip["cte_map"] = true
			for _, e := range asList(cm["map"]) {
				m, ok := e.(map[string]any)
				if !ok {
					return errUnknownNode("CTE")
				}
				k, ok := m["key"].(string)
				if !ok {
					return errUnknownNode("CTE")
				}
				// The definition sees the CTEs before it only.
				if err := c.walk(m["value"], ctes); err != nil {
					return err
				}
				ctes = append(ctes[:len(ctes):len(ctes)], strings.ToLower(k))
			}
		}
		if str(v, "type") == "RECURSIVE_CTE_NODE" {
			self := append(ctes[:len(ctes):len(ctes)], strings.ToLower(str(v, "cte_name")))
			if err := c.walk(v["right"], self); err != nil {
				return err
			}
			skip["right"] = true
		}
		switch str(v, "class") {
		case "COLUMN_REF":
			if parts, _ := v["column_names"].([]any); len(parts) > 0 {
				if name, ok := parts[len(parts)-1].(string); ok {
					c.columns[strings.ToLower(name)] = true
				}
				c.catalogColumn(v, parts)
			}
		case "STAR":
			c.star = true
		case "FUNCTION":
			if err := c.function(v); err != nil {
				return err
			}
		}
		typ, _ := v["type"].(string)
		if typ == "SELECT_NODE" {
			if err := c.usingStar(v); err != nil {
				return err
			}
		}
		if typ == "JOIN" {
			// USING columns are read too, though no column reference
			// names them; a NATURAL join reads columns nobody names.
			for _, u := range asList(v["using_columns"]) {
				if name, ok := u.(string); ok {
					c.columns[strings.ToLower(name)] = true
				}
			}
			if str(v, "ref_type") == "NATURAL" {
				c.star = true
			}
		}
		switch {
		case typ == "BASE_TABLE":
			if err := c.table(v, ctes); err != nil {
				return err
			}
		case typ == "TABLE_FUNCTION" && c.scalarSource(v):
		case typ == "TABLE_FUNCTION":
			if err := c.tableFunction(v); err != nil {
				return err
			}
			if alias := str(v, "alias"); alias != "" {
				if names, _ := v["column_name_alias"].([]any); len(names) == 0 {
					if loc, ok := v["query_location"].(float64); ok && loc < 1e15 {
						c.aliases = append(c.aliases, tableRewrite{loc: int(loc), repl: alias})
					}
				}
			}
		case forbiddenRefTypes[typ]:
			return sqlstate.New(sqlstate.InsufficientPrivilege, "this form of table reference is not allowed through meshgate").
				WithHint("Query products by address, e.g. SELECT * FROM sales.orders.")
		}
		keys := make([]string, 0, len(v))
		for k := range v {
			if !skip[k] {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys) // deterministic: the first offending name is reported
		for _, k := range keys {
			if err := c.walk(v[k], ctes); err != nil {
				return err
			}
		}
	}
	return nil
}

func errUnknownNode(what string) error {
	return sqlstate.New(sqlstate.FeatureNotSupported, "this form of %s is not supported through meshgate", what)
}

func str(m map[string]any, k string) string {
	s, _ := m[k].(string)
	return s
}

// table checks one table reference.
func (c *checker) table(v map[string]any, ctes []string) error {
	cat, schema, name := str(v, "catalog_name"), str(v, "schema_name"), str(v, "table_name")
	lschema, lname := strings.ToLower(schema), strings.ToLower(name)
	full := name
	if schema != "" {
		full = schema + "." + name
	}
	if cat != "" {
		full = cat + "." + full
		e := sqlstate.New(sqlstate.InsufficientPrivilege, "relation %q is not allowed: products are addressed as domain.product, without a catalog", full)
		// Suggest the unqualified address only when it is a product the
		// session may read, never an internal name (memory.ports.x → ports.x).
		if schema != "" && c.scope.Lookup(lschema, lname) == nil {
			return e.WithHint("Write SELECT … FROM %s.%s.", lschema, lname)
		}
		return e.WithHint("Query products by address, e.g. SELECT * FROM sales.orders.")
	}
	if schema == "" {
		for _, cte := range ctes {
			if cte == lname {
				return nil
			}
		}
		if strings.ContainsAny(name, "./'\\") {
			return sqlstate.New(sqlstate.InsufficientPrivilege, "reading files by name is not allowed: %q is not a data product", name).
				WithHint("Query products by address, e.g. SELECT * FROM sales.orders.")
		}
		var denied error
		for _, s := range c.scope.SearchPath() {
			err := c.scope.Lookup(strings.ToLower(s), lname)
			if err == nil {
				c.products[catalog.Address{Domain: strings.ToLower(s), Name: lname}] = true
				return nil
			}
			if denied == nil && sqlstate.CodeOf(err) == sqlstate.InsufficientPrivilege {
				denied = err
			}
		}
		if denied != nil {
			return denied
		}
		if strings.HasPrefix(lname, "pg_") {
			return c.compat(v, c.scope.CatalogSchema("pg_catalog", lname), lname)
		}
		return sqlstate.New(sqlstate.UndefinedTable, "relation %q does not exist", name).
			WithHint("Qualify the product with its domain (e.g. sales.orders), or SET search_path TO the domain.")
	}
	switch lschema {
	case "pg_catalog", "information_schema":
		return c.compat(v, c.scope.CatalogSchema(lschema, lname), lname)
	case "main", "ports", "memory", "system", "temp", "pg_temp":
		return sqlstate.New(sqlstate.InsufficientPrivilege, "relation %q is internal to meshgate and cannot be queried", full)
	}
	if err := c.scope.Lookup(lschema, lname); err != nil {
		return err
	}
	c.products[catalog.Address{Domain: lschema, Name: lname}] = true
	return nil
}

// scalarSources are the scalar functions PostgreSQL lets a FROM clause
// read as a one-row table (Grafana's FROM string_to_array(…) s); DuckDB
// has no table function of the name, so the call becomes a subquery.
var scalarSources = map[string]bool{"string_to_array": true}

// scalarSource records a scalar function used as a FROM item.
func (c *checker) scalarSource(v map[string]any) bool {
	fn, _ := v["function"].(map[string]any)
	name := strings.ToLower(str(fn, "function_name"))
	schema := strings.ToLower(str(fn, "schema"))
	loc, ok := v["query_location"].(float64)
	if !scalarSources[name] || (schema != "" && schema != "pg_catalog") || str(fn, "catalog") != "" || !ok || loc < 0 || loc > 1e15 {
		return false
	}
	col := name
	if names, _ := v["column_name_alias"].([]any); len(names) == 1 {
		col, _ = names[0].(string)
	} else if alias := str(v, "alias"); alias != "" {
		col = alias
	}
	c.sources = append(c.sources, tableRewrite{loc: int(loc), repl: col})
	return true
}

// tableFunction checks a table function call against the allow-list.
func (c *checker) tableFunction(v map[string]any) error {
	fn, _ := v["function"].(map[string]any)
	name := strings.ToLower(str(fn, "function_name"))
	schema := strings.ToLower(str(fn, "schema"))
	if (schema != "" && schema != "pg_catalog") || str(fn, "catalog") != "" || !allowedTableFunctions[name] {
		return sqlstate.New(sqlstate.InsufficientPrivilege, "table function %s is not allowed through meshgate", name).
			WithHint("Data products are read by address (e.g. SELECT * FROM sales.orders); file and catalog table functions would bypass their policies.")
	}
	return nil
}

// function refuses scalar, aggregate and window functions qualified with
// a catalog or with one of the engine's own schemas (system.main.…,
// memory.main.…, temp.…): they reach the engine's functions, not the client
// catalog's. Other qualifiers are PostgreSQL's schemas (folded by the
// rewrite), the main schema DuckDB's parser itself writes ([1, 2] is
// main.list_value), or a column in DuckDB's method-call syntax (x.upper());
// the engine's plan verification refuses DuckDB's internal functions
// however they are reached.
func (c *checker) function(v map[string]any) error {
	name := strings.ToLower(str(v, "function_name"))
	cat, schema := str(v, "catalog"), strings.ToLower(str(v, "schema"))
	internal := cat != "" || strings.HasPrefix(schema, "sess_") || strings.HasPrefix(schema, "mg$") || strings.HasPrefix(schema, "port_")
	switch schema {
	case "system", "memory", "temp", "pg_temp", "ports", "mg_secret", "mg_audit":
		internal = true
	}
	if !internal {
		return nil
	}
	return sqlstate.New(sqlstate.InsufficientPrivilege, "function %s cannot be called with that qualifier through meshgate", name).
		WithHint("Call functions unqualified or qualified with pg_catalog, e.g. pg_catalog.%s(…).", name)
}
