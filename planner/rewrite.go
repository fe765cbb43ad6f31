package planner

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/meshgate/meshgate/internal/sqlquote"
	"github.com/meshgate/meshgate/planner/catalog"
	"github.com/meshgate/meshgate/sqlstate"
)

// The client-compatibility catalog of a session lives in two schemas of
// the session's own catalog; references to pg_catalog and
// information_schema relations are rewritten to them, so a session's
// catalog queries see only its own products (DuckDB's built-in catalog
// views list every session's objects).
const (
	CompatPG = "mg$pg" // emulated pg_catalog relations
	CompatIS = "mg$is" // emulated information_schema relations
)

// edit replaces text[start:end] with repl.
type edit struct {
	start, end int
	repl       string
}

// applyEdits applies non-overlapping edits to text.
func applyEdits(text string, edits []edit) string {
	if len(edits) == 0 {
		return text
	}
	// An insertion goes before an edit that replaces text at the same
	// place (mg_to_text( before a rewritten call).
	sort.SliceStable(edits, func(i, j int) bool {
		a, b := edits[i], edits[j]
		return a.start < b.start || a.start == b.start && a.end == a.start && b.end > b.start
	})
	var b strings.Builder
	pos := 0
	for _, e := range edits {
		if e.start < pos {
			continue // overlapping: keep the first
		}
		b.WriteString(text[pos:e.start])
		b.WriteString(e.repl)
		pos = e.end
	}
	b.WriteString(text[pos:])
	return b.String()
}

func tokEnd(t token) int { return t.Pos + len(t.Text) }

func isWord(t token, w string) bool { return t.Kind == tokWord && t.Value == w }

// isName reports whether t names w as PostgreSQL folds names: the word
// w in any case, or "w" quoted exactly ("pg_catalog" is pg_catalog).
func isName(t token, w string) bool {
	return isWord(t, w) || t.Kind == tokQIdent && t.Value == w
}

func isPunct(t token, p string) bool { return t.Kind == tokPunct && t.Value == p }

// regTypes are PostgreSQL's OID alias types: a literal cast to one is
// looked up to an OID, a column cast to one is shown as a name.
var regTypes = map[string]string{
	"regclass":     "regclass",
	"regtype":      "regtype",
	"regnamespace": "regnamespace",
	"regrole":      "regrole",
}

// typeRenames maps PostgreSQL-only types to the DuckDB type that carries
// their values.
var typeRenames = map[string]string{
	"oid": "UINTEGER", "xid": "BIGINT", "cid": "BIGINT", "xid8": "BIGINT",
	"regproc": "VARCHAR", "regprocedure": "VARCHAR", "regoper": "VARCHAR", "regoperator": "VARCHAR",
	"regconfig": "VARCHAR", "regdictionary": "VARCHAR", "name": "VARCHAR", "char": "VARCHAR",
	"int2vector": "VARCHAR", "oidvector": "VARCHAR", "text": "VARCHAR", "bpchar": "VARCHAR",
	"int4": "INTEGER", "int8": "BIGINT", "int2": "SMALLINT", "float4": "REAL", "float8": "DOUBLE",
	"float": "DOUBLE", // PostgreSQL's float is double precision, DuckDB's a real
}

// preRewrite makes PostgreSQL-only syntax that DuckDB's parser rejects or
// mis-binds parseable: schema-qualified type names in casts, OID alias
// types, OPERATOR(pg_catalog.op) and pg_catalog collations.
func preRewrite(sql string) (string, error) {
	toks, err := lex(sql)
	if err != nil {
		return "", err
	}
	var edits []edit
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		switch {
		case isPunct(t, "::") && i+1 < len(toks):
			j := i + 1
			if j+2 < len(toks) && isName(toks[j], "pg_catalog") && isPunct(toks[j+1], ".") {
				j += 2
			}
			tt := toks[j]
			name := tt.Value
			if tt.Kind == tokQIdent {
				name = strings.ToLower(tt.Value)
			} else if tt.Kind != tokWord {
				continue
			}
			if reg, ok := regTypes[name]; ok {
				start := operandStart(toks, i) // through casts: $1::text::regtype, $1::oid::regclass
				if start < 0 {
					continue
				}
				edits = append(edits, regCastEdits(toks, reg, start, i, j)...)
				if isArrayType(toks, j+1) {
					j += 2
				}
				i = j
				continue
			}
			if isBitType(tt) {
				return "", bitRefusal()
			}
			if e, last, ok := floatTypeEdit(toks, j); ok && last > j {
				edits = append(edits, e) // float(p); a bare float is in typeRenames
				i = last
				continue
			}
			if varying, n, last, ok := charType(toks, j); ok {
				// varchar(n) is PostgreSQL's text form truncated to n
				// characters (an explicit cast); char(n) pads, compares and
				// prints in ways DuckDB's VARCHAR cannot, and is refused.
				start := operandStart(toks, i)
				if !varying || start < 0 {
					return "", charRefusal()
				}
				edits = append(edits, varcharEdits(toks, start, i, tokEnd(toks[last]), n)...)
				i = last
				continue
			}
			if (name == "numeric" || name == "decimal") && !(j+1 < len(toks) && (isPunct(toks[j+1], "(") || isPunct(toks[j+1], "["))) {
				// An unconstrained numeric: DuckDB's default DECIMAL(18,3)
				// would drop digits (mg_numeric, gateway/pgcatalog).
				if start := operandStart(toks, i); start >= 0 {
					prefix, suffix := numericWrap(toks, start, i)
					// Before any edit at the same place: this cast is the
					// outer one (x::text::numeric).
					edits = append([]edit{{toks[start].Pos, toks[start].Pos, prefix}}, edits...)
					edits = append(edits, edit{t.Pos, tokEnd(tt), suffix})
					i = j
					continue
				}
			}
			if name == "character" && j+1 < len(toks) && isWord(toks[j+1], "varying") && !(j+2 < len(toks) && isPunct(toks[j+2], "(")) {
				name, tt, j = "varchar", toks[j+1], j+1 // character varying
			}
			if name == "varchar" && tt.Kind == tokWord && !(j+1 < len(toks) && (isPunct(toks[j+1], "(") || isPunct(toks[j+1], "["))) {
				// x::varchar is PostgreSQL's text form, as x::text, typed
				// varchar (a literal or parameter cast on to another type
				// stays DuckDB's cast: 'int4'::varchar::regtype).
				if start := operandStart(toks, i); start >= 0 && regTypes[toks[i-1].Value] == "" &&
					!(start == i-1 && (toks[start].Kind == tokString || toks[start].Kind == tokParam) && j+1 < len(toks) && isPunct(toks[j+1], "::")) {
					edits = append(edits, varcharEdits(toks, start, i, tokEnd(tt), "")...)
					i = j
					continue
				}
			}
			if name == "text" && !(j+1 < len(toks) && (isPunct(toks[j+1], "(") || isPunct(toks[j+1], "["))) {
				// x::text is PostgreSQL's text form (mg_to_text, gateway/pgcatalog).
				if start := operandStart(toks, i); start >= 0 && !(start == i-1 && (toks[start].Kind == tokString || toks[start].Kind == tokParam)) && regTypes[toks[i-1].Value] == "" {
					edits = append(edits, edit{toks[start].Pos, toks[start].Pos, "mg_to_text("}, edit{t.Pos, tokEnd(tt), ")"})
					i = j
					continue
				}
			}
			if lit := toks[i-1]; i > 0 && lit.Kind == tokString {
				switch {
				case (name == "boolean" || name == "bool") && pgBoolLiteral(lit.Value) != "":
					// PostgreSQL's boolean input: yes, no, on, off, 1, 0 and prefixes.
					edits = append(edits, edit{lit.Pos, tokEnd(lit), pgBoolLiteral(lit.Value)})
				case name == "bytea" && strings.HasPrefix(lit.Value, `\x`):
					// PostgreSQL's hex bytea input; DuckDB reads \x01 as one escape.
					edits = append(edits, edit{lit.Pos, tokEnd(tt), "from_hex(" + sqlquote.Literal(lit.Value[2:]) + ")"})
					i = j
					continue
				case j+2 < len(toks) && isPunct(toks[j+1], "[") && isPunct(toks[j+2], "]") && strings.HasPrefix(strings.TrimSpace(lit.Value), "{"):
					// '{a,"b c"}'::text[]: PostgreSQL's array text form.
					edits = append(edits, edit{lit.Pos, tokEnd(lit), sqlquote.Literal(PGArrayToList(lit.Value))})
				}
			}
			if repl, ok := typeRenames[name]; ok && (j > i+1 || tt.Kind == tokQIdent || name != "text") {
				edits = append(edits, edit{toks[i+1].Pos, tokEnd(tt), repl})
			} else if j > i+1 {
				edits = append(edits, edit{toks[i+1].Pos, tt.Pos, ""})
			}
			i = j
		case isWord(t, "as") && i+2 < len(toks) && regCastType(toks, i+1) != "":
			// CAST(x AS regclass) (SQLAlchemy 2 reflection's CAST(:name AS
			// REGCLASS), CAST(CAST(attrelid AS REGCLASS) AS TEXT)): as x::regclass.
			j := i + 1
			if isName(toks[j], "pg_catalog") {
				j += 2
			}
			k := castOpen(toks, i)
			if k <= 0 {
				continue
			}
			reg, end := regCastType(toks, i+1), j+1
			open, closing := "mg_"+reg+"_oid(", ")"
			if printed(toks, k-1, end) || end+2 < len(toks) && isWord(toks[end+1], "as") && (isWord(toks[end+2], "text") || isWord(toks[end+2], "varchar") || isWord(toks[end+2], "name")) {
				open, closing = "mg_"+reg+"_name("+open, "))"
			}
			edits = append(edits, edit{toks[k-1].Pos, tokEnd(toks[k]), open}, edit{tokEnd(toks[i-1]), tokEnd(toks[end]), closing})
			i = end
		case isWord(t, "as") && i+1 < len(toks) && toks[i+1].Kind == tokWord && toks[i+1].Text != strings.ToLower(toks[i+1].Text) && !(i+2 < len(toks) && (isPunct(toks[i+2], "(") || isPunct(toks[i+2], ")"))):
			// An unquoted alias is folded to lower case, as PostgreSQL
			// names the column (pgjdbc's AS TABLE_SCHEM is table_schem).
			edits = append(edits, edit{toks[i+1].Pos, tokEnd(toks[i+1]), strings.ToLower(toks[i+1].Text)})
			i++
		case isWord(t, "operator") && i+1 < len(toks) && isPunct(toks[i+1], "("):
			// OPERATOR(pg_catalog.~) → ~
			j := i + 2
			if j+1 < len(toks) && isName(toks[j], "pg_catalog") && isPunct(toks[j+1], ".") {
				j += 2
			}
			k := j
			for k < len(toks) && toks[k].Kind == tokPunct && toks[k].Value != ")" {
				k++
			}
			if k < len(toks) && isPunct(toks[k], ")") && k > j {
				op := sql[toks[j].Pos:tokEnd(toks[k-1])]
				if k+1 < len(toks) && toks[k+1].Kind == tokString && strings.Contains(op, "~") {
					// OPERATOR(pg_catalog.~) 'pattern': a regex match.
					fold := strings.HasSuffix(op, "*")
					op = strings.TrimSuffix(op, "*")
					edits = append(edits, edit{toks[k+1].Pos, tokEnd(toks[k+1]), regexLiteral(toks[k+1].Value, fold)})
				}
				edits = append(edits, edit{t.Pos, tokEnd(toks[k]), " " + op + " "})
				i = k + 1
			}
		case isPunct(t, "~"):
			// PostgreSQL's ~ finds the pattern anywhere; DuckDB's must match
			// the whole string. ~* folds case, which DuckDB spells (?i).
			j := i + 1
			fold := j < len(toks) && isPunct(toks[j], "*")
			if fold {
				edits = append(edits, edit{toks[j].Pos, tokEnd(toks[j]), ""})
				j++
			}
			if j < len(toks) && toks[j].Kind == tokString {
				edits = append(edits, edit{toks[j].Pos, tokEnd(toks[j]), regexLiteral(toks[j].Value, fold)})
				i = j
			}
		case isPunct(t, "=") && i+2 < len(toks) && isWord(toks[i+1], "any") && isPunct(toks[i+2], "(") &&
			!(i+3 < len(toks) && (isWord(toks[i+3], "select") || isWord(toks[i+3], "values"))):
			// x = ANY(array) → list_contains(array, x): DuckDB turns ANY into
			// a subquery, which it cannot use in an outer join's condition.
			start := exprStart(toks, i)
			end := matchParen(toks, i+2)
			if start < 0 || end < 0 || end == i+3 {
				continue
			}
			// The operands are moved whole, so they are rewritten here
			// ('{DE,FR}'::text[] is a DuckDB list literal too).
			left, err := preRewrite(sql[toks[start].Pos:tokEnd(toks[i-1])])
			if err != nil {
				return "", err
			}
			right, err := preRewrite(sql[toks[i+3].Pos:tokEnd(toks[end-1])])
			if err != nil {
				return "", err
			}
			edits = append(edits, edit{toks[start].Pos, tokEnd(toks[end]), "list_contains(" + right + ", " + left + ")"})
			i = end
		case t.Kind == tokWord && i+1 < len(toks) && isPunct(toks[i+1], "(") && FunctionRewrites[t.Value] != nil && (i == 0 || !isPunct(toks[i-1], ".")),
			isWord(t, "pg_catalog") && i+3 < len(toks) && isPunct(toks[i+1], ".") && isPunct(toks[i+3], "(") && FunctionRewrites[toks[i+2].Value] != nil:
			// A PostgreSQL function whose mapping depends on the call's
			// syntax (functions.go).
			name := i
			if isWord(t, "pg_catalog") {
				name = i + 2
			}
			if e, end, ok := rewriteCall(sql, toks, name, t.Pos); ok {
				edits = append(edits, e)
				i = end
			}
		case isWord(t, "as") && i+2 < len(toks) && isWord(toks[i+1], "text") && isPunct(toks[i+2], ")"):
			// CAST(x AS text) is PostgreSQL's text form, as x::text.
			if k := castOpen(toks, i); k > 0 && !(k+2 == i && (toks[k+1].Kind == tokString || toks[k+1].Kind == tokParam)) {
				edits = append(edits, edit{toks[k-1].Pos, tokEnd(toks[k]), "mg_to_text("}, edit{tokEnd(toks[i-1]), tokEnd(toks[i+1]), ""})
				i++
			}
		case isWord(t, "as") && i+2 < len(toks) && (isWord(toks[i+1], "varchar") && isPunct(toks[i+2], ")") ||
			i+3 < len(toks) && isWord(toks[i+1], "character") && isWord(toks[i+2], "varying") && isPunct(toks[i+3], ")")):
			// CAST(x AS varchar) is PostgreSQL's text form, as x::varchar.
			end := i + 2
			if !isPunct(toks[end], ")") {
				end++
			}
			if k := castOpen(toks, i); k > 0 {
				edits = append(edits, castVarcharEdits(toks, k, i, tokEnd(toks[end]), "")...)
				i = end
			}
		case isWord(t, "as") && i+1 < len(toks) && isBitType(toks[i+1]) && castOpen(toks, i) > 0:
			return "", bitRefusal()
		case isWord(t, "as") && i+1 < len(toks) && isWord(toks[i+1], "float") && castOpen(toks, i) > 0:
			if e, last, ok := floatTypeEdit(toks, i+1); ok {
				edits = append(edits, e)
				i = last
			}
		case isWord(t, "as") && i+1 < len(toks) && isCharTypeCast(toks, i+1):
			// CAST(x AS varchar(n)) is the first n characters; char(n) is refused.
			varying, n, last, _ := charType(toks, i+1)
			if !varying {
				return "", charRefusal()
			}
			if k := castOpen(toks, i); k > 0 {
				edits = append(edits, castVarcharEdits(toks, k, i, tokEnd(toks[last+1]), n)...)
			}
			i = last + 1
		case isWord(t, "as") && i+2 < len(toks) && (isWord(toks[i+1], "numeric") || isWord(toks[i+1], "decimal")) && isPunct(toks[i+2], ")"):
			// CAST(x AS numeric) is x::numeric.
			if k := castOpen(toks, i); k > 0 && k+1 < i {
				prefix, suffix := numericWrap(toks, k+1, i)
				edits = append(edits, edit{toks[k-1].Pos, tokEnd(toks[k]), prefix}, edit{tokEnd(toks[i-1]), tokEnd(toks[i+2]), suffix})
			} else {
				edits = append(edits, edit{toks[i+1].Pos, tokEnd(toks[i+1]), catalog.UnconstrainedNumeric})
			}
			i += 2
		case (isWord(t, "like") || isWord(t, "ilike")) && i+1 < len(toks) && toks[i+1].Kind == tokString &&
			strings.Contains(toks[i+1].Value, `\`) && !(i+2 < len(toks) && isWord(toks[i+2], "escape")):
			// PostgreSQL's LIKE escapes with a backslash by default, DuckDB's
			// has no escape.
			edits = append(edits, edit{tokEnd(toks[i+1]), tokEnd(toks[i+1]), ` ESCAPE '\'`})
			i++
		case isWord(t, "similar") && i+2 < len(toks) && isWord(toks[i+1], "to"):
			// SIMILAR TO's SQL regular expression (DuckDB reads a POSIX one).
			if p := toks[i+2]; p.Kind == tokString && !(i+3 < len(toks) && isWord(toks[i+3], "escape")) {
				edits = append(edits, edit{p.Pos, tokEnd(p), sqlquote.Literal(similarRegex(p.Value))})
			} else {
				return "", sqlstate.New(sqlstate.FeatureNotSupported, "SIMILAR TO with a pattern that is not a literal, or with ESCAPE, is not supported; use ~ with a regular expression")
			}
			i += 2
		case isWord(t, "collate") && i+1 < len(toks):
			j := i + 1
			qualified := false
			if j+2 < len(toks) && isName(toks[j], "pg_catalog") && isPunct(toks[j+1], ".") {
				j += 2
				qualified = true
			}
			n := strings.ToLower(toks[j].Value)
			if qualified || n == "default" || n == "c" || n == "posix" || n == "ucs_basic" {
				edits = append(edits, edit{t.Pos, tokEnd(toks[j]), ""})
				i = j
			}
		}
	}
	return applyEdits(sql, edits), nil
}

// regCastEdits rewrite toks[start:at]::reg (the type name at toks[j],
// maybe followed by []) as PostgreSQL's OID alias types behave: the value
// is an OID — a name (a literal, a parameter or any computed string) is
// looked up in the session's catalog, a number is kept — and it prints as
// the name where it is printed: as a select-list entry of its own, next
// to ||, or cast to a text type.
func regCastEdits(toks []token, reg string, start, at, j int) []edit {
	array := isArrayType(toks, j+1)
	last := j
	if array {
		last = j + 2
	}
	asName := castToText(toks, last+1) || printed(toks, start, last)
	open, closing := "mg_"+reg+"_oid(", ")"
	if asName {
		open, closing = "mg_"+reg+"_name("+open, "))"
	}
	if !array {
		return []edit{{toks[start].Pos, toks[start].Pos, open}, {toks[at].Pos, tokEnd(toks[last]), closing}}
	}
	// x::regtype[]: each element ('{int4,text}' is read as a text array).
	// The lookups are subqueries, which DuckDB's lambdas cannot hold.
	edits := []edit{{toks[start].Pos, toks[start].Pos, "(SELECT list(" + open + "mg_l.mg_a[mg_r.i]" + closing + " ORDER BY mg_r.i) FROM (SELECT CAST("},
		{toks[at].Pos, tokEnd(toks[last]), " AS VARCHAR[]) AS mg_a) mg_l, range(1, len(mg_l.mg_a) + 1) mg_r(i))"}}
	if lit := toks[start]; lit.Kind == tokString && start == at-1 {
		edits = append(edits, edit{lit.Pos, tokEnd(lit), sqlquote.Literal(PGArrayToList(lit.Value))})
	}
	return edits
}

// regCastType is the OID alias type (regclass, …) toks[j:] names and
// closes a CAST with, or "".
func regCastType(toks []token, j int) string {
	if j+2 < len(toks) && isName(toks[j], "pg_catalog") && isPunct(toks[j+1], ".") {
		j += 2
	}
	if j+1 >= len(toks) || !isPunct(toks[j+1], ")") || (toks[j].Kind != tokWord && toks[j].Kind != tokQIdent) {
		return ""
	}
	return regTypes[strings.ToLower(toks[j].Value)]
}

// isArrayType reports whether toks[k:] starts with [].
func isArrayType(toks []token, k int) bool {
	return k+1 < len(toks) && isPunct(toks[k], "[") && isPunct(toks[k+1], "]")
}

// printed reports whether the expression toks[start:last+1] is printed as
// it is: a select-list entry of its own (between SELECT or a comma and a
// comma, an alias, FROM or the end, at the select list's own depth) or an
// operand of ||.
func printed(toks []token, start, last int) bool {
	concat := func(k int) bool { return k >= 0 && k+1 < len(toks) && isPunct(toks[k], "|") && isPunct(toks[k+1], "|") }
	if concat(start-2) || concat(last+1) {
		return true
	}
	if last+1 < len(toks) {
		switch n := toks[last+1]; {
		case isPunct(n, ",") || n.Kind == tokSemicolon || isPunct(n, ")"):
		case n.Kind == tokWord && (n.Value == "as" || n.Value == "from" || n.Value == "union" || n.Value == "except" || n.Value == "intersect" || n.Value == "order" || n.Value == "limit" || n.Value == "where" || n.Value == "group"):
		case n.Kind == tokQIdent || n.Kind == tokWord && !sqlKeywords[n.Value]:
		default:
			return false
		}
	}
	if start == 0 || !(isPunct(toks[start-1], ",") || isWord(toks[start-1], "select") || isWord(toks[start-1], "distinct") || isWord(toks[start-1], "all")) {
		return false
	}
	// The nearest clause word at this level must be SELECT (an enclosing
	// parenthesis is an argument list, not a select list).
	return backAtLevel(toks, start, func(k int) (bool, bool) {
		switch t := toks[k]; {
		case t.Kind != tokWord || t.Value == "distinct" || t.Value == "all":
		case clauseWords[t.Value] || afterFromItem[t.Value] || t.Value == "from" || t.Value == "case":
			return t.Value == "select", true
		}
		return false, false
	})
}

// notFunctionNames are the words a parenthesised expression can follow
// that do not call it (SELECT (a - b)::text).
var notFunctionNames = map[string]bool{"select": true, "where": true, "and": true, "or": true, "not": true, "on": true,
	"when": true, "then": true, "else": true, "by": true, "in": true, "is": true, "from": true, "as": true, "case": true,
	"distinct": true, "all": true, "having": true, "like": true, "ilike": true, "between": true, "any": true, "some": true,
	"exists": true, "array": true, "values": true, "return": true, "returning": true, "limit": true, "offset": true,
	"using": true, "union": true, "except": true, "intersect": true, "join": true, "set": true, "with": true, "lateral": true}

// sqlKeywords cannot be a column alias written without AS.
var sqlKeywords = map[string]bool{"and": true, "or": true, "is": true, "in": true, "not": true, "like": true, "ilike": true, "between": true,
	"collate": true, "end": true, "then": true, "else": true, "when": true, "asc": true, "desc": true, "nulls": true, "over": true, "filter": true}

// exprStart finds the first token of the operand before the :: at index
// i: a literal, a parameter, a (qualified) name, or a parenthesised
// expression with an optional function name. -1 if it cannot tell.
func exprStart(toks []token, i int) int {
	j := i - 1
	if j < 0 {
		return -1
	}
	switch t := toks[j]; {
	case t.Kind == tokString || t.Kind == tokParam || t.Kind == tokNumber:
		return j
	case t.Kind == tokWord || t.Kind == tokQIdent:
		for j >= 2 && isPunct(toks[j-1], ".") && (toks[j-2].Kind == tokWord || toks[j-2].Kind == tokQIdent) {
			j -= 2
		}
		return j
	case isPunct(t, ")"):
		depth := 0
		for ; j >= 0; j-- {
			if isPunct(toks[j], ")") {
				depth++
			} else if isPunct(toks[j], "(") {
				depth--
				if depth == 0 {
					break
				}
			}
		}
		if j < 0 {
			return -1
		}
		if j >= 1 && (toks[j-1].Kind == tokQIdent || toks[j-1].Kind == tokWord && !notFunctionNames[toks[j-1].Value]) {
			j--
			for j >= 2 && isPunct(toks[j-1], ".") && toks[j-2].Kind == tokWord {
				j -= 2
			}
		}
		return j
	}
	return -1
}

// postRewrite applies the table edits found in the syntax tree and strips
// pg_catalog. / information_schema. from function calls, which DuckDB
// would otherwise bind as methods of a column.
func postRewrite(sql string, tables []edit) (string, error) {
	toks, err := lex(sql)
	if err != nil {
		return "", err
	}
	inTable := func(pos int) bool {
		for _, e := range tables {
			if pos >= e.start && pos < e.end {
				return true
			}
		}
		return false
	}
	edits := append([]edit(nil), tables...)
	for i := 0; i+3 < len(toks); i++ {
		t := toks[i]
		if !(isName(t, "pg_catalog") || isName(t, "information_schema")) || !isPunct(toks[i+1], ".") {
			continue
		}
		fn := toks[i+2]
		if (fn.Kind != tokWord && fn.Kind != tokQIdent) || !isPunct(toks[i+3], "(") || inTable(t.Pos) {
			continue
		}
		repl := ""
		if fn.Value == "_pg_expandarray" {
			repl = "mg_"
		}
		edits = append(edits, edit{t.Pos, fn.Pos, repl})
		i += 2
	}
	return applyEdits(sql, edits), nil
}

// tableSpan finds the extent of the (qualified) table name starting at
// byte offset loc.
func tableSpan(sql string, loc int) (int, int, bool) {
	if loc < 0 || loc >= len(sql) {
		return 0, 0, false
	}
	toks, err := lex(sql[loc:])
	if err != nil || len(toks) == 0 || (toks[0].Kind != tokWord && toks[0].Kind != tokQIdent) {
		return 0, 0, false
	}
	end := tokEnd(toks[0])
	for k := 1; k+1 < len(toks) && isPunct(toks[k], ".") && (toks[k+1].Kind == tokWord || toks[k+1].Kind == tokQIdent); k += 2 {
		end = tokEnd(toks[k+1])
	}
	return loc, loc + end, true
}

// qualifierEdit drops the schema of the schema.relation.column reference
// at byte offset loc.
func qualifierEdit(sql string, loc int) (edit, bool) {
	if loc < 0 || loc >= len(sql) {
		return edit{}, false
	}
	toks, err := lex(sql[loc:])
	if err != nil || len(toks) < 5 || !(isName(toks[0], "pg_catalog") || isName(toks[0], "information_schema")) || !isPunct(toks[1], ".") || !isPunct(toks[3], ".") {
		return edit{}, false
	}
	return edit{loc, loc + toks[2].Pos, ""}, true
}

// scalarSourceEdits make the scalar call at byte offset loc, read as a
// FROM item, a subquery of one row whose column is col.
func scalarSourceEdits(sql string, loc int, col string) []edit {
	if loc < 0 || loc >= len(sql) {
		return nil
	}
	toks, err := lex(sql[loc:])
	if err != nil {
		return nil
	}
	k := 0
	for k < len(toks) && !isPunct(toks[k], "(") {
		k++
	}
	end := matchParen(toks, k)
	if end < 0 {
		return nil
	}
	at := loc + tokEnd(toks[end])
	return []edit{{loc, loc, "(SELECT "}, {at, at, " AS " + sqlquote.Ident(col) + ")"}}
}

// columnAliasEdit gives a table function's alias a column alias of the same
// name (generate_series(1, 3) s → … s(s)): in PostgreSQL the alias of a
// single-column function names its column too, in DuckDB only the row.
func columnAliasEdit(sql string, loc int, alias string) (edit, bool) {
	if loc < 0 || loc >= len(sql) {
		return edit{}, false
	}
	toks, err := lex(sql[loc:])
	if err != nil {
		return edit{}, false
	}
	k := 0
	for k < len(toks) && !isPunct(toks[k], "(") {
		k++
	}
	depth := 0
	for ; k < len(toks); k++ {
		if isPunct(toks[k], "(") {
			depth++
		} else if isPunct(toks[k], ")") {
			depth--
			if depth == 0 {
				break
			}
		}
	}
	k++
	if k < len(toks) && isWord(toks[k], "as") {
		k++
	}
	if k >= len(toks) || !strings.EqualFold(toks[k].Value, alias) || (k+1 < len(toks) && isPunct(toks[k+1], "(")) {
		return edit{}, false
	}
	end := loc + tokEnd(toks[k])
	return edit{end, end, "(" + sqlquote.Ident(alias) + ")"}, true
}

// castToText reports whether toks[i:] starts with a cast to a text type.
func castToText(toks []token, i int) bool {
	if i >= len(toks) || !isPunct(toks[i], "::") {
		return false
	}
	i++
	if i+2 < len(toks) && isName(toks[i], "pg_catalog") && isPunct(toks[i+1], ".") {
		i += 2
	}
	return i < len(toks) && (isWord(toks[i], "text") || isWord(toks[i], "varchar") || isWord(toks[i], "name"))
}

// matchParen returns the index of the parenthesis closing toks[i], or -1.
func matchParen(toks []token, i int) int {
	depth := 0
	for k := i; k < len(toks); k++ {
		if isPunct(toks[k], "(") {
			depth++
		} else if isPunct(toks[k], ")") {
			depth--
			if depth == 0 {
				return k
			}
		}
	}
	return -1
}

// regexLiteral turns a PostgreSQL regex (found anywhere in the string)
// into a DuckDB one (which must match the whole string), as a literal.
func regexLiteral(pattern string, fold bool) string {
	flags := "(?s)"
	if fold {
		flags = "(?is)"
	}
	return sqlquote.Literal(flags + ".*(?:" + pattern + ").*")
}

// PGArrayToList rewrites PostgreSQL's array text ({a,"b c",NULL}, nested
// {{1,2},{3,4}}) into DuckDB's list text ([a, "b c", NULL]), which DuckDB
// casts to any list type. Text that is not an array is returned as is.
func PGArrayToList(s string) string {
	t := strings.TrimSpace(s)
	if !strings.HasPrefix(t, "{") {
		return s
	}
	var b strings.Builder
	inQuote := false
	for i := 0; i < len(t); i++ {
		c := t[i]
		switch {
		case inQuote && c == '\\' && i+1 < len(t):
			b.WriteByte(c)
			b.WriteByte(t[i+1])
			i++
		case c == '"':
			inQuote = !inQuote
			b.WriteByte(c)
		case !inQuote && c == '{':
			b.WriteByte('[')
		case !inQuote && c == '}':
			b.WriteByte(']')
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

var numericLiteralRE = regexp.MustCompile(`^\s*[+-]?0*(\d*)(?:\.(\d*))?\s*$`)

// literalScale is the scale PostgreSQL gives a numeric literal ('12.50' is
// 2), when the literal fits 38 digits.
func literalScale(v string) (int, bool) {
	m := numericLiteralRE.FindStringSubmatch(v)
	if m == nil || (m[1] == "" && m[2] == "" && !strings.Contains(v, "0")) || len(m[1])+len(m[2]) > 38 {
		return 0, false
	}
	return len(m[2]), true
}

// typedArg is the call macro(arg): through a lambda when arg holds a call,
// whose value (an aggregate's) DuckDB cannot choose a typed macro
// overload for ("multiple overloads match"); a lambda's parameter has its
// type. before are arguments written ahead of it.
func typedArg(macro, arg string, before ...string) string {
	prefix, suffix := typedWrap(macro, strings.Contains(arg, "("), before...)
	return prefix + arg + suffix
}

// typedWrap is what goes before and after the argument of typedArg's
// call; call says whether the argument holds a call.
func typedWrap(macro string, call bool, before ...string) (prefix, suffix string) {
	lead := ""
	for _, b := range before {
		lead += b + ", "
	}
	if !call {
		return macro + "(" + lead, ")"
	}
	return "list_transform([", "], mg_a -> " + macro + "(" + lead + "mg_a))[1]"
}

// numericWrap is the prefix and suffix that cast toks[start:end] to an
// unconstrained numeric: a literal to its own scale, an untyped parameter
// as text to read, a value through mg_numeric (gateway/pgcatalog: an
// integer keeps no decimals, a float 15 significant digits). An operand
// holding a call goes through a lambda: DuckDB cannot choose a typed
// macro overload for an aggregate's value (round(avg(x)::numeric, 2)),
// a lambda's parameter has its type.
func numericWrap(toks []token, start, end int) (prefix, suffix string) {
	if end == start+1 {
		switch k := toks[start]; k.Kind {
		case tokString, tokNumber:
			if scale, ok := literalScale(k.Value); ok {
				return "CAST(", fmt.Sprintf(" AS DECIMAL(38,%d))", scale)
			}
		case tokParam:
			// An untyped parameter ($1::numeric from lib/pq) matches every
			// overload of mg_numeric: it is text to read.
			return "CAST(", " AS " + catalog.UnconstrainedNumeric + ")"
		}
	}
	call := false
	for _, t := range toks[start:end] {
		call = call || isPunct(t, "(")
	}
	return typedWrap("mg_numeric", call)
}

// charType recognises a character type with a length at toks[j]:
// varchar(n), character varying(n) (varying), char(n), character(n),
// bpchar(n); last is the index of its closing parenthesis.
func charType(toks []token, j int) (varying bool, n string, last int, ok bool) {
	if j >= len(toks) || toks[j].Kind != tokWord {
		return false, "", 0, false
	}
	k := j + 1
	switch toks[j].Value {
	case "varchar":
		varying = true
	case "character":
		if k < len(toks) && isWord(toks[k], "varying") {
			varying = true
			k++
		}
	case "char", "bpchar":
	default:
		return false, "", 0, false
	}
	if k+2 < len(toks) && isPunct(toks[k], "(") && toks[k+1].Kind == tokNumber && isPunct(toks[k+2], ")") {
		return varying, toks[k+1].Value, k + 2, true
	}
	return false, "", 0, false
}

// isCharTypeCast: a character type with a length that ends a CAST.
func isCharTypeCast(toks []token, j int) bool {
	_, _, last, ok := charType(toks, j)
	return ok && last+1 < len(toks) && isPunct(toks[last+1], ")")
}

// floatTypeEdit: PostgreSQL's float is double precision, float(p) real
// for p up to 24 and double precision up to 53 (DuckDB's FLOAT is a
// real); last is the index of the type's last token.
func floatTypeEdit(toks []token, j int) (edit, int, bool) {
	if j >= len(toks) || !isWord(toks[j], "float") {
		return edit{}, 0, false
	}
	if j+3 < len(toks) && isPunct(toks[j+1], "(") && toks[j+2].Kind == tokNumber && isPunct(toks[j+3], ")") {
		typ := "DOUBLE"
		if p, err := strconv.Atoi(toks[j+2].Value); err == nil && p >= 1 && p <= 24 {
			typ = "REAL"
		} else if err != nil || p < 1 || p > 53 {
			return edit{}, 0, false // PostgreSQL's error (22023) comes from DuckDB's own
		}
		return edit{toks[j].Pos, tokEnd(toks[j+3]), typ}, j + 3, true
	}
	return edit{toks[j].Pos, tokEnd(toks[j]), "DOUBLE"}, j, true
}

// isBitType: bit, bit varying or varbit as a type name.
func isBitType(t token) bool {
	return t.Kind == tokWord && (t.Value == "bit" || t.Value == "varbit")
}

// bitRefusal: PostgreSQL's bit(n) has a length that decides the bits a
// cast keeps (255::bit(8) is 11111111); DuckDB's BIT has none and would
// answer other bits (32 of them), so a cast to a bit string is refused.
func bitRefusal() error {
	return sqlstate.New(sqlstate.FeatureNotSupported, "bit strings (bit(n), bit varying) are not supported").
		WithHint("Use an integer and its bit operators (&, |, #, <<, >>) or to_hex().")
}

func charRefusal() error {
	return sqlstate.New(sqlstate.FeatureNotSupported, "character(n) (blank-padded) is not supported; use varchar(n) or text")
}

// castOpen finds the parenthesis of the CAST whose AS is toks[as]; -1 if
// the AS is not a CAST's.
func castOpen(toks []token, as int) int {
	depth := 0
	for k := as - 1; k >= 0; k-- {
		switch {
		case isPunct(toks[k], ")"):
			depth++
		case isPunct(toks[k], "("):
			if depth == 0 {
				if k > 0 && isWord(toks[k-1], "cast") {
					return k
				}
				return -1
			}
			depth--
		}
	}
	return -1
}

// operandStart is exprStart through a chain of casts (x::int::text is a
// cast of x::int).
func operandStart(toks []token, i int) int {
	start := exprStart(toks, i)
	if i > 0 && isPunct(toks[i-1], "]") {
		// ARRAY[…] or a subscript x[…]
		depth := 0
		for k := i - 1; k >= 0; k-- {
			if isPunct(toks[k], "]") {
				depth++
			} else if isPunct(toks[k], "[") {
				if depth--; depth == 0 {
					if k > 0 && isWord(toks[k-1], "array") {
						start = k - 1
					} else {
						start = exprStart(toks, k)
					}
					break
				}
			}
		}
	}
	if start > 0 && start == i-1 && toks[start].Kind == tokString && toks[start-1].Kind == tokWord && typedLiterals[toks[start-1].Value] {
		start-- // INTERVAL '1 day'
	}
	for start >= 1 && isPunct(toks[start-1], "::") {
		start = exprStart(toks, start-1)
	}
	return start
}

// typedLiterals are the type names that make a string literal typed.
var typedLiterals = map[string]bool{"interval": true, "date": true, "time": true, "timestamp": true, "timestamptz": true}

// varcharEdits rewrite the cast x::varchar or x::varchar(n) (x from
// toks[start], the :: at toks[at], the type ending at byte end) to
// mg_to_varchar(x[, n]): PostgreSQL's text form, truncated to n (a
// parameter is typed VARCHAR first).
func varcharEdits(toks []token, start, at, end int, n string) []edit {
	open, closing := "mg_to_varchar(", ")"
	if start == at-1 && toks[start].Kind == tokParam {
		open, closing = "mg_to_varchar(CAST(", " AS VARCHAR))"
	}
	if n != "" {
		closing = strings.TrimSuffix(closing, ")") + ", " + n + ")"
	}
	return []edit{{toks[start].Pos, toks[start].Pos, open}, {toks[at].Pos, end, closing}}
}

// castVarcharEdits rewrite CAST(x AS varchar[(n)]) (its parenthesis at
// toks[open], AS at toks[as], the cast ending at byte end) as varcharEdits
// do.
func castVarcharEdits(toks []token, open, as, end int, n string) []edit {
	repl := ")"
	if n != "" {
		repl = ", " + n + ")"
	}
	inner := toks[open+1]
	if open+2 == as && inner.Kind == tokParam {
		return []edit{{toks[open-1].Pos, tokEnd(toks[open]), "mg_to_varchar(CAST("}, {tokEnd(inner), end, " AS VARCHAR)" + repl}}
	}
	return []edit{{toks[open-1].Pos, tokEnd(toks[open]), "mg_to_varchar("}, {tokEnd(toks[as-1]), end, repl}}
}

// pgBoolLiteral is the boolean a string means to PostgreSQL's boolin
// (true, yes, on, 1 and unique prefixes; false, no, off, 0), as a DuckDB
// literal; "" when it means none (the cast then fails as PostgreSQL's).
func pgBoolLiteral(v string) string {
	s := strings.ToLower(strings.TrimSpace(v))
	switch {
	case s == "":
		return ""
	case s == "1" || strings.HasPrefix("true", s) || strings.HasPrefix("yes", s) || s == "on":
		return "'true'"
	case s == "0" || strings.HasPrefix("false", s) || strings.HasPrefix("no", s) || s == "off" || s == "of":
		return "'false'"
	}
	return ""
}
