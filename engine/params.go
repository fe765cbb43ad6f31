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
		switch mapping.ParamType(stmt, i) {
		case mapping.TypeInvalid, mapping.TypeAny, mapping.TypeSQLNull:
			out[i-1] = true
		}
	}
	return out, nil
}
