package gateway

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/util"
	"github.com/hashicorp/golang-lru/v2/simplelru"

	"github.com/meshgate/meshgate/engine"
)

// The result cache keeps the Arrow batches of complete answers of read
// statements, bounded in bytes (least recently used out first), shared by
// every session and front door. What an entry may answer is decided by its
// key alone (cachekey.go): the statement, its parameters, the effective
// view of every product it reads for the session, the data version of
// every port read and the settings that change results. This file only
// stores, fills and replays.

// DefaultResultCacheBytes is the result cache's size unless configured.
const DefaultResultCacheBytes = 64 << 20

// cachedResult is one complete answer.
type cachedResult struct {
	schema  *arrow.Schema
	batches []arrow.RecordBatch // retained by the entry; released on eviction
	bytes   int64
	refs    atomic.Int64 // the entry itself and every replay using it
}

func (r *cachedResult) retain() { r.refs.Add(1) }

func (r *cachedResult) release() {
	if r.refs.Add(-1) == 0 {
		for _, b := range r.batches {
			b.Release()
		}
		r.batches = nil
	}
}

// resultCache is safe for concurrent use.
type resultCache struct {
	max      int64 // bytes
	maxEntry int64 // an answer larger than this is not kept

	mu      sync.Mutex
	lru     *simplelru.LRU[string, *cachedResult]
	bytes   int64
	evicted int64

	hits, misses, skipped atomic.Int64
}

// newResultCache returns a cache of max bytes, or nil (no cache) for
// max <= 0.
func newResultCache(max int64) *resultCache {
	if max <= 0 {
		return nil
	}
	c := &resultCache{max: max, maxEntry: max / 8}
	c.lru, _ = simplelru.NewLRU[string, *cachedResult](1<<30, func(_ string, r *cachedResult) {
		c.bytes -= r.bytes
		c.evicted++
		r.release()
	})
	return c
}

// CacheStats are the result cache's counters (meshgate.cache).
type CacheStats struct {
	Entries, Bytes, MaxBytes int64
	Hits, Misses, Evictions  int64
	Uncacheable              int64 // statements the cache may not answer
}

func (c *resultCache) stats() CacheStats {
	if c == nil {
		return CacheStats{}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return CacheStats{Entries: int64(c.lru.Len()), Bytes: c.bytes, MaxBytes: c.max,
		Hits: c.hits.Load(), Misses: c.misses.Load(), Evictions: c.evicted, Uncacheable: c.skipped.Load()}
}

// get returns the answer under key, retained for the caller, or nil.
func (c *resultCache) get(key string) *cachedResult {
	c.mu.Lock()
	defer c.mu.Unlock()
	r, ok := c.lru.Get(key)
	if !ok {
		return nil
	}
	r.retain()
	return r
}

// has reports whether key has an answer, without counting as a use.
func (c *resultCache) has(key string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lru.Contains(key)
}

// put keeps a complete answer (the cache takes the caller's reference).
func (c *resultCache) put(key string, r *cachedResult) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.lru.Add(key, r) // replaces (and releases) an older answer of the key
	c.bytes += r.bytes
	for c.bytes > c.max && c.lru.Len() > 1 {
		c.lru.RemoveOldest()
	}
}

// purge drops every answer (a new policy).
func (c *resultCache) purge() {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.lru.Purge()
}

// fillingRecords passes an engine result through and keeps a copy of its
// batches; once the result has been read to its end without error, the
// copy becomes the cache's answer under key. A result that is canceled,
// fails, is closed early (a portal's row limit never completed) or grows
// past the entry limit is not kept.
type fillingRecords struct {
	array.RecordReader
	c     *resultCache
	key   string
	ctx   context.Context
	kept  []arrow.RecordBatch
	bytes int64
	over  bool
	done  bool
}

func (f *fillingRecords) Next() bool {
	if !f.RecordReader.Next() {
		f.finish()
		return false
	}
	if !f.over {
		b := f.RecordReader.RecordBatch()
		f.bytes += int64(util.TotalRecordSize(b))
		if f.bytes > f.c.maxEntry {
			f.drop()
			f.over = true
		} else {
			b.Retain()
			f.kept = append(f.kept, b)
		}
	}
	return true
}

func (f *fillingRecords) finish() {
	if f.done {
		return
	}
	f.done = true
	if f.over || f.RecordReader.Err() != nil || f.ctx.Err() != nil {
		f.drop()
		return
	}
	r := &cachedResult{schema: f.RecordReader.Schema(), batches: f.kept, bytes: f.bytes}
	r.refs.Store(1)
	f.kept = nil
	f.c.put(f.key, r)
}

func (f *fillingRecords) drop() {
	for _, b := range f.kept {
		b.Release()
	}
	f.kept = nil
}

func (f *fillingRecords) Release() {
	if !f.done {
		// Closed before its end: incomplete, never kept (nor what a
		// reader still holding it reads on).
		f.over = true
		f.drop()
	}
	f.RecordReader.Release()
}

// replayRecords streams a cached answer. It honours cancellation between
// batches (57014, as an engine result does).
type replayRecords struct {
	r    *cachedResult
	ctx  context.Context
	i    int
	cur  arrow.RecordBatch
	err  error
	refs atomic.Int64
}

func newReplay(ctx context.Context, r *cachedResult) *replayRecords {
	rr := &replayRecords{r: r, ctx: ctx}
	rr.refs.Store(1)
	return rr
}

func (p *replayRecords) Schema() *arrow.Schema { return p.r.schema }

func (p *replayRecords) Next() bool {
	p.cur = nil
	if p.err != nil || p.i >= len(p.r.batches) {
		return false
	}
	if err := p.ctx.Err(); err != nil {
		p.err = engine.Canceled(err)
		return false
	}
	p.cur = p.r.batches[p.i]
	p.i++
	return true
}

func (p *replayRecords) RecordBatch() arrow.RecordBatch { return p.cur }

// Record is RecordBatch (arrow-go's older name).
func (p *replayRecords) Record() arrow.RecordBatch { return p.cur }

func (p *replayRecords) Err() error { return p.err }

func (p *replayRecords) Retain() { p.refs.Add(1) }

func (p *replayRecords) Release() {
	if p.refs.Add(-1) == 0 {
		p.cur = nil
		p.r.release()
	}
}
