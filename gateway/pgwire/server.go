package pgwire

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
)

// DefaultMaxMessageSize bounds a client message's body when
// Server.MaxMessageSize is zero.
const DefaultMaxMessageSize = 16 << 20

// Server accepts PostgreSQL clients and serves each on its own goroutine.
type Server struct {
	// Handler admits connections and supplies their sessions.
	Handler Handler
	// Logger receives connection-level events; slog.Default() when nil.
	Logger *slog.Logger
	// MaxMessageSize bounds a client message's body in bytes (default
	// DefaultMaxMessageSize). A larger message is a FATAL 08P01.
	MaxMessageSize int
	// Authenticator, when set, runs the authentication exchange between
	// the startup packet and AuthenticationOk. When nil every client
	// proceeds straight to Handler.Open ("trust").
	Authenticator Authenticator
	// TLSConfig, when set, enables TLS: an SSLRequest is answered 'S' and
	// the handshake follows (otherwise 'N'), and a client may also start
	// with a TLS handshake directly (PostgreSQL 17's sslnegotiation=direct,
	// ALPN "postgresql"). Versions below TLS 1.2 are never negotiated,
	// whatever MinVersion says.
	TLSConfig *tls.Config
	// ReplicaID (0…MaxReplicaID) is this server's place among replicas
	// behind one balancer: the top byte of every process ID it gives out
	// (replica.go).
	ReplicaID uint8
	// Peers are the other replicas' PostgreSQL listeners (host:port, not
	// the balancer's): a CancelRequest for another replica's process ID is
	// forwarded to them.
	Peers []string

	tlsOnce sync.Once
	tlsConf *tls.Config

	nextPID  atomic.Uint32
	cancelSt cancelState

	mu        sync.Mutex
	cancels   map[uint32]*conn // by backend process ID
	live      map[*conn]struct{}
	listeners map[net.Listener]struct{}

	// drain.go
	connWG    sync.WaitGroup
	draining  atomic.Bool
	accepting atomic.Bool
	accepted  atomic.Int64
	open      atomic.Int64
	bytesSent atomic.Int64
}

// Authenticator runs an authentication exchange (SCRAM-SHA-256, …) after
// the startup packet and before AuthenticationOk.
type Authenticator interface {
	// Authenticate returns nil to admit the client, or an error
	// (*sqlstate.Error 28000/28P01…) that is sent as FATAL before the
	// connection is closed.
	Authenticate(ctx context.Context, s Startup, c AuthConn) error
}

// AuthConn is the connection as an authentication exchange sees it.
type AuthConn interface {
	// Send writes an authentication message (AuthenticationSASL,
	// AuthenticationSASLContinue…) and flushes it. AuthenticationOk is
	// sent by the wire layer, not by the Authenticator.
	Send(msg pgproto3.BackendMessage) error
	// Receive reads the client's next message. authType (a
	// pgproto3.AuthType* constant) tells how to decode a 'p' message.
	Receive(authType uint32) (pgproto3.FrontendMessage, error)
	// SetIdentity records what the exchange established (the
	// authenticated user, …); Handler.Open finds it in Startup.Identity.
	SetIdentity(id any)
}

// IdleTimeouter is an optional interface of a Session: a session that
// implements it is closed with FATAL 57P05 (25P03 inside a transaction
// block) when the client sends nothing for IdleTimeout after
// ReadyForQuery. Zero means no timeout. It is asked before every wait.
type IdleTimeouter interface {
	IdleTimeout() time.Duration
}

// tlsConfig is TLSConfig with TLS 1.2 as the lowest version and ALPN
// "postgresql" offered; nil without TLS.
func (s *Server) tlsConfig() *tls.Config {
	s.tlsOnce.Do(func() {
		if s.TLSConfig == nil {
			return
		}
		c := s.TLSConfig.Clone()
		if c.MinVersion < tls.VersionTLS12 {
			c.MinVersion = tls.VersionTLS12
		}
		if len(c.NextProtos) == 0 {
			c.NextProtos = []string{alpnPostgres}
		}
		s.tlsConf = c
	})
	return s.tlsConf
}

func (s *Server) logger() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return slog.Default()
}

func (s *Server) maxMessageSize() int {
	if s.MaxMessageSize > 0 {
		return s.MaxMessageSize
	}
	return DefaultMaxMessageSize
}

// Serve accepts connections on ln until ctx is done (it then returns nil)
// or ln fails or is closed (it returns that error). Before returning it
// closes ln and every live connection and waits for their goroutines.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	if s.Handler == nil {
		return errors.New("pgwire: Server.Handler is nil")
	}
	defer s.connWG.Wait()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // closes every connection (see serveConn)
	stop := context.AfterFunc(ctx, func() { ln.Close() })
	defer stop()
	defer ln.Close()
	s.addListener(ln, true)
	defer s.addListener(ln, false)
	s.accepting.Store(true)
	defer s.accepting.Store(false)
	if s.draining.Load() {
		return nil
	}

	var backoff time.Duration
	for {
		nc, err := ln.Accept()
		if err != nil {
			if s.draining.Load() {
				s.accepting.Store(false)
				s.connWG.Wait() // Shutdown ends the connections
				return nil
			}
			if ctx.Err() != nil {
				return nil
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
				s.logger().Warn("pgwire: accept", "err", err, "retry_in", backoff)
				select {
				case <-time.After(backoff):
					continue
				case <-ctx.Done():
					return nil
				}
			}
			return fmt.Errorf("pgwire: accept: %w", err)
		}
		backoff = 0
		s.connWG.Add(1)
		s.accepted.Add(1)
		go func() {
			defer s.connWG.Done()
			s.serveConn(ctx, nc)
		}()
	}
}

// serveConn runs one connection. A panic while serving it is logged and
// closes that connection only.
func (s *Server) serveConn(ctx context.Context, nc net.Conn) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := context.AfterFunc(ctx, func() { nc.Close() })
	defer stop()

	c := &conn{
		srv:     s,
		nc:      nc,
		log:     s.logger().With("remote", nc.RemoteAddr().String()),
		w:       writer{nc: nc, buf: make([]byte, 0, 2*flushThreshold), sent: &s.bytesSent},
		stmts:   map[string]*statement{},
		portals: map[string]*portal{},
	}
	s.open.Add(1)
	defer s.open.Add(-1)
	s.track(c, true)
	defer s.track(c, false)
	defer func() {
		if r := recover(); r != nil {
			c.log.Error("pgwire: panic serving connection", "panic", r, "stack", string(debug.Stack()))
		}
		c.close()
	}()
	if err := c.serve(ctx); err != nil {
		c.log.Debug("pgwire: connection ended", "err", err)
	}
}

// register assigns c a backend process ID and secret key and enters it in
// the cancel registry.
func (s *Server) register(c *conn) error {
	if _, err := rand.Read(c.secret[:]); err != nil {
		return fmt.Errorf("pgwire: secret key: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cancels == nil {
		s.cancels = map[uint32]*conn{}
	}
	for {
		pid, ok := s.pidOf(s.nextPID.Add(1))
		if !ok {
			continue
		}
		if _, taken := s.cancels[pid]; !taken {
			c.pid = pid
			s.cancels[pid] = c
			return nil
		}
	}
}

func (s *Server) unregister(c *conn) {
	if c.pid == 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cancels[c.pid] == c {
		delete(s.cancels, c.pid)
	}
}

// cancel handles a CancelRequest (forwarded: from a peer replica): if
// (pid, secret) names a live connection, the statement it is running, if
// any, is canceled; a process ID of another replica is routed to the
// peers (replica.go).
func (s *Server) cancel(pid uint32, secret []byte, forwarded bool) {
	if !s.owns(pid) {
		s.routeCancel(pid, secret, forwarded)
		return
	}
	s.mu.Lock()
	c := s.cancels[pid]
	s.mu.Unlock()
	if c == nil || subtle.ConstantTimeCompare(c.secret[:], secret) != 1 {
		s.countCancel(func(st *CancelStats) { st.Unmatched++ })
		return
	}
	s.countCancel(func(st *CancelStats) { st.Canceled++ })
	c.cancelActive()
}
