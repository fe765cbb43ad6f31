package gateway

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/meshgate/meshgate/engine"
	"github.com/meshgate/meshgate/planner"
	"github.com/meshgate/meshgate/planner/catalog"
)

// resultCacheSetting turns the result cache off (and on) for a session.
const resultCacheSetting = "meshgate.result_cache"

// startRead starts a checked, prepared read with its arguments: the ports
// it needs are made ready (fetchRemote), then the answer comes from the
// result cache when the cache holds it under the execution's key
// (cachekey.go), else from the engine, kept for the cache as it streams.
// Either way it is the same Arrow stream to the encoder, the audit and the
// row limits of portals and cursors.
func (s *session) startRead(ctx context.Context, st *statement, args []any) (array.RecordReader, error) {
	st.cached = false
	if err := s.fetchRemote(ctx, st.read, args); err != nil {
		return nil, err
	}
	if st.read != nil && reads(st.read, cacheProduct) {
		s.g.publishCacheStats()
	}
	c := s.g.results
	key, why := s.cacheKey(st, args)
	if st.cl.Explain {
		key, why = "", "" // EXPLAIN's own rows are not the statement's answer
	}
	if key != "" {
		if r := c.get(key); r != nil {
			if r.schema.Equal(st.prepared.Schema()) {
				c.hits.Add(1)
				st.cached = true
				return newReplay(ctx, r), nil
			}
			r.release() // same key, other columns: answer from the engine
		}
		c.misses.Add(1)
	} else if c != nil && why != "" {
		c.skipped.Add(1)
	}
	rr, err := st.prepared.Query(ctx, args)
	if err != nil || key == "" {
		return rr, err
	}
	return &fillingRecords{RecordReader: rr, c: c, key: key, ctx: ctx}, nil
}

// cacheVerdict is what EXPLAIN says of the result cache for the statement.
func (s *session) cacheVerdict(st *statement, args []any) string {
	key, why := s.cacheKey(st, args)
	switch {
	case key == "":
		return "Result cache: not used (" + why + ")"
	case s.g.results.has(key):
		return "Result cache: hit (the answer is cached)"
	}
	return "Result cache: miss (the answer will be cached)"
}

// SetResultCache sizes the result cache in bytes (0: off). Call it before
// serving; it drops what the cache held.
func (g *Gateway) SetResultCache(bytes int64) { g.results = newResultCache(bytes) }

// ResultCacheStats are the result cache's counters.
func (g *Gateway) ResultCacheStats() CacheStats { return g.results.stats() }

// cacheProduct is meshgate.cache.
var cacheProduct = catalog.Address{Domain: "meshgate", Name: "cache"}

// publishCacheStats writes the counters where meshgate.cache reads them.
func (g *Gateway) publishCacheStats() {
	st := g.results.stats()
	if err := g.engine.SetCacheStats(engine.CacheRow{Entries: st.Entries, Bytes: st.Bytes, MaxBytes: st.MaxBytes,
		Hits: st.Hits, Misses: st.Misses, Evictions: st.Evictions, Uncacheable: st.Uncacheable}); err != nil {
		g.log.Warn("updating meshgate.cache failed", "err", err)
	}
}

// reads reports whether a read names a product.
func reads(r *planner.Read, a catalog.Address) bool {
	for _, b := range r.Products {
		if b == a {
			return true
		}
	}
	return false
}
