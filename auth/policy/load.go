package policy

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
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

	Section string // grants, denies, masks, classifications, rowFilters
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
}

// Problem is one thing wrong in a policy file.
type Problem struct {
	File    string
	Line    int
	Message string
}

func (p Problem) String() string {
	if p.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Message)
	}
	return fmt.Sprintf("%s: %s", p.File, p.Message)
}

var (
	sections    = []string{"grants", "denies", "masks", "classifications", "rowFilters"}
	topKeys     = append([]string{"apiVersion", "kind", "domain", "description"}, sections...)
	subjectKeys = []string{"users", "groups", "attributes"}
	maskKeys    = []string{"kind", "show_first", "show_last", "digits", "unit", "sql"}
	ruleKeys    = map[string][]string{
		"grants":          {"id", "description", "subjects", "products", "columns", "exceptColumns"},
		"denies":          {"id", "description", "subjects", "products"},
		"masks":           {"id", "description", "subjects", "products", "columns", "mask", "unless"},
		"classifications": {"id", "description", "subjects", "classification", "mask", "unless"},
		"rowFilters":      {"id", "description", "subjects", "products", "filter"},
	}
	maskKinds  = []string{"redact", "null", "hash", "partial", "round", "truncate", "sql"}
	patternRE  = regexp.MustCompile(`^(\*|[a-z_][a-z0-9_]*\.(\*|[a-z_][a-z0-9_]*))$`)
	yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)
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
	l := &loader{file: path}
	f := l.load(data)
	if len(l.problems) > 0 {
		return nil, l.problems
	}
	return f, nil
}

type loader struct {
	file     string
	problems []Problem
}

func (l *loader) errorf(line int, format string, args ...any) {
	l.problems = append(l.problems, Problem{File: l.file, Line: line, Message: fmt.Sprintf(format, args...)})
}

func (l *loader) load(data []byte) *File {
	var doc yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(data)).Decode(&doc); err != nil && !errors.Is(err, io.EOF) {
		msg, line := err.Error(), 0
		if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
			fmt.Sscan(m[1], &line)
			msg = m[2]
		}
		l.errorf(line, "the file is not valid YAML: %s", strings.TrimPrefix(msg, "yaml: "))
		return nil
	}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		l.errorf(1, "a policy file must be a mapping with apiVersion, kind and rule sections")
		return nil
	}
	root := doc.Content[0]
	top := l.keys(root, "the policy file", topKeys)
	f := &File{Path: l.file}
	if v := top["apiVersion"]; v == nil || v.Value != "meshgate/v1" {
		l.errorf(root.Line, `apiVersion must be "meshgate/v1"`)
	}
	if v := top["kind"]; v == nil || (v.Value != "FederationPolicy" && v.Value != "DomainPolicy") {
		l.errorf(root.Line, "kind must be FederationPolicy or DomainPolicy")
	} else {
		f.Kind = v.Value
	}
	if v := top["domain"]; v != nil {
		f.Domain = v.Value
	}
	if f.Kind == "DomainPolicy" && f.Domain == "" {
		l.errorf(root.Line, "a DomainPolicy must say which domain it governs (domain: NAME)")
	}
	if f.Kind == "FederationPolicy" && f.Domain != "" {
		l.errorf(top["domain"].Line, "a FederationPolicy governs every domain; remove domain:")
	}
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
			l.errorf(n.Line, "%s must be a list of rules", sec)
			continue
		}
		for _, item := range n.Content {
			r := l.rule(item, sec, f)
			if r == nil {
				continue
			}
			r.Origin = origin
			if prev, dup := ids[r.ID]; dup {
				l.errorf(item.Line, "rule id %q is used twice (first on line %d); ids name rules in audit records and must be unique", r.ID, prev)
			}
			ids[r.ID] = item.Line
			f.Rules = append(f.Rules, r)
		}
	}
	return f
}

// keys checks a mapping's keys and returns its values by key.
func (l *loader) keys(n *yaml.Node, where string, known []string) map[string]*yaml.Node {
	out := map[string]*yaml.Node{}
	if n.Kind != yaml.MappingNode {
		l.errorf(n.Line, "%s must be a mapping", where)
		return out
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i].Value
		found := false
		for _, x := range known {
			if x == k {
				found = true
			}
		}
		if !found {
			l.errorf(n.Content[i].Line, "unknown key %q in %s (known keys: %s)", k, where, strings.Join(known, ", "))
			continue
		}
		out[k] = n.Content[i+1]
	}
	return out
}

func (l *loader) rule(n *yaml.Node, sec string, f *File) *Rule {
	where := fmt.Sprintf("a rule of %s", sec)
	fields := l.keys(n, where, ruleKeys[sec])
	before := len(l.problems)
	r := &Rule{Section: sec, File: l.file, Line: n.Line}
	decode := func(key string, into any) {
		if v := fields[key]; v != nil {
			if err := v.Decode(into); err != nil {
				l.errorf(v.Line, "%s of %s: %s", key, where, strings.TrimPrefix(err.Error(), "yaml: "))
			}
		}
	}
	decode("id", &r.ID)
	decode("description", &r.Description)
	decode("products", &r.Products)
	decode("columns", &r.Columns)
	decode("exceptColumns", &r.ExceptColumns)
	decode("classification", &r.Classification)
	decode("filter", &r.Filter)
	if v := fields["subjects"]; v != nil {
		l.keys(v, "subjects", subjectKeys)
		decode("subjects", &r.Subjects)
	}
	if v := fields["unless"]; v != nil {
		l.keys(v, "unless", subjectKeys)
		r.Unless = &Subject{}
		decode("unless", r.Unless)
	}
	if r.ID == "" {
		l.errorf(n.Line, "%s needs an id (it names the rule in audit records and explain-access)", where)
	}
	switch sec {
	case "grants", "denies", "masks", "rowFilters":
		if len(r.Products) == 0 {
			l.errorf(n.Line, "rule %q needs products: a list of addresses or patterns (sales.orders, sales.*, *)", r.ID)
		}
	}
	for _, p := range r.Products {
		if !patternRE.MatchString(p) {
			l.errorf(n.Line, "rule %q: %q is not a product address or pattern (use domain.product, domain.* or *)", r.ID, p)
			continue
		}
		if f.Kind == "DomainPolicy" && f.Domain != "" && !strings.HasPrefix(p, f.Domain+".") {
			l.errorf(n.Line, "rule %q of the %s domain names %q: a domain may only write rules for its own products (%s.*)", r.ID, f.Domain, p, f.Domain)
		}
	}
	if sec == "masks" || sec == "classifications" {
		if v := fields["mask"]; v == nil {
			l.errorf(n.Line, "rule %q needs a mask (one of %s)", r.ID, strings.Join(maskKinds, ", "))
		} else if v.Kind == yaml.ScalarNode {
			r.Mask.Kind = v.Value
		} else {
			l.keys(v, "mask", maskKeys)
			decode("mask", &r.Mask)
		}
		if r.Mask.Kind != "" && !contains(maskKinds, r.Mask.Kind) {
			l.errorf(n.Line, "rule %q: mask kind %q is not one of %s", r.ID, r.Mask.Kind, strings.Join(maskKinds, ", "))
		}
		if r.Mask.Kind == "sql" && strings.TrimSpace(r.Mask.SQL) == "" {
			l.errorf(n.Line, "rule %q: a sql mask needs sql: an expression over the column", r.ID)
		}
		if r.Mask.Kind == "partial" && r.Mask.ShowFirst <= 0 && r.Mask.ShowLast <= 0 {
			l.errorf(n.Line, "rule %q: a partial mask needs show_first or show_last", r.ID)
		}
	}
	if sec == "masks" && len(r.Columns) == 0 {
		l.errorf(n.Line, "rule %q needs columns: the columns it masks", r.ID)
	}
	if sec == "classifications" && r.Classification == "" {
		l.errorf(n.Line, "rule %q needs classification: the class of column it masks (e.g. pii)", r.ID)
	}
	if sec == "classifications" && f.Kind != "FederationPolicy" {
		l.errorf(n.Line, "rule %q: classification rules apply to every domain and belong in the federation file", r.ID)
	}
	if sec == "rowFilters" && strings.TrimSpace(r.Filter) == "" {
		l.errorf(n.Line, "rule %q needs filter: a SQL predicate over the product's columns", r.ID)
	}
	if len(r.Columns) > 0 && len(r.ExceptColumns) > 0 {
		l.errorf(n.Line, "rule %q: give columns or exceptColumns, not both", r.ID)
	}
	if len(l.problems) > before {
		return nil
	}
	return r
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
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
