package gateway

import (
	"context"
	"fmt"
	"net"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/meshgate/meshgate/auth"
	"github.com/meshgate/meshgate/gateway/pgwire"
	"github.com/meshgate/meshgate/sqlstate"
)

// Front doors other than the PostgreSQL wire (the HTTP catalog, Flight SQL)
// log in and run statements through this file: the same login (access
// rules, throttle, the users file's verifiers), the same session (grants,
// masks, row filters, limits, audit) and the same statement path (check,
// bound-plan verification, execution) as a pgwire client. One path decides
// and executes; a front door only translates.

// Credentials are a user name and password a front door received (HTTP
// Basic, a login form, the Flight handshake), with where they came from.
type Credentials struct {
	User       string
	Password   string
	RemoteAddr net.Addr
	TLS        bool   // the request came over TLS
	Protocol   string // "http", "flight": recorded in logs and audit records
}

// Login checks credentials the way a pgwire login does: the access rules
// for the address and user (reject, trust, password methods; hostssl rules
// need TLS), the failure throttle (the same delay as SQL logins), and the
// password against the user's stored SCRAM verifier. An unknown user fails
// like a wrong password. Errors are *sqlstate.Error (28000, 28P01).
func (g *Gateway) Login(ctx context.Context, c Credentials) (*auth.User, error) {
	if g.sec == nil {
		// Without Secure (tests), only the users file's names are checked.
		u, ok := g.users.Load().Lookup(c.User)
		if !ok {
			return nil, sqlstate.New(sqlstate.InvalidPassword, "password authentication failed for user %q", c.User).Fatal()
		}
		return u, nil
	}
	if c.Password == "" {
		return nil, sqlstate.New(sqlstate.InvalidPassword, "password authentication failed for user %q", c.User).
			WithHint("Send the user's password.").Fatal()
	}
	return g.login(ctx, loginAttempt{User: c.User, RemoteAddr: c.RemoteAddr, TLS: c.TLS, Protocol: c.Protocol},
		func(_ auth.Method, v *auth.Verifier) error {
			if !v.CheckPassword(c.Password) {
				return auth.ErrPasswordMismatch
			}
			return nil
		})
}

// Door describes a session's front door.
type Door struct {
	Protocol    string // "http", "flight"
	RemoteAddr  net.Addr
	TLS         bool
	Application string // application_name
}

// Session is a logged-in user's session on a front door other than pgwire.
// It is the same session a pgwire client gets (connection limits included);
// it is not safe for concurrent use: a front door runs one statement at a
// time on it, or opens one per request.
type Session struct {
	s *admitted
}

var doorPID atomic.Uint32

// OpenSession opens a session for a user Login admitted. Close it.
func (g *Gateway) OpenSession(ctx context.Context, user *auth.User, d Door) (*Session, error) {
	st := pgwire.Startup{
		User: user.Name, Database: g.database, ApplicationName: d.Application,
		Params:     map[string]string{},
		RemoteAddr: d.RemoteAddr, TLS: d.TLS, Identity: user,
		// Front-door sessions get process IDs from the top of the range,
		// apart from pgwire's.
		ProcessID: 1<<30 | doorPID.Add(1)&(1<<30-1),
	}
	if d.Application != "" {
		st.Params["application_name"] = d.Application
	}
	ps, err := g.Open(ctx, st)
	if err != nil {
		return nil, err
	}
	a := ps.(*admitted)
	a.protocol = d.Protocol
	return &Session{s: a}, nil
}

// User is the session's user.
func (s *Session) User() *auth.User { return s.s.user }

// Close ends the session.
func (s *Session) Close() { s.s.Close() }

// Rows is a statement's result on a front door.
type Rows struct {
	Fields  []pgwire.Field     // PostgreSQL's description of the columns
	Records array.RecordReader // nil for a statement without rows; the caller releases it
	Command string             // the command tag's verb
	Notices []pgwire.Notice    // warnings to pass on (e.g. a product's health)
}

// Query runs one SQL statement with text parameters (nil = NULL) as the
// session's user, through the same check, verification, execution and
// audit as a pgwire Parse/Bind/Execute. The statement is closed when the
// returned records are released.
func (s *Session) Query(ctx context.Context, sql string, params []*string) (*Rows, error) {
	sts, err := s.s.Parse(ctx, sql, nil)
	if err != nil {
		return nil, err
	}
	if len(sts) != 1 {
		for _, st := range sts {
			st.Close()
		}
		if len(sts) == 0 {
			return nil, sqlstate.New(sqlstate.SyntaxError, "empty query")
		}
		return nil, sqlstate.New(sqlstate.SyntaxError, "cannot run %d statements at once: send one", len(sts))
	}
	st := sts[0]
	if len(params) != len(st.ParamOIDs()) {
		st.Close()
		return nil, sqlstate.New(sqlstate.ProtocolViolation, "the statement has %d parameters, %d given", len(st.ParamOIDs()), len(params))
	}
	values := make([][]byte, len(params))
	for i, p := range params {
		if p != nil {
			values[i] = []byte(*p)
		}
	}
	portal, err := st.Bind(ctx, values, nil)
	if err != nil {
		st.Close()
		return nil, err
	}
	res, err := portal.Execute(ctx)
	if err != nil {
		portal.Close()
		st.Close()
		return nil, err
	}
	if res.Copy != nil {
		if res.Records != nil {
			res.Records.Release()
		}
		portal.Close()
		st.Close()
		return nil, sqlstate.New(sqlstate.FeatureNotSupported, "COPY is only available over the PostgreSQL protocol")
	}
	rows := &Rows{Fields: portal.Fields(), Command: res.Command, Notices: res.Notices}
	if res.Records != nil {
		rows.Records = &releaseHook{RecordReader: res.Records, onRelease: func() { portal.Close(); st.Close() }}
	} else {
		portal.Close()
		st.Close()
	}
	return rows, nil
}

// String describes the session for logs.
func (s *Session) String() string {
	return fmt.Sprintf("%s session of %s", s.s.protocol, s.s.user.Name)
}
