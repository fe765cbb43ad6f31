package catalog

import (
	"fmt"
	"regexp"
	"strings"
)

var identRE = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)

// reserved holds the words PostgreSQL and DuckDB reserve: a name equal to
// one would need quoting in SQL, so it is not accepted.
var reserved = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`all analyse analyze and any array as asc asymmetric both case cast
	check collate column constraint create current_catalog current_date current_role current_time
	current_timestamp current_user default deferrable desc distinct do else end except false fetch
	for foreign from grant group having in initially intersect into lateral leading limit localtime
	localtimestamp not null offset on only or order placing primary references returning select
	session_user some symmetric table then to trailing true union unique user using variadic when
	where window with pivot unpivot qualify`) {
		reserved[w] = true
	}
}

// ValidName reports whether s can be used as a domain, product, port or
// column name: a lowercase SQL identifier [a-z_][a-z0-9_]* of at most 63
// characters that is not a reserved word, so SQL never needs to quote it.
func ValidName(s string) bool { return nameProblem(s) == "" }

// nameProblem returns why s is not a valid name, completing a sentence
// that starts with the name's role ("column ... "), or "".
func nameProblem(s string) string {
	switch {
	case s == "":
		return "is empty"
	case len(s) > 63:
		return fmt.Sprintf("%q is longer than 63 characters", s)
	case !identRE.MatchString(s):
		hint := ""
		if l := strings.ToLower(s); identRE.MatchString(l) {
			hint = fmt.Sprintf(" (use %q)", l)
		} else if r := strings.NewReplacer("-", "_", " ", "_", ".", "_").Replace(l); identRE.MatchString(r) {
			hint = fmt.Sprintf(" (use %q)", r)
		}
		return fmt.Sprintf("%q is not a valid name: use only lowercase letters, digits and underscores, not starting with a digit%s", s, hint)
	case reserved[s]:
		return fmt.Sprintf("%q is a reserved SQL word and would need quoting; choose another name", s)
	}
	return ""
}

// quoteLiteral quotes s as a SQL string literal.
func quoteLiteral(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// QuoteLiteral quotes s as a SQL string literal ('it”s').
func QuoteLiteral(s string) string { return quoteLiteral(s) }

// QuoteIdent quotes s as a SQL identifier ("order id").
func QuoteIdent(s string) string { return quoteIdent(s) }
