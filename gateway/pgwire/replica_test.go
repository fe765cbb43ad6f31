package pgwire

import (
	"context"
	"encoding/binary"
	"log/slog"
	"net"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
)

// startReplicas serves n servers (replica IDs 1…n), each with the others
// as its peers.
func startReplicas(t *testing.T, n int) ([]string, []*testHandler, []*Server) {
	t.Helper()
	lns := make([]net.Listener, n)
	addrs := make([]string, n)
	for i := range lns {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		lns[i], addrs[i] = ln, ln.Addr().String()
	}
	hs := make([]*testHandler, n)
	srvs := make([]*Server, n)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, n)
	for i := range lns {
		var peers []string
		for j, a := range addrs {
			if j != i {
				peers = append(peers, a)
			}
		}
		hs[i] = newTestHandler()
		srvs[i] = &Server{Handler: hs[i], Logger: slog.New(slog.DiscardHandler), ReplicaID: uint8(i + 1), Peers: peers}
		go func() { done <- srvs[i].Serve(ctx, lns[i]) }()
	}
	t.Cleanup(func() {
		cancel()
		for range n {
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("Serve: %v", err)
				}
			case <-time.After(10 * time.Second):
				t.Errorf("Serve did not return after cancel")
			}
		}
	})
	return addrs, hs, srvs
}

// runBlock starts the blocking statement on c and waits until it runs.
func runBlock(c *rawClient, h *testHandler) {
	for len(h.executed) > 0 {
		<-h.executed
	}
	c.send(&pgproto3.Query{String: "block"})
	for q := range h.executed {
		if q == "block" {
			break
		}
	}
}

// A CancelRequest sent to another replica is forwarded to the owner and
// cancels the statement there; the owner still checks the secret; a
// forwarded request is never forwarded again.
func TestCancelForwardedToOwningReplica(t *testing.T) {
	addrs, hs, srvs := startReplicas(t, 3)
	c := dialRaw(t, addrs[0])
	if got := c.pid >> pidBits; got != 1 {
		t.Fatalf("process ID %#x does not carry replica ID 1 (top byte %d)", c.pid, got)
	}
	other := dialRaw(t, addrs[2])
	if other.pid>>pidBits != 3 {
		t.Fatalf("process ID %#x of replica 3", other.pid)
	}

	runBlock(c, hs[0])
	sendCancel(t, addrs[1], c.pid, []byte{9, 9, 9, 9}) // wrong secret: forwarded, refused by the owner
	sendCancel(t, addrs[1], c.pid, c.secret)
	c.expect("ReadyForQuery", "ErrorResponse(ERROR 57014)", "ReadyForQuery(I)")
	if st := srvs[1].CancelStats(); st.Forwarded != 2 || st.Canceled != 0 {
		t.Errorf("replica 2's cancel counts %+v, want 2 forwarded", st)
	}
	waitFor(t, func() bool { return srvs[0].CancelStats().Canceled == 1 && srvs[0].CancelStats().Unmatched == 1 },
		func() string { return "the owner should count one cancel and one wrong secret" })
	// replica 3 got both forwards too: not its process ID, not forwarded on.
	waitFor(t, func() bool { return srvs[2].CancelStats().Unmatched == 2 && srvs[2].CancelStats().Forwarded == 0 },
		func() string { return "replica 3 should count the two forwarded requests as unmatched" })

	// A request already marked as forwarded is not forwarded again.
	nc := dialTCP(t, addrs[1])
	var pkt [16]byte
	binary.BigEndian.PutUint32(pkt[0:], 16)
	binary.BigEndian.PutUint32(pkt[4:], codeForwardedCancel)
	binary.BigEndian.PutUint32(pkt[8:], c.pid)
	copy(pkt[12:], c.secret)
	if _, err := nc.Write(pkt[:]); err != nil {
		t.Fatal(err)
	}
	var b [1]byte
	_, _ = nc.Read(b[:])
	nc.Close()
	waitFor(t, func() bool { return srvs[1].CancelStats().Unmatched == 1 }, func() string { return "forwarded request not counted" })
	if st := srvs[1].CancelStats(); st.Forwarded != 2 {
		t.Errorf("a forwarded request was forwarded again: %+v", st)
	}

	// The session is still usable.
	c.send(&pgproto3.Query{String: "many 1"})
	c.expect("ReadyForQuery", "RowDescription(n:20/0,s:25/0)", "DataRow(0)x1", "CommandComplete(SELECT 1)", "ReadyForQuery(I)")
}

// Without peers a CancelRequest for another replica's process ID cancels
// nothing and is counted.
func TestCancelForOtherReplicaWithoutPeers(t *testing.T) {
	addr, h, srv := startServer(t, func(s *Server) { s.ReplicaID = 5 })
	c := dialRaw(t, addr)
	if c.pid>>pidBits != 5 {
		t.Fatalf("process ID %#x of replica 5", c.pid)
	}
	runBlock(c, h)
	sendCancel(t, addr, c.pid^(1<<pidBits), c.secret) // replica 4's process ID
	sendCancel(t, addr, c.pid, c.secret)
	c.expect("ReadyForQuery", "ErrorResponse(ERROR 57014)", "ReadyForQuery(I)")
	if st := srv.CancelStats(); st.Unmatched != 1 || st.Canceled != 1 || st.Forwarded != 0 {
		t.Errorf("cancel counts %+v", st)
	}
}

func waitFor(t *testing.T, ok func() bool, msg func() string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatal(msg())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// A flood of CancelRequests for another replica, towards a peer that
// accepts and never answers, keeps at most maxForwarding forwards in
// flight: the rest are dropped and counted, none waits longer than
// forwardTimeout, and the server keeps serving.
func TestCancelForwardingIsBounded(t *testing.T) {
	silent, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	go func() {
		for {
			c, err := silent.Accept()
			if err != nil {
				return
			}
			defer c.Close() // held open, never read
		}
	}()
	addr, _, srv := startServer(t, func(s *Server) { s.ReplicaID = 1; s.Peers = []string{silent.Addr().String()} })
	const flood = maxForwarding + 9
	for i := range flood {
		sendCancel(t, addr, 2<<pidBits|uint32(i+1), []byte{1, 2, 3, 4})
	}
	waitFor(t, func() bool { st := srv.CancelStats(); return st.Forwarded+st.Dropped == flood },
		func() string { return "not every request was counted" })
	if st := srv.CancelStats(); st.Forwarded > maxForwarding || st.Dropped == 0 {
		t.Fatalf("cancel counts %+v: want at most %d forwarded at once and the rest dropped", st, maxForwarding)
	}
	c := dialRaw(t, addr)
	c.send(&pgproto3.Query{String: "many 1"})
	c.expect("ReadyForQuery", "RowDescription(n:20/0,s:25/0)", "DataRow(0)x1", "CommandComplete(SELECT 1)", "ReadyForQuery(I)")
	// The forwards end within forwardTimeout; later requests are forwarded again.
	time.Sleep(forwardTimeout + 200*time.Millisecond)
	before := srv.CancelStats().Forwarded
	sendCancel(t, addr, 2<<pidBits|1, []byte{1, 2, 3, 4})
	waitFor(t, func() bool { return srv.CancelStats().Forwarded == before+1 }, func() string { return "no forward after the timeout" })
}
