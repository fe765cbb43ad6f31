package planner

import "strings"

// extractFields are the fields of extract(field FROM x) that are mapped,
// with the macro that computes each (gateway/pgcatalog): PostgreSQL 14+
// answers a numeric whose scale depends on the field (6 for second and
// epoch, 3 for milliseconds, else 0), so each scale has its macro.
var extractFields = map[string]string{
	"year": "mg_extract", "month": "mg_extract", "day": "mg_extract", "hour": "mg_extract", "minute": "mg_extract",
	"quarter": "mg_extract", "week": "mg_extract", "dow": "mg_extract", "isodow": "mg_extract", "doy": "mg_extract",
	"isoyear": "mg_extract", "century": "mg_extract", "decade": "mg_extract", "millennium": "mg_extract",
	"second": "mg_extract_second", "milliseconds": "mg_extract_ms", "microseconds": "mg_extract_us",
	"epoch": "mg_extract_epoch",
}

// rewriteExtract: extract(field FROM x) is a numeric of the field's scale;
// a field that is not mapped is 0A000.
func rewriteExtract(c Call) (string, bool) {
	if len(c.Args) != 1 {
		return "", false
	}
	text := c.Args[0].Text
	toks, err := lex(text)
	if err != nil || len(toks) < 3 || !isWord(toks[1], "from") || (toks[0].Kind != tokWord && toks[0].Kind != tokString) {
		return "", false
	}
	field := strings.ToLower(toks[0].Value)
	fn, ok := extractFields[field]
	if !ok {
		return refuse("0A000", "extract(%s from …) is not supported", field), true
	}
	x := text[toks[2].Pos:]
	if fn == "mg_extract" {
		return typedArg(fn, x, "'"+field+"'"), true
	}
	return typedArg(fn, x), true
}
