package auth

import (
	"encoding/base64"
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestSCRAMRFC7677 runs the server side of the exchange of RFC 7677 §3.
func TestSCRAMRFC7677(t *testing.T) {
	salt, _ := base64.StdEncoding.DecodeString("W22ZaJ0SNY7soEsUEjb6gQ==")
	v := NewVerifier("pencil", salt, 4096)
	s := NewSCRAMServer(v)
	s.serverNonce = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0"
	first, err := s.ClientFirst([]byte("n,,n=user,r=rOprNGfwEbeRWgbNEkqO"))
	if err != nil {
		t.Fatal(err)
	}
	if want := "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"; string(first) != want {
		t.Fatalf("server-first = %q, want %q", first, want)
	}
	final, err := s.ClientFinal([]byte("c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="))
	if err != nil {
		t.Fatal(err)
	}
	if want := "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="; string(final) != want {
		t.Fatalf("server-final = %q, want %q", final, want)
	}

	// The verifier survives PostgreSQL's text format.
	w, err := ParseVerifier(v.String())
	if err != nil || w.String() != v.String() {
		t.Fatalf("round trip: %v %v", w, err)
	}

	// A wrong proof is a mismatch, not a protocol error.
	s = NewSCRAMServer(NewVerifier("not-pencil", salt, 4096))
	s.serverNonce = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0"
	if _, err := s.ClientFirst([]byte("n,,n=user,r=rOprNGfwEbeRWgbNEkqO")); err != nil {
		t.Fatal(err)
	}
	_, err = s.ClientFinal([]byte("c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="))
	if !errors.Is(err, ErrPasswordMismatch) {
		t.Fatalf("wrong password: %v", err)
	}
}

func TestSCRAMRejects(t *testing.T) {
	v := NewVerifier("pencil", []byte("0123456789abcdef"), 4096)
	for _, msg := range []string{
		"p=tls-server-end-point,,n=,r=abc",
		"x,,n=,r=abc",
		"n,a=admin,n=,r=abc",
		"n,,m=ext,n=,r=abc",
		"n,,n=,r=",
	} {
		_, err := NewSCRAMServer(v).ClientFirst([]byte(msg))
		var se *SCRAMError
		if !errors.As(err, &se) {
			t.Errorf("%q: got %v, want a SCRAMError", msg, err)
		}
	}
	_, err := NewSCRAMServer(v).ClientFirst([]byte("p=tls-server-end-point,,n=,r=abc"))
	if err == nil || !strings.Contains(err.Error(), "channel binding") {
		t.Errorf("p= error should name channel binding: %v", err)
	}
	// "y,," (client could bind, server did not offer it) is accepted.
	if _, err := NewSCRAMServer(v).ClientFirst([]byte("y,,n=,r=abc")); err != nil {
		t.Errorf("y,,: %v", err)
	}
}

func TestVerifierAndPassword(t *testing.T) {
	s, err := MakeVerifier("analyst-demo")
	if err != nil {
		t.Fatal(err)
	}
	if !scramRE.MatchString(s) {
		t.Fatalf("MakeVerifier output %q is not accepted by the users file", s)
	}
	v, err := ParseVerifier(s)
	if err != nil {
		t.Fatal(err)
	}
	if !v.CheckPassword("analyst-demo") || v.CheckPassword("analyst-dem0") {
		t.Fatal("CheckPassword")
	}
	// Fake verifiers are deterministic per (secret, user) and differ by user.
	a, b := FakeVerifier([]byte("k"), "nobody"), FakeVerifier([]byte("k"), "nobody")
	if a.String() != b.String() || a.String() == FakeVerifier([]byte("k"), "other").String() {
		t.Fatal("FakeVerifier is not deterministic per user")
	}
	// SASLprep: non-ASCII spaces become spaces; ASCII passes as is.
	if SASLprep("a\u00a0b") != "a b" || SASLprep("a\tb") != "a\tb" {
		t.Fatalf("SASLprep: %q %q", SASLprep("a\u00a0b"), SASLprep("a\tb"))
	}
}

func TestThrottle(t *testing.T) {
	th := NewThrottle(2, 100*time.Millisecond, time.Second)
	now := time.Unix(1000, 0)
	th.now = func() time.Time { return now }
	if d := th.Delay("a"); d != 0 {
		t.Fatalf("no failures: %v", d)
	}
	var got []time.Duration
	for range 6 {
		th.Fail("a")
		got = append(got, th.Delay("a"))
	}
	want := []time.Duration{100, 200, 400, 800, 1000, 1000}
	for i := range want {
		if got[i] != want[i]*time.Millisecond {
			t.Fatalf("delays %v, want %v ms", got, want)
		}
	}
	now = now.Add(16 * time.Minute)
	if d := th.Delay("a"); d != 0 {
		t.Fatalf("after the window: %v", d)
	}
	th.Fail("b")
	th.Fail("c")
	th.Fail("d")
	if th.Len() != 2 {
		t.Fatalf("tracked %d addresses, want at most 2", th.Len())
	}
}

func writeUsers(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "users.yaml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

const usersHead = `apiVersion: meshgate/v1
kind: Users
users:
  - name: analyst
    groups: [analysts]
    connection_limit: 2
    statement_timeout: 30s
    max_statement_timeout: 5min
  - name: steward
    groups: [stewards, analysts]
`

func TestAccessRules(t *testing.T) {
	d, err := LoadDirectory(writeUsers(t, usersHead+`access:
  - {type: hostnossl, address: 10.0.0.0/8, users: [all], databases: [all], method: reject}
  - {type: hostssl, address: all, users: [+stewards], databases: [mesh], method: password}
  - {type: host, address: [127.0.0.1, "::1"], users: [analyst], method: trust}
  - {type: host, method: scram-sha-256}
`))
	if err != nil {
		t.Fatal(err)
	}
	u, _ := d.Lookup("analyst")
	if u.Limits.ConnectionLimit != 2 || u.Limits.StatementTimeout != 30*time.Second || u.Limits.MaxStatementTimeout != 5*time.Minute {
		t.Fatalf("limits: %+v", u.Limits)
	}
	ip := netip.MustParseAddr
	for _, c := range []struct {
		conn Conn
		want Method
		line int
	}{
		{Conn{Addr: ip("10.1.2.3"), User: "analyst", Database: "mesh"}, MethodReject, 12},
		{Conn{TLS: true, Addr: ip("10.1.2.3"), User: "steward", Database: "mesh"}, MethodPassword, 13},
		{Conn{TLS: true, Addr: ip("10.1.2.3"), User: "steward", Database: "other"}, MethodSCRAM, 15},
		{Conn{Addr: ip("127.0.0.1"), User: "analyst", Database: "mesh"}, MethodTrust, 14},
		{Conn{Addr: ip("::1"), User: "analyst", Database: "mesh"}, MethodTrust, 14},
		{Conn{Addr: ip("::ffff:127.0.0.1"), User: "analyst", Database: "mesh"}, MethodTrust, 14},
		{Conn{Addr: ip("127.0.0.1"), User: "nobody", Database: "mesh"}, MethodSCRAM, 15},
	} {
		r, ok := d.Match(c.conn)
		if !ok || r.Method != c.want || r.Line != c.line {
			t.Errorf("%+v: got %v %v line %d, want %v line %d", c.conn, ok, r.Method, r.Line, c.want, c.line)
		}
	}

	// No access section: SCRAM for everyone.
	d, err = LoadDirectory(writeUsers(t, usersHead))
	if err != nil {
		t.Fatal(err)
	}
	if r, ok := d.Match(Conn{Addr: ip("192.0.2.1"), User: "x", Database: "y"}); !ok || r.Method != MethodSCRAM {
		t.Fatalf("default rule: %v %v", r, ok)
	}
}

func TestAccessRulesInvalid(t *testing.T) {
	_, err := LoadDirectory(writeUsers(t, usersHead+`access:
  - {type: host, method: password}
  - {type: hostsll, method: scram-sha-256}
  - {type: host, address: 10.0.0.300/8, method: trust}
  - {type: host, users: [anlyst, +nogroup], method: scram-sha-256}
  - {type: host, method: md5, databse: [mesh]}
`))
	if err == nil {
		t.Fatal("want errors")
	}
	msg := err.Error()
	for _, want := range []string{
		"users.yaml:12: access rule 1: method password sends the password in clear",
		"users.yaml:13: type of access rule 2 must be host, hostssl or hostnossl",
		`users.yaml:14: address "10.0.0.300/8" of access rule 3 is not valid`,
		`users.yaml:15: access rule 4 names user "anlyst", who is not in the users file; did you mean "analyst"?`,
		`users.yaml:15: access rule 4 names group "nogroup"`,
		"users.yaml:16: access rule 5: method md5 is not supported",
		`users.yaml:16: unknown key "databse" in access rule 5; did you mean "databases"?`,
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("missing %q in:\n%s", want, msg)
		}
	}
	_, err = LoadDirectory(writeUsers(t, `apiVersion: meshgate/v1
kind: Users
users:
  - name: a
    connection_limit: 0
    statement_timeout: 10min
    max_statement_timeout: 1min
    idle_session_timeout: soon
`))
	if err == nil {
		t.Fatal("want errors")
	}
	for _, want := range []string{
		"users.yaml:5: connection_limit of user \"a\" must be a whole number",
		"users.yaml:6: statement_timeout of user \"a\" (10min) is above its max_statement_timeout (1min)",
		`users.yaml:8: idle_session_timeout of user "a": "soon" is not a duration`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in:\n%s", want, err)
		}
	}
}
