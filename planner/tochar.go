package planner

import (
	"fmt"
	"strings"

	"github.com/meshgate/meshgate/internal/sqlquote"
)

// rewriteToChar: to_char(timestamp or date, format) with a literal format
// is DuckDB's strftime with the translated format (strftime takes a
// constant format), and the patterns strftime has no code for computed
// beside it. mg_ts (gateway/pgcatalog) makes the value a timestamp or
// refuses its type. A number format (9, 0, the separators, FM) is
// tocharnum.go's.
func rewriteToChar(c Call) (string, bool) {
	if len(c.Args) != 2 {
		return "", false
	}
	if !c.Args[1].IsLiteral {
		return refuse("0A000", "to_char with a format that is not a literal is not supported"), true
	}
	if f, ok := parseNumFormat(c.Args[1].Literal); ok {
		return numberCharExpr(c.Args[0].Text, f), true
	}
	expr, err := toCharExpr(typedArg("mg_ts", c.Args[0].Text), c.Args[1].Literal)
	if err != nil {
		return refuse("0A000", "to_char: %v", err), true
	}
	return "mg_to_char" + expr, true // mg_to_char names the column to_char
}

// charPatterns are PostgreSQL's to_char patterns with a strftime code
// (fill mode, FM, drops the leading zeros: %-d), longest first; the
// numeric ones in any case.
var charPatterns = []struct{ pg, code, fm string }{
	{"HH24", "%H", "%-H"}, {"HH12", "%I", "%-I"}, {"HH", "%I", "%-I"}, {"YYYY", "%Y", "%Y"}, {"YY", "%y", "%-y"},
	{"MS", "%g", "%g"}, {"US", "%f", "%f"}, {"MI", "%M", "%-M"}, {"SS", "%S", "%-S"}, {"DDD", "%j", "%-j"},
	{"MM", "%m", "%-m"}, {"DD", "%d", "%-d"},
}

// namePatterns print a name: the case of the pattern is the case of the
// name; Month and Day are blank-padded to 9 characters without FM.
var namePatterns = []struct {
	pg, code string
	pad      bool
}{{"MONTH", "%B", true}, {"MON", "%b", false}, {"DAY", "%A", true}, {"DY", "%a", false}}

// toCharExpr translates format into an expression over the timestamp x.
func toCharExpr(x, format string) (string, error) {
	var parts []string
	var code strings.Builder // strftime codes not yet written
	flush := func() {
		if code.Len() > 0 {
			parts = append(parts, "strftime("+x+", "+sqlquote.Literal(code.String())+")")
			code.Reset()
		}
	}
	add := func(expr string) { flush(); parts = append(parts, expr) }
	fm := false
next:
	for i := 0; i < len(format); {
		rest := format[i:]
		if len(rest) >= 2 && strings.EqualFold(rest[:2], "FM") {
			fm, i = true, i+2
			continue
		}
		wasFM := fm
		fm = false
		if rest[0] == '"' {
			j := strings.IndexByte(rest[1:], '"')
			if j < 0 {
				return "", fmt.Errorf("unterminated quoted text in format %q", format)
			}
			code.WriteString(strings.ReplaceAll(rest[1:1+j], "%", "%%"))
			i += j + 2
			continue
		}
		if hasFoldPrefix(rest, "SSSS") {
			return "", fmt.Errorf("format pattern at %q is not supported", rest)
		}
		for _, p := range charPatterns {
			if hasFoldPrefix(rest, p.pg) {
				if wasFM {
					code.WriteString(p.fm)
				} else {
					code.WriteString(p.code)
				}
				i += len(p.pg)
				continue next
			}
		}
		for _, p := range namePatterns {
			if !hasFoldPrefix(rest, p.pg) {
				continue
			}
			written := rest[:len(p.pg)]
			expr := "strftime(" + x + ", " + sqlquote.Literal(p.code) + ")"
			if p.pad && !wasFM {
				expr = "rpad(" + expr + ", 9, ' ')"
			}
			switch written {
			case strings.ToUpper(written):
				expr = "upper(" + expr + ")"
			case strings.ToLower(written):
				expr = "lower(" + expr + ")"
			case strings.ToUpper(written[:1]) + strings.ToLower(written[1:]):
			default:
				return "", fmt.Errorf("format pattern at %q is not supported", rest)
			}
			add(expr)
			i += len(p.pg)
			continue next
		}
		switch {
		case hasFoldPrefix(rest, "D"):
			add("CAST(dayofweek(" + x + ") + 1 AS VARCHAR)")
		case hasFoldPrefix(rest, "Q"):
			add("CAST(quarter(" + x + ") AS VARCHAR)")
		case strings.HasPrefix(rest, "AM") || strings.HasPrefix(rest, "PM"):
			code.WriteString("%p")
			i++
		case strings.HasPrefix(rest, "am") || strings.HasPrefix(rest, "pm"):
			add("lower(strftime(" + x + ", '%p'))")
			i++
		case rest[0] >= 'a' && rest[0] <= 'z' || rest[0] >= 'A' && rest[0] <= 'Z':
			return "", fmt.Errorf("format pattern at %q is not supported", rest)
		case rest[0] == '%':
			code.WriteString("%%")
		default:
			code.WriteByte(rest[0])
		}
		i++
	}
	flush()
	if len(parts) == 0 {
		return "(CAST(NULL AS VARCHAR))", nil
	}
	return "(" + strings.Join(parts, " || ") + ")", nil
}

func hasFoldPrefix(s, p string) bool { return len(s) >= len(p) && strings.EqualFold(s[:len(p)], p) }

// rewriteSum: sum of int2 or int4 is an int8 in PostgreSQL (mg_sum),
// DuckDB's a hugeint; windowed, filtered and DISTINCT sums keep DuckDB's.
func rewriteSum(c Call) (string, bool) { return rewriteAggregate(c, "mg_sum") }

// rewriteAvg: avg of integers is an exact numeric in PostgreSQL (mg_avg,
// gateway/pgcatalog); DuckDB's avg is a double. A windowed or filtered
// avg, or avg(DISTINCT …), keeps DuckDB's (README: known differences).
func rewriteAvg(c Call) (string, bool) { return rewriteAggregate(c, "mg_avg") }

// rewriteAggregate calls the macro of a plain one-argument aggregate call.
func rewriteAggregate(c Call, macro string) (string, bool) {
	if c.Windowed || len(c.Args) != 1 {
		return "", false
	}
	if w := strings.ToLower(strings.TrimSpace(c.Args[0].Text)); strings.HasPrefix(w, "distinct ") || strings.HasPrefix(w, "all ") || strings.Contains(w, " order by ") {
		return "", false
	}
	return macro + "(" + c.Args[0].Text + ")", true
}
