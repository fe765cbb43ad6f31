package gateway

import (
	"github.com/meshgate/meshgate/gateway/pgwire"
	"github.com/meshgate/meshgate/planner"
	"github.com/meshgate/meshgate/sqlstate"
)

// savepoint is one SAVEPOINT of a transaction block: what ROLLBACK TO
// restores. meshgate writes nothing, so a savepoint holds only session
// state: the settings (SET and SET LOCAL made after it are undone, as in
// PostgreSQL) and the cursors (those declared after it are closed).
type savepoint struct {
	name       string
	values     map[string]string
	localSaved map[string]string
	cursors    map[string]bool
}

// execSavepoint answers SAVEPOINT, RELEASE [SAVEPOINT] and ROLLBACK TO
// [SAVEPOINT] with PostgreSQL's tags and errors: outside a block each is
// 25P01; a missing name is 3B001; in a failed block only ROLLBACK TO runs
// (the session refuses the others with 25P02 before they get here) and it
// ends the failure.
func (s *session) execSavepoint(cl *planner.Statement) (*pgwire.Result, error) {
	if s.tx == txIdle {
		verb := map[planner.Kind]string{planner.KindSavepoint: "SAVEPOINT", planner.KindRelease: "RELEASE SAVEPOINT",
			planner.KindRollbackTo: "ROLLBACK TO SAVEPOINT"}[cl.Kind]
		return nil, sqlstate.New(sqlstate.NoActiveTransaction, "%s can only be used in transaction blocks", verb)
	}
	if cl.Kind == planner.KindSavepoint {
		sp := savepoint{name: cl.Name, values: copyMap(s.values), localSaved: copyMap(s.localSaved), cursors: map[string]bool{}}
		for name := range s.cursors {
			sp.cursors[name] = true
		}
		s.savepoints = append(s.savepoints, sp)
		return &pgwire.Result{Command: "SAVEPOINT"}, nil
	}
	i := len(s.savepoints) - 1
	for i >= 0 && s.savepoints[i].name != cl.Name {
		i--
	}
	if i < 0 {
		return nil, sqlstate.New(sqlstate.InvalidSavepointSpecification, "savepoint %q does not exist", cl.Name)
	}
	if cl.Kind == planner.KindRelease {
		// The changes made since are kept, now part of the enclosing level.
		s.savepoints = s.savepoints[:i]
		return &pgwire.Result{Command: "RELEASE"}, nil
	}
	// ROLLBACK TO keeps the savepoint itself and drops the later ones.
	sp := s.savepoints[i]
	s.savepoints = s.savepoints[:i+1]
	changed := s.restore(sp.values)
	for name := range s.values {
		if _, was := sp.values[name]; !was {
			delete(s.values, name) // a custom setting first SET after the savepoint
		}
	}
	s.localSaved = copyMap(sp.localSaved)
	for name := range s.cursors {
		if !sp.cursors[name] {
			s.closeCursor(name)
		}
	}
	s.tx = txBlock
	return &pgwire.Result{Command: "ROLLBACK", Changed: changed}, nil
}
