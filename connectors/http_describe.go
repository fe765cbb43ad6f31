package connectors

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/ipc"

	"github.com/meshgate/meshgate/planner/catalog"
)

// Describing an http port: the columns a first page shows.

// Describe reads the first page and reports its shape: the Arrow schema
// of an Arrow stream, or for JSON the fields of the first rows (up to
// 1000) in the order of the first row, with types guessed from the
// values (BIGINT, DOUBLE, BOOLEAN, VARCHAR, DATE, TIMESTAMP [WITH TIME
// ZONE] and UUID from the text's form, JSON for objects, T[] for arrays).
func (c *httpConnector) Describe(ctx context.Context) ([]catalog.Column, error) {
	budget := c.maxBytes
	pg, err := c.fetch(ctx, c.base, 1, &budget)
	if err != nil {
		return nil, err
	}
	defer pg.resp.Body.Close()
	back := map[string]string{}
	for _, dc := range c.p.Columns {
		back[c.port.SourceName(dc.Name)] = dc.Name
	}
	rename := func(n string) string {
		if d, ok := back[n]; ok {
			return d
		}
		return n
	}
	if pg.format == "arrow" {
		rd, err := ipc.NewReader(pg.body, ipc.WithAllocator(c.mem))
		if err != nil {
			return nil, c.readError(ctx, pg, err)
		}
		defer rd.Release()
		var out []catalog.Column
		for _, f := range rd.Schema().Fields() {
			out = append(out, catalog.Column{Name: rename(f.Name), Type: arrowCanonical(f)})
		}
		return out, nil
	}
	var order []string
	types := map[string]string{}
	rows := 0
	collect := func(raw json.RawMessage) error {
		rows++
		keys, vals, err := orderedObject(raw)
		if err != nil {
			return err
		}
		for i, k := range keys {
			if _, ok := types[k]; !ok {
				order = append(order, k)
				types[k] = ""
			}
			types[k] = widen(types[k], inferJSONType(vals[i]))
		}
		return nil
	}
	err = c.eachRow(ctx, pg, func(raw json.RawMessage) (bool, error) {
		if err := collect(raw); err != nil {
			return false, err
		}
		return rows < 1000, nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]catalog.Column, 0, len(order))
	for _, k := range order {
		t := types[k]
		if t == "" {
			t = "VARCHAR" // only nulls seen
		}
		out = append(out, catalog.Column{Name: rename(k), Type: t})
	}
	return out, nil
}

// CanonicalType is the canonical (DuckDB) type name of an Arrow type.
func CanonicalType(dt arrow.DataType) string { return arrowCanonical(arrow.Field{Type: dt}) }

// arrowCanonical is the canonical type of an Arrow field.
func arrowCanonical(f arrow.Field) string {
	if t, ok := f.Metadata.GetValue(DuckDBTypeKey); ok {
		return t
	}
	switch t := f.Type.(type) {
	case *arrow.ListType:
		return arrowCanonical(t.ElemField()) + "[]"
	case *arrow.Decimal128Type:
		return fmt.Sprintf("DECIMAL(%d,%d)", t.Precision, t.Scale)
	case *arrow.TimestampType:
		if t.TimeZone != "" {
			return "TIMESTAMP WITH TIME ZONE"
		}
		return "TIMESTAMP"
	}
	switch f.Type.ID() {
	case arrow.BOOL:
		return "BOOLEAN"
	case arrow.INT8:
		return "TINYINT"
	case arrow.INT16:
		return "SMALLINT"
	case arrow.INT32:
		return "INTEGER"
	case arrow.INT64:
		return "BIGINT"
	case arrow.FLOAT32:
		return "FLOAT"
	case arrow.FLOAT64:
		return "DOUBLE"
	case arrow.STRING, arrow.LARGE_STRING, arrow.STRING_VIEW:
		return "VARCHAR"
	case arrow.BINARY, arrow.LARGE_BINARY:
		return "BLOB"
	case arrow.DATE32:
		return "DATE"
	case arrow.TIME64:
		return "TIME"
	case arrow.INTERVAL_MONTH_DAY_NANO:
		return "INTERVAL"
	}
	return strings.ToUpper(f.Type.String())
}
