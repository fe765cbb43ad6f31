package pgwire

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/meshgate/meshgate/sqlstate"
)

// TLS and idle-session timeouts: the parts of a connection's life that
// depend on the socket rather than on the protocol's messages.

const (
	// tlsHandshakeRecord is the first byte of a TLS ClientHello; no
	// startup packet starts with it (their length is below 10000).
	tlsHandshakeRecord = 0x16
	// directTLS is the pseudo startup code of a direct TLS handshake.
	directTLS = 0xffffffff
	// alpnPostgres is the ALPN protocol of PostgreSQL 17's direct TLS.
	alpnPostgres = "postgresql"
)

// startTLS runs the server side of a TLS handshake on the connection and
// switches it to the encrypted stream. prefix holds bytes of the
// ClientHello already read (direct TLS); direct TLS requires ALPN
// "postgresql", as PostgreSQL does.
func (c *conn) startTLS(ctx context.Context, prefix []byte, direct bool) error {
	raw := c.nc
	if len(prefix) > 0 {
		raw = &prefixConn{Conn: c.nc, prefix: append([]byte(nil), prefix...)}
	}
	tc := tls.Server(raw, c.srv.tlsConfig())
	if err := tc.HandshakeContext(ctx); err != nil {
		c.log.Info("pgwire: TLS handshake failed", "err", err)
		return fmt.Errorf("pgwire: TLS handshake: %w", err)
	}
	if direct && tc.ConnectionState().NegotiatedProtocol != alpnPostgres {
		c.log.Info("pgwire: direct TLS without ALPN \"postgresql\" refused")
		return errors.New("pgwire: direct TLS connection without ALPN \"postgresql\"")
	}
	c.nc, c.w.nc, c.tls = tc, tc, true
	return nil
}

// prefixConn replays bytes already read before reading from the socket.
type prefixConn struct {
	net.Conn
	prefix []byte
}

func (p *prefixConn) Read(b []byte) (int, error) {
	if len(p.prefix) > 0 {
		n := copy(b, p.prefix)
		p.prefix = p.prefix[n:]
		return n, nil
	}
	return p.Conn.Read(b)
}

// armIdleTimeout sets a read deadline for the wait for the next message
// when ReadyForQuery was just sent and the session has an idle timeout,
// and clears a deadline set before. It returns the timeout armed (0: none).
func (c *conn) armIdleTimeout() (time.Duration, error) {
	var d time.Duration
	if c.idle && c.sess != nil {
		if it, ok := c.sess.(IdleTimeouter); ok {
			d = it.IdleTimeout()
		}
	}
	c.idle = false
	switch {
	case d > 0:
		c.idleDeadline = true
		if err := c.nc.SetReadDeadline(time.Now().Add(d)); err != nil {
			return 0, fmt.Errorf("pgwire: set idle deadline: %w", err)
		}
	case c.idleDeadline:
		c.idleDeadline = false
		if err := c.nc.SetReadDeadline(time.Time{}); err != nil {
			return 0, fmt.Errorf("pgwire: clear idle deadline: %w", err)
		}
	}
	return d, nil
}

// idleTimeoutError is the FATAL error of an idle timeout, as PostgreSQL
// words it.
func (c *conn) idleTimeoutError() error {
	if c.sess != nil && c.sess.TxStatus() != 'I' {
		return sqlstate.New(sqlstate.IdleInTransactionTimeout, "terminating connection due to idle-in-transaction timeout")
	}
	return sqlstate.New(sqlstate.IdleSessionTimeout, "terminating connection due to idle-session timeout")
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
