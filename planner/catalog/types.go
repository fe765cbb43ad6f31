package catalog

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/meshgate/meshgate/internal/strictyaml"
)

// Address is the name of a data product: domain.product, which is
// schema.table in SQL.
type Address struct{ Domain, Name string }

// String returns "domain.product".
func (a Address) String() string { return a.Domain + "." + a.Name }

// ParseAddress parses "domain.product". Both parts must be valid names
// (lowercase SQL identifiers, see ValidName).
func ParseAddress(s string) (Address, error) {
	d, n, ok := strings.Cut(s, ".")
	if !ok {
		return Address{}, fmt.Errorf("address %q must have the form domain.product", s)
	}
	if msg := nameProblem(d); msg != "" {
		return Address{}, fmt.Errorf("address %q: domain %s", s, msg)
	}
	if msg := nameProblem(n); msg != "" {
		return Address{}, fmt.Errorf("address %q: product %s", s, msg)
	}
	return Address{Domain: d, Name: n}, nil
}

// Owner is the team that owns a product and how to reach it.
type Owner struct{ Team, Contact string }

// Column is one declared (or, from PortSchema, one actual) column.
// Type is the canonical DuckDB spelling (see CanonicalType). Line is the
// line of the column in the descriptor (0 for actual columns).
type Column struct {
	Name, Type, Description, Classification string
	Declared                                string // the type as declared (Type is canonical)
	Required                                bool
	// Unique and PrimaryKey (ODCS) each add a duplicateValues rule (and
	// PrimaryKey a nullValues rule) to the product's quality rules.
	Unique, PrimaryKey bool
	Options            ValueOptions // logicalTypeOptions, checked by invalidValues
	Line               int
	// ClassificationDeclared is set when the descriptor names the
	// classification (else it is the default, internal, or for a column
	// of a sql port the one its inputs give it; see sqlport.go).
	ClassificationDeclared bool
	// Declassification justifies a column of a sql port classified less
	// strictly than its inputs (nil when none is given).
	Declassification *Declassification

	rules []Rule // the column's quality rules while loading
}

// Port is an output port. Location is absolute after Load (it may be a
// glob for parquet, csv and json ports). Options holds the port type's
// options as strings (see the package documentation).
type Port struct {
	Name, Type, Location string
	// Query is the SELECT of a sql port (QueryLine its line).
	Query     string
	QueryLine int
	Options   map[string]string
	Line      int
	// SourceNames maps a declared column to its name in a remote source
	// (option columns of postgres and http ports); see SourceName.
	SourceNames map[string]string
	// Filters maps a declared column to the query parameter an http port
	// accepts for "column = value" (option filters).
	Filters map[string]string
}

// DuckDBTable returns the schema (default "main") and table of a duckdb
// port, from its options.
func (p Port) DuckDBTable() (schema, table string) {
	schema = p.Options["schema"]
	if schema == "" {
		schema = "main"
	}
	return schema, p.Options["table"]
}

// Product is a valid data product descriptor.
type Product struct {
	Address     Address
	Version     string // semantic version, e.g. 1.4.0
	Status      string // proposed|active|deprecated|retired
	Type        string // source-aligned|aggregate|consumer-aligned
	Description string
	Owner       Owner
	Tags        []string
	Ports       []Port   // at least one; Ports[0] is the port that is served
	Columns     []Column // at least one, in declaration order
	Quality     []Rule   // column rules first (in column order), then product rules
	SLA         SLA
	OnFailure   string // warn | block | "" (the gateway's default)
	File        string // the descriptor file
}

// Port returns the port with the given name, or nil.
func (p *Product) Port(name string) *Port {
	for i := range p.Ports {
		if p.Ports[i].Name == name {
			return &p.Ports[i]
		}
	}
	return nil
}

// Column returns the declared column with the given name, or nil.
func (p *Product) Column(name string) *Column {
	for i := range p.Columns {
		if p.Columns[i].Name == name {
			return &p.Columns[i]
		}
	}
	return nil
}

// MajorVersion returns the major part of the product's semantic version.
func (p *Product) MajorVersion() int {
	s, _, _ := strings.Cut(p.Version, ".")
	n, _ := strconv.Atoi(s)
	return n
}

// Problem is one thing wrong with a descriptor (or with a port's data when
// it comes from CompareSchema): file, line (0 for the whole file), the
// product's address when known and a sentence the owner can act on; its
// String is "file:line: message". It is the strict YAML reader's problem,
// shared by every loader.
type Problem = strictyaml.Problem

// Mesh is the set of valid products found under Dir.
type Mesh struct {
	Dir      string     // absolute
	Products []*Product // sorted by address
}

// Product returns the product domain.name, or nil.
func (m *Mesh) Product(domain, name string) *Product {
	i := sort.Search(len(m.Products), func(i int) bool {
		a := m.Products[i].Address
		return a.Domain > domain || (a.Domain == domain && a.Name >= name)
	})
	if i < len(m.Products) && m.Products[i].Address == (Address{domain, name}) {
		return m.Products[i]
	}
	return nil
}

// Domains returns the domains that have at least one valid product, sorted.
func (m *Mesh) Domains() []string {
	var out []string
	for _, p := range m.Products {
		if len(out) == 0 || out[len(out)-1] != p.Address.Domain {
			out = append(out, p.Address.Domain)
		}
	}
	return out
}

// ProductsIn returns the products of one domain, sorted by name.
func (m *Mesh) ProductsIn(domain string) []*Product {
	var out []*Product
	for _, p := range m.Products {
		if p.Address.Domain == domain {
			out = append(out, p)
		}
	}
	return out
}
