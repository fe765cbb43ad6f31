package gateway

import (
	"github.com/meshgate/meshgate/planner/catalog"
	"github.com/meshgate/meshgate/sqlstate"
)

// scope is what the planner may resolve for one session.
type scope struct{ s *session }

func (sc scope) Lookup(domain, name string) error {
	a := catalog.Address{Domain: domain, Name: name}
	if sc.s.es.HasView(a) {
		return nil
	}
	return sqlstate.New(sqlstate.UndefinedTable, "relation %q does not exist", a.String()).
		WithHint("List the products you can query with \\dt *.* in psql or SELECT * FROM information_schema.tables.")
}

func (sc scope) SearchPath() []string { return sc.s.searchPath() }
