package engine

import (
	"fmt"
	"strings"

	"github.com/meshgate/meshgate/internal/sqlquote"
	"github.com/meshgate/meshgate/planner/catalog"
)

// createCatalog runs pre, then creates the session's live tables, setup,
// and the schemas and views of its products (recorded in s.views and
// s.shadow), on the admin connection (e.adminM held).
//
// Each product view is `SELECT * FROM "mg$pK"`, resolved through the
// caller's search path to the policy-shaped view in mg$real (when a
// statement executes) or to its empty shadow table in mg$shadow (when it is
// verified; see plan.go). The shadow table has the policy view's columns
// and types, described once per distinct view definition (shadowColumns).
func (s *Session) createCatalog(pre []string, views []View, setup []string) error {
	e := s.e
	// setup first: views may call functions that read the session's
	// client catalog, and DuckDB binds a view when it is created.
	stmts := append(append(pre, e.liveStatements(s.catalog, views)...), setup...)
	real, shadow := s.catalog+"."+sqlquote.Ident(realSchema), s.catalog+"."+sqlquote.Ident(shadowSchema)
	stmts = append(stmts, "CREATE SCHEMA "+real, "CREATE SCHEMA "+shadow)
	inner := make([]string, len(views))
	for i, v := range views {
		inner[i] = fmt.Sprintf("mg$p%d", i)
		stmts = append(stmts, fmt.Sprintf("CREATE VIEW %s.%s AS %s", real, sqlquote.Ident(inner[i]), v.SQL))
	}
	if err := execOn(e.admin, strings.Join(stmts, ";\n")); err != nil {
		return err
	}
	// The shadow tables, then the product views bound over them (cheap:
	// binding a policy view would bind its port again).
	stmts = []string{"SET search_path = " + sqlquote.Literal(shadow+","+s.catalog+".main,memory.main")}
	domains := map[string]bool{}
	views2 := map[catalog.Address]bool{}
	shadows := map[string]catalog.Address{}
	for i, v := range views {
		cols, err := e.shadowColumns(s.catalog, v.SQL, real+"."+sqlquote.Ident(inner[i]))
		if err != nil {
			_ = execOn(e.admin, "SET search_path = 'memory.main'")
			return err
		}
		if !domains[v.Address.Domain] {
			domains[v.Address.Domain] = true
			stmts = append(stmts, fmt.Sprintf("CREATE SCHEMA %s.%s", s.catalog, sqlquote.Ident(v.Address.Domain)))
		}
		stmts = append(stmts,
			fmt.Sprintf("CREATE TABLE %s.%s (%s)", shadow, sqlquote.Ident(inner[i]), cols),
			fmt.Sprintf("CREATE VIEW %s.%s.%s AS SELECT * FROM %s", s.catalog, sqlquote.Ident(v.Address.Domain), sqlquote.Ident(v.Address.Name), sqlquote.Ident(inner[i])))
		views2[v.Address] = true
		shadows[inner[i]] = v.Address
	}
	if !domains["public"] {
		// An empty public schema, as clients expect one (current_schema()
		// with PostgreSQL's default search path is public).
		stmts = append(stmts, fmt.Sprintf("CREATE SCHEMA IF NOT EXISTS %s.public", s.catalog))
	}
	err := execOn(e.admin, strings.Join(stmts, ";\n"))
	if rerr := execOn(e.admin, "SET search_path = 'memory.main'"); err == nil {
		err = rerr
	}
	if err != nil {
		return err
	}
	s.views, s.shadow = views2, shadows
	return nil
}

// shadowColumns returns the column definitions of a policy view ("name
// TYPE, …"), described on the admin connection the first time a
// definition is seen (definitions differ by session only in the catalog's
// name, which the cache key leaves out).
func (e *Engine) shadowColumns(cat, viewSQL, view string) (string, error) {
	key := strings.ReplaceAll(viewSQL, cat+".", "\x00.")
	if cols, ok := e.shadowCols.Get(key); ok {
		return cols, nil
	}
	rows, err := queryStringsOn(e.admin, "DESCRIBE "+view, 2)
	if err != nil {
		return "", err
	}
	if len(rows) == 0 {
		return "", fmt.Errorf("engine: product view %s has no columns", view)
	}
	defs := make([]string, len(rows))
	for i, r := range rows {
		defs[i] = sqlquote.Ident(r[0]) + " " + r[1]
	}
	cols := strings.Join(defs, ", ")
	e.shadowCols.Add(key, cols)
	return cols, nil
}
