package gateway_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/meshgate/meshgate/auth/policy"
	"github.com/meshgate/meshgate/planner/catalog"
)

// reloadBound is the latency issue 11 asks for: a valid policy change
// takes effect within 1s of the write.
const reloadBound = time.Second

// TestPolicyFileChangeRevokesWithinOneSecond: with the policy directory
// watched as serve watches it (policy.Reloader), an editor's save that
// revokes the analysts' grant of the sales domain refuses the analyst's
// next statement within 1s, on the session that was open, and the audit
// records carry the policy version in force for each statement.
//
// Timing on a shared 2-core machine: the latency (typically 150-250ms:
// the 100ms debounce, loading and compiling the policy, the session
// rebuilding its views) is logged for every attempt. A change not in
// force after 5s fails at once; beyond 1s the revocation is measured
// again (restoring the grant in between), and the test fails only when
// three attempts in a row miss the 1s bound, so a burst of load on the
// machine does not fail it but a reload that is slow by design does.
func TestPolicyFileChangeRevokesWithinOneSecond(t *testing.T) {
	dir := copyDemoPolicy(t, nil)
	s := startGovGateway(t, loadPolicyDir(t, dir))
	granting := s.gw.Policy().Version
	r := &policy.Reloader{Dir: dir, Mesh: &catalog.Mesh{Products: s.eng.Products()}, Describer: s.eng,
		Current: s.gw.Policy, Apply: s.gw.SetPolicy, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx, nil) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	analyst := s.connectAs(t, "analyst", "")
	admin := s.connectAs(t, "admin", "")
	marker := fmt.Sprintf("reload-%d", time.Now().UnixNano())
	probe := fmt.Sprintf("SELECT count(*), '%s' FROM sales.orders", marker)
	if err := queryErr(ctxT(t), analyst, probe); err != nil {
		t.Fatalf("before the change: %v", err)
	}
	time.Sleep(100 * time.Millisecond) // the watch is set up

	fed := filepath.Join(dir, "federation.yaml")
	b, err := os.ReadFile(fed)
	if err != nil {
		t.Fatal(err)
	}
	grant := string(b)
	revoke := strings.Replace(grant, `products: ["geo.*", "sales.*", "supply.*"]`, `products: ["geo.*", "supply.*"]`, 1)
	// save is an editor's save: a temporary file renamed over federation.yaml.
	save := func(text string) time.Time {
		tmp := filepath.Join(dir, ".federation.yaml.swp")
		if err := os.WriteFile(tmp, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		at := time.Now()
		if err := os.Rename(tmp, fed); err != nil {
			t.Fatal(err)
		}
		return at
	}
	// until probes until the analyst is refused (denied) or served, and
	// returns how long after written that happened.
	until := func(denied bool, written time.Time) time.Duration {
		for {
			err := queryErr(ctxT(t), analyst, probe)
			var pe *pgconn.PgError
			refused := errors.As(err, &pe) && pe.Code == "42501"
			switch {
			case denied && refused, !denied && err == nil:
				return time.Since(written)
			case err != nil && !refused:
				t.Fatalf("probe: %v", err)
			}
			if time.Since(written) > 5*time.Second {
				t.Fatalf("the policy change is not in force 5s after the file changed (waiting for denied=%v)", denied)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	var revoking string
	var latencies []string
	for attempt := 1; ; attempt++ {
		latency := until(true, save(revoke))
		latencies = append(latencies, latency.Round(time.Millisecond).String())
		revoking = s.gw.Policy().Version
		if latency <= reloadBound {
			break
		}
		if attempt == 3 {
			t.Errorf("the revocation took more than %v in 3 attempts in a row: %v", reloadBound, latencies)
			break
		}
		restored := until(false, save(grant))
		t.Logf("attempt %d took %v; the grant was restored %v after its write", attempt, latency.Round(time.Millisecond), restored.Round(time.Millisecond))
	}
	t.Logf("the revocation took effect %s after the write (bound %v)", strings.Join(latencies, ", then "), reloadBound)
	if revoking == granting {
		t.Fatal("the policy version did not change")
	}

	// The audit: every probe served ran under the granting version, every
	// refused one under the revoking version.
	s.audit.Flush()
	rows, err := admin.Query(ctxT(t), fmt.Sprintf(`SELECT policy_version, decision, count(*) FROM meshgate.audit
		WHERE statement LIKE '%%%s%%' AND user_name = 'analyst' GROUP BY ALL ORDER BY 1`, marker))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int64{}
	for rows.Next() {
		var v, d string
		var n int64
		if err := rows.Scan(&v, &d, &n); err != nil {
			t.Fatal(err)
		}
		got[v+" "+d] = n
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if got[granting+" allowed"] == 0 || got[revoking+" denied"] == 0 || len(got) != 2 {
		t.Errorf("audit of the probes by policy version and decision: %v; want allowed under %s only, denied under %s only", got, granting, revoking)
	}
}
