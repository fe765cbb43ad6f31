package gateway

import (
	"regexp"
	"strconv"

	"github.com/meshgate/meshgate/gateway/pgcatalog"
	"github.com/meshgate/meshgate/planner/catalog"
	"github.com/meshgate/meshgate/sqlstate"
)

// scope is what the planner may resolve for one session.
type scope struct{ s *session }

// pinnedName matches a product address pinned to a major version.
var pinnedName = regexp.MustCompile(`^([a-z_][a-z0-9_]*)_v([0-9]+)$`)

func (sc scope) Lookup(domain, name string) error {
	a := catalog.Address{Domain: domain, Name: name}
	if sc.s.es.HasView(a) {
		return nil
	}
	if d, ok := sc.s.decisions[a]; ok && !d.Granted {
		return sqlstate.New(sqlstate.InsufficientPrivilege, "%s", d.Reason).
			WithHint("Ask the product's owner or a steward for a grant; meshgate explain-access %s %s shows which rules apply.", sc.s.user.Name, a)
	}
	if m := pinnedName.FindStringSubmatch(name); m != nil {
		base := catalog.Address{Domain: domain, Name: m[1]}
		if d, ok := sc.s.decisions[base]; ok && !d.Granted {
			return sqlstate.New(sqlstate.InsufficientPrivilege, "%s", d.Reason)
		}
		if p := sc.s.g.engine.Product(base); p != nil && sc.s.es.HasView(base) {
			want, _ := strconv.Atoi(m[2])
			return sqlstate.New(sqlstate.UndefinedTable, "product %s is at version %s, not major version %d", base, p.Version, want).
				WithDetail("The query pins %s; the product serves major version %d.", a, p.MajorVersion()).
				WithHint("Review the product's changes, then query %s or %s_v%d.", base, base, p.MajorVersion())
		}
	}
	return sqlstate.New(sqlstate.UndefinedTable, "relation %q does not exist", a.String()).
		WithHint("Qualify products with their domain (e.g. sales.orders), or SET search_path TO the domain.")
}

func (sc scope) SearchPath() []string { return sc.s.searchPath() }

func (sc scope) CatalogSchema(schema, name string) string {
	return pgcatalog.RelationSchema(schema, name)
}
