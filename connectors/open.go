package connectors

import (
	"context"
	"errors"
	"fmt"

	"github.com/meshgate/meshgate/planner/catalog"
	"github.com/meshgate/meshgate/sqlstate"
)

// Open returns the connector of a remote port of product p (port.Type
// postgres, http or gateway). It resolves the port's credentials through secrets
// and prepares the connection pool, but does not connect: a source that
// is down makes Scan and Describe fail, not Open. Errors are
// *sqlstate.Error (F0000 for a port that cannot be configured).
func Open(ctx context.Context, p *catalog.Product, port *catalog.Port, secrets Secrets) (Connector, error) {
	if p == nil || port == nil {
		return nil, errors.New("connectors.Open: product and port are required")
	}
	switch port.Type {
	case "postgres":
		return openPostgres(ctx, p, port, secrets)
	case "http":
		return openHTTP(ctx, p, port, secrets)
	case "gateway":
		return openGateway(ctx, p, port, secrets)
	}
	return nil, sqlstate.New(sqlstate.FeatureNotSupported, "port %s of product %s has type %q, which is not read by a connector", port.Name, p.Address, port.Type)
}

// portName is "port NAME of PRODUCT", the subject of every error.
func portName(p *catalog.Product, port *catalog.Port) string {
	return fmt.Sprintf("port %s of %s", port.Name, p.Address)
}

// configError is a port that cannot be configured (bad option, secret).
func configError(p *catalog.Product, port *catalog.Port, format string, args ...any) *sqlstate.Error {
	return sqlstate.New(sqlstate.ConfigFileError, "%s: %s", portName(p, port), fmt.Sprintf(format, args...))
}

// DriftError is the cause of a contract drift error: the source of a port
// no longer matches the product's declared schema. The *sqlstate.Error
// that wraps it has SQLSTATE 42703 (undefined_column) when a declared
// column is missing from the source and 42804 (datatype_mismatch) for any
// other difference (a type that changed, a JSON value of the wrong kind,
// an undeclared field of a strict http port); its message starts with
// "contract drift on port".
type DriftError struct {
	Product, Port string
	Column        string // the declared column (or the source field)
	Declared      string // the declared type ("" for an undeclared field)
	Actual        string // what the source has ("" when the column is missing)
	Row           int64  // 1-based row of an http port's data, 0 when not row-specific
}

func (e *DriftError) Error() string {
	return fmt.Sprintf("contract drift on port %s of %s: column %q", e.Port, e.Product, e.Column)
}

// drift builds the *sqlstate.Error for a DriftError with the sentence msg
// (which completes "contract drift on port X of P: ").
func drift(p *catalog.Product, port *catalog.Port, d DriftError, msg string) *sqlstate.Error {
	d.Product, d.Port = p.Address.String(), port.Name
	code := sqlstate.DatatypeMismatch
	if d.Actual == "" && d.Declared != "" {
		code = sqlstate.UndefinedColumn
	}
	e := sqlstate.Wrap(&d, code, fmt.Sprintf("contract drift on port %s of %s: %s", port.Name, p.Address, msg))
	return e.WithHint("the source of the port no longer matches the product's schema; its owner (%s) must update the source or publish a new version of the descriptor", ownerOf(p))
}

func ownerOf(p *catalog.Product) string {
	if p.Owner.Contact != "" {
		return p.Owner.Team + ", " + p.Owner.Contact
	}
	if p.Owner.Team != "" {
		return p.Owner.Team
	}
	return "the domain team"
}

// requested returns the declared columns a request reads, in declared
// order (nil Columns: all).
func requested(p *catalog.Product, port *catalog.Port, names []string) ([]catalog.Column, error) {
	if names == nil {
		return p.Columns, nil
	}
	want := map[string]bool{}
	for _, n := range names {
		if p.Column(n) == nil {
			return nil, sqlstate.New(sqlstate.UndefinedColumn, "%s: product %s has no column %q", portName(p, port), p.Address, n)
		}
		want[n] = true
	}
	out := make([]catalog.Column, 0, len(want))
	for _, c := range p.Columns {
		if want[c.Name] {
			out = append(out, c)
		}
	}
	return out, nil
}
