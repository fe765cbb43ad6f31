package catalogweb_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

type lineageDetail struct {
	Lineage struct {
		Upstream, Downstream []string
		Columns              []struct {
			FromProduct    string `json:"from_product"`
			FromColumn     string `json:"from_column"`
			ToProduct      string `json:"to_product"`
			ToColumn       string `json:"to_column"`
			Transformation string `json:"transformation"`
		}
	}
}

// TestLineage: the demo's aggregate shows its inputs and its consumer
// product, in the API and as an SVG graph on its page; a caller who may
// not discover an input sees neither it nor its edges, here or in
// meshgate.lineage.
func TestLineage(t *testing.T) {
	h := start(t, "../testdata/policies")
	var d lineageDetail
	h.getJSON(t, "analyst", "/api/v1/products/sales.revenue_by_country", &d)
	if !slices.Equal(d.Lineage.Upstream, []string{"geo.countries", "sales.orders"}) || !slices.Equal(d.Lineage.Downstream, []string{"marketing.country_reach"}) {
		t.Errorf("lineage %+v", d.Lineage)
	}
	edges := map[string]string{}
	for _, e := range d.Lineage.Columns {
		edges[e.FromProduct+"."+e.FromColumn+"→"+e.ToProduct+"."+e.ToColumn] = e.Transformation
	}
	for k, want := range map[string]string{
		"sales.orders.amount→sales.revenue_by_country.revenue":             "aggregate",
		"geo.countries.name→sales.revenue_by_country.country":              "identity",
		"sales.orders.status→sales.revenue_by_country.":                    "filter",
		"geo.countries.country_code→sales.revenue_by_country.":             "join",
		"sales.revenue_by_country.revenue→marketing.country_reach.revenue": "identity",
		"sales.revenue_by_country.country_code→marketing.country_reach.":   "join",
	} {
		if edges[k] != want {
			t.Errorf("%s: %q, want %q (all %v)", k, edges[k], want, edges)
		}
	}
	c := h.client(t)
	login(t, h, c, "analyst", "analyst-demo", "").Body.Close()
	status, html := fetchPage(t, c, h.tls.URL+"/products/sales.revenue_by_country")
	if status != 200 || !strings.Contains(html, `<svg id="lineage-graph"`) || !strings.Contains(html, `<a href="/products/marketing.country_reach"><rect class="downstream"`) ||
		!strings.Contains(html, `<a href="/products/geo.countries"><rect class="upstream"`) {
		t.Errorf("product page without the lineage graph (%d):\n%s", status, html)
	}

	// Analysts without geo: listed (metadata only), geo.countries stays in
	// the lineage; hidden, it is neither upstream nor in meshgate.lineage.
	noGeo := policyWith(t, `products: ["geo.*", "sales.*", "supply.*"]`, `products: ["sales.*", "supply.*"]`)
	var listed lineageDetail
	start(t, noGeo).getJSON(t, "analyst", "/api/v1/products/sales.revenue_by_country", &listed)
	if !slices.Contains(listed.Lineage.Upstream, "geo.countries") {
		t.Errorf("with ungranted products listed, geo.countries is discoverable: %v", listed.Lineage.Upstream)
	}
	fed := filepath.Join(noGeo, "federation.yaml")
	b, err := os.ReadFile(fed)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(fed, []byte(strings.Replace(string(b), "ungranted: listed", "ungranted: hidden", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	hidden := start(t, noGeo)
	var d2 lineageDetail
	hidden.getJSON(t, "analyst", "/api/v1/products/sales.revenue_by_country", &d2)
	if !slices.Equal(d2.Lineage.Upstream, []string{"sales.orders"}) {
		t.Errorf("upstream %v: geo.countries is not discoverable for the analyst", d2.Lineage.Upstream)
	}
	for _, e := range d2.Lineage.Columns {
		if strings.HasPrefix(e.FromProduct, "geo.") {
			t.Errorf("edge from an undiscoverable product: %+v", e)
		}
	}
	var n, geo int
	if err := hidden.pgx(t, "analyst").QueryRow(context.Background(), "SELECT count(*), count(*) FILTER (WHERE from_product LIKE 'geo.%') FROM meshgate.lineage").Scan(&n, &geo); err != nil {
		t.Fatal(err)
	}
	if n == 0 || geo != 0 {
		t.Errorf("meshgate.lineage for the analyst: %d rows, %d from geo", n, geo)
	}
}
