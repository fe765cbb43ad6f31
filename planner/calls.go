package planner

import "strings"

// parenKeywords are SQL keywords that may stand right before "(" without
// calling a function.
var parenKeywords = map[string]bool{
	"in": true, "exists": true, "cast": true, "try_cast": true, "any": true, "all": true, "some": true,
	"and": true, "or": true, "not": true, "when": true, "then": true, "else": true, "case": true,
	"as": true, "values": true, "over": true, "filter": true, "within": true, "is": true, "like": true,
	"ilike": true, "between": true, "on": true, "using": true, "select": true, "where": true, "from": true,
	"array": true, "row": true, "distinct": true, "by": true, "end": true,
}

// CalledFunctions lists, lowercased, the names SQL text calls as functions
// (a name right before "("), for SQL the policy writes (mask and filter
// expressions). Text that does not lex is an error.
func CalledFunctions(sql string) ([]string, error) {
	toks, err := lex(sql)
	if err != nil {
		return nil, err
	}
	var out []string
	for i := 0; i+1 < len(toks); i++ {
		t := toks[i]
		if !isPunct(toks[i+1], "(") {
			continue
		}
		switch {
		case t.Kind == tokWord && !parenKeywords[t.Value]:
			out = append(out, t.Value)
		case t.Kind == tokQIdent:
			out = append(out, strings.ToLower(t.Value))
		}
	}
	return out, nil
}
