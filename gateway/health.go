package gateway

import (
	"context"
	"maps"
	"strings"
	"sync"
	"time"

	"github.com/meshgate/meshgate/auth/policy"
	"github.com/meshgate/meshgate/connectors"
	"github.com/meshgate/meshgate/engine"
	"github.com/meshgate/meshgate/gateway/pgwire"
	"github.com/meshgate/meshgate/internal/sqlquote"
	"github.com/meshgate/meshgate/planner/catalog"
	"github.com/meshgate/meshgate/quality"
	"github.com/meshgate/meshgate/sqlstate"
)

// Product health on every answer: the background checks (package
// quality), the notice of a query that reads an unhealthy product, the
// refusal of one that reads a failing product under on_failure: block,
// and the health named in the audit record.

// QualityConfig tunes the background checks.
type QualityConfig struct {
	Interval    time.Duration    // default quality.DefaultInterval; a rule's schedule may be shorter
	Timeout     time.Duration    // one product's check (0: none)
	Concurrency int              // checks at the same time (default 2)
	Block       bool             // the federation's on_failure: block (a product's own on_failure wins)
	Now         func() time.Time // the clock of freshness (nil: time.Now)
}

// StartQuality checks every product with quality rules or SLAs in the
// background until ctx ends (call it after StartRemote, so remote ports
// are checked through their connectors), and right after each snapshot
// refresh. The results are meshgate.quality and meshgate.health, and the
// health of every answer. wait returns once the checks have stopped.
func (g *Gateway) StartQuality(ctx context.Context, cfg QualityConfig) (wait func()) {
	eng := g.engine
	tracker := quality.NewTracker(eng.Products(), cfg.Now, cfg.Block, func(q []engine.QualityRow, h []engine.HealthRow) {
		if err := eng.SetQuality(q); err != nil {
			g.log.Warn("updating meshgate.quality failed", "err", err)
		}
		if err := eng.SetHealth(h); err != nil {
			g.log.Warn("updating meshgate.health failed", "err", err)
		}
		// meshgate.products shows each product's health too; only the
		// products whose health changed are written.
		if err := g.refreshShownHealth(); err != nil {
			g.log.Warn("updating meshgate.products failed", "err", err)
		}
	})
	runner := &quality.Runner{Engine: eng, Timeout: cfg.Timeout, Now: cfg.Now,
		Live: func(a catalog.Address) connectors.Connector { return g.remote[a] }}
	if g.snapshots != nil {
		runner.Snapshot = g.snapshots.Ensure
	}
	sched := &quality.Scheduler{Runner: runner, Tracker: tracker, Products: eng.Products(),
		Interval: cfg.Interval, Concurrency: cfg.Concurrency, Log: g.log}
	g.health.Store(tracker) // before the first Publish: meshgate.products reads it
	g.checks.Store(sched)
	tracker.Publish()
	done := make(chan struct{})
	go func() { defer close(done); sched.Run(ctx) }()
	return func() { <-done }
}

// Health is a product's health now (healthy when no checks run or the
// product has no rules): the read-only view other front doors (the HTTP
// catalog, metrics) show.
func (g *Gateway) Health(a catalog.Address) quality.Status {
	if r := g.engine.Unreachable(a); r != "" {
		return quality.Status{Product: a, State: quality.Unreachable, Reason: r}
	}
	t := g.health.Load()
	if t == nil {
		return quality.Status{Product: a, State: quality.Healthy}
	}
	return t.Status(a)
}

// CheckNow asks for a product's check at once (after a snapshot refresh,
// or from an operator); it does not wait for it.
func (g *Gateway) CheckNow(a catalog.Address) {
	if s := g.checks.Load(); s != nil {
		s.CheckNow(a)
	}
}

// healthOf decides what a read of products gets: notices for the ones
// that are not healthy, a 55000 refusal for a failing one that blocks,
// and "address=status" for the audit record.
func (s *session) healthOf(products []catalog.Address) (notices []pgwire.Notice, audit []string, err error) {
	for _, a := range products {
		st := s.g.Health(a)
		audit = append(audit, a.String()+"="+st.State)
		if st.OK() {
			continue
		}
		if st.State == quality.Unreachable && s.g.engine.Unreachable(a) != "" && err == nil {
			// A product of a sql port that cannot read its inputs has no
			// rows to give (an empty answer would be a wrong one).
			err = sqlstate.New(sqlstate.ObjectNotInPrerequisiteState, "%s", st.Message()).
				WithHint("The product's owner must restore its inputs or the domain's grants on them; SELECT * FROM meshgate.lineage shows its inputs.")
		}
		if st.Block && st.State == quality.Failing && err == nil {
			err = sqlstate.New(sqlstate.ObjectNotInPrerequisiteState, "%s", st.Message()).
				WithHint("The product's owner must fix its data (meshgate check shows the rules); SELECT * FROM meshgate.health shows when it is healthy again.")
		}
		severity := "WARNING"
		if st.State == quality.Warning {
			severity = "NOTICE"
		}
		notices = append(notices, pgwire.Notice{Severity: severity, Code: sqlstate.Warning, Message: st.Message()})
	}
	return notices, audit, err
}

// healthView narrows meshgate.quality and meshgate.health to the rows of
// the products a session may read; other products' views are unchanged.
func healthView(a catalog.Address, source string, decisions map[catalog.Address]policy.Decision) string {
	if a.Domain != "meshgate" || (a.Name != "quality" && a.Name != "health") {
		return source
	}
	var readable []string
	for b, d := range decisions {
		if d.Granted {
			readable = append(readable, sqlquote.Literal(b.String()))
		}
	}
	if len(readable) == 0 {
		return "(SELECT * FROM " + source + " WHERE false) AS readable"
	}
	return "(SELECT * FROM " + source + " WHERE product IN (" + strings.Join(readable, ", ") + ")) AS readable"
}

// HealthCounts is the number of served products in each health state
// (the states of package quality, a fixed set), for metrics.
func (g *Gateway) HealthCounts() map[string]int {
	out := map[string]int{}
	for _, p := range g.engine.Products() {
		out[g.Health(p.Address).State]++
	}
	return out
}

// shownHealth is the health last written into meshgate.products, so an
// update writes only what changed (every product's rows were rewritten on
// every health publish before: a cost in the mesh's size every few
// seconds).
type shownHealth struct {
	mu    sync.Mutex
	state map[string]string // by product address
}

// set records what fillDiscovery wrote.
func (s *shownHealth) set(state map[string]string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.state = state
}

// refreshShownHealth brings meshgate.products' health column up to date
// with Health (the checks' results and the reachability of products of
// sql ports), writing only the products whose health changed.
func (g *Gateway) refreshShownHealth() error {
	s := &g.shown
	s.mu.Lock()
	defer s.mu.Unlock()
	changed := map[string]string{}
	for _, p := range g.engine.Products() {
		a := p.Address.String()
		if st := g.Health(p.Address).State; s.state[a] != st {
			changed[a] = st
		}
	}
	if len(changed) == 0 {
		return nil
	}
	if err := g.engine.SetDiscoveryHealth(changed); err != nil {
		return err
	}
	if s.state == nil {
		s.state = map[string]string{}
	}
	maps.Copy(s.state, changed)
	return nil
}
