package delegation

import (
	"crypto/ed25519"
	"time"

	"github.com/meshgate/meshgate/sqlstate"
)

// Trust is one trusted gateway: its public key, the service account that
// may present its assertions, and whom it may speak for (a user named in
// Users or a member of one of Groups; both empty admits nobody).
type Trust struct {
	Name           string
	Audience       string // this gateway's name as the trusted gateway addresses it
	Key            ed25519.PublicKey
	ServiceAccount string
	Users          []string
	Groups         []string
}

func (t *Trust) speaksFor(c *Claims) bool {
	for _, u := range t.Users {
		if u == c.User || u == "*" {
			return true
		}
	}
	for _, g := range t.Groups {
		for _, cg := range c.Groups {
			if g == cg {
				return true
			}
		}
	}
	return false
}

// Verifier checks assertions against its trusted gateways. It holds no
// state: the nonces it accepted are remembered by the Nonces its caller
// passes (one per gateway, shared by its replicas), so reloading the users
// file forgets none. It is safe for concurrent use.
type Verifier struct {
	Trusts []Trust
	Now    func() time.Time // nil: time.Now
}

// Clock skew tolerated between the gateways.
const skew = 30 * time.Second

func refuse(format string, args ...any) *sqlstate.Error {
	return sqlstate.New(sqlstate.InvalidAuthorization, format, args...)
}

// Verify checks token presented by serviceAccount and returns its claims,
// claiming its nonce in nonces. Any failure is a 28000 *sqlstate.Error
// whose message names the reason but never contains the token (58030 when
// nonces cannot record the claim).
func (v *Verifier) Verify(nonces Nonces, serviceAccount, token string) (*Claims, *sqlstate.Error) {
	head, c, sig, err := split(token)
	if err != nil {
		return nil, refuse("identity assertion refused: %s", err.Error())
	}
	var trust *Trust
	for i := range v.Trusts {
		t := &v.Trusts[i]
		if t.ServiceAccount == serviceAccount && ed25519.Verify(t.Key, []byte(head), sig) {
			trust = t
			break
		}
	}
	if trust == nil {
		return nil, refuse("identity assertion refused: its signature matches no trusted gateway that %q may delegate for", serviceAccount)
	}
	now := time.Now
	if v.Now != nil {
		now = v.Now
	}
	t := now()
	if c.Audience != trust.Audience {
		return nil, refuse("identity assertion refused: it is meant for gateway %q, not %q", c.Audience, trust.Audience)
	}
	if time.Unix(c.Expiry, 0).Add(skew).Before(t) {
		return nil, refuse("identity assertion refused: it expired at %s", time.Unix(c.Expiry, 0).UTC().Format(time.RFC3339))
	}
	if time.Unix(c.IssuedAt, 0).Add(-skew).After(t) || time.Duration(c.Expiry-c.IssuedAt)*time.Second > MaxLifetime {
		return nil, refuse("identity assertion refused: its validity window is in the future or longer than %s", MaxLifetime)
	}
	if !trust.speaksFor(&c) {
		return nil, refuse("identity assertion refused: trusted gateway %q may not speak for user %q", trust.Name, c.User)
	}
	if c.Nonce == "" {
		return nil, refuse("identity assertion refused: it has no nonce")
	}
	fresh, err := nonces.Claim(c.Nonce, time.Unix(c.Expiry, 0), t)
	if err != nil {
		return nil, sqlstate.New(sqlstate.IOError, "identity assertion refused: its use cannot be recorded (%s); check meshgate's -state-dir", err.Error())
	}
	if !fresh {
		return nil, refuse("identity assertion refused: it was already used (replay of statement %s)", c.StatementID)
	}
	return &c, nil
}
