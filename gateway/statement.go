package gateway

import (
	"context"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"go.opentelemetry.io/otel/trace"

	"github.com/meshgate/meshgate/engine"
	"github.com/meshgate/meshgate/gateway/pgcatalog"
	"github.com/meshgate/meshgate/gateway/pgwire"
	"github.com/meshgate/meshgate/planner"
	"github.com/meshgate/meshgate/planner/catalog"
	"github.com/meshgate/meshgate/sqlstate"
)

// statement is one classified statement of a session. Reads are checked
// by the planner and prepared in the engine (prepare); session statements
// are answered here when executed.
type statement struct {
	s        *session
	cl       *planner.Statement
	declared []uint32 // parameter types the client declared in Parse

	ready     bool
	policyGen int           // the session's policy generation when prepared
	read      *planner.Read // the planner's view of a read statement
	plan      *engine.Plan  // what DuckDB's bound plan reads (the audit's source)
	prepared  *engine.Prepared
	push      *pushPlan // the statement as its one source answers it (pushdown.go)
	health    []string  // the health of each product read, for the audit (health.go)
	cached    bool      // the last execution was answered from the result cache
	fields    []pgwire.Field
	params    []uint32

	// The execution's trace (observe.go): its root span, the context
	// children start under, and the span of sending the rows.
	traceCtx context.Context
	span     trace.Span
	send     trace.Span
}

var _ pgwire.Statement = (*statement)(nil)

func (st *statement) SQL() string { return st.cl.SQL }

func (st *statement) ParamOIDs() []uint32 { return st.params }

func (st *statement) Fields() []pgwire.Field { return st.fields }

func (st *statement) Close() {
	st.endTrace("")
	if st.prepared != nil {
		st.prepared.Close()
		st.prepared = nil
	}
}

// endsBlock reports whether the statement may run in a failed block:
// COMMIT, ROLLBACK and ROLLBACK TO SAVEPOINT.
func (st *statement) endsBlock() bool {
	switch st.cl.Kind {
	case planner.KindCommit, planner.KindRollback, planner.KindRollbackTo:
		return true
	}
	return false
}

// textField is a text result column.
func textField(name string) pgwire.Field {
	return pgwire.Field{Name: name, TypeOID: pgwire.OIDText, TypeSize: -1, TypeModifier: -1}
}

// prepare checks and prepares the statement once; for a multi-statement
// simple query it runs just before the statement executes, after the
// statements before it (a SET search_path, say) took effect.
func (st *statement) prepare(ctx context.Context) error {
	if st.ready {
		return nil
	}
	s := st.s
	switch st.cl.Kind {
	case planner.KindRead, planner.KindCopyOut, planner.KindDeclare:
		read, err := s.check(ctx, st.cl.Query)
		if err != nil {
			return err
		}
		st.read = read
		// Run the planner's rewrite of the query (catalog references
		// pointed at the session's own catalog); EXPLAIN keeps its prefix.
		prefix := ""
		if st.cl.Explain {
			prefix = st.cl.SQL[:len(st.cl.SQL)-len(st.cl.Query)]
			if a := s.filteredProduct(read); a != "" && st.cl.Analyze {
				return sqlstate.New(sqlstate.InsufficientPrivilege, "EXPLAIN ANALYZE is not allowed on %s: its row counts would reveal the rows a policy filters out", a).
					WithHint("Use EXPLAIN without ANALYZE; its row estimates are hidden too.")
			}
		}
		p, err := s.prepareTyped(ctx, prefix, read.SQL, st.declared)
		if err != nil {
			return err
		}
		st.plan = p.Plan()
		if err := s.explained(read, st.plan); err != nil {
			p.Close()
			return err
		}
		st.prepared = p
		switch {
		case st.cl.Kind == planner.KindRead && !st.cl.Explain:
			st.push = s.planPush(ctx, read, p.Schema())
		case st.cl.Kind == planner.KindRead:
			st.push = s.explainPush(ctx, read, st.declared)
		}
		switch {
		case st.cl.Explain:
			st.fields = []pgwire.Field{textField("QUERY PLAN")}
		case st.cl.Kind == planner.KindRead:
			st.fields = s.pgFields(read, p.Schema())
		}
		st.params = make([]uint32, len(p.Params()))
		for i, dt := range p.Params() {
			switch {
			case i < len(st.declared) && st.declared[i] != 0 && st.declared[i] != oidUnknown:
				st.params[i] = st.declared[i]
			case dt != nil:
				st.params[i], _, _ = pgwire.TypeFor(dt, arrow.Metadata{})
			default:
				st.params[i] = pgwire.OIDText
			}
		}
	case planner.KindSet:
		if st.cl.SetConfig {
			st.fields = []pgwire.Field{textField("set_config")}
		}
	case planner.KindShow:
		if st.cl.Name == "all" {
			st.fields = []pgwire.Field{textField("name"), textField("setting"), textField("description")}
		} else {
			name := st.cl.Name
			if d := s.g.defs[name]; d != nil {
				name = d.name
			}
			st.fields = []pgwire.Field{textField(name)}
		}
	case planner.KindFetch:
		if !st.cl.Fetch.Move {
			fields, ok := s.cursorFields(st.cl.Name)
			if !ok {
				return errNoCursor(st.cl.Name)
			}
			st.fields = fields
		}
	}
	if st.params == nil {
		// Session statements take no parameters; keep what the client
		// declared so Describe answers consistently.
		st.params = make([]uint32, len(st.declared))
		for i, oid := range st.declared {
			if oid == 0 {
				oid = pgwire.OIDText
			}
			st.params[i] = oid
		}
	}
	st.ready = true
	st.policyGen = s.policyGen
	return nil
}

// oidUnknown is PostgreSQL's "unknown" pseudo-type: a parameter declared
// so is as good as undeclared.
const oidUnknown = 705

// duckTypes are the DuckDB types of the PostgreSQL types a client may
// declare for a parameter in Parse. numeric is left out on purpose:
// DuckDB's DECIMAL has a fixed scale and would round the value, so a
// numeric parameter keeps the type the statement gives it.
var duckTypes = map[uint32]string{
	16: "BOOLEAN", 17: "BLOB", 18: "VARCHAR", 19: "VARCHAR", 20: "BIGINT", 21: "SMALLINT", 23: "INTEGER",
	25: "VARCHAR", 26: "BIGINT", 114: "JSON", 700: "FLOAT", 701: "DOUBLE", 1042: "VARCHAR", 1043: "VARCHAR",
	1082: "DATE", 1083: "TIME", 1114: "TIMESTAMP", 1184: "TIMESTAMPTZ", 1186: "INTERVAL", 1266: "TIMETZ",
	2950: "UUID", 3802: "JSON",
	1000: "BOOLEAN[]", 1001: "BLOB[]", 1005: "SMALLINT[]", 1007: "INTEGER[]", 1016: "BIGINT[]",
	1009: "VARCHAR[]", 1014: "VARCHAR[]", 1015: "VARCHAR[]", 1021: "FLOAT[]", 1022: "DOUBLE[]",
	1182: "DATE[]", 1183: "TIME[]", 1115: "TIMESTAMP[]", 1185: "TIMESTAMPTZ[]", 1187: "INTERVAL[]",
	2951: "UUID[]", 199: "JSON[]", 3807: "JSON[]",
}

// prepareTyped prepares run with its parameters typed as PostgreSQL types
// them: a parameter the client declared in Parse is cast to the DuckDB
// type of that OID (SELECT $1 declared int4 yields an int4 column), and
// one that is neither declared nor typed by the statement (SELECT $1,
// SELECT $1 || 'x') is text.
//
// Only when the plain prepare fails is the engine asked which parameters
// it could not type. DuckDB stops typing at the first parameter it cannot
// type, reporting the later ones unresolved too, so parameters are made
// text one at a time, the first one in the text first (SELECT $1,
// $2::date keeps $2 a date).
func (s *session) prepareTyped(ctx context.Context, prefix, run string, declared []uint32) (*engine.Prepared, error) {
	casts := map[int]string{}
	for i, oid := range declared {
		if t := duckTypes[oid]; t != "" {
			casts[i+1] = t
		}
	}
	typed, err := planner.CastParams(run, casts)
	if err != nil {
		return nil, err
	}
	p, err := s.es.Prepare(ctx, prefix, typed)
	if err == nil {
		return p, nil
	}
	first := err
	if sqlstate.CodeOf(err) == sqlstate.InsufficientPrivilege {
		return nil, err // refused, not a typing problem
	}
	order := planner.ParamOrder(run)
	for range order {
		unresolved, uerr := s.es.UnresolvedParams(ctx, prefix+typed)
		if uerr != nil {
			return nil, first
		}
		next := 0
		for _, n := range order {
			if _, cast := casts[n]; !cast && n <= len(unresolved) && unresolved[n-1] {
				next = n
				break
			}
		}
		if next == 0 {
			return nil, err
		}
		casts[next] = "VARCHAR"
		if typed, err = planner.CastParams(run, casts); err != nil {
			return nil, err
		}
		if p, err = s.es.Prepare(ctx, prefix, typed); err == nil {
			return p, nil
		}
	}
	return nil, err
}

// reprepare prepares a statement again after a policy change. A statement
// whose result columns changed answers 0A000, as PostgreSQL does for a
// cached plan, so drivers (pgx, pgjdbc) prepare it anew.
func (st *statement) reprepare(ctx context.Context) error {
	old := st.fields
	st.Close()
	st.ready, st.read, st.plan, st.fields, st.params = false, nil, nil, nil, nil
	if err := st.prepare(ctx); err != nil {
		return err
	}
	if len(old) != len(st.fields) {
		return sqlstate.New(sqlstate.FeatureNotSupported, "cached plan must not change result type")
	}
	for i := range old {
		if old[i].Name != st.fields[i].Name || old[i].TypeOID != st.fields[i].TypeOID {
			return sqlstate.New(sqlstate.FeatureNotSupported, "cached plan must not change result type")
		}
	}
	return nil
}

// pgFields describes result columns with PostgreSQL's column names and,
// for plain product columns, the table OID and column number clients use
// (pgjdbc's getTableName, psycopg2's table_oid).
func (s *session) pgFields(read *planner.Read, schema *arrow.Schema) []pgwire.Field {
	fields := pgwire.FieldsFromSchema(schema)
	duck := make([]string, len(fields))
	for i, f := range fields {
		duck[i] = f.Name
	}
	for i, n := range read.ColumnNames(duck) {
		fields[i].Name = n
	}
	for i, h := range read.ColumnTypes(len(fields)) {
		switch {
		case h.OID != 0:
			fields[i].TypeOID, fields[i].TypeModifier = h.OID, h.Typmod
		case fields[i].TypeOID == pgwire.OIDNumeric && (!h.Keep || fields[i].TypeModifier == unconstrainedTypmod):
			// PostgreSQL's numeric of an expression, or of an
			// unconstrained column, has no precision and scale.
			fields[i].TypeModifier = -1
		}
	}
	// Walk the select list: a * entry covers as many fields as its
	// product has granted columns.
	fi := 0
	for _, o := range read.Origins {
		if fi >= len(fields) {
			break
		}
		if o == nil {
			fi++
			continue
		}
		if o.Opaque {
			return fields // the positions after it are not known
		}
		if o.Null {
			// An untyped NULL is text in PostgreSQL; every value is NULL,
			// so the column's encoding does not matter.
			fields[fi].TypeOID, fields[fi].TypeSize = pgwire.OIDText, -1
			fi++
			continue
		}
		if o.Function != "" {
			if oid, ok := pgcatalog.FunctionTypeOID(o.Function); ok && fields[fi].TypeOID == pgwire.OIDText {
				fields[fi].TypeOID, fields[fi].TypeSize = oid, 64
			}
			fi++
			continue
		}
		if o.Catalog() {
			if !o.Star {
				catalogType(&fields[fi], o)
				fi++
				continue
			}
			cols, ok := pgcatalog.RelationColumns(o.Product.Domain, o.Product.Name)
			if !ok {
				return fields // its width is not known here
			}
			for _, c := range cols {
				if fi < len(fields) {
					catalogType(&fields[fi], &planner.Origin{Product: o.Product, Column: c})
				}
				fi++
			}
			continue
		}
		d, ok := s.decisions[o.Product]
		if !ok || !d.Granted {
			return fields
		}
		oid := pgcatalog.RelationOID(o.Product)
		if o.Star {
			for k, c := range d.Columns {
				if fi+k < len(fields) {
					fields[fi+k].TableOID, fields[fi+k].ColumnAttr = oid, int16(k+1)
					declaredType(&fields[fi+k], s.productColumn(o.Product, c.Name))
				}
			}
			fi += len(d.Columns)
			continue
		}
		for k, c := range d.Columns {
			if c.Name == o.Column {
				fields[fi].TableOID, fields[fi].ColumnAttr = oid, int16(k+1)
				declaredType(&fields[fi], s.productColumn(o.Product, c.Name))
			}
		}
		fi++
	}
	return fields
}

// catalogType gives a result column that is a pg_catalog relation's column
// of a PostgreSQL-only type that type's OID. Their text is the text the
// column carries, and so is their binary form where a client asks for it:
// name, "char" and varchar send their bytes, int2vector and oidvector are arrays of
// int2 and oid (regproc is described as such, and text in either format).
func catalogType(f *pgwire.Field, o *planner.Origin) {
	oid, ok := pgcatalog.ColumnTypeOID(o.Product.Domain, o.Product.Name, o.Column)
	if !ok {
		return
	}
	switch {
	case f.TypeOID == pgwire.OIDText && (oid == 19 || oid == 18 || oid == 24 || oid == pgwire.OIDVarchar),
		f.TypeOID == pgwire.OIDInt2Array && oid == 22, f.TypeOID == pgwire.OIDOidArray && oid == 30:
		f.TypeOID = oid
		if oid == 19 {
			f.TypeSize = 64
		} else if oid == 18 {
			f.TypeSize = 1
		}
	}
}

func errNoCursor(name string) error {
	return sqlstate.New(sqlstate.InvalidCursorName, "cursor %q does not exist", name)
}

// Bind implements pgwire.Statement. A statement refused here gets its
// audit record too.
func (st *statement) Bind(ctx context.Context, values [][]byte, formats []int16) (pgwire.Portal, error) {
	st.beginTrace(ctx)
	p, err := st.bind(ctx, values, formats)
	if err != nil {
		st.s.audit(st, time.Now(), err, 0)
		return nil, err
	}
	return p, nil
}

func (st *statement) bind(ctx context.Context, values [][]byte, formats []int16) (pgwire.Portal, error) {
	if st.s.tx == txFailed && !st.endsBlock() {
		return nil, errAborted()
	}
	if err := st.s.followPolicy(ctx); err != nil {
		return nil, err
	}
	if st.ready && st.policyGen != st.s.policyGen {
		// Prepared under a policy that has since been replaced: check and
		// prepare again, so the new grants, masks and filters apply.
		if err := st.reprepare(ctx); err != nil {
			return nil, err
		}
	}
	if err := st.prepare(ctx); err != nil {
		return nil, err
	}
	if len(values) != len(st.params) {
		return nil, sqlstate.New(sqlstate.ProtocolViolation, "bind message supplies %d parameters, but prepared statement requires %d", len(values), len(st.params))
	}
	args := make([]any, len(values))
	for i, v := range values {
		var f int16
		switch len(formats) {
		case 0:
		case 1:
			f = formats[0]
		default:
			if i < len(formats) {
				f = formats[i]
			}
		}
		if v == nil {
			continue
		}
		a, err := pgwire.DecodeParam(st.params[i], f, v)
		if err != nil {
			return nil, err
		}
		if str, ok := a.(string); ok && isArrayOID(st.params[i]) {
			a = planner.PGArrayToList(str) // DuckDB casts its own list text
		}
		args[i] = a
	}
	return &portal{st: st, args: args}, nil
}

// portal is a bound statement.
type portal struct {
	st   *statement
	args []any
}

var _ pgwire.Portal = (*portal)(nil)

func (p *portal) Fields() []pgwire.Field { return p.st.fields }

func (p *portal) Close() {}

// Execute implements pgwire.Portal.
func (p *portal) Execute(ctx context.Context) (*pgwire.Result, error) {
	st, s := p.st, p.st.s
	start := time.Now()
	st.beginTrace(ctx)
	span := st.startSpan("execute")
	res, err := p.execute(trace.ContextWithSpan(ctx, span))
	span.End()
	if err == nil {
		switch st.cl.Kind {
		case planner.KindSet, planner.KindReset, planner.KindBegin, planner.KindCommit, planner.KindRollback, planner.KindDiscard, planner.KindRollbackTo:
			err = s.publishSettings(ctx)
		}
	}
	s.logStatement(st, start, err)
	switch {
	case err != nil:
		s.audit(st, start, err, 0)
	case res.Records != nil && st.cl.Kind != planner.KindShow:
		st.send = st.startSpan("send")
		res.Records = &auditedRecords{RecordReader: res.Records, done: func(rows int64, err error) { s.audit(st, start, err, rows) }}
	case st.cl.Kind != planner.KindShow:
		s.audit(st, start, nil, 0)
	default:
		st.endTrace(sqlstate.SuccessfulCompletion) // SHOW is not audited
	}
	return res, err
}

func (p *portal) execute(ctx context.Context) (*pgwire.Result, error) {
	st, s := p.st, p.st.s
	if s.tx == txFailed && !st.endsBlock() {
		return nil, errAborted()
	}
	cl := st.cl
	var notices []pgwire.Notice
	switch cl.Kind {
	case planner.KindRead, planner.KindCopyOut, planner.KindDeclare:
		if st.plan != nil {
			var err error
			if notices, st.health, err = s.healthOf(st.plan.Products); err != nil {
				return nil, err
			}
		}
	}
	switch cl.Kind {
	case planner.KindRead:
		if cl.Explain && st.push != nil && s.values[pushdownSetting] != "off" {
			if res, err := s.explainPushed(ctx, st.push, cl.Analyze); res != nil || err != nil {
				return res, err
			}
		}
		rr, err := p.query(ctx)
		if err != nil {
			return nil, err
		}
		if cl.Explain {
			res, err := explainResult(rr, s.g.engine.Redact, s.filteredProduct(st.read) != "", s.cacheVerdict(st, p.args))
			return res, err
		}
		return &pgwire.Result{Records: rr, Command: "SELECT", Counted: true, Notices: notices}, nil
	case planner.KindCopyOut:
		rr, err := p.query(ctx)
		if err != nil {
			return nil, err
		}
		f := &pgwire.CopyFormat{Binary: cl.Copy.Format == "binary", CSV: cl.Copy.Format == "csv", Header: cl.Copy.Header, Delimiter: '\t', Null: `\N`}
		if f.CSV {
			f.Delimiter, f.Null = ',', ""
		}
		if cl.Copy.Delimiter != "" {
			f.Delimiter = cl.Copy.Delimiter[0]
		}
		if cl.Copy.HasNull {
			f.Null = cl.Copy.Null
		}
		return &pgwire.Result{Records: rr, Command: "COPY", Counted: true, Copy: f, Notices: notices}, nil
	case planner.KindDeclare:
		res, err := s.declare(p)
		if res != nil {
			res.Notices = append(res.Notices, notices...)
		}
		return res, err
	case planner.KindFetch:
		return s.fetch(ctx, cl)
	case planner.KindClose:
		if cl.Name == "all" {
			for name := range s.cursors {
				s.closeCursor(name)
			}
		} else if !s.closeCursor(cl.Name) && (s.portals == nil || !s.portals.ClosePortal(cl.Name)) {
			return nil, errNoCursor(cl.Name)
		}
		return &pgwire.Result{Command: "CLOSE CURSOR"}, nil
	case planner.KindSet:
		return s.execSet(cl)
	case planner.KindReset:
		return s.execReset(cl.Name)
	case planner.KindShow:
		return s.execShow(cl.Name)
	case planner.KindBegin:
		tag := "BEGIN" // PostgreSQL tags START TRANSACTION as such
		if cl.Start {
			tag = "START TRANSACTION"
		}
		switch s.tx {
		case txBlock:
			return &pgwire.Result{Command: tag, Notices: []pgwire.Notice{warning(sqlstate.ActiveTransaction, "there is already a transaction in progress")}}, nil
		}
		s.tx = txBlock
		s.txSaved = copyMap(s.values)
		s.localSaved = map[string]string{}
		// The block's isolation level: the one BEGIN names, else the
		// session's default (shown, without effect: every read is a
		// snapshot of the mesh).
		iso := cl.Isolation
		if iso == "" {
			iso = s.values["default_transaction_isolation"]
		}
		s.remember("transaction_isolation", true)
		s.values["transaction_isolation"] = iso
		return &pgwire.Result{Command: tag}, nil
	case planner.KindCommit, planner.KindRollback:
		tag := "COMMIT"
		if cl.Kind == planner.KindRollback || s.tx == txFailed {
			tag = "ROLLBACK"
		}
		if s.tx == txIdle {
			return &pgwire.Result{Command: tag, Notices: []pgwire.Notice{warning(sqlstate.NoActiveTransaction, "there is no transaction in progress")}}, nil
		}
		changed := s.endBlock(tag == "COMMIT")
		return &pgwire.Result{Command: tag, Changed: changed}, nil
	case planner.KindDiscard:
		if s.tx != txIdle {
			return nil, sqlstate.New(sqlstate.ActiveTransaction, "DISCARD ALL cannot run inside a transaction block")
		}
		var changed []pgwire.Param
		if cl.Name == "all" {
			for name := range s.cursors {
				s.closeCursor(name)
			}
			changed = s.restore(s.initial)
			s.checked.Purge()
		}
		return &pgwire.Result{Command: "DISCARD " + strings.ToUpper(cl.Name), Changed: changed}, nil
	case planner.KindSavepoint, planner.KindRelease, planner.KindRollbackTo:
		return s.execSavepoint(cl) // savepoint.go
	case planner.KindUnlisten:
		// No session ever listens (LISTEN is refused), so there is
		// nothing to stop listening to: PostgreSQL's answer for a session
		// without listeners. asyncpg's pool sends UNLISTEN * on release.
		return &pgwire.Result{Command: "UNLISTEN"}, nil
	case planner.KindDeallocate:
		// SQL-level PREPARE is refused, so there is nothing to free;
		// protocol-level statements are closed with Close messages.
		if cl.Name == "all" {
			return &pgwire.Result{Command: "DEALLOCATE ALL"}, nil
		}
		return &pgwire.Result{Command: "DEALLOCATE"}, nil
	}
	return nil, sqlstate.New(sqlstate.FeatureNotSupported, "statement is not supported")
}

// query starts the prepared read with the session's statement_timeout.
func (p *portal) query(ctx context.Context) (array.RecordReader, error) {
	cancel := context.CancelFunc(func() {})
	if d := p.st.s.statementTimeout(); d > 0 {
		ctx, cancel = context.WithTimeout(ctx, d)
	}
	if pp := p.st.push; pp != nil && p.st.s.values[pushdownSetting] != "off" {
		rr, ok, err := p.st.s.runPush(ctx, pp)
		if err != nil {
			cancel()
			return nil, err
		}
		if ok {
			return &releaseHook{RecordReader: rr, onRelease: cancel}, nil
		}
		p.st.push = nil // refused by the source: the engine answers from now on
	}
	rr, err := p.st.s.startRead(ctx, p.st, p.args) // cacheread.go
	if err != nil {
		cancel()
		return nil, err
	}
	return &releaseHook{RecordReader: rr, onRelease: cancel}, nil
}

// releaseHook runs a function when the reader is released for good.
type releaseHook struct {
	array.RecordReader
	refs      int
	onRelease func()
}

func (r *releaseHook) Retain() { r.refs++; r.RecordReader.Retain() }

func (r *releaseHook) Release() {
	r.RecordReader.Release()
	if r.refs == 0 && r.onRelease != nil {
		r.onRelease()
		r.onRelease = nil
	}
	r.refs--
}

func (s *session) execSet(cl *planner.Statement) (*pgwire.Result, error) {
	switch cl.Name {
	case "transaction":
		if cl.Isolation != "" && s.tx != txIdle {
			s.remember("transaction_isolation", true)
			s.values["transaction_isolation"] = cl.Isolation
		}
		return &pgwire.Result{Command: "SET"}, nil
	case "session_characteristics":
		if cl.Isolation != "" {
			for _, name := range []string{"default_transaction_isolation", "transaction_isolation"} {
				if _, err := s.set(name, cl.Isolation, false); err != nil {
					return nil, err
				}
			}
		}
		return &pgwire.Result{Command: "SET"}, nil
	}
	if cl.Local && s.tx == txIdle {
		return &pgwire.Result{Command: "SET", Notices: []pgwire.Notice{warning(sqlstate.NoActiveTransaction, "SET LOCAL can only be used in transaction blocks")}}, nil
	}
	var value string
	if cl.Default {
		v, ok := s.initial[cl.Name]
		if !ok {
			if d := s.g.defs[cl.Name]; d != nil {
				v = d.def
			}
		}
		value = v
	} else {
		value = strings.Join(cl.Values, ", ")
	}
	changed, err := s.set(cl.Name, value, cl.Local)
	if err != nil {
		return nil, err
	}
	res := &pgwire.Result{Command: "SET"}
	if cl.SetConfig {
		res.Command, res.Counted = "SELECT", true
		res.Records = textRecords([]string{"set_config"}, [][]string{{s.values[cl.Name]}})
	}
	if changed != nil {
		res.Changed = []pgwire.Param{*changed}
	}
	return res, nil
}

func (s *session) execReset(name string) (*pgwire.Result, error) {
	res := &pgwire.Result{Command: "RESET"}
	if name == "all" {
		res.Changed = s.restore(s.initial)
		return res, nil
	}
	v, ok := s.initial[name]
	if !ok {
		if !strings.Contains(name, ".") && s.g.defs[name] == nil {
			return nil, sqlstate.New(sqlstate.UndefinedObject, "unrecognized configuration parameter %q", name)
		}
		delete(s.values, name)
		return res, nil
	}
	if d := s.g.defs[name]; d != nil && d.readOnly {
		return nil, sqlstate.New(sqlstate.CantChangeRuntimeParam, "parameter %q cannot be changed", d.name)
	}
	changed, err := s.set(name, v, false)
	if err != nil {
		return nil, err
	}
	if changed != nil {
		res.Changed = []pgwire.Param{*changed}
	}
	return res, nil
}

func (s *session) execShow(name string) (*pgwire.Result, error) {
	if name == "all" {
		names := sortedSettingNames(s.g.defs)
		cols := [3][]string{}
		for _, n := range names {
			cols[0] = append(cols[0], s.g.defs[n].name)
			cols[1] = append(cols[1], s.values[n])
			cols[2] = append(cols[2], "")
		}
		return &pgwire.Result{Records: textRecords([]string{"name", "setting", "description"}, cols[:]), Command: "SHOW"}, nil
	}
	v, ok := s.values[name]
	if !ok {
		return nil, sqlstate.New(sqlstate.UndefinedObject, "unrecognized configuration parameter %q", name)
	}
	col := name
	if d := s.g.defs[name]; d != nil {
		col = d.name
	}
	return &pgwire.Result{Records: textRecords([]string{col}, [][]string{{v}}), Command: "SHOW"}, nil
}

// textRecords builds a one-batch reader of text columns.
func textRecords(names []string, cols [][]string) array.RecordReader {
	fields := make([]arrow.Field, len(names))
	for i, n := range names {
		fields[i] = arrow.Field{Name: n, Type: arrow.BinaryTypes.String, Nullable: true}
	}
	schema := arrow.NewSchema(fields, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	for i, col := range cols {
		sb := b.Field(i).(*array.StringBuilder)
		for _, v := range col {
			sb.Append(v)
		}
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	rr, _ := array.NewRecordReader(schema, []arrow.RecordBatch{rec})
	return rr
}

// explainResult turns DuckDB's EXPLAIN output (explain_key, explain_value)
// into PostgreSQL's single "QUERY PLAN" column, one line a row.
func explainResult(rr array.RecordReader, redact func(string) string, hideCounts bool, note string) (*pgwire.Result, error) {
	defer rr.Release()
	var lines []string
	for rr.Next() {
		rec := rr.RecordBatch()
		col, ok := rec.Column(int(rec.NumCols() - 1)).(*array.String)
		if !ok {
			return nil, sqlstate.New(sqlstate.InternalError, "unexpected EXPLAIN output")
		}
		for i := 0; i < col.Len(); i++ {
			for _, line := range strings.Split(strings.TrimRight(engine.Sanitize(redact(col.Value(i))), "\n"), "\n") {
				lines = append(lines, strings.Clone(line))
			}
		}
	}
	if err := rr.Err(); err != nil {
		return nil, err
	}
	lines = redactFilenames(lines)
	if hideCounts {
		lines = redactRowCounts(lines)
	}
	lines = append(lines, note)
	return &pgwire.Result{Records: textRecords([]string{"QUERY PLAN"}, [][]string{lines}), Command: "EXPLAIN"}, nil
}

// isArrayOID reports whether oid is one of PostgreSQL's array types.
func isArrayOID(oid uint32) bool {
	switch oid {
	case 199, 1000, 1001, 1005, 1007, 1009, 1014, 1015, 1016, 1021, 1022, 1028, 1115, 1182, 1183, 1185, 1187, 1231, 1270, 2951, 3807:
		return true
	}
	return false
}

// filteredProduct names a product of the read whose view a row filter
// shapes for this session ("" when none).
func (s *session) filteredProduct(read *planner.Read) string {
	if read == nil {
		return ""
	}
	for _, a := range read.Products {
		if len(s.decisions[a].Filters) > 0 {
			return a.String()
		}
	}
	return ""
}

// explained refuses a statement whose bound plan reads a product the
// planner did not resolve from its text: the checker and DuckDB disagree
// about a name, so neither is trusted (fail closed).
func (s *session) explained(read *planner.Read, plan *engine.Plan) error {
	named := map[string]bool{}
	for _, a := range read.Products {
		named[a.String()] = true
	}
	for _, a := range plan.Products {
		if !named[a.String()] {
			s.log.Warn("statement refused: DuckDB binds a product the planner did not resolve", "product", a.String())
			return sqlstate.New(sqlstate.InsufficientPrivilege, "this statement reads %s through a name meshgate cannot resolve with certainty", a).
				WithHint("Name products by address (e.g. SELECT * FROM %s), and give CTEs names that are not products.", a)
		}
	}
	return nil
}

// unconstrainedTypmod is the type modifier DuckDB's type of an
// unconstrained numeric would give (catalog.UnconstrainedNumeric,
// DECIMAL(38,16)); PostgreSQL's is -1.
const unconstrainedTypmod = (38<<16 | 16) + 4

// productColumn is the declared type of a product's column as the session
// reads it unmasked; "" when masked or unknown.
func (s *session) productColumn(a catalog.Address, name string) string {
	d := s.decisions[a]
	for _, c := range d.Columns {
		if c.Name == name && c.MaskRule != "" {
			return ""
		}
	}
	if p := s.g.engine.Product(a); p != nil {
		for _, c := range p.Columns {
			if c.Name == name {
				return c.Declared
			}
		}
	}
	return ""
}

// declaredType gives a product column's field the PostgreSQL type its
// declaration says where DuckDB's type cannot (varchar(n), character(n),
// an unconstrained numeric).
func declaredType(f *pgwire.Field, declared string) {
	if oid, typmod, ok := catalog.DeclaredPGType(declared); ok && declared != "" {
		if oid == catalog.OIDNumeric && f.TypeOID != pgwire.OIDNumeric || oid != catalog.OIDNumeric && f.TypeOID != pgwire.OIDText {
			return // the column's value is not the declared type's (a port's view)
		}
		f.TypeOID, f.TypeModifier = oid, typmod
	}
}
