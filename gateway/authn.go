package gateway

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/meshgate/meshgate/auth"
	"github.com/meshgate/meshgate/gateway/pgwire"
	"github.com/meshgate/meshgate/sqlstate"
)

// SecurityConfig configures authentication and limits (see Secure).
type SecurityConfig struct {
	// Secret derives the fake verifiers of unknown users: keep it stable
	// across restarts so an unknown user's salt does not change.
	Secret []byte
	// RequireTLS refuses every connection without TLS, whatever the rules.
	RequireTLS bool
	// Throttle slows down repeated failures from one address; nil: none.
	Throttle *auth.Throttle
	// Limits are the server-wide connection and timeout limits.
	Limits Limits
}

type security struct {
	cfg SecurityConfig
}

// Secure turns authentication on: from now on Open admits only clients
// the returned Authenticator authenticated, by the users file's access
// rules. Call it once, before serving.
func (g *Gateway) Secure(cfg SecurityConfig) pgwire.Authenticator {
	if len(cfg.Secret) == 0 {
		panic("gateway: SecurityConfig.Secret is empty")
	}
	g.sec = &security{cfg: cfg}
	return &authenticator{g: g}
}

// Users is the current users directory.
func (g *Gateway) Users() *auth.Directory { return g.users.Load() }

// ReloadUsers reads the users file again and, if it is valid, uses it for
// new connections; sessions already open keep their identity. A broken
// file is refused: the old directory stays and the error is returned.
func (g *Gateway) ReloadUsers() error {
	old := g.users.Load()
	d, err := auth.LoadDirectory(old.File)
	if err != nil {
		g.log.Error("users file not reloaded: it has problems; the previous version stays in use", "file", old.File, "err", err)
		return err
	}
	g.users.Store(d)
	g.log.Info("users file reloaded", "file", d.File, "users", len(d.Names()), "rules", len(d.Rules()))
	return nil
}

// admitUser returns the user Open admits: the one the Authenticator
// authenticated or, without Secure, the user of the users file named in
// the startup packet.
func (g *Gateway) admitUser(st pgwire.Startup) (*auth.User, error) {
	if g.sec != nil {
		u, ok := st.Identity.(*auth.User)
		if !ok || u == nil {
			return nil, sqlstate.New(sqlstate.InvalidAuthorization, "authentication required").Fatal()
		}
		return u, nil
	}
	user, ok := g.users.Load().Lookup(st.User)
	if !ok {
		g.log.Info("connection refused: unknown user", "user", st.User, "client", addr(st))
		return nil, sqlstate.New(sqlstate.InvalidAuthorization, "role %q does not exist", st.User).
			WithHint("meshgate admits the users listed in its users file; ask the mesh's administrator to add you.").Fatal()
	}
	return user, nil
}

// authenticator implements pgwire.Authenticator over the gateway's users
// directory and its access rules.
type authenticator struct{ g *Gateway }

func clientIP(a net.Addr) netip.Addr {
	if ta, ok := a.(*net.TCPAddr); ok {
		ip, _ := netip.AddrFromSlice(ta.IP)
		return ip.Unmap()
	}
	if a != nil {
		if ap, err := netip.ParseAddrPort(a.String()); err == nil {
			return ap.Addr().Unmap()
		}
	}
	return netip.Addr{}
}

func encryption(tls bool) string {
	if tls {
		return "SSL encryption"
	}
	return "no encryption"
}

// Authenticate implements pgwire.Authenticator.
func (a *authenticator) Authenticate(ctx context.Context, st pgwire.Startup, c pgwire.AuthConn) error {
	g, sec := a.g, a.g.sec
	dir := g.users.Load()
	ip := clientIP(st.RemoteAddr)
	log := g.log.With("user", st.User, "client", addr(st), "tls", st.TLS)

	if d := sec.cfg.Throttle.Delay(ip.String()); d > 0 {
		log.Debug("login delayed after failures from this address", "delay", d)
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		}
	}
	if sec.cfg.RequireTLS && !st.TLS {
		log.Info("connection refused: TLS is required")
		return sqlstate.New(sqlstate.InvalidAuthorization, "connection without TLS refused: this meshgate requires TLS").
			WithHint("Connect with sslmode=require (or verify-full).").Fatal()
	}
	conn := auth.Conn{TLS: st.TLS, Addr: ip, User: st.User, Database: st.Database}
	rule, ok := dir.Match(conn)
	if !ok {
		log.Info("connection refused: no access rule matches")
		return sqlstate.New(sqlstate.InvalidAuthorization, "no access rule for host %q, user %q, database %q, %s",
			ip.String(), st.User, st.Database, encryption(st.TLS)).Fatal()
	}
	user, known := dir.Lookup(st.User)
	switch rule.Method {
	case auth.MethodReject:
		log.Info("connection refused by an access rule", "rule", rule.String())
		return sqlstate.New(sqlstate.InvalidAuthorization, "access rules reject connection for host %q, user %q, database %q, %s",
			ip.String(), st.User, st.Database, encryption(st.TLS)).Fatal()
	case auth.MethodTrust:
		if !known {
			log.Info("connection refused: unknown user", "rule", rule.String())
			return sqlstate.New(sqlstate.InvalidAuthorization, "role %q does not exist", st.User).Fatal()
		}
		log.Warn("user admitted without a password by a trust access rule (for demos only)", "rule", rule.String())
		c.SetIdentity(user)
		return nil
	}

	// Password methods: an unknown user, or one without a password, goes
	// through the same exchange against a fake verifier and fails the same
	// way as a wrong password.
	v, reason := (*auth.Verifier)(nil), ""
	switch {
	case !known:
		reason = "the user does not exist"
	case user.Password == "":
		reason = "the user has no password in the users file"
	default:
		var err error
		if v, err = auth.ParseVerifier(user.Password); err != nil {
			v, reason = nil, "the user's verifier is malformed: "+err.Error()
		}
	}
	real := v != nil
	if !real {
		v = auth.FakeVerifier(sec.cfg.Secret, st.User)
	}
	var err error
	switch rule.Method {
	case auth.MethodPassword:
		if !st.TLS { // the loader allows password in hostssl rules only
			return sqlstate.New(sqlstate.InvalidAuthorization, "password authentication in clear is only allowed over TLS").Fatal()
		}
		err = a.cleartext(c, v)
	default:
		err = a.scram(c, v)
	}
	var se *sqlstate.Error
	switch {
	case err == nil && real:
		log.Info("authenticated", "method", string(rule.Method), "rule", rule.String())
		c.SetIdentity(user)
		return nil
	case err == nil || errors.Is(err, auth.ErrPasswordMismatch):
		if reason == "" {
			reason = "wrong password"
		}
		sec.cfg.Throttle.Fail(ip.String())
		log.Info("authentication failed", "method", string(rule.Method), "reason", reason, "rule", rule.String())
		return sqlstate.New(sqlstate.InvalidPassword, "password authentication failed for user %q", st.User).Fatal()
	case errors.As(err, &se):
		sec.cfg.Throttle.Fail(ip.String())
		log.Info("authentication failed", "method", string(rule.Method), "err", se.Message)
		return se.Fatal()
	default:
		// The client went away (psql does, to prompt for a password).
		log.Debug("authentication abandoned", "err", err)
		return err
	}
}

func protocolErr(format string, args ...any) *sqlstate.Error {
	return sqlstate.New(sqlstate.ProtocolViolation, format, args...)
}

// scram runs a SCRAM-SHA-256 exchange against v. A wrong proof returns
// auth.ErrPasswordMismatch; a malformed exchange a *sqlstate.Error.
func (a *authenticator) scram(c pgwire.AuthConn, v *auth.Verifier) error {
	if err := c.Send(&pgproto3.AuthenticationSASL{AuthMechanisms: []string{auth.SCRAMMechanism}}); err != nil {
		return err
	}
	msg, err := c.Receive(pgproto3.AuthTypeSASL)
	if err != nil {
		return err
	}
	init, ok := msg.(*pgproto3.SASLInitialResponse)
	if !ok {
		return protocolErr("expected SASL response, got message type %T", msg)
	}
	if init.AuthMechanism != auth.SCRAMMechanism {
		return protocolErr("client selected an invalid SASL authentication mechanism %q: the server offers %s only", init.AuthMechanism, auth.SCRAMMechanism)
	}
	srv := auth.NewSCRAMServer(v)
	first, err := srv.ClientFirst(init.Data)
	if err != nil {
		return scramError(err)
	}
	if err := c.Send(&pgproto3.AuthenticationSASLContinue{Data: first}); err != nil {
		return err
	}
	msg, err = c.Receive(pgproto3.AuthTypeSASLContinue)
	if err != nil {
		return err
	}
	resp, ok := msg.(*pgproto3.SASLResponse)
	if !ok {
		return protocolErr("expected SASL response, got message type %T", msg)
	}
	final, err := srv.ClientFinal(resp.Data)
	if err != nil {
		return scramError(err)
	}
	return c.Send(&pgproto3.AuthenticationSASLFinal{Data: final})
}

func scramError(err error) error {
	var se *auth.SCRAMError
	if errors.As(err, &se) {
		return protocolErr("%s", se.Msg)
	}
	return err
}

// cleartext asks for the password in clear (over TLS only) and checks it
// against v.
func (a *authenticator) cleartext(c pgwire.AuthConn, v *auth.Verifier) error {
	if err := c.Send(&pgproto3.AuthenticationCleartextPassword{}); err != nil {
		return err
	}
	msg, err := c.Receive(pgproto3.AuthTypeCleartextPassword)
	if err != nil {
		return err
	}
	pw, ok := msg.(*pgproto3.PasswordMessage)
	if !ok {
		return protocolErr("expected password response, got message type %T", msg)
	}
	if pw.Password == "" {
		return sqlstate.New(sqlstate.InvalidPassword, "empty password returned by client")
	}
	if !v.CheckPassword(pw.Password) {
		return auth.ErrPasswordMismatch
	}
	return nil
}

// String describes the config for logs.
func (c SecurityConfig) String() string {
	return fmt.Sprintf("require_tls=%v max_connections=%d", c.RequireTLS, c.Limits.MaxConnections)
}
