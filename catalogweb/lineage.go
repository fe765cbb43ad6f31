package catalogweb

import (
	"fmt"
	"html/template"
	"strings"

	"github.com/meshgate/meshgate/planner/catalog"
)

// Lineage on the product page and in the API: the products a product is
// derived from (upstream) and derived into (downstream), limited to those
// the caller may discover, and a small server-rendered SVG of them.

type lineageJSON struct {
	Upstream   []string   `json:"upstream"`
	Downstream []string   `json:"downstream"`
	Columns    []edgeJSON `json:"columns"`
}

type edgeJSON struct {
	FromProduct    string `json:"from_product"`
	FromColumn     string `json:"from_column"`
	ToProduct      string `json:"to_product"`
	ToColumn       string `json:"to_column,omitempty"`
	Transformation string `json:"transformation"`
}

// lineageOf is a product's lineage as the caller may see it.
func (s *Server) lineageOf(c *caller, a catalog.Address) lineageJSON {
	visible := map[catalog.Address]bool{}
	for _, l := range s.visible.of(c.user) {
		visible[l.Product.Address] = true
	}
	pl := s.gw.Lineage(a, func(b catalog.Address) bool { return visible[b] })
	out := lineageJSON{Upstream: names(pl.Upstream), Downstream: names(pl.Downstream), Columns: []edgeJSON{}}
	for _, e := range pl.Edges {
		out.Columns = append(out.Columns, edgeJSON{FromProduct: e.From.String(), FromColumn: e.FromColumn,
			ToProduct: e.To.String(), ToColumn: e.ToColumn, Transformation: e.Transformation})
	}
	return out
}

func names(as []catalog.Address) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = a.String()
	}
	return out
}

// lineageSVG draws upstream products, the product and downstream products
// in three columns, each box a link to its product page. Addresses are
// lowercase identifiers; they are escaped all the same.
func lineageSVG(self string, l lineageJSON) template.HTML {
	if len(l.Upstream) == 0 && len(l.Downstream) == 0 {
		return ""
	}
	const w, h, gap, colGap = 210, 28, 12, 70
	rows := max(len(l.Upstream), len(l.Downstream), 1)
	height := rows*(h+gap) + gap
	width := 3*w + 2*colGap + 2*gap
	y := func(i, n int) int { return gap + (height-2*gap-n*(h+gap)+gap)/2 + i*(h+gap) }
	var b strings.Builder
	fmt.Fprintf(&b, `<svg id="lineage-graph" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="lineage of %s" width="%d" height="%d" viewBox="0 0 %d %d">`,
		template.HTMLEscapeString(self), width, height, width, height)
	box := func(x, y int, name, class string) {
		fmt.Fprintf(&b, `<a href="/products/%s"><rect class="%s" x="%d" y="%d" width="%d" height="%d" rx="4" fill="#fff" stroke="#555"/><text x="%d" y="%d" font-size="12" font-family="monospace">%s</text></a>`,
			template.HTMLEscapeString(name), class, x, y, w, h, x+8, y+18, template.HTMLEscapeString(name))
	}
	mx, my := gap+w+colGap, y(0, 1)
	for i, u := range l.Upstream {
		uy := y(i, len(l.Upstream))
		fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#888"/>`, gap+w, uy+h/2, mx, my+h/2)
		box(gap, uy, u, "upstream")
	}
	for i, d := range l.Downstream {
		dy := y(i, len(l.Downstream))
		fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#888"/>`, mx+w, my+h/2, mx+w+colGap, dy+h/2)
		box(mx+w+colGap, dy, d, "downstream")
	}
	box(mx, my, self, "self")
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) // built from escaped names only
}
