package pgwire

import (
	"context"
	"fmt"
	"net"
	"time"

	"github.com/meshgate/meshgate/sqlstate"
)

// A drain (Shutdown) ends the server without cutting an answer short:
//
//  1. the listeners are closed and Accepting turns false at once;
//  2. every idle connection (waiting for a statement after ReadyForQuery)
//     gets FATAL 57P01 and is closed; a connection in the middle of a
//     statement or an extended-protocol batch keeps going, and is closed
//     the same way once its answer is complete;
//  3. when ctx ends first (the drain timeout), the statements still
//     running are canceled with FATAL 57P01 and their connections closed.
//
// Serve returns once every connection is gone.

// terminationGrace bounds the wait for canceled statements to unwind after
// the drain timeout; connections still open then are closed hard.
const terminationGrace = 5 * time.Second

func errShutdown() error {
	return sqlstate.New(sqlstate.AdminShutdown, "terminating connection due to administrator command").Fatal()
}

// Stats counts what the server did since it started.
type Stats struct {
	Accepted  int64 // connections accepted
	Open      int64 // connections open now
	BytesSent int64 // bytes written to clients
	Cancels   CancelStats
}

// Stats returns the server's counts (for metrics).
func (s *Server) Stats() Stats {
	return Stats{Accepted: s.accepted.Load(), Open: s.open.Load(), BytesSent: s.bytesSent.Load(), Cancels: s.CancelStats()}
}

// Accepting reports whether Serve is accepting connections (false before
// Serve, during a drain and after).
func (s *Server) Accepting() bool { return s.accepting.Load() && !s.draining.Load() }

// Draining reports whether Shutdown was called.
func (s *Server) Draining() bool { return s.draining.Load() }

// Shutdown drains the server (see above). It returns nil when every
// connection ended on its own, or an error saying how many statements
// were canceled when ctx ended first.
func (s *Server) Shutdown(ctx context.Context) error {
	s.draining.Store(true)
	s.mu.Lock()
	for ln := range s.listeners {
		ln.Close()
	}
	for c := range s.live {
		c.wake()
	}
	s.mu.Unlock()
	done := make(chan struct{})
	go func() { s.connWG.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
	}
	canceled := 0
	s.mu.Lock()
	for c := range s.live {
		if c.terminate() {
			canceled++
		}
	}
	s.mu.Unlock()
	select {
	case <-done:
	case <-time.After(terminationGrace):
		s.mu.Lock()
		for c := range s.live {
			c.nc.Close()
		}
		s.mu.Unlock()
		<-done
	}
	return fmt.Errorf("pgwire: drain timeout: %d running statement(s) canceled", canceled)
}

func (s *Server) track(c *conn, on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.live == nil {
		s.live = map[*conn]struct{}{}
	}
	if on {
		s.live[c] = struct{}{}
		if s.draining.Load() {
			c.wake()
		}
		return
	}
	delete(s.live, c)
}

func (s *Server) addListener(ln net.Listener, on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.listeners == nil {
		s.listeners = map[net.Listener]struct{}{}
	}
	if on {
		s.listeners[ln] = struct{}{}
	} else {
		delete(s.listeners, ln)
	}
}

// wake makes a connection waiting for a message look up from its read:
// the read times out at once and the command loop sees the drain.
func (c *conn) wake() { _ = c.nc.SetReadDeadline(time.Now()) }

// terminate cancels the connection's running statement, if any, with
// 57P01, and closes the connection once the statement unwound. It reports
// whether a statement was running.
func (c *conn) terminate() bool {
	c.terminated.Store(true)
	c.mu.Lock()
	running := c.active != nil
	if running {
		c.active.cancel()
	}
	c.mu.Unlock()
	c.wake()
	return running
}

// drainRead decides what a read that failed during a drain means: the
// connection ends with 57P01 when it was idle (or its statements were
// terminated); a connection in the middle of a batch reads on.
func (c *conn) drainRead(waiting bool) (retry bool, err error) {
	if waiting || c.terminated.Load() {
		return false, c.fatal(errShutdown())
	}
	c.idleDeadline = false
	if err := c.nc.SetReadDeadline(time.Time{}); err != nil {
		return false, fmt.Errorf("pgwire: clear deadline: %w", err)
	}
	return true, nil
}
