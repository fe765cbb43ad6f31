package replicas

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// forbiddenRowsQuery counts the rows the rewritten policy forbids the
// analyst, German customers (the demo policy shows EU customers to EU
// readers, the rewrite hides DE from analysts on top), and all the rows
// the analyst sees.
const forbiddenRowsQuery = "SELECT count(*) FILTER (WHERE country_code = 'DE'), count(*) FROM sales.customers"

const noGermans = `
  - id: replicas-test-no-de
    description: Added mid-run by the replicas test.
    subjects: {groups: [analysts]}
    products: [sales.customers]
    filter: "country_code <> 'DE'"
`

// thinkTime is each client's pause between queries.
const thinkTime = 50 * time.Millisecond

// answer is one query a client ran: when it started, on which replica,
// what it counted.
type answer struct {
	start    time.Time
	replica  uint32
	n, total int64
}

// Three replicas behind HAProxy (TCP, roundrobin): 50 concurrent pgx
// clients (40 keep their session, 10 log in anew for each query)
// query (50 ms apart) while the policy file is rewritten; once a replica reports the new
// policy version, no statement started on it afterwards sees a forbidden
// row. A cancel through the balancer (pgx opens a new connection, which
// HAProxy routes to the next replica) stops a long query on the replica
// that runs it.
func TestReplicasBehindHAProxy(t *testing.T) {
	c := startCluster(t, 3)
	front := haproxy(t, c.replicas)
	before := c.replicas[0].policyVersion(t)
	for _, r := range c.replicas[1:] {
		if v := r.policyVersion(t); v != before {
			t.Fatalf("replicas on one policy directory report versions %s and %s", before, v)
		}
	}

	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	const clients = 50
	var (
		mu      sync.Mutex
		answers []answer
		errs    []error
		wg      sync.WaitGroup
	)
	record := func(a answer, err error) {
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			errs = append(errs, err)
			return
		}
		answers = append(answers, a)
	}
	query := func(conn *pgx.Conn) (answer, error) {
		a := answer{start: time.Now(), replica: replicaOf(conn)}
		err := conn.QueryRow(ctx, forbiddenRowsQuery).Scan(&a.n, &a.total)
		return a, err
	}
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var conn *pgx.Conn
			for ctx.Err() == nil {
				if conn == nil {
					var err error
					if conn, err = connect(ctx, front, "analyst", "disable"); err != nil {
						if ctx.Err() == nil {
							record(answer{}, err)
						}
						return
					}
				}
				a, err := query(conn)
				if ctx.Err() != nil {
					break
				}
				record(a, err)
				if err != nil {
					break
				}
				if i%5 == 0 { // a new session for each query
					conn.Close(context.Background())
					conn = nil
				}
				select { // think time: clients, not a saturation benchmark (bench_test.go is)
				case <-time.After(thinkTime):
				case <-ctx.Done():
				}
			}
			if conn != nil {
				conn.Close(context.Background())
			}
		}()
	}

	// Let every client run a while under the old policy, then rewrite it.
	waitAnswers(t, &mu, &answers, 2*clients)
	reloadStart := time.Now()
	appendLines(t, filepath.Join(c.policies, "domains", "sales.yaml"), noGermans)
	reloaded := map[uint32]time.Time{}
	// Bounded, but generous: a reload's compile waits for the engine's
	// admin connection, which every login and logout also takes.
	deadline := time.Now().Add(90 * time.Second)
	for len(reloaded) < len(c.replicas) {
		for i, r := range c.replicas {
			id := uint32(i + 1)
			if _, done := reloaded[id]; !done && r.policyVersion(t) != before {
				reloaded[id] = time.Now()
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 90 s only replicas %v report a new policy version; replica 1's log:\n%s", reloaded, c.replicas[0].grepLog("polic"))
		}
		time.Sleep(20 * time.Millisecond)
	}
	after := c.replicas[0].policyVersion(t)
	for _, r := range c.replicas[1:] {
		if v := r.policyVersion(t); v != after {
			t.Fatalf("replicas disagree on the reloaded policy: %s and %s", after, v)
		}
	}
	appended := reloadStart
	last := reloaded[1]
	for _, at := range reloaded {
		if at.After(last) {
			last = at
		}
	}
	mu.Lock()
	n := len(answers)
	mu.Unlock()
	waitAnswers(t, &mu, &answers, n+2*clients)
	stop()
	wg.Wait()

	if len(errs) > 0 {
		t.Fatalf("%d client errors, the first: %v", len(errs), errs[0])
	}
	// Before the rewrite every answer is the demo policy's view: the same
	// total, some of it German. After it, the same rows without those.
	first := answers[0]
	if first.n == 0 || first.total <= first.n {
		t.Fatalf("the demo policy should show the analyst German and other customers: %+v", first)
	}
	perReplica := map[uint32]int{}
	var oldSeen, afterReload int
	for _, a := range answers {
		perReplica[a.replica]++
		at, ok := reloaded[a.replica]
		if !ok {
			t.Fatalf("an answer from replica %d, which is not one of the three", a.replica)
		}
		if a.start.After(at) {
			afterReload++
			if a.n != 0 || a.total != first.total-first.n {
				t.Errorf("replica %d: a statement started %s after it reported the new policy saw %d forbidden rows of %d (want 0 of %d)",
					a.replica, a.start.Sub(at), a.n, a.total, first.total-first.n)
			}
		} else if a.n > 0 {
			if a.n != first.n || a.total != first.total {
				t.Errorf("replica %d: an answer under the old policy %+v differs from the first %+v", a.replica, a, first)
			}
			oldSeen++
		} else if a.total != first.total-first.n {
			t.Errorf("replica %d: an answer during the reload is neither policy's view: %+v", a.replica, a)
		}
	}
	for id := uint32(1); id <= 3; id++ {
		if perReplica[id] == 0 {
			t.Errorf("HAProxy sent no client to replica %d: %v", id, perReplica)
		}
	}
	if oldSeen == 0 || afterReload < clients {
		t.Fatalf("the run does not show the reload: %d answers with DE rows before it, %d after", oldSeen, afterReload)
	}
	t.Logf("%d answers (%v by replica), %d after the reload; replicas reported version %s %s to %s after the rewrite",
		len(answers), perReplica, afterReload, after, earliest(reloaded).Sub(appended).Round(time.Millisecond), last.Sub(appended).Round(time.Millisecond))

	t.Run("cancel through the balancer", func(t *testing.T) { cancelThroughBalancer(t, c, front) })
}

func earliest(m map[uint32]time.Time) time.Time {
	var e time.Time
	for _, at := range m {
		if e.IsZero() || at.Before(e) {
			e = at
		}
	}
	return e
}

func waitAnswers(t *testing.T, mu *sync.Mutex, answers *[]answer, n int) {
	t.Helper()
	deadline := time.Now().Add(120 * time.Second)
	for {
		mu.Lock()
		got := len(*answers)
		mu.Unlock()
		if got >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("only %d answers within 120 s, want %d", got, n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// cancelThroughBalancer runs a long query through HAProxy and cancels it
// with pgx's CancelRequest, which dials the balancer again: with
// roundrobin the request reaches another replica, which forwards it to its
// peers; the owner cancels the statement (57014). It repeats until one
// cancel went through another replica (at most 6 times; each must cancel).
func cancelThroughBalancer(t *testing.T, c *cluster, front string) {
	time.Sleep(500 * time.Millisecond) // the load's own cancels (pgx cancels on context end) are counted
	forwardedBy := func(except uint32) int {
		n := 0
		for i, r := range c.replicas {
			if uint32(i+1) != except {
				n += r.cancels(t, "forwarded")
			}
		}
		return n
	}
	viaPeer := false
	for attempt := 1; attempt <= 6 && !viaPeer; attempt++ {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		conn, err := connect(ctx, front, "analyst", "require")
		if err != nil {
			cancel()
			t.Fatal(err)
		}
		owner := replicaOf(conn)
		if owner < 1 || int(owner) > len(c.replicas) {
			t.Fatalf("process ID %#x names no replica", conn.PgConn().PID())
		}
		forwarded, canceled := forwardedBy(owner), c.replicas[owner-1].cancels(t, "canceled")
		errc := make(chan error, 1)
		began := time.Now()
		go func() {
			var n int64
			errc <- conn.QueryRow(context.Background(), "SELECT count(*) FROM range(100000000000) t(x) WHERE x % 7 = 3").Scan(&n)
		}()
		time.Sleep(300 * time.Millisecond)
		if err := conn.PgConn().CancelRequest(ctx); err != nil {
			t.Fatalf("CancelRequest through the balancer: %v", err)
		}
		select {
		case err := <-errc:
			var pe *pgconn.PgError
			if !errors.As(err, &pe) || pe.Code != "57014" {
				t.Fatalf("the canceled query on replica %d: %v, want 57014", owner, err)
			}
		case <-time.After(30 * time.Second):
			t.Fatalf("the query on replica %d was not canceled within 30 s", owner)
		}
		if got := c.replicas[owner-1].cancels(t, "canceled"); got != canceled+1 {
			t.Fatalf("replica %d counts %d canceled statements, want %d", owner, got, canceled+1)
		}
		viaPeer = forwardedBy(owner) > forwarded
		t.Logf("attempt %d: the query on replica %d was canceled after %s (request forwarded by a peer: %v)",
			attempt, owner, time.Since(began).Round(time.Millisecond), viaPeer)
		conn.Close(context.Background())
		cancel()
	}
	if !viaPeer {
		t.Fatal("no cancel reached a replica other than the owner in 6 attempts: forwarding was not exercised")
	}
}
