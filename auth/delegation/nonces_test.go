package delegation

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Two caches on one state directory (two replicas) share every claim: a
// nonce claimed through one is a replay through the other; expired nonce
// files are pruned.
func TestDirNoncesShared(t *testing.T) {
	dir := t.TempDir()
	a, err := OpenDirNonces(dir)
	if err != nil {
		t.Fatal(err)
	}
	b, err := OpenDirNonces(dir)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now() // a fresh file's mtime is the real clock's
	exp := now.Add(30 * time.Second)
	if ok, err := a.Claim("n1", exp, now); !ok || err != nil {
		t.Fatalf("first claim: %v, %v", ok, err)
	}
	if ok, err := b.Claim("n1", exp, now); ok || err != nil {
		t.Fatalf("claim of the same nonce through the other cache: %v, %v (want a replay)", ok, err)
	}
	if ok, err := b.Claim("../n2", exp, now); !ok || err != nil {
		t.Fatalf("a nonce that looks like a path: %v, %v", ok, err)
	}
	if entries, _ := os.ReadDir(filepath.Join(dir, "nonces")); len(entries) != 2 {
		t.Fatalf("%d nonce files, want 2", len(entries))
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Fatalf("the state directory holds %d entries, want only nonces/", len(entries))
	}

	// Past expiry and the grace period both are pruned (in the
	// background) when a later claim comes.
	later := exp.Add(forgetAfter + time.Second)
	if ok, err := a.Claim("n3", later.Add(30*time.Second), later); !ok || err != nil {
		t.Fatal(ok, err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for a.Len() != 1 {
		if time.Now().After(deadline) {
			t.Fatalf("%d nonce files after pruning, want 1", a.Len())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// A state directory others can write to, or a file, is refused with a
// sentence saying why.
func TestDirNoncesRefusesUnsafeDirectory(t *testing.T) {
	dir := t.TempDir()
	open := filepath.Join(dir, "open")
	if err := os.Mkdir(open, 0o777); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(open, 0o777); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenDirNonces(open); err == nil || !strings.Contains(err.Error(), "writable by other users") {
		t.Fatalf("world-writable state directory: %v", err)
	}
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenDirNonces(file); err == nil || !strings.Contains(err.Error(), "state directory") {
		t.Fatalf("a file as state directory: %v", err)
	}
}

// A claim that cannot be recorded is an error (Verify refuses: 58030).
func TestVerifyRefusesWhenNonceCannotBeRecorded(t *testing.T) {
	now := time.Now()
	pub, priv := keys(t)
	v := &Verifier{Trusts: []Trust{{Name: "f", Audience: "sales-gw", Key: pub, ServiceAccount: "fed_svc", Users: []string{"analyst"}}}}
	d, err := OpenDirNonces(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(d.dir); err != nil {
		t.Fatal(err)
	}
	tok, err := Sign(priv, claims(now))
	if err != nil {
		t.Fatal(err)
	}
	if _, serr := v.Verify(d, "fed_svc", tok); serr == nil || serr.Code != "58030" || !strings.Contains(serr.Message, "-state-dir") {
		t.Fatalf("Verify with an unusable nonce directory: %v", serr)
	}
}
