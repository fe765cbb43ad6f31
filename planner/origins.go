package planner

import (
	"strings"

	"github.com/meshgate/meshgate/planner/catalog"
)

// The origins of a statement's result columns: which product or catalog
// column each select-list entry reads, where that is plain to see, also
// through subqueries and CTEs (pgjdbc's getColumns reads pg_attribute
// through a subquery, asyncpg's type introspection through a recursive
// CTE). They only describe columns (type OIDs, table OIDs); they never
// decide what a statement may read.

// relation is what a FROM item offers to the select list above it: a
// product or catalog relation (addr), or the columns of a subquery or CTE
// (sub).
type relation struct {
	addr catalog.Address
	sub  *derived
}

// derived are the result columns of a subquery or CTE: names[i] ("" when
// it cannot tell) and origins[i] (nil when it cannot tell). star is its one
// * entry over a single relation, which explains the columns it does not
// name (nil when it has none or several).
type derived struct {
	names   []string
	origins []*Origin
	star    *Origin
	stars   int
}

// column is the origin of the derived relation's column name.
func (d *derived) column(name string) *Origin {
	for i, n := range d.names {
		if n == name {
			return d.origins[i]
		}
	}
	if d.star != nil && d.stars == 1 {
		return &Origin{Product: d.star.Product, Column: name}
	}
	return nil
}

// column is the origin of column name of the relation.
func (r relation) column(name string) *Origin {
	if r.sub != nil {
		return r.sub.column(name)
	}
	if r.addr == (catalog.Address{}) {
		return nil
	}
	return &Origin{Product: r.addr, Column: name}
}

type originScope struct {
	resolve func(schema, table string) (catalog.Address, bool)
	ctes    map[string]*derived
}

// origins maps each select-list entry of the statement's top SELECT to the
// column it reads, where that is plain to see: a column reference
// (qualified by a table or alias of the FROM clause, or unqualified with a
// single table) or a * over a single table, a subquery or a CTE. A * of a
// subquery stands for its entries, one Origin each. nil where it cannot
// tell; the list ends early where a * of unknown width makes the
// positions after it unknown.
func origins(stmt any, resolve func(schema, table string) (catalog.Address, bool)) []*Origin {
	sc := &originScope{resolve: resolve, ctes: map[string]*derived{}}
	d := sc.node(mapOf(mapOf(stmt)["node"]))
	if d == nil {
		return nil
	}
	return d.origins
}

// node returns the derived columns of a query node (nil unless a SELECT).
func (sc *originScope) node(node map[string]any) *derived {
	if node == nil || str(node, "type") != "SELECT_NODE" {
		return nil
	}
	outer := sc.ctes
	if entries := asList(mapOf(node["cte_map"])["map"]); len(entries) > 0 {
		sc.ctes = map[string]*derived{}
		for k, v := range outer {
			sc.ctes[k] = v
		}
		defer func() { sc.ctes = outer }()
		for _, e := range entries {
			em := mapOf(e)
			name := strings.ToLower(str(em, "key"))
			cte := mapOf(em["value"])
			// A recursive CTE's columns are its first (anchor) part's.
			q := mapOf(mapOf(cte["query"])["node"])
			if str(q, "type") == "RECURSIVE_CTE_NODE" {
				q = mapOf(q["left"])
			}
			d := sc.node(q)
			if d == nil {
				delete(sc.ctes, name)
				continue
			}
			sc.ctes[name] = d.renamed(asList(cte["aliases"]))
		}
	}
	tables := map[string]relation{}
	var all []relation
	var collect func(ref map[string]any)
	collect = func(ref map[string]any) {
		switch str(ref, "type") {
		case "BASE_TABLE":
			schema, table := strings.ToLower(str(ref, "schema_name")), strings.ToLower(str(ref, "table_name"))
			var r relation
			if d, ok := sc.ctes[table]; ok && schema == "" {
				r.sub = d.renamed(asList(ref["column_name_alias"]))
			} else if a, ok := sc.resolve(schema, table); ok && len(asList(ref["column_name_alias"])) == 0 {
				r.addr = a
			}
			all = append(all, r)
			name := strings.ToLower(str(ref, "alias"))
			if name == "" {
				name = table
			}
			tables[name] = r
		case "SUBQUERY":
			var r relation
			if d := sc.node(mapOf(mapOf(ref["subquery"])["node"])); d != nil {
				r.sub = d.renamed(asList(ref["column_name_alias"]))
			}
			all = append(all, r)
			if name := strings.ToLower(str(ref, "alias")); name != "" {
				tables[name] = r
			}
		case "JOIN":
			collect(mapOf(ref["left"]))
			collect(mapOf(ref["right"]))
		case "EMPTY":
		default:
			all = append(all, relation{})
		}
	}
	collect(mapOf(node["from_table"]))
	out := &derived{}
	add := func(name string, o *Origin) {
		out.names = append(out.names, name)
		out.origins = append(out.origins, o)
	}
	for _, e := range asList(node["select_list"]) {
		m := mapOf(e)
		alias := entryName(m)
		switch str(m, "class") {
		case "COLUMN_REF":
			var names []string
			for _, p := range asList(m["column_names"]) {
				s, _ := p.(string)
				names = append(names, strings.ToLower(s))
			}
			var o *Origin
			switch {
			case len(names) == 1 && len(all) == 0: // session_user, current_catalog: SQL's value functions
				o = &Origin{Function: names[0]}
			case len(names) == 1 && len(all) == 1:
				o = all[0].column(names[0])
			case len(names) == 2:
				if r, ok := tables[names[0]]; ok {
					o = r.column(names[1])
				}
			case len(names) == 3 && (names[0] == "pg_catalog" || names[0] == "information_schema"): // pg_catalog.pg_class.relname
				if r, ok := tables[names[1]]; ok && r.addr.Domain == names[0] {
					o = r.column(names[2])
				}
			}
			add(alias, o)
		case "FUNCTION":
			add(alias, &Origin{Function: strings.ToLower(str(m, "function_name"))})
		case "CONSTANT":
			var o *Origin
			if v := mapOf(m["value"]); v != nil {
				if isNull, _ := v["is_null"].(bool); isNull {
					o = &Origin{Null: true}
				}
			}
			add(alias, o)
		case "STAR":
			plain := isPlainStar(m)
			var r relation
			ok := false
			if rel := strings.ToLower(str(m, "relation_name")); rel != "" {
				r, ok = tables[rel]
			} else if len(all) == 1 {
				r, ok = all[0], true
			}
			switch {
			case !plain || !ok:
				return out.opaque()
			case r.sub != nil:
				for i, o := range r.sub.origins {
					if o != nil && o.Opaque {
						return out.opaque()
					}
					add(r.sub.names[i], o)
				}
				out.star, out.stars = r.sub.star, out.stars+r.sub.stars
			case r.addr != (catalog.Address{}):
				st := &Origin{Product: r.addr, Star: true}
				add("", st)
				out.star, out.stars = st, out.stars+1
			default:
				return out.opaque()
			}
		default:
			add(alias, nil)
		}
	}
	return out
}

// isPlainStar reports whether a STAR entry is a bare * (or t.*): no
// EXCLUDE, REPLACE, RENAME, COLUMNS(…) or expression of DuckDB's.
func isPlainStar(m map[string]any) bool {
	if columns, _ := m["columns"].(bool); columns {
		return false
	}
	return len(asList(m["exclude_list"])) == 0 && len(asList(m["replace_list"])) == 0 &&
		len(asList(m["qualified_exclude_list"])) == 0 && len(asList(m["rename_list"])) == 0 && m["expr"] == nil
}

// entryName is the name a select-list entry gives its column, as far as
// the entry shows it: its alias, else a column reference's column ("" for
// other unaliased entries).
func entryName(m map[string]any) string {
	if alias := str(m, "alias"); alias != "" {
		return strings.ToLower(alias)
	}
	if str(m, "class") == "COLUMN_REF" {
		if parts := asList(m["column_names"]); len(parts) > 0 {
			s, _ := parts[len(parts)-1].(string)
			return strings.ToLower(s)
		}
	}
	return ""
}

// opaque ends the derived columns at a * whose width is not known: the
// columns before it keep their origins; a name it could explain is nil.
func (d *derived) opaque() *derived {
	d.star, d.stars = nil, 2
	d.names = append(d.names, "")
	d.origins = append(d.origins, &Origin{Opaque: true})
	return d
}

// renamed applies a column alias list (AS t(a, b)) to the first columns.
func (d *derived) renamed(aliases []any) *derived {
	if len(aliases) == 0 {
		return d
	}
	if d.stars > 0 {
		// Past a * the positions of the aliases are not known here.
		return (&derived{}).opaque()
	}
	out := &derived{names: append([]string(nil), d.names...), origins: d.origins}
	for i, a := range aliases {
		s, _ := a.(string)
		if i < len(out.names) {
			out.names[i] = strings.ToLower(s)
		}
	}
	return out
}
