package catalog

import (
	"regexp"
	"strconv"
	"strings"
)

// PostgreSQL type OIDs of the declared types DuckDB's own types do not
// tell apart.
const (
	OIDBpchar  uint32 = 1042
	OIDVarchar uint32 = 1043
	OIDNumeric uint32 = 1700
)

var charLengthRE = regexp.MustCompile(`^(varchar|character varying|char|character|bpchar)\s*(?:\(\s*(\d+)\s*\))?$`)

// DeclaredPGType is the PostgreSQL type OID and type modifier of a declared
// column type where DuckDB's type alone does not tell them: the character
// types with a length (DuckDB has one VARCHAR) and an
// unconstrained numeric (UnconstrainedNumeric in DuckDB, typmod -1 in
// PostgreSQL). ok is false for every other type, whose DuckDB type says
// it.
func DeclaredPGType(sqlType string) (oid uint32, typmod int32, ok bool) {
	t := strings.ToLower(strings.TrimSpace(spaceRE.ReplaceAllString(sqlType, " ")))
	if m := decimalRE.FindStringSubmatch(t); m != nil && m[1] == "" {
		return OIDNumeric, -1, true
	}
	m := charLengthRE.FindStringSubmatch(t)
	if m == nil {
		return 0, 0, false
	}
	oid = OIDVarchar
	if m[1] == "char" || m[1] == "character" || m[1] == "bpchar" {
		oid = OIDBpchar
	}
	if m[2] == "" {
		return 0, 0, false // varchar without a length is DuckDB's VARCHAR, served as text
	}
	n, err := strconv.Atoi(m[2])
	if err != nil {
		return 0, 0, false
	}
	return oid, int32(n) + 4, true
}
