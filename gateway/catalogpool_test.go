package gateway_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

// waitPooled waits until the engine keeps n session catalogs for reuse
// (a session's catalog is pooled once the server has closed it).
func (m *cacheMesh) waitPooled(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		pooled, _ := m.eng.PooledCatalogs()
		if pooled == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d pooled catalogs, want %d", pooled, n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestCatalogPoolReuse: a session of the same user under the same policy
// reuses the catalog a closed session left, with its own process ID and
// settings; another user (even with the same effective view of the
// products) never does; a policy reload drops the pooled catalogs.
func TestCatalogPoolReuse(t *testing.T) {
	m := startCacheMesh(t)
	m.gw.SetPolicy(m.loadPolicy(t)) // an empty pool
	first := m.as(t, "eu1", "application_name=first")
	if _, err := first.Exec(ctxT(t), "SET TimeZone = 'Asia/Tokyo'"); err != nil {
		t.Fatal(err)
	}
	oldPID := cacheRows(t, first, "SELECT pg_backend_pid()")
	first.Close(context.Background())
	m.waitPooled(t, 1)

	_, reusedBefore := m.eng.PooledCatalogs()
	again := m.as(t, "eu1", "")
	m.waitPooled(t, 0) // taken
	if _, reused := m.eng.PooledCatalogs(); reused != reusedBefore+1 {
		t.Fatalf("the session did not reuse the pooled catalog (reuses %d → %d)", reusedBefore, reused)
	}
	pid := cacheRows(t, again, "SELECT pg_backend_pid()")
	if fmt.Sprint(pid) == fmt.Sprint(oldPID) || fmt.Sprint(pid) != fmt.Sprint(cacheRows(t, again, "SELECT pid FROM pg_stat_activity")) {
		t.Errorf("reused catalog: pg_backend_pid() %v (the closed session's %v), pg_stat_activity %v", pid, oldPID, cacheRows(t, again, "SELECT pid FROM pg_stat_activity"))
	}
	same(t, "settings of the reused catalog", cacheRows(t, again, "SELECT current_setting('application_name'), current_setting('TimeZone'), current_user"), []string{" UTC eu1"})
	same(t, "rows through the reused catalog", cacheRows(t, again, regionSums), m.truth(t, "eu1", regionSums))
	same(t, "the reused catalog's tables", cacheRows(t, again, "SELECT table_schema || '.' || table_name FROM information_schema.tables ORDER BY 1"), []string{"shop.notes", "shop.orders"})
	again.Close(context.Background())
	m.waitPooled(t, 2) // again's, and the one m.truth's session left

	// eu2 has eu1's view of the products but not its catalog (the user
	// name is in it: pg_roles, current_user, masks reading it).
	eu2 := m.as(t, "eu2", "")
	if n, _ := m.eng.PooledCatalogs(); n != 2 {
		t.Errorf("eu2 took eu1's pooled catalog (%d left)", n)
	}
	same(t, "eu2's notes", cacheRows(t, eu2, "SELECT note FROM shop.notes ORDER BY id"), []string{"first for eu2", "second for eu2"})
	same(t, "eu2's roles", cacheRows(t, eu2, "SELECT rolname FROM pg_roles WHERE rolcanlogin"), []string{"eu2"})

	// A reload drops the pooled catalogs; the next session is built under
	// the new policy.
	m.writePolicy(t, strings.Replace(cachePolicy, "region = session_attr('region')", "true", 1))
	m.gw.SetPolicy(m.loadPolicy(t))
	if n, _ := m.eng.PooledCatalogs(); n != 0 {
		t.Errorf("%d pooled catalogs after the reload", n)
	}
	after := m.as(t, "eu1", "")
	if rows := cacheRows(t, after, regionSums); len(rows) != 2 {
		t.Errorf("after the reload eu1 sees %q, want both regions", rows)
	}
}
