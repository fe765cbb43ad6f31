package connectors

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/meshgate/meshgate/planner/catalog"
)

// pgCast is the PostgreSQL type a parameter is cast to for a declared
// column type, for the types whose predicates are pushed. FLOAT is left
// out on purpose: comparing a float4 column with a double value is exact
// in PostgreSQL but not in DuckDB, so a pushed predicate could drop rows
// the engine would keep. JSON, BLOB, INTERVAL and lists are not compared.
var pgCast = map[string]string{
	"BOOLEAN": "bool", "SMALLINT": "int2", "INTEGER": "int4", "BIGINT": "int8",
	"DOUBLE": "float8", "VARCHAR": "text", "UUID": "uuid", "DATE": "date", "TIME": "time",
	"TIMESTAMP": "timestamp", "TIMESTAMP WITH TIME ZONE": "timestamptz",
}

var (
	decimalTextRE = regexp.MustCompile(`^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d{1,3})?$`)
	uuidRE        = regexp.MustCompile(`^(?i)\{?[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}\}?$`)
	intRange      = map[string][2]int64{"SMALLINT": {math.MinInt16, math.MaxInt16}, "INTEGER": {math.MinInt32, math.MaxInt32}, "BIGINT": {math.MinInt64, math.MaxInt64}}
)

// pgParam renders a predicate value as the text form of a parameter for
// a column of the declared type, and the cast to write after it; ok is
// false when the value is not pushed (the engine applies the predicate).
func pgParam(typ string, v any) (text, cast string, ok bool) {
	cast, known := pgCast[typ]
	if strings.HasPrefix(typ, "DECIMAL(") {
		cast, known = "numeric", true
	}
	if !known {
		return "", "", false
	}
	switch v := v.(type) {
	case bool:
		if typ == "BOOLEAN" {
			return strconv.FormatBool(v), cast, true
		}
	case int64:
		if r, isInt := intRange[typ]; isInt {
			return strconv.FormatInt(v, 10), cast, v >= r[0] && v <= r[1]
		}
		if typ == "DOUBLE" || cast == "numeric" {
			return strconv.FormatInt(v, 10), cast, true
		}
	case int:
		return pgParam(typ, int64(v))
	case int32:
		return pgParam(typ, int64(v))
	case float64:
		if typ == "DOUBLE" && !math.IsNaN(v) && !math.IsInf(v, 0) {
			return strconv.FormatFloat(v, 'g', -1, 64), cast, true
		}
	case string:
		switch {
		case typ == "VARCHAR":
			return v, cast, !strings.ContainsRune(v, 0)
		case typ == "UUID":
			return v, cast, uuidRE.MatchString(v)
		case cast == "numeric":
			return v, cast, decimalTextRE.MatchString(v)
		case typ == "DATE":
			_, err := time.Parse("2006-01-02", v)
			return v, cast, err == nil
		case typ == "TIMESTAMP" || typ == "TIMESTAMP WITH TIME ZONE":
			for _, layout := range []string{"2006-01-02 15:04:05.999999", "2006-01-02 15:04:05.999999Z07:00", "2006-01-02 15:04:05.999999Z07", "2006-01-02"} {
				if _, err := time.Parse(layout, v); err == nil {
					return v, cast, true
				}
			}
		case typ == "DOUBLE":
			f, err := strconv.ParseFloat(v, 64)
			return v, cast, err == nil && !math.IsNaN(f) && !math.IsInf(f, 0)
		default:
			// An integer column given text (a parameter sent as text).
			if n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil {
				return pgParam(typ, n)
			}
		}
	case time.Time:
		switch typ {
		case "DATE":
			return v.Format("2006-01-02"), cast, v.Year() > 0 && v.Year() < 10000
		case "TIMESTAMP":
			return v.Format("2006-01-02 15:04:05.999999"), cast, v.Year() > 0 && v.Year() < 10000
		case "TIMESTAMP WITH TIME ZONE":
			return v.Format("2006-01-02 15:04:05.999999Z07:00"), cast, v.Year() > 0 && v.Year() < 10000
		case "TIME":
			return v.Format("15:04:05.999999"), cast, true
		}
	}
	return "", "", false
}

// buildQuery renders the source query of a request and its parameters
// (text format; each cast to the declared column's type in the SQL).
func (c *pgConnector) buildQuery(cols []catalog.Column, req Request) (string, [][]byte) {
	var sb strings.Builder
	sb.WriteString("SELECT ")
	for i, col := range cols {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString(pgx.Identifier{c.port.SourceName(col.Name)}.Sanitize())
	}
	sb.WriteString(" FROM ")
	sb.WriteString(c.tableName())
	var params [][]byte
	param := func(text, cast string) string {
		params = append(params, []byte(text))
		return fmt.Sprintf("$%d::%s", len(params), cast)
	}
	var conds []string
	exact := true
	for _, f := range req.Filters {
		col := c.p.Column(f.Column)
		if col == nil {
			exact = false
			continue
		}
		cond, ok := pgCondition(pgx.Identifier{c.port.SourceName(col.Name)}.Sanitize(), col.Type, f, param)
		if !ok {
			exact = false
			continue
		}
		conds = append(conds, cond)
	}
	if len(conds) > 0 {
		sb.WriteString(" WHERE ")
		sb.WriteString(strings.Join(conds, " AND "))
	}
	if req.Limit >= 0 && exact {
		sb.WriteString(" LIMIT ")
		sb.WriteString(param(strconv.FormatInt(req.Limit, 10), "int8"))
	}
	return sb.String(), params
}

// pgCondition renders one predicate, or ok false when it is not pushed.
// Parameters are only added when the whole predicate is pushed.
func pgCondition(ident, typ string, f Predicate, param func(text, cast string) string) (string, bool) {
	// String order differs between collations: compare in "C" (byte
	// order), which is DuckDB's, so no row the engine keeps is dropped.
	collate := ""
	if typ == "VARCHAR" {
		collate = ` COLLATE "C"`
	}
	texts := make([]string, len(f.Values))
	var cast string
	for i, v := range f.Values {
		t, c, ok := pgParam(typ, v)
		if !ok {
			return "", false
		}
		texts[i], cast = t, c
	}
	switch f.Op {
	case OpEq, OpNe, OpLt, OpLe, OpGt, OpGe:
		if len(texts) != 1 {
			return "", false
		}
		if f.Op == OpEq || f.Op == OpNe {
			collate = ""
		}
		return fmt.Sprintf("%s %s %s%s", ident, f.Op, param(texts[0], cast), collate), true
	case OpIn:
		if len(texts) == 0 {
			return "FALSE", true
		}
		ps := make([]string, len(texts))
		for i, t := range texts {
			ps[i] = param(t, cast)
		}
		return fmt.Sprintf("%s IN (%s)", ident, strings.Join(ps, ", ")), true
	case OpBetween:
		if len(texts) != 2 {
			return "", false
		}
		return fmt.Sprintf("%s BETWEEN %s%s AND %s%s", ident, param(texts[0], cast), collate, param(texts[1], cast), collate), true
	case OpIsNull, OpIsNotNull:
		return ident + " " + string(f.Op), true
	case OpLikePrefix:
		if typ != "VARCHAR" || len(texts) != 1 {
			return "", false
		}
		esc := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(texts[0])
		return fmt.Sprintf(`%s LIKE %s`, ident, param(esc+"%", "text")), true
	}
	return "", false
}
