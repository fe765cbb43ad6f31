package gateway

import (
	"context"
	"log/slog"
	"sort"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/meshgate/meshgate/auth/policy"
	"github.com/meshgate/meshgate/connectors"
	"github.com/meshgate/meshgate/engine"
	"github.com/meshgate/meshgate/planner/catalog"
)

// Products defined in SQL over other products (type: sql ports): the
// definer views installed from the policy, and the snapshots of those in
// mode snapshot. Reading one is like reading any product (the consumer's
// grant, masks and filters on its columns, its bound plan verified); an
// unreachable one is refused (health.go).

// installDefiners gives every owning domain's sql ports the policy's view
// of their inputs for the domain's identity.
func (g *Gateway) installDefiners(set *policy.Set) { InstallDefiners(g.engine, set, g.log) }

// InstallDefiners gives every owning domain's sql ports the policy's view
// of their inputs for the domain's identity (policy.DefinerIdentity): what
// SetPolicy does, for commands that read products without a gateway
// (meshgate check, explain-access).
func InstallDefiners(eng *engine.Engine, set *policy.Set, log *slog.Logger) {
	err := eng.SetDefiners(func(domain string) engine.Definer {
		id := policy.DefinerIdentity(domain)
		return engine.Definer{User: id.User, Groups: id.Groups, Attributes: id.Attributes,
			View: func(input *catalog.Product, from string, qualify func(string) string) (string, []string, string) {
				if set == nil {
					return "", nil, "no access policy is loaded"
				}
				d := set.Decide(id, input)
				if !d.Granted {
					return "", nil, d.Reason
				}
				cols := make([]string, len(d.Columns))
				for i, c := range d.Columns {
					cols[i] = c.Name
				}
				return d.ViewSQL(from, qualify), cols, ""
			}}
	})
	if err != nil {
		log.Error("installing the definer views of sql ports failed; their products stay empty", "err", err)
	}
	if set != nil {
		for _, p := range policy.CheckDeclassifications(set, &catalog.Mesh{Products: eng.Products()}) {
			log.Warn("declassification not allowed by the policy; the column keeps its inputs' classification", "problem", p.String())
		}
	}
}

// withInputs adds, after each live aggregate, the products it reads (and
// theirs): a statement over a live aggregate reads its inputs' snapshots,
// which must be loaded like those the statement names.
func (g *Gateway) withInputs(products []catalog.Address) []catalog.Address {
	out := append([]catalog.Address(nil), products...)
	seen := map[catalog.Address]bool{}
	for i := 0; i < len(out); i++ {
		a := out[i]
		if seen[a] {
			continue
		}
		seen[a] = true
		if g.engine.AggregateMode(a) == engine.ModeLive {
			out = append(out, g.engine.AggregateInputs(a)...)
		}
	}
	return out
}

// aggregateScan is the connector of a snapshot aggregate: its query, read
// with the definer's rights, once its inputs' snapshots are loaded.
type aggregateScan struct {
	g *Gateway
	p *catalog.Product
}

func (a aggregateScan) Scan(ctx context.Context, _ connectors.Request) (array.RecordReader, error) {
	for _, in := range a.g.withInputs(a.g.engine.AggregateInputs(a.p.Address)) {
		if a.g.engine.RemoteMode(in) == engine.ModeSnapshot && a.g.snapshots != nil {
			if err := a.g.snapshots.Ensure(ctx, in); err != nil {
				return nil, err
			}
		}
	}
	return a.g.engine.ScanAggregate(ctx, a.p.Address)
}

func (a aggregateScan) Describe(context.Context) ([]catalog.Column, error) { return a.p.Columns, nil }

func (a aggregateScan) Close() {}

// addAggregateSnapshots registers the snapshot aggregates.
func (g *Gateway) addAggregateSnapshots(snaps *connectors.Snapshots) {
	for _, p := range g.engine.Products() {
		if g.engine.AggregateMode(p.Address) != engine.ModeSnapshot {
			continue
		}
		fr := p.Ports[0].Freshness()
		snaps.Add(connectors.SnapshotSpec{Product: p.Address, Port: p.Ports[0].Name, Connector: aggregateScan{g, p},
			Refresh: fr.Refresh, MaxStaleness: fr.MaxStaleness, OnStale: fr.OnStale})
		g.log.Info("sql port", "product", p.Address, "port", p.Ports[0].Name, "mode", fr.Mode)
	}
}

// refreshDownstream refreshes the snapshot aggregates that read a product
// whose snapshot was just refreshed (in the background).
func (g *Gateway) refreshDownstream(ctx context.Context, snaps *connectors.Snapshots, a catalog.Address) {
	for _, p := range g.engine.Products() {
		if g.engine.AggregateMode(p.Address) != engine.ModeSnapshot {
			continue
		}
		for _, in := range g.engine.AggregateInputs(p.Address) {
			if in == a {
				go func(b catalog.Address) {
					if err := snaps.Refresh(ctx, b); err != nil && ctx.Err() == nil {
						g.log.Warn("refreshing a snapshot aggregate after its input failed", "product", b, "input", a, "err", err)
					}
				}(p.Address)
			}
		}
	}
}

// ProductLineage is a product's lineage as one caller may see it: the
// products it is derived from and those derived from it, and the column
// edges between it and them (engine.LineageRow).
type ProductLineage struct {
	Upstream, Downstream []catalog.Address
	Edges                []engine.LineageRow
}

// Lineage returns a product's lineage, leaving out every product visible
// does not admit (what the caller may discover) and the edges to it.
func (g *Gateway) Lineage(a catalog.Address, visible func(catalog.Address) bool) ProductLineage {
	var out ProductLineage
	up, down := map[catalog.Address]bool{}, map[catalog.Address]bool{}
	for _, r := range g.engine.Lineage() {
		switch {
		case r.To == a && visible(r.From):
			up[r.From] = true
		case r.From == a && visible(r.To):
			down[r.To] = true
		default:
			continue
		}
		out.Edges = append(out.Edges, r)
	}
	out.Upstream, out.Downstream = sortedAddrs(up), sortedAddrs(down)
	return out
}

func sortedAddrs(m map[catalog.Address]bool) []catalog.Address {
	out := make([]catalog.Address, 0, len(m))
	for a := range m {
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out
}
