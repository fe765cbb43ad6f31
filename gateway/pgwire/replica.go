package pgwire

import (
	"encoding/binary"
	"net"
	"sync"
	"time"
)

// Replicas: several servers behind one TCP balancer. A client cancels a
// statement by opening a new connection and sending the process ID and
// secret key of BackendKeyData; the balancer may route that connection to
// any replica. The process ID therefore carries the replica's ID in its
// top byte, and a replica that receives a CancelRequest for another
// replica's ID forwards it to its peers, marked as forwarded (a peer never
// forwards a forwarded request again, so a misconfigured peer list cannot
// loop). The owning replica still checks the secret key: a forwarded
// request can cancel nothing a direct one could not.

// MaxReplicaID is the largest Server.ReplicaID: the process ID keeps its
// top two bits clear, so it stays a positive int4 (pg_backend_pid(), JDBC)
// and never equals the process ID of a session of another front door
// (bit 30, gateway/frontdoor.go).
const MaxReplicaID = 63

// codeForwardedCancel is a CancelRequest one replica forwards to another
// (same body: process ID and secret key). It is meshgate's own code,
// beside PostgreSQL's 1234/5678…5680.
const codeForwardedCancel = 1234<<16 | 5690

// pidBits is the width of the per-replica connection counter.
const pidBits = 24

// Forwarding bounds: a replica forwards at most maxForwarding cancels at
// once (others are dropped and counted), each dial and write to a peer
// within forwardTimeout.
const (
	maxForwarding  = 16
	forwardTimeout = time.Second
)

// CancelStats counts the CancelRequests a server received, by outcome.
type CancelStats struct {
	Canceled  int64 // matched a connection of this server (its statement, if any, was canceled)
	Forwarded int64 // named another replica: sent to the peers
	Unmatched int64 // named this replica but no live connection with that key (or came forwarded for another replica)
	Dropped   int64 // named another replica but too many forwards were in flight
}

// cancelState is the server's cancel routing state.
type cancelState struct {
	once       sync.Once
	forwarding chan struct{} // semaphore of forwards in flight
	mu         sync.Mutex
	stats      CancelStats
}

func (s *Server) countCancel(f func(*CancelStats)) {
	s.cancelSt.mu.Lock()
	f(&s.cancelSt.stats)
	s.cancelSt.mu.Unlock()
}

// CancelStats returns the counts of CancelRequests (for metrics).
func (s *Server) CancelStats() CancelStats {
	s.cancelSt.mu.Lock()
	defer s.cancelSt.mu.Unlock()
	return s.cancelSt.stats
}

// pidOf composes a process ID from the replica ID and a counter value;
// ok is false when the counter's low bits are zero (skipped, so no
// process ID is 0).
func (s *Server) pidOf(n uint32) (uint32, bool) {
	low := n & (1<<pidBits - 1)
	return uint32(s.ReplicaID)<<pidBits | low, low != 0
}

// owns reports whether pid was given out by this replica.
func (s *Server) owns(pid uint32) bool { return pid>>pidBits == uint32(s.ReplicaID) }

// routeCancel handles a CancelRequest (forwarded: it came from a peer)
// for a process ID of another replica: it is sent on to every peer, in the
// background and bounded, unless it was forwarded already.
func (s *Server) routeCancel(pid uint32, secret []byte, forwarded bool) {
	if forwarded || len(s.Peers) == 0 || len(secret) != 4 {
		s.countCancel(func(c *CancelStats) { c.Unmatched++ })
		return
	}
	s.cancelSt.once.Do(func() { s.cancelSt.forwarding = make(chan struct{}, maxForwarding) })
	select {
	case s.cancelSt.forwarding <- struct{}{}:
	default:
		s.countCancel(func(c *CancelStats) { c.Dropped++ })
		s.logger().Warn("pgwire: CancelRequest for another replica dropped: too many forwards in flight", "replica", pid>>pidBits)
		return
	}
	s.countCancel(func(c *CancelStats) { c.Forwarded++ })
	var pkt [16]byte
	binary.BigEndian.PutUint32(pkt[0:], 16)
	binary.BigEndian.PutUint32(pkt[4:], codeForwardedCancel)
	binary.BigEndian.PutUint32(pkt[8:], pid)
	copy(pkt[12:], secret)
	go func() {
		defer func() { <-s.cancelSt.forwarding }()
		var wg sync.WaitGroup
		for _, peer := range s.Peers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := forwardCancel(peer, pkt[:]); err != nil {
					s.logger().Warn("pgwire: forwarding a CancelRequest to a peer failed", "peer", peer, "err", err)
				}
			}()
		}
		wg.Wait()
	}()
}

// forwardCancel writes one cancel packet to addr and waits for the peer to
// close the connection (as PostgreSQL's clients do), within forwardTimeout.
func forwardCancel(addr string, pkt []byte) error {
	nc, err := net.DialTimeout("tcp", addr, forwardTimeout)
	if err != nil {
		return err
	}
	defer nc.Close()
	if err := nc.SetDeadline(time.Now().Add(forwardTimeout)); err != nil {
		return err
	}
	if _, err := nc.Write(pkt); err != nil {
		return err
	}
	var b [1]byte
	_, _ = nc.Read(b[:]) // EOF once the peer has handled it
	return nil
}
