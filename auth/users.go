package auth

import (
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/meshgate/meshgate/auth/delegation"
	"github.com/meshgate/meshgate/internal/strictyaml"
)

// User is one identity of the directory.
type User struct {
	Name       string
	Groups     []string          // sorted, unique
	Attributes map[string]string // never nil
	// Password is the user's SCRAM-SHA-256 verifier
	// ("SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>"), or ""
	// when the file gives none.
	Password string
	Limits   Limits // connection and timeout limits (see limits.go)
	Line     int    // line of the user in the file
}

// InGroup reports whether the user belongs to group g.
func (u *User) InGroup(g string) bool {
	i := sort.SearchStrings(u.Groups, g)
	return i < len(u.Groups) && u.Groups[i] == g
}

// Directory is the set of users loaded from a users file. It is read-only
// after LoadDirectory and safe for concurrent use.
type Directory struct {
	File  string
	users map[string]*User
	names []string // sorted
	rules []Rule   // the access section, or the default rule
	// delegation verifies assertions of the trusted_gateways section
	// (trusted.go); nil without one.
	delegation *delegation.Verifier
}

// Lookup returns the user with the given name. The returned user must not
// be modified.
func (d *Directory) Lookup(name string) (*User, bool) {
	u, ok := d.users[name]
	return u, ok
}

// Names returns the user names, sorted.
func (d *Directory) Names() []string { return append([]string(nil), d.names...) }

// Problem is one thing wrong with the users file (file, line, sentence).
type Problem = strictyaml.Problem

// LoadError lists every problem of a users file.
type LoadError struct{ Problems []Problem }

func (e *LoadError) Error() string {
	msgs := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		msgs[i] = p.Error()
	}
	return strings.Join(msgs, "\n")
}

var (
	userNameRE  = regexp.MustCompile(`^[a-z_][a-z0-9_.-]*$`)
	groupNameRE = regexp.MustCompile(`^[a-z_][a-z0-9_-]*$`)
	attrKeyRE   = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)
	scramRE     = regexp.MustCompile(`^SCRAM-SHA-256\$[1-9][0-9]*:[A-Za-z0-9+/]+=*\$[A-Za-z0-9+/]+=*:[A-Za-z0-9+/]+=*$`)

	topKeys  = []string{"apiVersion", "kind", "users", "access", "trusted_gateways"}
	userKeys = []string{"name", "groups", "attributes", "password",
		"connection_limit", "statement_timeout", "max_statement_timeout", "idle_session_timeout"}
)

// LoadDirectory reads and strictly validates a users file. On any problem
// it returns a *LoadError listing all of them.
func LoadDirectory(path string) (*Directory, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	l := &loader{Reporter: strictyaml.Reporter{File: path}}
	d := l.load(data)
	if !l.OK() {
		sort.SliceStable(l.Problems, func(i, j int) bool { return l.Problems[i].Line < l.Problems[j].Line })
		return nil, &LoadError{Problems: l.Problems}
	}
	return d, nil
}

// loader reads one users file.
type loader struct{ strictyaml.Reporter }

func (l *loader) load(data []byte) *Directory {
	d := &Directory{File: l.File, users: map[string]*User{}}
	root := l.Parse(data)
	if root == nil {
		if l.OK() {
			l.Errorf(1, "the users file is empty; it must hold a list under users:")
		}
		return nil
	}
	defer l.Finish(root)
	if root.Kind != yaml.MappingNode {
		l.Errorf(root.Line, "the users file must be a mapping with apiVersion, kind and users, not %s", strictyaml.KindName(root))
		return nil
	}
	f := l.Mapping(root, "the users file", topKeys)
	if v := f["apiVersion"]; v != nil && (v.Kind != yaml.ScalarNode || v.Value != "meshgate/v1") {
		l.Errorf(v.Line, "apiVersion must be \"meshgate/v1\"")
	}
	if v := f["kind"]; v != nil && (v.Kind != yaml.ScalarNode || v.Value != "Users") {
		l.Errorf(v.Line, "kind must be \"Users\"")
	}
	un := f["users"]
	if un == nil {
		l.Errorf(root.Line, "required key \"users\" is missing")
		return nil
	}
	if un.Kind != yaml.SequenceNode {
		l.Errorf(un.Line, "users must be a list of users, not %s", strictyaml.KindName(un))
		return nil
	}
	l.Items(un, "user", "name", "name, groups and attributes", userKeys, func(where string, n *yaml.Node, uf map[string]*yaml.Node) {
		u := &User{Line: n.Line, Attributes: map[string]string{}}
		nn := uf["name"]
		switch {
		case nn == nil:
			l.Errorf(n.Line, "%s has no name", where)
		case !strictyaml.IsText(nn):
			l.Errorf(nn.Line, "the name of %s must be text, not %s", where, strictyaml.KindName(nn))
		case !userNameRE.MatchString(nn.Value) || len(nn.Value) > 63:
			l.Errorf(nn.Line, "user name %q is not valid: use lowercase letters, digits, '_', '.' and '-', starting with a letter or '_', at most 63 characters", nn.Value)
		default:
			u.Name = nn.Value
			where = fmt.Sprintf("user %q", u.Name)
			if prev, dup := d.users[u.Name]; dup {
				l.Errorf(nn.Line, "user %q is defined twice (first on line %d)", u.Name, prev.Line)
			}
		}
		if gn := uf["groups"]; gn != nil {
			if gn.Kind != yaml.SequenceNode {
				l.Errorf(gn.Line, "groups of %s must be a list, such as [analysts], not %s", where, strictyaml.KindName(gn))
			} else {
				seen := map[string]bool{}
				for _, g := range gn.Content {
					switch {
					case !strictyaml.IsText(g):
						l.Errorf(g.Line, "each group of %s must be text, not %s", where, strictyaml.KindName(g))
					case !groupNameRE.MatchString(g.Value):
						l.Errorf(g.Line, "group name %q of %s is not valid: use lowercase letters, digits, '_' and '-'", g.Value, where)
					case seen[g.Value]:
						l.Errorf(g.Line, "group %q is listed twice for %s", g.Value, where)
					default:
						seen[g.Value] = true
						u.Groups = append(u.Groups, g.Value)
					}
				}
				sort.Strings(u.Groups)
			}
		}
		if an := uf["attributes"]; an != nil {
			if an.Kind != yaml.MappingNode {
				l.Errorf(an.Line, "attributes of %s must be a mapping, such as {region: EU}, not %s", where, strictyaml.KindName(an))
			} else {
				for _, e := range l.Entries(an, "attributes of "+where) {
					k, v := e.Key, e.Value
					switch {
					case !attrKeyRE.MatchString(k.Value):
						l.Errorf(k.Line, "attribute name %q of %s is not valid: use lowercase letters, digits and '_'", k.Value, where)
					case v.Kind != yaml.ScalarNode || strictyaml.IsNull(v):
						l.Errorf(v.Line, "attribute %q of %s must be a single value, not %s", k.Value, where, strictyaml.KindName(v))
					default:
						u.Attributes[k.Value] = v.Value
					}
				}
			}
		}
		if pn := uf["password"]; pn != nil {
			switch {
			case !strictyaml.IsText(pn):
				l.Errorf(pn.Line, "password of %s must be text, not %s", where, strictyaml.KindName(pn))
			case !strings.HasPrefix(pn.Value, "SCRAM-SHA-256$"):
				l.Errorf(pn.Line, "password of %s must be a SCRAM-SHA-256 verifier (SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>), never a clear-text password", where)
			case !scramRE.MatchString(pn.Value):
				l.Errorf(pn.Line, "password of %s is not a well-formed SCRAM-SHA-256 verifier (expected SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>, base64)", where)
			default:
				u.Password = pn.Value
			}
		}
		u.Limits = l.limits(uf, where)
		if u.Name != "" {
			if _, dup := d.users[u.Name]; !dup {
				d.users[u.Name] = u
				d.names = append(d.names, u.Name)
			}
		}
	})
	sort.Strings(d.names)
	d.rules = l.access(f["access"], d)
	d.delegation = l.trusted(f["trusted_gateways"], d)
	return d
}
