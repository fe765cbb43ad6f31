package replicas

import (
	"context"
	"syscall"
	"testing"
	"time"
)

// A replica that drains (SIGTERM) leaves the balancer: its /readyz turns
// 503 and its listener closes, HAProxy takes it out, and every new client
// through the balancer lands on the replica that keeps serving, and the
// drained replica exits.
func TestDrainingReplicaLeavesTheBalancer(t *testing.T) {
	c := startCluster(t, 2, "-drain-timeout", "20s")
	front := haproxy(t, c.replicas)
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	seen := map[uint32]bool{}
	for range 4 {
		conn, err := connect(ctx, front, "analyst", "disable")
		if err != nil {
			t.Fatal(err)
		}
		seen[replicaOf(conn)] = true
		conn.Close(ctx)
	}
	if !seen[1] || !seen[2] {
		t.Fatalf("roundrobin over two replicas reached only %v", seen)
	}

	if err := c.replicas[0].Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second) // a few health checks
	for i := range 10 {
		conn, err := connect(ctx, front, "analyst", "disable")
		if err != nil {
			t.Fatalf("client %d through the balancer after replica 1 began draining: %v", i, err)
		}
		var n int64
		if err := conn.QueryRow(ctx, forbiddenRowsQuery).Scan(&n, new(int64)); err != nil {
			t.Fatalf("client %d: %v", i, err)
		}
		if id := replicaOf(conn); id != 2 {
			t.Fatalf("client %d landed on draining replica %d", i, id)
		}
		conn.Close(ctx)
	}
	select {
	case <-c.replicas[0].Exited():
	case <-time.After(30 * time.Second):
		t.Fatal("the draining replica without sessions did not exit within 30 s")
	}
}
