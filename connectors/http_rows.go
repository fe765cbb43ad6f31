package connectors

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/meshgate/meshgate/planner/catalog"
	"github.com/meshgate/meshgate/sqlstate"
)

// rowSink turns an http port's JSON rows into Arrow batches of the
// declared columns, refusing drift.

// rowSink receives the rows of a scan.
type rowSink struct {
	c      *httpConnector
	cols   []catalog.Column // all declared columns (each row is checked against all)
	want   []int            // the requested ones, indexes into cols
	schema *arrow.Schema    // of the requested columns
	rb     *array.RecordBuilder
	apps   []jsonAppender
	known  map[string]bool // source field names
	row    int64           // rows seen so far
	n      int             // rows in the batch being built
	limit  int64           // < 0: none
	emit   func(arrow.RecordBatch) bool
}

func (s *rowSink) release() { s.rb.Release() }

// done reports whether the limit is reached.
func (s *rowSink) done() bool { return s.limit >= 0 && s.row >= s.limit }

// add checks one JSON object against the declared schema and appends it.
func (s *rowSink) add(pg *page, raw json.RawMessage) error {
	s.row++
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '{' {
		return s.mismatch(pg, "", DriftError{}, fmt.Sprintf("is %s, not a JSON object", jsonKind(raw)))
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return s.c.readError(context.Background(), pg, err)
	}
	if s.c.strict {
		var extra []string
		for k := range m {
			if !s.known[k] {
				extra = append(extra, k)
			}
		}
		if len(extra) > 0 {
			sort.Strings(extra)
			s.discard()
			return s.mismatch(pg, extra[0], DriftError{Column: extra[0], Actual: jsonKind(m[extra[0]])},
				fmt.Sprintf("has the field %q, which the schema does not declare (declare it, or set options.strict: false to ignore undeclared fields)", extra[0]))
		}
	}
	for i, col := range s.cols {
		src := s.c.port.SourceName(col.Name)
		v, ok := m[src]
		if !ok {
			s.discard()
			return s.mismatch(pg, src, DriftError{Column: col.Name, Declared: col.Type},
				fmt.Sprintf("has no field %q for the declared column %s %s", src, col.Name, col.Type))
		}
		if string(v) == "null" {
			if col.Required {
				s.discard()
				return sqlstate.New(sqlstate.DataException, "%s: row %d (page %d) has null in field %q, but column %s is declared required", s.c.name(), s.row, pg.n, src, col.Name)
			}
			s.rb.Field(i).AppendNull()
			continue
		}
		if err := s.apps[i](v); err != nil {
			s.discard()
			var ke *kindError
			if errors.As(err, &ke) {
				return s.mismatch(pg, src, DriftError{Column: col.Name, Declared: col.Type, Actual: ke.kind},
					fmt.Sprintf("field %q %v", src, err))
			}
			var ve *valueError
			if errors.As(err, &ve) {
				return sqlstate.Wrap(err, ve.code, fmt.Sprintf("%s: row %d (page %d): field %q (column %s %s) %s", s.c.name(), s.row, pg.n, src, col.Name, col.Type, ve.msg))
			}
			return sqlstate.Wrap(err, sqlstate.InvalidTextRepresentation, fmt.Sprintf("%s: row %d (page %d): field %q (column %s %s) %v", s.c.name(), s.row, pg.n, src, col.Name, col.Type, err))
		}
	}
	s.n++
	if s.n >= BatchRows || s.done() {
		return s.flush()
	}
	return nil
}

// mismatch is a drift error about one row.
func (s *rowSink) mismatch(pg *page, field string, d DriftError, msg string) error {
	d.Row = s.row
	if d.Column == "" {
		d.Column = field
	}
	return drift(s.c.p, s.c.port, d, fmt.Sprintf("row %d (page %d, GET %s) %s", s.row, pg.n, shown(pg.url), msg))
}

// discard drops the row being appended (and the batch: an error ends the scan).
func (s *rowSink) discard() { discardBuilder(s.rb); s.n = 0 }

// discardBuilder empties a record builder whose columns may have
// different lengths (a row failed half-way).
func discardBuilder(rb *array.RecordBuilder) {
	for i := range rb.Schema().NumFields() {
		rb.Field(i).NewArray().Release()
	}
}

// flush emits the batch built so far, projected to the requested columns.
func (s *rowSink) flush() error {
	if s.n == 0 {
		return nil
	}
	full := s.rb.NewRecordBatch()
	defer full.Release()
	cols := make([]arrow.Array, len(s.want))
	for i, j := range s.want {
		cols[i] = full.Column(j)
	}
	rec := array.NewRecordBatch(s.schema, cols, int64(s.n))
	s.n = 0
	if !s.emit(rec) {
		return context.Canceled
	}
	return nil
}
