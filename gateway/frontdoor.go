package gateway

import (
	"context"
	"fmt"
	"net"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/meshgate/meshgate/auth"
	"github.com/meshgate/meshgate/gateway/pgwire"
	"github.com/meshgate/meshgate/planner"
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
	p, err := s.Prepare(ctx, sql)
	if err != nil {
		return nil, err
	}
	rows, err := p.query(ctx, params, p.Close)
	if err != nil {
		p.Close()
		return nil, err
	}
	if rows.Records == nil {
		p.Close()
	}
	return rows, nil
}

// Prepared is one statement a front door prepared on a session: checked,
// verified and planned (as a pgwire Parse), run any number of times with
// parameters. A refusal at Prepare is audited as at Parse.
type Prepared struct {
	s  *Session
	st pgwire.Statement
}

// Prepare checks and plans one SQL statement without running it.
func (s *Session) Prepare(ctx context.Context, sql string) (*Prepared, error) {
	sts, err := s.s.Parse(ctx, sql, nil)
	if err != nil {
		s.s.Fail()
		return nil, err
	}
	if len(sts) != 1 {
		for _, st := range sts {
			st.Close()
		}
		s.s.Fail()
		if len(sts) == 0 {
			return nil, sqlstate.New(sqlstate.SyntaxError, "empty query")
		}
		return nil, sqlstate.New(sqlstate.SyntaxError, "cannot run %d statements at once: send one", len(sts))
	}
	return &Prepared{s: s, st: sts[0]}, nil
}

// Fields are PostgreSQL's description of the result columns (none for a
// statement without rows).
func (p *Prepared) Fields() []pgwire.Field { return p.st.Fields() }

// Params are the parameters' PostgreSQL type OIDs.
func (p *Prepared) Params() []uint32 { return p.st.ParamOIDs() }

// Schema is the result's Arrow schema, with the column names PostgreSQL
// clients see; nil for a statement without rows.
func (p *Prepared) Schema() *arrow.Schema {
	st, ok := p.st.(*statement)
	if !ok || st.prepared == nil || st.cl.Explain || st.cl.Kind != planner.KindRead {
		return nil
	}
	return renamed(st.prepared.Schema(), st.fields)
}

// ParamTypes are the parameters' Arrow types as DuckDB typed them (nil
// entries where DuckDB could not; they are text).
func (p *Prepared) ParamTypes() []arrow.DataType {
	st, ok := p.st.(*statement)
	if !ok || st.prepared == nil {
		return make([]arrow.DataType, len(p.st.ParamOIDs()))
	}
	return st.prepared.Params()
}

// Query runs the statement with text parameters (nil = NULL); release the
// records before the next statement on the session.
func (p *Prepared) Query(ctx context.Context, params []*string) (*Rows, error) {
	return p.query(ctx, params, nil)
}

// query runs the statement; an error fails an open transaction block
// until it ends, as an ErrorResponse does on pgwire.
func (p *Prepared) query(ctx context.Context, params []*string, done func()) (*Rows, error) {
	rows, err := p.run(ctx, params, done)
	if err != nil {
		p.s.s.Fail()
	}
	return rows, err
}

func (p *Prepared) run(ctx context.Context, params []*string, done func()) (*Rows, error) {
	st := p.st
	if len(params) != len(st.ParamOIDs()) {
		return nil, sqlstate.New(sqlstate.ProtocolViolation, "the statement has %d parameters, %d given", len(st.ParamOIDs()), len(params))
	}
	values := make([][]byte, len(params))
	for i, v := range params {
		if v != nil {
			values[i] = []byte(*v)
		}
	}
	portal, err := st.Bind(ctx, values, nil)
	if err != nil {
		return nil, err
	}
	res, err := portal.Execute(ctx)
	if err != nil {
		portal.Close()
		return nil, err
	}
	if res.Copy != nil {
		if res.Records != nil {
			res.Records.Release()
		}
		portal.Close()
		return nil, sqlstate.New(sqlstate.FeatureNotSupported, "COPY is only available over the PostgreSQL protocol")
	}
	rows := &Rows{Fields: portal.Fields(), Command: res.Command, Notices: res.Notices}
	if res.Records == nil {
		portal.Close()
		return rows, nil
	}
	rr := res.Records
	if sc := renamed(rr.Schema(), rows.Fields); sc != rr.Schema() {
		rr = &renamedRecords{RecordReader: rr, schema: sc}
	}
	rows.Records = &releaseHook{RecordReader: rr, onRelease: func() {
		if rr.Err() != nil {
			p.s.s.Fail() // the statement failed while streaming
		}
		portal.Close()
		if done != nil {
			done()
		}
	}}
	return rows, nil
}

// Close frees the statement.
func (p *Prepared) Close() { p.st.Close() }

// String describes the session for logs.
func (s *Session) String() string {
	return fmt.Sprintf("%s session of %s", s.s.protocol, s.s.user.Name)
}
