package engine

import (
	"context"
	"strings"

	"github.com/hashicorp/golang-lru/v2/simplelru"

	"github.com/meshgate/meshgate/planner/catalog"
)

// Prepared session catalogs. Building a session's catalog (its product
// views, their shadow tables, the client catalog's relations) is most of
// what a session start costs, and it depends only on what the caller's key
// says (the gateway: the policy in force and the user's identity). A
// session opened with a key leaves its catalog, when it ends, to the next
// session with the same key, which only resets the catalog's per-session
// rows (the reset statements) instead of building it again. A catalog
// holding per-session data (live remote ports' rows) or rebuilt under
// another policy is never passed on.

// maxPooledCatalogs bounds the catalogs kept for reuse (least recently
// pooled dropped first).
const maxPooledCatalogs = 64

// pooledCatalog is a catalog waiting for its next session.
type pooledCatalog struct {
	key     string
	catalog string
	views   map[catalog.Address]bool
	shadow  map[string]catalog.Address
}

// NewPooledSession is NewSession for a session whose catalog is fully
// determined by key: a catalog a closed session of the same key left is
// reused after running reset(catalog) (statements that rewrite its
// per-session rows); otherwise it is built and, when the session ends,
// kept for the next one. reused reports which happened.
func (e *Engine) NewPooledSession(ctx context.Context, key string, build func(catalog string) ([]View, []string), reset func(catalog string) []string) (s *Session, reused bool, err error) {
	if err := ctx.Err(); err != nil {
		return nil, false, err
	}
	e.poolM.Lock()
	var pc *pooledCatalog
	if e.pool != nil {
		if list, ok := e.pool.Peek(key); ok && len(list) > 0 {
			pc = list[len(list)-1]
			if len(list) == 1 {
				e.pool.Add(key, nil) // removed empty: the eviction callback lets nothing go
				e.pool.Remove(key)
			} else {
				e.pool.Add(key, list[:len(list)-1])
			}
			e.pooled--
		}
	}
	e.poolM.Unlock()
	if pc != nil {
		s := &Session{e: e, catalog: pc.catalog, views: pc.views, shadow: pc.shadow, poolKey: key}
		s.verified = newVerifiedCache()
		s.searchPath = s.defaultPath()
		e.adminM.Lock()
		err := execOn(e.admin, strings.Join(reset(pc.catalog), ";\n"))
		e.adminM.Unlock()
		if err == nil {
			e.poolM.Lock()
			e.reused++
			e.poolM.Unlock()
			return s, true, nil
		}
		e.log.Warn("a pooled session catalog could not be reset; building a new one", "catalog", pc.catalog, "err", err)
		e.detach(pc.catalog)
	}
	s, err = e.NewSession(ctx, build)
	if err != nil {
		return nil, false, err
	}
	live := false
	for a := range s.views {
		live = live || e.RemoteMode(a) == ModeLive
	}
	if !live {
		s.poolKey = key
	}
	return s, false, nil
}

// pool keeps a closed session's catalog for the next session of its key;
// false when it cannot be kept (the caller detaches it).
func (e *Engine) poolCatalog(s *Session) bool {
	if s.poolKey == "" || e.closed.Load() {
		return false
	}
	e.poolM.Lock()
	defer e.poolM.Unlock()
	if e.pool == nil {
		e.pool, _ = simplelru.NewLRU[string, []*pooledCatalog](maxPooledCatalogs, func(_ string, list []*pooledCatalog) {
			e.pooled -= len(list)
			for _, pc := range list {
				e.detachLater = append(e.detachLater, pc.catalog)
			}
		})
	}
	if e.pooled >= maxPooledCatalogs {
		e.pool.RemoveOldest()
	}
	list, _ := e.pool.Peek(s.poolKey)
	e.pool.Add(s.poolKey, append(list, &pooledCatalog{key: s.poolKey, catalog: s.catalog, views: s.views, shadow: s.shadow}))
	e.pooled++
	return true
}

// PurgeCatalogPool drops every pooled catalog (a new policy: their keys
// are dead).
func (e *Engine) PurgeCatalogPool() {
	e.poolM.Lock()
	if e.pool != nil {
		e.pool.Purge()
	}
	e.poolM.Unlock()
	e.detachDropped()
}

// detachDropped detaches the catalogs the pool let go.
func (e *Engine) detachDropped() {
	e.poolM.Lock()
	drop := e.detachLater
	e.detachLater = nil
	e.poolM.Unlock()
	for _, c := range drop {
		e.detach(c)
	}
}

// detach drops a session catalog.
func (e *Engine) detach(cat string) {
	if e.closed.Load() {
		return
	}
	e.adminM.Lock()
	defer e.adminM.Unlock()
	if err := execOn(e.admin, "DETACH DATABASE IF EXISTS "+cat); err != nil {
		e.log.Warn("detach session catalog", "catalog", cat, "err", err)
	}
}

// PooledCatalogs is the number of catalogs kept for reuse, and how many
// sessions reused one since the start.
func (e *Engine) PooledCatalogs() (pooled int, reused int64) {
	e.poolM.Lock()
	defer e.poolM.Unlock()
	return e.pooled, e.reused
}
