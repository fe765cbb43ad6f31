package gateway

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/meshgate/meshgate/gateway/pgwire"
)

// renamed is the schema with the column names of the PostgreSQL fields
// (DuckDB's own names can differ: ?column?, a planner alias); the schema
// itself when they agree.
func renamed(sc *arrow.Schema, fields []pgwire.Field) *arrow.Schema {
	if sc == nil || len(fields) != sc.NumFields() {
		return sc
	}
	same := true
	for i, f := range sc.Fields() {
		if f.Name != fields[i].Name {
			same = false
		}
	}
	if same {
		return sc
	}
	out := make([]arrow.Field, sc.NumFields())
	for i, f := range sc.Fields() {
		f.Name = fields[i].Name
		out[i] = f
	}
	md := sc.Metadata()
	return arrow.NewSchema(out, &md)
}

// renamedRecords hands out the reader's batches under a renamed schema
// (the same column arrays, no copy).
type renamedRecords struct {
	array.RecordReader
	schema *arrow.Schema
	cur    arrow.RecordBatch
}

func (r *renamedRecords) Schema() *arrow.Schema { return r.schema }

func (r *renamedRecords) Next() bool {
	if r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
	if !r.RecordReader.Next() {
		return false
	}
	rec := r.RecordReader.RecordBatch()
	r.cur = array.NewRecordBatch(r.schema, rec.Columns(), rec.NumRows())
	return true
}

func (r *renamedRecords) RecordBatch() arrow.RecordBatch { return r.cur }

// Record is RecordBatch (the older name in arrow-go's interface).
func (r *renamedRecords) Record() arrow.RecordBatch { return r.cur }

func (r *renamedRecords) Release() {
	if r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
	r.RecordReader.Release()
}
