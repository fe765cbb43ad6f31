package policy

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/meshgate/meshgate/planner/catalog"
)

// Timing of Watch.
const (
	// DefaultDebounce is how long Watch waits after the last change of a
	// burst (an editor's write, rename and chmod) before reporting it.
	DefaultDebounce = 100 * time.Millisecond
	// maxSettle bounds the wait under a stream of changes: a change is
	// reported at most this long after the first event of its burst.
	maxSettle = 400 * time.Millisecond
	// pollEvery is the safety net for changes no event announces (file
	// systems without inotify, a queue overflow): the files' names, sizes
	// and times are compared this often.
	pollEvery = 5 * time.Second
)

// Watch calls onChange when the policy files of dir (federation.yaml and
// domains/*.yaml) change: debounce (DefaultDebounce when 0) after the last
// event of a burst, and at most 400ms after its first. It watches the
// directories, not the files, so an editor that writes a temporary file
// and renames it over the policy, a new or removed domain file, a
// domains/ folder created later and a Kubernetes ConfigMap's symlink swap
// are all seen. Every 5s it also compares the files' names, sizes and
// times, for changes no event announces. onChange runs on Watch's
// goroutine, one call at a time. Watch returns when ctx is done, or at once
// when dir cannot be watched.
func Watch(ctx context.Context, dir string, debounce time.Duration, onChange func()) error {
	if debounce <= 0 {
		debounce = DefaultDebounce
	}
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("watching the policy directory: %w", err)
	}
	defer w.Close()
	if err := w.Add(dir); err != nil {
		return fmt.Errorf("watching the policy directory %s: %w", dir, err)
	}
	domains := filepath.Join(dir, "domains")
	// domains/ may be absent until it is created (an error then, seen
	// again when the Create event comes); a removed folder drops its watch.
	watchDomains := func() { _ = w.Add(domains) }
	watchDomains()

	var (
		timer    = time.NewTimer(time.Hour)
		pending  bool
		first    time.Time
		poll     = time.NewTicker(pollEvery)
		lastSeen = Stamp(dir)
	)
	timer.Stop()
	defer poll.Stop()
	fire := func() {
		pending = false
		lastSeen = Stamp(dir)
		onChange()
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-w.Events:
			if !ok {
				return nil
			}
			if ev.Name == domains && ev.Has(fsnotify.Create) {
				watchDomains()
			}
			if !relevant(dir, ev) {
				continue
			}
			now := time.Now()
			if !pending {
				pending, first = true, now
			}
			wait := min(debounce, maxSettle-now.Sub(first))
			timer.Reset(max(wait, 0))
		case err, ok := <-w.Errors:
			if !ok {
				return nil
			}
			if errors.Is(err, fsnotify.ErrEventOverflow) {
				// Events were lost: look at the files again.
				fire()
			}
		case <-timer.C:
			if pending {
				fire()
			}
		case <-poll.C:
			if s := Stamp(dir); s != lastSeen && !pending {
				fire()
			}
		}
	}
}

// relevant reports whether an event may change the policy: a write,
// creation, removal or rename of federation.yaml, of the domains folder,
// of a domains/*.yaml file, or of a ConfigMap's ..data link (Kubernetes
// swaps it to update every file at once). Editors' swap and backup files
// and attribute changes are not.
func relevant(dir string, ev fsnotify.Event) bool {
	if ev.Op == fsnotify.Chmod {
		return false
	}
	name := filepath.Base(ev.Name)
	switch filepath.Dir(ev.Name) {
	case filepath.Clean(dir):
		return name == "federation.yaml" || name == "domains" || strings.HasPrefix(name, "..")
	case filepath.Join(dir, "domains"):
		return strings.HasSuffix(name, ".yaml") && !strings.HasPrefix(name, ".")
	}
	return false
}

// Stamp summarises the policy files of dir (names, sizes and times): it
// differs when a file changed.
func Stamp(dir string) string {
	var b strings.Builder
	paths, _ := filepath.Glob(filepath.Join(dir, "domains", "*.yaml"))
	for _, p := range append([]string{filepath.Join(dir, "federation.yaml")}, paths...) {
		if st, err := os.Stat(p); err == nil {
			fmt.Fprintf(&b, "%s:%d:%d;", p, st.Size(), st.ModTime().UnixNano())
		}
	}
	return b.String()
}

// Reloader keeps the policy of a directory in force: Reload loads and
// compiles the directory again and applies a new valid version; a broken
// policy is refused with its problems logged, and the previous one stays.
type Reloader struct {
	Dir       string
	Mesh      *catalog.Mesh // the served products the policy is compiled against
	Describer Describer
	Current   func() *Set // the policy in force
	Apply     func(*Set)  // installs a new policy
	Log       *slog.Logger
	Debounce  time.Duration   // of Watch; 0 means DefaultDebounce
	Refused   func([]Problem) // optional: told of every refused reload (metrics)

	mu sync.Mutex
}

// Reload loads and compiles the directory. A valid policy whose version
// differs from the current one is applied (and logged with the moment it
// took effect); the same version is left alone, so sessions do not rebuild
// their views for nothing. It returns the problems of a refused policy.
func (r *Reloader) Reload(ctx context.Context, reason string) []Problem {
	r.mu.Lock()
	defer r.mu.Unlock()
	start := time.Now()
	set, problems := Load(r.Dir)
	if len(problems) == 0 {
		problems = Compile(ctx, set, r.Mesh, r.Describer)
	}
	if len(problems) > 0 {
		msgs := make([]string, len(problems))
		for i, p := range problems {
			msgs[i] = p.String()
		}
		r.log().Error("policy reload refused; the previous policy stays in force", "reason", reason, "problems", strings.Join(msgs, "; "))
		if r.Refused != nil {
			r.Refused(problems)
		}
		return problems
	}
	if cur := r.Current(); cur != nil && cur.Version == set.Version {
		r.log().Debug("policy files changed without changing the policy", "reason", reason, "version", set.Version)
		return nil
	}
	old := ""
	if cur := r.Current(); cur != nil {
		old = cur.Version
	}
	r.Apply(set)
	r.log().Info("policy reloaded", "reason", reason, "version", set.Version, "previous", old,
		"at", time.Now().UTC().Format(time.RFC3339Nano), "took", time.Since(start).Round(time.Millisecond))
	return nil
}

// Run reloads on every change of the directory's files (Watch) and every
// value received on hup (SIGHUP), until ctx is done. It returns an error
// only when the directory cannot be watched; SIGHUP keeps working then.
func (r *Reloader) Run(ctx context.Context, hup <-chan os.Signal) error {
	done := make(chan error, 1)
	go func() {
		done <- Watch(ctx, r.Dir, r.Debounce, func() { r.Reload(ctx, "policy files changed") })
	}()
	var watchErr error
	for {
		select {
		case <-ctx.Done():
			if done != nil {
				return <-done
			}
			return watchErr
		case watchErr = <-done:
			done = nil // a nil channel is never ready again
			if watchErr != nil {
				r.log().Error("policy files are not watched; reload with SIGHUP", "error", watchErr)
			}
		case <-hup:
			r.Reload(ctx, "SIGHUP")
		}
	}
}

func (r *Reloader) log() *slog.Logger {
	if r.Log == nil {
		return slog.Default()
	}
	return r.Log
}
