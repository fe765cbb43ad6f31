package pgwire

import (
	"strconv"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

const benchRows = 64 << 10

// benchRecord builds a 64K-row record of one type (or the 4-column mix).
func benchRecord(typ string) arrow.RecordBatch {
	dec, _ := arrow.NewDecimalType(arrow.DECIMAL128, 18, 4)
	fields := map[string]arrow.Field{
		"bigint":    {Name: "bigint", Type: arrow.PrimitiveTypes.Int64},
		"double":    {Name: "double", Type: arrow.PrimitiveTypes.Float64},
		"text":      {Name: "text", Type: arrow.BinaryTypes.String},
		"date":      {Name: "date", Type: arrow.FixedWidthTypes.Date32},
		"numeric":   {Name: "numeric", Type: dec},
		"timestamp": {Name: "timestamp", Type: &arrow.TimestampType{Unit: arrow.Microsecond}},
	}
	names := []string{typ}
	if typ == "mix4" {
		names = []string{"bigint", "double", "text", "date"}
	}
	var fs []arrow.Field
	for _, n := range names {
		fs = append(fs, fields[n])
	}
	b := array.NewRecordBuilder(memory.DefaultAllocator, arrow.NewSchema(fs, nil))
	defer b.Release()
	base := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	for j, n := range names {
		fb := b.Field(j)
		for i := 0; i < benchRows; i++ {
			switch n {
			case "bigint":
				fb.(*array.Int64Builder).Append(int64(i) * 7919)
			case "double":
				fb.(*array.Float64Builder).Append(float64(i) * 1.25)
			case "text":
				fb.(*array.StringBuilder).Append("customer#" + strconv.Itoa(i))
			case "date":
				fb.(*array.Date32Builder).Append(arrow.Date32(19000 + i%5000))
			case "numeric":
				fb.(*array.Decimal128Builder).Append(decimal128.FromI64(int64(i)*12345 - 99999))
			case "timestamp":
				fb.(*array.TimestampBuilder).Append(arrow.Timestamp(base.UnixMicro() + int64(i)*1000123))
			}
		}
	}
	return b.NewRecordBatch()
}

func benchDataRows(b *testing.B, typ string, format int16) {
	rec := benchRecord(typ)
	defer rec.Release()
	cols := make([]column, rec.NumCols())
	for j, arr := range rec.Columns() {
		if format == 1 {
			cols[j] = binaryColumn(arr, rec.Schema().Field(j), encodeOptions{})
		} else {
			cols[j] = textColumn(arr, rec.Schema().Field(j), encodeOptions{})
		}
	}
	buf := make([]byte, 0, 2*flushThreshold)
	b.ReportAllocs()
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		for i := 0; i < benchRows; i++ {
			buf = appendDataRow(buf, cols, i)
			if len(buf) >= flushThreshold {
				buf = buf[:0] // stands in for the socket write
			}
		}
	}
	b.ReportMetric(float64(b.N)*benchRows/b.Elapsed().Seconds(), "rows/s")
}

var benchTypes = []string{"bigint", "double", "text", "date", "numeric", "timestamp", "mix4"}

func BenchmarkDataRowText(b *testing.B) {
	for _, typ := range benchTypes {
		b.Run(typ, func(b *testing.B) { benchDataRows(b, typ, 0) })
	}
}

func BenchmarkDataRowBinary(b *testing.B) {
	for _, typ := range benchTypes {
		b.Run(typ, func(b *testing.B) { benchDataRows(b, typ, 1) })
	}
}
