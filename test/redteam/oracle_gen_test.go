package redteam

// The differential oracle's query generator: seeded random SQL over the
// demo products — joins on keys, LATERAL, CTEs (backward and forward
// references, WITH RECURSIVE with and without UNION), scalar, IN, EXISTS
// and correlated subqueries, set operations, window functions,
// aggregates, quoted and case-folded names. Every output column is cast
// to STRING (DuckDB's text form, which meshgate leaves as is), so meshgate's text answer and DuckDB's compare as text.
//
// A small share of the queries is hostile: a CTE forward reference or a
// self-reference without UNION naming a port file or a DuckDB system view.
// On plain DuckDB (external access disabled, no port files, no meshgate
// internals) those fail or answer something else; meshgate must refuse
// them.

import (
	"fmt"
	"math/rand"
	"strings"
)

// Column classes.
const (
	cNum  = 'n' // integers
	cDec  = 'd' // decimals, doubles
	cText = 't'
	cDate = 'D'
	cTS   = 'T'
	cBool = 'b'
	cList = 'l'
	cUUID = 'u'
)

type gcol struct {
	name string
	cls  byte
}

// gtable is a product as a user sees it.
type gtable struct {
	schema, name string
	cols         []gcol
}

// rel is a FROM item in scope: its alias, its columns and the column it is
// unique on ("" when unknown), so joins stay bounded.
type rel struct {
	alias string
	cols  []gcol
	pk    string
	small bool // few rows: may be cross joined
}

// cte is a WITH entry visible to later parts.
type cte struct {
	name  string // as referenced
	cols  []gcol
	small bool
}

type gen struct {
	r      *rand.Rand
	tables []gtable
	n      int
}

func classOf(duckType string) byte {
	t := strings.ToUpper(duckType)
	switch {
	case strings.HasSuffix(t, "[]"):
		return cList
	case strings.HasPrefix(t, "DECIMAL"), t == "DOUBLE", t == "FLOAT":
		return cDec
	case strings.Contains(t, "INT"):
		return cNum
	case t == "DATE":
		return cDate
	case strings.HasPrefix(t, "TIMESTAMP"):
		return cTS
	case t == "BOOLEAN":
		return cBool
	case t == "UUID":
		return cUUID
	}
	return cText
}

func (g *gen) p(x float64) bool { return g.r.Float64() < x }
func (g *gen) pick(n int) int   { return g.r.Intn(n) }
func (g *gen) alias() string    { g.n++; return fmt.Sprintf("t%d", g.n) }

// query is one top-level statement.
func (g *gen) query() string {
	var with string
	var ctes []cte
	if g.p(0.4) {
		with, ctes = g.with()
	}
	ncols := 1 + g.pick(3)
	body := g.setExpr(ctes, ncols)
	if g.p(0.3) {
		var ord []string
		for i := 1; i <= ncols; i++ {
			ord = append(ord, fmt.Sprint(i))
		}
		body += " ORDER BY " + strings.Join(ord, ", ")
		if g.p(0.5) {
			body += fmt.Sprintf(" LIMIT %d", 1+g.pick(20))
		}
	}
	return with + body
}

// setExpr is one select, or a set operation of two.
func (g *gen) setExpr(ctes []cte, ncols int) string {
	left := g.core(ctes, ncols, true, 0)
	if !g.p(0.2) {
		return left
	}
	op := []string{"UNION", "UNION ALL", "INTERSECT", "EXCEPT"}[g.pick(4)]
	return "(" + left + ") " + op + " (" + g.core(ctes, ncols, true, 0) + ")"
}

var hostileNames = []struct {
	name string
	cols []gcol
}{
	{"testdata/mesh/sales/data/customers.csv", []gcol{{"customer_id", cNum}, {"name", cText}, {"email", cText}, {"country_code", cText}}},
	{"testdata/mesh/supply/data/shipments.json", []gcol{{"shipment_id", cNum}, {"carrier", cText}}},
	{"duckdb_views", []gcol{{"schema_name", cText}, {"view_name", cText}, {"sql", cText}}},
	{"duckdb_databases", []gcol{{"database_name", cText}}},
	{"duckdb_tables", []gcol{{"schema_name", cText}, {"table_name", cText}}},
	{"sqlite_master", []gcol{{"name", cText}, {"sql", cText}}},
}

// with returns a WITH clause and the CTEs it defines.
func (g *gen) with() (string, []cte) {
	var parts []string
	var ctes []cte
	recursive := false
	n := 1 + g.pick(3)
	for i := 0; i < n; i++ {
		name := []string{"c%d", "cte_%d", `"Cte%d"`, "customers%d"}[g.pick(4)]
		name = fmt.Sprintf(name, i+1)
		switch {
		case g.p(0.04): // hostile forward reference
			h := hostileNames[g.pick(len(hostileNames))]
			parts = append(parts, fmt.Sprintf(`%s AS (SELECT %s FROM "%s"), "%s" AS (SELECT 1 AS x)`, name, colList(h.cols), h.name, h.name))
			ctes = append(ctes, cte{name: name, cols: h.cols})
		case g.p(0.03): // hostile self-reference without UNION
			h := hostileNames[g.pick(len(hostileNames))]
			recursive = true
			parts = append(parts, fmt.Sprintf(`"%s" AS (SELECT * FROM "%s")`, h.name, h.name))
			ctes = append(ctes, cte{name: `"` + h.name + `"`, cols: h.cols})
		case g.p(0.04): // forward reference to a later CTE (DuckDB binds it to a relation of that name: none here)
			parts = append(parts, fmt.Sprintf("%s AS (SELECT * FROM later_%d)", name, i))
			ctes = append(ctes, cte{name: name, cols: []gcol{{"x", cNum}}})
		case g.p(0.2): // recursive, with UNION
			recursive = true
			parts = append(parts, fmt.Sprintf("%s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM %s WHERE n < %d)", name, name, 2+g.pick(6)))
			ctes = append(ctes, cte{name: name, cols: []gcol{{"n", cNum}}, small: true})
		default:
			cols, body := g.coreCols(ctes, 1+g.pick(3), 1)
			mat := []string{"", "", "MATERIALIZED ", "NOT MATERIALIZED "}[g.pick(4)]
			parts = append(parts, fmt.Sprintf("%s AS %s(%s)", name, mat, body))
			ctes = append(ctes, cte{name: name, cols: cols})
		}
	}
	kw := "WITH "
	if recursive || g.p(0.15) {
		kw = "WITH RECURSIVE "
	}
	return kw + strings.Join(parts, ", ") + " ", ctes
}

func colList(cs []gcol) string {
	var out []string
	for _, c := range cs {
		out = append(out, c.name)
	}
	return strings.Join(out, ", ")
}

// core is a SELECT with ncols output columns, cast to STRING when cast.
func (g *gen) core(ctes []cte, ncols int, cast bool, depth int) string {
	_, s := g.coreSel(ctes, ncols, cast, depth)
	return s
}

// coreCols is a SELECT whose output columns keep their types (CTE and
// derived-table bodies).
func (g *gen) coreCols(ctes []cte, ncols int, depth int) ([]gcol, string) {
	return g.coreSel(ctes, ncols, false, depth)
}

func (g *gen) coreSel(ctes []cte, ncols int, cast bool, depth int) ([]gcol, string) {
	from, scope := g.from(ctes, depth)
	where := g.where(scope, depth)
	var outs []string
	var cols []gcol
	add := func(e string, cls byte) {
		name := fmt.Sprintf("o%d", len(outs)+1)
		if cast {
			e = "CAST(" + e + " AS STRING)"
			cls = cText
		}
		outs = append(outs, e+" AS "+name)
		cols = append(cols, gcol{name, cls})
	}
	tail := ""
	if g.p(0.35) { // aggregate
		var groups []string
		for i := 0; i < g.pick(3) && len(outs) < ncols; i++ {
			c, r := g.colOf(scope, func(c gcol) bool { return c.cls != cList })
			if c == nil {
				break
			}
			ref := g.ref(r, c)
			groups = append(groups, ref)
			add(ref, c.cls)
		}
		for len(outs) < ncols {
			e, cls := g.agg(scope)
			add(e, cls)
		}
		if len(groups) > 0 {
			tail = " GROUP BY " + strings.Join(groups, ", ")
			if g.p(0.3) {
				tail += fmt.Sprintf(" HAVING count(*) > %d", g.pick(3))
			}
		}
	} else {
		for len(outs) < ncols {
			e, cls := g.expr(scope, depth)
			add(e, cls)
		}
	}
	distinct := ""
	if g.p(0.1) {
		distinct = "DISTINCT "
	}
	return cols, "SELECT " + distinct + strings.Join(outs, ", ") + " FROM " + from + where + tail
}

// tableName spells a product's name (quoted, case-folded).
func (g *gen) tableName(t gtable) string {
	switch g.pick(5) {
	case 0:
		return fmt.Sprintf(`"%s"."%s"`, t.schema, t.name)
	case 1:
		return strings.ToUpper(t.schema + "." + t.name)
	case 2:
		return fmt.Sprintf(`%s."%s"`, t.schema, t.name)
	}
	return t.schema + "." + t.name
}

// item is one FROM item: a product, a CTE or a derived table.
func (g *gen) item(ctes []cte, depth int) (string, rel) {
	a := g.alias()
	if len(ctes) > 0 && g.p(0.4) {
		c := ctes[g.pick(len(ctes))]
		return c.name + " AS " + a, rel{alias: a, cols: c.cols, small: c.small}
	}
	if depth < 2 && g.p(0.12) {
		cols, body := g.coreCols(ctes, 1+g.pick(3), depth+1)
		return "(" + body + ") AS " + a, rel{alias: a, cols: cols}
	}
	t := g.tables[g.pick(len(g.tables))]
	small := t.name == "countries" || t.name == "regions"
	return g.tableName(t) + " AS " + a, rel{alias: a, cols: t.cols, pk: t.cols[0].name, small: small}
}

// from builds a FROM clause of up to three items joined on keys.
func (g *gen) from(ctes []cte, depth int) (string, []rel) {
	s, r := g.item(ctes, depth)
	scope := []rel{r}
	for j := 0; j < g.pick(3); j++ {
		if g.p(0.15) {
			if l, lr, ok := g.lateral(scope); ok {
				s += ", " + l
				scope = append(scope, lr)
				continue
			}
		}
		is, ir := g.item(ctes, depth)
		on := g.joinOn(scope, ir)
		switch {
		case on != "":
			kind := []string{"JOIN", "JOIN", "LEFT JOIN", "RIGHT JOIN", "FULL JOIN"}[g.pick(5)]
			s += " " + kind + " " + is + " ON " + on
		case ir.small && len(scope) == 1 && scope[0].small:
			s += " CROSS JOIN " + is
		default:
			continue
		}
		scope = append(scope, ir)
	}
	return s, scope
}

// joinOn finds a key equality between the scope and r, one side unique on it.
func (g *gen) joinOn(scope []rel, r rel) string {
	for _, s := range scope {
		for _, c := range r.cols {
			if !strings.HasSuffix(c.name, "_id") && !strings.HasSuffix(c.name, "_code") {
				continue
			}
			for _, d := range s.cols {
				if d.name == c.name && d.cls == c.cls && (r.pk == c.name || s.pk == c.name) {
					return g.ref(s, &d) + " = " + g.ref(r, &c)
				}
			}
		}
	}
	return ""
}

// lateral is a correlated LATERAL subquery over a product sharing a key.
func (g *gen) lateral(scope []rel) (string, rel, bool) {
	for tries := 0; tries < 4; tries++ {
		t := g.tables[g.pick(len(g.tables))]
		for _, c := range t.cols {
			if !strings.HasSuffix(c.name, "_id") && !strings.HasSuffix(c.name, "_code") {
				continue
			}
			for _, s := range scope {
				for _, d := range s.cols {
					if d.name == c.name && d.cls == c.cls {
						x, a := g.alias(), g.alias()
						m := t.cols[g.pick(len(t.cols))]
						if m.cls == cList {
							m = t.cols[0]
						}
						q := fmt.Sprintf("LATERAL (SELECT count(*) AS n, max(%s.%s) AS m FROM %s AS %s WHERE %s.%s = %s) AS %s",
							x, m.name, g.tableName(t), x, x, c.name, g.ref(s, &d), a)
						return q, rel{alias: a, cols: []gcol{{"n", cNum}, {"m", m.cls}}}, true
					}
				}
			}
		}
	}
	return "", rel{}, false
}

// ref spells a column reference, qualified by its alias.
func (g *gen) ref(r rel, c *gcol) string {
	switch g.pick(6) {
	case 0:
		return fmt.Sprintf(`%s."%s"`, r.alias, c.name)
	case 1:
		return strings.ToUpper(r.alias + "." + c.name)
	}
	return r.alias + "." + c.name
}

// colOf picks a column of the scope that satisfies ok.
func (g *gen) colOf(scope []rel, ok func(gcol) bool) (*gcol, rel) {
	for tries := 0; tries < 12; tries++ {
		r := scope[g.pick(len(scope))]
		c := r.cols[g.pick(len(r.cols))]
		if ok(c) {
			return &c, r
		}
	}
	return nil, rel{}
}

func any_(gcol) bool { return true }

var countryCodes = []string{"DE", "FR", "US", "GB", "IT", "ES", "KE", "CA", "JP", "BR", "NG", "IN", "PL"}

// literal is a constant comparable with class cls.
func (g *gen) literal(cls byte) string {
	switch cls {
	case cNum:
		return fmt.Sprint(g.pick(60))
	case cDec:
		return fmt.Sprintf("%d.5", g.pick(200))
	case cDate:
		return fmt.Sprintf("DATE '20%02d-%02d-01'", 21+g.pick(4), 1+g.pick(12))
	case cTS:
		return fmt.Sprintf("TIMESTAMP '20%02d-%02d-01 00:00:00'", 22+g.pick(3), 1+g.pick(12))
	case cBool:
		return []string{"true", "false"}[g.pick(2)]
	}
	return "'" + countryCodes[g.pick(len(countryCodes))] + "'"
}

// pred is one predicate over the scope.
func (g *gen) pred(scope []rel, depth int) string {
	c, r := g.colOf(scope, any_)
	if c == nil {
		return "true"
	}
	ref := g.ref(r, c)
	if depth < 2 && g.p(0.25) {
		if s := g.subPred(scope, r, c, ref, depth); s != "" {
			return s
		}
	}
	switch {
	case g.p(0.15):
		return ref + []string{" IS NULL", " IS NOT NULL"}[g.pick(2)]
	case c.cls == cList:
		return fmt.Sprintf("len(%s) > %d", ref, g.pick(4))
	case c.cls == cUUID:
		return ref + " IS NOT NULL"
	case c.cls == cBool:
		return []string{"", "NOT "}[g.pick(2)] + ref
	case c.cls == cText && g.p(0.4):
		return fmt.Sprintf("%s LIKE '%c%%'", ref, "ABCDEHKMNPSTXabcdex0"[g.pick(20)])
	case c.cls == cText && g.p(0.4):
		return fmt.Sprintf("%s IN (%s, %s, %s)", ref, g.literal(cText), g.literal(cText), g.literal(cText))
	}
	op := []string{"=", "<>", "<", ">", "<=", ">="}[g.pick(6)]
	return ref + " " + op + " " + g.literal(c.cls)
}

// subPred is IN, EXISTS or a scalar-subquery comparison over a product,
// correlated with the outer column when the product has the same key.
func (g *gen) subPred(scope []rel, r rel, c *gcol, ref string, depth int) string {
	t := g.tables[g.pick(len(g.tables))]
	x := g.alias()
	var same *gcol
	for i := range t.cols {
		if t.cols[i].name == c.name && t.cols[i].cls == c.cls {
			same = &t.cols[i]
		}
	}
	inner := ""
	if g.p(0.5) {
		inner = " AND " + g.pred([]rel{{alias: x, cols: t.cols}}, depth+1)
	}
	switch {
	case same != nil && c.cls != cList && g.p(0.5):
		not := []string{"", "NOT "}[g.pick(2)]
		return fmt.Sprintf("%s %sIN (SELECT %s.%s FROM %s AS %s WHERE true%s)", ref, not, x, same.name, g.tableName(t), x, inner)
	case same != nil && c.cls != cList:
		not := []string{"", "NOT "}[g.pick(2)]
		return fmt.Sprintf("%sEXISTS (SELECT 1 FROM %s AS %s WHERE %s.%s = %s%s)", not, g.tableName(t), x, x, same.name, ref, inner)
	case c.cls == cNum || c.cls == cDec:
		for _, d := range t.cols {
			if d.cls == cNum || d.cls == cDec {
				return fmt.Sprintf("%s > (SELECT avg(%s.%s) FROM %s AS %s WHERE true%s)", ref, x, d.name, g.tableName(t), x, inner)
			}
		}
	}
	return ""
}

// where is an optional WHERE clause.
func (g *gen) where(scope []rel, depth int) string {
	if !g.p(0.6) {
		return ""
	}
	w := g.pred(scope, depth)
	for i := 0; i < g.pick(3); i++ {
		w += []string{" AND ", " OR "}[g.pick(2)] + g.pred(scope, depth)
	}
	return " WHERE " + w
}

// expr is an output expression of a non-aggregate select.
func (g *gen) expr(scope []rel, depth int) (string, byte) {
	c, r := g.colOf(scope, any_)
	if c == nil {
		return "1", cNum
	}
	ref := g.ref(r, c)
	switch {
	case g.p(0.12):
		p, o := g.colOf(scope, func(c gcol) bool { return c.cls != cList })
		if p == nil {
			break
		}
		pr := g.ref(o, p)
		switch g.pick(4) {
		case 0:
			return fmt.Sprintf("count(*) OVER (PARTITION BY %s)", pr), cNum
		case 1:
			return fmt.Sprintf("rank() OVER (PARTITION BY %s ORDER BY %s)", pr, g.orderable(scope)), cNum
		case 2:
			return fmt.Sprintf("dense_rank() OVER (ORDER BY %s)", pr), cNum
		default:
			if c.cls == cNum || c.cls == cDec {
				return fmt.Sprintf("sum(%s) OVER (PARTITION BY %s)", ref, pr), cDec
			}
			return fmt.Sprintf("min(%s) OVER (PARTITION BY %s)", pr, pr), p.cls
		}
	case depth < 2 && g.p(0.08):
		t := g.tables[g.pick(len(g.tables))]
		x := g.alias()
		for _, d := range t.cols {
			if d.name == c.name && d.cls == c.cls && c.cls != cList {
				return fmt.Sprintf("(SELECT count(*) FROM %s AS %s WHERE %s.%s = %s)", g.tableName(t), x, x, d.name, ref), cNum
			}
		}
	case g.p(0.1):
		return fmt.Sprintf("CASE WHEN %s THEN 'yes' ELSE 'no' END", g.pred(scope, 2)), cText
	case g.p(0.3):
		switch c.cls {
		case cText:
			return fmt.Sprintf([]string{"upper(%s)", "lower(%s)", "substr(%s, 1, 3)", "%s || '-x'", "coalesce(%s, '?')"}[g.pick(5)], ref), cText
		case cNum:
			return fmt.Sprintf([]string{"%s + 1", "%s * 2", "abs(%s)"}[g.pick(3)], ref), cNum
		case cDec:
			return fmt.Sprintf("round(%s, 1)", ref), cDec
		case cDate:
			return fmt.Sprintf("date_part('year', %s)", ref), cNum
		case cTS:
			return fmt.Sprintf("date_trunc('month', %s)", ref), cTS
		case cList:
			return fmt.Sprintf([]string{"len(%s)", "%s[1]"}[g.pick(2)], ref), cText
		case cBool:
			return "NOT " + ref, cBool
		}
	}
	return ref, c.cls
}

// orderable is a column to order a window by.
func (g *gen) orderable(scope []rel) string {
	c, r := g.colOf(scope, func(c gcol) bool { return c.cls != cList })
	if c == nil {
		return "1"
	}
	return g.ref(r, c)
}

// agg is an aggregate over the scope.
func (g *gen) agg(scope []rel) (string, byte) {
	c, r := g.colOf(scope, func(c gcol) bool { return c.cls != cList })
	if c == nil || g.p(0.2) {
		return "count(*)", cNum
	}
	ref := g.ref(r, c)
	if (c.cls == cNum || c.cls == cDec) && g.p(0.5) {
		return []string{"sum(", "avg("}[g.pick(2)] + ref + ")", cDec
	}
	switch g.pick(4) {
	case 0:
		return "count(" + ref + ")", cNum
	case 1:
		return "count(DISTINCT " + ref + ")", cNum
	case 2:
		return "min(" + ref + ")", c.cls
	}
	return "max(" + ref + ")", c.cls
}
