package planner

import (
	"strings"

	"github.com/meshgate/meshgate/internal/sqlquote"
	"github.com/meshgate/meshgate/sqlstate"
)

// A * over a join USING (u) lists, in PostgreSQL, the USING columns first,
// then the left side's other columns, then the right side's; DuckDB keeps
// the left side's order (u where the left side has it). The checker
// rewrites such a * to "u", * EXCLUDE ("u"), which DuckDB expands in
// PostgreSQL's order. A * over a NATURAL join (whose common columns only
// the catalog knows) or over more than one USING join is 0A000: its
// columns would come in another order than PostgreSQL's.

// usingStar inspects a SELECT node: for each unqualified * of its select
// list over a USING join it records the rewrite of the *, at its offset.
func (c *checker) usingStar(node map[string]any) error {
	from := mapOf(node["from_table"])
	if !hasUsingJoin(from) {
		return nil
	}
	for _, e := range asList(node["select_list"]) {
		m := mapOf(e)
		if str(m, "class") != "STAR" || str(m, "relation_name") != "" || !isPlainStar(m) {
			continue
		}
		using := asList(from["using_columns"])
		loc, ok := m["query_location"].(float64)
		if str(from, "type") != "JOIN" || str(from, "ref_type") == "NATURAL" || len(using) == 0 ||
			hasUsingJoin(mapOf(from["left"])) || hasUsingJoin(mapOf(from["right"])) || !ok || loc < 0 || loc > 1e15 {
			return sqlstate.New(sqlstate.FeatureNotSupported,
				"SELECT * over a NATURAL join or over several USING joins is not supported: its columns would come in another order than in PostgreSQL").
				WithHint("Name the columns, or write the USING columns and then t.* for each side.")
		}
		names := make([]string, len(using))
		for i, u := range using {
			s, _ := u.(string)
			names[i] = sqlquote.Ident(strings.ToLower(s))
		}
		list := strings.Join(names, ", ")
		c.stars = append(c.stars, tableRewrite{loc: int(loc), repl: list + ", * EXCLUDE (" + list + ")"})
	}
	return nil
}

// hasUsingJoin reports whether a FROM item is or holds (outside
// subqueries) a NATURAL join or a join with USING columns.
func hasUsingJoin(ref map[string]any) bool {
	if str(ref, "type") != "JOIN" {
		return false
	}
	if str(ref, "ref_type") == "NATURAL" || len(asList(ref["using_columns"])) > 0 {
		return true
	}
	return hasUsingJoin(mapOf(ref["left"])) || hasUsingJoin(mapOf(ref["right"]))
}

// starEdit replaces the * at byte offset loc.
func starEdit(sql string, loc int, repl string) (edit, bool) {
	if loc < 0 || loc >= len(sql) || sql[loc] != '*' {
		return edit{}, false
	}
	return edit{loc, loc + 1, repl}, true
}
