package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/meshgate/meshgate/auth/audit"
	"github.com/meshgate/meshgate/auth/policy"
	"github.com/meshgate/meshgate/gateway"
	"github.com/meshgate/meshgate/gateway/pgwire"
	"github.com/meshgate/meshgate/ops"
)

// opsFlags are serve's operations flags: the ops listener (metrics,
// health), tracing and the drain.
type opsFlags struct {
	listen       *string
	userLabels   *bool
	drainTimeout *time.Duration
	traceOTLP    *string
	traceFile    *string
}

func operationsFlags(fs *flag.FlagSet) *opsFlags {
	return &opsFlags{
		listen:       fs.String("ops", "127.0.0.1:15490", "address of the ops HTTP listener: /metrics, /healthz, /readyz (empty: none)"),
		userLabels:   fs.Bool("metrics-user-labels", false, "label statement metrics with the user name (one series per user)"),
		drainTimeout: fs.Duration("drain-timeout", 30*time.Second, "on SIGTERM, how long running statements may finish before they are canceled (57P01)"),
		traceOTLP:    fs.String("trace-otlp", "", "send OpenTelemetry traces to this OTLP/HTTP endpoint, e.g. http://127.0.0.1:4318"),
		traceFile:    fs.String("trace-file", "", "write OpenTelemetry traces to this file as JSON lines"),
	}
}

// operations is what serve runs for the platform team.
type operations struct {
	metrics *ops.Metrics
	ready   *ops.Readiness
}

// startTracing installs the tracer provider when a trace flag is given.
func (f *opsFlags) startTracing(ctx context.Context) (func(context.Context) error, error) {
	return ops.StartTracing(ctx, ops.Tracing{OTLPEndpoint: *f.traceOTLP, File: *f.traceFile, Version: version})
}

// newOperations builds the metrics and the readiness checks over the
// serving parts.
func (f *opsFlags) newOperations(gw *gateway.Gateway, srv *pgwire.Server, auditLog *audit.Log) *operations {
	o := &operations{metrics: ops.NewMetrics(ops.Options{UserLabels: *f.userLabels, Version: version}), ready: &ops.Readiness{}}
	var _ gateway.Recorder = o.metrics
	gw.SetRecorder(o.metrics)
	o.metrics.SetServer(srv.Stats)
	o.metrics.SetAudit(auditLog.Stats)
	o.metrics.SetSnapshots(gw.Snapshots)
	o.metrics.SetHealth(gw.HealthCounts)
	o.metrics.SetCacheStats(func() ops.CacheStats {
		st := gw.ResultCacheStats()
		return ops.CacheStats{Hits: st.Hits, Misses: st.Misses, Bytes: st.Bytes}
	})
	if p := gw.Policy(); p != nil {
		o.metrics.PolicyApplied(p.Version, false)
	}
	o.ready.Add("policy", func() error {
		if gw.Policy() == nil {
			return errors.New("no policy is loaded")
		}
		return nil
	})
	o.ready.Add("audit", auditLog.Writable)
	o.ready.Add("listener", func() error {
		if !srv.Accepting() {
			return errors.New("the PostgreSQL listener is not accepting connections")
		}
		return nil
	})
	return o
}

// policyHooks count the policy reloads of a policy.Reloader.
func (o *operations) policyHooks(r *policy.Reloader) {
	apply := r.Apply
	r.Apply = func(s *policy.Set) {
		apply(s)
		o.metrics.PolicyApplied(s.Version, true)
	}
	r.Refused = func([]policy.Problem) { o.metrics.PolicyRefused() }
}

// serveOps starts the ops listener; "" starts none.
func (f *opsFlags) serveOps(ctx context.Context, o *operations, log *slog.Logger) (net.Addr, error) {
	if *f.listen == "" {
		return nil, nil
	}
	ln, err := net.Listen("tcp", *f.listen)
	if err != nil {
		return nil, fmt.Errorf("-ops: %w", err)
	}
	go func() {
		if err := ops.Serve(ctx, ln, ops.Handler(o.metrics, o.ready), log); err != nil {
			log.Error("ops listener stopped", "err", err)
		}
	}()
	return ln.Addr(), nil
}

// drainOnSignal drains every front door on SIGTERM or SIGINT: readiness
// turns off at once, no door accepts new connections, idle pgwire sessions
// are closed with 57P01, and running statements (HTTP requests and Flight
// streams too) get -drain-timeout to finish. A second signal is not
// needed: the drain ends by itself. The channel closes when the drain is
// over (or ctx ended first).
func (f *opsFlags) drainOnSignal(ctx context.Context, doors map[string]func(context.Context) error, o *operations, log *slog.Logger) <-chan struct{} {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	drained := make(chan struct{})
	go func() {
		defer close(drained)
		defer signal.Stop(ch)
		select {
		case sig := <-ch:
			o.ready.Drain()
			log.Info("draining: no new connections; running statements may finish", "signal", sig.String(), "drain_timeout", *f.drainTimeout)
			dctx, cancel := context.WithTimeout(context.Background(), *f.drainTimeout)
			defer cancel()
			var wg sync.WaitGroup
			for name, drain := range doors {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if err := drain(dctx); err != nil {
						log.Warn("drain timed out", "door", name, "err", err)
						return
					}
					log.Info("drained: every session ended", "door", name)
				}()
			}
			wg.Wait()
		case <-ctx.Done():
		}
	}()
	return drained
}
