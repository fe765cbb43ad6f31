package main

import (
	"context"
	"flag"

	"github.com/meshgate/meshgate/gateway"
)

// fedFlags are serve's flags for remote ports.
type fedFlags struct {
	snapshotBudgetMB *int
}

func federationFlags(fs *flag.FlagSet) *fedFlags {
	return &fedFlags{snapshotBudgetMB: fs.Int("snapshot-budget-mb", 1024, "memory budget of remote-port snapshots; the least recently used are evicted past it")}
}

// startRemote starts the gateway's remote ports (connectors, snapshots).
func (f *fedFlags) startRemote(ctx context.Context, gw *gateway.Gateway) (func(), error) {
	_, stop, err := gw.StartRemote(ctx, int64(*f.snapshotBudgetMB)<<20)
	return stop, err
}
