package pgwire

import (
	"context"
	"slices"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/meshgate/meshgate/sqlstate"
)

// statement is a prepared statement on the connection. st is nil for an
// empty query, whose portals answer EmptyQueryResponse.
//
// A portal keeps the statement it was bound from alive: as in PostgreSQL,
// closing (or re-parsing the unnamed) statement does not break a portal
// already bound from it. The Statement is closed when it was dropped and
// its last portal is gone.
type statement struct {
	name      string
	st        Statement
	paramOIDs []uint32 // as declared in Parse

	portals int  // open portals bound from this statement
	dropped bool // closed by the client (or replaced) but still referenced
}

// close drops the statement; the Statement is freed once no portal uses it.
func (s *statement) close() {
	s.dropped = true
	s.free()
}

func (s *statement) free() {
	if s.dropped && s.portals == 0 && s.st != nil {
		s.st.Close()
		s.st = nil
	}
}

func (s *statement) params() []uint32 {
	if s.st != nil {
		return s.st.ParamOIDs()
	}
	return s.paramOIDs
}

// portal is a bound statement. Its execution state (run, res, rows)
// survives between Executes while it is suspended.
type portal struct {
	name    string
	stmt    *statement // what it was bound from (nil in the simple protocol)
	p       Portal     // nil for an empty query
	fields  []Field
	formats []int16       // result format codes as bound
	schema  *arrow.Schema // of the rows, once executed

	run    *run
	res    *Result
	rows   *rowStream
	done   bool
	failed bool
}

func (p *portal) close() {
	if p.rows != nil {
		p.rows.close()
		p.rows = nil
	}
	if p.p != nil {
		p.p.Close()
		p.p = nil
	}
	if p.run != nil {
		p.run.cancel()
	}
	if p.stmt != nil {
		p.stmt.portals--
		p.stmt.free()
		p.stmt = nil
	}
}

// parse handles Parse. As in PostgreSQL, a Parse of the unnamed statement
// drops the previous one first, even when the new text then fails.
func (c *conn) parse(ctx context.Context, m *pgproto3.Parse) error {
	if m.Name != "" {
		if _, ok := c.stmts[m.Name]; ok {
			return c.refused(m.Query, sqlstate.New(sqlstate.DuplicatePreparedStatement, "prepared statement %q already exists", m.Name))
		}
	} else if old := c.stmts[""]; old != nil {
		old.close()
		delete(c.stmts, "")
	}
	oids := slices.Clone(m.ParameterOIDs)
	stmts, err := c.sess.Parse(ctx, m.Query, oids)
	if err != nil {
		return err
	}
	if len(stmts) > 1 {
		for _, s := range stmts {
			s.Close()
		}
		return c.refused(m.Query, sqlstate.New(sqlstate.SyntaxError, "cannot insert multiple commands into a prepared statement"))
	}
	s := &statement{name: m.Name, paramOIDs: oids}
	if len(stmts) == 1 {
		s.st = stmts[0]
	}
	c.stmts[m.Name] = s
	c.w.msg(&pgproto3.ParseComplete{})
	return nil
}

// noStatement is PostgreSQL's error for a missing prepared statement.
func noStatement(name string) error {
	if name == "" {
		return sqlstate.New(sqlstate.InvalidSQLStatementName, "unnamed prepared statement does not exist")
	}
	return sqlstate.New(sqlstate.InvalidSQLStatementName, "prepared statement %q does not exist", name)
}

func noPortal(name string) error {
	return sqlstate.New(sqlstate.InvalidCursorName, "portal %q does not exist", name)
}

// errAborted is the error for a statement that would return rows in a
// failed transaction block.
func errAborted() error {
	return sqlstate.New(sqlstate.InFailedTransaction, "current transaction is aborted, commands ignored until end of transaction block")
}

func checkFormatCodes(codes []int16) error {
	for _, f := range codes {
		if f != 0 && f != 1 {
			return sqlstate.New(sqlstate.InvalidParameterValue, "unsupported format code: %d", f)
		}
	}
	return nil
}

// bind handles Bind, checking in PostgreSQL's order: the statement, the
// parameter counts, the portal name (the unnamed portal is replaced), then
// the format codes and values.
func (c *conn) bind(ctx context.Context, m *pgproto3.Bind) error {
	s, ok := c.stmts[m.PreparedStatement]
	if !ok {
		return noStatement(m.PreparedStatement)
	}
	nparams := len(m.Parameters)
	if n := len(m.ParameterFormatCodes); n > 1 && n != nparams {
		return protocolError("bind message has %d parameter formats but %d parameters", n, nparams)
	}
	if want := len(s.params()); want != nparams {
		return protocolError("bind message supplies %d parameters, but prepared statement %q requires %d", nparams, s.name, want)
	}
	if m.DestinationPortal != "" {
		if _, ok := c.portals[m.DestinationPortal]; ok || c.sqlCursor(m.DestinationPortal) != nil {
			return sqlstate.New(sqlstate.DuplicateCursor, "cursor %q already exists", m.DestinationPortal)
		}
	} else if old := c.portals[""]; old != nil {
		old.close()
		delete(c.portals, "")
	}
	if err := checkFormatCodes(m.ParameterFormatCodes); err != nil {
		return err
	}
	if err := checkFormatCodes(m.ResultFormatCodes); err != nil {
		return err
	}
	p := &portal{name: m.DestinationPortal, formats: slices.Clone(m.ResultFormatCodes)}
	if s.st != nil {
		p.fields = s.st.Fields()
		if n := len(m.ResultFormatCodes); n > 1 && n != len(p.fields) {
			return protocolError("bind message has %d result formats but query has %d columns", n, len(p.fields))
		}
		values := cloneValues(m.Parameters)
		bound, err := s.st.Bind(ctx, values, slices.Clone(m.ParameterFormatCodes))
		if err != nil {
			return err
		}
		p.p = bound
		if f := bound.Fields(); f != nil {
			p.fields = f
		}
	}
	p.stmt = s
	s.portals++
	c.portals[m.DestinationPortal] = p
	c.w.msg(&pgproto3.BindComplete{})
	return nil
}

// cloneValues copies Bind's parameter values out of the receive buffer
// into one allocation, keeping nil (NULL) as nil.
func cloneValues(in [][]byte) [][]byte {
	if len(in) == 0 {
		return nil
	}
	n := 0
	for _, v := range in {
		n += len(v)
	}
	backing := make([]byte, 0, n)
	out := make([][]byte, len(in))
	for i, v := range in {
		if v == nil {
			continue
		}
		start := len(backing)
		backing = append(backing, v...)
		out[i] = backing[start:len(backing):len(backing)]
	}
	return out
}

// describe handles Describe 'S' and 'P'. It never executes anything. In a
// failed transaction block a statement that returns rows cannot be
// described (25P02), as in PostgreSQL.
func (c *conn) describe(m *pgproto3.Describe) error {
	switch m.ObjectType {
	case 'S':
		s, ok := c.stmts[m.Name]
		if !ok {
			return noStatement(m.Name)
		}
		var fields []Field
		if s.st != nil {
			fields = s.st.Fields()
		}
		if fields != nil && c.sess.TxStatus() == 'E' {
			return errAborted()
		}
		c.w.msg(&pgproto3.ParameterDescription{ParameterOIDs: s.params()})
		c.describeRows(fields, nil)
	case 'P':
		fields, formats := []Field(nil), []int16(nil)
		if p, ok := c.portals[m.Name]; ok {
			fields, formats = p.fields, p.formats
		} else if cur := c.sqlCursor(m.Name); cur != nil {
			fields = cur.Fields() // an SQL cursor's rows are text
		} else {
			return noPortal(m.Name)
		}
		if fields != nil && c.sess.TxStatus() == 'E' {
			return errAborted()
		}
		c.describeRows(fields, formats)
	default:
		return protocolError("invalid DESCRIBE message subtype %d", m.ObjectType)
	}
	return nil
}

func (c *conn) describeRows(fields []Field, formats []int16) {
	if fields == nil {
		c.w.msg(&pgproto3.NoData{})
		return
	}
	c.w.msg(rowDescription(fields, formats))
}

// execute handles Execute.
func (c *conn) execute(ctx context.Context, name string, maxRows uint32) error {
	p, ok := c.portals[name]
	if !ok {
		if cur := c.sqlCursor(name); cur != nil {
			return c.executeCursor(ctx, cur, int64(maxRows))
		}
		return noPortal(name)
	}
	return c.runPortal(ctx, p, int64(maxRows), false)
}

// runPortal runs (or continues) a portal, sending its rows and its
// completion. simple adds the RowDescription the simple protocol sends
// before the rows. Errors are returned for the caller to report; an error
// after a CancelRequest hit the execution becomes 57014.
func (c *conn) runPortal(ctx context.Context, p *portal, maxRows int64, simple bool) error {
	if p.p == nil {
		c.w.msg(&pgproto3.EmptyQueryResponse{})
		return nil
	}
	if p.done {
		// A completed query yields no more rows, as PostgreSQL's
		// PORTAL_ONE_SELECT; a command (or a failed portal) cannot run
		// again.
		if p.res == nil || p.failed || p.res.Records == nil || p.res.Copy != nil {
			return sqlstate.New(sqlstate.ObjectNotInPrerequisiteState, "portal %q cannot be run", p.name)
		}
		c.w.msg(&pgproto3.CommandComplete{CommandTag: commandTag(p.res, 0)})
		return nil
	}
	if p.run == nil {
		rctx, cancel := context.WithCancel(ctx)
		p.run = &run{ctx: rctx, cancel: cancel}
	}
	c.begin(p.run)
	err := c.step(p, maxRows, simple)
	c.end()
	if err != nil {
		p.done, p.failed = true, true
		if p.rows != nil {
			p.rows.close()
			p.rows = nil
		}
		if c.terminated.Load() {
			c.toldDown = true
			return errShutdown()
		}
		if p.run.canceled.Load() {
			c.log.Debug("pgwire: statement canceled", "err", err)
			return errCanceled()
		}
		return err
	}
	return nil
}

func (c *conn) step(p *portal, maxRows int64, simple bool) error {
	ctx := p.run.ctx
	if p.res == nil {
		res, err := p.p.Execute(ctx)
		if err != nil {
			return err
		}
		if res == nil {
			res = &Result{}
		}
		p.res = res
		for _, n := range res.Notices {
			c.w.msg(noticeResponse(n))
		}
		if res.Records != nil {
			p.schema = res.Records.Schema()
			p.rows = newRowStream(res.Records, p.formats, encodeOptions{loc: c.timeZone()})
		}
		if res.Copy != nil {
			n, err := c.sendCopy(ctx, p.rows, res.Copy)
			if err != nil {
				return err
			}
			return c.complete(p, n)
		}
		if simple {
			fields := p.fields
			if fields == nil && res.Records != nil {
				fields = FieldsFromSchema(res.Records.Schema())
			}
			if fields != nil {
				c.w.msg(rowDescription(fields, nil))
			}
		}
	}
	var n int64
	if p.rows != nil {
		var suspended bool
		var err error
		n, suspended, err = c.sendRows(ctx, p.rows, maxRows)
		if err != nil {
			return err
		}
		if suspended {
			c.w.msg(&pgproto3.PortalSuspended{})
			return nil
		}
	}
	return c.complete(p, n)
}

// complete ends a portal's execution: CommandComplete, then the changed
// run-time parameters.
func (c *conn) complete(p *portal, n int64) error {
	if p.rows != nil {
		p.rows.close()
		p.rows = nil
	}
	p.done = true
	c.w.msg(&pgproto3.CommandComplete{CommandTag: commandTag(p.res, n)})
	for _, ch := range p.res.Changed {
		c.w.msg(&pgproto3.ParameterStatus{Name: ch.Name, Value: ch.Value})
	}
	return nil
}

// timeZone is the session's time zone for timestamptz output.
func (c *conn) timeZone() *time.Location {
	if tz := c.sess.TimeZone(); tz != nil {
		return tz
	}
	return time.UTC
}

// closeObject handles Close 'S' and 'P'; closing what does not exist is
// not an error.
func (c *conn) closeObject(m *pgproto3.Close) error {
	switch m.ObjectType {
	case 'S':
		if s, ok := c.stmts[m.Name]; ok {
			s.close()
			delete(c.stmts, m.Name)
		}
	case 'P':
		if p, ok := c.portals[m.Name]; ok {
			p.close()
			delete(c.portals, m.Name)
		} else if cs, ok := c.sess.(CursorSession); ok {
			cs.CloseCursor(m.Name)
		}
	default:
		return protocolError("invalid CLOSE message subtype %d", m.ObjectType)
	}
	c.w.msg(&pgproto3.CloseComplete{})
	return nil
}

// sync handles Sync: end of an extended-protocol batch.
func (c *conn) sync() {
	c.ignoreTillSync = false
	c.endOfTransactionWork()
	c.readyForQuery()
	_ = c.w.flush()
}

// endOfTransactionWork closes every portal when no transaction block is
// open, as PostgreSQL does when its implicit transaction ends.
func (c *conn) endOfTransactionWork() {
	if c.sess.TxStatus() != 'I' {
		return
	}
	for name, p := range c.portals {
		p.close()
		delete(c.portals, name)
	}
}

// refused tells a session that records refusals (an audit trail) that the
// protocol layer refused a statement the session had not refused itself.
func (c *conn) refused(sql string, err error) error {
	if r, ok := c.sess.(Refuser); ok {
		r.Refused(sql, err)
	}
	return err
}
