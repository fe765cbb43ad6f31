package auth

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/meshgate/meshgate/internal/strictyaml"
)

// Limits are a user's resource limits from the users file. Zero values
// mean "the server's default" (see the gateway's flags).
type Limits struct {
	// ConnectionLimit is the most sessions the user may hold at once
	// (0: no per-user limit beyond the server's).
	ConnectionLimit int
	// StatementTimeout is the user's default statement_timeout.
	StatementTimeout time.Duration
	// MaxStatementTimeout is the largest statement_timeout the user may
	// SET (0: no maximum); with it, statement_timeout = 0 (none) is refused.
	MaxStatementTimeout time.Duration
	// IdleSessionTimeout closes the user's sessions after this long idle;
	// the user may SET idle_session_timeout lower, never higher or off.
	IdleSessionTimeout time.Duration
}

// limits reads a user's limit keys.
func (l *loader) limits(uf map[string]*yaml.Node, where string) Limits {
	var lim Limits
	if n := uf["connection_limit"]; n != nil {
		v, err := strconv.Atoi(n.Value)
		if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" || err != nil || v < 1 {
			l.Errorf(n.Line, "connection_limit of %s must be a whole number of connections, 1 or more", where)
		} else {
			lim.ConnectionLimit = v
		}
	}
	dur := func(key string) time.Duration {
		n := uf[key]
		if n == nil {
			return 0
		}
		if n.Kind != yaml.ScalarNode {
			l.Errorf(n.Line, "%s of %s must be a duration such as 30s or 5min, not %s", key, where, strictyaml.KindName(n))
			return 0
		}
		d, err := ParseDuration(n.Value)
		if err != nil {
			l.Errorf(n.Line, "%s of %s: %v", key, where, err)
			return 0
		}
		if d == 0 {
			l.Errorf(n.Line, "%s of %s must be more than 0 (leave it out for no limit)", key, where)
		}
		return d
	}
	lim.StatementTimeout = dur("statement_timeout")
	lim.MaxStatementTimeout = dur("max_statement_timeout")
	lim.IdleSessionTimeout = dur("idle_session_timeout")
	if lim.MaxStatementTimeout > 0 && lim.StatementTimeout > lim.MaxStatementTimeout {
		l.Errorf(uf["statement_timeout"].Line, "statement_timeout of %s (%s) is above its max_statement_timeout (%s)",
			where, FormatDuration(lim.StatementTimeout), FormatDuration(lim.MaxStatementTimeout))
	}
	return lim
}

// ParseDuration reads a duration as PostgreSQL's time settings do: a
// number and a unit (us, ms, s, min, h, d), e.g. 30s, 5min, 1500ms.
func ParseDuration(v string) (time.Duration, error) {
	s := strings.TrimSpace(strings.ToLower(v))
	i := 0
	for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.') {
		i++
	}
	n, err := strconv.ParseFloat(s[:i], 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%q is not a duration: write a number and a unit, such as 30s or 5min", v)
	}
	units := map[string]time.Duration{"us": time.Microsecond, "ms": time.Millisecond, "s": time.Second,
		"min": time.Minute, "h": time.Hour, "d": 24 * time.Hour}
	unit, ok := units[strings.TrimSpace(s[i:])]
	if !ok {
		return 0, fmt.Errorf("%q has no valid unit: use us, ms, s, min, h or d (such as 30s)", v)
	}
	return time.Duration(n * float64(unit)), nil
}

// FormatDuration prints d in the largest PostgreSQL unit that divides it.
func FormatDuration(d time.Duration) string {
	switch {
	case d == 0:
		return "0"
	case d%(24*time.Hour) == 0:
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	case d%time.Hour == 0:
		return fmt.Sprintf("%dh", d/time.Hour)
	case d%time.Minute == 0:
		return fmt.Sprintf("%dmin", d/time.Minute)
	case d%time.Second == 0:
		return fmt.Sprintf("%ds", d/time.Second)
	}
	return fmt.Sprintf("%dms", d/time.Millisecond)
}
