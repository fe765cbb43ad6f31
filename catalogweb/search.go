package catalogweb

import (
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	lru "github.com/hashicorp/golang-lru/v2"

	"github.com/meshgate/meshgate/auth"
	"github.com/meshgate/meshgate/auth/policy"
	"github.com/meshgate/meshgate/gateway"
	"github.com/meshgate/meshgate/planner/catalog"
)

// index holds, per served product, the lowercase text q searches: the
// address, the description, the tags, and the columns' names and
// descriptions. The served products are fixed for the engine's life.
type index struct {
	once sync.Once
	gw   *gateway.Gateway
	text map[catalog.Address]string
}

func newIndex(gw *gateway.Gateway) *index { return &index{gw: gw} }

func (ix *index) haystack(p *catalog.Product) string {
	ix.once.Do(func() {
		ix.text = map[catalog.Address]string{}
		for _, q := range ix.gw.Products() {
			var b strings.Builder
			b.WriteString(q.Address.String() + "\n" + q.Description + "\n" + strings.Join(q.Tags, " "))
			for _, c := range q.Columns {
				b.WriteString("\n" + c.Name + " " + c.Description)
			}
			ix.text[q.Address] = strings.ToLower(b.String())
		}
	})
	return ix.text[p.Address]
}

// visibleCache keeps what each user may discover under each policy: the
// key holds the policy in force, so a reload is seen at once.
type visibleCache struct {
	gw    *gateway.Gateway
	cache *lru.Cache[visibleKey, []gateway.Listing]
}

type visibleKey struct {
	user *auth.User
	set  *policy.Set
}

func newVisibleCache(gw *gateway.Gateway) *visibleCache {
	c, _ := lru.New[visibleKey, []gateway.Listing](256)
	return &visibleCache{gw: gw, cache: c}
}

func (v *visibleCache) of(u *auth.User) []gateway.Listing {
	k := visibleKey{u, v.gw.Policy()}
	if l, ok := v.cache.Get(k); ok {
		return l
	}
	l := v.gw.Discover(u)
	v.cache.Add(k, l)
	return l
}

// search is a parsed product search.
type search struct {
	Q, Domain, Tag, Classification, Status, Health string
	Limit, Offset                                  int
}

var searchParams = []string{"q", "domain", "tag", "classification", "status", "health", "limit", "offset"}

// parseSearch reads the search parameters; anything else, or a bad value,
// is an error sentence (a 400).
func parseSearch(v url.Values) (search, string) {
	s := search{Limit: defaultPage}
	for k, vals := range v {
		if !slices.Contains(searchParams, k) {
			return s, fmt.Sprintf("Unknown parameter %q; the search takes %s.", k, strings.Join(searchParams, ", "))
		}
		if len(vals) > 1 {
			return s, fmt.Sprintf("Parameter %q is given %d times; give it once.", k, len(vals))
		}
	}
	s.Q, s.Domain, s.Tag = strings.TrimSpace(v.Get("q")), v.Get("domain"), v.Get("tag")
	s.Classification, s.Status, s.Health = v.Get("classification"), v.Get("status"), v.Get("health")
	if len([]rune(s.Q)) > maxSearch {
		return s, fmt.Sprintf("The search q is %d characters long; at most %d are accepted.", len([]rune(s.Q)), maxSearch)
	}
	var msg string
	if s.Limit, msg = intParam(v, "limit", defaultPage, 1, maxPage); msg != "" {
		return s, msg
	}
	if s.Offset, msg = intParam(v, "offset", 0, 0, 1_000_000); msg != "" {
		return s, msg
	}
	return s, ""
}

func intParam(v url.Values, name string, def, lo, hi int) (int, string) {
	raw, ok := v[name]
	if !ok {
		return def, ""
	}
	n, err := strconv.Atoi(raw[0])
	if err != nil || n < lo || n > hi {
		return 0, fmt.Sprintf("%s must be a whole number from %d to %d, not %q.", name, lo, hi, raw[0])
	}
	return n, ""
}

// run filters and pages the listings: every word of q must occur in the
// product's searched text; products whose address matches come first.
func (s search) run(ix *index, gw *gateway.Gateway, all []gateway.Listing) (page []gateway.Listing, total int) {
	words := strings.Fields(strings.ToLower(s.Q))
	type hit struct {
		l    gateway.Listing
		rank int
	}
	var hits []hit
	for _, l := range all {
		p := l.Product
		if s.Domain != "" && p.Address.Domain != s.Domain || s.Status != "" && p.Status != s.Status ||
			s.Tag != "" && !slices.Contains(p.Tags, s.Tag) || s.Health != "" && l.Health(gw) != s.Health {
			continue
		}
		if s.Classification != "" && !slices.ContainsFunc(p.Columns, func(c catalog.Column) bool { return c.Classification == s.Classification }) {
			continue
		}
		hay, rank, ok := ix.haystack(p), 0, true
		for _, w := range words {
			if !strings.Contains(hay, w) {
				ok = false
				break
			}
			if !strings.Contains(p.Address.String(), w) {
				rank = 1
			}
		}
		if ok {
			hits = append(hits, hit{l, rank})
		}
	}
	sort.SliceStable(hits, func(i, j int) bool { return hits[i].rank < hits[j].rank })
	total = len(hits)
	for i := s.Offset; i < total && i < s.Offset+s.Limit; i++ {
		page = append(page, hits[i].l)
	}
	return page, total
}
