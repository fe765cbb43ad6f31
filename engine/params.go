package engine

import (
	"context"

	"github.com/duckdb/duckdb-go/v2/mapping"
)

// UnresolvedParams prepares sql as Prepare does, without describing its
// result, and reports for each parameter ($1 first) whether DuckDB could
// not infer its type from the statement. While any parameter is
// unresolved DuckDB gives the whole result the type UNKNOWN, which
// Prepare refuses; the gateway then types those parameters as text, as
// PostgreSQL resolves an unknown parameter.
func (s *Session) UnresolvedParams(ctx context.Context, sql string) ([]bool, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	c, err := s.acquire()
	if err != nil {
		return nil, err
	}
	defer s.release(c)
	stmt, err := prepareOn(c, sql)
	if err != nil {
		return nil, err
	}
	defer mapping.DestroyPrepare(&stmt)
	np := mapping.NParams(stmt)
	out := make([]bool, np)
	for i := mapping.IdxT(1); i <= np; i++ {
		out[i-1] = untypedParam(stmt, i)
	}
	return out, nil
}

// untypedParam reports whether DuckDB could not infer the type of
// parameter i ($1 is 1) of a prepared statement.
func untypedParam(stmt mapping.PreparedStatement, i mapping.IdxT) bool {
	switch mapping.ParamType(stmt, i) {
	case mapping.TypeInvalid, mapping.TypeAny, mapping.TypeSQLNull:
		return true
	}
	return false
}

// firstUntyped is the number of the first parameter DuckDB could not type
// ($1 is 1), or 0.
func firstUntyped(stmt mapping.PreparedStatement) int {
	for i := mapping.IdxT(1); i <= mapping.NParams(stmt); i++ {
		if untypedParam(stmt, i) {
			return int(i)
		}
	}
	return 0
}
