package pgwire

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/meshgate/meshgate/sqlstate"
)

// conn is one client connection. Its life runs through the protocol's
// phases in order:
//
//  1. startup:        SSLRequest is answered 'S' and TLS is negotiated when
//     Server.TLSConfig is set (else 'N'), as is a direct TLS
//     handshake (tls.go); GSSENCRequest is refused with 'N';
//     a CancelRequest is served and the socket closed;
//     StartupMessage 3.x is read (NegotiateProtocolVersion
//     when the client asks for more than 3.0).
//  2. authentication: the optional Server.Authenticator exchange.
//  3. admission:      Handler.Open; AuthenticationOk, ParameterStatus…,
//     BackendKeyData, ReadyForQuery.
//  4. commands:       simple (simple.go) and extended (extended.go) query
//     messages until Terminate, EOF or a fatal error.
//  5. teardown:       portals, statements and the session are closed.
//
// Only the connection's goroutine touches its fields, except active, which
// a CancelRequest arriving on another connection reads under mu.
type conn struct {
	srv    *Server
	ctx    context.Context // the connection's: portals run under it
	nc     net.Conn
	be     *pgproto3.Backend
	w      writer
	log    *slog.Logger
	pid    uint32
	secret [4]byte

	sess    Session
	stmts   map[string]*statement
	portals map[string]*portal

	// ignoreTillSync discards extended-protocol messages after an error
	// until the next Sync.
	ignoreTillSync bool

	tls      bool // the connection runs over TLS
	identity any  // set by the Authenticator (AuthConn.SetIdentity)
	// idle is set when ReadyForQuery was sent: the wait for the next
	// message is subject to the session's idle timeout.
	idle         bool
	idleDeadline bool // a read deadline is set on nc

	mu     sync.Mutex
	active *run // the execution a CancelRequest would cancel

	terminated atomic.Bool // a drain timed out: the running statement ends with 57P01 (drain.go)
	toldDown   bool        // the client was sent that 57P01
}

// run is one execution of a portal: its context and whether a
// CancelRequest hit it.
type run struct {
	ctx      context.Context
	cancel   context.CancelFunc
	canceled atomic.Bool
}

// startupPacket codes (major 1234).
const (
	codeCancel = 1234<<16 | 5678
	codeSSL    = 1234<<16 | 5679
	codeGSSEnc = 1234<<16 | 5680

	maxStartupPacket = 10000
)

// startupTimeout bounds the startup and authentication phases, and the
// writing of the greeting after the session's setup.
const startupTimeout = time.Minute

// serve runs the connection through its phases. It returns when the
// client is done or the connection must end.
func (c *conn) serve(ctx context.Context) error {
	// Phase 1: startup. A client gets startupTimeout to log in, as
	// PostgreSQL's authentication_timeout.
	if err := c.nc.SetDeadline(time.Now().Add(startupTimeout)); err != nil {
		return fmt.Errorf("pgwire: set deadline: %w", err)
	}
	st, ok, err := c.startup(ctx)
	if err != nil || !ok {
		return err
	}
	c.be = pgproto3.NewBackend(c.nc, c.nc)
	c.be.SetMaxBodyLen(c.srv.maxMessageSize())

	// Phase 2: authentication.
	if a := c.srv.Authenticator; a != nil {
		if err := a.Authenticate(ctx, st, authConn{c}); err != nil {
			if sqlstate.As(err) == nil && (isDisconnect(err) || ctx.Err() != nil) {
				return err // the client left (libpq does, to prompt for a password)
			}
			return c.fatal(err)
		}
	}
	st.Identity = c.identity
	// The client's part of the login is done: the session's setup (which
	// the engine serialises, so it waits its turn under a burst of logins)
	// is not bounded by the client's login time.
	if err := c.nc.SetDeadline(time.Time{}); err != nil {
		return fmt.Errorf("pgwire: clear deadline: %w", err)
	}

	// Phase 3: admission. The process ID is assigned first so the session
	// can report it (pg_backend_pid()).
	if err := c.srv.register(c); err != nil {
		return c.fatal(err)
	}
	st.ProcessID = c.pid
	sess, err := c.srv.Handler.Open(ctx, st)
	if err != nil {
		return c.fatal(err)
	}
	c.sess = sess
	c.ctx = ctx
	if pu, ok := sess.(PortalUser); ok {
		pu.SetPortals(portalAccess{c})
	}
	// The greeting is written within the login time again: a client
	// that does not read it is not waited for forever.
	if err := c.nc.SetWriteDeadline(time.Now().Add(startupTimeout)); err != nil {
		return fmt.Errorf("pgwire: set deadline: %w", err)
	}
	c.w.msg(&pgproto3.AuthenticationOk{})
	for _, p := range sess.ParameterStatus() {
		c.w.msg(&pgproto3.ParameterStatus{Name: p.Name, Value: p.Value})
	}
	c.w.msg(&pgproto3.BackendKeyData{ProcessID: c.pid, SecretKey: c.secret[:]})
	c.readyForQuery()
	if err := c.w.flush(); err != nil {
		return err
	}
	if err := c.nc.SetDeadline(time.Time{}); err != nil {
		return fmt.Errorf("pgwire: clear deadline: %w", err)
	}

	// Phase 4: commands.
	for {
		waiting := c.idle // ReadyForQuery was sent: no answer is pending
		timeout, err := c.armIdleTimeout()
		if err != nil {
			return err
		}
		if c.srv.draining.Load() && (waiting || c.terminated.Load()) {
			if c.toldDown {
				_ = c.w.flush()
				return errShutdown()
			}
			return c.fatal(errShutdown())
		}
		msg, err := c.be.Receive()
		if err != nil {
			if c.srv.draining.Load() && isTimeout(err) && ctx.Err() == nil {
				retry, err := c.drainRead(waiting)
				if retry {
					continue
				}
				return err
			}
			if timeout > 0 && isTimeout(err) && ctx.Err() == nil {
				return c.fatal(c.idleTimeoutError())
			}
			if isDisconnect(err) || ctx.Err() != nil {
				return err
			}
			return c.fatal(protocolError("invalid frontend message: %v", err))
		}
		if _, ok := msg.(*pgproto3.Terminate); ok {
			return nil
		}
		if err := c.dispatch(ctx, msg); err != nil {
			return err
		}
		if c.w.err != nil {
			return c.w.err
		}
	}
}

// dispatch handles one command-phase message. A returned error ends the
// connection (it has already been reported if it should be).
//
// As in PostgreSQL's postgres.c: output is buffered and written at Sync,
// Flush, ReadyForQuery and whenever an error is reported (an
// ErrorResponse is never left waiting in the buffer, so a client that
// sent Parse/Describe/Flush and waits sees it); after an error in an
// extended-protocol message every message up to Sync is discarded,
// Flush and Query included, and Sync answers ReadyForQuery.
func (c *conn) dispatch(ctx context.Context, msg pgproto3.FrontendMessage) error {
	if c.ignoreTillSync {
		if _, ok := msg.(*pgproto3.Sync); !ok {
			return nil
		}
	}
	switch m := msg.(type) {
	case *pgproto3.Query:
		c.simpleQuery(ctx, m.String)
	case *pgproto3.Parse:
		c.extended(c.parse(ctx, m))
	case *pgproto3.Bind:
		c.extended(c.bind(ctx, m))
	case *pgproto3.Describe:
		c.extended(c.describe(m))
	case *pgproto3.Execute:
		c.extended(c.execute(ctx, m.Portal, m.MaxRows))
	case *pgproto3.Close:
		c.extended(c.closeObject(m))
	case *pgproto3.Sync:
		c.sync()
	case *pgproto3.Flush:
		return c.w.flush()
	case *pgproto3.CopyData, *pgproto3.CopyDone, *pgproto3.CopyFail:
		// Stray COPY FROM traffic is ignored, as PostgreSQL does outside
		// COPY IN.
	case *pgproto3.FunctionCall:
		// Not an extended-protocol message: PostgreSQL answers it (and
		// its errors) with ReadyForQuery at once.
		c.sendError(sqlstate.New(sqlstate.FeatureNotSupported, "function calls through the fastpath protocol are not supported").
			WithHint("Call the function in a query: SELECT f(…)."))
		c.readyForQuery()
		return c.w.flush()
	default:
		return c.fatal(protocolError("unexpected message type %T", msg))
	}
	return nil
}

// startup reads startup packets until a StartupMessage. ok is false when
// the connection is done without a session (a CancelRequest).
func (c *conn) startup(ctx context.Context) (st Startup, ok bool, err error) {
	for range 4 { // SSL, GSS, then the startup message
		code, body, err := c.readStartupPacket()
		if err != nil {
			if isDisconnect(err) {
				return st, false, err
			}
			return st, false, c.fatal(protocolError("%v", err))
		}
		switch {
		case code == directTLS:
			continue // the handshake is done (readStartupPacket)
		case code == codeSSL && c.srv.tlsConfig() != nil && !c.tls:
			if _, err := c.nc.Write([]byte{'S'}); err != nil {
				return st, false, fmt.Errorf("pgwire: accept encryption: %w", err)
			}
			if err := c.startTLS(ctx, nil, false); err != nil {
				return st, false, err
			}
			continue
		case code == codeSSL || code == codeGSSEnc:
			if _, err := c.nc.Write([]byte{'N'}); err != nil {
				return st, false, fmt.Errorf("pgwire: refuse encryption: %w", err)
			}
			continue
		case code == codeCancel || code == codeForwardedCancel:
			if len(body) >= 8 {
				c.srv.cancel(binary.BigEndian.Uint32(body), body[4:], code == codeForwardedCancel)
			}
			return st, false, nil
		case code>>16 != 3:
			return st, false, c.fatal(sqlstate.New(sqlstate.FeatureNotSupported,
				"unsupported frontend protocol %d.%d: server supports 3.0 to 3.0", code>>16, code&0xffff))
		}
		st, err = c.parseStartup(code, body)
		if err != nil {
			return st, false, c.fatal(err)
		}
		_ = ctx
		return st, true, nil
	}
	return st, false, c.fatal(protocolError("too many startup packets"))
}

// readStartupPacket reads one length-prefixed startup-phase packet.
func (c *conn) readStartupPacket() (code uint32, body []byte, err error) {
	var hdr [8]byte
	if _, err := io.ReadFull(c.nc, hdr[:4]); err != nil {
		return 0, nil, err
	}
	if hdr[0] == tlsHandshakeRecord && c.srv.tlsConfig() != nil && !c.tls {
		// A TLS ClientHello instead of a startup packet: direct TLS.
		if err := c.startTLS(context.Background(), hdr[:4], true); err != nil {
			return 0, nil, err
		}
		return directTLS, nil, nil
	}
	n := int(int32(binary.BigEndian.Uint32(hdr[:4])))
	if n < 8 || n > maxStartupPacket {
		return 0, nil, fmt.Errorf("invalid length of startup packet: %d", n)
	}
	buf := make([]byte, n-4)
	if _, err := io.ReadFull(c.nc, buf); err != nil {
		return 0, nil, err
	}
	return binary.BigEndian.Uint32(buf), buf[4:], nil
}

// parseStartup decodes a StartupMessage body, negotiating the protocol
// version down to 3.0 when the client asked for more.
func (c *conn) parseStartup(code uint32, body []byte) (Startup, error) {
	st := Startup{Params: map[string]string{}, RemoteAddr: c.nc.RemoteAddr(), TLS: c.tls, ServerTLS: c.srv.tlsConfig() != nil}
	var unrecognized []string
	for len(body) > 0 && body[0] != 0 {
		k, rest, ok := cutNul(body)
		if !ok {
			return st, protocolError("invalid startup packet layout: expected terminator as last byte")
		}
		v, rest, ok := cutNul(rest)
		if !ok {
			return st, protocolError("invalid startup packet layout: expected terminator as last byte")
		}
		body = rest
		if strings.HasPrefix(k, "_pq_.") {
			unrecognized = append(unrecognized, k)
			continue
		}
		st.Params[k] = v
	}
	st.User = st.Params["user"]
	st.Database = st.Params["database"]
	if st.Database == "" {
		st.Database = st.User
	}
	st.ApplicationName = st.Params["application_name"]
	st.Options = st.Params["options"]
	if code&0xffff > 0 || len(unrecognized) > 0 {
		c.w.msg(&pgproto3.NegotiateProtocolVersion{NewestMinorProtocol: 0, UnrecognizedOptions: unrecognized})
	}
	if st.User == "" {
		return st, sqlstate.New(sqlstate.InvalidAuthorization, "no PostgreSQL user name specified in startup packet")
	}
	return st, nil
}

func cutNul(b []byte) (string, []byte, bool) {
	for i, ch := range b {
		if ch == 0 {
			return string(b[:i]), b[i+1:], true
		}
	}
	return "", nil, false
}

// fatal reports err as a FATAL ErrorResponse and returns it, ending the
// connection.
func (c *conn) fatal(err error) error {
	c.w.msg(errorResponse(c.log, err, true))
	_ = c.w.flush()
	return err
}

// sendError reports a statement-level error, writes it out at once (as
// PostgreSQL's elog does: a client may be waiting for it without having
// sent Sync or Flush) and tells the session.
func (c *conn) sendError(err error) {
	c.w.msg(errorResponse(c.log, err, false))
	_ = c.w.flush()
	if c.sess != nil {
		c.sess.Fail()
	}
}

// extended finishes an extended-protocol message: on error, report it and
// discard messages until Sync.
func (c *conn) extended(err error) {
	if err != nil {
		c.sendError(err)
		c.ignoreTillSync = true
	}
}

func (c *conn) readyForQuery() {
	c.idle = true
	c.w.msg(&pgproto3.ReadyForQuery{TxStatus: c.sess.TxStatus()})
}

// begin registers an execution as the one a CancelRequest cancels.
func (c *conn) begin(r *run) {
	c.mu.Lock()
	c.active = r
	c.mu.Unlock()
}

func (c *conn) end() {
	c.mu.Lock()
	c.active = nil
	c.mu.Unlock()
}

// cancelActive cancels the running execution, if any.
func (c *conn) cancelActive() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.active != nil {
		c.active.canceled.Store(true)
		c.active.cancel()
	}
}

// close tears the connection down: portals, statements, session, cancel
// registration and socket. It is safe after a partial startup.
func (c *conn) close() {
	defer func() {
		if r := recover(); r != nil {
			c.log.Error("pgwire: panic closing connection", "panic", r)
		}
		c.nc.Close()
	}()
	c.srv.unregister(c)
	for name, p := range c.portals {
		p.close()
		delete(c.portals, name)
	}
	for name, s := range c.stmts {
		s.close()
		delete(c.stmts, name)
	}
	if c.sess != nil {
		c.sess.Close()
		c.sess = nil
	}
}

// isDisconnect reports whether err means the client went away rather than
// sent something malformed.
func isDisconnect(err error) bool {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne)
}

// authConn is the AuthConn of a connection.
type authConn struct{ c *conn }

func (a authConn) Send(msg pgproto3.BackendMessage) error {
	a.c.w.msg(msg)
	return a.c.w.flush()
}

func (a authConn) SetIdentity(id any) { a.c.identity = id }

func (a authConn) Receive(authType uint32) (pgproto3.FrontendMessage, error) {
	if err := a.c.be.SetAuthType(authType); err != nil {
		return nil, fmt.Errorf("pgwire: auth type: %w", err)
	}
	msg, err := a.c.be.Receive()
	if err != nil {
		return nil, fmt.Errorf("pgwire: receive auth message: %w", err)
	}
	return msg, nil
}
