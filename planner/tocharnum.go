package planner

import (
	"strconv"
	"strings"

	"github.com/meshgate/meshgate/internal/sqlquote"
)

// to_char of a number with a literal format of PostgreSQL's digit
// patterns (formatting.c): 9 (a digit, a leading zero blank), 0 (a digit,
// leading zeros kept from there on), , or G (a group separator, blank
// before the first digit), . or D (the decimal point), and an FM prefix
// (fill mode: no padding, no trailing zeros where the fraction is 9s).
// The value is rounded to the pattern's decimals (a numeric half away
// from zero, a float as printf rounds its binary value, as PostgreSQL
// does); the sign takes one place before the first digit; a value with
// more integer digits than the pattern is all #. Other patterns (S, MI,
// PR, L, V, EEEE, RN, TH) are 0A000.

// numFormat is a parsed number format.
type numFormat struct {
	fm       bool
	intPart  string // 9, 0 and , of the integer part
	point    bool
	fraction string // 9 and 0 after the point
}

// parseNumFormat reads format as a number format; ok false when it is
// not one (then it may be a date format).
func parseNumFormat(format string) (numFormat, bool) {
	var f numFormat
	rest := format
	if len(rest) >= 2 && strings.EqualFold(rest[:2], "FM") {
		f.fm, rest = true, rest[2:]
	}
	digits := 0
	for i := 0; i < len(rest); i++ {
		switch c := rest[i]; {
		case (c == '9' || c == '0') && !f.point:
			f.intPart += string(c)
			digits++
		case (c == '9' || c == '0') && f.point:
			f.fraction += string(c)
			digits++
		case (c == ',' || c == 'G' || c == 'g') && !f.point:
			f.intPart += ","
		case (c == '.' || c == 'D' || c == 'd') && !f.point:
			f.point = true
		default:
			return numFormat{}, false
		}
	}
	if f.fraction == "" {
		f.point = false // a point with no digits after it is not printed
	}
	return f, digits > 0
}

// numberCharExpr is the expression of to_char(x, f).
func numberCharExpr(x string, f numFormat) string {
	q := strconv.Itoa(len(f.fraction))
	// p[1]: the integer digits ('' for a zero integer part before a
	// point), p[2]: the fraction's digits, p[3]: '-' or ' '.
	// (Through the text of the value: a cast of another type binds, and is
	// refused when it runs.)
	text := "CASE WHEN typeof(mg_v) IN ('DOUBLE', 'FLOAT') THEN printf('%." + q + "f', mg_v) " +
		"WHEN typeof(mg_v) LIKE 'DECIMAL%' OR typeof(mg_v) IN ('TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT', 'HUGEINT', 'UTINYINT', 'USMALLINT', 'UINTEGER', 'UBIGINT') " +
		"THEN CAST(CAST(CAST(mg_v AS VARCHAR) AS DECIMAL(38," + q + ")) AS VARCHAR) " +
		"ELSE error('[0A000] to_char of a value of type ' || typeof(mg_v) || ' with a number format is not supported') END"
	zeroInt := "'0'"
	if f.point {
		zeroInt = "''"
	}
	parts := "list_transform([" + text + "], mg_s -> list_transform([[CASE WHEN split_part(ltrim(mg_s, '-'), '.', 1) = '0' THEN " + zeroInt +
		" ELSE split_part(ltrim(mg_s, '-'), '.', 1) END, split_part(mg_s, '.', 2), CASE WHEN starts_with(mg_s, '-') THEN '-' ELSE ' ' END]], p -> "

	// The integer field, position by position: rank r counts digit
	// positions from the right; zero is whether a 0 is at or before it.
	nDigits := strings.Count(f.intPart, "9") + strings.Count(f.intPart, "0")
	var fields []string
	rank, zero := nDigits, false
	prevRank, prevZero := 0, false // the digit position before a separator
	for _, c := range f.intPart {
		switch c {
		case ',':
			if prevRank == 0 {
				fields = append(fields, "' '")
				continue
			}
			blank := "' '"
			if prevZero {
				blank = "','"
			}
			fields = append(fields, "CASE WHEN length(p[1]) >= "+strconv.Itoa(prevRank)+" THEN ',' ELSE "+blank+" END")
		default:
			zero = zero || c == '0'
			blank := "' '"
			if zero {
				blank = "'0'"
			}
			r := strconv.Itoa(rank)
			fields = append(fields, "CASE WHEN length(p[1]) >= "+r+" THEN p[1][length(p[1]) - "+r+" + 1] ELSE "+blank+" END")
			prevRank, prevZero = rank, zero
			rank--
		}
	}
	intField := "''"
	if len(fields) > 0 {
		intField = strings.Join(fields, " || ")
	}
	frac := ""
	if f.point {
		frac = " || '.'"
		if f.fraction != "" {
			if f.fm {
				// Trailing zeros go where the fraction's pattern ends in 9s.
				nines := len(f.fraction) - len(strings.TrimRight(f.fraction, "9"))
				keep := strconv.Itoa(len(f.fraction) - nines)
				frac += " || p[2][1:" + keep + "] || rtrim(p[2][" + keep + " + 1:], '0')"
			} else {
				frac += " || p[2]"
			}
		}
	}
	var value string
	if f.fm {
		value = "(CASE WHEN p[3] = '-' THEN '-' ELSE '' END) || ltrim(mg_i)" + frac
	} else {
		value = "repeat(' ', length(mg_i) - length(ltrim(mg_i))) || p[3] || ltrim(mg_i)" + frac
	}
	sign := "p[3]"
	if f.fm {
		sign = "(CASE WHEN p[3] = '-' THEN '-' ELSE '' END)"
	}
	body := "CASE WHEN length(p[1]) > " + strconv.Itoa(nDigits) + " THEN " + sign + " || " + sqlquote.Literal(overflowText(f)) +
		" ELSE list_transform([" + intField + "], mg_i -> " + value + ")[1] END"
	return "mg_to_char(list_transform([" + x + "], mg_v -> CASE WHEN mg_v IS NULL THEN NULL ELSE " +
		parts + body + ")[1])[1] END)[1])"
}

// overflowText is what PostgreSQL prints after the sign for a value with
// more integer digits than the format: every digit a #.
func overflowText(f numFormat) string {
	var sb strings.Builder
	for _, c := range f.intPart {
		if c == ',' {
			sb.WriteByte(',')
		} else {
			sb.WriteByte('#')
		}
	}
	if f.point {
		sb.WriteByte('.')
		sb.WriteString(strings.Repeat("#", len(f.fraction)))
	}
	return sb.String()
}
