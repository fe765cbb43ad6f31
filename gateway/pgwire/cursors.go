package pgwire

import (
	"context"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/meshgate/meshgate/sqlstate"
)

// The portal side of the one cursor namespace (handler.go): SQL cursors
// reached by Describe, Execute and Close, and protocol portals reached by
// FETCH, MOVE and CLOSE.

// sqlCursor returns the session's SQL cursor called name, if any.
func (c *conn) sqlCursor(name string) Cursor {
	if cs, ok := c.sess.(CursorSession); ok {
		return cs.Cursor(name)
	}
	return nil
}

// executeCursor answers Execute on an SQL cursor: its next maxRows rows
// (all when 0) in text, then PortalSuspended when the limit was reached,
// else CommandComplete, as PostgreSQL does for a DECLARE'd portal.
func (c *conn) executeCursor(ctx context.Context, cur Cursor, maxRows int64) error {
	if c.sess.TxStatus() == 'E' {
		return errAborted()
	}
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	r := &run{ctx: rctx, cancel: cancel}
	c.begin(r)
	defer c.end()
	rr, err := cur.Fetch(rctx, maxRows)
	if err != nil {
		return c.canceled(r, err)
	}
	rows := newRowStream(rr, nil, encodeOptions{loc: c.timeZone()})
	defer rows.close()
	n, _, err := c.sendRows(rctx, rows, 0)
	if err != nil {
		return c.canceled(r, err)
	}
	if maxRows > 0 && n == maxRows {
		c.w.msg(&pgproto3.PortalSuspended{})
		return nil
	}
	c.w.msg(&pgproto3.CommandComplete{CommandTag: commandTag(&Result{Command: "SELECT", Counted: true}, n)})
	return nil
}

// canceled turns the error of a run a CancelRequest hit into 57014.
func (c *conn) canceled(r *run, err error) error {
	if r.canceled.Load() {
		return errCanceled()
	}
	return err
}

// portalAccess is the connection's Portals.
type portalAccess struct{ c *conn }

func (a portalAccess) PortalFields(name string) ([]Field, bool) {
	p, ok := a.c.portals[name]
	if !ok {
		return nil, false
	}
	return p.fields, true
}

func (a portalAccess) ClosePortal(name string) bool {
	p, ok := a.c.portals[name]
	if !ok {
		return false
	}
	p.close()
	delete(a.c.portals, name)
	return true
}

func (a portalAccess) FetchPortal(ctx context.Context, name string, n int64) (array.RecordReader, error) {
	c := a.c
	p, ok := c.portals[name]
	if !ok {
		return nil, noPortal(name)
	}
	if p.p == nil || p.failed || (p.res != nil && (p.res.Records == nil || p.res.Copy != nil)) || (p.res == nil && p.fields == nil) {
		return nil, sqlstate.New(sqlstate.ObjectNotInPrerequisiteState, "portal %q cannot be fetched from: it does not return rows", name)
	}
	if p.res == nil {
		// Run it as Execute would, under the connection's context: it
		// outlives the FETCH. A CancelRequest during this FETCH stops it.
		if p.run == nil {
			rctx, cancel := context.WithCancel(c.ctx)
			p.run = &run{ctx: rctx, cancel: cancel}
		}
		stop := context.AfterFunc(ctx, p.run.cancel)
		res, err := p.p.Execute(p.run.ctx)
		stop()
		if err != nil {
			p.done, p.failed = true, true
			return nil, err
		}
		if res == nil || res.Records == nil || res.Copy != nil {
			if res != nil && res.Records != nil {
				res.Records.Release()
			}
			p.done, p.failed = true, true
			return nil, sqlstate.New(sqlstate.ObjectNotInPrerequisiteState, "portal %q cannot be fetched from: it does not return rows", name)
		}
		p.res, p.schema = res, res.Records.Schema()
		p.rows = newRowStream(res.Records, p.formats, encodeOptions{loc: c.timeZone()})
	}
	pr := &portalRows{ctx: p.run.ctx, left: n, schema: p.schema}
	pr.refs.Store(1)
	if p.rows != nil { // nil once it ran to completion: no more rows
		pr.rows = p.rows
	}
	return pr, nil
}

// portalRows hands a portal's rows to a FETCH as Arrow slices, moving the
// portal's own stream on, so a later Execute continues after them.
type portalRows struct {
	rows   *rowStream
	ctx    context.Context
	left   int64 // < 0: all
	schema *arrow.Schema
	out    arrow.RecordBatch
	err    error
	refs   atomic.Int64
}

func (r *portalRows) Schema() *arrow.Schema { return r.schema }

func (r *portalRows) Next() bool {
	if r.out != nil {
		r.out.Release()
		r.out = nil
	}
	if r.rows == nil || r.left == 0 || r.err != nil {
		return false
	}
	ok, err := r.rows.advance(r.ctx)
	if err != nil || !ok {
		r.err = err
		return false
	}
	take := int64(r.rows.nrows - r.rows.row)
	if r.left > 0 && take > r.left {
		take = r.left
	}
	r.out = r.rows.rec.NewSlice(int64(r.rows.row), int64(r.rows.row)+take)
	r.rows.row += int(take)
	if r.left > 0 {
		r.left -= take
	}
	return true
}

func (r *portalRows) Record() arrow.RecordBatch      { return r.out }
func (r *portalRows) RecordBatch() arrow.RecordBatch { return r.out }
func (r *portalRows) Err() error                     { return r.err }
func (r *portalRows) Retain()                        { r.refs.Add(1) }

func (r *portalRows) Release() {
	if r.refs.Add(-1) == 0 && r.out != nil {
		r.out.Release()
		r.out = nil
	}
}
