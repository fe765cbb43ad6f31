package main

import (
	"context"
	"flag"
	"fmt"
	"path/filepath"
	"time"

	"github.com/meshgate/meshgate/auth/delegation"
	"github.com/meshgate/meshgate/connectors"
	"github.com/meshgate/meshgate/engine"
	"github.com/meshgate/meshgate/gateway"
	"github.com/meshgate/meshgate/planner/catalog"
)

// fedFlags are serve's flags for remote ports.
type fedFlags struct {
	snapshotBudgetMB *int
	delegationKey    *string
}

func federationFlags(fs *flag.FlagSet) *fedFlags {
	return &fedFlags{
		snapshotBudgetMB: fs.Int("snapshot-budget-mb", 1024, "memory budget of remote-port snapshots; the least recently used are evicted past it"),
		delegationKey:    fs.String("delegation-key", "", "Ed25519 key (meshgate keygen) with which type: gateway ports assert the end user to domain gateways"),
	}
}

// startRemote starts the gateway's remote ports (connectors, snapshots).
func (f *fedFlags) startRemote(ctx context.Context, gw *gateway.Gateway) (func(), error) {
	if *f.delegationKey != "" {
		key, err := delegation.ReadPrivateKey(*f.delegationKey)
		if err != nil {
			return nil, fmt.Errorf("-delegation-key: %w", err)
		}
		gw.SetDelegationKey(key)
	}
	_, stop, err := gw.StartRemote(ctx, int64(*f.snapshotBudgetMB)<<20)
	return stop, err
}

// checkRemotePorts reads the real schema of every remote port (PostgreSQL,
// HTTP) and compares it with the product's descriptor, as validate does
// for file ports; a port it cannot reach is a problem too.
func checkRemotePorts(ctx context.Context, eng *engine.Engine) []catalog.Problem {
	var out []catalog.Problem
	for _, p := range eng.Products() {
		if len(p.Ports) == 0 || !p.Ports[0].Remote() {
			continue
		}
		port := &p.Ports[0]
		problem := func(err error) {
			out = append(out, catalog.Problem{File: p.File, Line: port.Line, Product: p.Address.String(),
				Message: fmt.Sprintf("port %s of product %s cannot be read: %v", port.Name, p.Address, err)})
		}
		c, err := connectors.Open(ctx, p, port, connectors.NewSecrets(filepath.Dir(p.File)))
		if err != nil {
			problem(err)
			continue
		}
		dctx, cancel := context.WithTimeout(ctx, 15*time.Second)
		cols, err := c.Describe(dctx)
		cancel()
		c.Close()
		if err != nil {
			problem(err)
			continue
		}
		out = append(out, catalog.CompareSchema(p, port, cols)...)
	}
	return out
}
