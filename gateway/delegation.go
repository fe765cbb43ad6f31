package gateway

import (
	"crypto/ed25519"
	"fmt"
	"sort"
	"time"

	"github.com/meshgate/meshgate/auth"
	"github.com/meshgate/meshgate/auth/delegation"
	"github.com/meshgate/meshgate/connectors"
	"github.com/meshgate/meshgate/gateway/pgwire"
	"github.com/meshgate/meshgate/sqlstate"
)

// AssertionParam is the startup parameter in which a trusted gateway's
// service account presents a signed assertion of the end user it speaks
// for (auth/delegation). It is consumed by Open: never a setting, never
// logged, never audited.
const AssertionParam = "meshgate.assertion"

// delegatedBy is who a delegated session speaks for, kept for its audit
// records: the service account that logged in and the statement id the
// delegating gateway's audit record carries too.
type delegatedBy struct {
	by, traceID string
}

// delegate returns the user a session opened by svc runs as: svc itself
// without an assertion, else the end user the users file's
// trusted_gateways let svc speak for. The end user's own entry in this
// gateway's users file, when there is one, is authoritative (its groups
// and attributes); otherwise the asserted ones apply. Any invalid
// assertion refuses the connection (28000): fail closed, never a fallback
// to the service account's grants.
func (g *Gateway) delegate(st pgwire.Startup, svc *auth.User) (*auth.User, *delegatedBy, error) {
	token, ok := st.Params[AssertionParam]
	if !ok {
		return svc, nil, nil
	}
	dir := g.users.Load()
	v := dir.Delegation()
	if v == nil {
		return nil, nil, sqlstate.New(sqlstate.InvalidAuthorization, "identity assertion refused: this gateway trusts no gateway (its users file has no trusted_gateways)").Fatal()
	}
	c, serr := v.Verify(g.nonces, svc.Name, token)
	if serr != nil {
		g.log.Warn("identity assertion refused", "service_account", svc.Name, "client", addr(st), "reason", serr.Message)
		return nil, nil, serr.Fatal()
	}
	u, known := dir.Lookup(c.User)
	if !known {
		groups := append([]string(nil), c.Groups...)
		sort.Strings(groups)
		attrs := map[string]string{}
		for k, val := range c.Attributes {
			attrs[k] = val
		}
		u = &auth.User{Name: c.User, Groups: groups, Attributes: attrs, Limits: svc.Limits}
	}
	return u, &delegatedBy{by: svc.Name, traceID: c.StatementID}, nil
}

// SetDelegationKey gives the gateway the federation's signing key (serve
// -delegation-key): its type: gateway ports then speak for the session's
// user on each live scan. Call before StartRemote.
func (g *Gateway) SetDelegationKey(key ed25519.PrivateKey) { g.delegationKey = key }

// SetNonces makes n the cache of used assertion nonces (serve -state-dir:
// one directory shared by the replicas, so a replay is refused on any of
// them). Call before serving.
func (g *Gateway) SetNonces(n delegation.Nonces) { g.nonces = n }

// identity is the end user of the current statement for a connector, with
// the statement id both gateways' audit records carry (set once per
// statement, read by audit).
func (s *session) identity() *connectors.Identity {
	if s.trace == "" {
		s.trace = fmt.Sprintf("%d-%d", s.pid, time.Now().UnixNano())
	}
	return &connectors.Identity{User: s.user.Name, Groups: s.user.Groups, Attributes: s.user.Attributes, StatementID: s.trace}
}
