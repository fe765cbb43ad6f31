package connectors

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/meshgate/meshgate/planner/catalog"
)

// Op is a comparison a connector may push to its source.
type Op string

// The operators of pushable predicates.
const (
	OpEq         Op = "="
	OpNe         Op = "<>"
	OpLt         Op = "<"
	OpLe         Op = "<="
	OpGt         Op = ">"
	OpGe         Op = ">="
	OpIn         Op = "IN"          // Values: the list
	OpBetween    Op = "BETWEEN"     // Values: low, high
	OpIsNull     Op = "IS NULL"     // no values
	OpIsNotNull  Op = "IS NOT NULL" // no values
	OpLikePrefix Op = "LIKE PREFIX" // Values: the prefix (LIKE 'prefix%')
)

// Predicate is one condition on one raw column of the product. Values are
// Go values of the column's type: int64, float64, string, bool, time.Time
// (dates, timestamps), or a decimal as string.
type Predicate struct {
	Column string
	Op     Op
	Values []any
}

// Request is what a query needs of a port: the columns (nil: all declared
// columns), a conjunction of predicates, and a row limit (< 0: none; only
// set when the query's LIMIT applies to this product alone, unfiltered
// after the scan).
type Request struct {
	Columns []string
	Filters []Predicate
	Limit   int64
	// Identity is the end user the scan is for; a gateway port holding a
	// delegation key speaks for them (gateway.go). nil: the port's own
	// credentials alone.
	Identity *Identity
}

// Connector reads one remote port.
type Connector interface {
	// Scan streams the rows of the port as Arrow batches whose schema is
	// the requested columns, in the product's declared order and types.
	// It honours ctx (cancel stops the source query). Rows that do not
	// match the predicates may be returned; rows that match must be.
	// A source that is down or refuses answers a *sqlstate.Error naming
	// the product and port (08001/08006/57014); a source whose schema no
	// longer matches the descriptor answers one naming the column.
	Scan(ctx context.Context, req Request) (array.RecordReader, error)
	// Describe reads the source's real schema, in the descriptor's
	// canonical types (for validation and drift checks).
	Describe(ctx context.Context) ([]catalog.Column, error)
	// Close frees the connector (its connection pool).
	Close()
}

// Secrets resolves a credential reference of a descriptor ("env:NAME" or
// "file:PATH#key") to its value. Credentials never appear inline.
type Secrets interface {
	Lookup(ref string) (string, error)
}
