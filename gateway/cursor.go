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
// whose rows FETCH takes a slice at a time. Cursors are forward-only.
type cursor struct {
	rr     array.RecordReader
	fields []pgwire.Field
	hold   bool
	cancel context.CancelFunc // stops the query when the cursor closes

	cur arrow.RecordBatch // batch being consumed (retained)
	off int64             // next row of cur
}

// declare opens a cursor. Its query runs under a context of the session,
// not of the DECLARE statement, so it outlives it.
func (s *session) declare(p *portal) (*pgwire.Result, error) {
	cl := p.st.cl
	if !cl.Hold && s.tx == txIdle {
		return nil, sqlstate.New(sqlstate.NoActiveTransaction, "DECLARE CURSOR can only be used in transaction blocks").
			WithHint("Run BEGIN first, or declare the cursor WITH HOLD.")
	}
	if _, dup := s.cursors[cl.Name]; dup {
		return nil, sqlstate.New(sqlstate.DuplicateCursor, "cursor %q already exists", cl.Name)
	}
	ctx, cancel := context.WithCancel(context.Background())
	if err := s.fetchRemote(ctx, p.st.read, p.args); err != nil {
		cancel()
		return nil, err
	}
	rr, err := p.st.prepared.Query(ctx, p.args)
	if err != nil {
		cancel()
		return nil, err
	}
	s.cursors[cl.Name] = &cursor{rr: rr, fields: s.pgFields(p.st.read, p.st.prepared.Schema()), hold: cl.Hold, cancel: cancel}
	return &pgwire.Result{Command: "DECLARE CURSOR"}, nil
}

// closeCursor closes a cursor; false if there is none by that name.
func (s *session) closeCursor(name string) bool {
	c := s.cursors[name]
	if c == nil {
		return false
	}
	delete(s.cursors, name)
	if c.cur != nil {
		c.cur.Release()
	}
	c.cancel()
	c.rr.Release()
	return true
}

// fetch answers FETCH/MOVE: up to Count rows (-1: all) from the cursor.
func (s *session) fetch(ctx context.Context, cl *planner.Statement) (*pgwire.Result, error) {
	c := s.cursors[cl.Name]
	if c == nil {
		return nil, errNoCursor(cl.Name)
	}
	// A CancelRequest during FETCH stops the cursor's query.
	stop := context.AfterFunc(ctx, c.cancel)
	fr := &fetchReader{c: c, left: cl.Fetch.Count, stop: stop}
	fr.refs = 1
	if cl.Fetch.Move {
		defer fr.Release()
		var n int64
		for fr.Next() {
			n += fr.RecordBatch().NumRows()
		}
		if err := fr.Err(); err != nil {
			return nil, err
		}
		return &pgwire.Result{Command: fmt.Sprintf("MOVE %d", n)}, nil
	}
	return &pgwire.Result{Records: fr, Command: "FETCH", Counted: true}, nil
}

// fetchReader yields at most left rows of a cursor (all if left < 0),
// leaving the rest in the cursor. Releasing it does not close the cursor.
type fetchReader struct {
	c    *cursor
	left int64
	stop func() bool
	out  arrow.RecordBatch
	err  error

	mu   sync.Mutex
	refs int
}

func (f *fetchReader) Schema() *arrow.Schema { return f.c.rr.Schema() }

func (f *fetchReader) Next() bool {
	if f.out != nil {
		f.out.Release()
		f.out = nil
	}
	if f.left == 0 || f.err != nil {
		return false
	}
	c := f.c
	for c.cur == nil || c.off >= c.cur.NumRows() {
		if c.cur != nil {
			c.cur.Release()
			c.cur = nil
		}
		if !c.rr.Next() {
			f.err = c.rr.Err()
			return false
		}
		c.cur = c.rr.RecordBatch()
		c.cur.Retain()
		c.off = 0
	}
	take := c.cur.NumRows() - c.off
	if f.left >= 0 && take > f.left {
		take = f.left
	}
	f.out = c.cur.NewSlice(c.off, c.off+take)
	c.off += take
	if f.left > 0 {
		f.left -= take
	}
	return true
}

func (f *fetchReader) Record() arrow.RecordBatch      { return f.out }
func (f *fetchReader) RecordBatch() arrow.RecordBatch { return f.out }
func (f *fetchReader) Err() error                     { return f.err }

func (f *fetchReader) Retain() {
	f.mu.Lock()
	f.refs++
	f.mu.Unlock()
}

func (f *fetchReader) Release() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.refs--
	if f.refs == 0 {
		if f.out != nil {
			f.out.Release()
			f.out = nil
		}
		f.stop()
	}
}
