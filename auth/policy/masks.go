package policy

import (
	"fmt"
	"strings"

	"github.com/meshgate/meshgate/internal/sqlquote"
	"github.com/meshgate/meshgate/planner/catalog"
)

// MaskKeySQL is the scalar subquery that yields the mesh's secret hash
// key. The key lives in a table of the engine's internal catalog, so it
// never appears in SQL text, plans or errors.
const MaskKeySQL = "(SELECT k FROM memory.mg_secret.mask_key)"

func isText(t string) bool { return t == "VARCHAR" }

func isInteger(t string) bool {
	switch t {
	case "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT":
		return true
	}
	return false
}

func isNumber(t string) bool {
	return isInteger(t) || t == "FLOAT" || t == "DOUBLE" || strings.HasPrefix(t, "DECIMAL")
}

func isTemporal(t string) bool {
	return t == "DATE" || strings.HasPrefix(t, "TIMESTAMP")
}

// intMax is the largest value of an integer type used as a hash modulus.
func intMax(t string) string {
	switch t {
	case "TINYINT":
		return "127"
	case "SMALLINT":
		return "32767"
	case "INTEGER":
		return "2147483647"
	case "UTINYINT":
		return "255"
	case "USMALLINT":
		return "65535"
	case "UINTEGER":
		return "4294967295"
	}
	return "4611686018427387903"
}

// redactText is the redact mask of a text column: every letter and digit
// of every script goes (Unicode categories L and N, as DuckDB's RE2 knows
// them). Upper- and title-case letters read X, every other letter
// (lowercase, and the caseless letters of CJK, Arabic, Hebrew, Indic…
// scripts) x, every digit (ASCII or not: ٣, १, ², Ⅻ) 0, and combining
// marks (accents, vowel signs), which belong to the letter before them, are
// dropped. Spaces, punctuation and symbols (emoji among them) stay, so the
// value keeps its shape. The letter classes are disjoint, so the order of
// the passes does not matter; the result is VARCHAR, like the column.
const redactText = `regexp_replace(regexp_replace(regexp_replace(regexp_replace(%s, '\pM', '', 'g'), '[\p{Lu}\p{Lt}]', 'X', 'g'), '[\p{Ll}\p{Lm}\p{Lo}]', 'x', 'g'), '\pN', '0', 'g')`

// maskSQL is the expression a mask puts in place of a column; it keeps
// the column's type (c.Type is DuckDB's canonical spelling).
func maskSQL(m Mask, c catalog.Column) (string, error) {
	col := sqlquote.Ident(c.Name)
	t := c.Type
	switch m.Kind {
	case "null":
		return fmt.Sprintf("CAST(NULL AS %s)", t), nil
	case "redact":
		switch {
		case isText(t):
			return fmt.Sprintf(redactText, col), nil
		case isNumber(t):
			return fmt.Sprintf("CASE WHEN %s IS NULL THEN NULL ELSE CAST(0 AS %s) END", col, t), nil
		case isTemporal(t):
			return fmt.Sprintf("CASE WHEN %s IS NULL THEN NULL ELSE CAST(DATE '1970-01-01' AS %s) END", col, t), nil
		case t == "UUID":
			return fmt.Sprintf("CASE WHEN %s IS NULL THEN NULL ELSE UUID '00000000-0000-0000-0000-000000000000' END", col), nil
		case strings.HasSuffix(t, "[]"):
			return fmt.Sprintf("CASE WHEN %s IS NULL THEN NULL ELSE CAST([] AS %s) END", col, t), nil
		}
		return fmt.Sprintf("CAST(NULL AS %s)", t), nil
	case "hash":
		switch {
		case isText(t):
			return fmt.Sprintf("sha256(%s || %s)", MaskKeySQL, col), nil
		case isInteger(t):
			return fmt.Sprintf("CAST(hash(%s || CAST(%s AS VARCHAR)) %% %s AS %s)", MaskKeySQL, col, intMax(t), t), nil
		}
		return "", fmt.Errorf("a hash mask applies to text and integer columns, and %s is %s", c.Name, t)
	case "partial":
		if !isText(t) {
			return "", fmt.Errorf("a partial mask applies to text columns, and %s is %s", c.Name, t)
		}
		n := m.ShowFirst + m.ShowLast
		keep := ""
		switch {
		case m.ShowFirst > 0 && m.ShowLast > 0:
			keep = fmt.Sprintf("left(%s, %d) || repeat('x', length(%s) - %d) || right(%s, %d)", col, m.ShowFirst, col, n, col, m.ShowLast)
		case m.ShowFirst > 0:
			keep = fmt.Sprintf("left(%s, %d) || repeat('x', length(%s) - %d)", col, m.ShowFirst, col, n)
		default:
			keep = fmt.Sprintf("repeat('x', length(%s) - %d) || right(%s, %d)", col, n, col, m.ShowLast)
		}
		return fmt.Sprintf("CASE WHEN length(%s) <= %d THEN repeat('x', length(%s)) ELSE %s END", col, n, col, keep), nil
	case "round", "truncate":
		switch {
		case isNumber(t):
			if m.Kind == "round" {
				return fmt.Sprintf("CAST(round(%s, %d) AS %s)", col, m.Digits, t), nil
			}
			return fmt.Sprintf("CAST(trunc(%s * pow(10, %d)) / pow(10, %d) AS %s)", col, m.Digits, m.Digits, t), nil
		case isTemporal(t):
			unit := m.Unit
			if unit == "" {
				unit = "month"
			}
			switch unit {
			case "year", "quarter", "month", "week", "day", "hour", "minute":
			default:
				return "", fmt.Errorf("unit %q is not one of year, quarter, month, week, day, hour, minute", unit)
			}
			return fmt.Sprintf("CAST(date_trunc('%s', %s) AS %s)", unit, col, t), nil
		}
		return "", fmt.Errorf("a %s mask applies to numbers, dates and timestamps, and %s is %s", m.Kind, c.Name, t)
	case "sql":
		return "(" + m.SQL + ")", nil
	}
	return "", fmt.Errorf("unknown mask kind %q", m.Kind)
}
