package gateway

import (
	"context"

	"github.com/meshgate/meshgate/auth/policy"
	"github.com/meshgate/meshgate/connectors"
	"github.com/meshgate/meshgate/engine"
	"github.com/meshgate/meshgate/planner"
	"github.com/meshgate/meshgate/planner/catalog"
	"github.com/meshgate/meshgate/sqlstate"
)

// SetRemote gives the gateway the connectors of remote ports and the
// snapshot manager of those served from snapshots.
func (g *Gateway) SetRemote(ports map[catalog.Address]connectors.Connector, snaps *connectors.Snapshots) {
	g.remote, g.snapshots = ports, snaps
}

// fetchRemote prepares the remote products a read needs before it runs:
// a live port is fetched into the session (with the statement's pushdown),
// a snapshot is loaded if evicted and checked against its max_staleness.
func (s *session) fetchRemote(ctx context.Context, read *planner.Read) error {
	if read == nil {
		return nil
	}
	for _, a := range read.Products {
		switch s.g.engine.RemoteMode(a) {
		case engine.ModeSnapshot:
			if s.g.snapshots == nil {
				return sqlstate.New(sqlstate.UnableToConnect, "the snapshot of %s is not available: no snapshot manager runs", a)
			}
			if err := s.g.snapshots.Ensure(ctx, a); err != nil {
				return err
			}
		case engine.ModeLive:
			c := s.g.remote[a]
			if c == nil {
				return sqlstate.New(sqlstate.UnableToConnect, "product %s has no connector for its port", a)
			}
			req := pushdownRequest(s.g.engine.Product(a), s.decisions[a], read.Pushdown[a])
			rr, err := c.Scan(ctx, req)
			if err != nil {
				return err
			}
			if _, err := s.es.Materialize(ctx, a, rr); err != nil {
				return err
			}
		}
	}
	return nil
}

// pushdownRequest turns the planner's pushdown into what the connector
// may apply at the source, within what the policy allows: predicates only
// on unmasked granted columns (a predicate on a masked column refers to
// masked values), the columns the query and the policy's own filters and
// masks need, and a LIMIT only when no row filter applies after the fetch.
func pushdownRequest(p *catalog.Product, d policy.Decision, pd *planner.Pushdown) connectors.Request {
	req := connectors.Request{Limit: -1}
	if p == nil || pd == nil {
		return req
	}
	unmasked := map[string]bool{}
	sqlMasks := false
	for _, c := range d.Columns {
		if c.MaskRule == "" {
			unmasked[c.Name] = true
		} else {
			sqlMasks = true // mask expressions may read other raw columns
		}
	}
	if pd.Columns != nil && len(d.Filters) == 0 && !sqlMasks {
		want := map[string]bool{}
		for _, c := range pd.Columns {
			want[c] = true
		}
		for _, c := range p.Columns {
			if want[c.Name] {
				req.Columns = append(req.Columns, c.Name)
			}
		}
		if len(req.Columns) == 0 { // count(*): one column is enough
			req.Columns = []string{p.Columns[0].Name}
		}
	}
	for _, pr := range pd.Predicates {
		if !unmasked[pr.Column] {
			continue
		}
		req.Filters = append(req.Filters, connectors.Predicate{Column: pr.Column, Op: connectors.Op(pr.Op), Values: pr.Values})
	}
	if len(d.Filters) == 0 && len(req.Filters) == len(pd.Predicates) {
		req.Limit = pd.Limit
	}
	return req
}
