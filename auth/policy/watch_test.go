package policy_test

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/meshgate/meshgate/auth/policy"
	"github.com/meshgate/meshgate/planner/catalog"
)

// watcher runs Watch on dir and counts its calls.
type watcher struct {
	calls chan struct{}
}

func startWatch(t *testing.T, dir string) *watcher {
	t.Helper()
	w := &watcher{calls: make(chan struct{}, 100)}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- policy.Watch(ctx, dir, 50*time.Millisecond, func() { w.calls <- struct{}{} }) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Watch: %v", err)
		}
	})
	time.Sleep(50 * time.Millisecond) // let the watches be added
	return w
}

// next waits for one call, up to a generous bound.
func (w *watcher) next(t *testing.T, what string) time.Duration {
	t.Helper()
	start := time.Now()
	select {
	case <-w.calls:
		return time.Since(start)
	case <-time.After(5 * time.Second):
		t.Fatalf("%s: no change reported within 5s", what)
	}
	return 0
}

// drain counts the calls that come within 300ms.
func (w *watcher) drain() int {
	n := 0
	for {
		select {
		case <-w.calls:
			n++
		case <-time.After(300 * time.Millisecond):
			return n
		}
	}
}

// quiet asserts that no call comes for a while.
func (w *watcher) quiet(t *testing.T, what string) {
	t.Helper()
	select {
	case <-w.calls:
		t.Errorf("%s: a change was reported", what)
	case <-time.After(300 * time.Millisecond):
	}
}

func write(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestWatch(t *testing.T) {
	dir := writeDir(t, "grants: []\n", nil)
	w := startWatch(t, dir)
	fed := filepath.Join(dir, "federation.yaml")

	write(t, fed, "apiVersion: meshgate/v1\nkind: FederationPolicy\n# edited in place\n")
	w.next(t, "a write in place")

	// An editor's save: a temporary file renamed over the policy.
	tmp := filepath.Join(dir, ".federation.yaml.tmp")
	write(t, tmp, "apiVersion: meshgate/v1\nkind: FederationPolicy\n# renamed over\n")
	if err := os.Rename(tmp, fed); err != nil {
		t.Fatal(err)
	}
	w.next(t, "a rename over the file")

	// A burst of writes is one change (two at most on a machine so loaded
	// that the writes are more than the debounce apart).
	for i := 0; i < 10; i++ {
		write(t, fed, strings.Repeat("# x\n", i+1))
	}
	w.next(t, "a burst of writes")
	if n := w.drain(); n > 1 {
		t.Errorf("a burst of 10 writes was reported %d times", n+1)
	}

	write(t, filepath.Join(dir, "domains", "sales.yaml"), "apiVersion: meshgate/v1\nkind: DomainPolicy\ndomain: sales\n")
	w.next(t, "a new domain file")

	if err := os.Remove(filepath.Join(dir, "domains", "sales.yaml")); err != nil {
		t.Fatal(err)
	}
	w.next(t, "a removed domain file")

	// Swap files, backups and other files are not policy.
	write(t, filepath.Join(dir, ".federation.yaml.swp"), "x")
	write(t, filepath.Join(dir, "domains", "sales.yaml~"), "x")
	write(t, filepath.Join(dir, "notes.txt"), "x")
	w.quiet(t, "editor and unrelated files")

	// domains/ replaced by a new folder: its files are watched again.
	if err := os.RemoveAll(filepath.Join(dir, "domains")); err != nil {
		t.Fatal(err)
	}
	w.next(t, "domains/ removed")
	if err := os.Mkdir(filepath.Join(dir, "domains"), 0o755); err != nil {
		t.Fatal(err)
	}
	w.next(t, "domains/ created")
	time.Sleep(50 * time.Millisecond) // the new folder's watch is added on its Create event
	write(t, filepath.Join(dir, "domains", "geo.yaml"), "apiVersion: meshgate/v1\nkind: DomainPolicy\ndomain: geo\n")
	w.next(t, "a file in the new domains/")
}

func TestWatchMissingDir(t *testing.T) {
	err := policy.Watch(context.Background(), filepath.Join(t.TempDir(), "nope"), 0, func() {})
	if err == nil {
		t.Fatal("Watch of a missing directory did not fail")
	}
}

// TestReloader: a valid change is applied, a broken one refused with its
// problems logged and the previous policy kept, and an unchanged policy is
// not applied again.
func TestReloader(t *testing.T) {
	eng, mesh := demoEngine(t)
	grant := "grants:\n  - id: everyone\n    products: [\"*\"]\n"
	dir := writeDir(t, grant, nil)
	set, problems := policy.Load(dir)
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	var mu sync.Mutex
	current, applied := set, 0
	var logs bytes.Buffer
	r := &policy.Reloader{Dir: dir, Mesh: &catalog.Mesh{Dir: mesh.Dir, Products: mesh.Products}, Describer: eng,
		Current: func() *policy.Set { mu.Lock(); defer mu.Unlock(); return current },
		Apply:   func(s *policy.Set) { mu.Lock(); defer mu.Unlock(); current, applied = s, applied+1 },
		Log:     slog.New(slog.NewTextHandler(&logs, nil))}
	fed := filepath.Join(dir, "federation.yaml")
	head := "apiVersion: meshgate/v1\nkind: FederationPolicy\n"

	if ps := r.Reload(context.Background(), "test"); len(ps) > 0 || applied != 0 {
		t.Errorf("unchanged files: problems %v, applied %d times", ps, applied)
	}
	write(t, fed, head+grant+"denies:\n  - id: no-orders\n    products: [sales.orders]\n")
	if ps := r.Reload(context.Background(), "test"); len(ps) > 0 || applied != 1 || current.Version == set.Version {
		t.Fatalf("valid change: problems %v, applied %d times", ps, applied)
	}
	good := current
	// A duplicate key (loader) and an unknown product (compiler) are both
	// refused; the previous policy stays.
	for _, broken := range []string{
		head + grant + "denies:\n  - id: no-orders\n    products: [sales.orders]\n    products: [geo.countries]\n",
		head + grant + "denies:\n  - id: no-nope\n    products: [sales.nope]\n",
	} {
		logs.Reset()
		write(t, fed, broken)
		ps := r.Reload(context.Background(), "test")
		if len(ps) == 0 || current != good || applied != 1 {
			t.Errorf("broken policy applied (problems %v)", ps)
		}
		if !strings.Contains(logs.String(), "policy reload refused") || !strings.Contains(logs.String(), fed) {
			t.Errorf("the refusal is not logged with its problems:\n%s", logs.String())
		}
	}
}

// TestReloaderRun: a change written while Run watches takes effect within
// a second (measured and logged; the bound asserted is 5s so a loaded
// machine does not make the suite flaky, and the gateway test measures the
// end-to-end latency).
func TestReloaderRun(t *testing.T) {
	eng, mesh := demoEngine(t)
	grant := "grants:\n  - id: everyone\n    products: [\"*\"]\n"
	dir := writeDir(t, grant, nil)
	set, _ := policy.Load(dir)
	applied := make(chan *policy.Set, 10)
	var mu sync.Mutex
	current := set
	r := &policy.Reloader{Dir: dir, Mesh: &catalog.Mesh{Dir: mesh.Dir, Products: mesh.Products}, Describer: eng,
		Current: func() *policy.Set { mu.Lock(); defer mu.Unlock(); return current },
		Apply:   func(s *policy.Set) { mu.Lock(); current = s; mu.Unlock(); applied <- s },
		Log:     slog.New(slog.NewTextHandler(&bytes.Buffer{}, nil))}
	ctx, cancel := context.WithCancel(context.Background())
	hup := make(chan os.Signal, 1)
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx, hup) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()
	time.Sleep(50 * time.Millisecond)
	start := time.Now()
	write(t, filepath.Join(dir, "domains", "sales.yaml"), "apiVersion: meshgate/v1\nkind: DomainPolicy\ndomain: sales\ndenies:\n  - id: no-orders\n    products: [sales.orders]\n")
	select {
	case s := <-applied:
		t.Logf("a new domain file took effect %v after the write", time.Since(start).Round(time.Millisecond))
		if s.Version == set.Version {
			t.Error("same version applied")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the change did not take effect within 5s")
	}
	// SIGHUP reloads too (here: nothing changed, so nothing is applied).
	hup <- os.Interrupt
	select {
	case <-applied:
		t.Error("an unchanged policy was applied again")
	case <-time.After(200 * time.Millisecond):
	}
}
