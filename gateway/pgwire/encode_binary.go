package pgwire

import (
	"encoding/binary"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// This file holds PostgreSQL's binary send functions over Arrow arrays.
// Appenders append the value bytes only; the caller writes the int32
// length prefix.

// pgEpochMicros is 2000-01-01 00:00:00 UTC, PostgreSQL's epoch, in
// microseconds since 1970-01-01 (the Arrow/DuckDB epoch).
const (
	pgEpochMicros = 946684800 * 1e6
	pgEpochDays   = 10957
)

var be = binary.BigEndian

// binaryColumn returns the binary-format encoder of arr, a column of field f.
func binaryColumn(arr arrow.Array, f arrow.Field, o encodeOptions) column {
	return newColumn(arr, binaryAppender(arr, kindOf(f.Type, f.Metadata), o))
}

// binaryAppender returns the binary send function for arr encoded as k.
func binaryAppender(arr arrow.Array, k kind, o encodeOptions) appender {
	switch k {
	case kindBool:
		if a, ok := arr.(*array.Boolean); ok {
			return func(dst []byte, i int) []byte {
				if a.Value(i) {
					return append(dst, 1)
				}
				return append(dst, 0)
			}
		}
	case kindInt2:
		switch a := arr.(type) {
		case *array.Int8:
			v := a.Int8Values()
			return func(dst []byte, i int) []byte { return be.AppendUint16(dst, uint16(int16(v[i]))) }
		case *array.Int16:
			v := a.Int16Values()
			return func(dst []byte, i int) []byte { return be.AppendUint16(dst, uint16(v[i])) }
		case *array.Uint8:
			v := a.Uint8Values()
			return func(dst []byte, i int) []byte { return be.AppendUint16(dst, uint16(v[i])) }
		}
	case kindInt4:
		switch a := arr.(type) {
		case *array.Int32:
			v := a.Int32Values()
			return func(dst []byte, i int) []byte { return be.AppendUint32(dst, uint32(v[i])) }
		case *array.Uint16:
			v := a.Uint16Values()
			return func(dst []byte, i int) []byte { return be.AppendUint32(dst, uint32(v[i])) }
		}
	case kindInt8:
		switch a := arr.(type) {
		case *array.Int64:
			v := a.Int64Values()
			return func(dst []byte, i int) []byte { return be.AppendUint64(dst, uint64(v[i])) }
		}
	case kindOID:
		if a, ok := arr.(*array.Uint32); ok {
			v := a.Uint32Values()
			return func(dst []byte, i int) []byte { return be.AppendUint32(dst, v[i]) }
		}
	case kindNumeric:
		if src, ok := newDecimalSource(arr); ok {
			return func(dst []byte, i int) []byte {
				var buf [96]byte
				digits, neg := src.digits(buf[:0], i)
				return appendNumericBinary(dst, digits, neg, src.scale)
			}
		}
	case kindFloat4:
		switch a := arr.(type) {
		case *array.Float32:
			v := a.Float32Values()
			return func(dst []byte, i int) []byte { return be.AppendUint32(dst, math.Float32bits(v[i])) }
		case *array.Float16:
			return func(dst []byte, i int) []byte { return be.AppendUint32(dst, math.Float32bits(a.Value(i).Float32())) }
		}
	case kindFloat8:
		if a, ok := arr.(*array.Float64); ok {
			v := a.Float64Values()
			return func(dst []byte, i int) []byte { return be.AppendUint64(dst, math.Float64bits(v[i])) }
		}
	case kindBytea:
		if get := bytesGetter(arr); get != nil {
			return func(dst []byte, i int) []byte { return append(dst, get(i)...) }
		}
	case kindUUID:
		if get := stringGetter(arr); get != nil {
			return func(dst []byte, i int) []byte { return appendUUIDBinary(dst, get(i)) }
		}
		if get := bytesGetter(arr); get != nil {
			return func(dst []byte, i int) []byte { return append(dst, get(i)...) }
		}
	case kindDate:
		switch a := arr.(type) {
		case *array.Date32:
			v := a.Date32Values()
			return func(dst []byte, i int) []byte {
				d := int32(v[i])
				switch {
				case d == math.MaxInt32:
				case d <= -math.MaxInt32:
					d = math.MinInt32
				default:
					d -= pgEpochDays
				}
				return be.AppendUint32(dst, uint32(d))
			}
		case *array.Date64:
			v := a.Date64Values()
			return func(dst []byte, i int) []byte {
				return be.AppendUint32(dst, uint32(int32(floorDiv(int64(v[i]), 86400000)-pgEpochDays)))
			}
		}
	case kindTime, kindTimetz:
		if get := timeMicros(arr); get != nil {
			if k == kindTimetz {
				return func(dst []byte, i int) []byte { return be.AppendUint32(be.AppendUint64(dst, uint64(get(i))), 0) }
			}
			return func(dst []byte, i int) []byte { return be.AppendUint64(dst, uint64(get(i))) }
		}
	case kindTimestamp, kindTimestamptz:
		if a, ok := arr.(*array.Timestamp); ok {
			v := a.TimestampValues()
			unit := a.DataType().(*arrow.TimestampType).Unit
			return func(dst []byte, i int) []byte {
				return be.AppendUint64(dst, uint64(pgTimestamp(int64(v[i]), unit)))
			}
		}
	case kindInterval:
		if a, ok := arr.(*array.MonthDayNanoInterval); ok {
			v := a.MonthDayNanoIntervalValues()
			return func(dst []byte, i int) []byte {
				dst = be.AppendUint64(dst, uint64(v[i].Nanoseconds/1000))
				dst = be.AppendUint32(dst, uint32(v[i].Days))
				return be.AppendUint32(dst, uint32(v[i].Months))
			}
		}
	case kindArray:
		if a, ok := arr.(array.ListLike); ok {
			return binaryArrayAppender(a, o)
		}
	case kindNested:
		return jsonAppender(arr, o)
	}
	// text, json and anything else: the bytes of the text form.
	return textAppender(arr, k, o)
}

// pgTimestamp converts a raw Arrow timestamp to PostgreSQL's binary form:
// microseconds since 2000-01-01, infinities as the int64 extremes.
func pgTimestamp(v int64, unit arrow.TimeUnit) int64 {
	switch {
	case isPosInf(v):
		return math.MaxInt64
	case isNegInf(v):
		return math.MinInt64
	}
	return toMicros(v, unit) - pgEpochMicros
}

// parseUUID reads a UUID string (hyphens and braces skipped, hex digits in
// either case).
func parseUUID(s string) (b [16]byte, ok bool) {
	n := 0
	for j := 0; j < len(s); j++ {
		c := s[j]
		var v byte
		switch {
		case c >= '0' && c <= '9':
			v = c - '0'
		case c >= 'a' && c <= 'f':
			v = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			v = c - 'A' + 10
		case c == '-' || c == '{' || c == '}':
			continue
		default:
			return b, false
		}
		if n >= 32 {
			return b, false
		}
		b[n/2] |= v << (4 * (1 - n%2))
		n++
	}
	return b, n == 32
}

// appendUUIDBinary writes the 16 bytes of a UUID string; a malformed
// string yields the nil UUID.
func appendUUIDBinary(dst []byte, s string) []byte {
	b, _ := parseUUID(s)
	return append(dst, b[:]...)
}

// appendNumericBinary writes PostgreSQL's binary NUMERIC (numeric_send):
// ndigits, weight, sign, dscale (int16 each) then ndigits base-10000
// digits. digits are the decimal digits of the unscaled magnitude.
func appendNumericBinary(dst, digits []byte, neg bool, scale int32) []byte {
	dscale := scale
	if dscale < 0 {
		dscale = 0
	}
	for len(digits) > 0 && digits[0] == '0' {
		digits = digits[1:]
	}
	if len(digits) == 0 {
		dst = be.AppendUint16(dst, 0) // ndigits
		dst = be.AppendUint16(dst, 0) // weight
		dst = be.AppendUint16(dst, 0) // sign
		return be.AppendUint16(dst, uint16(dscale))
	}
	// The digit at index k has decimal exponent intLen-1-k; it belongs to
	// the base-10000 group floor(e/4).
	intLen := int64(len(digits)) - int64(scale)
	gmax := floorDiv(intLen-1, 4)
	gmin := floorDiv(intLen-int64(len(digits)), 4)
	var groups [40]int16
	ng := int(gmax - gmin + 1)
	for k, c := range digits {
		e := intLen - 1 - int64(k)
		g := floorDiv(e, 4)
		pos := e - 4*g
		mul := int16(1)
		for ; pos > 0; pos-- {
			mul *= 10
		}
		groups[gmax-g] += int16(c-'0') * mul
	}
	for ng > 0 && groups[ng-1] == 0 {
		ng--
	}
	sign := uint16(0)
	if neg {
		sign = 0x4000
	}
	dst = be.AppendUint16(dst, uint16(ng))
	dst = be.AppendUint16(dst, uint16(int16(gmax)))
	dst = be.AppendUint16(dst, sign)
	dst = be.AppendUint16(dst, uint16(dscale))
	for _, g := range groups[:ng] {
		dst = be.AppendUint16(dst, uint16(g))
	}
	return dst
}

// binaryArrayAppender writes array_send's format for a one-dimensional
// array: ndim (0 when empty), has-null flag, element OID, then length and
// lower bound 1, then each element as int32 length (-1 NULL) and bytes.
func binaryArrayAppender(a array.ListLike, o encodeOptions) appender {
	values := a.ListValues()
	if _, ok := values.(array.ListLike); ok {
		return binaryMultiArrayAppender(a, o)
	}
	elem := elemKind(a.DataType())
	elemOID := kindInfo[elem].oid
	ec := newColumn(values, binaryAppender(values, elem, o))
	return func(dst []byte, i int) []byte {
		start, end := a.ValueOffsets(i)
		if start == end {
			dst = be.AppendUint32(dst, 0)
			dst = be.AppendUint32(dst, 0)
			return be.AppendUint32(dst, elemOID)
		}
		hasNull := uint32(0)
		for j := start; j < end; j++ {
			if ec.isNull(int(j)) {
				hasNull = 1
				break
			}
		}
		dst = be.AppendUint32(dst, 1)
		dst = be.AppendUint32(dst, hasNull)
		dst = be.AppendUint32(dst, elemOID)
		dst = be.AppendUint32(dst, uint32(end-start))
		dst = be.AppendUint32(dst, 1)
		for j := start; j < end; j++ {
			dst = ec.appendValue(dst, int(j))
		}
		return dst
	}
}

// appendValue appends row i with its int32 length prefix (-1 for NULL).
func (c *column) appendValue(dst []byte, i int) []byte {
	if c.isNull(i) {
		return append(dst, 0xff, 0xff, 0xff, 0xff)
	}
	p := len(dst)
	dst = append(dst, 0, 0, 0, 0)
	dst = c.app(dst, i)
	be.PutUint32(dst[p:], uint32(len(dst)-p-4))
	return dst
}

// binaryMultiArrayAppender writes a nested list (rectangular, as the engine
// checks) as a multi-dimensional array: ndim, has-null, element OID, a
// length and lower bound 1 per dimension, then the elements in row-major
// order. An empty outer list is an empty array (ndim 0).
func binaryMultiArrayAppender(a array.ListLike, o encodeOptions) appender {
	var levels []array.ListLike
	for l := a; ; {
		levels = append(levels, l)
		inner, ok := l.ListValues().(array.ListLike)
		if !ok {
			break
		}
		l = inner
	}
	values := levels[len(levels)-1].ListValues()
	elem := elemKind(a.DataType())
	elemOID := kindInfo[elem].oid
	ec := newColumn(values, binaryAppender(values, elem, o))
	return func(dst []byte, i int) []byte {
		// Items lo..hi of level d make the row; the first one's length is
		// the extent of dimension d (all are equal).
		dims := make([]int64, len(levels))
		lo, hi := int64(i), int64(i)+1
		for d, l := range levels {
			if hi <= lo {
				break
			}
			s, e := l.ValueOffsets(int(lo))
			dims[d] = e - s
			_, last := l.ValueOffsets(int(hi - 1))
			lo, hi = s, last
		}
		for _, n := range dims {
			if n == 0 {
				dst = be.AppendUint32(dst, 0)
				dst = be.AppendUint32(dst, 0)
				return be.AppendUint32(dst, elemOID)
			}
		}
		hasNull := uint32(0)
		for j := lo; j < hi; j++ {
			if ec.isNull(int(j)) {
				hasNull = 1
				break
			}
		}
		dst = be.AppendUint32(dst, uint32(len(dims)))
		dst = be.AppendUint32(dst, hasNull)
		dst = be.AppendUint32(dst, elemOID)
		for _, n := range dims {
			dst = be.AppendUint32(dst, uint32(n))
			dst = be.AppendUint32(dst, 1)
		}
		for j := lo; j < hi; j++ {
			dst = ec.appendValue(dst, int(j))
		}
		return dst
	}
}
