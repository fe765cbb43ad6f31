package engine

import (
	"fmt"
	"sort"

	"github.com/meshgate/meshgate/internal/sqlquote"
	"github.com/meshgate/meshgate/planner/catalog"
)

// Consumption lineage: meshgate.usage, per product, from the audit — the
// statements that read it (directly, or through a product of a sql port
// derived from it), their distinct readers, the derived products and the
// client applications they came through, and the last read. Which rows a
// reader sees is the policy's (the demo lets a steward see the domains of
// the user attribute steward_of).

// downstreamColumns is the table of transitive downstream products.
const downstreamColumns = "product VARCHAR, downstream VARCHAR"

// UsageProduct is meshgate.usage.
func UsageProduct() *catalog.Product {
	return builtIn("usage", "usage", "Who reads each product, from the audit: statements, distinct readers, the products derived from it that were read, applications and the last read (for an owner planning a change).", []catalog.Column{
		internalCol("product", "VARCHAR", "Product address."),
		internalCol("domain", "VARCHAR", "The product's domain (its owner)."),
		internalCol("statements", "BIGINT", "Statements that read it, directly or through a derived product."),
		internalCol("readers", "BIGINT", "Distinct users among them."),
		internalCol("consuming_products", "VARCHAR[]", "Products derived from it (type: sql ports) through which it was read."),
		internalCol("applications", "VARCHAR[]", "Client application names of those statements."),
		internalCol("last_read", "TIMESTAMP WITH TIME ZONE", "When it was last read."),
	})
}

// usageView is the port view of meshgate.usage over the audit table.
const usageView = `WITH reads AS (
  SELECT split_part(unnest(products), '@', 1) AS read_product, user_name, application_name, logged_at
  FROM memory.mg_audit.records WHERE decision = 'allowed'),
usage AS (
  SELECT read_product AS product, CAST(NULL AS VARCHAR) AS via, user_name, application_name, logged_at FROM reads
  UNION ALL
  SELECT d.product, d.downstream, r.user_name, r.application_name, r.logged_at
  FROM reads r JOIN memory.mg_audit.downstream d ON d.downstream = r.read_product)
SELECT product, split_part(product, '.', 1) AS domain, count(*) AS statements, count(DISTINCT user_name) AS readers,
  coalesce(list_sort(list(DISTINCT via) FILTER (WHERE via IS NOT NULL)), []::VARCHAR[]) AS consuming_products,
  coalesce(list_sort(list(DISTINCT application_name) FILTER (WHERE application_name <> '')), []::VARCHAR[]) AS applications,
  max(logged_at) AS last_read
FROM usage GROUP BY product`

// fillDownstream writes the transitive downstream products of every
// product (from the lineage), for meshgate.usage.
func (e *Engine) fillDownstream() error {
	direct := map[catalog.Address][]catalog.Address{}
	for a, ag := range e.aggregates {
		for _, in := range ag.inputs {
			direct[in] = append(direct[in], a)
		}
	}
	var vals []string
	for p := range direct {
		seen := map[catalog.Address]bool{}
		stack := append([]catalog.Address(nil), direct[p]...)
		for len(stack) > 0 {
			d := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if seen[d] || d == p {
				continue
			}
			seen[d] = true
			stack = append(stack, direct[d]...)
		}
		var ds []string
		for d := range seen {
			ds = append(ds, d.String())
		}
		sort.Strings(ds)
		for _, d := range ds {
			vals = append(vals, fmt.Sprintf("(%s, %s)", sqlquote.Literal(p.String()), sqlquote.Literal(d)))
		}
	}
	sort.Strings(vals)
	return e.replaceRows("memory.mg_audit.downstream", vals)
}
