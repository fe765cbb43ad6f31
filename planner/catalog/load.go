package catalog

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/meshgate/meshgate/internal/strictyaml"
)

// APIVersion is the only descriptor apiVersion this release reads.
const APIVersion = "meshgate/v1"

var (
	statuses        = []string{"proposed", "active", "deprecated", "retired"}
	productTypes    = []string{"source-aligned", "aggregate", "consumer-aligned"}
	classifications = []string{"public", "internal", "confidential", "pii"}
	portTypes       = []string{"parquet", "csv", "json", "duckdb", "postgres", "http", "gateway", "sql"}

	topKeys    = []string{"apiVersion", "kind", "id", "domain", "name", "version", "status", "type", "description", "owner", "tags", "outputPorts", "schema", "quality", "slaProperties", "on_failure", "customProperties"}
	ownerKeys  = []string{"team", "contact"}
	portKeys   = []string{"name", "type", "location", "options", "description", "query"}
	columnKeys = []string{"name", "type", "description", "required", "classification", "declassification", "unique", "primaryKey", "logicalTypeOptions", "quality"}

	portOptions = map[string][]string{
		"parquet": {},
		"csv":     {"delimiter", "header", "quote", "escape", "null"},
		"json":    {},
		"duckdb":  {"table", "schema"},
		// remote ports: see remote.go
		"postgres": append(append([]string{}, postgresOptions...), remoteCommonOptions...),
		"http":     append(append([]string{}, httpOptions...), remoteCommonOptions...),
		"gateway":  append(append([]string{}, gatewayOptions...), remoteCommonOptions...),
		// a SQL query over other products: sqlport.go
		"sql": remoteCommonOptions,
	}

	// semverRE is the regular expression of semver.org.
	semverRE = regexp.MustCompile(`^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$`)
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
			problems = append(problems, l.Problems...)
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
	strictyaml.Reporter
	meshDir, realMesh string // absolute mesh directory, and with symlinks resolved
	file, absFile     string
	domain, name      string // from the folder and file name
}

func (l *loader) addr() string { return l.domain + "." + l.name }

func (l *loader) load() *Product {
	l.Reporter = strictyaml.Reporter{File: l.file, Product: l.addr(),
		Hints: map[string]string{"version": " (write a semantic version in quotes, e.g. \"1.4.0\")"}}
	data, err := os.ReadFile(l.absFile)
	if err != nil {
		l.Errorf(0, "cannot read the descriptor: %v", unwrapPathError(err))
		return nil
	}
	root := l.Parse(data)
	if root == nil {
		if l.OK() {
			l.Errorf(1, "the descriptor is empty; it must describe one data product (apiVersion: %s, kind: DataProduct, ...)", APIVersion)
		}
		return nil
	}
	if root.Kind != yaml.MappingNode {
		l.Errorf(root.Line, "the descriptor must be a mapping of keys (apiVersion, kind, id, ...), not %s", strictyaml.KindName(root))
		return nil
	}
	ok := l.OK()
	fields := l.Mapping(root, "the descriptor", topKeys)

	p := &Product{File: l.absFile}
	if v, n := l.Str(fields, root, "", "apiVersion", true); n != nil && v != APIVersion {
		l.Errorf(n.Line, "apiVersion is %q but must be %q", v, APIVersion)
	}
	if v, n := l.Str(fields, root, "", "kind", true); n != nil && v != "DataProduct" {
		l.Errorf(n.Line, "kind is %q but must be \"DataProduct\"", v)
	}
	folderOK := l.checkName(0, "the domain folder", l.domain)
	fileOK := l.checkName(0, "the file name (the product name)", l.name)
	domain, dn := l.Str(fields, root, "", "domain", true)
	if dn != nil && l.checkName(dn.Line, "domain", domain) && folderOK && domain != l.domain {
		l.Errorf(dn.Line, "domain is %q but the descriptor is in the folder %q; the domain must match its folder", domain, l.domain)
	}
	name, nn := l.Str(fields, root, "", "name", true)
	if nn != nil && l.checkName(nn.Line, "name", name) && fileOK && name != l.name {
		l.Errorf(nn.Line, "name is %q but the file is %s; the product name must match its file name", name, filepath.Base(l.file))
	}
	if id, in := l.Str(fields, root, "", "id", true); in != nil && folderOK && fileOK && id != l.addr() {
		l.Errorf(in.Line, "id is %q but the descriptor is %s/%s, so the id must be %q (domain.product, matching the folder and file name)", id, l.domain, filepath.Base(l.file), l.addr())
	}
	p.Address = Address{Domain: l.domain, Name: l.name}
	if v, n := l.Str(fields, root, "", "version", true); n != nil {
		if !semverRE.MatchString(v) {
			l.Errorf(n.Line, "version %q is not a semantic version; write MAJOR.MINOR.PATCH, e.g. \"1.4.0\"", v)
		}
		p.Version = v
	}
	p.Status = l.Enum(fields, root, "status", statuses, true)
	p.Type = l.Enum(fields, root, "type", productTypes, true)
	p.Description, _ = l.Str(fields, root, "", "description", true)
	if on := l.Need(fields, root, "owner"); on != nil {
		if on.Kind != yaml.MappingNode {
			l.Errorf(on.Line, "owner must be a mapping with team and contact, not %s", strictyaml.KindName(on))
		} else {
			of := l.Mapping(on, "owner", ownerKeys)
			p.Owner.Team, _ = l.Str(of, on, "owner", "team", true)
			p.Owner.Contact, _ = l.Str(of, on, "owner", "contact", true)
		}
	}
	if tn := fields["tags"]; tn != nil {
		p.Tags = l.StrList(tn, "tags")
	}
	if pn := l.Need(fields, root, "outputPorts"); pn != nil {
		p.Ports = l.ports(pn)
	}
	if sn := l.Need(fields, root, "schema"); sn != nil {
		p.Columns = l.columns(sn)
	}
	for i := range p.Columns {
		p.Quality = append(p.Quality, p.Columns[i].rules...)
		p.Columns[i].rules = nil
	}
	if qn := fields["quality"]; qn != nil && !strictyaml.IsNull(qn) {
		p.Quality = append(p.Quality, l.qualityRules(qn, nil)...)
	}
	l.checkRuleNames(p.Quality)
	if sn := fields["slaProperties"]; sn != nil && !strictyaml.IsNull(sn) {
		p.SLA = l.slaProperties(sn, p.Columns)
	}
	p.OnFailure = l.Enum(fields, root, "on_failure", onFailures, false)
	for i := range p.Ports {
		if p.Ports[i].Remote() || p.Ports[i].Type == "sql" {
			l.checkRemotePort(p.Ports[i].Line, fmt.Sprintf("port %q", p.Ports[i].Name), &p.Ports[i], p.Columns)
		}
	}
	l.Finish(root)
	if !ok || !l.OK() {
		return nil
	}
	return p
}

func (l *loader) checkName(line int, what, s string) bool {
	if msg := nameProblem(s); msg != "" {
		l.Errorf(line, "%s %s", what, msg)
		return false
	}
	return true
}

func (l *loader) ports(n *yaml.Node) []Port {
	if n.Kind != yaml.SequenceNode {
		l.Errorf(n.Line, "outputPorts must be a list of ports, not %s", strictyaml.KindName(n))
		return nil
	}
	if len(n.Content) == 0 {
		l.Errorf(n.Line, "outputPorts is empty; a product needs at least one output port")
		return nil
	}
	var out []Port
	seen := map[string]int{}
	l.Items(n, "output port", "", "name, type and location", portKeys, func(where string, pn *yaml.Node, f map[string]*yaml.Node) {
		port := Port{Line: pn.Line, Options: map[string]string{}}
		name, nn := l.Str(f, pn, where, "name", true)
		if nn != nil && l.checkName(nn.Line, "port name", name) {
			if prev, dup := seen[name]; dup {
				l.Errorf(nn.Line, "port name %q is used twice (first on line %d)", name, prev)
			}
			seen[name] = nn.Line
			where = fmt.Sprintf("port %q", name)
		}
		port.Name = name
		typ, tn := l.Str(f, pn, where, "type", true)
		if tn != nil {
			switch {
			case strictyaml.Contains(portTypes, typ):
				port.Type = typ
			default:
				l.Errorf(tn.Line, "port type %q is not one of %s%s", typ, strings.Join(portTypes, ", "), strictyaml.DidYouMean(typ, portTypes))
			}
		}
		if on := f["options"]; on != nil && !(on.Kind == yaml.ScalarNode && on.ShortTag() == "!!null") {
			l.options(on, where, &port)
		}
		l.sqlQuery(f, pn, where, &port)
		loc, ln := l.Str(f, pn, where, "location", port.Type != "postgres" && port.Type != "sql")
		if ln != nil && port.Type == "sql" {
			l.Errorf(ln.Line, "%s is a sql port and takes no location; its rows are its query's", where)
		} else if ln != nil && port.Remote() {
			port.Location = l.remoteLocation(ln.Line, where, port.Type, loc)
		} else if ln != nil && port.Type != "" {
			port.Location = l.location(ln.Line, where, port.Type, loc)
		}
		if port.Type == "duckdb" {
			if _, ok := port.Options["table"]; !ok {
				l.Errorf(pn.Line, "%s is a duckdb port and needs options.table, the table to serve", where)
			}
		}
		out = append(out, port)
	})
	return out
}

func (l *loader) options(n *yaml.Node, where string, port *Port) {
	if n.Kind != yaml.MappingNode {
		l.Errorf(n.Line, "options of %s must be a mapping, not %s", where, strictyaml.KindName(n))
		return
	}
	known, typeKnown := portOptions[port.Type]
	for _, e := range l.Entries(n, "options of "+where) {
		k, v := e.Key, e.Value
		if use, ok := inlineSecrets[port.Type][k.Value]; ok {
			l.Errorf(k.Line, "option %s of %s would put a credential in the descriptor; store it in an environment variable or a secrets file and write %s: env:NAME or %s: file:PATH#key instead", k.Value, where, use, use)
			continue
		}
		if typeKnown && !strictyaml.Contains(known, k.Value) {
			list := "none"
			if len(known) > 0 {
				list = strings.Join(known, ", ")
			}
			l.Errorf(k.Line, "unknown option %q for the %s port %s%s (%s ports take: %s)", k.Value, port.Type, strings.TrimPrefix(where, "port "), strictyaml.DidYouMean(k.Value, known), port.Type, list)
			continue
		}
		if port.Remote() || port.Type == "sql" {
			if val, ok := l.remoteOption(where, port, k, v); ok && !strictyaml.Contains(mapOptions, k.Value) {
				port.Options[k.Value] = val
			}
			continue
		}
		if v.Kind != yaml.ScalarNode || v.ShortTag() == "!!null" {
			l.Errorf(v.Line, "option %q of %s must be a single value, not %s", k.Value, where, strictyaml.KindName(v))
			continue
		}
		val := v.Value
		switch k.Value {
		case "header":
			if v.ShortTag() != "!!bool" {
				l.Errorf(v.Line, "option header of %s must be true or false, not %s", where, strictyaml.KindName(v))
				continue
			}
			val = strings.ToLower(val)
		case "delimiter", "quote", "escape":
			if len(val) != 1 && !(k.Value == "delimiter" && val == `\t`) {
				l.Errorf(v.Line, "option %s of %s must be a single character, not %q", k.Value, where, val)
				continue
			}
			if val == `\t` {
				val = "\t"
			}
		case "table", "schema":
			if msg := nameProblem(val); msg != "" && !identRE.MatchString(val) {
				l.Errorf(v.Line, "option %s of %s %s", k.Value, where, msg)
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
		l.Errorf(line, "location %q of %s is absolute; write it relative to the descriptor's folder", loc, where)
		return ""
	}
	if strings.Contains(loc, "://") {
		l.Errorf(line, "location %q of %s is a URL; %s ports read local files relative to the descriptor's folder", loc, where, typ)
		return ""
	}
	abs := filepath.Join(filepath.Dir(l.absFile), filepath.FromSlash(loc))
	if !inside(l.meshDir, abs) {
		l.Errorf(line, "location %q of %s points outside the mesh directory %s", loc, where, l.meshDir)
		return ""
	}
	glob := strings.ContainsAny(loc, "*?[")
	if glob && typ == "duckdb" {
		l.Errorf(line, "location %q of %s is a pattern; a duckdb port must name one database file", loc, where)
		return ""
	}
	matches := []string{abs}
	if glob {
		var err error
		if matches, err = filepath.Glob(abs); err != nil {
			l.Errorf(line, "location %q of %s is not a valid file pattern: %v", loc, where, err)
			return ""
		}
		if len(matches) == 0 {
			l.Errorf(line, "location %q of %s matches no files", loc, where)
			return ""
		}
	}
	for _, f := range matches {
		st, err := os.Stat(f)
		if err != nil {
			l.Errorf(line, "location %q of %s does not exist (looked for %s)", loc, where, f)
			return ""
		}
		if st.IsDir() {
			l.Errorf(line, "location %q of %s is a directory; name a file or a pattern such as %s/*.%s", loc, where, loc, typ)
			return ""
		}
		// A symbolic link must not lead out of the mesh either: the engine
		// only allows reading inside the mesh directory.
		if real, err := filepath.EvalSymlinks(f); err == nil && !inside(l.realMesh, real) {
			l.Errorf(line, "location %q of %s leads outside the mesh directory through a symbolic link (to %s)", loc, where, real)
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
		l.Errorf(n.Line, "schema must be a list of columns, not %s", strictyaml.KindName(n))
		return nil
	}
	if len(n.Content) == 0 {
		l.Errorf(n.Line, "schema is empty; declare at least one column")
		return nil
	}
	var out []Column
	seen := map[string]int{}
	l.Items(n, "column", "", "name and type", columnKeys, func(where string, cn *yaml.Node, f map[string]*yaml.Node) {
		c := Column{Line: cn.Line, Classification: "internal"}
		name, nn := l.Str(f, cn, where, "name", true)
		if nn != nil && l.checkName(nn.Line, "column name", name) {
			if prev, dup := seen[name]; dup {
				l.Errorf(nn.Line, "column %q is declared twice (first on line %d)", name, prev)
			}
			seen[name] = nn.Line
			where = fmt.Sprintf("column %q", name)
		}
		c.Name = name
		if typ, tn := l.Str(f, cn, where, "type", true); tn != nil {
			ct, err := CanonicalType(typ)
			if err != nil {
				l.Errorf(tn.Line, "%s: %v", where, err)
			}
			c.Type, c.Declared = ct, typ
		}
		c.Description, _ = l.Str(f, cn, where, "description", false)
		if rn := f["required"]; rn != nil {
			if rn.Kind != yaml.ScalarNode || rn.ShortTag() != "!!bool" {
				l.Errorf(rn.Line, "required of %s must be true or false, not %s", where, strictyaml.KindName(rn))
			} else {
				c.Required = strings.EqualFold(rn.Value, "true")
			}
		}
		if v, vn := l.Str(f, cn, where, "classification", false); vn != nil {
			if !strictyaml.Contains(classifications, v) {
				l.Errorf(vn.Line, "classification %q of %s is not one of %s%s", v, where, strings.Join(classifications, ", "), strictyaml.DidYouMean(v, classifications))
			} else {
				c.Classification = v
				c.ClassificationDeclared = true
			}
		}
		l.declassification(f, where, &c)
		l.columnContract(f, cn, where, &c)
		out = append(out, c)
	})
	return out
}
