package gateway

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"

	"github.com/meshgate/meshgate/auth"
	"github.com/meshgate/meshgate/auth/policy"
	"github.com/meshgate/meshgate/engine"
	"github.com/meshgate/meshgate/gateway/pgcatalog"
	"github.com/meshgate/meshgate/gateway/pgwire"
	"github.com/meshgate/meshgate/internal/sqlquote"
	"github.com/meshgate/meshgate/planner"
	"github.com/meshgate/meshgate/planner/catalog"
	"github.com/meshgate/meshgate/sqlstate"
)

// Transaction status as reported in ReadyForQuery.
const (
	txIdle   byte = 'I'
	txBlock  byte = 'T'
	txFailed byte = 'E'
)

// session is one client's SQL session. pgwire calls it from the
// connection's goroutine only.
type session struct {
	g    *Gateway
	user *auth.User
	es   *engine.Session
	log  *slog.Logger

	values  map[string]string // current settings by lowercase name
	initial map[string]string // values after startup: targets of RESET and DISCARD ALL
	loc     *time.Location

	tx         byte
	txSaved    map[string]string // settings at BEGIN, restored by ROLLBACK
	localSaved map[string]string // values before SET LOCAL, restored at the end of the block
	savepoints []savepoint       // open savepoints of the block, oldest first (savepoint.go)

	cursors map[string]*cursor
	portals pgwire.Portals                    // the connection's protocol portals (cursor.go)
	checked *lru.Cache[string, *planner.Read] // planner results by search path + query

	// What the policy decided for each product, and under which policy
	// (a reloaded policy rebuilds the session's views: policy.go).
	decisions map[catalog.Address]policy.Decision
	policySet *policy.Set
	policyGen int // bumped when the session's views are rebuilt
	pid       uint32
	client    string
	app       string
	protocol  string // the front door: "pgwire", "http", "flight" (frontdoor.go)
	// delegation is set when a trusted gateway's service account opened
	// the session for an end user (delegation.go).
	delegation *delegatedBy
	// pathKey and pathExisting remember the existing search path for the
	// result cache's key (cachekey.go).
	pathKey, pathExisting string
	// trace is the id of the current statement sent to domain gateways
	// (delegation.go); its audit record carries it, then it is cleared.
	trace string
}

func (g *Gateway) newSession(ctx context.Context, user *auth.User, st pgwire.Startup) (*session, error) {
	rels, err := g.relations(ctx)
	if err != nil {
		return nil, err
	}
	set := g.policy.Load()
	decisions := g.decide(user, set)
	es, _, err := g.engine.NewPooledSession(ctx, g.catalogKey(user, set), g.catalogBuilder(user, st.ProcessID, decisions, rels),
		func(cat string) []string {
			return pgcatalog.ResetStatements(g.catalogSession(user, st.ProcessID, cat))
		})
	if err != nil {
		return nil, err
	}
	cache, _ := lru.New[string, *planner.Read](256)
	s := &session{
		g: g, user: user, es: es, log: g.log.With("user", user.Name, "catalog", es.Catalog()),
		values: map[string]string{}, loc: time.UTC, tx: txIdle,
		cursors: map[string]*cursor{}, checked: cache,
		decisions: decisions, policySet: set, pid: st.ProcessID, client: addr(st), app: st.ApplicationName, protocol: "pgwire",
	}
	for name, d := range g.defs {
		s.values[name] = d.def
	}
	s.values["session_authorization"] = user.Name
	if st.ServerTLS {
		s.values["ssl"] = "on"
	}
	s.applyRoleLimits() // limits.go: the role's statement_timeout and idle_session_timeout
	s.applySearchPath()
	// Startup parameters, then -c options, apply as SET does.
	apply := func(name, value string) error {
		name = strings.ToLower(name)
		if _, known := g.defs[name]; !known && !strings.Contains(name, ".") {
			s.log.Debug("ignoring unknown startup parameter", "name", name)
			return nil
		}
		_, err := s.set(name, value, false)
		if err != nil {
			return err
		}
		return nil
	}
	for k, v := range st.Params {
		switch k {
		case "user", "database", "options", "replication", AssertionParam:
			continue
		}
		if err := apply(k, v); err != nil {
			es.Close()
			return nil, fatal(err)
		}
	}
	opts, err := parseOptions(st.Options)
	if err != nil {
		es.Close()
		return nil, fatal(err)
	}
	for _, kv := range opts {
		if err := apply(kv[0], kv[1]); err != nil {
			es.Close()
			return nil, fatal(err)
		}
	}
	s.initial = copyMap(s.values)
	if err := s.publishSettings(ctx); err != nil {
		es.Close()
		return nil, err
	}
	return s, nil
}

// publishSettings writes the session's settings into its catalog, where
// current_setting(), pg_settings and current_schemas() read them.
func (s *session) publishSettings(ctx context.Context) error {
	var rows []string
	for name, v := range s.values {
		display := name
		if d := s.g.defs[name]; d != nil {
			display = d.name
		}
		rows = append(rows, fmt.Sprintf("(%s, %s, %s)", sqlquote.Literal(name), sqlquote.Literal(display), sqlquote.Literal(v)))
	}
	tbl := s.es.Catalog() + `."` + planner.CompatPG + `".mg_settings`
	sort.Strings(rows)
	return s.es.Exec(ctx, "DELETE FROM "+tbl+"; INSERT INTO "+tbl+" VALUES "+strings.Join(rows, ", "))
}

func fatal(err error) error {
	if e := sqlstate.As(err); e != nil {
		return e.Fatal()
	}
	return err
}

func copyMap(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// ParameterStatus implements pgwire.Session.
func (s *session) ParameterStatus() []pgwire.Param {
	var out []pgwire.Param
	for _, name := range sortedSettingNames(s.g.defs) {
		d := s.g.defs[name]
		if d.report {
			out = append(out, pgwire.Param{Name: d.name, Value: s.values[name]})
		}
	}
	return out
}

// TxStatus implements pgwire.Session.
func (s *session) TxStatus() byte { return s.tx }

// Fail implements pgwire.Session: an error inside a transaction block
// fails the block until ROLLBACK.
func (s *session) Fail() {
	if s.tx == txBlock {
		s.tx = txFailed
	}
}

// TimeZone implements pgwire.Session.
func (s *session) TimeZone() *time.Location { return s.loc }

// Close implements pgwire.Session.
func (s *session) Close() {
	for name := range s.cursors {
		s.closeCursor(name)
	}
	s.es.Close()
	s.log.Info("session ended")
}

// searchPath is the session's search path with $user resolved.
func (s *session) searchPath() []string {
	var out []string
	for _, p := range splitSearchPath(s.values["search_path"]) {
		p = strings.Trim(p, `"`)
		if p == "$user" {
			p = s.user.Name
		}
		out = append(out, p)
	}
	return out
}

// existingSearchPath is the search path without the schemas the session
// does not have (current_schemas(false)).
func (s *session) existingSearchPath() []string {
	var existing []string
	domains := map[string]bool{}
	for _, d := range s.es.Schemas() {
		domains[d] = true
	}
	for _, p := range s.searchPath() {
		if domains[p] {
			existing = append(existing, p)
		}
	}
	return existing
}

func (s *session) applySearchPath() { s.es.SetSearchPath(s.existingSearchPath()) }

// set changes one setting and returns the ParameterStatus to resend, if
// any. local marks SET LOCAL.
func (s *session) set(name, value string, local bool) (*pgwire.Param, error) {
	d, known := s.g.defs[name]
	if !known {
		if !strings.Contains(name, ".") {
			return nil, sqlstate.New(sqlstate.UndefinedObject, "unrecognized configuration parameter %q", name)
		}
		s.remember(name, local)
		s.values[name] = value
		return nil, nil
	}
	if d.readOnly {
		if value == s.values[name] {
			return nil, nil
		}
		return nil, sqlstate.New(sqlstate.CantChangeRuntimeParam, "parameter %q cannot be changed", d.name)
	}
	if d.check != nil {
		v, err := d.check(value)
		if err != nil {
			return nil, err
		}
		value = v
	}
	if err := s.checkRoleLimit(name, value); err != nil { // limits.go
		return nil, err
	}
	if name == "timezone" {
		loc, _, err := loadTimeZone(value)
		if err != nil {
			return nil, err
		}
		s.loc = loc
	}
	s.remember(name, local)
	s.values[name] = value
	if name == "search_path" {
		s.applySearchPath()
	}
	if d.report {
		return &pgwire.Param{Name: d.name, Value: value}, nil
	}
	return nil, nil
}

// remember saves a value SET LOCAL will restore at the block's end. A
// plain SET after a SET LOCAL of the same block wins at COMMIT, as in
// PostgreSQL.
func (s *session) remember(name string, local bool) {
	if !local {
		delete(s.localSaved, name)
		return
	}
	if _, saved := s.localSaved[name]; !saved {
		s.localSaved[name] = s.values[name]
	}
}

// restore puts settings back (ROLLBACK, end of SET LOCAL) and reports the
// ones that changed.
func (s *session) restore(saved map[string]string) []pgwire.Param {
	var changed []pgwire.Param
	for name, v := range saved {
		if s.values[name] == v {
			continue
		}
		s.values[name] = v
		if name == "timezone" {
			s.loc, _, _ = loadTimeZone(v)
		}
		if name == "search_path" {
			s.applySearchPath()
		}
		if d := s.g.defs[name]; d != nil && d.report {
			changed = append(changed, pgwire.Param{Name: d.name, Value: v})
		}
	}
	return changed
}

// endBlock ends a transaction block; commit keeps session-level SETs.
func (s *session) endBlock(commit bool) []pgwire.Param {
	var changed []pgwire.Param
	if !commit && s.txSaved != nil {
		changed = s.restore(s.txSaved)
	} else {
		changed = s.restore(s.localSaved)
	}
	s.txSaved, s.localSaved, s.savepoints = nil, nil, nil
	s.tx = txIdle
	for name, c := range s.cursors {
		if !c.hold {
			s.closeCursor(name)
		}
	}
	return changed
}

// Parse implements pgwire.Session: split, classify, and (for a single
// statement) check and prepare at once so Describe can answer.
func (s *session) Parse(ctx context.Context, sql string, paramOIDs []uint32) ([]pgwire.Statement, error) {
	if err := s.followPolicy(ctx); err != nil {
		s.Refused(sql, err)
		return nil, err
	}
	texts, err := planner.Split(sql)
	if err != nil {
		s.Refused(sql, err)
		return nil, err
	}
	out := make([]pgwire.Statement, 0, len(texts))
	for _, t := range texts {
		cl, err := planner.Classify(t)
		if err != nil {
			s.audit(&statement{cl: &planner.Statement{SQL: t}}, time.Now(), err, 0)
			return nil, err
		}
		out = append(out, &statement{s: s, cl: cl, declared: paramOIDs})
	}
	if len(out) == 1 {
		st := out[0].(*statement)
		if s.tx == txFailed && !st.endsBlock() {
			s.Refused(sql, errAborted())
			return nil, errAborted()
		}
		st.beginTrace(ctx)
		span := st.startSpan("plan")
		err := st.prepare(ctx)
		span.End()
		if err != nil {
			s.audit(st, time.Now(), err, 0)
			return nil, err
		}
	}
	return out, nil
}

// Refused writes the audit record of a statement refused before it could
// be classified (pgwire.Refuser): every statement gets a record.
func (s *session) Refused(sql string, err error) {
	s.audit(&statement{cl: &planner.Statement{SQL: sql}}, time.Now(), err, 0)
}

func errAborted() error {
	return sqlstate.New(sqlstate.InFailedTransaction, "current transaction is aborted, commands ignored until end of transaction block").
		WithHint("Send ROLLBACK to end the failed block.")
}

// check runs the planner on a read query, with a per-session cache.
func (s *session) check(ctx context.Context, query string) (*planner.Read, error) {
	key := s.values["search_path"] + "\x00" + query
	if r, ok := s.checked.Get(key); ok {
		return r, nil
	}
	r, err := planner.CheckRead(ctx, s.es, scope{s}, query)
	if err != nil {
		return nil, err
	}
	s.checked.Add(key, r)
	return r, nil
}

// statementTimeout is the session's statement_timeout (0 = none).
func (s *session) statementTimeout() time.Duration {
	d, err := parseDuration(s.values["statement_timeout"])
	if err != nil {
		return 0
	}
	return d
}

// logStatement records one executed statement.
func (s *session) logStatement(st *statement, start time.Time, err error) {
	attrs := []any{"kind", st.cl.Kind, "sql", truncate(st.cl.SQL, 200), "duration", time.Since(start)}
	if st.span != nil && st.span.SpanContext().HasTraceID() {
		attrs = append(attrs, "trace_id", st.span.SpanContext().TraceID().String())
	}
	if err != nil {
		attrs = append(attrs, "sqlstate", sqlstate.CodeOf(err))
	}
	s.log.Debug("statement", attrs...)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// notice builds a WARNING notice.
func warning(code, format string, args ...any) pgwire.Notice {
	return pgwire.Notice{Severity: "WARNING", Code: code, Message: fmt.Sprintf(format, args...)}
}
