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

// Authenticate implements pgwire.Authenticator: the access rules and the
// throttle decide (login), and the password is proven with a SCRAM
// exchange or, over TLS, in clear.
func (a *authenticator) Authenticate(ctx context.Context, st pgwire.Startup, c pgwire.AuthConn) error {
	user, err := a.g.login(ctx, loginAttempt{User: st.User, Database: st.Database, RemoteAddr: st.RemoteAddr, TLS: st.TLS},
		func(method auth.Method, v *auth.Verifier) error {
			if method == auth.MethodPassword {
				return a.cleartext(c, v)
			}
			return a.scram(c, v)
		})
	if err != nil {
		return err
	}
	c.SetIdentity(user)
	return nil
}

// loginAttempt is who asks to log in, from where, on any front door.
type loginAttempt struct {
	User, Database string
	RemoteAddr     net.Addr
	TLS            bool
	Protocol       string // "" for pgwire; "http", "flight"
}

// login admits a user by the users file's access rules, after the
// throttle's delay for this address. prove checks the password against v
// with the rule's method (a SCRAM exchange, a cleartext password, or a
// password a front door received); it returns auth.ErrPasswordMismatch
// for a wrong one. Every front door logs in through here, so they all
// refuse the same users the same way.
func (g *Gateway) login(ctx context.Context, at loginAttempt, prove func(auth.Method, *auth.Verifier) error) (*auth.User, error) {
	u, err := g.checkLogin(ctx, at, prove)
	protocol := at.Protocol
	if protocol == "" {
		protocol = "pgwire"
	}
	switch {
	case err == nil:
		g.recorder().Login(protocol, true)
	case sqlstate.As(err) != nil: // not a client that went away
		g.recorder().Login(protocol, false)
		g.recorder().Refused(refusalReason(sqlstate.CodeOf(err)))
	}
	return u, err
}

func (g *Gateway) checkLogin(ctx context.Context, at loginAttempt, prove func(auth.Method, *auth.Verifier) error) (*auth.User, error) {
	sec := g.sec
	dir := g.users.Load()
	ip := clientIP(at.RemoteAddr)
	client := ""
	if at.RemoteAddr != nil {
		client = at.RemoteAddr.String()
	}
	log := g.log.With("user", at.User, "client", client, "tls", at.TLS)
	if at.Protocol != "" {
		log = log.With("protocol", at.Protocol)
	}
	if sec == nil {
		return nil, sqlstate.New(sqlstate.InvalidAuthorization, "authentication is not configured").Fatal()
	}

	if d := sec.cfg.Throttle.Delay(ip.String()); d > 0 {
		log.Debug("login delayed after failures from this address", "delay", d)
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		}
	}
	if sec.cfg.RequireTLS && !at.TLS {
		log.Info("connection refused: TLS is required")
		return nil, sqlstate.New(sqlstate.InvalidAuthorization, "connection without TLS refused: this meshgate requires TLS").
			WithHint("Connect with sslmode=require (or verify-full).").Fatal()
	}
	database := at.Database
	if database == "" {
		database = g.database
	}
	conn := auth.Conn{TLS: at.TLS, Addr: ip, User: at.User, Database: database}
	rule, ok := dir.Match(conn)
	if !ok {
		log.Info("connection refused: no access rule matches")
		return nil, sqlstate.New(sqlstate.InvalidAuthorization, "no access rule for host %q, user %q, database %q, %s",
			ip.String(), at.User, database, encryption(at.TLS)).Fatal()
	}
	user, known := dir.Lookup(at.User)
	switch rule.Method {
	case auth.MethodReject:
		log.Info("connection refused by an access rule", "rule", rule.String())
		return nil, sqlstate.New(sqlstate.InvalidAuthorization, "access rules reject connection for host %q, user %q, database %q, %s",
			ip.String(), at.User, database, encryption(at.TLS)).Fatal()
	case auth.MethodTrust:
		if !known {
			log.Info("connection refused: unknown user", "rule", rule.String())
			return nil, sqlstate.New(sqlstate.InvalidAuthorization, "role %q does not exist", at.User).Fatal()
		}
		log.Warn("user admitted without a password by a trust access rule (for demos only)", "rule", rule.String())
		return user, nil
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
		v = auth.FakeVerifier(sec.cfg.Secret, at.User)
	}
	if rule.Method == auth.MethodPassword && !at.TLS { // the loader allows password in hostssl rules only
		return nil, sqlstate.New(sqlstate.InvalidAuthorization, "password authentication in clear is only allowed over TLS").Fatal()
	}
	err := prove(rule.Method, v)
	var se *sqlstate.Error
	switch {
	case err == nil && real:
		log.Info("authenticated", "method", string(rule.Method), "rule", rule.String())
		return user, nil
	case err == nil || errors.Is(err, auth.ErrPasswordMismatch):
		if reason == "" {
			reason = "wrong password"
		}
		sec.cfg.Throttle.Fail(ip.String())
		log.Info("authentication failed", "method", string(rule.Method), "reason", reason, "rule", rule.String())
		return nil, sqlstate.New(sqlstate.InvalidPassword, "password authentication failed for user %q", at.User).Fatal()
	case errors.As(err, &se):
		sec.cfg.Throttle.Fail(ip.String())
		log.Info("authentication failed", "method", string(rule.Method), "err", se.Message)
		return nil, se.Fatal()
	default:
		// The client went away (psql does, to prompt for a password).
		log.Debug("authentication abandoned", "err", err)
		return nil, err
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
