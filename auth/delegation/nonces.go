package delegation

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Nonces remembers the nonces of accepted assertions until they expire,
// so each assertion is used once.
type Nonces interface {
	// Claim records nonce as used until expiry. It returns false when the
	// nonce was claimed before (a replay), and an error when the claim
	// cannot be recorded (the caller refuses the assertion: fail closed).
	Claim(nonce string, expiry, now time.Time) (bool, error)
}

// forgetAfter is how long past its expiry a nonce is kept: the skew
// Verify tolerates, and a minute for clocks of replicas that share a
// state directory.
const forgetAfter = skew + time.Minute

// MemoryNonces is one process's nonce cache.
type MemoryNonces struct {
	mu   sync.Mutex
	seen map[string]time.Time // nonce -> expiry
}

// Claim implements Nonces.
func (m *MemoryNonces) Claim(nonce string, expiry, now time.Time) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.seen == nil {
		m.seen = map[string]time.Time{}
	}
	for n, exp := range m.seen {
		if exp.Add(forgetAfter).Before(now) {
			delete(m.seen, n)
		}
	}
	if _, dup := m.seen[nonce]; dup {
		return false, nil
	}
	m.seen[nonce] = expiry
	return true, nil
}

// Len is the number of nonces remembered.
func (m *MemoryNonces) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.seen)
}

// DirNonces is a nonce cache shared by every process that uses the same
// directory (the replicas of one gateway, on one machine or a shared
// file system): a nonce is claimed by creating a file named by its digest
// with O_EXCL, which exactly one process can do. Each file holds the
// nonce's expiry; files past it are removed at most once a minute.
type DirNonces struct {
	dir       string
	lastPrune atomic.Int64 // unix seconds
}

// pruneEvery spaces the removals of expired nonce files.
const pruneEvery = time.Minute

// OpenDirNonces prepares dir/nonces. The state directory must be a
// directory of this user that no other user can write to: whoever can
// delete a nonce file can replay its assertion.
func OpenDirNonces(stateDir string) (*DirNonces, error) {
	dir := filepath.Join(stateDir, "nonces")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("state directory: %w", err)
	}
	for _, d := range []string{stateDir, dir} {
		if err := private(d); err != nil {
			return nil, err
		}
	}
	return &DirNonces{dir: dir}, nil
}

// private checks that d is a real directory owned by this user and not
// writable by others.
func private(d string) error {
	st, err := os.Lstat(d)
	if err != nil {
		return fmt.Errorf("state directory: %w", err)
	}
	if !st.IsDir() {
		return fmt.Errorf("state directory %s is not a directory (a symbolic link is refused)", d)
	}
	if st.Mode().Perm()&0o022 != 0 {
		return fmt.Errorf("state directory %s is writable by other users (mode %#o): one could delete used nonces and replay assertions; run chmod go-w on it or choose another", d, st.Mode().Perm())
	}
	if sys, ok := st.Sys().(*syscall.Stat_t); ok && int(sys.Uid) != os.Geteuid() {
		return fmt.Errorf("state directory %s belongs to user id %d, not to this process's %d: choose a directory of meshgate's own user", d, sys.Uid, os.Geteuid())
	}
	return nil
}

// Claim implements Nonces.
func (d *DirNonces) Claim(nonce string, expiry, now time.Time) (bool, error) {
	d.prune(now)
	sum := sha256.Sum256([]byte(nonce))
	path := filepath.Join(d.dir, hex.EncodeToString(sum[:16]))
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("recording the nonce in %s: %w", d.dir, err)
	}
	// The file's existence is the claim; an unwritten expiry only delays
	// its pruning (expired).
	_, _ = f.WriteString(strconv.FormatInt(expiry.Unix(), 10))
	_ = f.Close()
	return true, nil
}

// prune removes, in the background and at most once per pruneEvery, the
// nonce files whose expiry passed more than forgetAfter ago.
func (d *DirNonces) prune(now time.Time) {
	last := d.lastPrune.Load()
	if now.Unix()-last < int64(pruneEvery/time.Second) || !d.lastPrune.CompareAndSwap(last, now.Unix()) {
		return
	}
	go func() {
		entries, err := os.ReadDir(d.dir)
		if err != nil {
			return
		}
		for _, e := range entries {
			path := filepath.Join(d.dir, e.Name())
			if expired(path, now) {
				_ = os.Remove(path) // another replica may have removed it first
			}
		}
	}()
}

// expired reads a nonce file's expiry; a file without a readable one is
// expired once it is older than any assertion can live.
func expired(path string, now time.Time) bool {
	b, err := os.ReadFile(path)
	if err == nil {
		if exp, perr := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64); perr == nil {
			return time.Unix(exp, 0).Add(forgetAfter).Before(now)
		}
	}
	st, err := os.Stat(path)
	return err == nil && st.ModTime().Add(MaxLifetime+forgetAfter).Before(now)
}

// Len is the number of nonce files (for tests and diagnostics).
func (d *DirNonces) Len() int {
	entries, _ := os.ReadDir(d.dir)
	return len(entries)
}
