package connectors

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
)

// chanReader is a RecordReader fed by a producer goroutine.
type chanReader struct {
	schema   *arrow.Schema
	ch       chan arrow.RecordBatch
	cancel   context.CancelFunc
	finished chan struct{}
	err      error // set by the producer before it closes ch
	refs     atomic.Int64
	released atomic.Bool
	cur      arrow.RecordBatch
	once     sync.Once
}

func (r *chanReader) Retain() { r.refs.Add(1) }

func (r *chanReader) Schema() *arrow.Schema { return r.schema }

func (r *chanReader) RecordBatch() arrow.RecordBatch { return r.cur }

// Record is the deprecated name of RecordBatch.
func (r *chanReader) Record() arrow.RecordBatch { return r.cur }

func (r *chanReader) Err() error {
	select {
	case <-r.finished:
		return r.err
	default:
		return nil
	}
}

func (r *chanReader) Next() bool {
	if r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
	rec, ok := <-r.ch
	if !ok {
		<-r.finished
		r.cancel()
		return false
	}
	r.cur = rec
	return true
}

func (r *chanReader) Release() {
	if r.refs.Add(-1) != 0 {
		return
	}
	r.once.Do(func() {
		r.released.Store(true)
		if r.cur != nil {
			r.cur.Release()
			r.cur = nil
		}
		r.cancel()
		for rec := range r.ch {
			rec.Release()
		}
		<-r.finished
	})
}
