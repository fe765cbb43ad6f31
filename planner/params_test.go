package planner_test

import (
	"fmt"
	"testing"

	"github.com/meshgate/meshgate/planner"
)

func TestCastParams(t *testing.T) {
	for _, tc := range []struct {
		in    string
		types map[int]string
		want  string
	}{
		{"SELECT $1", map[int]string{1: "INTEGER"}, "SELECT CAST($1 AS INTEGER)"},
		{"SELECT $1, $2, $1", map[int]string{1: "VARCHAR"}, "SELECT CAST($1 AS VARCHAR), $2, CAST($1 AS VARCHAR)"},
		{"SELECT $1::int + $10", map[int]string{1: "BIGINT", 10: "DATE"}, "SELECT CAST($1 AS BIGINT)::int + CAST($10 AS DATE)"},
		{"SELECT '$1', \"$1\", $$ $1 $$ /* $1 */ -- $1\n, $1", map[int]string{1: "UUID"},
			"SELECT '$1', \"$1\", $$ $1 $$ /* $1 */ -- $1\n, CAST($1 AS UUID)"},
		{"SELECT $1", nil, "SELECT $1"},
	} {
		got, err := planner.CastParams(tc.in, tc.types)
		if err != nil || got != tc.want {
			t.Errorf("CastParams(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	if _, err := planner.CastParams("SELECT '$1", map[int]string{1: "INTEGER"}); err == nil {
		t.Error("unterminated string: no error")
	}
	if got := planner.ParamOrder("SELECT $3, '$1', $1, $3, $2"); fmt.Sprint(got) != "[3 1 2]" {
		t.Errorf("ParamOrder = %v", got)
	}
}
