package auth

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/meshgate/meshgate/planner/catalog"
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
}

// Lookup returns the user with the given name. The returned user must not
// be modified.
func (d *Directory) Lookup(name string) (*User, bool) {
	u, ok := d.users[name]
	return u, ok
}

// Names returns the user names, sorted.
func (d *Directory) Names() []string { return append([]string(nil), d.names...) }

// Problem is one thing wrong with the users file.
type Problem struct {
	File    string
	Line    int
	Message string
}

func (p Problem) Error() string {
	if p.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Message)
	}
	return fmt.Sprintf("%s: %s", p.File, p.Message)
}

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
	yamlLineRE  = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

	topKeys  = []string{"apiVersion", "kind", "users", "access"}
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
	l := &loader{file: path}
	d := l.load(data)
	if len(l.problems) > 0 {
		sort.SliceStable(l.problems, func(i, j int) bool { return l.problems[i].Line < l.problems[j].Line })
		return nil, &LoadError{Problems: l.problems}
	}
	return d, nil
}

type loader struct {
	file     string
	problems []Problem
}

func (l *loader) errorf(line int, format string, args ...any) {
	l.problems = append(l.problems, Problem{File: l.file, Line: line, Message: fmt.Sprintf(format, args...)})
}

func (l *loader) load(data []byte) *Directory {
	d := &Directory{File: l.file, users: map[string]*User{}}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil && !errors.Is(err, io.EOF) {
		msg, line := err.Error(), 0
		if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
			fmt.Sscan(m[1], &line)
			msg = m[2]
		}
		l.errorf(line, "the file is not valid YAML: %s", strings.TrimPrefix(msg, "yaml: "))
		return nil
	}
	if len(doc.Content) == 0 {
		l.errorf(1, "the users file is empty; it must hold a list under users:")
		return nil
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		l.errorf(root.Line, "the users file must be a mapping with apiVersion, kind and users, not %s", kindName(root))
		return nil
	}
	f := l.mapping(root, "the users file", topKeys)
	if v := f["apiVersion"]; v != nil && (v.Kind != yaml.ScalarNode || v.Value != "meshgate/v1") {
		l.errorf(v.Line, "apiVersion must be \"meshgate/v1\"")
	}
	if v := f["kind"]; v != nil && (v.Kind != yaml.ScalarNode || v.Value != "Users") {
		l.errorf(v.Line, "kind must be \"Users\"")
	}
	un := f["users"]
	if un == nil {
		l.errorf(root.Line, "required key \"users\" is missing")
		return nil
	}
	if un.Kind != yaml.SequenceNode {
		l.errorf(un.Line, "users must be a list of users, not %s", kindName(un))
		return nil
	}
	for i, n := range un.Content {
		where := fmt.Sprintf("user %d", i+1)
		if n.Kind != yaml.MappingNode {
			l.errorf(n.Line, "%s must be a mapping with name, groups and attributes, not %s", where, kindName(n))
			continue
		}
		for j := 0; j+1 < len(n.Content); j += 2 {
			if n.Content[j].Value == "name" && isText(n.Content[j+1]) {
				where = fmt.Sprintf("user %q", n.Content[j+1].Value)
				break
			}
		}
		uf := l.mapping(n, where, userKeys)
		u := &User{Line: n.Line, Attributes: map[string]string{}}
		nn := uf["name"]
		switch {
		case nn == nil:
			l.errorf(n.Line, "%s has no name", where)
		case !isText(nn):
			l.errorf(nn.Line, "the name of %s must be text, not %s", where, kindName(nn))
		case !userNameRE.MatchString(nn.Value) || len(nn.Value) > 63:
			l.errorf(nn.Line, "user name %q is not valid: use lowercase letters, digits, '_', '.' and '-', starting with a letter or '_', at most 63 characters", nn.Value)
		default:
			u.Name = nn.Value
			where = fmt.Sprintf("user %q", u.Name)
			if prev, dup := d.users[u.Name]; dup {
				l.errorf(nn.Line, "user %q is defined twice (first on line %d)", u.Name, prev.Line)
			}
		}
		if gn := uf["groups"]; gn != nil {
			if gn.Kind != yaml.SequenceNode {
				l.errorf(gn.Line, "groups of %s must be a list, such as [analysts], not %s", where, kindName(gn))
			} else {
				seen := map[string]bool{}
				for _, g := range gn.Content {
					switch {
					case !isText(g):
						l.errorf(g.Line, "each group of %s must be text, not %s", where, kindName(g))
					case !groupNameRE.MatchString(g.Value):
						l.errorf(g.Line, "group name %q of %s is not valid: use lowercase letters, digits, '_' and '-'", g.Value, where)
					case seen[g.Value]:
						l.errorf(g.Line, "group %q is listed twice for %s", g.Value, where)
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
				l.errorf(an.Line, "attributes of %s must be a mapping, such as {region: EU}, not %s", where, kindName(an))
			} else {
				for j := 0; j+1 < len(an.Content); j += 2 {
					k, v := an.Content[j], an.Content[j+1]
					switch {
					case !attrKeyRE.MatchString(k.Value):
						l.errorf(k.Line, "attribute name %q of %s is not valid: use lowercase letters, digits and '_'", k.Value, where)
					case hasKey(u.Attributes, k.Value):
						l.errorf(k.Line, "attribute %q is given twice for %s", k.Value, where)
					case v.Kind != yaml.ScalarNode || v.ShortTag() == "!!null":
						l.errorf(v.Line, "attribute %q of %s must be a single value, not %s", k.Value, where, kindName(v))
					default:
						u.Attributes[k.Value] = v.Value
					}
				}
			}
		}
		if pn := uf["password"]; pn != nil {
			switch {
			case !isText(pn):
				l.errorf(pn.Line, "password of %s must be text, not %s", where, kindName(pn))
			case !strings.HasPrefix(pn.Value, "SCRAM-SHA-256$"):
				l.errorf(pn.Line, "password of %s must be a SCRAM-SHA-256 verifier (SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>), never a clear-text password", where)
			case !scramRE.MatchString(pn.Value):
				l.errorf(pn.Line, "password of %s is not a well-formed SCRAM-SHA-256 verifier (expected SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>, base64)", where)
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
	}
	sort.Strings(d.names)
	d.rules = l.access(f["access"], d)
	return d
}

func hasKey(m map[string]string, k string) bool { _, ok := m[k]; return ok }

func isText(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!str" && n.Value != ""
}

func (l *loader) mapping(n *yaml.Node, where string, known []string) map[string]*yaml.Node {
	out := map[string]*yaml.Node{}
	lines := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if !contains(known, k.Value) {
			hint := ""
			if c := catalog.Closest(k.Value, known); c != "" {
				hint = fmt.Sprintf("; did you mean %q?", c)
			}
			l.errorf(k.Line, "unknown key %q in %s%s (known keys: %s)", k.Value, where, hint, strings.Join(known, ", "))
			continue
		}
		if prev, dup := lines[k.Value]; dup {
			l.errorf(k.Line, "key %q appears twice in %s (first on line %d)", k.Value, where, prev)
			continue
		}
		lines[k.Value] = k.Line
		out[k.Value] = v
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			return "empty"
		case "!!str":
			return fmt.Sprintf("the text %q", n.Value)
		}
		return n.Value
	}
	return "an alias"
}
