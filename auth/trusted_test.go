package auth

import (
	"crypto/ed25519"
	"crypto/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/meshgate/meshgate/auth/delegation"
)

func TestTrustedGateways(t *testing.T) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(s string) string {
		p := filepath.Join(dir, "users.yaml")
		if err := os.WriteFile(p, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := "users:\n  - name: fed_svc\n  - name: analyst\n    groups: [analysts]\ntrusted_gateways:\n" +
		"  - name: federation\n    key: " + delegation.FormatPublicKey(pub) + "\n    audience: sales-gw\n    service_account: fed_svc\n    groups: [analysts]\n"
	d, err := LoadDirectory(write(good))
	if err != nil {
		t.Fatal(err)
	}
	v := d.Delegation()
	if v == nil || len(v.Trusts) != 1 || v.Trusts[0].Audience != "sales-gw" || !v.Trusts[0].Key.Equal(pub) {
		t.Fatalf("verifier = %+v", v)
	}
	now := time.Now().Unix()
	tok, err := delegation.Sign(priv, delegation.Claims{User: "analyst", Groups: []string{"analysts"}, Audience: "sales-gw",
		Issuer: "fed_svc", IssuedAt: now, Expiry: now + 30, StatementID: "s1"})
	if err != nil {
		t.Fatal(err)
	}
	if c, serr := v.Verify(&delegation.MemoryNonces{}, "fed_svc", tok); serr != nil || c.User != "analyst" {
		t.Fatalf("Verify = %+v, %v", c, serr)
	}
	if d, err := LoadDirectory(write("users:\n  - name: a\n")); err != nil || d.Delegation() != nil {
		t.Fatalf("no section: %v, %+v", err, d.Delegation())
	}

	for name, c := range map[string]struct{ yaml, want string }{
		"bad key": {"users:\n  - name: s\ntrusted_gateways:\n  - name: f\n    key: rsa:abc\n    audience: x\n    service_account: s\n    users: ['*']\n",
			`5: key of trusted gateway "f": a public key must be written "ed25519:<base64>"`},
		"unknown account": {"users:\n  - name: s\ntrusted_gateways:\n  - name: f\n    key: " + delegation.FormatPublicKey(pub) + "\n    audience: x\n    service_account: t\n    users: ['*']\n",
			`7: service_account "t" of trusted gateway "f" is not a user of this file`},
		"speaks for nobody": {"users:\n  - name: s\ntrusted_gateways:\n  - name: f\n    key: " + delegation.FormatPublicKey(pub) + "\n    audience: x\n    service_account: s\n",
			`4: trusted gateway "f" speaks for nobody`},
		"misspelt key": {"users:\n  - name: s\ntrusted_gateways:\n  - name: f\n    key: " + delegation.FormatPublicKey(pub) + "\n    audiense: x\n    service_account: s\n    users: ['*']\n",
			`6: unknown key "audiense" in trusted gateway "f"; did you mean "audience"?`},
		"not a list": {"users:\n  - name: s\ntrusted_gateways: {name: f}\n", `3: trusted_gateways must be a list of gateways`},
	} {
		_, err := LoadDirectory(write(c.yaml))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v does not contain %q", name, err, c.want)
		}
	}
}
