package quality

import (
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/meshgate/meshgate/engine"
	"github.com/meshgate/meshgate/planner/catalog"
)

// Health states of a product.
const (
	Healthy     = "healthy"
	Warning     = "warning"
	Failing     = "failing"
	Stale       = "stale"
	Unreachable = "unreachable"
	Unchecked   = "unchecked" // has rules, not checked yet
)

// HistoryPerRule bounds meshgate.quality: the last runs kept per rule.
const HistoryPerRule = 100

// Status is a product's health now.
type Status struct {
	Product   catalog.Address
	State     string
	Since     time.Time
	LastCheck time.Time
	Failing   []Result // rules that fail or could not run (error severity first)
	Reason    string   // unreachable: why; stale: the age and SLA
	Block     bool     // on_failure: block applies to the product
}

// OK reports whether a query of the product needs no notice.
func (s Status) OK() bool { return s.State == Healthy || s.State == Unchecked }

// Message names the product, its state and the failing rule, for the
// notice of a query and the refusal of a blocked one.
func (s Status) Message() string {
	switch s.State {
	case Unreachable:
		return fmt.Sprintf("product %s is unreachable: %s", s.Product, s.Reason)
	case Stale:
		return fmt.Sprintf("product %s is stale: %s", s.Product, s.Reason)
	case Failing, Warning:
		what := "is failing its contract"
		if s.State == Warning {
			what = "has a warning of its contract"
		}
		var rules []string
		for _, f := range s.Failing {
			rules = append(rules, describeFailure(f))
		}
		return fmt.Sprintf("product %s %s: %s", s.Product, what, strings.Join(rules, "; "))
	}
	return fmt.Sprintf("product %s is %s", s.Product, s.State)
}

func describeFailure(r Result) string {
	if r.Status == Error {
		return fmt.Sprintf("rule %s could not run (%s)", r.Rule, r.Error)
	}
	unit := ""
	switch r.Unit {
	case "percent":
		unit = "%"
	case "rows", "":
	default: // an SLA's time unit
		unit = " " + r.Unit
	}
	return fmt.Sprintf("rule %s (%s %s%s, expected %s)", r.Rule, r.Metric, catalog.FormatNumber(round(*r.Measured)), unit, r.Expect)
}

func round(v float64) float64 {
	return float64(int64(v*100+0.5*sign(v))) / 100
}

func sign(v float64) float64 {
	if v < 0 {
		return -1
	}
	return 1
}

type productState struct {
	p       *catalog.Product
	last    *Report
	state   string
	since   time.Time
	history map[string][]engine.QualityRow
}

// Tracker holds the check results of every product and derives health.
// Safe for concurrent use.
type Tracker struct {
	now          func() time.Time
	blockDefault bool
	mu           sync.Mutex
	products     map[catalog.Address]*productState
	publish      func(quality []engine.QualityRow, health []engine.HealthRow)
}

// NewTracker tracks the products that have rules or SLAs. now is the clock
// (nil: time.Now); block is the federation's on_failure (a product's own
// on_failure wins); publish receives the tables after every change (nil:
// none), e.g. Engine.SetQuality and SetHealth.
func NewTracker(products []*catalog.Product, now func() time.Time, block bool, publish func([]engine.QualityRow, []engine.HealthRow)) *Tracker {
	if now == nil {
		now = time.Now
	}
	t := &Tracker{now: now, blockDefault: block, products: map[catalog.Address]*productState{}, publish: publish}
	for _, p := range products {
		if Checked(p) {
			t.products[p.Address] = &productState{p: p, state: Unchecked, since: now(), history: map[string][]engine.QualityRow{}}
		}
	}
	return t
}

// Checked reports whether a product has anything to check.
func Checked(p *catalog.Product) bool {
	return len(p.Quality) > 0 || p.SLA.Freshness != nil || p.SLA.Retention != nil
}

// Record stores a check's report and publishes the tables.
func (t *Tracker) Record(rep Report) {
	t.mu.Lock()
	ps := t.products[rep.Product]
	if ps == nil {
		t.mu.Unlock()
		return
	}
	ps.last = &rep
	for _, r := range rep.Results {
		row := engine.QualityRow{Product: rep.Product.String(), Version: rep.Version, Rule: r.Rule, Dimension: r.Dimension, Severity: r.Severity,
			Threshold: r.Threshold, Status: r.Status, Error: r.Error, Measured: r.Measured, CheckedAt: rep.CheckedAt, Duration: rep.Duration}
		h := append(ps.history[r.Rule], row)
		if len(h) > HistoryPerRule {
			h = h[len(h)-HistoryPerRule:]
		}
		ps.history[r.Rule] = h
	}
	if rep.Unreachable != "" {
		ps.history["(port)"] = append(ps.history["(port)"], engine.QualityRow{Product: rep.Product.String(), Version: rep.Version, Rule: "(port)",
			Severity: "error", Status: Error, Error: rep.Unreachable, CheckedAt: rep.CheckedAt, Duration: rep.Duration})
		if h := ps.history["(port)"]; len(h) > HistoryPerRule {
			ps.history["(port)"] = h[len(h)-HistoryPerRule:]
		}
	}
	t.mu.Unlock()
	t.Publish()
}

// Status returns a product's health now (Healthy for a product without
// rules or SLAs).
func (t *Tracker) Status(a catalog.Address) Status {
	t.mu.Lock()
	defer t.mu.Unlock()
	ps := t.products[a]
	if ps == nil {
		return Status{Product: a, State: Healthy}
	}
	return t.statusLocked(ps)
}

// statusLocked derives the state from the last report and the clock, and
// moves since when the state changes.
func (t *Tracker) statusLocked(ps *productState) Status {
	now := t.now()
	s := Status{Product: ps.p.Address, State: Unchecked, Block: t.blockDefault}
	switch ps.p.OnFailure {
	case "block":
		s.Block = true
	case "warn":
		s.Block = false
	}
	if rep := ps.last; rep != nil {
		s.LastCheck = rep.CheckedAt
		var errs, warns []Result
		freshFail := false
		for _, r := range rep.Results {
			if r.Status == Pass {
				continue
			}
			if r.Rule == "freshness" && r.Status == Fail {
				freshFail = true
				continue
			}
			if r.Severity == "error" {
				errs = append(errs, r)
			} else {
				warns = append(warns, r)
			}
		}
		fresh := ps.p.SLA.Freshness
		var age time.Duration
		if fresh != nil && rep.Newest != nil {
			age = now.Sub(*rep.Newest)
			freshFail = age > fresh.Duration()
		}
		switch {
		case rep.Unreachable != "":
			s.State, s.Reason = Unreachable, rep.Unreachable
		case len(errs) > 0:
			s.State, s.Failing = Failing, append(errs, warns...)
		case freshFail:
			s.State = Stale
			s.Reason = fmt.Sprintf("its newest %s is %s old, past its freshness SLA of %s %s", fresh.Element, age.Round(time.Second), catalog.FormatNumber(fresh.Value), fresh.Unit)
		case len(warns) > 0:
			s.State, s.Failing = Warning, warns
		default:
			s.State = Healthy
		}
	}
	if s.State != ps.state {
		ps.state, ps.since = s.State, now
	}
	s.Since = ps.since
	return s
}

// Publish writes meshgate.quality and meshgate.health (health moves with
// the clock: the scheduler calls Publish on every round).
func (t *Tracker) Publish() {
	if t.publish == nil {
		return
	}
	t.mu.Lock()
	var q []engine.QualityRow
	var h []engine.HealthRow
	addrs := make([]catalog.Address, 0, len(t.products))
	for a := range t.products {
		addrs = append(addrs, a)
	}
	sort.Slice(addrs, func(i, j int) bool { return addrs[i].String() < addrs[j].String() })
	for _, a := range addrs {
		ps := t.products[a]
		rules := make([]string, 0, len(ps.history))
		for r := range ps.history {
			rules = append(rules, r)
		}
		sort.Strings(rules)
		for _, r := range rules {
			q = append(q, ps.history[r]...)
		}
		s := t.statusLocked(ps)
		row := engine.HealthRow{Product: a.String(), Status: s.State, Since: s.Since, LastCheck: s.LastCheck, Failing: []string{}}
		for _, f := range s.Failing {
			row.Failing = append(row.Failing, f.Rule)
		}
		if f := ps.p.SLA.Freshness; f != nil {
			row.SLA, row.HasSLA = f.Duration(), true
			if ps.last != nil && ps.last.Newest != nil {
				row.Age, row.HasAge = t.now().Sub(*ps.last.Newest), true
			}
		}
		h = append(h, row)
	}
	t.mu.Unlock()
	t.publish(q, h)
}
