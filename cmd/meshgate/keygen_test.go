package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/meshgate/meshgate/auth/delegation"
)

// keygen's file signs assertions the printed public key verifies; the
// file is private and never overwritten.
func TestKeygen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "delegation.key")
	code, out, errs := runCmd("keygen", path)
	if code != 0 {
		t.Fatalf("keygen: exit %d: %s", code, errs)
	}
	pub, err := delegation.ParsePublicKey(strings.TrimSpace(out))
	if err != nil {
		t.Fatalf("printed key %q: %v", out, err)
	}
	if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v, %v", st, err)
	}
	priv, err := delegation.ReadPrivateKey(path)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().Unix()
	tok, err := delegation.Sign(priv, delegation.Claims{User: "u", Audience: "a", Issuer: "svc", IssuedAt: now, Expiry: now + 10, StatementID: "s"})
	if err != nil {
		t.Fatal(err)
	}
	v := &delegation.Verifier{Trusts: []delegation.Trust{{Name: "f", Audience: "a", Key: pub, ServiceAccount: "svc", Users: []string{"u"}}}}
	if _, serr := v.Verify(&delegation.MemoryNonces{}, "svc", tok); serr != nil {
		t.Fatal(serr)
	}
	if code, _, errs := runCmd("keygen", path); code != 1 || !strings.Contains(errs, "exists") {
		t.Fatalf("overwrite: exit %d: %s", code, errs)
	}
	if err := os.WriteFile(path+".bad", []byte("not a key"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := delegation.ReadPrivateKey(path + ".bad"); err == nil || !strings.Contains(err.Error(), "meshgate keygen writes one") {
		t.Fatalf("bad key file: %v", err)
	}
}
