package auth

import (
	"sync"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
)

// Throttle slows down repeated login failures from one client address: the
// n-th attempt after n-1 recent failures waits Base·2^(n-2), at most Max,
// before it is examined. Failures are forgotten Window after the last one.
// Memory is bounded: at most Size addresses are tracked (least recently
// failed first out).
type Throttle struct {
	Base   time.Duration
	Max    time.Duration
	Window time.Duration

	mu    sync.Mutex
	fails *lru.Cache[string, failures]
	now   func() time.Time
}

type failures struct {
	n    int
	last time.Time
}

// NewThrottle returns a throttle tracking at most size addresses with the
// given base and maximum delays (window 15 minutes).
func NewThrottle(size int, base, maxDelay time.Duration) *Throttle {
	c, _ := lru.New[string, failures](max(size, 1))
	return &Throttle{Base: base, Max: maxDelay, Window: 15 * time.Minute, fails: c, now: time.Now}
}

// Delay is how long an attempt from addr must wait before it is examined.
func (t *Throttle) Delay(addr string) time.Duration {
	if t == nil {
		return 0
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	f, ok := t.fails.Peek(addr)
	if !ok {
		return 0
	}
	if t.now().Sub(f.last) > t.Window {
		t.fails.Remove(addr)
		return 0
	}
	d := t.Base
	for i := 1; i < f.n && d < t.Max; i++ {
		d *= 2
	}
	return min(d, t.Max)
}

// Fail records a failed login from addr.
func (t *Throttle) Fail(addr string) {
	if t == nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	f, _ := t.fails.Get(addr)
	if t.now().Sub(f.last) > t.Window {
		f.n = 0
	}
	f.n++
	f.last = t.now()
	t.fails.Add(addr, f)
}

// Failures is the number of recent failures recorded for addr.
func (t *Throttle) Failures(addr string) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	f, _ := t.fails.Peek(addr)
	return f.n
}

// Len is the number of addresses tracked.
func (t *Throttle) Len() int { return t.fails.Len() }
