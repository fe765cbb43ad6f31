package gateway

import (
	"context"
	"fmt"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/meshgate/meshgate/gateway/pgwire"
	"github.com/meshgate/meshgate/planner"
	"github.com/meshgate/meshgate/sqlstate"
)

// cursor is an SQL cursor (DECLARE … CURSOR FOR query): a running query
// whose rows FETCH and MOVE take a slice at a time, with PostgreSQL's
// position: 0 before the first row, k on row k, count+1 after the last.
//
// A SCROLL cursor keeps every row it has read, so it can move backward
// and to any row (FETCH PRIOR, BACKWARD, ABSOLUTE, RELATIVE, FIRST,
// LAST). Any other cursor keeps only the batch it is in and refuses to
// move backward with PostgreSQL's 55000.
type cursor struct {
	rr     array.RecordReader
	fields []pgwire.Field
	hold   bool
	scroll bool
	cancel context.CancelFunc // stops the query when the cursor closes

	batches []arrow.RecordBatch // rows base+1 … base+loaded, retained
	base    int64               // rows dropped before batches[0] (forward-only cursors)
	loaded  int64
	done    bool // rr is exhausted: the cursor has base+loaded rows
	pos     int64
}

// declare opens a cursor. Its query runs under a context of the session,
// not of the DECLARE statement, so it outlives it.
func (s *session) declare(p *portal) (*pgwire.Result, error) {
	cl := p.st.cl
	if !cl.Hold && s.tx == txIdle {
		return nil, sqlstate.New(sqlstate.NoActiveTransaction, "DECLARE CURSOR can only be used in transaction blocks").
			WithHint("Run BEGIN first, or declare the cursor WITH HOLD.")
	}
	if _, dup := s.cursorFields(cl.Name); dup {
		return nil, sqlstate.New(sqlstate.DuplicateCursor, "cursor %q already exists", cl.Name)
	}
	ctx, cancel := context.WithCancel(context.Background())
	rr, err := s.startRead(ctx, p.st, p.args) // cacheread.go
	if err != nil {
		cancel()
		return nil, err
	}
	s.cursors[cl.Name] = &cursor{rr: rr, fields: s.pgFields(p.st.read, p.st.prepared.Schema()), hold: cl.Hold,
		scroll: cl.Scroll, cancel: cancel}
	return &pgwire.Result{Command: "DECLARE CURSOR"}, nil
}

// closeCursor closes a cursor; false if there is none by that name.
func (s *session) closeCursor(name string) bool {
	c := s.cursors[name]
	if c == nil {
		return false
	}
	delete(s.cursors, name)
	for _, b := range c.batches {
		b.Release()
	}
	c.batches = nil
	c.cancel()
	c.rr.Release()
	return true
}

func errScrollForward() error {
	// 55000: object_not_in_prerequisite_state, as PostgreSQL.
	return sqlstate.New(sqlstate.ObjectNotInPrerequisiteState, "cursor can only scan forward").WithHint("Declare it with SCROLL option to enable backward scan.")
}

// count is the number of rows read so far.
func (c *cursor) count() int64 { return c.base + c.loaded }

// load reads batches until row upto is read (upto < 0: all) or the query
// ends. A forward-only cursor lets go of the batches wholly before row
// keep as it goes: it never needs them again.
func (c *cursor) load(upto, keep int64) error {
	for {
		for !c.scroll && len(c.batches) > 0 && c.base+c.batches[0].NumRows() < keep {
			n := c.batches[0].NumRows()
			c.batches[0].Release()
			c.batches = c.batches[1:]
			c.base += n
			c.loaded -= n
		}
		if c.done || (upto >= 0 && c.count() >= upto) {
			return nil
		}
		if !c.rr.Next() {
			c.done = true
			return c.rr.Err()
		}
		rec := c.rr.RecordBatch()
		if rec.NumRows() == 0 {
			continue
		}
		rec.Retain()
		c.batches = append(c.batches, rec)
		c.loaded += rec.NumRows()
	}
}

// slice returns rows from … to (1-based, inclusive, within one batch at
// most: it stops at the batch's end) as a new retained record, and the
// last row it holds.
func (c *cursor) slice(from, to int64) (arrow.RecordBatch, int64) {
	start := c.base
	for _, b := range c.batches {
		n := b.NumRows()
		if from <= start+n {
			last := min(to, start+n)
			return b.NewSlice(from-start-1, last-start), last
		}
		start += n
	}
	return nil, from - 1
}

// One cursor namespace with the protocol's portals, as in PostgreSQL: an
// SQL cursor is a portal to Describe, Execute and Close (pgwire.Cursor),
// and FETCH, MOVE and CLOSE reach a portal a client bound (asyncpg's
// cursor.forward() is MOVE on its portal). Portals move forward only.

// SetPortals implements pgwire.PortalUser.
func (s *session) SetPortals(p pgwire.Portals) { s.portals = p }

// Cursor implements pgwire.CursorSession.
func (s *session) Cursor(name string) pgwire.Cursor {
	if c := s.cursors[name]; c != nil {
		return sqlCursor{s: s, c: c}
	}
	return nil
}

// CloseCursor implements pgwire.CursorSession.
func (s *session) CloseCursor(name string) bool { return s.closeCursor(name) }

// cursorFields describes the SQL cursor or portal called name.
func (s *session) cursorFields(name string) ([]pgwire.Field, bool) {
	if c := s.cursors[name]; c != nil {
		return c.fields, true
	}
	if s.portals != nil {
		return s.portals.PortalFields(name)
	}
	return nil, false
}

// sqlCursor is an SQL cursor seen as a portal.
type sqlCursor struct {
	s *session
	c *cursor
}

func (sc sqlCursor) Fields() []pgwire.Field { return sc.c.fields }

func (sc sqlCursor) Fetch(ctx context.Context, n int64) (array.RecordReader, error) {
	if n <= 0 {
		n = -1
	}
	return sc.s.fetchRows(ctx, sc.c, &planner.FetchOptions{Dir: planner.FetchForward, Count: n})
}

// fetchPortal answers FETCH/MOVE on a protocol portal: forward only.
func (s *session) fetchPortal(ctx context.Context, cl *planner.Statement) (array.RecordReader, error) {
	if s.portals == nil {
		return nil, errNoCursor(cl.Name)
	}
	if _, ok := s.portals.PortalFields(cl.Name); !ok {
		return nil, errNoCursor(cl.Name)
	}
	if cl.Fetch.Dir != planner.FetchForward || cl.Fetch.Count == 0 {
		return nil, errScrollForward()
	}
	return s.portals.FetchPortal(ctx, cl.Name, cl.Fetch.Count)
}

// fetchRows moves a cursor and returns the rows, with a CancelRequest
// during the FETCH stopping the cursor's query for as long as its rows
// are being sent.
func (s *session) fetchRows(ctx context.Context, c *cursor, f *planner.FetchOptions) (array.RecordReader, error) {
	stop := context.AfterFunc(ctx, c.cancel)
	rr, err := c.move(f)
	if err != nil {
		stop()
		return nil, err
	}
	if fr, ok := rr.(*forwardReader); ok {
		fr.stop = stop
	} else {
		stop()
	}
	return rr, nil
}

// fetch answers FETCH/MOVE on a cursor.
func (s *session) fetch(ctx context.Context, cl *planner.Statement) (*pgwire.Result, error) {
	var rr array.RecordReader
	var err error
	if c := s.cursors[cl.Name]; c != nil {
		rr, err = s.fetchRows(ctx, c, cl.Fetch)
	} else {
		rr, err = s.fetchPortal(ctx, cl)
	}
	if err != nil {
		return nil, err
	}
	if cl.Fetch.Move {
		defer rr.Release()
		var n int64
		for rr.Next() {
			n += rr.RecordBatch().NumRows()
		}
		if err := rr.Err(); err != nil {
			return nil, err
		}
		return &pgwire.Result{Command: fmt.Sprintf("MOVE %d", n)}, nil
	}
	return &pgwire.Result{Records: rr, Command: "FETCH", Counted: true}, nil
}

// move positions the cursor as f says and returns the rows FETCH returns:
// forward rows stream (FETCH ALL of a large result is never held), the
// others are already read.
func (c *cursor) move(f *planner.FetchOptions) (array.RecordReader, error) {
	schema := c.rr.Schema()
	none := func() (array.RecordReader, error) { return array.NewRecordReader(schema, nil) }
	// at fetches the single row target, or moves before the first or
	// after the last row when there is none.
	at := func(target int64) (array.RecordReader, error) {
		if target <= c.pos && !c.scroll {
			return nil, errScrollForward()
		}
		if target <= 0 {
			c.pos = 0
			return none()
		}
		if err := c.load(target, target); err != nil {
			return nil, err
		}
		if target > c.count() {
			c.pos = c.count() + 1
			return none()
		}
		c.pos = target
		rec, _ := c.slice(target, target)
		defer rec.Release()
		return array.NewRecordReader(schema, []arrow.RecordBatch{rec})
	}
	switch f.Dir {
	case planner.FetchAbsolute:
		if f.Count < 0 {
			if !c.scroll {
				return nil, errScrollForward()
			}
			if err := c.load(-1, 0); err != nil {
				return nil, err
			}
			return at(c.count() + 1 + f.Count)
		}
		return at(f.Count)
	case planner.FetchRelative:
		if f.Count > 0 && c.pos > c.count() {
			return none() // already after the last row
		}
		return at(c.pos + f.Count)
	case planner.FetchBackward:
		if !c.scroll {
			return nil, errScrollForward()
		}
		if f.Count == 0 {
			return at(c.pos)
		}
		from := int64(1)
		if f.Count > 0 {
			from = max(c.pos-f.Count, 1)
		}
		var recs []arrow.RecordBatch
		for r := min(c.pos-1, c.count()); r >= from; r-- {
			rec, _ := c.slice(r, r)
			recs = append(recs, rec)
		}
		if f.Count < 0 || c.pos-f.Count < 1 {
			c.pos = 0
		} else {
			c.pos -= f.Count
		}
		rr, err := array.NewRecordReader(schema, recs)
		for _, r := range recs {
			r.Release()
		}
		return rr, err
	}
	if f.Count == 0 { // FETCH FORWARD 0 re-fetches the current row
		if !c.scroll {
			return nil, errScrollForward()
		}
		return at(c.pos)
	}
	fr := &forwardReader{c: c, left: f.Count, schema: schema}
	fr.refs = 1
	return fr, nil
}

// forwardReader yields the next left rows of a cursor (all if left < 0),
// advancing its position as it goes; releasing it does not close the
// cursor.
type forwardReader struct {
	c      *cursor
	left   int64
	schema *arrow.Schema
	stop   func() bool // ends the CancelRequest hook
	out    arrow.RecordBatch
	err    error

	mu   sync.Mutex
	refs int
}

func (f *forwardReader) Schema() *arrow.Schema { return f.schema }

func (f *forwardReader) Next() bool {
	if f.out != nil {
		f.out.Release()
		f.out = nil
	}
	c := f.c
	if f.left == 0 || f.err != nil || c.pos > c.count() && c.done {
		return false
	}
	next := c.pos + 1
	if err := c.load(next, next); err != nil {
		f.err = err
		return false
	}
	if next > c.count() {
		c.pos = c.count() + 1 // fell off the end
		return false
	}
	to := int64(1<<62 - 1)
	if f.left > 0 {
		to = c.pos + f.left
	}
	rec, last := c.slice(next, to)
	if f.left > 0 {
		f.left -= last - c.pos
	}
	c.pos = last
	f.out = rec
	return true
}

func (f *forwardReader) Record() arrow.RecordBatch      { return f.out }
func (f *forwardReader) RecordBatch() arrow.RecordBatch { return f.out }
func (f *forwardReader) Err() error                     { return f.err }

func (f *forwardReader) Retain() {
	f.mu.Lock()
	f.refs++
	f.mu.Unlock()
}

func (f *forwardReader) Release() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.refs--
	if f.refs != 0 {
		return
	}
	if f.out != nil {
		f.out.Release()
		f.out = nil
	}
	if f.stop != nil {
		f.stop()
		f.stop = nil
	}
}
