package flight

import (
	"context"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/flight"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshgate/meshgate/gateway"
)

// execute runs a prepared statement once per row of parameters, the
// results one after another in one stream (executemany); nil for a
// statement without rows. Zero rows of parameters run it zero times.
func execute(ctx context.Context, p *gateway.Prepared, params [][]*string) (array.RecordReader, error) {
	if len(params) == 0 {
		sc := p.Schema()
		if sc == nil {
			return nil, nil
		}
		return array.NewRecordReader(sc, nil)
	}
	rows, err := p.Query(ctx, params[0])
	if err != nil {
		return nil, err
	}
	if rows.Records == nil {
		for _, row := range params[1:] {
			more, err := p.Query(ctx, row)
			if err != nil {
				return nil, err
			}
			if more.Records != nil {
				more.Records.Release()
			}
		}
		return nil, nil
	}
	if len(params) == 1 {
		return rows.Records, nil
	}
	e := &executions{ctx: ctx, p: p, schema: rows.Records.Schema(), cur: rows.Records, rest: params[1:]}
	e.refs.Store(1)
	return e, nil
}

// executions reads the results of a statement's runs, one parameter row
// after another; a run starts when the one before has been read and
// released (one statement at a time on the session).
type executions struct {
	refs   atomic.Int64
	ctx    context.Context
	p      *gateway.Prepared
	schema *arrow.Schema
	cur    array.RecordReader
	rest   [][]*string
	err    error
}

func (e *executions) Schema() *arrow.Schema { return e.schema }

func (e *executions) Next() bool {
	for e.cur != nil && e.err == nil {
		if e.cur.Next() {
			return true
		}
		e.err = e.cur.Err()
		e.cur.Release()
		e.cur = nil
		if e.err != nil || len(e.rest) == 0 {
			break
		}
		rows, err := e.p.Query(e.ctx, e.rest[0])
		e.rest = e.rest[1:]
		if err != nil {
			e.err = err
			break
		}
		e.cur = rows.Records
	}
	return false
}

func (e *executions) RecordBatch() arrow.RecordBatch {
	if e.cur == nil {
		return nil
	}
	return e.cur.RecordBatch()
}

// Record is RecordBatch (the older name in arrow-go's interface).
func (e *executions) Record() arrow.RecordBatch { return e.RecordBatch() }

func (e *executions) Err() error { return e.err }

func (e *executions) Retain() { e.refs.Add(1) }

func (e *executions) Release() {
	if e.refs.Add(-1) == 0 && e.cur != nil {
		e.cur.Release()
		e.cur = nil
	}
}

// streamAhead is how many joined batches a DoGet may have ready while the
// one before is being sent: DuckDB and the Arrow conversion work on while
// gRPC writes.
const streamAhead = 2

// pump sends the reader's batches, joined into batches of about
// batchRows rows (DuckDB's are 2048: one gRPC message each would cost
// more than the rows), so memory stays one joined batch per stream. It
// releases the reader and the session before closing the channel, so the
// client's next call finds the session free. ctx is the statement's
// (finish cancels it); stream is the call's, which the final error waits on.
func pump(ctx, stream context.Context, mem memory.Allocator, rr array.RecordReader, ch chan<- flight.StreamChunk, finish func()) {
	var streamErr error
	var pending []arrow.RecordBatch
	var n int64
	send := func() {
		if len(pending) == 0 || streamErr != nil {
			return
		}
		rec, err := join(mem, rr.Schema(), pending)
		for _, p := range pending {
			p.Release()
		}
		pending, n = pending[:0], 0
		if err != nil {
			streamErr = err
			return
		}
		select {
		case ch <- flight.StreamChunk{Data: rec}:
		case <-ctx.Done():
			rec.Release()
			streamErr = ctx.Err()
		}
	}
	for streamErr == nil && rr.Next() {
		rec := rr.RecordBatch()
		rec.Retain()
		pending = append(pending, rec)
		if n += rec.NumRows(); n >= batchRows {
			send()
		}
	}
	send()
	for _, p := range pending {
		p.Release()
	}
	if streamErr == nil {
		streamErr = rr.Err()
	}
	rr.Release()
	finish()
	if streamErr != nil {
		select {
		case ch <- flight.StreamChunk{Err: statusOf(streamErr)}:
		case <-stream.Done():
		}
	}
	close(ch)
}

// batchRows is the size of the batches a DoGet sends.
const batchRows = 64 << 10

// join makes one batch of several (a copy; the batch itself when alone).
func join(mem memory.Allocator, sc *arrow.Schema, recs []arrow.RecordBatch) (arrow.RecordBatch, error) {
	if len(recs) == 1 {
		recs[0].Retain()
		return recs[0], nil
	}
	cols := make([]arrow.Array, sc.NumFields())
	parts := make([]arrow.Array, len(recs))
	var rows int64
	for _, r := range recs {
		rows += r.NumRows()
	}
	for j := range cols {
		for i, r := range recs {
			parts[i] = r.Column(j)
		}
		c, err := array.Concatenate(parts, mem)
		if err != nil {
			for _, c := range cols[:j] {
				c.Release()
			}
			return nil, err
		}
		cols[j] = c
	}
	rec := array.NewRecordBatch(sc, cols, rows)
	for _, c := range cols {
		c.Release()
	}
	return rec, nil
}
