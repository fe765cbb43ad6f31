package engine

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	bindings "github.com/duckdb/duckdb-go-bindings"
	"github.com/duckdb/duckdb-go/v2/arrowmapping"
	"github.com/duckdb/duckdb-go/v2/mapping"
	lru "github.com/hashicorp/golang-lru/v2"

	"github.com/meshgate/meshgate/internal/sqlquote"
	"github.com/meshgate/meshgate/planner/catalog"
	"github.com/meshgate/meshgate/sqlstate"
)

// View is one product as a session sees it: the address it is queried by
// and the SELECT that defines it over the port view (policy-shaped by the
// caller; by default `SELECT * FROM PortView(address)`).
type View struct {
	Address catalog.Address
	SQL     string
}

// SearchPathVariable is the DuckDB variable holding the session's search
// path (the schemas that exist), as a VARCHAR[].
const SearchPathVariable = "mg_search_path"

// maxConns bounds the DuckDB connections of one session: one per result
// that is open at the same time (suspended portals, open cursors).
const maxConns = 16

// Session is one client's view of the engine: an attached in-memory
// catalog holding its product views, and the DuckDB connections that run
// its queries. A Session is used by one goroutine at a time; only the
// cancellation of a running query comes from elsewhere (through ctx).
type Session struct {
	e       *Engine
	catalog string
	views   map[catalog.Address]bool
	shadow  map[string]catalog.Address // "mg$pK" → the product it stands for

	mu         sync.Mutex
	conns      []*conn
	planner    *conn // plans statements in the shadow of the product views (plan.go)
	verified   *lru.Cache[verifiedKey, *Plan]
	catalogGen int // counts rebuilds of the session's catalog
	searchPath []string
	pathGen    int
	closed     bool
	poolKey    string // the catalog goes to the next session of this key (pool.go)
}

// conn is one DuckDB connection of a session.
type conn struct {
	c       mapping.Connection
	busy    bool
	pathGen int
	shadow  bool // resolves product views to their shadow tables

	planStmt mapping.PreparedStatement // the planning query (plan.go), on a planning connection
}

// NewSession creates the session's catalog. build receives the catalog's
// name (views and setup statements may need to qualify names with it) and
// returns the product views and further statements to run in the same
// batch (the client-compatibility catalog).
func (e *Engine) NewSession(ctx context.Context, build func(catalog string) (views []View, setup []string)) (*Session, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	id := e.nextID.Add(1)
	s := &Session{e: e, catalog: fmt.Sprintf("sess_%d", id), views: map[catalog.Address]bool{}, shadow: map[string]catalog.Address{}}
	s.verified = newVerifiedCache()
	views, setup := build(s.catalog)
	e.adminM.Lock()
	defer e.adminM.Unlock()
	if err := s.createCatalog([]string{"ATTACH ':memory:' AS " + s.catalog}, views, setup); err != nil {
		_ = execOn(e.admin, "DETACH DATABASE IF EXISTS "+s.catalog)
		return nil, fmt.Errorf("engine: create session catalog: %w", err)
	}
	s.searchPath = s.defaultPath()
	return s, nil
}

func newVerifiedCache() *lru.Cache[verifiedKey, *Plan] {
	c, _ := lru.New[verifiedKey, *Plan](256)
	return c
}

// Exec runs statements the gateway itself generates (never user SQL) in
// the session's catalog, such as updating its settings table.
func (s *Session) Exec(ctx context.Context, sql string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c, err := s.acquire()
	if err != nil {
		return err
	}
	defer s.release(c)
	return execOn(c.c, sql)
}

// Catalog is the name of the session's DuckDB catalog (internal).
func (s *Session) Catalog() string { return s.catalog }

// Domains lists the schemas of the session's catalog, sorted.
func (s *Session) Domains() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.domainsLocked()
}

func (s *Session) domainsLocked() []string {
	seen := map[string]bool{}
	var out []string
	for a := range s.views {
		if !seen[a.Domain] {
			seen[a.Domain] = true
			out = append(out, a.Domain)
		}
	}
	sort.Strings(out)
	return out
}

// shadowProduct returns the product a shadow table stands for.
func (s *Session) shadowProduct(table string) (catalog.Address, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.shadow[table]
	return a, ok
}

// ErrBusy is returned by Rebuild while results are open in the session.
var ErrBusy = errors.New("engine: session has open results")

// Rebuild replaces the session's views and setup objects (a new policy):
// queries that already run finish under the old views. It refuses with
// ErrBusy while a result of the session is open (a suspended portal, a
// cursor), so a statement never sees half of each.
func (s *Session) Rebuild(ctx context.Context, build func(catalog string) (views []View, setup []string)) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.conns {
		if c.busy {
			return ErrBusy
		}
	}
	views, setup := build(s.catalog)
	var stmts []string
	for _, d := range s.domainsLocked() {
		if d != "public" {
			stmts = append(stmts, fmt.Sprintf("DROP SCHEMA IF EXISTS %s.%s CASCADE", s.catalog, sqlquote.Ident(d)))
		}
	}
	stmts = append(stmts, fmt.Sprintf("DROP SCHEMA IF EXISTS %s.%s CASCADE", s.catalog, sqlquote.Ident(realSchema)),
		fmt.Sprintf("DROP SCHEMA IF EXISTS %s.%s CASCADE", s.catalog, sqlquote.Ident(shadowSchema)))
	old, oldShadow := s.views, s.shadow
	s.e.adminM.Lock()
	defer s.e.adminM.Unlock()
	s.catalogGen++ // verified plans of the old catalog are void, even if this fails
	s.poolKey = "" // built under another policy than its key says
	s.verified.Purge()
	if err := s.createCatalog(stmts, views, setup); err != nil {
		s.views, s.shadow = old, oldShadow
		return fmt.Errorf("engine: rebuild session catalog: %w", err)
	}
	return nil
}

// Schemas lists the schemas of the session's catalog a search path may
// name: its domains and public.
func (s *Session) Schemas() []string {
	out := s.Domains()
	for _, d := range out {
		if d == "public" {
			return out
		}
	}
	return append(out, "public")
}

// HasView reports whether the session's catalog defines the address.
func (s *Session) HasView(a catalog.Address) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.views[a]
}

func (s *Session) defaultPath() []string { return []string{"main"} }

// SetSearchPath sets the schemas unqualified names resolve in. Names that
// are not schemas of the session are kept (as in PostgreSQL) but resolve
// nothing.
func (s *Session) SetSearchPath(schemas []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.searchPath = append([]string(nil), schemas...)
	s.pathGen++
}

// searchPathSQL is the DuckDB search_path value for the session; shadow
// resolves product views to their shadow tables (plan.go).
func (s *Session) searchPathSQL(shadow bool) string {
	parts := make([]string, 0, len(s.searchPath)+3)
	for _, p := range s.searchPath {
		if strings.HasPrefix(p, "mg$") {
			continue // internal schemas never join a user's path
		}
		parts = append(parts, s.catalog+"."+sqlquote.Ident(p))
	}
	inner := realSchema
	if shadow {
		inner = shadowSchema
	}
	// Where product views find their definition; then the session's main
	// schema and the engine's, where the functions of the client catalog
	// live (gateway/pgcatalog).
	parts = append(parts, s.catalog+"."+sqlquote.Ident(inner), s.catalog+".main", "memory.main")
	return strings.Join(parts, ",")
}

// acquire returns an idle connection set to the session's catalog and
// search path, opening one if none is idle.
func (s *Session) acquire() (*conn, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, sqlstate.New(sqlstate.ConnectionFailure, "session is closed")
	}
	var c *conn
	for _, cand := range s.conns {
		if !cand.busy {
			c = cand
			break
		}
	}
	if c == nil {
		if len(s.conns) >= maxConns {
			return nil, sqlstate.New(sqlstate.ProgramLimitExceeded, "too many open results in this session (at most %d)", maxConns).
				WithHint("Close cursors or portals you no longer need.")
		}
		var err error
		if c, err = s.connect(false); err != nil {
			return nil, err
		}
		s.conns = append(s.conns, c)
	}
	if err := s.setPath(c); err != nil {
		return nil, err
	}
	c.busy = true
	return c, nil
}

// acquirePlanner returns the session's planning connection.
func (s *Session) acquirePlanner() (*conn, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, sqlstate.New(sqlstate.ConnectionFailure, "session is closed")
	}
	if s.planner == nil {
		c, err := s.connect(true)
		if err != nil {
			return nil, err
		}
		s.planner = c
	}
	c := s.planner
	if c.busy {
		return nil, sqlstate.New(sqlstate.InternalError, "the session's planner is busy")
	}
	if err := s.setPath(c); err != nil {
		return nil, err
	}
	c.busy = true
	return c, nil
}

// connect opens a DuckDB connection of the session (s.mu held).
func (s *Session) connect(shadow bool) (*conn, error) {
	c := &conn{pathGen: -1, shadow: shadow}
	if mapping.Connect(s.e.db, &c.c) == mapping.StateError {
		return nil, sqlstate.New(sqlstate.InternalError, "cannot open an engine connection")
	}
	if err := execOn(c.c, "USE "+s.catalog); err != nil {
		mapping.Disconnect(&c.c)
		return nil, err
	}
	return c, nil
}

// setPath brings the connection's search path up to date (s.mu held).
func (s *Session) setPath(c *conn) error {
	if c.pathGen == s.pathGen {
		return nil
	}
	// The variable lets current_schemas() (a macro of the client
	// catalog) answer without a subquery, so it works in table
	// function arguments too.
	list := make([]string, len(s.searchPath))
	for i, p := range s.searchPath {
		list[i] = sqlquote.Literal(p)
	}
	set := "SET search_path = " + sqlquote.Literal(s.searchPathSQL(c.shadow)) + "; SET VARIABLE " + SearchPathVariable + " = [" + strings.Join(list, ", ") + "]::VARCHAR[]"
	if err := execOn(c.c, set); err != nil {
		return err
	}
	c.pathGen = s.pathGen
	return nil
}

func (s *Session) release(c *conn) {
	s.mu.Lock()
	c.busy = false
	s.mu.Unlock()
}

// SerializeSQL returns DuckDB's JSON syntax tree of SELECT statements
// (json_serialize_sql), for the planner.
func (s *Session) SerializeSQL(ctx context.Context, sql string) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	c, err := s.acquire()
	if err != nil {
		return nil, err
	}
	defer s.release(c)
	rows, err := queryStringsOn(c.c, "SELECT CAST(json_serialize_sql("+sqlquote.Literal(sql)+") AS VARCHAR)", 1)
	if err != nil {
		return nil, err
	}
	if len(rows) != 1 {
		return nil, sqlstate.New(sqlstate.InternalError, "parser returned no tree")
	}
	return []byte(rows[0][0]), nil
}

// Prepared is a statement prepared in DuckDB: its parameter and result
// types are known without executing it.
type Prepared struct {
	s       *Session
	prefix  string // EXPLAIN …, before the verified query
	query   string
	c       *conn
	stmt    mapping.PreparedStatement
	schema  *arrow.Schema
	params  []arrow.DataType // nil where DuckDB could not infer the type
	active  bool             // a reader of this statement is open on c
	plan    *Plan
	pathGen int // the search path the statement was verified under
}

// Prepare prepares one read statement: query, a SELECT, is verified against
// the session's product views (plan.go) and prepared with prefix (empty, or
// EXPLAIN and its options) before it. The engine refuses anything that is
// not a SELECT or EXPLAIN whatever the planner decided.
func (s *Session) Prepare(ctx context.Context, prefix, query string) (*Prepared, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	c, err := s.acquire()
	if err != nil {
		return nil, err
	}
	defer s.release(c)
	stmt, plan, err := s.prepareVerified(c, prefix, query)
	if err != nil {
		return nil, err
	}
	p := &Prepared{s: s, prefix: prefix, query: query, c: c, stmt: stmt, plan: plan, pathGen: s.currentPathGen()}
	if err := p.describe(); err != nil {
		mapping.DestroyPrepare(&p.stmt)
		return nil, err
	}
	return p, nil
}

// Plan is what the statement reads, from DuckDB's bound plan.
func (p *Prepared) Plan() *Plan { return p.plan }

func (s *Session) currentPathGen() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pathGen
}

// prepareVerified verifies query (plan.go), then prepares prefix+query on c.
func (s *Session) prepareVerified(c *conn, prefix, query string) (mapping.PreparedStatement, *Plan, error) {
	plan, planned, err := s.verify(query)
	if err != nil {
		return mapping.PreparedStatement{}, nil, err
	}
	stmt, err := prepareOn(c, prefix+query)
	if err != nil {
		return stmt, nil, err
	}
	if !planned {
		if n := firstUntyped(stmt); n > 0 {
			// DuckDB cannot plan a statement whose parameter it cannot
			// type; the caller may type it (as text, as PostgreSQL does).
			mapping.DestroyPrepare(&stmt)
			return stmt, nil, sqlstate.New(sqlstate.IndeterminateDatatype, "could not determine data type of parameter $%d", n)
		}
		// The shadow planning failed where the real one succeeds: the two
		// disagree about the statement, so it is not verified.
		mapping.DestroyPrepare(&stmt)
		s.e.log.Warn("statement refused: shadow and real plans disagree", "catalog", s.catalog)
		return stmt, nil, errNotExplained()
	}
	return stmt, plan, nil
}

func prepareOn(c *conn, sql string) (mapping.PreparedStatement, error) {
	var stmt mapping.PreparedStatement
	if c.c.Ptr == nil {
		return stmt, errClosed
	}
	if mapping.Prepare(c.c, sql, &stmt) == mapping.StateError {
		msg := mapping.PrepareError(stmt)
		mapping.DestroyPrepare(&stmt)
		return stmt, duckError(msg, errorTypeOf(msg))
	}
	switch mapping.PreparedStatementType(stmt) {
	case mapping.StatementTypeSelect, mapping.StatementTypeExplain:
	default:
		mapping.DestroyPrepare(&stmt)
		return stmt, sqlstate.New(sqlstate.FeatureNotSupported, "only read statements can be executed")
	}
	return stmt, nil
}

// errorTypeOf recovers DuckDB's error class from a prepare error message,
// which the C API gives only as text ("Binder Error: …").
func errorTypeOf(msg string) mapping.ErrorType {
	head, _, _ := strings.Cut(msg, ":")
	switch head {
	case "Parser Error":
		return mapping.ErrorTypeParser
	case "Binder Error":
		return mapping.ErrorTypeBinder
	case "Catalog Error":
		return mapping.ErrorTypeCatalog
	case "Conversion Error":
		return mapping.ErrorTypeConversion
	case "Out of Range Error":
		return mapping.ErrorTypeOutOfRange
	case "Invalid Input Error":
		return mapping.ErrorTypeInvalidInput
	case "Not implemented Error":
		return mapping.ErrorTypeNotImplemented
	case "Permission Error":
		return mapping.ErrorTypePermission
	case "Interrupt Error", "INTERRUPT Error":
		return mapping.ErrorTypeInterrupt
	case "Parameter Not Resolved Error":
		return mapping.ErrorTypeParameterNotResolved
	}
	return mapping.ErrorTypeInvalid
}

func (p *Prepared) describe() error {
	var opts arrowmapping.ArrowOptions
	arrowmapping.ConnectionGetArrowOptions(p.c.c, &opts)
	defer arrowmapping.DestroyArrowOptions(&opts)
	n := mapping.PreparedStatementColumnCount(p.stmt)
	names := make([]string, n)
	types := make([]mapping.LogicalType, n)
	for i := mapping.IdxT(0); i < n; i++ {
		names[i] = mapping.PreparedStatementColumnName(p.stmt, i)
		types[i] = mapping.PreparedStatementColumnLogicalType(p.stmt, i)
	}
	schema, err := arrowSchema(opts, names, types)
	for i := range types {
		mapping.DestroyLogicalType(&types[i])
	}
	if err != nil {
		return err
	}
	p.schema = schema
	np := mapping.NParams(p.stmt)
	p.params = make([]arrow.DataType, np)
	for i := mapping.IdxT(1); i <= np; i++ {
		if untypedParam(p.stmt, i) {
			continue
		}
		lt := mapping.ParamLogicalType(p.stmt, i)
		ps, err := arrowSchema(opts, []string{"p"}, []mapping.LogicalType{lt})
		mapping.DestroyLogicalType(&lt)
		if err == nil {
			p.params[i-1] = ps.Field(0).Type
		}
	}
	return nil
}

// Schema is the result's Arrow schema (with MetaDuckType metadata).
func (p *Prepared) Schema() *arrow.Schema { return p.schema }

// Params are the inferred parameter types ($1 first); nil where unknown.
func (p *Prepared) Params() []arrow.DataType { return p.params }

// Query binds args (nil, bool, int64, float64, string or []byte; DuckDB
// casts strings to the parameter's type) and starts the query. Rows stream
// from the returned reader, which must be released; cancelling ctx
// interrupts the query in DuckDB.
func (p *Prepared) Query(ctx context.Context, args []any) (array.RecordReader, error) {
	if err := ctx.Err(); err != nil {
		return nil, canceled(err)
	}
	if len(args) != len(p.params) {
		return nil, sqlstate.New(sqlstate.ProtocolViolation, "statement has %d parameters but %d values were given", len(p.params), len(args))
	}
	// Use the statement's own connection when it is free; otherwise (another
	// result is still open on it) prepare again on a free connection.
	// A statement verified under another search path is verified again
	// (its names may resolve elsewhere now).
	c, stmt, own := p.c, p.stmt, true
	p.s.mu.Lock()
	busy := c.busy || p.active || p.pathGen != p.s.pathGen
	if !busy {
		c.busy = true
	}
	p.s.mu.Unlock()
	if busy {
		var err error
		if c, err = p.s.acquire(); err != nil {
			return nil, err
		}
		var plan *Plan
		if stmt, plan, err = p.s.prepareVerified(c, p.prefix, p.query); err != nil {
			p.s.release(c)
			return nil, err
		}
		if !p.plan.covers(plan) {
			mapping.DestroyPrepare(&stmt)
			p.s.release(c)
			return nil, sqlstate.New(sqlstate.FeatureNotSupported, "cached plan must not change the products it reads").
				WithHint("Prepare the statement again (the search path changed since it was prepared).")
		}
		own = false
	} else {
		p.active = true
	}
	done := func() {
		if own {
			p.active = false
		} else {
			mapping.DestroyPrepare(&stmt)
		}
		p.s.release(c)
	}
	if err := bindArgs(stmt, args); err != nil {
		done()
		return nil, err
	}
	stop := watch(ctx, c.c)
	return stream(ctx, stmt, p.schema, func() { stop(); done() })
}

// stream executes a bound statement with DuckDB's streaming result; finish
// runs when the reader is released (or at once when it fails).
func stream(ctx context.Context, stmt mapping.PreparedStatement, schema *arrow.Schema, finish func()) (array.RecordReader, error) {
	var pending mapping.PendingResult
	if bindings.PendingPreparedStreaming(stmt, &pending) == mapping.StateError {
		msg := mapping.PendingError(pending)
		mapping.DestroyPending(&pending)
		finish()
		return nil, duckError(msg, errorTypeOf(msg))
	}
	var res mapping.Result
	state := mapping.ExecutePending(pending, &res)
	mapping.DestroyPending(&pending)
	if state == mapping.StateError {
		msg, typ := mapping.ResultError(&res), mapping.ResultErrorType(&res)
		mapping.DestroyResult(&res)
		finish()
		if err := ctx.Err(); err != nil {
			return nil, canceled(err)
		}
		return nil, duckError(msg, typ)
	}
	return newRecordReader(ctx, schema, res, finish)
}

// watch interrupts the connection's running query when ctx is done, until
// the returned stop is called (which waits, so a late interrupt can never
// hit the connection's next query). DuckDB clears a connection's interrupt
// when a query starts, so one interrupt sent while the query is starting
// is lost: the interrupt is repeated until stop.
func watch(ctx context.Context, c mapping.Connection) (stop func()) {
	if ctx.Done() == nil {
		return func() {}
	}
	quit := make(chan struct{})
	exited := make(chan struct{})
	go func() {
		defer close(exited)
		select {
		case <-ctx.Done():
		case <-quit:
			return
		}
		t := time.NewTicker(interruptRepeat)
		defer t.Stop()
		for {
			mapping.Interrupt(c)
			select {
			case <-t.C:
			case <-quit:
				return
			}
		}
	}()
	return func() {
		close(quit)
		<-exited
	}
}

// interruptRepeat is how often watch repeats an interrupt.
const interruptRepeat = 25 * time.Millisecond

func bindArgs(stmt mapping.PreparedStatement, args []any) error {
	if mapping.ClearBindings(stmt) == mapping.StateError {
		return sqlstate.New(sqlstate.InternalError, "cannot reset parameters")
	}
	for i, a := range args {
		idx := mapping.IdxT(i + 1)
		var st mapping.State
		switch v := a.(type) {
		case nil:
			st = mapping.BindNull(stmt, idx)
		case bool:
			st = mapping.BindBoolean(stmt, idx, v)
		case int64:
			st = mapping.BindInt64(stmt, idx, v)
		case float64:
			st = mapping.BindDouble(stmt, idx, v)
		case string:
			st = mapping.BindVarchar(stmt, idx, v)
		case []byte:
			st = mapping.BindBlob(stmt, idx, v)
		default:
			return sqlstate.New(sqlstate.InternalError, "parameter $%d has an unsupported Go type %T", i+1, a)
		}
		if st == mapping.StateError {
			return sqlstate.New(sqlstate.DatatypeMismatch, "parameter $%d: value %v does not fit the parameter's type", i+1, a)
		}
	}
	return nil
}

// Close frees the prepared statement.
func (p *Prepared) Close() {
	p.s.mu.Lock()
	defer p.s.mu.Unlock()
	if p.stmt.Ptr != nil {
		mapping.DestroyPrepare(&p.stmt)
	}
}

// Close ends the session: its connections are closed and its catalog
// detached. Open readers must be released first.
func (s *Session) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	for _, c := range s.conns {
		mapping.Interrupt(c.c)
		mapping.Disconnect(&c.c)
	}
	s.conns = nil
	if s.planner != nil {
		if s.planner.planStmt.Ptr != nil {
			mapping.DestroyPrepare(&s.planner.planStmt)
		}
		mapping.Interrupt(s.planner.c)
		mapping.Disconnect(&s.planner.c)
		s.planner = nil
	}
	s.mu.Unlock()
	if !s.e.poolCatalog(s) {
		s.e.detach(s.catalog)
	}
	s.e.detachDropped()
}
