package auth

import (
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/meshgate/meshgate/internal/strictyaml"
)

// Method is how a matching access rule authenticates a client.
type Method string

const (
	// MethodSCRAM asks for a SCRAM-SHA-256 exchange (the default).
	MethodSCRAM Method = "scram-sha-256"
	// MethodPassword asks for the password in clear; allowed in hostssl
	// rules only.
	MethodPassword Method = "password"
	// MethodReject refuses the connection.
	MethodReject Method = "reject"
	// MethodTrust admits the client without a password. For demos only.
	MethodTrust Method = "trust"
)

// ConnType is the connection type a rule applies to, as pg_hba.conf's.
type ConnType string

const (
	Host      ConnType = "host"      // TLS or not
	HostSSL   ConnType = "hostssl"   // TLS only
	HostNoSSL ConnType = "hostnossl" // plain TCP only
)

// Rule is one entry of the users file's access section. The first rule
// that matches a connection decides its method.
type Rule struct {
	Type      ConnType
	Addresses []netip.Prefix // nil: all
	Users     []string       // names and +group; nil: all
	Databases []string       // nil: all
	Method    Method
	Line      int // 0 for the built-in default rule
}

// DefaultRules apply when the users file has no access section:
// SCRAM-SHA-256 for everyone, TLS or not.
var DefaultRules = []Rule{{Type: Host, Method: MethodSCRAM}}

// Rules returns the directory's access rules, in order.
func (d *Directory) Rules() []Rule { return d.rules }

// Conn is what rules match on.
type Conn struct {
	TLS      bool
	Addr     netip.Addr // the client's address; invalid (zero) never matches a CIDR
	User     string
	Database string
}

// Match returns the first rule that matches c, or false when none does.
// A user who is not in the directory matches only rules for all users or
// naming them, never a +group.
func (d *Directory) Match(c Conn) (Rule, bool) {
	u, _ := d.Lookup(c.User)
	for _, r := range d.rules {
		if r.Type == HostSSL && !c.TLS || r.Type == HostNoSSL && c.TLS {
			continue
		}
		if r.Addresses != nil && !matchAddr(r.Addresses, c.Addr) {
			continue
		}
		if r.Users != nil && !matchUser(r.Users, c.User, u) {
			continue
		}
		if r.Databases != nil && !slices.Contains(r.Databases, c.Database) {
			continue
		}
		return r, true
	}
	return Rule{}, false
}

func matchAddr(ps []netip.Prefix, a netip.Addr) bool {
	if !a.IsValid() {
		return false
	}
	a = a.Unmap()
	for _, p := range ps {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

func matchUser(list []string, name string, u *User) bool {
	for _, x := range list {
		if g, ok := strings.CutPrefix(x, "+"); ok {
			if u != nil && u.InGroup(g) {
				return true
			}
		} else if x == name {
			return true
		}
	}
	return false
}

var (
	ruleKeys = []string{"type", "address", "users", "databases", "method"}
	dbNameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_$-]*$`)
)

// access reads the access section; without one, DefaultRules.
func (l *loader) access(n *yaml.Node, d *Directory) []Rule {
	if n == nil {
		return DefaultRules
	}
	if n.Kind != yaml.SequenceNode || len(n.Content) == 0 {
		l.Errorf(n.Line, "access must be a non-empty list of rules such as {type: host, address: all, users: [all], databases: [all], method: scram-sha-256}, not %s", strictyaml.KindName(n))
		return nil
	}
	groups := map[string]bool{}
	for _, name := range d.names {
		for _, g := range d.users[name].Groups {
			groups[g] = true
		}
	}
	var rules []Rule
	l.Items(n, "access rule", "", "type, address, users, databases and method", ruleKeys, func(where string, rn *yaml.Node, f map[string]*yaml.Node) {
		r := Rule{Line: rn.Line}
		ok := true
		bad := func(line int, format string, args ...any) {
			l.Errorf(line, format, args...)
			ok = false
		}
		switch tn := f["type"]; {
		case tn == nil:
			bad(rn.Line, "%s has no type: use host, hostssl or hostnossl", where)
		case tn.Kind != yaml.ScalarNode || (tn.Value != string(Host) && tn.Value != string(HostSSL) && tn.Value != string(HostNoSSL)):
			bad(tn.Line, "type of %s must be host, hostssl or hostnossl, not %s", where, strictyaml.KindName(tn))
		default:
			r.Type = ConnType(tn.Value)
		}
		switch mn := f["method"]; {
		case mn == nil:
			bad(rn.Line, "%s has no method: use scram-sha-256, password, reject or trust", where)
		case mn.Kind != yaml.ScalarNode:
			bad(mn.Line, "method of %s must be scram-sha-256, password, reject or trust, not %s", where, strictyaml.KindName(mn))
		default:
			switch m := Method(strings.ToLower(mn.Value)); m {
			case MethodSCRAM, MethodReject, MethodTrust:
				r.Method = m
			case MethodPassword:
				r.Method = m
				if r.Type != HostSSL && r.Type != "" {
					bad(mn.Line, "%s: method password sends the password in clear, so it is only allowed in hostssl rules (type: hostssl)", where)
				}
			case "md5":
				bad(mn.Line, "%s: method md5 is not supported; use scram-sha-256", where)
			default:
				bad(mn.Line, "method of %s must be scram-sha-256, password, reject or trust, not %q", where, mn.Value)
			}
		}
		for _, a := range l.list(f["address"], where, "address") {
			if a.Value == "all" {
				r.Addresses = nil
				if len(f["address"].Content) > 1 {
					bad(a.Line, "%s: address all cannot be combined with other addresses", where)
				}
				break
			}
			p, err := parsePrefix(a.Value)
			if err != nil {
				bad(a.Line, "address %q of %s is not valid: use all, an IP address or a CIDR such as 10.0.0.0/8", a.Value, where)
				continue
			}
			r.Addresses = append(r.Addresses, p)
		}
		for _, un := range l.list(f["users"], where, "users") {
			x := un.Value
			switch {
			case x == "all":
				if len(f["users"].Content) > 1 {
					bad(un.Line, "%s: users all cannot be combined with other users", where)
				}
			case strings.HasPrefix(x, "+"):
				if !groups[x[1:]] {
					bad(un.Line, "%s names group %q, but no user is in that group", where, x[1:])
				}
				r.Users = append(r.Users, x)
			default:
				if _, known := d.users[x]; !known {
					bad(un.Line, "%s names user %q, who is not in the users file%s (write +name for a group)", where, x, strictyaml.DidYouMean(x, d.names))
				}
				r.Users = append(r.Users, x)
			}
		}
		for _, dn := range l.list(f["databases"], where, "databases") {
			switch {
			case dn.Value == "all":
				if len(f["databases"].Content) > 1 {
					bad(dn.Line, "%s: databases all cannot be combined with other databases", where)
				}
			case !dbNameRE.MatchString(dn.Value):
				bad(dn.Line, "database name %q of %s is not valid", dn.Value, where)
			default:
				r.Databases = append(r.Databases, dn.Value)
			}
		}
		if ok {
			rules = append(rules, r)
		}
	})
	return rules
}

// list reads a rule's list field: a sequence of text, or one text value.
// "all" anywhere makes the field nil (match everything). A missing field
// means all.
func (l *loader) list(n *yaml.Node, where, key string) []*yaml.Node {
	if n == nil {
		return nil
	}
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!str" {
		// one value: "all" or a single entry
		wrap := *n
		n.Kind, n.Content = yaml.SequenceNode, []*yaml.Node{&wrap}
	}
	if n.Kind != yaml.SequenceNode || len(n.Content) == 0 {
		l.Errorf(n.Line, "%s of %s must be a non-empty list, such as [all], not %s", key, where, strictyaml.KindName(n))
		return nil
	}
	var out []*yaml.Node
	for _, x := range n.Content {
		if !strictyaml.IsText(x) {
			l.Errorf(x.Line, "each entry of %s of %s must be text, not %s", key, where, strictyaml.KindName(x))
			continue
		}
		out = append(out, x)
	}
	return out
}

func parsePrefix(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return p, err
		}
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	return netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()), nil
}

// String describes a rule for logs and errors.
func (r Rule) String() string {
	if r.Line == 0 {
		return "the default access rule (host all all scram-sha-256)"
	}
	return fmt.Sprintf("access rule on line %d", r.Line)
}
