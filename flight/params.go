package flight

import (
	"encoding/hex"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/flight"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// maxParamRows bounds the parameter rows one DoPut may bind.
const maxParamRows = 100000

// paramRows reads the rows of parameters a DoPut binds and renders each
// value as the text a pgwire client would send, so the session's own
// parameter codec types it (nil = NULL). Several rows run the statement
// once per row, as PostgreSQL clients' executemany does.
func paramRows(r flight.MessageReader, n int) ([][]*string, error) {
	out := [][]*string{}
	for r.Next() {
		rec := r.RecordBatch()
		if int(rec.NumCols()) != n {
			return nil, status.Errorf(codes.InvalidArgument, "the statement has %d parameters, %d given (SQLSTATE 08P01)", n, rec.NumCols())
		}
		if len(out)+int(rec.NumRows()) > maxParamRows {
			return nil, status.Errorf(codes.ResourceExhausted, "more than %d rows of parameters in one bind (SQLSTATE 54000)\nHINT: Bind the rows in several batches of at most %d, executing after each.", maxParamRows, maxParamRows)
		}
		for i := 0; i < int(rec.NumRows()); i++ {
			row := make([]*string, n)
			for j := 0; j < n; j++ {
				v, err := paramText(rec.Column(j), i)
				if err != nil {
					return nil, err
				}
				row[j] = v
			}
			out = append(out, row)
		}
	}
	if err := r.Err(); err != nil {
		return nil, status.Errorf(codes.InvalidArgument, "reading the parameters: %v", err)
	}
	if len(out) == 0 && n == 0 {
		out = append(out, nil) // a statement without parameters runs once
	}
	return out, nil
}

// paramText is one Arrow value as PostgreSQL parameter text.
func paramText(col arrow.Array, i int) (*string, error) {
	if col.IsNull(i) {
		return nil, nil
	}
	var s string
	switch c := col.(type) {
	case *array.String:
		s = c.Value(i)
	case *array.LargeString:
		s = c.Value(i)
	case *array.Float32:
		s = strconv.FormatFloat(float64(c.Value(i)), 'g', -1, 32)
	case *array.Float64:
		s = strconv.FormatFloat(c.Value(i), 'g', -1, 64)
	case *array.Date32:
		s = c.Value(i).FormattedString()
	case *array.Timestamp:
		unit := c.DataType().(*arrow.TimestampType).Unit
		s = c.Value(i).ToTime(unit).Format("2006-01-02 15:04:05.999999999Z07:00")
	case *array.Binary:
		s = `\x` + hex.EncodeToString(c.Value(i))
	case *array.Int8, *array.Int16, *array.Int32, *array.Int64, *array.Uint8, *array.Uint16, *array.Uint32, *array.Uint64, *array.Boolean, *array.Decimal128, *array.Decimal256:
		s = col.ValueStr(i)
	default:
		return nil, status.Errorf(codes.Unimplemented, "parameters of Arrow type %s are not supported (SQLSTATE 0A000)\nHINT: Send the value as a string and cast it in the statement ($1::type).", col.DataType())
	}
	s = strings.Clone(s) // the batch's memory goes with it
	return &s, nil
}
