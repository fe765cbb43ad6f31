package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"path/filepath"

	"github.com/meshgate/meshgate/connectors"
	"github.com/meshgate/meshgate/engine"
	"github.com/meshgate/meshgate/gateway"
	"github.com/meshgate/meshgate/planner/catalog"
)

// fedFlags are serve's flags for remote ports.
type fedFlags struct {
	snapshotBudgetMB *int
}

func federationFlags(fs *flag.FlagSet) *fedFlags {
	return &fedFlags{snapshotBudgetMB: fs.Int("snapshot-budget-mb", 1024, "memory budget of remote-port snapshots; the least recently used are evicted past it")}
}

// startRemote opens a connector for every product served from a remote
// port, registers snapshot ports with the snapshot manager (refreshed in
// the background until ctx ends) and hands both to the gateway. It
// returns a function that closes the connectors.
func (f *fedFlags) startRemote(ctx context.Context, eng *engine.Engine, gw *gateway.Gateway, log *slog.Logger) (func(), error) {
	ports := map[catalog.Address]connectors.Connector{}
	snaps := connectors.NewSnapshots(eng, int64(*f.snapshotBudgetMB)<<20, log, func(fr []connectors.Freshness) {
		rows := make([]engine.FreshnessRow, len(fr))
		for i, x := range fr {
			rows[i] = engine.FreshnessRow{Product: x.Product, Mode: x.Mode, Loaded: x.Loaded, LastRefresh: x.LastRefresh, Rows: x.Rows, Bytes: x.Bytes, LastError: x.LastError}
		}
		if err := eng.SetFreshness(rows); err != nil {
			log.Warn("updating meshgate.freshness failed", "err", err)
		}
	})
	closeAll := func() {
		for _, c := range ports {
			c.Close()
		}
	}
	for _, p := range eng.Products() {
		if len(p.Ports) == 0 || !p.Ports[0].Remote() {
			continue
		}
		port := &p.Ports[0]
		c, err := connectors.Open(ctx, p, port, connectors.NewSecrets(filepath.Dir(p.File)))
		if err != nil {
			closeAll()
			return nil, fmt.Errorf("port %s of product %s: %w", port.Name, p.Address, err)
		}
		ports[p.Address] = c
		fr := port.Freshness()
		if fr.Mode == engine.ModeSnapshot {
			snaps.Add(connectors.SnapshotSpec{Product: p.Address, Port: port.Name, Connector: c, Refresh: fr.Refresh, MaxStaleness: fr.MaxStaleness, OnStale: fr.OnStale})
		}
		log.Info("remote port", "product", p.Address, "port", port.Name, "type", port.Type, "mode", fr.Mode)
	}
	gw.SetRemote(ports, snaps)
	go snaps.Run(ctx)
	return closeAll, nil
}
