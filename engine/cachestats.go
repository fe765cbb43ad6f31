package engine

import (
	"fmt"

	"github.com/meshgate/meshgate/planner/catalog"
)

const cacheColumns = "entries BIGINT, bytes BIGINT, max_bytes BIGINT, hits BIGINT, misses BIGINT, evictions BIGINT, uncacheable BIGINT"

// CacheRow is the state of the gateway's result cache (meshgate.cache).
type CacheRow struct {
	Entries, Bytes, MaxBytes, Hits, Misses, Evictions, Uncacheable int64
}

// SetCacheStats replaces the row of meshgate.cache.
func (e *Engine) SetCacheStats(r CacheRow) error {
	return e.replaceRows("memory.mg_audit.cache", []string{fmt.Sprintf("(%d, %d, %d, %d, %d, %d, %d)",
		r.Entries, r.Bytes, r.MaxBytes, r.Hits, r.Misses, r.Evictions, r.Uncacheable)})
}

// CacheProduct is meshgate.cache: one row, the result cache's counters.
func CacheProduct() *catalog.Product {
	return builtIn("cache", "cache", "The gateway's result cache: entries, bytes, hits, misses and evictions since the start.", []catalog.Column{
		internalCol("entries", "BIGINT", "Answers held."),
		internalCol("bytes", "BIGINT", "Bytes of Arrow data held."),
		internalCol("max_bytes", "BIGINT", "The cache's size (-result-cache-mb); 0 when off."),
		internalCol("hits", "BIGINT", "Executions answered from the cache."),
		internalCol("misses", "BIGINT", "Cacheable executions the engine answered."),
		internalCol("evictions", "BIGINT", "Answers dropped to stay within the size or at a policy reload."),
		internalCol("uncacheable", "BIGINT", "Executions the cache may not answer (volatile functions, live ports, built-in products, the session's setting)."),
	})
}
