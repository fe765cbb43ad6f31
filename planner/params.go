package planner

import (
	"strconv"
)

// CastParams rewrites every occurrence of the parameters in types ($n →
// types[n], a DuckDB type name) as CAST($n AS type), so the engine types
// the parameter as the client declared it (or as text where nothing else
// gives it a type), as PostgreSQL does. Parameters inside strings, quoted
// identifiers and comments are not parameters and stay as they are.
func CastParams(sql string, types map[int]string) (string, error) {
	if len(types) == 0 {
		return sql, nil
	}
	toks, err := lex(sql)
	if err != nil {
		return "", syntaxError(err.Error(), sql, err.(*lexError).Pos)
	}
	var edits []edit
	for _, t := range toks {
		if t.Kind != tokParam {
			continue
		}
		n, err := strconv.Atoi(t.Value)
		if err != nil {
			continue
		}
		if typ, ok := types[n]; ok {
			edits = append(edits, edit{start: t.Pos, end: tokEnd(t), repl: "CAST(" + t.Text + " AS " + typ + ")"})
		}
	}
	return applyEdits(sql, edits), nil
}

// ParamOrder lists the parameter numbers of sql in the order they first
// appear in the text ($2 before $1 in "SELECT $2, $1").
func ParamOrder(sql string) []int {
	toks, err := lex(sql)
	if err != nil {
		return nil
	}
	var out []int
	seen := map[int]bool{}
	for _, t := range toks {
		if t.Kind != tokParam {
			continue
		}
		if n, err := strconv.Atoi(t.Value); err == nil && !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	return out
}
