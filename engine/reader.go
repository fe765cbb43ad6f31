package engine

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/duckdb/duckdb-go/v2/arrowmapping"
	"github.com/duckdb/duckdb-go/v2/mapping"

	"github.com/meshgate/meshgate/sqlstate"
)

// MetaDuckType is the Arrow field metadata key that carries the DuckDB type
// where the Arrow type alone is ambiguous (UUID and JSON arrive as utf8).
const MetaDuckType = "duckdb.type"

// recordReader streams a DuckDB result (materialised or streaming) as Arrow
// record batches, one per DuckDB data chunk.
type recordReader struct {
	refs   atomic.Int64
	ctx    context.Context
	res    mapping.Result
	opts   arrowmapping.ArrowOptions
	schema *arrow.Schema
	onDone func() // frees what the query held (statement, connection, watcher)

	mu   sync.Mutex
	cur  arrow.RecordBatch
	err  error
	done bool
	eof  bool // the result is exhausted: DuckDB must not be asked again
}

var _ array.RecordReader = (*recordReader)(nil)

// newRecordReader takes ownership of res; onDone runs once when the reader
// is released (or here, on error). cancelled reports whether a cancel made
// the query stop, so the error says so.
func newRecordReader(ctx context.Context, schema *arrow.Schema, res mapping.Result, onDone func()) (*recordReader, error) {
	r := &recordReader{ctx: ctx, res: res, onDone: onDone}
	r.refs.Store(1)
	r.opts = arrowmapping.ResultGetArrowOptions(&r.res)
	if schema == nil {
		var err error
		schema, err = resultSchema(r.opts, &r.res)
		if err != nil {
			r.free()
			return nil, err
		}
	}
	r.schema = schema
	return r, nil
}

// resultSchema derives the Arrow schema of a result, with DuckDB type
// metadata where needed.
func resultSchema(opts arrowmapping.ArrowOptions, res *mapping.Result) (*arrow.Schema, error) {
	n := mapping.ColumnCount(res)
	names := make([]string, n)
	types := make([]mapping.LogicalType, n)
	for i := mapping.IdxT(0); i < n; i++ {
		names[i] = mapping.ColumnName(res, i)
		types[i] = mapping.ColumnLogicalType(res, i)
	}
	defer func() {
		for i := range types {
			mapping.DestroyLogicalType(&types[i])
		}
	}()
	return arrowSchema(opts, names, types)
}

func arrowSchema(opts arrowmapping.ArrowOptions, names []string, types []mapping.LogicalType) (*arrow.Schema, error) {
	schema, ed := arrowmapping.NewArrowSchema(opts, types, names)
	if mapping.ErrorDataHasError(ed) {
		msg := mapping.ErrorDataMessage(ed)
		mapping.DestroyErrorData(&ed)
		return nil, sqlstate.New(sqlstate.FeatureNotSupported, "result type not supported: %s", msg)
	}
	mapping.DestroyErrorData(&ed)
	fields := schema.Fields()
	changed := false
	for i, lt := range types {
		if name := duckTypeName(lt); name != "" {
			fields[i].Metadata = arrow.NewMetadata([]string{MetaDuckType}, []string{name})
			changed = true
		}
		// A list of UUID or JSON (uuid[], json[]) carries the element's
		// DuckDB type on the list's element field.
		if mapping.GetTypeId(lt) == mapping.TypeList {
			if lst, ok := fields[i].Type.(*arrow.ListType); ok {
				child := mapping.ListTypeChildType(lt)
				name := duckTypeName(child)
				mapping.DestroyLogicalType(&child)
				if name != "" {
					elem := lst.ElemField()
					elem.Metadata = arrow.NewMetadata([]string{MetaDuckType}, []string{name})
					fields[i].Type = arrow.ListOfField(elem)
					changed = true
				}
			}
		}
	}
	if changed {
		schema = arrow.NewSchema(fields, nil)
	}
	return schema, nil
}

// duckTypeName names the DuckDB types whose Arrow form is ambiguous.
func duckTypeName(lt mapping.LogicalType) string {
	switch mapping.GetTypeId(lt) {
	case mapping.TypeUUID:
		return "UUID"
	case mapping.TypeTimeTZ:
		return "TIME WITH TIME ZONE"
	case mapping.TypeVarchar:
		if mapping.LogicalTypeGetAlias(lt) == "JSON" {
			return "JSON"
		}
	}
	return ""
}

func (r *recordReader) Retain() { r.refs.Add(1) }

func (r *recordReader) Release() {
	if r.refs.Add(-1) == 0 {
		r.mu.Lock()
		defer r.mu.Unlock()
		if r.cur != nil {
			r.cur.Release()
			r.cur = nil
		}
		r.free()
	}
}

func (r *recordReader) free() {
	if r.done {
		return
	}
	r.done = true
	arrowmapping.DestroyArrowOptions(&r.opts)
	mapping.DestroyResult(&r.res)
	if r.onDone != nil {
		r.onDone()
	}
}

func (r *recordReader) Schema() *arrow.Schema { return r.schema }

func (r *recordReader) Next() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
	if r.err != nil || r.done || r.eof {
		return false
	}
	if err := r.ctx.Err(); err != nil {
		r.err = canceled(err)
		return false
	}
	chunk := mapping.FetchChunk(r.res)
	if chunk.Ptr == nil {
		r.eof = true
		if msg := mapping.ResultError(&r.res); msg != "" {
			if err := r.ctx.Err(); err != nil {
				r.err = canceled(err)
			} else {
				r.err = duckError(msg, mapping.ResultErrorType(&r.res))
			}
		}
		return false
	}
	defer mapping.DestroyDataChunk(&chunk)
	rec, ed := arrowmapping.DataChunkToArrowArray(r.opts, r.schema, chunk)
	if mapping.ErrorDataHasError(ed) {
		r.err = sqlstate.New(sqlstate.InternalError, "cannot convert result: %s", mapping.ErrorDataMessage(ed))
		mapping.DestroyErrorData(&ed)
		return false
	}
	mapping.DestroyErrorData(&ed)
	if err := checkArrays(rec); err != nil {
		rec.Release()
		r.err = err
		return false
	}
	r.cur = rec
	return true
}

// checkArrays refuses nested lists that are not rectangular: they are
// PostgreSQL's multi-dimensional arrays, which must have sub-arrays of
// matching dimensions (a ragged list has no PostgreSQL form).
func checkArrays(rec arrow.RecordBatch) error {
	for _, col := range rec.Columns() {
		l, ok := col.(array.ListLike)
		if !ok {
			continue
		}
		if _, nested := l.ListValues().(array.ListLike); !nested {
			continue
		}
		for i := 0; i < l.Len(); i++ {
			if l.IsValid(i) && !rectangular(l, i) {
				return sqlstate.New(sqlstate.ArraySubscriptError, "multidimensional arrays must have sub-arrays with matching dimensions")
			}
		}
	}
	return nil
}

// rectangular reports whether row i of a nested list has sub-lists of
// one length at every level, and no NULL sub-list.
func rectangular(l array.ListLike, i int) bool {
	start, end := l.ValueOffsets(i)
	inner, ok := l.ListValues().(array.ListLike)
	if !ok {
		return true
	}
	width := int64(-1)
	for j := start; j < end; j++ {
		if inner.IsNull(int(j)) {
			return false
		}
		s, e := inner.ValueOffsets(int(j))
		if width >= 0 && e-s != width {
			return false
		}
		width = e - s
		if !rectangular(inner, int(j)) {
			return false
		}
	}
	return true
}

func (r *recordReader) Record() arrow.RecordBatch { return r.RecordBatch() }

func (r *recordReader) RecordBatch() arrow.RecordBatch {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.cur
}

func (r *recordReader) Err() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.err
}

// Canceled turns a context error into the client's 57014 (statement
// timeout or user request), as a canceled engine result reports it.
func Canceled(err error) error { return canceled(err) }

// canceled turns a context error into the client's 57014.
func canceled(err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return sqlstate.Wrap(err, sqlstate.QueryCanceled, "canceling statement due to statement timeout")
	}
	return sqlstate.Wrap(err, sqlstate.QueryCanceled, "canceling statement due to user request")
}
