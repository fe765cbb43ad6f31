package quality

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/meshgate/meshgate/planner/catalog"
)

// DefaultInterval is how often a product is checked when neither its rules
// (schedule) nor the gateway (-check-interval) say otherwise.
const DefaultInterval = 15 * time.Minute

// Scheduler checks products in the background: each at its interval (the
// shortest schedule of its rules, else Interval), at most Concurrency at a
// time, each within the Runner's timeout. Checks run on their own engine
// sessions and connections, so they never hold up user queries (they
// share DuckDB's threads).
type Scheduler struct {
	Runner      *Runner
	Tracker     *Tracker
	Products    []*catalog.Product
	Interval    time.Duration
	Concurrency int
	Log         *slog.Logger

	kick chan catalog.Address
	once sync.Once
}

func (s *Scheduler) init() {
	s.once.Do(func() { s.kick = make(chan catalog.Address, 64) })
}

// CheckNow asks for a product's check as soon as a slot is free (after a
// snapshot refresh); it never blocks.
func (s *Scheduler) CheckNow(a catalog.Address) {
	s.init()
	select {
	case s.kick <- a:
	default:
	}
}

// interval is a product's check interval.
func (s *Scheduler) interval(p *catalog.Product) time.Duration {
	d := s.Interval
	if d <= 0 {
		d = DefaultInterval
	}
	for _, r := range p.Quality {
		if r.Schedule > 0 && r.Schedule < d {
			d = r.Schedule
		}
	}
	return d
}

// Run checks every product at once, then on schedule, until ctx ends; it
// returns when the running checks have stopped.
func (s *Scheduler) Run(ctx context.Context) {
	s.init()
	log := s.Log
	if log == nil {
		log = slog.Default()
	}
	n := s.Concurrency
	if n <= 0 {
		n = 2
	}
	slots := make(chan struct{}, n)
	var wg sync.WaitGroup
	defer wg.Wait()
	byAddr := map[catalog.Address]*catalog.Product{}
	due := map[catalog.Address]time.Time{}
	running := map[catalog.Address]bool{}
	var mu sync.Mutex
	for _, p := range s.Products {
		if Checked(p) {
			byAddr[p.Address] = p
			due[p.Address] = time.Time{}
		}
	}
	start := func(p *catalog.Product) {
		mu.Lock()
		if running[p.Address] {
			mu.Unlock()
			return
		}
		running[p.Address] = true
		mu.Unlock()
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case slots <- struct{}{}:
			case <-ctx.Done():
				return
			}
			defer func() { <-slots }()
			rep := s.Runner.Check(ctx, p)
			if ctx.Err() != nil {
				return // stopping: a cancelled check is no finding
			}
			s.Tracker.Record(rep)
			st := s.Tracker.Status(p.Address)
			log.Info("quality check", "product", p.Address, "status", st.State, "rules", len(rep.Results), "duration", rep.Duration.Round(time.Millisecond))
			mu.Lock()
			running[p.Address] = false
			mu.Unlock()
		}()
	}
	tick := time.NewTicker(10 * time.Second)
	defer tick.Stop()
	for {
		now := time.Now()
		for a, at := range due {
			if !now.Before(at) {
				start(byAddr[a])
				due[a] = now.Add(s.interval(byAddr[a]))
			}
		}
		select {
		case <-ctx.Done():
			return
		case a := <-s.kick:
			if p := byAddr[a]; p != nil {
				start(p)
				due[a] = time.Now().Add(s.interval(p))
			}
		case <-tick.C:
			s.Tracker.Publish() // health moves with the clock (stale)
		}
	}
}
