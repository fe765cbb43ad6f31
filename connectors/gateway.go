package connectors

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/meshgate/meshgate/auth/delegation"
	"github.com/meshgate/meshgate/planner/catalog"
	"github.com/meshgate/meshgate/sqlstate"
)

// AssertionParam is the startup parameter carrying a delegation
// assertion; gateway.AssertionParam is the same name on the receiving side.
const AssertionParam = "meshgate.assertion"

// AssertionLifetime is how long an assertion the connector signs holds.
const AssertionLifetime = 30 * time.Second

// Identity is the end user a scan is made for, and the statement id the
// local audit record carries (gateway ports sign it into the assertion).
type Identity struct {
	User        string
	Groups      []string
	Attributes  map[string]string
	StatementID string
}

// Delegating is a connector that can speak for end users once it holds
// the federation's signing key (type: gateway ports).
type Delegating interface {
	SetDelegationKey(key ed25519.PrivateKey)
}

// delegator signs the assertions of one gateway port.
type delegator struct {
	key      ed25519.PrivateKey // nil: scans run as the service account
	audience string
	issuer   string // the service account
}

func (d *delegator) assertion(id *Identity) (string, error) {
	now := time.Now().Unix()
	return delegation.Sign(d.key, delegation.Claims{User: id.User, Groups: id.Groups, Attributes: id.Attributes,
		Audience: d.audience, Issuer: d.issuer, IssuedAt: now, Expiry: now + int64(AssertionLifetime/time.Second), StatementID: id.StatementID})
}

// SetDelegationKey implements Delegating.
func (c *pgConnector) SetDelegationKey(key ed25519.PrivateKey) {
	if c.delegate != nil {
		c.delegate.key = key
	}
}

// openGateway reads a product of another meshgate: a PostgreSQL port on
// the remote gateway's pgwire door, whose table is the remote product
// (schema = its domain). TLS is verified (verify-full) unless the port
// says otherwise.
func openGateway(ctx context.Context, p *catalog.Product, port *catalog.Port, secrets Secrets) (Connector, error) {
	o := port.Options
	host, pgPort, err := net.SplitHostPort(port.Location)
	if err != nil {
		return nil, configError(p, port, "location %q is not host:port", port.Location)
	}
	domain, product, ok := strings.Cut(o["product"], ".")
	if !ok {
		return nil, configError(p, port, "option product %q is not domain.product", o["product"])
	}
	pg := *port
	pg.Options = map[string]string{"host": host, "port": pgPort, "database": "mesh", "schema": domain, "table": product, "sslmode": "verify-full"}
	for k, v := range o {
		if k != "product" && k != "audience" {
			pg.Options[k] = v
		}
	}
	c, err := openPostgres(ctx, p, &pg, secrets)
	if err != nil {
		return nil, err
	}
	pc := c.(*pgConnector)
	pc.delegate = &delegator{audience: o["audience"], issuer: o["user"]}
	pc.source = fmt.Sprintf("meshgate at %s", pc.addr)
	return pc, nil
}

// connFor returns the connection a scan runs on: one of the pool's, or,
// for a gateway port holding a delegation key and a scan made for an end
// user, a connection of its own opened with a fresh assertion (one use:
// the remote gateway refuses a replayed nonce).
func (c *pgConnector) connFor(ctx context.Context, id *Identity) (*pgconn.PgConn, func(), error) {
	if c.delegate == nil || c.delegate.key == nil || id == nil {
		conn, err := c.acquire(ctx)
		if err != nil {
			return nil, nil, err
		}
		return conn.Conn().PgConn(), conn.Release, nil
	}
	token, err := c.delegate.assertion(id)
	if err != nil {
		return nil, nil, sqlstate.Wrap(err, sqlstate.InternalError, fmt.Sprintf("%s: cannot sign the identity assertion", c.name()))
	}
	cfg := c.pool.Config().ConnConfig.Copy()
	cfg.RuntimeParams[AssertionParam] = token
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, nil, c.connectError(ctx, err)
	}
	return conn.PgConn(), func() { conn.Close(context.Background()) }, nil
}
