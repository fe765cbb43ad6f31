package planner_test

import (
	"strings"
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

func TestClassifyFetchDirections(t *testing.T) {
	for sql, want := range map[string]planner.FetchOptions{
		"FETCH c":                  {Dir: planner.FetchForward, Count: 1},
		"FETCH NEXT FROM c":        {Dir: planner.FetchForward, Count: 1},
		"FETCH 5 IN c":             {Dir: planner.FetchForward, Count: 5},
		"FETCH -5 IN c":            {Dir: planner.FetchBackward, Count: 5},
		"FETCH ALL c":              {Dir: planner.FetchForward, Count: -1},
		"FETCH FORWARD c":          {Dir: planner.FetchForward, Count: 1},
		"FETCH FORWARD 0 c":        {Dir: planner.FetchForward, Count: 0},
		"FETCH FORWARD -2 FROM c":  {Dir: planner.FetchBackward, Count: 2},
		"FETCH FORWARD ALL FROM c": {Dir: planner.FetchForward, Count: -1},
		"FETCH BACKWARD FROM c":    {Dir: planner.FetchBackward, Count: 1},
		"FETCH BACKWARD +3 FROM c": {Dir: planner.FetchBackward, Count: 3},
		"FETCH BACKWARD -3 FROM c": {Dir: planner.FetchForward, Count: 3},
		"FETCH BACKWARD ALL IN c":  {Dir: planner.FetchBackward, Count: -1},
		"FETCH PRIOR FROM c":       {Dir: planner.FetchBackward, Count: 1},
		"FETCH FIRST FROM c":       {Dir: planner.FetchAbsolute, Count: 1},
		"FETCH LAST FROM c":        {Dir: planner.FetchAbsolute, Count: -1},
		"FETCH ABSOLUTE -2 FROM c": {Dir: planner.FetchAbsolute, Count: -2},
		"FETCH RELATIVE 0 FROM c":  {Dir: planner.FetchRelative, Count: 0},
		"MOVE RELATIVE -1 IN c":    {Move: true, Dir: planner.FetchRelative, Count: -1},
	} {
		st, err := planner.Classify(sql)
		if err != nil {
			t.Errorf("%s: %v", sql, err)
			continue
		}
		if *st.Fetch != want || st.Name != "c" {
			t.Errorf("%s: %+v %q, want %+v", sql, *st.Fetch, st.Name, want)
		}
	}
	for _, sql := range []string{"FETCH ABSOLUTE FROM c", "FETCH 1.5 FROM c", "FETCH RELATIVE c", "FETCH FORWARD 2"} {
		if _, err := planner.Classify(sql); sqlstate.CodeOf(err) != sqlstate.SyntaxError {
			t.Errorf("%s: %v, want a syntax error", sql, err)
		}
	}
	st, err := planner.Classify("DECLARE c SCROLL CURSOR FOR SELECT 1")
	if err != nil || !st.Scroll {
		t.Errorf("SCROLL: %+v %v", st, err)
	}
	st, err = planner.Classify("DECLARE c NO SCROLL CURSOR FOR SELECT 1")
	if err != nil || st.Scroll {
		t.Errorf("NO SCROLL: %+v %v", st, err)
	}
}

func TestKindNames(t *testing.T) {
	for k := planner.KindRead; k <= planner.KindUnlisten; k++ {
		if s := k.String(); s == "" || strings.HasPrefix(s, "kind(") {
			t.Errorf("kind %d has no name", int(k))
		}
	}
	if planner.KindRollbackTo.Family() != "transaction" || planner.KindFetch.Family() != "cursor" || planner.KindSet.Family() != "session" {
		t.Error("families: rollback to, fetch, set")
	}
}
