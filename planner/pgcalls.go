package planner

import (
	"fmt"
	"strings"

	"github.com/meshgate/meshgate/internal/sqlquote"
)

// The rewrites of FunctionRewrites whose PostgreSQL meaning needs the
// call's place or a literal argument: generate_series (a set with
// PostgreSQL's element types, in the select list or as a FROM item),
// to_date and to_timestamp with a format (DuckDB's strptime takes a
// constant format, translated here), and SIMILAR TO patterns.

// rewriteGenerateSeries: generate_series is a set of int4 over integers, of
// timestamptz over dates (mg_series, gateway/pgcatalog). An untyped
// literal step is an interval, as PostgreSQL resolves it.
func rewriteGenerateSeries(c Call) (string, bool) {
	if len(c.Args) < 2 || len(c.Args) > 3 {
		return "", false
	}
	texts := make([]string, len(c.Args))
	for i, a := range c.Args {
		texts[i] = a.Text
	}
	if len(c.Args) == 3 && c.Args[2].IsLiteral {
		texts[2] = "CAST(" + texts[2] + " AS INTERVAL)"
	}
	set := "unnest(mg_series(" + strings.Join(texts, ", ") + "))"
	if !c.FromItem {
		return set, true
	}
	// A FROM item is a subquery, not DuckDB's unnest table function: a
	// table function's arguments cannot hold subqueries, and catalog
	// functions such as current_setting() are subqueries (Grafana's table
	// list: generate_series(array_lower(string_to_array(current_setting(…)…)…)…)).
	if !c.Aliased {
		return "(SELECT " + set + " AS generate_series) AS generate_series(generate_series)", true
	}
	col := "generate_series"
	if c.Alias != "" {
		col = c.Alias
	}
	return "(SELECT " + set + " AS " + sqlquote.Ident(col) + ")", true
}

func rewriteToDate(c Call) (string, bool) { return rewriteStrptime(c, "to_date", "DATE") }

func rewriteToTimestamp(c Call) (string, bool) {
	if len(c.Args) == 1 {
		return "", false // to_timestamp(epoch seconds): DuckDB's own
	}
	return rewriteStrptime(c, "to_timestamp", "TIMESTAMPTZ")
}

// rewriteStrptime maps f(text, format) onto strptime with the translated
// format; a format that is not a literal or has a pattern not mapped is
// 0A000.
func rewriteStrptime(c Call, name, typ string) (string, bool) {
	if len(c.Args) != 2 {
		return "", false
	}
	if !c.Args[1].IsLiteral {
		return refuse("0A000", "%s with a format that is not a literal is not supported", name), true
	}
	f, err := strptimeFormat(c.Args[1].Literal)
	if err != nil {
		return refuse("0A000", "%s: %v", name, err), true
	}
	// mg_to_date/mg_to_timestamp name the column as PostgreSQL does.
	return "mg_" + name + "(CAST(strptime(" + c.Args[0].Text + ", " + sqlquote.Literal(f) + ") AS " + typ + "))", true
}

// datePatterns are the PostgreSQL format patterns strptime can read,
// longest first; the numeric ones in any case, the names as written.
var datePatterns = []struct {
	pg, strptime string
	anyCase      bool
}{
	{"FM", "", true}, {"HH24", "%H", true}, {"HH12", "%I", true}, {"HH", "%I", true}, {"YYYY", "%Y", true},
	{"YY", "%y", true}, {"MS", "%g", true}, {"US", "%f", true}, {"MI", "%M", true}, {"SS", "%S", true},
	{"DDD", "%j", true}, {"MONTH", "%B", false}, {"Month", "%B", false}, {"month", "%B", false},
	{"MON", "%b", false}, {"Mon", "%b", false}, {"mon", "%b", false}, {"MM", "%m", true}, {"DD", "%d", true},
	{"AM", "%p", false}, {"PM", "%p", false},
}

// strptimeFormat translates a PostgreSQL to_date/to_timestamp format into
// a strptime format; any other letter is a pattern that is not supported.
func strptimeFormat(f string) (string, error) {
	var b strings.Builder
next:
	for i := 0; i < len(f); {
		if f[i] == '"' {
			j := strings.IndexByte(f[i+1:], '"')
			if j < 0 {
				return "", fmt.Errorf("unterminated quoted text in format %q", f)
			}
			b.WriteString(strings.ReplaceAll(f[i+1:i+1+j], "%", "%%"))
			i += j + 2
			continue
		}
		for _, p := range datePatterns {
			if len(f)-i >= len(p.pg) && (f[i:i+len(p.pg)] == p.pg || p.anyCase && strings.EqualFold(f[i:i+len(p.pg)], p.pg)) {
				b.WriteString(p.strptime)
				i += len(p.pg)
				continue next
			}
		}
		switch ch := f[i]; {
		case ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z':
			return "", fmt.Errorf("format pattern at %q is not supported", f[i:])
		case ch == '%':
			b.WriteString("%%")
		default:
			b.WriteByte(ch)
		}
		i++
	}
	return b.String(), nil
}

// similarRegex translates an SQL regular expression (SIMILAR TO) into
// the regular expression DuckDB matches against the whole string: % is
// .*, _ is ., a backslash escapes, . ^ $ are literal; the rest (| * + ?
// {} () []) means what it means in both.
func similarRegex(p string) string {
	var b strings.Builder
	inBracket := false
	for i := 0; i < len(p); i++ {
		ch := p[i]
		switch {
		case ch == '\\' && i+1 < len(p):
			i++
			if strings.ContainsRune(`.^$*+?()[]{}|\`, rune(p[i])) {
				b.WriteByte('\\')
			}
			b.WriteByte(p[i])
		case inBracket:
			if ch == ']' {
				inBracket = false
			}
			b.WriteByte(ch)
		case ch == '[':
			inBracket = true
			b.WriteByte(ch)
		case ch == '%':
			b.WriteString(".*")
		case ch == '_':
			b.WriteByte('.')
		case ch == '.' || ch == '^' || ch == '$':
			b.WriteByte('\\')
			b.WriteByte(ch)
		default:
			b.WriteByte(ch)
		}
	}
	return b.String()
}
