package planner_test

import (
	"testing"

	"github.com/meshgate/meshgate/planner"
	"github.com/meshgate/meshgate/sqlstate"
)

func TestClassifySessionCommands(t *testing.T) {
	for _, tc := range []struct {
		sql  string
		kind planner.Kind
		name string
	}{
		{"SAVEPOINT a", planner.KindSavepoint, "a"},
		{`SAVEPOINT "A b"`, planner.KindSavepoint, "A b"},
		{"RELEASE SAVEPOINT Sp1", planner.KindRelease, "sp1"},
		{"RELEASE sp1", planner.KindRelease, "sp1"},
		{"ROLLBACK TO SAVEPOINT x", planner.KindRollbackTo, "x"},
		{"ROLLBACK TO x", planner.KindRollbackTo, "x"},
		{"ROLLBACK WORK TO x", planner.KindRollbackTo, "x"},
		{"ROLLBACK TRANSACTION TO SAVEPOINT x", planner.KindRollbackTo, "x"},
		{"ROLLBACK", planner.KindRollback, ""},
		{"UNLISTEN *", planner.KindUnlisten, "*"},
		{"unlisten Chan", planner.KindUnlisten, "chan"},
	} {
		st, err := planner.Classify(tc.sql)
		if err != nil {
			t.Errorf("%s: %v", tc.sql, err)
			continue
		}
		if st.Kind != tc.kind || st.Name != tc.name {
			t.Errorf("%s: kind %d name %q, want %d %q", tc.sql, st.Kind, st.Name, tc.kind, tc.name)
		}
	}
	for _, tc := range []struct{ sql, code string }{
		{"SAVEPOINT", sqlstate.SyntaxError},
		{"SAVEPOINT a b", sqlstate.SyntaxError},
		{"RELEASE", sqlstate.SyntaxError},
		{"ROLLBACK TO", sqlstate.SyntaxError},
		{"ABORT TO x", sqlstate.SyntaxError},
		{"ROLLBACK AND CHAIN", sqlstate.FeatureNotSupported},
		{"UNLISTEN", sqlstate.SyntaxError},
		{"UNLISTEN a, b", sqlstate.SyntaxError},
		{"LISTEN a", sqlstate.FeatureNotSupported},
		{"NOTIFY a, 'x'", sqlstate.FeatureNotSupported},
	} {
		_, err := planner.Classify(tc.sql)
		if got := sqlstate.CodeOf(err); got != tc.code {
			t.Errorf("%s: %v, want %s", tc.sql, err, tc.code)
		}
	}
}
