package planner_test

import (
	"strings"
	"testing"

	"github.com/meshgate/meshgate/planner"
)

// FuzzSplitClassify: any text splits and classifies, or fails with an
// error; never a panic. Every piece Split returns is a substring of the
// input, in order.
func FuzzSplitClassify(f *testing.F) {
	for _, s := range []string{
		"SELECT 1; SELECT 2",
		"select $$a;b$$, 'x;y', \"q;\"\"\" from t -- c;\n/* d; /* nested */ */",
		"SET search_path TO sales, 'x'; SHOW ALL; RESET ALL",
		"BEGIN ISOLATION LEVEL READ COMMITTED; DECLARE c SCROLL CURSOR WITH HOLD FOR SELECT 1; FETCH FORWARD 5 c; CLOSE c; COMMIT",
		"COPY (SELECT 1) TO STDOUT (FORMAT csv, HEADER, DELIMITER ';', NULL 'n')",
		"EXPLAIN (ANALYZE, FORMAT JSON) SELECT 1",
		"E'\\'' ; $tag$ $ $tag$ ;",
		"SELECT set_config('search_path', '', false)",
		"DISCARD ALL; DEALLOCATE ALL; UNLISTEN *",
		"'unterminated",
		"/* unterminated",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, sql string) {
		parts, err := planner.Split(sql)
		if err != nil {
			return
		}
		pos := 0
		for _, p := range parts {
			i := strings.Index(sql[pos:], p)
			if i < 0 {
				t.Fatalf("Split(%q) returned %q, not a piece of the input after offset %d", sql, p, pos)
			}
			pos += i + len(p)
			st, err := planner.Classify(p)
			if err == nil && st == nil {
				t.Fatalf("Classify(%q) returned neither a statement nor an error", p)
			}
		}
	})
}
