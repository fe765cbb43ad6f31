package policy

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/meshgate/meshgate/internal/strictyaml"
)

// Subject says whom a rule is for.
type Subject struct {
	Users      []string          `yaml:"users"`
	Groups     []string          `yaml:"groups"`
	Attributes map[string]string `yaml:"attributes"`
}

// Mask is a column mask: a built-in kind with its options, or sql.
type Mask struct {
	Kind      string `yaml:"kind"`
	ShowFirst int    `yaml:"show_first"`
	ShowLast  int    `yaml:"show_last"`
	Digits    int    `yaml:"digits"`
	Unit      string `yaml:"unit"`
	SQL       string `yaml:"sql"`
}

// Rule is one rule of any kind; which fields apply depends on the section
// it was read from.
type Rule struct {
	ID             string   `yaml:"id"`
	Description    string   `yaml:"description"`
	Subjects       Subject  `yaml:"subjects"`
	Products       []string `yaml:"products"`
	Columns        []string `yaml:"columns"`
	ExceptColumns  []string `yaml:"exceptColumns"`
	Classification string   `yaml:"classification"`
	Mask           Mask     `yaml:"-"`
	Unless         *Subject `yaml:"unless"`
	Filter         string   `yaml:"filter"`
	// declassifications (declassify.go)
	To             string   `yaml:"to"`
	Transformation string   `yaml:"transformation"`
	Domains        []string `yaml:"domains"`

	Section string // grants, denies, masks, classifications, rowFilters, declassifications
	File    string
	Line    int
	Origin  string // "federation" or the domain
}

// File is one policy file.
type File struct {
	Path   string
	Kind   string // FederationPolicy or DomainPolicy
	Domain string // for a domain file
	Rules  []*Rule
	// Ungranted is the federation file's discovery.ungranted: "listed"
	// (the default) or "hidden".
	Ungranted string
}

// Problem is one thing wrong in a policy file (file, line, sentence).
type Problem = strictyaml.Problem

var (
	sections    = []string{"grants", "denies", "masks", "classifications", "rowFilters", "declassifications"}
	topKeys     = append([]string{"apiVersion", "kind", "domain", "description", "discovery"}, sections...)
	subjectKeys = []string{"users", "groups", "attributes"}
	maskKeys    = []string{"kind", "show_first", "show_last", "digits", "unit", "sql"}
	ruleKeys    = map[string][]string{
		"grants":            {"id", "description", "subjects", "products", "columns", "exceptColumns"},
		"denies":            {"id", "description", "subjects", "products"},
		"masks":             {"id", "description", "subjects", "products", "columns", "mask", "unless"},
		"classifications":   {"id", "description", "subjects", "classification", "mask", "unless"},
		"rowFilters":        {"id", "description", "subjects", "products", "filter"},
		"declassifications": {"id", "description", "products", "classification", "to", "transformation", "domains"},
	}
	maskKinds = []string{"redact", "null", "hash", "partial", "round", "truncate", "sql"}
	patternRE = regexp.MustCompile(`^(\*|[a-z_][a-z0-9_]*\.(\*|[a-z_][a-z0-9_]*))$`)
)

// LoadDir reads the federation file (federation.yaml) and every domain
// file (domains/*.yaml) of a policy directory.
func LoadDir(dir string) ([]*File, []Problem) {
	var files []*File
	var problems []Problem
	fed := filepath.Join(dir, "federation.yaml")
	if _, err := os.Stat(fed); err != nil {
		problems = append(problems, Problem{File: fed, Message: "the federation policy file is missing; without it nobody may read anything (deny by default)"})
	} else {
		f, ps := LoadFile(fed)
		problems = append(problems, ps...)
		if f != nil {
			if f.Kind != "FederationPolicy" {
				problems = append(problems, Problem{File: fed, Line: 1, Message: "federation.yaml must have kind: FederationPolicy"})
			} else {
				files = append(files, f)
			}
		}
	}
	paths, _ := filepath.Glob(filepath.Join(dir, "domains", "*.yaml"))
	sort.Strings(paths)
	for _, p := range paths {
		f, ps := LoadFile(p)
		problems = append(problems, ps...)
		if f == nil {
			continue
		}
		if f.Kind != "DomainPolicy" {
			problems = append(problems, Problem{File: p, Line: 1, Message: "a file under domains/ must have kind: DomainPolicy"})
			continue
		}
		if want := strings.TrimSuffix(filepath.Base(p), ".yaml"); f.Domain != want {
			problems = append(problems, Problem{File: p, Line: 1, Message: fmt.Sprintf("domain is %q but the file is %s; name the file after its domain", f.Domain, filepath.Base(p))})
			continue
		}
		files = append(files, f)
	}
	return files, problems
}

// LoadFile reads and strictly checks one policy file.
func LoadFile(path string) (*File, []Problem) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, []Problem{{File: path, Message: err.Error()}}
	}
	l := &loader{Reporter: strictyaml.Reporter{File: path}}
	f := l.load(data)
	if !l.OK() {
		sort.SliceStable(l.Problems, func(i, j int) bool { return l.Problems[i].Line < l.Problems[j].Line })
		return nil, l.Problems
	}
	return f, nil
}

// loader reads one policy file.
type loader struct{ strictyaml.Reporter }

func (l *loader) load(data []byte) *File {
	root := l.Parse(data)
	if root == nil || root.Kind != yaml.MappingNode {
		if l.OK() {
			l.Errorf(1, "a policy file must be a mapping with apiVersion, kind and rule sections")
		}
		return nil
	}
	defer l.Finish(root)
	top := l.Mapping(root, "the policy file", topKeys)
	f := &File{Path: l.File}
	if v := top["apiVersion"]; v == nil || v.Value != "meshgate/v1" {
		l.Errorf(root.Line, `apiVersion must be "meshgate/v1"`)
	}
	if v := top["kind"]; v == nil || (v.Value != "FederationPolicy" && v.Value != "DomainPolicy") {
		l.Errorf(root.Line, "kind must be FederationPolicy or DomainPolicy")
	} else {
		f.Kind = v.Value
	}
	if v := top["domain"]; v != nil {
		f.Domain = v.Value
	}
	if f.Kind == "DomainPolicy" && f.Domain == "" {
		l.Errorf(root.Line, "a DomainPolicy must say which domain it governs (domain: NAME)")
	}
	if f.Kind == "FederationPolicy" && f.Domain != "" {
		l.Errorf(top["domain"].Line, "a FederationPolicy governs every domain; remove domain:")
	}
	l.discovery(top["discovery"], f)
	origin := "federation"
	if f.Kind == "DomainPolicy" {
		origin = f.Domain
	}
	ids := map[string]int{}
	for _, sec := range sections {
		n := top[sec]
		if n == nil {
			continue
		}
		if n.Kind != yaml.SequenceNode {
			l.Errorf(n.Line, "%s must be a list of rules", sec)
			continue
		}
		for _, item := range n.Content {
			r := l.rule(item, sec, f)
			if r == nil {
				continue
			}
			r.Origin = origin
			if prev, dup := ids[r.ID]; dup {
				l.Errorf(item.Line, "rule id %q is used twice (first on line %d); ids name rules in audit records and must be unique", r.ID, prev)
			}
			ids[r.ID] = item.Line
			f.Rules = append(f.Rules, r)
		}
	}
	return f
}

func (l *loader) rule(n *yaml.Node, sec string, f *File) *Rule {
	where := fmt.Sprintf("a rule of %s", sec)
	fields := l.Mapping(n, where, ruleKeys[sec])
	before := len(l.Problems)
	r := &Rule{Section: sec, File: l.File, Line: n.Line}
	l.decode(fields, "id", where, &r.ID)
	l.decode(fields, "description", where, &r.Description)
	l.decode(fields, "products", where, &r.Products)
	l.decode(fields, "columns", where, &r.Columns)
	l.decode(fields, "exceptColumns", where, &r.ExceptColumns)
	l.decode(fields, "classification", where, &r.Classification)
	l.decode(fields, "filter", where, &r.Filter)
	l.decode(fields, "to", where, &r.To)
	l.decode(fields, "transformation", where, &r.Transformation)
	l.decode(fields, "domains", where, &r.Domains)
	if v := fields["subjects"]; v != nil {
		r.Subjects = l.subject(v, "subjects of "+where)
	}
	if v := fields["unless"]; v != nil {
		u := l.subject(v, "unless of "+where)
		r.Unless = &u
	}
	if r.ID == "" {
		l.Errorf(n.Line, "%s needs an id (it names the rule in audit records and explain-access)", where)
	}
	switch sec {
	case "grants", "denies", "masks", "rowFilters":
		if len(r.Products) == 0 {
			l.Errorf(n.Line, "rule %q needs products: a list of addresses or patterns (sales.orders, sales.*, *)", r.ID)
		}
	}
	for _, p := range r.Products {
		if !patternRE.MatchString(p) {
			l.Errorf(n.Line, "rule %q: %q is not a product address or pattern (use domain.product, domain.* or *)", r.ID, p)
			continue
		}
		if f.Kind == "DomainPolicy" && f.Domain != "" && !strings.HasPrefix(p, f.Domain+".") {
			l.Errorf(n.Line, "rule %q of the %s domain names %q: a domain may only write rules for its own products (%s.*)", r.ID, f.Domain, p, f.Domain)
		}
	}
	if sec == "masks" || sec == "classifications" {
		if v := fields["mask"]; v == nil {
			l.Errorf(n.Line, "rule %q needs a mask (one of %s)", r.ID, strings.Join(maskKinds, ", "))
		} else if v.Kind == yaml.ScalarNode {
			r.Mask.Kind = v.Value
		} else {
			what := "the mask of " + where
			mf := l.Mapping(v, what, maskKeys)
			l.decode(mf, "kind", what, &r.Mask.Kind)
			l.decode(mf, "show_first", what, &r.Mask.ShowFirst)
			l.decode(mf, "show_last", what, &r.Mask.ShowLast)
			l.decode(mf, "digits", what, &r.Mask.Digits)
			l.decode(mf, "unit", what, &r.Mask.Unit)
			l.decode(mf, "sql", what, &r.Mask.SQL)
		}
		if r.Mask.Kind != "" && !strictyaml.Contains(maskKinds, r.Mask.Kind) {
			l.Errorf(n.Line, "rule %q: mask kind %q is not one of %s", r.ID, r.Mask.Kind, strings.Join(maskKinds, ", "))
		}
		if r.Mask.Kind == "sql" && strings.TrimSpace(r.Mask.SQL) == "" {
			l.Errorf(n.Line, "rule %q: a sql mask needs sql: an expression over the column", r.ID)
		}
		if r.Mask.Kind == "partial" && r.Mask.ShowFirst <= 0 && r.Mask.ShowLast <= 0 {
			l.Errorf(n.Line, "rule %q: a partial mask needs show_first or show_last", r.ID)
		}
	}
	if sec == "masks" && len(r.Columns) == 0 {
		l.Errorf(n.Line, "rule %q needs columns: the columns it masks", r.ID)
	}
	if sec == "classifications" && r.Classification == "" {
		l.Errorf(n.Line, "rule %q needs classification: the class of column it masks (e.g. pii)", r.ID)
	}
	if sec == "classifications" && f.Kind != "FederationPolicy" {
		l.Errorf(n.Line, "rule %q: classification rules apply to every domain and belong in the federation file", r.ID)
	}
	if sec == "rowFilters" && strings.TrimSpace(r.Filter) == "" {
		l.Errorf(n.Line, "rule %q needs filter: a SQL predicate over the product's columns", r.ID)
	}
	if sec == "declassifications" {
		l.declassificationRule(n, r, f)
	}
	if len(r.Columns) > 0 && len(r.ExceptColumns) > 0 {
		l.Errorf(n.Line, "rule %q: give columns or exceptColumns, not both", r.ID)
	}
	if len(l.Problems) > before {
		return nil
	}
	return r
}

// decode reads the value of key in fields (a scalar or a list of
// scalars) into a Go value.
func (l *loader) decode(fields map[string]*yaml.Node, key, where string, into any) {
	if v := fields[key]; v != nil {
		if err := v.Decode(into); err != nil {
			l.Errorf(v.Line, "%s of %s: %s", key, where, strings.TrimPrefix(err.Error(), "yaml: "))
		}
	}
}

// discovery reads the federation file's discovery section:
// ungranted: listed | hidden.
func (l *loader) discovery(n *yaml.Node, f *File) {
	if n == nil {
		return
	}
	if f.Kind != "FederationPolicy" {
		l.Errorf(n.Line, "discovery: is a federation-wide setting; move it to federation.yaml")
		return
	}
	fields := l.Mapping(n, "discovery", []string{"ungranted"})
	v := fields["ungranted"]
	if v == nil {
		return
	}
	if v.Kind != yaml.ScalarNode || (v.Value != "listed" && v.Value != "hidden") {
		l.Errorf(v.Line, "discovery.ungranted must be listed (products without a grant are listed, metadata only) or hidden (absent, as in pg_catalog)")
		return
	}
	f.Ungranted = v.Value
}

// subject reads a subjects or unless mapping: users, groups, attributes.
func (l *loader) subject(n *yaml.Node, where string) Subject {
	var s Subject
	f := l.Mapping(n, where, subjectKeys)
	l.decode(f, "users", where, &s.Users)
	l.decode(f, "groups", where, &s.Groups)
	if a := f["attributes"]; a != nil && !strictyaml.IsNull(a) {
		if a.Kind != yaml.MappingNode {
			l.Errorf(a.Line, "attributes of %s must be a mapping, such as {region: EU}, not %s", where, strictyaml.KindName(a))
			return s
		}
		s.Attributes = map[string]string{}
		for _, e := range l.Entries(a, "attributes of "+where) {
			if e.Value.Kind != yaml.ScalarNode {
				l.Errorf(e.Value.Line, "attribute %q of %s must be a single value, not %s", e.Key.Value, where, strictyaml.KindName(e.Value))
				continue
			}
			if !strictyaml.IsNull(e.Value) {
				s.Attributes[e.Key.Value] = e.Value.Value
			} else {
				s.Attributes[e.Key.Value] = ""
			}
		}
	}
	return s
}

// Load reads a policy directory into a set whose version is a digest of
// the files' contents (it names the policy in audit records).
func Load(dir string) (*Set, []Problem) {
	files, problems := LoadDir(dir)
	if len(problems) > 0 {
		return nil, problems
	}
	h := sha256.New()
	for _, f := range files {
		data, err := os.ReadFile(f.Path)
		if err != nil {
			return nil, []Problem{{File: f.Path, Message: err.Error()}}
		}
		h.Write([]byte(f.Path))
		h.Write(data)
	}
	return NewSet(files, hex.EncodeToString(h.Sum(nil))[:12]), nil
}
