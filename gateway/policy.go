package gateway

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/meshgate/meshgate/auth"
	"github.com/meshgate/meshgate/auth/audit"
	"github.com/meshgate/meshgate/auth/policy"
	"github.com/meshgate/meshgate/engine"
	"github.com/meshgate/meshgate/gateway/pgcatalog"
	"github.com/meshgate/meshgate/planner/catalog"
)

// SetPolicy installs the policy that decides what sessions see. Sessions
// pick a new policy up at their next statement (running queries finish
// under the old one). Without a policy nobody reads anything.
//
// The definer views of sql ports follow the policy (aggregate.go).
func (g *Gateway) SetPolicy(p *policy.Set) {
	g.installDefiners(p)
	g.policy.Store(p)
	g.results.purge() // keyed by the policy too; the old answers are dead weight
	g.engine.PurgeCatalogPool()
	// Installing the definers decides which products of sql ports are
	// reachable: meshgate.products shows it.
	if err := g.refreshShownHealth(); err != nil {
		g.log.Warn("updating meshgate.products failed", "err", err)
	}
}

// catalogKey identifies what a session's catalog is built from
// (catalogBuilder): the policy in force and the user's identity, which
// decide every product view and client-catalog row but the process ID.
// Sessions of the same key reuse each other's catalogs
// (engine.NewPooledSession).
func (g *Gateway) catalogKey(u *auth.User, set *policy.Set) string {
	version := "no policy"
	if set != nil {
		version = set.Version
	}
	keys := make([]string, 0, len(u.Attributes))
	for k := range u.Attributes {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b keyBuilder
	b.add(version)
	b.add(g.database)
	b.add(g.started.String())
	b.add(u.Name)
	groups := append([]string(nil), u.Groups...)
	sort.Strings(groups)
	b.add(strings.Join(groups, "\x00"))
	for _, k := range keys {
		b.add(k + "=" + u.Attributes[k])
	}
	return b.sum()
}

// Policy is the policy in force, or nil.
func (g *Gateway) Policy() *policy.Set { return g.policy.Load() }

// SetAudit makes every statement write an audit record to l.
func (g *Gateway) SetAudit(l *audit.Log) { g.audit = l }

// identityOf is the user as policies see it.
func identityOf(u *auth.User) policy.Identity {
	return policy.Identity{User: u.Name, Groups: u.Groups, Attributes: u.Attributes}
}

// decide evaluates the policy for every served product.
func (g *Gateway) decide(u *auth.User, set *policy.Set) map[catalog.Address]policy.Decision {
	out := map[catalog.Address]policy.Decision{}
	for _, p := range g.engine.Products() {
		if set == nil {
			out[p.Address] = policy.Decision{Product: p.Address, Reason: fmt.Sprintf("permission denied for product %s: no access policy is loaded", p.Address)}
			continue
		}
		out[p.Address] = set.Decide(identityOf(u), p)
	}
	return out
}

// catalogBuilder returns what engine.NewSession needs: the session's
// policy-shaped views (plus each one pinned to its major version, as
// domain.product_vN) and its client catalog, listing only what the
// session may read, in the shape it may read it.
func (g *Gateway) catalogBuilder(u *auth.User, pid uint32, decisions map[catalog.Address]policy.Decision, rels map[catalog.Address]pgcatalog.Relation) func(string) ([]engine.View, []string) {
	return func(cat string) ([]engine.View, []string) {
		// Identity functions resolve through the session's search path
		// (which ends with the shared functions).
		qualify := func(fn string) string { return fn }
		var views []engine.View
		cs := g.catalogSession(u, pid, cat)
		taken := map[catalog.Address]bool{}
		for _, p := range g.engine.Products() {
			taken[p.Address] = true
		}
		visible, readable := discoverable(g.policy.Load(), decisions)
		for _, p := range g.engine.Products() {
			d := decisions[p.Address]
			if !d.Granted {
				continue
			}
			cols := make([]string, len(d.Columns))
			for i, c := range d.Columns {
				cols[i] = c.Name
			}
			sql := engine.DiscoveryView(p.Address, d.ViewSQL(healthView(p.Address, g.engine.SourceView(cat, p.Address), decisions), qualify), cols, visible, readable)
			sql = engine.LineageView(p.Address, sql, cols, visible)
			views = append(views, engine.View{Address: p.Address, SQL: sql})
			pinned := catalog.Address{Domain: p.Address.Domain, Name: fmt.Sprintf("%s_v%d", p.Address.Name, p.MajorVersion())}
			if !taken[pinned] {
				views = append(views, engine.View{Address: pinned, SQL: sql})
			}
			if r, ok := rels[p.Address]; ok {
				cs.Relations = append(cs.Relations, granted(r, d))
			}
		}
		return views, pgcatalog.Statements(cs)
	}
}

// catalogSession is what the client catalog of a session of u is built
// from, before its relations.
func (g *Gateway) catalogSession(u *auth.User, pid uint32, cat string) pgcatalog.Session {
	return pgcatalog.Session{Catalog: cat, Database: g.database, User: u.Name, PID: pid, Version: version(), Started: g.started,
		Groups: u.Groups, Attributes: u.Attributes}
}

// granted narrows a relation to the columns a decision grants.
func granted(r pgcatalog.Relation, d policy.Decision) pgcatalog.Relation {
	byName := map[string]pgcatalog.Column{}
	for _, c := range r.Columns {
		byName[c.Name] = c
	}
	out := r
	out.Columns = nil
	for _, c := range d.Columns {
		if col, ok := byName[c.Name]; ok {
			out.Columns = append(out.Columns, col)
		}
	}
	return out
}

// followPolicy rebuilds the session's views when the gateway's policy
// changed since the session last looked: new statements run under the new
// policy. While results of the session are open (a suspended portal, a
// cursor) it waits for a later statement.
func (s *session) followPolicy(ctx context.Context) error {
	set := s.g.policy.Load()
	if set == s.policySet {
		return nil
	}
	rels, err := s.g.relations(ctx)
	if err != nil {
		return err
	}
	decisions := s.g.decide(s.user, set)
	err = s.es.Rebuild(ctx, s.g.catalogBuilder(s.user, s.pid, decisions, rels))
	if errors.Is(err, engine.ErrBusy) {
		return nil
	}
	if err != nil {
		return err
	}
	s.decisions, s.policySet = decisions, set
	s.policyGen++
	s.checked.Purge()
	s.log.Info("session follows the reloaded policy", "version", set.Version)
	return s.publishSettings(ctx)
}
