package gateway

import (
	"fmt"
	"sync"
	"time"

	"github.com/meshgate/meshgate/auth"
	"github.com/meshgate/meshgate/gateway/pgwire"
	"github.com/meshgate/meshgate/sqlstate"
)

// Limits are the server-wide limits; a user's own (auth.Limits, from the
// users file) take precedence. Zero means none.
type Limits struct {
	// MaxConnections bounds the sessions of all users together.
	MaxConnections int
	// MaxConnectionsPerUser bounds each user's sessions, unless the user
	// has a connection_limit.
	MaxConnectionsPerUser int
	// StatementTimeout is the default statement_timeout.
	StatementTimeout time.Duration
	// MaxStatementTimeout is the largest statement_timeout a client may SET.
	MaxStatementTimeout time.Duration
	// IdleSessionTimeout closes sessions idle this long; clients may SET
	// idle_session_timeout lower, not higher or off.
	IdleSessionTimeout time.Duration
}

// roleLimits are the limits that apply to user.
func (g *Gateway) roleLimits(u *auth.User) auth.Limits {
	var l auth.Limits
	if g.sec != nil {
		l = auth.Limits{
			ConnectionLimit:     g.sec.cfg.Limits.MaxConnectionsPerUser,
			StatementTimeout:    g.sec.cfg.Limits.StatementTimeout,
			MaxStatementTimeout: g.sec.cfg.Limits.MaxStatementTimeout,
			IdleSessionTimeout:  g.sec.cfg.Limits.IdleSessionTimeout,
		}
	}
	if u.Limits.ConnectionLimit > 0 {
		l.ConnectionLimit = u.Limits.ConnectionLimit
	}
	if u.Limits.StatementTimeout > 0 || u.Limits.MaxStatementTimeout > 0 {
		l.StatementTimeout = u.Limits.StatementTimeout
	}
	if u.Limits.MaxStatementTimeout > 0 {
		l.MaxStatementTimeout = u.Limits.MaxStatementTimeout
	}
	if u.Limits.IdleSessionTimeout > 0 {
		l.IdleSessionTimeout = u.Limits.IdleSessionTimeout
	}
	if l.MaxStatementTimeout > 0 && (l.StatementTimeout == 0 || l.StatementTimeout > l.MaxStatementTimeout) {
		l.StatementTimeout = l.MaxStatementTimeout
	}
	return l
}

// settingValue is d as the duration settings print it.
func settingValue(d time.Duration) string {
	v, _ := checkDuration(fmt.Sprintf("%dms", d.Milliseconds()))
	return v
}

// applyRoleLimits sets the session's statement_timeout and
// idle_session_timeout defaults from its role; startup parameters and SET
// may then change them within the role's maximum (checkRoleLimit).
func (s *session) applyRoleLimits() {
	l := s.g.roleLimits(s.user)
	if l.StatementTimeout > 0 {
		s.values["statement_timeout"] = settingValue(l.StatementTimeout)
	}
	if l.IdleSessionTimeout > 0 {
		s.values["idle_session_timeout"] = settingValue(l.IdleSessionTimeout)
	}
}

// checkRoleLimit refuses a statement_timeout or idle_session_timeout
// above the role's maximum (or 0, none, when there is a maximum).
func (s *session) checkRoleLimit(name, value string) error {
	l := s.g.roleLimits(s.user)
	var limit time.Duration
	switch name {
	case "statement_timeout":
		limit = l.MaxStatementTimeout
	case "idle_session_timeout":
		limit = l.IdleSessionTimeout
	default:
		return nil
	}
	if limit == 0 {
		return nil
	}
	d, err := parseDuration(value)
	if err != nil {
		return err
	}
	if d == 0 {
		return sqlstate.New(sqlstate.InvalidParameterValue, "%s cannot be turned off for role %q: its maximum is %s", name, s.user.Name, auth.FormatDuration(limit)).
			WithHint("SET %s to a value up to %s.", name, auth.FormatDuration(limit))
	}
	if d > limit {
		return sqlstate.New(sqlstate.InvalidParameterValue, "%s of %s is above the maximum of %s for role %q", name, auth.FormatDuration(d), auth.FormatDuration(limit), s.user.Name).
			WithHint("SET %s to a value up to %s.", name, auth.FormatDuration(limit))
	}
	return nil
}

// IdleTimeout implements pgwire.IdleTimeouter: idle_session_timeout
// outside a transaction block; inside one, idle_in_transaction_session_timeout,
// never longer than the role's idle limit.
func (s *session) IdleTimeout() time.Duration {
	if s.tx == txIdle {
		d, _ := parseDuration(s.values["idle_session_timeout"])
		return d
	}
	d, _ := parseDuration(s.values["idle_in_transaction_session_timeout"])
	if limit := s.g.roleLimits(s.user).IdleSessionTimeout; limit > 0 && (d == 0 || d > limit) {
		d = limit
	}
	return d
}

var _ pgwire.IdleTimeouter = (*session)(nil)

// connCounter counts live sessions, in total and per user.
type connCounter struct {
	mu     sync.Mutex
	total  int
	byUser map[string]int
}

// acquire counts one more session for u, or refuses it with 53300 when a
// limit is reached. release undoes it (once).
func (c *connCounter) acquire(g *Gateway, u *auth.User) (release func(), err error) {
	maxTotal, perUser := 0, g.roleLimits(u).ConnectionLimit
	if g.sec != nil {
		maxTotal = g.sec.cfg.Limits.MaxConnections
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.byUser == nil {
		c.byUser = map[string]int{}
	}
	if maxTotal > 0 && c.total >= maxTotal {
		return nil, sqlstate.New(sqlstate.TooManyConnections, "sorry, too many clients already").Fatal()
	}
	if perUser > 0 && c.byUser[u.Name] >= perUser {
		return nil, sqlstate.New(sqlstate.TooManyConnections, "too many connections for role %q", u.Name).Fatal()
	}
	c.total++
	c.byUser[u.Name]++
	var once sync.Once
	return func() {
		once.Do(func() {
			c.mu.Lock()
			defer c.mu.Unlock()
			c.total--
			if c.byUser[u.Name]--; c.byUser[u.Name] <= 0 {
				delete(c.byUser, u.Name)
			}
		})
	}, nil
}

// admitted is a session counted against the connection limits; Close
// releases its place.
type admitted struct {
	*session
	release func()
}

func (a *admitted) Close() {
	defer a.release()
	a.session.Close()
}
