package auth

import (
	"fmt"

	"gopkg.in/yaml.v3"

	"github.com/meshgate/meshgate/auth/delegation"
	"github.com/meshgate/meshgate/internal/strictyaml"
)

var trustKeys = []string{"name", "key", "audience", "service_account", "users", "groups"}

// Delegation returns the verifier of the users file's trusted_gateways
// section (nil when the file has none: no session is ever delegated).
func (d *Directory) Delegation() *delegation.Verifier { return d.delegation }

// trusted reads the trusted_gateways section: the gateways whose signed
// assertions let their service account speak for end users.
func (l *loader) trusted(n *yaml.Node, d *Directory) *delegation.Verifier {
	if n == nil {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		l.Errorf(n.Line, "trusted_gateways must be a list of gateways, not %s", strictyaml.KindName(n))
		return nil
	}
	v := &delegation.Verifier{}
	l.Items(n, "trusted gateway", "name", "name, key, audience, service_account and users or groups", trustKeys, func(where string, item *yaml.Node, f map[string]*yaml.Node) {
		t := delegation.Trust{}
		t.Name, _ = l.Str(f, item, where, "name", true)
		if t.Name != "" {
			where = fmt.Sprintf("trusted gateway %q", t.Name)
		}
		if k, kn := l.Str(f, item, where, "key", true); kn != nil {
			key, err := delegation.ParsePublicKey(k)
			if err != nil {
				l.Errorf(kn.Line, "key of %s: %s (meshgate keygen prints one)", where, err.Error())
			}
			t.Key = key
		}
		t.Audience, _ = l.Str(f, item, where, "audience", true)
		sa, san := l.Str(f, item, where, "service_account", true)
		if san != nil {
			if _, ok := d.users[sa]; !ok {
				l.Errorf(san.Line, "service_account %q of %s is not a user of this file", sa, where)
			}
		}
		t.ServiceAccount = sa
		if un := f["users"]; un != nil {
			t.Users = l.StrList(un, "users of "+where)
		}
		if gn := f["groups"]; gn != nil {
			t.Groups = l.StrList(gn, "groups of "+where)
		}
		if len(t.Users) == 0 && len(t.Groups) == 0 {
			l.Errorf(item.Line, "%s speaks for nobody: give users (names, or \"*\" for every user) or groups", where)
		}
		v.Trusts = append(v.Trusts, t)
	})
	return v
}
