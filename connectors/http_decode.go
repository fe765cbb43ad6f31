package connectors

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"

	"github.com/meshgate/meshgate/sqlstate"
)

// Decoding an http port's pages: JSON, NDJSON and Arrow IPC bodies.

// readPage streams the rows of one page into sink and returns the URL of
// the next page ("" for none).
func (c *httpConnector) readPage(ctx context.Context, pg *page, sink *rowSink) (string, error) {
	next := ""
	if c.paging == "link" {
		next = linkNext(pg.resp.Header)
	}
	switch pg.format {
	case "arrow":
		return next, c.readArrow(ctx, pg, sink)
	case "ndjson":
		dec := json.NewDecoder(pg.body)
		for !sink.done() {
			var raw json.RawMessage
			if err := dec.Decode(&raw); err == io.EOF {
				break
			} else if err != nil {
				return "", c.readError(ctx, pg, err)
			}
			if err := sink.add(pg, raw); err != nil {
				return "", err
			}
		}
		return next, nil
	}
	dec := json.NewDecoder(pg.body)
	tok, err := dec.Token()
	if err != nil {
		return "", c.readError(ctx, pg, err)
	}
	array := func() error {
		for dec.More() && !sink.done() {
			var raw json.RawMessage
			if err := dec.Decode(&raw); err != nil {
				return c.readError(ctx, pg, err)
			}
			if err := sink.add(pg, raw); err != nil {
				return err
			}
		}
		return nil
	}
	switch tok {
	case json.Delim('['):
		return next, array()
	case json.Delim('{'):
		found := false
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return "", c.readError(ctx, pg, err)
			}
			key, _ := kt.(string)
			switch {
			case key == c.dataField && !found:
				found = true
				t, err := dec.Token()
				if err != nil {
					return "", c.readError(ctx, pg, err)
				}
				if t != json.Delim('[') {
					return "", sqlstate.New(sqlstate.DatatypeMismatch, "%s: page %d: field %q is not an array of rows", c.name(), pg.n, c.dataField)
				}
				if err := array(); err != nil {
					return "", err
				}
				if sink.done() {
					return "", nil
				}
				if _, err := dec.Token(); err != nil { // ]
					return "", c.readError(ctx, pg, err)
				}
			case key == c.nextField && c.paging == "next_field":
				var v any
				if err := dec.Decode(&v); err != nil {
					return "", c.readError(ctx, pg, err)
				}
				switch v := v.(type) {
				case string:
					next = v
				case nil:
				default:
					return "", sqlstate.New(sqlstate.DatatypeMismatch, "%s: page %d: field %q should hold the next page's URL, not %T", c.name(), pg.n, c.nextField, v)
				}
			default:
				var skip json.RawMessage
				if err := dec.Decode(&skip); err != nil {
					return "", c.readError(ctx, pg, err)
				}
			}
		}
		if !found {
			return "", sqlstate.New(sqlstate.DatatypeMismatch, "%s: page %d (GET %s) is a JSON object without the field %q holding the rows; set options.data_field", c.name(), pg.n, shown(pg.url), c.dataField)
		}
		return next, nil
	}
	return "", sqlstate.New(sqlstate.DatatypeMismatch, "%s: page %d (GET %s) is neither a JSON array of rows nor an object holding one", c.name(), pg.n, shown(pg.url))
}

// readArrow reads an Arrow IPC stream page: its schema must hold every
// declared column with the declared type.
func (c *httpConnector) readArrow(ctx context.Context, pg *page, sink *rowSink) error {
	rd, err := ipc.NewReader(pg.body, ipc.WithAllocator(c.mem))
	if err != nil {
		return c.readError(ctx, pg, fmt.Errorf("not an Arrow IPC stream: %w", err))
	}
	defer rd.Release()
	idx, err := c.arrowColumns(rd.Schema(), sink)
	if err != nil {
		return err
	}
	for rd.Next() {
		rec := rd.RecordBatch()
		n := rec.NumRows()
		if sink.limit >= 0 && sink.row+n > sink.limit {
			n = sink.limit - sink.row
		}
		cols := make([]arrow.Array, len(idx))
		for i, j := range idx {
			cols[i] = rec.Column(j)
			if n < rec.NumRows() {
				cols[i] = array.NewSlice(cols[i], 0, n)
				defer cols[i].Release()
			}
		}
		out := array.NewRecordBatch(sink.schema, cols, n)
		sink.row += n
		if !sink.emit(out) {
			return context.Canceled
		}
		if sink.done() {
			return nil
		}
	}
	if err := rd.Err(); err != nil {
		return c.readError(ctx, pg, err)
	}
	return nil
}

// arrowColumns maps the requested columns to fields of an Arrow stream,
// checking every declared column.
func (c *httpConnector) arrowColumns(s *arrow.Schema, sink *rowSink) ([]int, error) {
	pos := map[string]int{}
	for i, f := range s.Fields() {
		pos[f.Name] = i
		if c.strict && !sink.known[f.Name] {
			return nil, drift(c.p, c.port, DriftError{Column: f.Name, Actual: f.Type.String()},
				fmt.Sprintf("the Arrow stream has the field %q (%s), which the schema does not declare (declare it, or set options.strict: false)", f.Name, f.Type))
		}
	}
	var idx []int
	for _, col := range sink.cols {
		src := c.port.SourceName(col.Name)
		j, ok := pos[src]
		if !ok {
			return nil, drift(c.p, c.port, DriftError{Column: col.Name, Declared: col.Type},
				fmt.Sprintf("the Arrow stream has no field %q for the declared column %s %s", src, col.Name, col.Type))
		}
		want, _ := arrowField(col.Name, col.Type)
		if got := s.Field(j).Type; !arrow.TypeEqual(got, want.Type) {
			return nil, drift(c.p, c.port, DriftError{Column: col.Name, Declared: col.Type, Actual: got.String()},
				fmt.Sprintf("column %q is declared %s (Arrow %s) but the source has %s", col.Name, col.Type, want.Type, got))
		}
	}
	for _, k := range sink.want {
		idx = append(idx, pos[c.port.SourceName(sink.cols[k].Name)])
	}
	return idx, nil
}

// eachRow calls fn with the raw rows of a JSON or NDJSON page until it
// answers false.
func (c *httpConnector) eachRow(ctx context.Context, pg *page, fn func(json.RawMessage) (bool, error)) error {
	dec := json.NewDecoder(pg.body)
	if pg.format == "ndjson" {
		for {
			var raw json.RawMessage
			if err := dec.Decode(&raw); err == io.EOF {
				return nil
			} else if err != nil {
				return c.readError(ctx, pg, err)
			}
			if more, err := fn(raw); err != nil || !more {
				return err
			}
		}
	}
	tok, err := dec.Token()
	if err != nil {
		return c.readError(ctx, pg, err)
	}
	if tok == json.Delim('{') {
		for {
			if !dec.More() {
				return sqlstate.New(sqlstate.DatatypeMismatch, "%s: page 1 is a JSON object without the field %q holding the rows; set options.data_field", c.name(), c.dataField)
			}
			kt, err := dec.Token()
			if err != nil {
				return c.readError(ctx, pg, err)
			}
			if kt == c.dataField {
				if tok, err = dec.Token(); err != nil {
					return c.readError(ctx, pg, err)
				}
				break
			}
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return c.readError(ctx, pg, err)
			}
		}
	}
	if tok != json.Delim('[') {
		return sqlstate.New(sqlstate.DatatypeMismatch, "%s: page 1 is not a JSON array of rows", c.name())
	}
	for dec.More() {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return c.readError(ctx, pg, err)
		}
		if more, err := fn(raw); err != nil || !more {
			return err
		}
	}
	return nil
}

// orderedObject splits a JSON object into its keys, in order, and values.
func orderedObject(raw json.RawMessage) ([]string, []json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, nil, fmt.Errorf("a row is %s, not a JSON object", jsonKind(bytes.TrimSpace(raw)))
	}
	var keys []string
	var vals []json.RawMessage
	for dec.More() {
		kt, err := dec.Token()
		if err != nil {
			return nil, nil, err
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, nil, err
		}
		keys = append(keys, kt.(string))
		vals = append(vals, v)
	}
	return keys, vals, nil
}
