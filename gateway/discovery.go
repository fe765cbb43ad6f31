package gateway

import (
	"context"
	"fmt"
	"net"
	"time"

	"github.com/meshgate/meshgate/auth"
	"github.com/meshgate/meshgate/auth/audit"
	"github.com/meshgate/meshgate/auth/policy"
	"github.com/meshgate/meshgate/engine"
	"github.com/meshgate/meshgate/planner/catalog"
	"github.com/meshgate/meshgate/sqlstate"
)

// Discovery: which products a user may find in the catalog (the HTTP
// catalog and meshgate.products/meshgate.columns), decided here once for
// every front door. A granted product is always discoverable; one without
// a grant is listed (metadata only, never data) or hidden, as the
// federation policy's discovery.ungranted says.

// Listing is one product as a user discovers it.
type Listing struct {
	Product *catalog.Product
	Access  policy.Access // the caller's own access, explained
}

// Discover returns the products the user may discover under the policy in
// force, sorted by address, each with the user's access explained.
// Without a policy nothing is discoverable.
func (g *Gateway) Discover(u *auth.User) []Listing {
	set := g.policy.Load()
	if set == nil {
		return nil
	}
	lists := set.ListsUngranted()
	var out []Listing
	for _, p := range g.engine.Products() {
		a := set.Explain(identityOf(u), p)
		if a.Granted || lists {
			out = append(out, Listing{Product: p, Access: a})
		}
	}
	return out
}

// discoverable is the addresses a session's decisions make discoverable,
// and those it may read.
func discoverable(set *policy.Set, decisions map[catalog.Address]policy.Decision) (visible, granted []catalog.Address) {
	lists := set != nil && set.ListsUngranted()
	for a, d := range decisions {
		if d.Granted {
			granted = append(granted, a)
		}
		if d.Granted || lists {
			visible = append(visible, a)
		}
	}
	return visible, granted
}

// Freshness is how current a product's data is.
type Freshness struct {
	Mode        string    // file (read at query time), live (fetched per statement) or snapshot
	LastRefresh time.Time // snapshots: when last refreshed (zero: not yet)
	LastError   string    // snapshots: the last refresh's error
}

// Freshness reports how current a product's data is.
func (g *Gateway) Freshness(p *catalog.Product) Freshness {
	if len(p.Ports) == 0 || !p.Ports[0].Remote() {
		return Freshness{Mode: "file"}
	}
	mode := p.Ports[0].Freshness().Mode
	f := Freshness{Mode: mode}
	if mode == engine.ModeSnapshot && g.snapshots != nil {
		for _, x := range g.snapshots.Freshness() {
			if x.Product == p.Address {
				f.LastRefresh, f.LastError = x.LastRefresh, x.LastError
			}
		}
	}
	return f
}

// fillDiscovery writes the served products into meshgate.products and
// meshgate.columns.
func (g *Gateway) fillDiscovery() error {
	var rows []engine.DiscoveryRow
	shown := map[string]string{}
	for _, p := range g.engine.Products() {
		r := engine.DiscoveryRow{Product: p.Address, Version: p.Version, Status: p.Status, Type: p.Type, Description: p.Description,
			Owner: p.Owner.Team, Contact: p.Owner.Contact, Tags: p.Tags, Health: g.Health(p.Address).State, Columns: p.Columns}
		shown[p.Address.String()] = r.Health
		if len(p.Ports) > 0 {
			r.PortKind, r.PortMode = p.Ports[0].Type, g.Freshness(p).Mode
		}
		rows = append(rows, r)
	}
	if err := g.engine.SetDiscovery(rows); err != nil {
		return err
	}
	g.shown.set(shown)
	return nil
}

// Call is one call of a front door's API (not an SQL statement), for the
// audit trail.
type Call struct {
	User       *auth.User // nil before login
	Protocol   string     // "http"
	RemoteAddr net.Addr
	Method     string
	Target     string // path and query
	Status     int    // the answer's status (HTTP)
	Products   []catalog.Address
	Duration   time.Duration
}

// AuditCall writes the audit record of an API call: kind "api", the call
// as the statement, its products, and the decision its status implies.
func (g *Gateway) AuditCall(_ context.Context, c Call) {
	if g.audit == nil {
		return
	}
	r := audit.Record{
		QueryID: fmt.Sprintf("api-%d", g.queries.n.Add(1)), Time: time.Now().UTC(), Protocol: c.Protocol,
		Statement: truncate(c.Method+" "+c.Target, 4096), Kind: "api", DurationMS: float64(c.Duration.Microseconds()) / 1000,
		Decision: "allowed", SQLState: sqlstate.SuccessfulCompletion,
	}
	if c.User != nil {
		r.User, r.Groups = c.User.Name, c.User.Groups
	}
	if c.RemoteAddr != nil {
		r.ClientAddr = c.RemoteAddr.String()
	}
	if set := g.policy.Load(); set != nil {
		r.PolicyVersion = set.Version
	}
	for _, a := range c.Products {
		r.Products = append(r.Products, a.String())
		if p := g.engine.Product(a); p != nil {
			r.Versions = append(r.Versions, a.String()+"@"+p.Version)
		}
	}
	switch {
	case c.Status == 401:
		r.Decision, r.SQLState = "denied", sqlstate.InvalidPassword
	case c.Status == 403:
		r.Decision, r.SQLState = "denied", sqlstate.InsufficientPrivilege
	case c.Status == 404:
		r.Decision, r.SQLState = "error", sqlstate.UndefinedTable
	case c.Status >= 500:
		r.Decision, r.SQLState = "error", sqlstate.InternalError
	case c.Status >= 400:
		r.Decision, r.SQLState = "error", sqlstate.InvalidParameterValue
	}
	if err := g.audit.Write(r); err != nil {
		g.log.Error("audit record not written", "err", err)
	}
}

// Products are the served products, sorted by address.
func (g *Gateway) Products() []*catalog.Product { return g.engine.Products() }

// Health is the product's health as this caller may see it: a caller
// without a grant gets engine.HealthWithheld, since health is derived from
// the product's data (as meshgate.health withholds it in SQL).
func (l Listing) Health(g *Gateway) string {
	if !l.Access.Granted {
		return engine.HealthWithheld
	}
	return g.Health(l.Product.Address).State
}

// Freshness is the product's freshness as this caller may see it: the last
// refresh's error (which may name the port's source) only with a grant.
func (l Listing) Freshness(g *Gateway) Freshness {
	f := g.Freshness(l.Product)
	if !l.Access.Granted {
		f.LastError = ""
	}
	return f
}
