package catalog

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/meshgate/meshgate/internal/strictyaml"
)

// typeAliases maps every accepted spelling (lowercase, single spaces) of a
// scalar type to its canonical DuckDB spelling.
var typeAliases = map[string]string{
	"boolean": "BOOLEAN", "bool": "BOOLEAN", "logical": "BOOLEAN",
	"tinyint": "TINYINT", "int1": "TINYINT",
	"smallint": "SMALLINT", "int2": "SMALLINT", "short": "SMALLINT",
	"integer": "INTEGER", "int": "INTEGER", "int4": "INTEGER", "signed": "INTEGER",
	"bigint": "BIGINT", "int8": "BIGINT", "long": "BIGINT",
	"hugeint": "HUGEINT", "int128": "HUGEINT",
	"utinyint": "UTINYINT", "usmallint": "USMALLINT", "uinteger": "UINTEGER",
	"ubigint": "UBIGINT", "uhugeint": "UHUGEINT",
	"real": "FLOAT", "float": "FLOAT", "float4": "FLOAT",
	"double": "DOUBLE", "float8": "DOUBLE", "double precision": "DOUBLE",
	"varchar": "VARCHAR", "text": "VARCHAR", "string": "VARCHAR", "char": "VARCHAR",
	"bpchar": "VARCHAR", "character": "VARCHAR", "character varying": "VARCHAR", "nvarchar": "VARCHAR",
	"blob": "BLOB", "bytea": "BLOB", "binary": "BLOB", "varbinary": "BLOB",
	"date": "DATE",
	"time": "TIME", "time without time zone": "TIME",
	"timetz": "TIME WITH TIME ZONE", "time with time zone": "TIME WITH TIME ZONE",
	"timestamp": "TIMESTAMP", "datetime": "TIMESTAMP", "timestamp without time zone": "TIMESTAMP",
	"timestamptz": "TIMESTAMP WITH TIME ZONE", "timestamp with time zone": "TIMESTAMP WITH TIME ZONE",
	"timestamp_s": "TIMESTAMP_S", "timestamp_ms": "TIMESTAMP_MS", "timestamp_ns": "TIMESTAMP_NS",
	"interval": "INTERVAL",
	"uuid":     "UUID",
	"json":     "JSON", "jsonb": "JSON",
}

// UnconstrainedNumeric is the type of a numeric declared without a
// precision. DuckDB's own default, DECIMAL(18,3), would drop every digit
// past the third decimal without an error; 38 digits of which 16 decimals
// keep what PostgreSQL shows of averages and quotients and any bigint
// sum. A value that does not fit is an error (22003), never rounded.
const UnconstrainedNumeric = "DECIMAL(38,16)"

var (
	decimalRE = regexp.MustCompile(`^(?:decimal|numeric|dec)\s*(?:\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\))?$`)
	lengthRE  = regexp.MustCompile(`^(varchar|character varying|char|character|bpchar|nvarchar)\s*\(\s*\d+\s*\)$`)
	spaceRE   = regexp.MustCompile(`\s+`)
)

// CanonicalType normalises a declared or DuckDB-reported SQL type to the
// spelling DuckDB reports (DESCRIBE): "int8" → "BIGINT", "numeric(12,2)" →
// "DECIMAL(12,2)", "timestamp with time zone" and "timestamptz" →
// "TIMESTAMP WITH TIME ZONE", "text[]" → "VARCHAR[]". Length limits of
// character types are dropped, as DuckDB does. Nested STRUCT and MAP types
// are not supported.
func CanonicalType(sqlType string) (string, error) {
	t := strings.ToLower(strings.TrimSpace(spaceRE.ReplaceAllString(sqlType, " ")))
	if t == "" {
		return "", fmt.Errorf("the type is empty")
	}
	if inner, ok := strings.CutSuffix(t, "[]"); ok {
		c, err := CanonicalType(inner)
		if err != nil {
			return "", err
		}
		return c + "[]", nil
	}
	if c, ok := typeAliases[t]; ok {
		return c, nil
	}
	if m := decimalRE.FindStringSubmatch(t); m != nil {
		if m[1] == "" {
			return UnconstrainedNumeric, nil
		}
		p, _ := strconv.Atoi(m[1])
		s := 0
		if m[2] != "" {
			s, _ = strconv.Atoi(m[2])
		}
		if p < 1 || p > 38 {
			return "", fmt.Errorf("the precision of %q must be between 1 and 38", sqlType)
		}
		if s > p {
			return "", fmt.Errorf("the scale of %q must not exceed its precision %d", sqlType, p)
		}
		return fmt.Sprintf("DECIMAL(%d,%d)", p, s), nil
	}
	if lengthRE.MatchString(t) {
		return "VARCHAR", nil
	}
	return "", fmt.Errorf("%q is not a known SQL type%s", strings.TrimSpace(sqlType), typeHint(t))
}

func typeHint(t string) string {
	names := make([]string, 0, len(typeAliases))
	for k := range typeAliases {
		names = append(names, k)
	}
	sort.Strings(names)
	if c := strictyaml.Closest(t, names); c != "" {
		return fmt.Sprintf("; did you mean %q?", c)
	}
	return " (use one of boolean, smallint, integer, bigint, hugeint, real, double, decimal(p,s), varchar, blob, date, time, timestamp, timestamptz, interval, uuid, json, or a list T[])"
}

// typeFamily groups canonical types for the compatibility check of text
// ports (csv, json), whose types DuckDB can only guess.
func typeFamily(t string) string {
	switch {
	case strings.HasSuffix(t, "[]"):
		return "list"
	case t == "TINYINT" || t == "SMALLINT" || t == "INTEGER" || t == "BIGINT" || t == "HUGEINT" ||
		t == "UTINYINT" || t == "USMALLINT" || t == "UINTEGER" || t == "UBIGINT" || t == "UHUGEINT":
		return "integer"
	case t == "FLOAT" || t == "DOUBLE" || strings.HasPrefix(t, "DECIMAL"):
		return "number"
	case strings.HasPrefix(t, "TIMESTAMP"):
		return "timestamp"
	}
	return t
}

// textCompatible reports whether a column DuckDB sniffed as actual in a
// text file (csv, json) can be read as the declared type: the engine reads
// text ports with the declared types, so a guess that is merely less
// specific (VARCHAR for a UUID, BIGINT for an INTEGER, DOUBLE for a
// DECIMAL, TIMESTAMP for a TIMESTAMPTZ, DATE for a TIMESTAMP) is no drift.
func textCompatible(declared, actual string) bool {
	if declared == actual || actual == "VARCHAR" || actual == "JSON" {
		return true
	}
	df, af := typeFamily(declared), typeFamily(actual)
	switch {
	case df == af && df != "list":
		return true
	case df == "number" && af == "integer":
		return true
	case df == "timestamp" && actual == "DATE":
		return true
	case df == "list" && af == "list":
		return textCompatible(strings.TrimSuffix(declared, "[]"), strings.TrimSuffix(actual, "[]"))
	}
	return false
}
