package delegation

import (
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/meshgate/meshgate/sqlstate"
)

func keys(t *testing.T) (ed25519.PublicKey, ed25519.PrivateKey) {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return pub, priv
}

func claims(now time.Time) Claims {
	return Claims{User: "analyst", Groups: []string{"analysts"}, Attributes: map[string]string{"region": "EU"},
		Audience: "sales-gw", Issuer: "fed_svc", IssuedAt: now.Unix(), Expiry: now.Unix() + 60, StatementID: "st-1"}
}

func TestVerify(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	pub, priv := keys(t)
	_, otherPriv := keys(t)
	newVerifier := func() *Verifier {
		return &Verifier{Now: func() time.Time { return now },
			Trusts: []Trust{{Name: "federation", Audience: "sales-gw", Key: pub, ServiceAccount: "fed_svc", Groups: []string{"analysts"}}}}
	}
	sign := func(k ed25519.PrivateKey, c Claims) string {
		tok, err := Sign(k, c)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}

	v := newVerifier()
	nonces := &MemoryNonces{}
	if v.Now == nil {
		t.Fatal("no clock")
	}
	good := sign(priv, claims(now))
	got, serr := v.Verify(nonces, "fed_svc", good)
	if serr != nil {
		t.Fatalf("valid assertion refused: %v", serr)
	}
	if got.User != "analyst" || got.Attributes["region"] != "EU" || got.StatementID != "st-1" || len(got.Nonce) != 32 {
		t.Fatalf("claims = %+v", got)
	}

	expired := claims(now.Add(-10 * time.Minute))
	outside := claims(now)
	outside.User, outside.Groups = "intruder", []string{"guests"}
	wrongAud := claims(now)
	wrongAud.Audience = "hr-gw"
	tampered := []byte(sign(priv, claims(now)))
	tampered[5] ^= 1
	cases := []struct {
		name, account, token, want string
	}{
		{"replay", "fed_svc", good, "already used"},
		{"forged", "fed_svc", sign(otherPriv, claims(now)), "matches no trusted gateway"},
		{"tampered", "fed_svc", string(tampered), "refused"},
		{"wrong service account", "someone", sign(priv, claims(now)), "matches no trusted gateway"},
		{"expired", "fed_svc", sign(priv, expired), "expired at"},
		{"wrong audience", "fed_svc", sign(priv, wrongAud), `meant for gateway "hr-gw"`},
		{"user outside the allowed set", "fed_svc", sign(priv, outside), `may not speak for user "intruder"`},
		{"garbage", "fed_svc", "not-a-token", "not of the form"},
	}
	for _, c := range cases {
		_, serr := v.Verify(nonces, c.account, c.token)
		if serr == nil {
			t.Errorf("%s: accepted", c.name)
			continue
		}
		var e *sqlstate.Error
		if !errors.As(serr, &e) || e.Code != sqlstate.InvalidAuthorization {
			t.Errorf("%s: error %v is not 28000", c.name, serr)
		}
		if !strings.Contains(serr.Error(), c.want) {
			t.Errorf("%s: %q does not say %q", c.name, serr.Error(), c.want)
		}
		if strings.Contains(serr.Error(), c.token) {
			t.Errorf("%s: the error repeats the assertion", c.name)
		}
	}

	// The nonce is forgotten once the assertion expired (the cache stays bounded).
	now = now.Add(10 * time.Minute)
	if _, serr := v.Verify(nonces, "fed_svc", sign(priv, claims(now))); serr != nil {
		t.Fatal(serr)
	}
	if n := nonces.Len(); n != 1 {
		t.Fatalf("nonce cache holds %d entries after expiry, want 1", n)
	}
}

func TestSignRefusesLongLifetime(t *testing.T) {
	_, priv := keys(t)
	c := claims(time.Now())
	c.Expiry = c.IssuedAt + int64(MaxLifetime/time.Second) + 1
	if _, err := Sign(priv, c); err == nil || !strings.Contains(err.Error(), "lifetime") {
		t.Fatalf("err = %v", err)
	}
}
