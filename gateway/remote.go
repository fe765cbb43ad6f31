package gateway

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/meshgate/meshgate/auth/policy"
	"github.com/meshgate/meshgate/connectors"
	"github.com/meshgate/meshgate/engine"
	"github.com/meshgate/meshgate/planner"
	"github.com/meshgate/meshgate/planner/catalog"
	"github.com/meshgate/meshgate/sqlstate"
)

// StartRemote opens a connector for every product served from a remote
// port, registers snapshot ports with a snapshot manager (memory budget in
// bytes; its state is published as meshgate.freshness) and refreshes them
// in the background until ctx ends. stop closes the connectors once ctx is
// done and the refreshes have stopped.
func (g *Gateway) StartRemote(ctx context.Context, budget int64) (snaps *connectors.Snapshots, stop func(), err error) {
	ports := map[catalog.Address]connectors.Connector{}
	refreshed := map[catalog.Address]time.Time{}
	var refreshedM sync.Mutex
	snaps = connectors.NewSnapshots(g.engine, budget, g.log, func(fr []connectors.Freshness) {
		refreshedM.Lock()
		defer refreshedM.Unlock()
		rows := make([]engine.FreshnessRow, len(fr))
		for i, x := range fr {
			if !x.LastRefresh.IsZero() && !x.LastRefresh.Equal(refreshed[x.Product]) {
				refreshed[x.Product] = x.LastRefresh
				g.CheckNow(x.Product) // its rules run on the new data (health.go)
				g.refreshDownstream(ctx, snaps, x.Product)
			}
			rows[i] = engine.FreshnessRow{Product: x.Product, Mode: x.Mode, Loaded: x.Loaded, LastRefresh: x.LastRefresh, Rows: x.Rows, Bytes: x.Bytes, LastError: x.LastError}
		}
		if err := g.engine.SetFreshness(rows); err != nil {
			g.log.Warn("updating meshgate.freshness failed", "err", err)
		}
	})
	closeAll := func() {
		for _, c := range ports {
			c.Close()
		}
	}
	for _, p := range g.engine.Products() {
		if len(p.Ports) == 0 || !p.Ports[0].Remote() {
			continue
		}
		port := &p.Ports[0]
		c, err := connectors.Open(ctx, p, port, connectors.NewSecrets(filepath.Dir(p.File)))
		if err != nil {
			closeAll()
			return nil, nil, fmt.Errorf("port %s of product %s: %w", port.Name, p.Address, err)
		}
		ports[p.Address] = c
		if d, ok := c.(connectors.Delegating); ok && g.delegationKey != nil {
			d.SetDelegationKey(g.delegationKey)
		}
		fr := port.Freshness()
		if fr.Mode == engine.ModeSnapshot {
			snaps.Add(connectors.SnapshotSpec{Product: p.Address, Port: port.Name, Connector: c, Refresh: fr.Refresh, MaxStaleness: fr.MaxStaleness, OnStale: fr.OnStale})
		}
		g.log.Info("remote port", "product", p.Address, "port", port.Name, "type", port.Type, "mode", fr.Mode)
	}
	g.addAggregateSnapshots(snaps)
	g.remote, g.snapshots = ports, snaps
	done := make(chan struct{})
	go func() { defer close(done); snaps.Run(ctx) }()
	return snaps, func() { <-done; closeAll() }, nil
}

// fetchRemote prepares the remote products a read needs before it runs:
// a live port is fetched into the session (with the statement's pushdown),
// a snapshot is loaded if evicted and checked against its max_staleness.
func (s *session) fetchRemote(ctx context.Context, read *planner.Read, args []any) error {
	if read == nil {
		return nil
	}
	for _, a := range s.g.withInputs(read.Products) {
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
			req := pushdownRequest(s.g.engine.Product(a), s.decisions[a], read.Pushdown[a], args)
			req.Identity = s.identity()
			if err := s.fetchPort(ctx, a, c, req); err != nil {
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
func pushdownRequest(p *catalog.Product, d policy.Decision, pd *planner.Pushdown, args []any) connectors.Request {
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
	pushed := 0
	for _, pr := range pd.Predicates {
		if !unmasked[pr.Column] {
			continue
		}
		values, ok := boundValues(pr.Values, args)
		if !ok {
			continue
		}
		req.Filters = append(req.Filters, connectors.Predicate{Column: pr.Column, Op: connectors.Op(pr.Op), Values: values})
		pushed++
	}
	if len(d.Filters) == 0 && pushed == len(pd.Predicates) {
		req.Limit = pd.Limit
	}
	return req
}

// boundValues replaces $n references with the statement's parameter
// values; a NULL or missing parameter keeps the predicate from the source.
func boundValues(vals []any, args []any) ([]any, bool) {
	out := make([]any, len(vals))
	for i, v := range vals {
		if p, isParam := v.(planner.Param); isParam {
			if int(p) > len(args) || args[p-1] == nil {
				return nil, false
			}
			v = args[p-1]
		}
		out[i] = v
	}
	return out, true
}

// noteDrift logs a port's contract drift once per product and difference
// (every query of the product fails with it until the source is fixed).
func (g *Gateway) noteDrift(a catalog.Address, err error) {
	var d *connectors.DriftError
	if !errors.As(err, &d) {
		return
	}
	key := a.String() + "\x00" + err.Error()
	if _, seen := g.driftLogged.LoadOrStore(key, true); !seen {
		g.log.Error("contract drift: the port no longer matches the product's descriptor", "product", a, "port", d.Port, "column", d.Column, "declared", d.Declared, "actual", d.Actual)
	}
}

// fetchPort fetches one live port into the session, in its own span, and
// records the fetch (observe.go).
func (s *session) fetchPort(ctx context.Context, a catalog.Address, c connectors.Connector, req connectors.Request) (err error) {
	ctx, span := tracer().Start(ctx, "port fetch", trace.WithAttributes(attribute.String("meshgate.product", a.String())))
	start := time.Now()
	var rows int64
	defer func() {
		pushdown := len(req.Filters) > 0 || req.Limit >= 0
		s.g.recorder().PortFetch(a, time.Since(start), rows, pushdown, err)
		if err != nil {
			span.SetStatus(codes.Error, sqlstate.CodeOf(err))
		}
		span.SetAttributes(attribute.Int64("meshgate.rows", rows))
		span.End()
	}()
	rr, err := c.Scan(ctx, req)
	if err != nil {
		s.g.noteDrift(a, err)
		return err
	}
	rows, err = s.es.Materialize(ctx, a, rr)
	return err
}
