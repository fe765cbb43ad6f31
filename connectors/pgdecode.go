package connectors

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"math/big"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/meshgate/meshgate/sqlstate"
)

// PostgreSQL epoch (2000-01-01) relative to the Unix epoch.
const (
	pgEpochDays   = 10957
	pgEpochMicros = 946684800000000
)

// pgArrayElem maps the OID of an array type to its element type.
var pgArrayElem = map[uint32]uint32{
	pgtype.BoolArrayOID: pgtype.BoolOID, pgtype.ByteaArrayOID: pgtype.ByteaOID,
	pgtype.Int2ArrayOID: pgtype.Int2OID, pgtype.Int4ArrayOID: pgtype.Int4OID, pgtype.Int8ArrayOID: pgtype.Int8OID,
	pgtype.TextArrayOID: pgtype.TextOID, pgtype.VarcharArrayOID: pgtype.VarcharOID, pgtype.BPCharArrayOID: pgtype.BPCharOID,
	pgtype.NameArrayOID: pgtype.NameOID, pgtype.Float4ArrayOID: pgtype.Float4OID, pgtype.Float8ArrayOID: pgtype.Float8OID,
	pgtype.NumericArrayOID: pgtype.NumericOID, pgtype.DateArrayOID: pgtype.DateOID, pgtype.TimeArrayOID: pgtype.TimeOID,
	pgtype.TimestampArrayOID: pgtype.TimestampOID, pgtype.TimestamptzArrayOID: pgtype.TimestamptzOID,
	pgtype.IntervalArrayOID: pgtype.IntervalOID, pgtype.UUIDArrayOID: pgtype.UUIDOID,
	pgtype.JSONArrayOID: pgtype.JSONOID, pgtype.JSONBArrayOID: pgtype.JSONBOID,
}

// pgCanonical returns the canonical (DuckDB) spelling of a PostgreSQL
// type given by OID and type modifier, or "" for a type meshgate does not
// read. An unconstrained numeric is "DECIMAL".
func pgCanonical(oid uint32, typmod int32) string {
	if elem, ok := pgArrayElem[oid]; ok {
		if c := pgCanonical(elem, typmod); c != "" {
			return c + "[]"
		}
		return ""
	}
	switch oid {
	case pgtype.BoolOID:
		return "BOOLEAN"
	case pgtype.Int2OID:
		return "SMALLINT"
	case pgtype.Int4OID:
		return "INTEGER"
	case pgtype.Int8OID:
		return "BIGINT"
	case pgtype.Float4OID:
		return "FLOAT"
	case pgtype.Float8OID:
		return "DOUBLE"
	case pgtype.NumericOID:
		if typmod < 4 {
			return "DECIMAL"
		}
		return fmt.Sprintf("DECIMAL(%d,%d)", ((typmod-4)>>16)&0xffff, (typmod-4)&0xffff)
	case pgtype.TextOID, pgtype.VarcharOID, pgtype.BPCharOID, pgtype.NameOID:
		return "VARCHAR"
	case pgtype.ByteaOID:
		return "BLOB"
	case pgtype.DateOID:
		return "DATE"
	case pgtype.TimeOID:
		return "TIME"
	case pgtype.TimestampOID:
		return "TIMESTAMP"
	case pgtype.TimestamptzOID:
		return "TIMESTAMP WITH TIME ZONE"
	case pgtype.IntervalOID:
		return "INTERVAL"
	case pgtype.UUIDOID:
		return "UUID"
	case pgtype.JSONOID, pgtype.JSONBOID:
		return "JSON"
	}
	return ""
}

// pgDecoder appends one binary-format value (nil: NULL) to its builder.
type pgDecoder func(raw []byte) error

// valueError is a value that cannot be represented in the declared type.
type valueError struct {
	code, msg string
}

func (e *valueError) Error() string { return e.msg }

func badValue(code, format string, args ...any) error {
	return &valueError{code: code, msg: fmt.Sprintf(format, args...)}
}

// newPGDecoder returns the decoder of a source column of type oid into
// builder b of the declared type. The pair must be RemoteCompatible.
func newPGDecoder(declared string, oid uint32, b array.Builder) (pgDecoder, error) {
	if elem, ok := pgArrayElem[oid]; ok {
		// A declared T[] holds one-dimensional arrays, T[][] two, …:
		// PostgreSQL's array types do not tell the dimensions.
		var levels []*array.ListBuilder
		base, inner := declared, b
		for {
			lb, ok := inner.(*array.ListBuilder)
			if !ok {
				break
			}
			levels = append(levels, lb)
			inner = lb.ValueBuilder()
			base = strings.TrimSuffix(base, "[]")
		}
		if len(levels) == 0 {
			return nil, fmt.Errorf("a list cannot be read into %s", declared)
		}
		ed, err := newPGDecoder(base, elem, inner)
		if err != nil {
			return nil, err
		}
		return func(raw []byte) error {
			if raw == nil {
				levels[0].AppendNull()
				return nil
			}
			return decodePGArray(raw, levels, ed)
		}, nil
	}
	switch b := b.(type) {
	case *array.BooleanBuilder:
		return func(raw []byte) error {
			if raw == nil {
				b.AppendNull()
			} else if len(raw) != 1 {
				return errLen("bool", raw)
			} else {
				b.Append(raw[0] != 0)
			}
			return nil
		}, nil
	case *array.Int8Builder, *array.Int16Builder, *array.Int32Builder, *array.Int64Builder:
		app := intAppender(b)
		return func(raw []byte) error {
			if raw == nil {
				b.AppendNull()
				return nil
			}
			var v int64
			switch len(raw) {
			case 2:
				v = int64(int16(binary.BigEndian.Uint16(raw)))
			case 4:
				v = int64(int32(binary.BigEndian.Uint32(raw)))
			case 8:
				v = int64(binary.BigEndian.Uint64(raw))
			default:
				return errLen("integer", raw)
			}
			app(v)
			return nil
		}, nil
	case *array.Float32Builder:
		return func(raw []byte) error {
			if raw == nil {
				b.AppendNull()
			} else if len(raw) != 4 {
				return errLen("float4", raw)
			} else {
				b.Append(math.Float32frombits(binary.BigEndian.Uint32(raw)))
			}
			return nil
		}, nil
	case *array.Float64Builder:
		return func(raw []byte) error {
			switch {
			case raw == nil:
				b.AppendNull()
			case len(raw) == 4:
				b.Append(float64(math.Float32frombits(binary.BigEndian.Uint32(raw))))
			case len(raw) == 8:
				b.Append(math.Float64frombits(binary.BigEndian.Uint64(raw)))
			default:
				return errLen("float8", raw)
			}
			return nil
		}, nil
	case *array.Decimal128Builder:
		dt := b.Type().(*arrow.Decimal128Type)
		var n big.Int
		limit := pow10(int(dt.Precision))
		return func(raw []byte) error {
			if raw == nil {
				b.AppendNull()
				return nil
			}
			if err := pgNumeric(raw, int(dt.Scale), &n); err != nil {
				return err
			}
			if new(big.Int).Abs(&n).Cmp(limit) >= 0 {
				return badValue(sqlstate.NumericValueOutOfRange, "a value does not fit the declared DECIMAL(%d,%d)", dt.Precision, dt.Scale)
			}
			b.Append(decimal128.FromBigInt(&n))
			return nil
		}, nil
	case *array.StringBuilder:
		switch oid {
		case pgtype.UUIDOID:
			buf := make([]byte, 36)
			return func(raw []byte) error {
				if raw == nil {
					b.AppendNull()
					return nil
				}
				if len(raw) != 16 {
					return errLen("uuid", raw)
				}
				formatUUID(buf, raw)
				b.BinaryBuilder.Append(buf)
				return nil
			}, nil
		case pgtype.BPCharOID:
			// character(n): padding counts for LIKE and the printed text,
			// not for = or length, which no DuckDB type does; a value
			// that fills its length is the same either way, a padded one
			// is refused, never compared otherwise than PostgreSQL does.
			return func(raw []byte) error {
				switch {
				case raw == nil:
					b.AppendNull()
				case len(raw) > 0 && raw[len(raw)-1] == ' ':
					return badValue(sqlstate.FeatureNotSupported, "a character(n) value padded with spaces is not supported; "+
						"publish a PostgreSQL view that casts the column to varchar or text, and declare the product over it")
				default:
					b.BinaryBuilder.Append(raw)
				}
				return nil
			}, nil
		case pgtype.JSONBOID:
			return func(raw []byte) error {
				if raw == nil {
					b.AppendNull()
					return nil
				}
				if len(raw) == 0 || raw[0] != 1 {
					return badValue(sqlstate.InvalidBinaryRepresentation, "unknown jsonb format")
				}
				b.BinaryBuilder.Append(raw[1:])
				return nil
			}, nil
		}
		return func(raw []byte) error {
			if raw == nil {
				b.AppendNull()
			} else {
				b.BinaryBuilder.Append(raw)
			}
			return nil
		}, nil
	case *array.BinaryBuilder:
		return func(raw []byte) error {
			if raw == nil {
				b.AppendNull()
			} else {
				b.Append(raw)
			}
			return nil
		}, nil
	case *array.Date32Builder:
		return func(raw []byte) error {
			if raw == nil {
				b.AppendNull()
				return nil
			}
			if len(raw) != 4 {
				return errLen("date", raw)
			}
			d := int32(binary.BigEndian.Uint32(raw))
			if d == math.MaxInt32 || d == math.MinInt32 {
				return badValue(sqlstate.DatetimeFieldOverflow, "a date is infinity, which cannot be represented")
			}
			b.Append(arrow.Date32(d + pgEpochDays))
			return nil
		}, nil
	case *array.Time64Builder:
		return func(raw []byte) error {
			if raw == nil {
				b.AppendNull()
			} else if len(raw) != 8 {
				return errLen("time", raw)
			} else {
				b.Append(arrow.Time64(binary.BigEndian.Uint64(raw)))
			}
			return nil
		}, nil
	case *array.TimestampBuilder:
		return func(raw []byte) error {
			if raw == nil {
				b.AppendNull()
				return nil
			}
			if len(raw) != 8 {
				return errLen("timestamp", raw)
			}
			us := int64(binary.BigEndian.Uint64(raw))
			if us == math.MaxInt64 || us == math.MinInt64 {
				return badValue(sqlstate.DatetimeFieldOverflow, "a timestamp is infinity, which cannot be represented")
			}
			b.Append(arrow.Timestamp(us + pgEpochMicros))
			return nil
		}, nil
	case *array.MonthDayNanoIntervalBuilder:
		return func(raw []byte) error {
			if raw == nil {
				b.AppendNull()
				return nil
			}
			if len(raw) != 16 {
				return errLen("interval", raw)
			}
			us := int64(binary.BigEndian.Uint64(raw))
			b.Append(arrow.MonthDayNanoInterval{
				Nanoseconds: us * 1000,
				Days:        int32(binary.BigEndian.Uint32(raw[8:])),
				Months:      int32(binary.BigEndian.Uint32(raw[12:])),
			})
			return nil
		}, nil
	}
	return nil, fmt.Errorf("type %s cannot be read from PostgreSQL", declared)
}

func errLen(what string, raw []byte) error {
	return badValue(sqlstate.InvalidBinaryRepresentation, "a %s value has %d bytes", what, len(raw))
}

func intAppender(b array.Builder) func(int64) {
	switch b := b.(type) {
	case *array.Int8Builder:
		return func(v int64) { b.Append(int8(v)) }
	case *array.Int16Builder:
		return func(v int64) { b.Append(int16(v)) }
	case *array.Int32Builder:
		return func(v int64) { b.Append(int32(v)) }
	case *array.Int64Builder:
		return b.Append
	}
	panic("not an integer builder")
}

// decodePGArray decodes the binary array format into nested lists, one
// level per dimension; an array of other dimensions than the declared
// list is refused (0A000), never flattened.
func decodePGArray(raw []byte, levels []*array.ListBuilder, elem pgDecoder) error {
	if len(raw) < 12 {
		return errLen("array", raw)
	}
	ndim := int(binary.BigEndian.Uint32(raw))
	p := 12
	if ndim < 0 || len(raw) < p+8*ndim {
		return errLen("array", raw)
	}
	if ndim == 0 { // the empty array
		levels[0].Append(true)
		return nil
	}
	if ndim != len(levels) {
		return badValue(sqlstate.FeatureNotSupported, "a %d-dimensional array cannot be read as a %d-dimensional list (declare the column with %d pairs of [])", ndim, len(levels), ndim)
	}
	dims := make([]int, ndim)
	for d := range dims {
		dims[d] = int(int32(binary.BigEndian.Uint32(raw[p:])))
		p += 8
	}
	var fill func(d int) error
	fill = func(d int) error {
		levels[d].Append(true)
		for k := 0; k < dims[d]; k++ {
			if d+1 < ndim {
				if err := fill(d + 1); err != nil {
					return err
				}
				continue
			}
			if len(raw) < p+4 {
				return errLen("array", raw)
			}
			l := int32(binary.BigEndian.Uint32(raw[p:]))
			p += 4
			if l < 0 {
				if err := elem(nil); err != nil {
					return err
				}
				continue
			}
			if len(raw) < p+int(l) {
				return errLen("array", raw)
			}
			if err := elem(raw[p : p+int(l) : p+int(l)]); err != nil {
				return err
			}
			p += int(l)
		}
		return nil
	}
	return fill(0)
}

func formatUUID(dst, u []byte) {
	hex.Encode(dst[0:8], u[0:4])
	dst[8] = '-'
	hex.Encode(dst[9:13], u[4:6])
	dst[13] = '-'
	hex.Encode(dst[14:18], u[6:8])
	dst[18] = '-'
	hex.Encode(dst[19:23], u[8:10])
	dst[23] = '-'
	hex.Encode(dst[24:], u[10:16])
}

var pow10s [80]*big.Int

func init() {
	pow10s[0] = big.NewInt(1)
	for i := 1; i < len(pow10s); i++ {
		pow10s[i] = new(big.Int).Mul(pow10s[i-1], big.NewInt(10))
	}
}

func pow10(n int) *big.Int {
	if n < len(pow10s) {
		return pow10s[n]
	}
	return new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(n)), nil)
}

// pgNumeric decodes a binary numeric into n, the unscaled integer at the
// given scale. A value with more decimals is an error (22003), never
// rounded: silent precision loss is data loss.
func pgNumeric(raw []byte, scale int, n *big.Int) error {
	if len(raw) < 8 {
		return errLen("numeric", raw)
	}
	ndigits := int(binary.BigEndian.Uint16(raw))
	weight := int(int16(binary.BigEndian.Uint16(raw[2:])))
	sign := binary.BigEndian.Uint16(raw[4:])
	switch sign {
	case 0xC000:
		return badValue(sqlstate.NumericValueOutOfRange, "a numeric value is NaN, which DECIMAL cannot represent")
	case 0xD000, 0xF000:
		return badValue(sqlstate.NumericValueOutOfRange, "a numeric value is infinite, which DECIMAL cannot represent")
	}
	if len(raw) < 8+2*ndigits {
		return errLen("numeric", raw)
	}
	// Accumulate base-10000 digits, in uint64 chunks to limit big.Int work.
	n.SetInt64(0)
	var acc uint64
	k := 0
	for i := 0; i < ndigits; i++ {
		acc = acc*10000 + uint64(binary.BigEndian.Uint16(raw[8+2*i:]))
		k++
		if k == 4 || i == ndigits-1 {
			if n.Sign() != 0 {
				n.Mul(n, pow10(4*k))
			}
			n.Add(n, new(big.Int).SetUint64(acc))
			acc, k = 0, 0
		}
	}
	exp := 4*(weight-ndigits+1) + scale // value = n * 10^(exp - scale); unscaled = n * 10^exp
	switch {
	case exp > 0:
		n.Mul(n, pow10(exp))
	case exp < 0:
		// Only an unconstrained source numeric can have more decimals
		// than the declared scale: refuse rather than round them away.
		d := pow10(-exp)
		var r big.Int
		n.QuoRem(n, d, &r)
		if r.Sign() != 0 {
			return badValue(sqlstate.NumericValueOutOfRange, "a numeric value has more than %d decimal digits, the declared scale; rounding it would lose digits (declare the column numeric(p,s) with the scale the source holds)", scale)
		}
	}
	if sign == 0x4000 {
		n.Neg(n)
	}
	return nil
}
