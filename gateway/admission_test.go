package gateway_test

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/meshgate/meshgate/engine"
)

// TestLoginsUnderMemoryLimit: 200 concurrent logins to a gateway whose
// DuckDB has -memory-limit 1GB all succeed and can query (issue 11: about
// 10% failed with 53200, each session's client catalog taking 5.4 MB of
// the budget). It logs the memory the sessions hold.
func TestLoginsUnderMemoryLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("200 logins take about 20s")
	}
	const logins = 200
	s := startGovGatewayWith(t, nil, engine.Config{Threads: 2, MemoryLimit: "1GB"})
	before := inMemory(t, s.eng)
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		conns []*pgx.Conn
		fails = map[string]int{}
	)
	t.Cleanup(func() {
		for _, c := range conns {
			c.Close(context.Background())
		}
	})
	start := time.Now()
	for i := 0; i < logins; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Session setup is serialised in the engine: the last of 200
			// logins waits for the others (about 20s on 2 busy cores).
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			c, err := pgx.Connect(ctx, s.connString("analyst", ""))
			if err == nil {
				var n int64
				if err = c.QueryRow(ctx, "SELECT count(*) FROM sales.orders").Scan(&n); err == nil && n != 2000 {
					err = fmt.Errorf("sales.orders: %d rows", n)
				}
			}
			mu.Lock()
			defer mu.Unlock()
			if c != nil {
				conns = append(conns, c)
			}
			if err != nil {
				var pe *pgconn.PgError
				if errors.As(err, &pe) {
					fails[pe.Code+" "+pe.Message]++
				} else {
					fails[err.Error()]++
				}
			}
		}()
	}
	wg.Wait()
	after := inMemory(t, s.eng)
	t.Logf("%d concurrent logins in %v; DuckDB memory %.1f MB before, %.1f MB after (%.2f MB per session)",
		logins, time.Since(start).Round(time.Millisecond), mb(before), mb(after), mb(after-before)/logins)
	if len(fails) > 0 {
		var msgs []string
		for m, n := range fails {
			msgs = append(msgs, fmt.Sprintf("%d × %s", n, m))
		}
		sort.Strings(msgs)
		t.Errorf("logins failed under -memory-limit 1GB: %v", msgs)
	}
	// 200 sessions must leave most of the budget to queries.
	if per := (after - before) / logins; per > 1<<20 {
		t.Errorf("a session holds %.2f MB of DuckDB's memory; want at most 1 MB", mb(per))
	}
}

func inMemory(t *testing.T, e *engine.Engine) int64 {
	t.Helper()
	m, err := e.MemoryUsage()
	if err != nil {
		t.Fatal(err)
	}
	var sum int64
	for _, v := range m {
		sum += v
	}
	return sum
}

func mb(n int64) float64 { return float64(n) / (1 << 20) }
