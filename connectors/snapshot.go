package connectors

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	lru "github.com/hashicorp/golang-lru/v2"

	"github.com/meshgate/meshgate/planner/catalog"
	"github.com/meshgate/meshgate/sqlstate"
)

// Store keeps snapshots where queries read them (the engine).
type Store interface {
	LoadSnapshot(ctx context.Context, a catalog.Address, rr array.RecordReader) (int64, error)
	DropSnapshot(a catalog.Address) error
}

// SnapshotSpec says how a product's port is snapshotted.
type SnapshotSpec struct {
	Product      catalog.Address
	Port         string
	Connector    Connector
	Refresh      time.Duration // background refresh interval
	MaxStaleness time.Duration // 0: no limit
	OnStale      string        // "fail" or "live" (refresh now, then answer)
}

// Freshness is what users see of a snapshot (meshgate.freshness).
type Freshness struct {
	Product     catalog.Address
	Mode        string // snapshot
	Loaded      bool
	LastRefresh time.Time
	Rows        int64
	Bytes       int64
	LastError   string
	Failures    int64 // refreshes that failed since the start
}

// Snapshots materialises snapshot ports, refreshes them in the background
// and keeps their total size within a memory budget, evicting the least
// recently used (golang-lru). An evicted snapshot is loaded again when a
// query needs it.
type Snapshots struct {
	store  Store
	budget int64
	log    *slog.Logger
	onLoad func([]Freshness) // told after every change (the freshness table)

	mu      sync.Mutex
	specs   map[catalog.Address]SnapshotSpec
	state   map[catalog.Address]*Freshness
	loading map[catalog.Address]*sync.Mutex
	used    *lru.Cache[catalog.Address, int64] // loaded snapshots by recency, with their bytes
	total   int64
	loads   map[catalog.Address]uint64 // counts each snapshot's loads (Generation)
}

// NewSnapshots returns a manager with a budget in bytes (<= 0: none).
// onChange, if set, receives the freshness of every snapshot after each
// load, failure or eviction.
func NewSnapshots(store Store, budget int64, log *slog.Logger, onChange func([]Freshness)) *Snapshots {
	if log == nil {
		log = slog.Default()
	}
	s := &Snapshots{store: store, budget: budget, log: log, onLoad: onChange,
		specs: map[catalog.Address]SnapshotSpec{}, state: map[catalog.Address]*Freshness{}, loading: map[catalog.Address]*sync.Mutex{},
		loads: map[catalog.Address]uint64{}}
	s.used, _ = lru.New[catalog.Address, int64](1 << 20)
	return s
}

// Add registers a snapshot port.
func (s *Snapshots) Add(spec SnapshotSpec) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.specs[spec.Product] = spec
	s.state[spec.Product] = &Freshness{Product: spec.Product, Mode: "snapshot"}
	s.loading[spec.Product] = &sync.Mutex{}
}

// Has reports whether a product is served from a snapshot.
func (s *Snapshots) Has(a catalog.Address) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.specs[a]
	return ok
}

// Run refreshes every snapshot on its interval until ctx is done. The
// first load happens at once.
func (s *Snapshots) Run(ctx context.Context) {
	s.mu.Lock()
	specs := make([]SnapshotSpec, 0, len(s.specs))
	for _, sp := range s.specs {
		specs = append(specs, sp)
	}
	s.mu.Unlock()
	var wg sync.WaitGroup
	for _, sp := range specs {
		wg.Add(1)
		go func(sp SnapshotSpec) {
			defer wg.Done()
			interval := sp.Refresh
			if interval <= 0 {
				interval = 5 * time.Minute
			}
			last := ""
			for {
				err := s.Refresh(ctx, sp.Product)
				switch {
				case err != nil && ctx.Err() == nil && err.Error() != last:
					// Logged once until the failure changes or clears
					// (a drifted source fails every refresh alike).
					last = err.Error()
					s.log.Warn("snapshot refresh failed; queries keep the previous snapshot until max_staleness", "product", sp.Product, "err", err)
				case err == nil && last != "":
					last = ""
					s.log.Info("snapshot refresh works again", "product", sp.Product)
				}
				select {
				case <-ctx.Done():
					return
				case <-time.After(interval):
				}
			}
		}(sp)
	}
	wg.Wait()
}

// Refresh loads a product's snapshot from its port now.
func (s *Snapshots) Refresh(ctx context.Context, a catalog.Address) error {
	s.mu.Lock()
	sp, ok := s.specs[a]
	lock := s.loading[a]
	s.mu.Unlock()
	if !ok {
		return fmt.Errorf("connectors: %s has no snapshot", a)
	}
	lock.Lock()
	defer lock.Unlock()
	rr, err := sp.Connector.Scan(ctx, Request{Limit: -1})
	if err == nil {
		counted := &sizedReader{RecordReader: rr}
		var n int64
		n, err = s.store.LoadSnapshot(ctx, a, counted)
		if err == nil {
			s.loaded(a, n, counted.bytes)
			return nil
		}
	}
	s.mu.Lock()
	s.state[a].LastError = errorText(err)
	s.state[a].Failures++
	s.mu.Unlock()
	s.changed()
	return err
}

// Generation identifies the rows a product's snapshot holds: it changes
// with every load (a refresh, a load after eviction) once the new rows are
// committed. Results computed from the snapshot are valid while it stays
// the same (the gateway's result cache).
func (s *Snapshots) Generation(a catalog.Address) uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.loads[a]
}

// loaded records a fresh snapshot and evicts others past the budget.
func (s *Snapshots) loaded(a catalog.Address, rows, bytes int64) {
	var evict []catalog.Address
	s.mu.Lock()
	st := s.state[a]
	if old, ok := s.used.Peek(a); ok {
		s.total -= old
	}
	st.Loaded, st.LastRefresh, st.Rows, st.Bytes, st.LastError = true, time.Now(), rows, bytes, ""
	s.loads[a]++
	s.used.Add(a, bytes)
	s.total += bytes
	for s.budget > 0 && s.total > s.budget && s.used.Len() > 1 {
		victim, size, ok := s.used.RemoveOldest()
		if !ok {
			break
		}
		if victim == a { // never evict what was just loaded
			s.used.Add(a, size)
			continue
		}
		s.total -= size
		s.state[victim].Loaded = false
		s.loads[victim]++
		evict = append(evict, victim)
	}
	s.mu.Unlock()
	for _, v := range evict {
		if err := s.store.DropSnapshot(v); err != nil {
			s.log.Warn("dropping an evicted snapshot failed", "product", v, "err", err)
		}
		s.log.Info("snapshot evicted: over the memory budget", "product", v, "budget_bytes", s.budget)
	}
	s.changed()
}

func (s *Snapshots) changed() {
	if s.onLoad != nil {
		s.onLoad(s.Freshness())
	}
}

// Ensure makes a product's snapshot usable for a query starting now: it
// loads an evicted or never-loaded snapshot, and past max_staleness either
// fails (on_stale: fail) or refreshes first (on_stale: live).
func (s *Snapshots) Ensure(ctx context.Context, a catalog.Address) error {
	s.mu.Lock()
	sp, ok := s.specs[a]
	if !ok {
		s.mu.Unlock()
		return nil
	}
	st := *s.state[a]
	if st.Loaded {
		s.used.Get(a) // recently used
	}
	s.mu.Unlock()
	age := time.Since(st.LastRefresh)
	switch {
	case !st.Loaded && st.LastRefresh.IsZero():
		return s.Refresh(ctx, a)
	case !st.Loaded:
		return s.Refresh(ctx, a) // evicted: load again
	case sp.MaxStaleness > 0 && age > sp.MaxStaleness:
		if sp.OnStale == "live" {
			return s.Refresh(ctx, a)
		}
		msg := ""
		if st.LastError != "" {
			msg = "; the last refresh failed: " + st.LastError
		}
		shown := age.Round(time.Second)
		if age < time.Minute {
			shown = age.Round(100 * time.Millisecond) // not "2s old, past its max_staleness of 2s"
		}
		return sqlstate.New(sqlstate.ObjectNotInPrerequisiteState, "the snapshot of %s is %s old, past its max_staleness of %s%s", a, shown, sp.MaxStaleness, msg).
			WithHint("The product's port is being refreshed every %s; meshgate.freshness shows its state.", sp.Refresh)
	}
	return nil
}

// errorText is what users see of a refresh's error (meshgate.freshness,
// the stale error): the message of a *sqlstate.Error without the
// "(SQLSTATE xxxxx)" its Error method adds, which would otherwise be
// nested in the 55000 message.
func errorText(err error) string {
	if e := sqlstate.As(err); e != nil {
		return e.Message
	}
	return err.Error()
}

// Freshness lists every snapshot's state, sorted by product.
func (s *Snapshots) Freshness() []Freshness {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Freshness, 0, len(s.state))
	for _, st := range s.state {
		out = append(out, *st)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Product.String() < out[j].Product.String() })
	return out
}

// sizedReader adds up the bytes of the batches read through it.
type sizedReader struct {
	array.RecordReader
	bytes int64
}

func (r *sizedReader) Next() bool {
	if !r.RecordReader.Next() {
		return false
	}
	rec := r.RecordReader.RecordBatch()
	for i := 0; i < int(rec.NumCols()); i++ {
		r.bytes += dataSize(rec.Column(i).Data())
	}
	return true
}

// dataSize adds up the buffers of an array and its children.
func dataSize(d arrow.ArrayData) int64 {
	var n int64
	for _, b := range d.Buffers() {
		if b != nil {
			n += int64(b.Len())
		}
	}
	for _, c := range d.Children() {
		n += dataSize(c)
	}
	return n
}
