package ops

import (
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
)

// Readiness decides /readyz: ready while no check fails and no drain has
// begun. Checks are named (mesh, policy, audit, listener) and run at each
// request; the first failure is the answer's reason.
type Readiness struct {
	mu       sync.Mutex
	checks   []check
	draining atomic.Bool
}

type check struct {
	name string
	fn   func() error
}

// Add registers a check; fn returns why meshgate is not ready, or nil.
func (r *Readiness) Add(name string, fn func() error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.checks = append(r.checks, check{name, fn})
}

// Drain turns readiness off for good (SIGTERM): load balancers stop
// sending new clients at once.
func (r *Readiness) Drain() { r.draining.Store(true) }

// Ready returns nil, or why meshgate is not ready.
func (r *Readiness) Ready() error {
	if r.draining.Load() {
		return fmt.Errorf("draining: meshgate is shutting down and accepts no new connections")
	}
	r.mu.Lock()
	checks := append([]check(nil), r.checks...)
	r.mu.Unlock()
	for _, c := range checks {
		if err := c.fn(); err != nil {
			return fmt.Errorf("%s: %w", c.name, err)
		}
	}
	return nil
}

func (r *Readiness) serveReady(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err := r.Ready(); err != nil {
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintf(w, "not ready: %v\n", err)
		return
	}
	fmt.Fprintln(w, "ready")
}

// serveHealth answers /healthz: the process is alive and serving HTTP.
func serveHealth(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	fmt.Fprintln(w, "ok")
}
