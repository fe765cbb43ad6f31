package planner

import (
	"strings"
	"testing"
)

func TestCalledFunctions(t *testing.T) {
	cases := []struct{ sql, want string }{
		{"region = session_attr('region')", "session_attr"},
		{"sha256((SELECT k FROM memory.mg_secret.mask_key) || email)", "sha256"},
		{"x IN ('a', 'b') AND (y > 1 OR NOT (z = 2))", ""},
		{`CAST(a AS INTEGER) + "Lower"(b) + coalesce(c, 0)`, "lower coalesce"},
		{"owner = current_user", ""}, // a word, not a call: the caller checks words too
		{"'now()' = note -- now()", ""},
		{"EXISTS (SELECT 1) AND CASE WHEN a THEN b ELSE (c) END", ""},
		{"s.f(x) + date_trunc('month', d)", "f date_trunc"},
	}
	for _, c := range cases {
		got, err := CalledFunctions(c.sql)
		if err != nil {
			t.Fatalf("%s: %v", c.sql, err)
		}
		if strings.Join(got, " ") != c.want {
			t.Errorf("%s: %q, want %q", c.sql, got, c.want)
		}
	}
	if _, err := CalledFunctions("'unterminated"); err == nil {
		t.Error("an unterminated string lexed")
	}
}
