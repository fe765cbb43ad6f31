package planner_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/meshgate/meshgate/planner"
)

// TestOrigins: the origins of result columns through aliases, subqueries,
// CTEs (recursive too), column alias lists and * entries; a * whose width
// is not known ends the list (Opaque), and what it cannot tell is nil.
func TestOrigins(t *testing.T) {
	es := parser(t)
	cases := map[string]string{
		"SELECT o.id, amount FROM sales.orders o":                                                             "sales.orders.id sales.orders.amount",
		"SELECT t.x, y FROM (SELECT o.id AS x, o.amount AS y FROM sales.orders o) t":                          "sales.orders.id sales.orders.amount",
		"SELECT t.a FROM (SELECT o.id, o.amount FROM sales.orders o) t(a, b)":                                 "sales.orders.id",
		"SELECT * FROM (SELECT o.amount, o.id FROM sales.orders o) t":                                         "sales.orders.amount sales.orders.id",
		"SELECT t.amount FROM (SELECT o.* FROM sales.orders o) t":                                             "sales.orders.amount",
		"SELECT * FROM (SELECT o.* FROM sales.orders o) t":                                                    "sales.orders.*",
		"SELECT t.amount FROM (SELECT o.*, p.* FROM sales.orders o, sales.orders p) t":                        "nil",
		"WITH c AS (SELECT n.nspname AS s FROM pg_catalog.pg_namespace n) SELECT c.s FROM c":                  "pg_catalog.pg_namespace.nspname",
		"WITH RECURSIVE r(k) AS (SELECT n.oid FROM pg_namespace n UNION ALL SELECT k FROM r) SELECT k FROM r": "pg_catalog.pg_namespace.oid",
		"SELECT * EXCLUDE (id), o.id FROM sales.orders o":                                                     "opaque",
		"SELECT x.*, o.id FROM (SELECT * EXCLUDE (id) FROM sales.orders) x, sales.orders o":                   "opaque",
		"SELECT t.id FROM (SELECT 1 AS id) t":                                                                 "nil",
		"SELECT t.id FROM (SELECT o.id FROM sales.orders o UNION SELECT o.id FROM sales.orders o) t":          "nil",
		"WITH orders AS (SELECT 1 AS id) SELECT id FROM orders":                                               "nil",
	}
	for q, want := range cases {
		r, err := planner.CheckRead(context.Background(), es, scope{[]string{"sales"}}, q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		var got []string
		for _, o := range r.Origins {
			switch {
			case o == nil:
				got = append(got, "nil")
			case o.Opaque:
				got = append(got, "opaque")
			case o.Star:
				got = append(got, fmt.Sprintf("%s.*", o.Product))
			default:
				got = append(got, fmt.Sprintf("%s.%s", o.Product, o.Column))
			}
		}
		if g := strings.Join(got, " "); g != want {
			t.Errorf("%s:\n got %s\nwant %s", q, g, want)
		}
	}
}
