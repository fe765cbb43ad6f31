package planner

import (
	"strconv"
	"strings"
)

// The json constructors of FunctionRewrites. PostgreSQL writes
// json_build_object as {"k" : v, "k2" : v2}, json_build_array and json_agg
// as [v, v2]; DuckDB's json_object, json_array and json_group_array write
// compact JSON, so each call is built as text from its values' JSON forms
// (mg_json_text, gateway/pgcatalog: what a value's form would differ in is
// 0A000 there) and cast to json, in a macro that names the column as
// PostgreSQL does (mg_json_build_object(x) AS x).

// rewriteJSONBuildObject: json_build_object(k1, v1, …); the keys are the
// values' text forms and must not be NULL (22023), the arguments must
// pair up (22023).
func rewriteJSONBuildObject(c Call) (string, bool) {
	if len(c.Args)%2 != 0 {
		return refuse("22023", "argument list must have even number of elements (the arguments of json_build_object() must consist of alternating keys and values)"), true
	}
	parts := make([]string, 0, len(c.Args)/2)
	for i := 0; i < len(c.Args); i += 2 {
		parts = append(parts, "mg_json_key("+c.Args[i].Text+", "+strconv.Itoa(i+1)+") || ' : ' || mg_json_text("+c.Args[i+1].Text+")")
	}
	return "mg_json_build_object(" + jsonText("{", parts, "}") + ")", true
}

// rewriteJSONBuildArray: json_build_array(v1, …).
func rewriteJSONBuildArray(c Call) (string, bool) {
	parts := make([]string, len(c.Args))
	for i, a := range c.Args {
		parts[i] = "mg_json_text(" + a.Text + ")"
	}
	return "mg_json_build_array(" + jsonText("[", parts, "]") + ")", true
}

// jsonText joins parts with PostgreSQL's ", " between open and close, as
// json.
func jsonText(open string, parts []string, close string) string {
	if len(parts) == 0 {
		return "CAST('" + open + close + "' AS JSON)"
	}
	return "CAST('" + open + "' || " + strings.Join(parts, " || ', ' || ") + " || '" + close + "' AS JSON)"
}

// rewriteJSONAgg: json_agg(x [ORDER BY …]) is the values' JSON forms,
// NULLs as null, in a [ ] separated by ", " (NULL over no rows). A
// windowed or filtered json_agg and json_agg(DISTINCT …) are 0A000.
func rewriteJSONAgg(c Call) (string, bool) {
	if len(c.Args) != 1 {
		return "", false
	}
	if c.Windowed {
		// The OVER or FILTER that follows needs an aggregate right before
		// it: one that refuses (over no row there is nothing to refuse,
		// and PostgreSQL's answer is NULL or no row too).
		return "string_agg(" + refuse("0A000", "json_agg with FILTER or OVER is not supported") + ", '')", true
	}
	expr, order, ok := splitOrderBy(c.Args[0].Text)
	if !ok {
		return refuse("0A000", "json_agg(DISTINCT …) is not supported"), true
	}
	if order != "" {
		order = " " + order
	}
	return "mg_json_agg(CAST('[' || string_agg(mg_json_text(" + expr + "), ', '" + order + ") || ']' AS JSON))", true
}

// splitOrderBy splits an aggregate's argument text at its top-level
// ORDER BY; ok false for DISTINCT (or text that does not lex).
func splitOrderBy(text string) (expr, orderBy string, ok bool) {
	toks, err := lex(text)
	if err != nil || len(toks) == 0 || isWord(toks[0], "distinct") {
		return "", "", false
	}
	if isWord(toks[0], "all") {
		text = text[tokEnd(toks[0]):]
		return splitOrderBy(text)
	}
	depth := 0
	for i, t := range toks {
		switch {
		case isPunct(t, "(") || isPunct(t, "["):
			depth++
		case isPunct(t, ")") || isPunct(t, "]"):
			depth--
		case depth == 0 && isWord(t, "order") && i+1 < len(toks) && isWord(toks[i+1], "by"):
			return strings.TrimSpace(text[:t.Pos]), strings.TrimSpace(text[t.Pos:]), true
		}
	}
	return strings.TrimSpace(text), "", true
}

// jsonPath: json_extract_path(j, k1, …) is the value at that path, a key
// of an object or (a number) an index of an array: a JSON pointer, which
// reads each step so (extract json_extract); _text answers the text of a
// string (json_extract_string). name is the macro that names the column.
func jsonPath(extract, name string) FunctionRewrite {
	return func(c Call) (string, bool) {
		if len(c.Args) == 0 {
			return "", false
		}
		j := "CAST(" + c.Args[0].Text + " AS JSON)"
		if len(c.Args) == 1 {
			return name + "(" + extract + "(" + j + ", ''))", true
		}
		steps := make([]string, len(c.Args)-1)
		for i, a := range c.Args[1:] {
			steps[i] = "'/' || mg_json_pointer(" + a.Text + ")"
		}
		return name + "(" + extract + "(" + j + ", " + strings.Join(steps, " || ") + "))", true
	}
}
