package catalog

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// APIVersion is the only descriptor apiVersion this release reads.
const APIVersion = "meshgate/v1"

var (
	statuses        = []string{"proposed", "active", "deprecated", "retired"}
	productTypes    = []string{"source-aligned", "aggregate", "consumer-aligned"}
	classifications = []string{"public", "internal", "confidential", "pii"}
	portTypes       = []string{"parquet", "csv", "json", "duckdb", "postgres", "http"}
	laterPortTypes  = []string{"gateway"}

	topKeys    = []string{"apiVersion", "kind", "id", "domain", "name", "version", "status", "type", "description", "owner", "tags", "outputPorts", "schema", "customProperties"}
	ownerKeys  = []string{"team", "contact"}
	portKeys   = []string{"name", "type", "location", "options", "description"}
	columnKeys = []string{"name", "type", "description", "required", "classification"}

	portOptions = map[string][]string{
		"parquet": {},
		"csv":     {"delimiter", "header", "quote", "escape", "null"},
		"json":    {},
		"duckdb":  {"table", "schema"},
		// remote ports: see remote.go
		"postgres": append(append([]string{}, postgresOptions...), remoteCommonOptions...),
		"http":     append(append([]string{}, httpOptions...), remoteCommonOptions...),
	}

	// semverRE is the regular expression of semver.org.
	semverRE   = regexp.MustCompile(`^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$`)
	yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)
)

// Load reads every descriptor <dir>/<domain>/<product>.yaml (or .yml) and
// validates it strictly. The returned Mesh holds only the valid products;
// the problems list every problem found, in file and line order. Load
// returns a nil Mesh only when dir itself cannot be read.
func Load(dir string) (*Mesh, []Problem) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, []Problem{{File: dir, Message: fmt.Sprintf("cannot resolve the mesh directory: %v", err)}}
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return nil, []Problem{{File: dir, Message: fmt.Sprintf("cannot read the mesh directory: %v", unwrapPathError(err))}}
	}
	m := &Mesh{Dir: abs}
	var problems []Problem
	domains, err := os.ReadDir(abs)
	if err != nil {
		return nil, []Problem{{File: dir, Message: fmt.Sprintf("cannot read the mesh directory: %v", unwrapPathError(err))}}
	}
	type found struct {
		p    *Product
		file string
	}
	byAddr := map[Address][]found{}
	for _, d := range domains {
		if !d.IsDir() || strings.HasPrefix(d.Name(), ".") {
			continue
		}
		entries, err := os.ReadDir(filepath.Join(abs, d.Name()))
		if err != nil {
			problems = append(problems, Problem{File: filepath.Join(dir, d.Name()), Message: fmt.Sprintf("cannot read the domain folder: %v", unwrapPathError(err))})
			continue
		}
		for _, e := range entries {
			ext := filepath.Ext(e.Name())
			if e.IsDir() || (ext != ".yaml" && ext != ".yml") || strings.HasPrefix(e.Name(), ".") {
				continue
			}
			l := &loader{
				meshDir:  abs,
				realMesh: real,
				file:     filepath.Join(dir, d.Name(), e.Name()),
				absFile:  filepath.Join(abs, d.Name(), e.Name()),
				domain:   d.Name(),
				name:     strings.TrimSuffix(e.Name(), ext),
			}
			p := l.load()
			problems = append(problems, l.problems...)
			if p != nil {
				byAddr[p.Address] = append(byAddr[p.Address], found{p, l.file})
			}
		}
	}
	for addr, fs := range byAddr {
		if len(fs) == 1 {
			m.Products = append(m.Products, fs[0].p)
			continue
		}
		// The same address in several files (orders.yaml and orders.yml):
		// no file wins, the owner must remove the others.
		for i, f := range fs {
			var others []string
			for j, g := range fs {
				if j != i {
					others = append(others, g.file)
				}
			}
			problems = append(problems, Problem{File: f.file, Line: 1, Product: addr.String(),
				Message: fmt.Sprintf("product %s is also defined in %s; keep exactly one descriptor per product", addr, strings.Join(others, ", "))})
		}
	}
	sort.Slice(m.Products, func(i, j int) bool {
		a, b := m.Products[i].Address, m.Products[j].Address
		return a.Domain < b.Domain || (a.Domain == b.Domain && a.Name < b.Name)
	})
	sort.SliceStable(problems, func(i, j int) bool {
		if problems[i].File != problems[j].File {
			return problems[i].File < problems[j].File
		}
		return problems[i].Line < problems[j].Line
	})
	return m, problems
}

func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// loader validates one descriptor file.
type loader struct {
	meshDir, realMesh string // absolute mesh directory, and with symlinks resolved
	file, absFile     string
	domain, name      string // from the folder and file name
	problems          []Problem
	suggested         map[string]bool // keys suggested for a misspelt key: not reported missing again
}

func (l *loader) addr() string { return l.domain + "." + l.name }

func (l *loader) errorf(line int, format string, args ...any) {
	l.problems = append(l.problems, Problem{File: l.file, Line: line, Product: l.addr(), Message: fmt.Sprintf(format, args...)})
}

func (l *loader) load() *Product {
	data, err := os.ReadFile(l.absFile)
	if err != nil {
		l.errorf(0, "cannot read the descriptor: %v", unwrapPathError(err))
		return nil
	}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil && err != io.EOF {
		l.yamlError(err)
		return nil
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		l.errorf(1, "the descriptor is empty; it must describe one data product (apiVersion: %s, kind: DataProduct, ...)", APIVersion)
		return nil
	}
	var next yaml.Node
	if err := dec.Decode(&next); err == nil {
		l.errorf(next.Line, "the file holds a second YAML document; put each product in its own file")
	} else if err != io.EOF {
		l.yamlError(err)
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		l.errorf(root.Line, "the descriptor must be a mapping of keys (apiVersion, kind, id, ...), not %s", kindName(root))
		return nil
	}
	ok := len(l.problems) == 0
	fields := l.mapping(root, "the descriptor", topKeys)

	p := &Product{File: l.absFile}
	if v, n := l.str(fields, root, "apiVersion", true); n != nil && v != APIVersion {
		l.errorf(n.Line, "apiVersion is %q but must be %q", v, APIVersion)
	}
	if v, n := l.str(fields, root, "kind", true); n != nil && v != "DataProduct" {
		l.errorf(n.Line, "kind is %q but must be \"DataProduct\"", v)
	}
	folderOK := l.checkName(0, "the domain folder", l.domain)
	fileOK := l.checkName(0, "the file name (the product name)", l.name)
	domain, dn := l.str(fields, root, "domain", true)
	if dn != nil && l.checkName(dn.Line, "domain", domain) && folderOK && domain != l.domain {
		l.errorf(dn.Line, "domain is %q but the descriptor is in the folder %q; the domain must match its folder", domain, l.domain)
	}
	name, nn := l.str(fields, root, "name", true)
	if nn != nil && l.checkName(nn.Line, "name", name) && fileOK && name != l.name {
		l.errorf(nn.Line, "name is %q but the file is %s; the product name must match its file name", name, filepath.Base(l.file))
	}
	if id, in := l.str(fields, root, "id", true); in != nil && folderOK && fileOK && id != l.addr() {
		l.errorf(in.Line, "id is %q but the descriptor is %s/%s, so the id must be %q (domain.product, matching the folder and file name)", id, l.domain, filepath.Base(l.file), l.addr())
	}
	p.Address = Address{Domain: l.domain, Name: l.name}
	if v, n := l.str(fields, root, "version", true); n != nil {
		if !semverRE.MatchString(v) {
			l.errorf(n.Line, "version %q is not a semantic version; write MAJOR.MINOR.PATCH, e.g. \"1.4.0\"", v)
		}
		p.Version = v
	}
	p.Status = l.enum(fields, root, "status", statuses, true)
	p.Type = l.enum(fields, root, "type", productTypes, true)
	p.Description, _ = l.str(fields, root, "description", true)
	if on := l.need(fields, root, "owner"); on != nil {
		if on.Kind != yaml.MappingNode {
			l.errorf(on.Line, "owner must be a mapping with team and contact, not %s", kindName(on))
		} else {
			of := l.mapping(on, "owner", ownerKeys)
			p.Owner.Team, _ = l.strIn(of, on, "owner", "team", true)
			p.Owner.Contact, _ = l.strIn(of, on, "owner", "contact", true)
		}
	}
	if tn := fields["tags"]; tn != nil {
		p.Tags = l.strList(tn, "tags")
	}
	if pn := l.need(fields, root, "outputPorts"); pn != nil {
		p.Ports = l.ports(pn)
	}
	if sn := l.need(fields, root, "schema"); sn != nil {
		p.Columns = l.columns(sn)
	}
	for i := range p.Ports {
		if p.Ports[i].Remote() {
			l.checkRemotePort(p.Ports[i].Line, fmt.Sprintf("port %q", p.Ports[i].Name), &p.Ports[i], p.Columns)
		}
	}
	if !ok || len(l.problems) > 0 {
		return nil
	}
	return p
}

func (l *loader) yamlError(err error) {
	msg := err.Error()
	line := 0
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		fmt.Sscan(m[1], &line)
		msg = m[2]
	} else if te := (*yaml.TypeError)(nil); errors.As(err, &te) && len(te.Errors) > 0 {
		msg = strings.Join(te.Errors, "; ")
	} else {
		msg = strings.TrimPrefix(msg, "yaml: ")
	}
	l.errorf(line, "the file is not valid YAML: %s", msg)
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			return "empty"
		case "!!bool":
			return "a boolean (" + n.Value + ")"
		case "!!int", "!!float":
			return "a number (" + n.Value + ")"
		case "!!str":
			return fmt.Sprintf("the text %q", n.Value)
		}
		return n.Value
	}
	return "nothing"
}

// mapping checks the keys of a mapping node: each known once, no unknown
// keys (with a suggestion). It returns the value nodes by key.
func (l *loader) mapping(n *yaml.Node, where string, known []string) map[string]*yaml.Node {
	out := map[string]*yaml.Node{}
	lines := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		key := k.Value
		if k.Kind != yaml.ScalarNode {
			l.errorf(k.Line, "%s has a key that is not plain text", where)
			continue
		}
		if !contains(known, key) {
			if c := Closest(key, known); c != "" {
				if l.suggested == nil {
					l.suggested = map[string]bool{}
				}
				l.suggested[c] = true
			}
			l.errorf(k.Line, "unknown key %q in %s%s (known keys: %s)", key, where, didYouMean(key, known), strings.Join(known, ", "))
			continue
		}
		if prev, dup := lines[key]; dup {
			l.errorf(k.Line, "key %q appears twice in %s (first on line %d)", key, where, prev)
			continue
		}
		lines[key] = k.Line
		out[key] = v
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

// need returns the value of a required key, reporting it when missing.
func (l *loader) need(fields map[string]*yaml.Node, parent *yaml.Node, key string) *yaml.Node {
	if v := fields[key]; v != nil && !(v.Kind == yaml.ScalarNode && v.ShortTag() == "!!null") {
		return v
	}
	line := parent.Line
	if v := fields[key]; v != nil {
		line = v.Line
	} else if l.suggested[key] {
		return nil // already reported as a misspelt key
	}
	l.errorf(line, "required key %q is missing", key)
	return nil
}

func (l *loader) str(fields map[string]*yaml.Node, parent *yaml.Node, key string, required bool) (string, *yaml.Node) {
	return l.strIn(fields, parent, "", key, required)
}

// strIn reads a text value. Numbers and booleans are refused: a value
// such as version: 1.4 is a float to YAML and would lose its meaning.
func (l *loader) strIn(fields map[string]*yaml.Node, parent *yaml.Node, where, key string, required bool) (string, *yaml.Node) {
	full := key
	if where != "" {
		full = where + "." + key
	}
	v := fields[key]
	if v == nil || (v.Kind == yaml.ScalarNode && v.ShortTag() == "!!null") {
		if required && (v != nil || !l.suggested[key]) {
			line := parent.Line
			if v != nil {
				line = v.Line
			}
			l.errorf(line, "required key %q is missing", full)
		}
		return "", nil
	}
	if v.Kind != yaml.ScalarNode || v.ShortTag() != "!!str" {
		hint := quoteHint(v)
		if key == "version" {
			hint = " (write a semantic version in quotes, e.g. \"1.4.0\")"
		}
		l.errorf(v.Line, "%s must be text, not %s%s", full, kindName(v), hint)
		return "", nil
	}
	if strings.TrimSpace(v.Value) == "" {
		if required {
			l.errorf(v.Line, "%s is empty", full)
		}
		return "", nil
	}
	return v.Value, v
}

func quoteHint(v *yaml.Node) string {
	if v.Kind == yaml.ScalarNode {
		return fmt.Sprintf(" (write it in quotes: \"%s\")", v.Value)
	}
	return ""
}

func (l *loader) enum(fields map[string]*yaml.Node, parent *yaml.Node, key string, values []string, required bool) string {
	v, n := l.str(fields, parent, key, required)
	if n == nil {
		return ""
	}
	if !contains(values, v) {
		l.errorf(n.Line, "%s %q is not one of %s%s", key, v, strings.Join(values, ", "), didYouMean(v, values))
		return ""
	}
	return v
}

func (l *loader) checkName(line int, what, s string) bool {
	if msg := nameProblem(s); msg != "" {
		l.errorf(line, "%s %s", what, msg)
		return false
	}
	return true
}

func (l *loader) strList(n *yaml.Node, where string) []string {
	if n.Kind != yaml.SequenceNode {
		l.errorf(n.Line, "%s must be a list, such as [a, b], not %s", where, kindName(n))
		return nil
	}
	var out []string
	for _, e := range n.Content {
		if e.Kind != yaml.ScalarNode || e.ShortTag() != "!!str" || e.Value == "" {
			l.errorf(e.Line, "each entry of %s must be non-empty text, not %s", where, kindName(e))
			continue
		}
		out = append(out, e.Value)
	}
	return out
}

func (l *loader) ports(n *yaml.Node) []Port {
	if n.Kind != yaml.SequenceNode {
		l.errorf(n.Line, "outputPorts must be a list of ports, not %s", kindName(n))
		return nil
	}
	if len(n.Content) == 0 {
		l.errorf(n.Line, "outputPorts is empty; a product needs at least one output port")
		return nil
	}
	var out []Port
	seen := map[string]int{}
	for i, pn := range n.Content {
		where := fmt.Sprintf("output port %d", i+1)
		if pn.Kind != yaml.MappingNode {
			l.errorf(pn.Line, "%s must be a mapping with name, type and location, not %s", where, kindName(pn))
			continue
		}
		f := l.mapping(pn, where, portKeys)
		port := Port{Line: pn.Line, Options: map[string]string{}}
		name, nn := l.strIn(f, pn, where, "name", true)
		if nn != nil && l.checkName(nn.Line, "port name", name) {
			if prev, dup := seen[name]; dup {
				l.errorf(nn.Line, "port name %q is used twice (first on line %d)", name, prev)
			}
			seen[name] = nn.Line
			where = fmt.Sprintf("port %q", name)
		}
		port.Name = name
		typ, tn := l.strIn(f, pn, where, "type", true)
		if tn != nil {
			switch {
			case contains(portTypes, typ):
				port.Type = typ
			case contains(laterPortTypes, typ):
				l.errorf(tn.Line, "port type %s is not supported yet (supported: %s)", typ, strings.Join(portTypes, ", "))
			default:
				l.errorf(tn.Line, "port type %q is not one of %s%s", typ, strings.Join(portTypes, ", "), didYouMean(typ, portTypes))
			}
		}
		if on := f["options"]; on != nil && !(on.Kind == yaml.ScalarNode && on.ShortTag() == "!!null") {
			l.options(on, where, &port)
		}
		loc, ln := l.strIn(f, pn, where, "location", port.Type != "postgres")
		if ln != nil && (port.Type == "postgres" || port.Type == "http") {
			port.Location = l.remoteLocation(ln.Line, where, port.Type, loc)
		} else if ln != nil && port.Type != "" {
			port.Location = l.location(ln.Line, where, port.Type, loc)
		}
		if port.Type == "duckdb" {
			if _, ok := port.Options["table"]; !ok {
				l.errorf(pn.Line, "%s is a duckdb port and needs options.table, the table to serve", where)
			}
		}
		out = append(out, port)
	}
	return out
}

func (l *loader) options(n *yaml.Node, where string, port *Port) {
	if n.Kind != yaml.MappingNode {
		l.errorf(n.Line, "options of %s must be a mapping, not %s", where, kindName(n))
		return
	}
	known, typeKnown := portOptions[port.Type]
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if use, ok := inlineSecrets[port.Type][k.Value]; ok {
			l.errorf(k.Line, "option %s of %s would put a credential in the descriptor; store it in an environment variable or a secrets file and write %s: env:NAME or %s: file:PATH#key instead", k.Value, where, use, use)
			continue
		}
		if typeKnown && !contains(known, k.Value) {
			list := "none"
			if len(known) > 0 {
				list = strings.Join(known, ", ")
			}
			l.errorf(k.Line, "unknown option %q for the %s port %s%s (%s ports take: %s)", k.Value, port.Type, strings.TrimPrefix(where, "port "), didYouMean(k.Value, known), port.Type, list)
			continue
		}
		if _, dup := port.Options[k.Value]; dup {
			l.errorf(k.Line, "option %q appears twice in %s", k.Value, where)
			continue
		}
		if port.Remote() {
			if val, ok := l.remoteOption(where, port, k, v); ok && !contains(mapOptions, k.Value) {
				port.Options[k.Value] = val
			}
			continue
		}
		if v.Kind != yaml.ScalarNode || v.ShortTag() == "!!null" {
			l.errorf(v.Line, "option %q of %s must be a single value, not %s", k.Value, where, kindName(v))
			continue
		}
		val := v.Value
		switch k.Value {
		case "header":
			if v.ShortTag() != "!!bool" {
				l.errorf(v.Line, "option header of %s must be true or false, not %s", where, kindName(v))
				continue
			}
			val = strings.ToLower(val)
		case "delimiter", "quote", "escape":
			if len(val) != 1 && !(k.Value == "delimiter" && val == `\t`) {
				l.errorf(v.Line, "option %s of %s must be a single character, not %q", k.Value, where, val)
				continue
			}
			if val == `\t` {
				val = "\t"
			}
		case "table", "schema":
			if msg := nameProblem(val); msg != "" && !identRE.MatchString(val) {
				l.errorf(v.Line, "option %s of %s %s", k.Value, where, msg)
				continue
			}
		}
		port.Options[k.Value] = val
	}
}

// location resolves a port location against the descriptor's folder and
// checks that it stays inside the mesh and exists.
func (l *loader) location(line int, where, typ, loc string) string {
	if filepath.IsAbs(loc) {
		l.errorf(line, "location %q of %s is absolute; write it relative to the descriptor's folder", loc, where)
		return ""
	}
	if strings.Contains(loc, "://") {
		l.errorf(line, "location %q of %s is a URL; %s ports read local files relative to the descriptor's folder", loc, where, typ)
		return ""
	}
	abs := filepath.Join(filepath.Dir(l.absFile), filepath.FromSlash(loc))
	if !inside(l.meshDir, abs) {
		l.errorf(line, "location %q of %s points outside the mesh directory %s", loc, where, l.meshDir)
		return ""
	}
	glob := strings.ContainsAny(loc, "*?[")
	if glob && typ == "duckdb" {
		l.errorf(line, "location %q of %s is a pattern; a duckdb port must name one database file", loc, where)
		return ""
	}
	matches := []string{abs}
	if glob {
		var err error
		if matches, err = filepath.Glob(abs); err != nil {
			l.errorf(line, "location %q of %s is not a valid file pattern: %v", loc, where, err)
			return ""
		}
		if len(matches) == 0 {
			l.errorf(line, "location %q of %s matches no files", loc, where)
			return ""
		}
	}
	for _, f := range matches {
		st, err := os.Stat(f)
		if err != nil {
			l.errorf(line, "location %q of %s does not exist (looked for %s)", loc, where, f)
			return ""
		}
		if st.IsDir() {
			l.errorf(line, "location %q of %s is a directory; name a file or a pattern such as %s/*.%s", loc, where, loc, typ)
			return ""
		}
		// A symbolic link must not lead out of the mesh either: the engine
		// only allows reading inside the mesh directory.
		if real, err := filepath.EvalSymlinks(f); err == nil && !inside(l.realMesh, real) {
			l.errorf(line, "location %q of %s leads outside the mesh directory through a symbolic link (to %s)", loc, where, real)
			return ""
		}
	}
	return abs
}

func inside(dir, path string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

func (l *loader) columns(n *yaml.Node) []Column {
	if n.Kind != yaml.SequenceNode {
		l.errorf(n.Line, "schema must be a list of columns, not %s", kindName(n))
		return nil
	}
	if len(n.Content) == 0 {
		l.errorf(n.Line, "schema is empty; declare at least one column")
		return nil
	}
	var out []Column
	seen := map[string]int{}
	for i, cn := range n.Content {
		where := fmt.Sprintf("column %d", i+1)
		if cn.Kind != yaml.MappingNode {
			l.errorf(cn.Line, "%s of the schema must be a mapping with name and type, not %s", where, kindName(cn))
			continue
		}
		f := l.mapping(cn, where, columnKeys)
		c := Column{Line: cn.Line, Classification: "internal"}
		name, nn := l.strIn(f, cn, where, "name", true)
		if nn != nil && l.checkName(nn.Line, "column name", name) {
			if prev, dup := seen[name]; dup {
				l.errorf(nn.Line, "column %q is declared twice (first on line %d)", name, prev)
			}
			seen[name] = nn.Line
			where = fmt.Sprintf("column %q", name)
		}
		c.Name = name
		if typ, tn := l.strIn(f, cn, where, "type", true); tn != nil {
			ct, err := CanonicalType(typ)
			if err != nil {
				l.errorf(tn.Line, "%s: %v", where, err)
			}
			c.Type = ct
		}
		c.Description, _ = l.strIn(f, cn, where, "description", false)
		if rn := f["required"]; rn != nil {
			if rn.Kind != yaml.ScalarNode || rn.ShortTag() != "!!bool" {
				l.errorf(rn.Line, "required of %s must be true or false, not %s", where, kindName(rn))
			} else {
				c.Required = strings.EqualFold(rn.Value, "true")
			}
		}
		if v, vn := l.strIn(f, cn, where, "classification", false); vn != nil {
			if !contains(classifications, v) {
				l.errorf(vn.Line, "classification %q of %s is not one of %s%s", v, where, strings.Join(classifications, ", "), didYouMean(v, classifications))
			} else {
				c.Classification = v
			}
		}
		out = append(out, c)
	}
	return out
}
