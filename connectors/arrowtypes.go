package connectors

import (
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/meshgate/meshgate/planner/catalog"
)

// BatchRows is the number of rows a connector puts in one Arrow batch
// (the last batch of a scan may be smaller).
const BatchRows = 64 * 1024

// DuckDBTypeKey is the Arrow field metadata key that tells the engine the
// DuckDB type of a utf8 column carrying UUID or JSON text.
const DuckDBTypeKey = "duckdb.type"

// ArrowSchema returns the Arrow schema of the given declared columns, as
// Scan produces it: BOOLEAN bool, SMALLINT/INTEGER/BIGINT int16/32/64,
// FLOAT/DOUBLE float32/64, DECIMAL(p,s) decimal128(p,s), VARCHAR utf8,
// UUID and JSON utf8 with field metadata duckdb.type = UUID or JSON,
// BLOB binary, DATE date32, TIME time64[us], TIMESTAMP timestamp[us],
// TIMESTAMP WITH TIME ZONE timestamp[us, tz=UTC], INTERVAL
// month_day_nano_interval, T[] list<T>. Every field is nullable.
func ArrowSchema(cols []catalog.Column) (*arrow.Schema, error) {
	fields := make([]arrow.Field, len(cols))
	for i, c := range cols {
		f, err := arrowField(c.Name, c.Type)
		if err != nil {
			return nil, fmt.Errorf("column %s: %w", c.Name, err)
		}
		fields[i] = f
	}
	return arrow.NewSchema(fields, nil), nil
}

func arrowField(name, typ string) (arrow.Field, error) {
	f := arrow.Field{Name: name, Nullable: true}
	if elem, ok := strings.CutSuffix(typ, "[]"); ok {
		ef, err := arrowField("element", elem)
		if err != nil {
			return f, err
		}
		f.Type = arrow.ListOfField(ef)
		return f, nil
	}
	switch typ {
	case "BOOLEAN":
		f.Type = arrow.FixedWidthTypes.Boolean
	case "TINYINT":
		f.Type = arrow.PrimitiveTypes.Int8
	case "SMALLINT":
		f.Type = arrow.PrimitiveTypes.Int16
	case "INTEGER":
		f.Type = arrow.PrimitiveTypes.Int32
	case "BIGINT":
		f.Type = arrow.PrimitiveTypes.Int64
	case "FLOAT":
		f.Type = arrow.PrimitiveTypes.Float32
	case "DOUBLE":
		f.Type = arrow.PrimitiveTypes.Float64
	case "VARCHAR":
		f.Type = arrow.BinaryTypes.String
	case "UUID", "JSON":
		f.Type = arrow.BinaryTypes.String
		f.Metadata = arrow.NewMetadata([]string{DuckDBTypeKey}, []string{typ})
	case "BLOB":
		f.Type = arrow.BinaryTypes.Binary
	case "DATE":
		f.Type = arrow.FixedWidthTypes.Date32
	case "TIME":
		f.Type = arrow.FixedWidthTypes.Time64us
	case "TIMESTAMP":
		f.Type = &arrow.TimestampType{Unit: arrow.Microsecond}
	case "TIMESTAMP WITH TIME ZONE":
		f.Type = &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}
	case "INTERVAL":
		f.Type = arrow.FixedWidthTypes.MonthDayNanoInterval
	default:
		var p, s int32
		if _, err := fmt.Sscanf(typ, "DECIMAL(%d,%d)", &p, &s); err == nil {
			f.Type = &arrow.Decimal128Type{Precision: p, Scale: s}
			return f, nil
		}
		return f, fmt.Errorf("type %s cannot be read from a remote port", typ)
	}
	return f, nil
}
