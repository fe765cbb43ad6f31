package planner

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/meshgate/meshgate/internal/sqlquote"
)

// PostgreSQL functions that DuckDB has under another name or with other
// semantics are mapped in one table: the macros of gateway/pgcatalog
// (pgFunctions), which shadow DuckDB's functions of the same name. The
// calls a macro cannot express — their meaning depends on their syntax (an
// untyped literal argument, a literal pattern, a function that returns a
// set) — are rewritten here, before parsing, through FunctionRewrites.

// CallArg is one argument of a rewritten call.
type CallArg struct {
	Text      string // the argument's text, itself rewritten
	Literal   string // the value, when the argument is one string literal
	IsLiteral bool
}

// Call is a rewritten call: its arguments, and whether it is an item of a
// FROM clause (a table function) rather than an expression.
type Call struct {
	Args     []CallArg
	FromItem bool
	Windowed bool // followed by OVER or FILTER
	Aliased  bool // followed by an alias (of a FROM item)
	// Alias is that alias when no column aliases follow it (in PostgreSQL
	// the alias of a single-column function names its column too).
	Alias string
}

// FunctionRewrite returns the text that replaces a whole call; ok false
// leaves the call as written (to the macros).
type FunctionRewrite func(c Call) (repl string, ok bool)

// FunctionRewrites maps the (lower-case) name of a PostgreSQL function to
// its rewrite. A call qualified pg_catalog. is rewritten too.
var FunctionRewrites = map[string]FunctionRewrite{
	"json_build_object":       rewriteJSONBuildObject,
	"json_build_array":        rewriteJSONBuildArray,
	"json_agg":                rewriteJSONAgg,
	"json_extract_path":       jsonPath("json_extract", "mg_json_extract_path"),
	"json_extract_path_text":  jsonPath("json_extract_string", "mg_json_extract_path_text"),
	"jsonb_extract_path":      jsonPath("json_extract", "mg_jsonb_extract_path"),
	"jsonb_extract_path_text": jsonPath("json_extract_string", "mg_jsonb_extract_path_text"),
	"regexp_matches":          rewriteRegexpMatches,
	"regexp_match":            rewriteRegexpMatch,
	"pg_typeof":               rewritePgTypeof,
	"generate_series":         rewriteGenerateSeries,
	"to_date":                 rewriteToDate,
	"to_timestamp":            rewriteToTimestamp,
	"to_char":                 rewriteToChar,
	"avg":                     rewriteAvg,
	"sum":                     rewriteSum,
	"extract":                 rewriteExtract,
	"to_hex":                  rewriteToHex,
}

// rewriteToHex: to_hex has typed overloads (gateway/pgcatalog).
func rewriteToHex(c Call) (string, bool) {
	if len(c.Args) != 1 || !strings.Contains(c.Args[0].Text, "(") {
		return "", false
	}
	return typedArg("to_hex", c.Args[0].Text), true
}

// rewritePgTypeof: an untyped literal is PostgreSQL's type unknown.
func rewritePgTypeof(c Call) (string, bool) {
	args := c.Args
	if len(args) == 1 && args[0].IsLiteral {
		return "pg_typeof(NULL)", true // unknown
	}
	return "", false
}

// refuse is an expression that fails with SQLSTATE code when evaluated.
func refuse(code, format string, args ...any) string {
	return "error(" + sqlquote.Literal("["+code+"] "+fmt.Sprintf(format, args...)) + ")"
}

// rewriteRegexpMatches: regexp_matches(s, pattern [, flags]) returns a set
// in PostgreSQL: one text[] of the capture groups (or of the whole match
// when the pattern has none) per match, all matches with flag g, the first
// otherwise, no row without a match. In the select list DuckDB's unnest
// makes that set. The pattern and flags must be literals (the number of
// groups decides the expression); flags other than g and i are refused.
func rewriteRegexpMatches(c Call) (string, bool) {
	args := c.Args
	if len(args) < 2 || len(args) > 3 {
		return "", false
	}
	if !args[1].IsLiteral || (len(args) == 3 && !args[2].IsLiteral) {
		return refuse("0A000", "regexp_matches with a pattern or flags that are not literals is not supported"), true
	}
	pattern, flags := args[1].Literal, ""
	if len(args) == 3 {
		flags = args[2].Literal
	}
	global := false
	for _, f := range flags {
		switch f {
		case 'g':
			global = true
		case 'i':
			if !strings.HasPrefix(pattern, "(?i)") {
				pattern = "(?i)" + pattern
			}
		default:
			return refuse("0A000", "regexp_matches flag %q is not supported", string(f)), true
		}
	}
	re, err := regexp.Compile(pattern)
	if err != nil {
		return refuse("2201B", "invalid regular expression: %v", err), true
	}
	s, p := args[0].Text, sqlquote.Literal(pattern)
	n := re.NumSubexp()
	if !global {
		return fmt.Sprintf("unnest(mg_regexp_matches(CASE WHEN regexp_matches(%s, %s) THEN [[%s]] ELSE []::VARCHAR[][] END))", s, p, firstMatch(s, p, n)), true
	}
	if n == 0 {
		return fmt.Sprintf("unnest(mg_regexp_matches(list_transform(regexp_extract_all(%s, %s), mg_m -> [mg_m])))", s, p), true
	}
	g := make([]string, n)
	for i := range g {
		g[i] = fmt.Sprintf("regexp_extract_all(%s, %s, %d)[mg_i]", s, p, i+1)
	}
	return fmt.Sprintf("unnest(mg_regexp_matches(list_transform(range(1, len(regexp_extract_all(%s, %s, 1)) + 1), mg_i -> [%s])))", s, p, strings.Join(g, ", ")), true
}

// firstMatch lists the capture groups of the first match (the whole match
// without groups).
func firstMatch(s, p string, n int) string {
	if n == 0 {
		return "regexp_extract(" + s + ", " + p + ")"
	}
	g := make([]string, n)
	for i := range g {
		g[i] = fmt.Sprintf("regexp_extract(%s, %s, %d)", s, p, i+1)
	}
	return strings.Join(g, ", ")
}

// rewriteRegexpMatch: regexp_match(s, pattern [, flags]) is the text[] of
// the first match's groups, NULL without a match; a literal pattern and
// flag i only, as for regexp_matches.
func rewriteRegexpMatch(c Call) (string, bool) {
	args := c.Args
	if len(args) < 2 || len(args) > 3 {
		return "", false
	}
	if !args[1].IsLiteral || (len(args) == 3 && !args[2].IsLiteral) {
		return refuse("0A000", "regexp_match with a pattern or flags that are not literals is not supported"), true
	}
	pattern := args[1].Literal
	if len(args) == 3 {
		switch args[2].Literal {
		case "":
		case "i":
			pattern = "(?i)" + pattern
		default:
			return refuse("0A000", "regexp_match flags %q are not supported", args[2].Literal), true
		}
	}
	re, err := regexp.Compile(pattern)
	if err != nil {
		return refuse("2201B", "invalid regular expression: %v", err), true
	}
	s, p := args[0].Text, sqlquote.Literal(pattern)
	return fmt.Sprintf("mg_regexp_match(CASE WHEN regexp_matches(%s, %s) THEN [%s] END)", s, p, firstMatch(s, p, re.NumSubexp())), true
}

// rewriteCall applies FunctionRewrites to the call whose name is toks[i]
// (toks[i+1] is its opening parenthesis); start is where the name begins
// (with its pg_catalog. qualification). It returns the edit and the index
// of the closing parenthesis.
func rewriteCall(sql string, toks []token, i, start int) (edit, int, bool) {
	rw := FunctionRewrites[toks[i].Value]
	end := matchParen(toks, i+1)
	if rw == nil || end < 0 {
		return edit{}, 0, false
	}
	var args []CallArg
	if end > i+2 {
		from, depth := i+2, 0
		for k := i + 2; k <= end; k++ {
			switch {
			case isPunct(toks[k], "(") || isPunct(toks[k], "["):
				depth++
			case (isPunct(toks[k], ")") || isPunct(toks[k], "]")) && k < end:
				depth--
			case depth == 0 && (isPunct(toks[k], ",") || k == end):
				if k == from {
					return edit{}, 0, false
				}
				text, err := preRewrite(sql[toks[from].Pos:tokEnd(toks[k-1])])
				if err != nil {
					return edit{}, 0, false
				}
				a := CallArg{Text: text}
				if k == from+1 && toks[from].Kind == tokString {
					a.Literal, a.IsLiteral = toks[from].Value, true
				}
				args = append(args, a)
				from = k + 1
			}
		}
	}
	first := i
	if i >= 2 && isPunct(toks[i-1], ".") {
		first = i - 2
	}
	windowed := end+1 < len(toks) && (isWord(toks[end+1], "over") || isWord(toks[end+1], "filter"))
	aliased := end+1 < len(toks) && (isWord(toks[end+1], "as") || toks[end+1].Kind == tokQIdent ||
		toks[end+1].Kind == tokWord && !afterFromItem[toks[end+1].Value])
	alias := ""
	if aliased {
		k := end + 1
		if isWord(toks[k], "as") {
			k++
		}
		if k < len(toks) && (toks[k].Kind == tokWord || toks[k].Kind == tokQIdent) && (k+1 >= len(toks) || !isPunct(toks[k+1], "(")) {
			alias = toks[k].Value
		}
	}
	repl, ok := rw(Call{Args: args, FromItem: fromItem(toks, first), Windowed: windowed, Aliased: aliased, Alias: alias})
	if !ok {
		return edit{}, 0, false
	}
	return edit{start, tokEnd(toks[end]), repl}, end, true
}

// fromItem reports whether the call whose first token is toks[i] is an
// item of a FROM clause: after FROM, JOIN or LATERAL, or after a comma that
// follows one in the same parentheses.
func fromItem(toks []token, i int) bool {
	return backAtLevel(toks, i, func(k int) (bool, bool) {
		switch t := toks[k]; {
		case t.Kind == tokWord && (t.Value == "from" || t.Value == "join" || t.Value == "lateral"):
			return true, true
		case k == i-1 && !isPunct(t, ","):
			return false, true
		case t.Kind == tokWord && (t.Value == "on" || t.Value == "using"):
			return true, true
		case t.Kind == tokWord && clauseWords[t.Value]:
			return false, true
		}
		return false, false
	})
}

// backAtLevel visits the tokens before toks[i] at its own parenthesis
// level, nearest first, until visit says it is done and what it answers;
// reaching the parenthesis that encloses toks[i], or the start, answers
// false.
func backAtLevel(toks []token, i int, visit func(k int) (answer, done bool)) bool {
	depth := 0
	for k := i - 1; k >= 0; k-- {
		switch t := toks[k]; {
		case isPunct(t, ")"):
			depth++
		case isPunct(t, "("):
			if depth == 0 {
				return false
			}
			depth--
		case depth == 0:
			if answer, done := visit(k); done {
				return answer
			}
		}
	}
	return false
}

// afterFromItem are the words that can follow a FROM item without alias.
var afterFromItem = map[string]bool{"where": true, "join": true, "left": true, "right": true, "inner": true,
	"full": true, "cross": true, "natural": true, "on": true, "using": true, "group": true, "order": true,
	"limit": true, "offset": true, "union": true, "except": true, "intersect": true, "window": true,
	"having": true, "qualify": true, "fetch": true, "for": true, "with": true}

// clauseWords begin the clauses a comma-separated list can follow other
// than FROM.
var clauseWords = map[string]bool{"select": true, "where": true, "by": true, "having": true, "limit": true,
	"offset": true, "values": true, "set": true, "returning": true, "window": true, "distinct": true, "all": true,
	"when": true, "then": true, "else": true, "in": true}
