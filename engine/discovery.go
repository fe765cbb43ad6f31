package engine

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/meshgate/meshgate/internal/sqlquote"
	"github.com/meshgate/meshgate/planner/catalog"
)

// The discovery catalog as SQL products: meshgate.products (one row per
// served product) and meshgate.columns (one row per declared column). The
// gateway fills them (SetDiscovery) and narrows each session's view to
// the products the caller may discover, with granted set for the caller.

const (
	discoveryProductColumns = "product VARCHAR, domain VARCHAR, name VARCHAR, version VARCHAR, status VARCHAR, type VARCHAR, " +
		"description VARCHAR, owner VARCHAR, contact VARCHAR, tags VARCHAR[], port_kind VARCHAR, port_mode VARCHAR, health VARCHAR, granted BOOLEAN"
	discoveryColumnColumns = "product VARCHAR, position INTEGER, column_name VARCHAR, data_type VARCHAR, description VARCHAR, classification VARCHAR, required BOOLEAN"
)

// DiscoveryProducts are the products meshgate.products and
// meshgate.columns; serve them by adding them to the mesh before Open.
func DiscoveryProducts() []*catalog.Product {
	col := func(name, typ, desc string) catalog.Column {
		return catalog.Column{Name: name, Type: typ, Description: desc, Classification: "public"}
	}
	products := &catalog.Product{
		Address: catalog.Address{Domain: "meshgate", Name: "products"}, Version: "1.0.0", Status: "active", Type: "source-aligned",
		Description: "The catalog of data products you may discover: one row per product (as the catalog API lists them).",
		Owner:       catalog.Owner{Team: "meshgate"}, Tags: []string{"catalog", "discovery"},
		Ports: []catalog.Port{{Name: "catalog", Type: "internal", Location: "products"}},
		Columns: []catalog.Column{
			col("product", "VARCHAR", "Product address (domain.product)."),
			col("domain", "VARCHAR", "Domain."),
			col("name", "VARCHAR", "Product name."),
			col("version", "VARCHAR", "Semantic version."),
			col("status", "VARCHAR", "proposed, active, deprecated or retired."),
			col("type", "VARCHAR", "source-aligned, aggregate or consumer-aligned."),
			col("description", "VARCHAR", "What the product is."),
			col("owner", "VARCHAR", "Owning team."),
			col("contact", "VARCHAR", "How to reach the owner (and to request access)."),
			col("tags", "VARCHAR[]", "Tags."),
			col("port_kind", "VARCHAR", "Kind of the served output port (parquet, csv, postgres, http, …)."),
			col("port_mode", "VARCHAR", "file, live or snapshot."),
			col("health", "VARCHAR", "Health from the product's quality checks (see meshgate.health); withheld without a grant."),
			col("granted", "BOOLEAN", "Whether you may read the product's data."),
		},
		File: "(built in)",
	}
	columns := &catalog.Product{
		Address: catalog.Address{Domain: "meshgate", Name: "columns"}, Version: "1.0.0", Status: "active", Type: "source-aligned",
		Description: "The declared columns of the data products you may discover, with types, descriptions and classifications.",
		Owner:       catalog.Owner{Team: "meshgate"}, Tags: []string{"catalog", "discovery"},
		Ports: []catalog.Port{{Name: "catalog", Type: "internal", Location: "columns"}},
		Columns: []catalog.Column{
			col("product", "VARCHAR", "Product address (domain.product)."),
			col("position", "INTEGER", "Position of the column in the product, from 1."),
			col("column_name", "VARCHAR", "Column name."),
			col("data_type", "VARCHAR", "Declared type."),
			col("description", "VARCHAR", "What the column holds."),
			col("classification", "VARCHAR", "Classification (public, internal, confidential, pii, …)."),
			col("required", "BOOLEAN", "Whether the column is never NULL."),
		},
		File: "(built in)",
	}
	return []*catalog.Product{products, columns}
}

// DiscoveryRow is one product of meshgate.products (granted is per
// session and not stored).
type DiscoveryRow struct {
	Product                                            catalog.Address
	Version, Status, Type, Description, Owner, Contact string
	Tags                                               []string
	PortKind, PortMode, Health                         string
	Columns                                            []catalog.Column
}

// SetDiscovery replaces the rows of meshgate.products and meshgate.columns.
func (e *Engine) SetDiscovery(rows []DiscoveryRow) error {
	var prods, cols []string
	for _, r := range rows {
		prods = append(prods, fmt.Sprintf("(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, false)",
			sqlquote.Literal(r.Product.String()), sqlquote.Literal(r.Product.Domain), sqlquote.Literal(r.Product.Name), sqlquote.Literal(r.Version),
			sqlquote.Literal(r.Status), sqlquote.Literal(r.Type), sqlquote.Literal(r.Description), sqlquote.Literal(r.Owner), sqlquote.Literal(r.Contact),
			listLiteral(r.Tags), sqlquote.Literal(r.PortKind), sqlquote.Literal(r.PortMode), sqlquote.Literal(r.Health)))
		for i, c := range r.Columns {
			cols = append(cols, fmt.Sprintf("(%s, %d, %s, %s, %s, %s, %t)", sqlquote.Literal(r.Product.String()), i+1,
				sqlquote.Literal(c.Name), sqlquote.Literal(c.Type), sqlquote.Literal(c.Description), sqlquote.Literal(c.Classification), c.Required))
		}
	}
	q := []string{"BEGIN TRANSACTION", "DELETE FROM memory.mg_audit.products", "DELETE FROM memory.mg_audit.columns"}
	if len(prods) > 0 {
		q = append(q, "INSERT INTO memory.mg_audit.products VALUES "+strings.Join(prods, ", "))
	}
	if len(cols) > 0 {
		q = append(q, "INSERT INTO memory.mg_audit.columns VALUES "+strings.Join(cols, ", "))
	}
	return e.exec(strings.Join(append(q, "COMMIT"), "; "))
}

// SetDiscoveryHealth sets the health column of meshgate.products for the
// given products (address → status); other rows are unchanged.
func (e *Engine) SetDiscoveryHealth(health map[string]string) error {
	if len(health) == 0 {
		return nil
	}
	var cases, in []string
	for _, a := range slices.Sorted(maps.Keys(health)) {
		cases = append(cases, fmt.Sprintf("WHEN %s THEN %s", sqlquote.Literal(a), sqlquote.Literal(health[a])))
		in = append(in, sqlquote.Literal(a))
	}
	return e.exec(fmt.Sprintf("UPDATE memory.mg_audit.products SET health = CASE product %s END WHERE product IN (%s)",
		strings.Join(cases, " "), strings.Join(in, ", ")))
}

// HealthWithheld is the health shown for a product the caller may
// discover but not read.
const HealthWithheld = "withheld"

// DiscoveryView narrows a session's view of meshgate.products or
// meshgate.columns (view, the policy's view SQL) to the products the
// caller may discover, and sets granted for the caller's grants. Other
// products' views are returned unchanged. cols are the view's columns: a
// policy that withholds product leaves the caller no rows (fail closed).
func DiscoveryView(a catalog.Address, view string, cols []string, visible, granted []catalog.Address) string {
	if a.Domain != "meshgate" || (a.Name != "products" && a.Name != "columns") {
		return view
	}
	list := func(as []catalog.Address) string {
		if len(as) == 0 {
			return "[]::VARCHAR[]"
		}
		s := make([]string, len(as))
		for i, x := range as {
			s[i] = x.String()
		}
		return listLiteral(s)
	}
	has := func(c string) bool { return slices.Contains(cols, c) }
	if !has("product") {
		return fmt.Sprintf("SELECT * FROM (%s) WHERE false", view)
	}
	where := fmt.Sprintf("list_contains(%s, product)", list(visible))
	if a.Name == "columns" || !has("granted") {
		return fmt.Sprintf("SELECT * FROM (%s) WHERE %s", view, where)
	}
	// Health is derived from the product's data (its checks' results), so
	// it is withheld from callers without a grant, as meshgate.health is.
	health := ""
	if has("health") {
		health = fmt.Sprintf(", CASE WHEN list_contains(%s, product) THEN health ELSE '%s' END AS health", list(granted), HealthWithheld)
	}
	return fmt.Sprintf("SELECT * REPLACE (list_contains(%s, product) AS granted%s) FROM (%s) WHERE %s", list(granted), health, view, where)
}
