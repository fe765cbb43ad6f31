package pgwire

import (
	"math"
	"math/bits"
	"strconv"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal"
)

// This file holds PostgreSQL's text output functions (as PostgreSQL 15
// prints values with DateStyle ISO, IntervalStyle postgres and
// extra_float_digits ≥ 1), working straight on Arrow arrays. Every encoder
// appends to a caller's buffer: no per-value allocation, no intermediate Go
// values.

// appender appends the encoding of row i (known not to be NULL) to dst.
type appender func(dst []byte, i int) []byte

// column is one Arrow array ready to encode: its validity bitmap and the
// appender for its values.
type column struct {
	valid   []byte // validity bitmap; nil when the array has no NULLs
	off     int    // the array's offset into valid
	allNull bool
	app     appender
}

func newColumn(arr arrow.Array, app appender) column {
	c := column{app: app}
	if arr.DataType().ID() == arrow.NULL {
		c.allNull = true
		return c
	}
	if arr.NullN() > 0 {
		c.valid = arr.NullBitmapBytes()
		c.off = arr.Data().Offset()
	}
	return c
}

func (c *column) isNull(i int) bool {
	if c.valid == nil {
		return c.allNull
	}
	j := i + c.off
	return c.valid[j>>3]&(1<<(j&7)) == 0
}

// encodeOptions are the session settings output depends on.
type encodeOptions struct {
	loc *time.Location // for timestamptz; nil means UTC
}

// textColumn returns the text-format encoder of arr, a column of field f.
func textColumn(arr arrow.Array, f arrow.Field, o encodeOptions) column {
	return newColumn(arr, textAppender(arr, kindOf(f.Type, f.Metadata), o))
}

// textAppender returns the text output function for arr encoded as k.
func textAppender(arr arrow.Array, k kind, o encodeOptions) appender {
	switch k {
	case kindBool:
		if a, ok := arr.(*array.Boolean); ok {
			return func(dst []byte, i int) []byte {
				if a.Value(i) {
					return append(dst, 't')
				}
				return append(dst, 'f')
			}
		}
	case kindInt2, kindInt4, kindInt8, kindOID, kindNumeric:
		if app := intAppender(arr); app != nil {
			return app
		}
		if app := decimalTextAppender(arr); app != nil {
			return app
		}
	case kindFloat4:
		switch a := arr.(type) {
		case *array.Float32:
			v := a.Float32Values()
			return func(dst []byte, i int) []byte { return appendFloat4(dst, v[i]) }
		case *array.Float16:
			return func(dst []byte, i int) []byte { return appendFloat4(dst, a.Value(i).Float32()) }
		}
	case kindFloat8:
		if a, ok := arr.(*array.Float64); ok {
			v := a.Float64Values()
			return func(dst []byte, i int) []byte { return appendFloat8(dst, v[i]) }
		}
	case kindBytea:
		if get := bytesGetter(arr); get != nil {
			return func(dst []byte, i int) []byte { return appendHexBytea(dst, get(i)) }
		}
	case kindUUID:
		if a, ok := arr.(*array.FixedSizeBinary); ok && a.DataType().(*arrow.FixedSizeBinaryType).ByteWidth == 16 {
			return func(dst []byte, i int) []byte { return appendUUID(dst, a.Value(i)) }
		}
		if get := stringGetter(arr); get != nil {
			// Canonical lowercase form; anything unparsable as is.
			return func(dst []byte, i int) []byte {
				s := get(i)
				if b, ok := parseUUID(s); ok {
					return appendUUID(dst, b[:])
				}
				return append(dst, s...)
			}
		}
	case kindDate:
		switch a := arr.(type) {
		case *array.Date32:
			v := a.Date32Values()
			return func(dst []byte, i int) []byte {
				return appendDate(dst, int64(v[i]), v[i] == math.MaxInt32, v[i] <= -math.MaxInt32)
			}
		case *array.Date64:
			v := a.Date64Values()
			return func(dst []byte, i int) []byte { return appendDate(dst, floorDiv(int64(v[i]), 86400000), false, false) }
		}
	case kindTime, kindTimetz:
		if get := timeMicros(arr); get != nil {
			if k == kindTimetz {
				return func(dst []byte, i int) []byte { return append(appendClock(dst, get(i)), '+', '0', '0') }
			}
			return func(dst []byte, i int) []byte { return appendClock(dst, get(i)) }
		}
	case kindTimestamp, kindTimestamptz:
		if a, ok := arr.(*array.Timestamp); ok {
			v := a.TimestampValues()
			unit := a.DataType().(*arrow.TimestampType).Unit
			if k == kindTimestamp {
				return func(dst []byte, i int) []byte { return appendTimestamp(dst, int64(v[i]), unit) }
			}
			loc := o.loc
			if loc == nil {
				loc = time.UTC
			}
			return func(dst []byte, i int) []byte { return appendTimestamptz(dst, int64(v[i]), unit, loc) }
		}
	case kindInterval:
		if a, ok := arr.(*array.MonthDayNanoInterval); ok {
			v := a.MonthDayNanoIntervalValues()
			return func(dst []byte, i int) []byte {
				return appendInterval(dst, v[i].Months, v[i].Days, v[i].Nanoseconds/1000)
			}
		}
	case kindArray:
		if a, ok := arr.(array.ListLike); ok {
			return textArrayAppender(a, o)
		}
	case kindNested:
		return jsonAppender(arr, o)
	}
	// kindText, kindJSON, kindUUID as utf8, and anything else.
	if get := stringGetter(arr); get != nil {
		return func(dst []byte, i int) []byte { return append(dst, get(i)...) }
	}
	return func(dst []byte, i int) []byte { return append(dst, arr.ValueStr(i)...) }
}

// stringGetter returns the values of a string array without copying.
func stringGetter(arr arrow.Array) func(i int) string {
	switch a := arr.(type) {
	case *array.String:
		return a.Value
	case *array.LargeString:
		return a.Value
	case *array.StringView:
		return a.Value
	}
	return nil
}

// bytesGetter returns the values of a binary array without copying.
func bytesGetter(arr arrow.Array) func(i int) []byte {
	switch a := arr.(type) {
	case *array.Binary:
		return a.Value
	case *array.LargeBinary:
		return a.Value
	case *array.BinaryView:
		return a.Value
	case *array.FixedSizeBinary:
		return a.Value
	}
	return nil
}

// intAppender prints any Arrow integer type.
func intAppender(arr arrow.Array) appender {
	switch a := arr.(type) {
	case *array.Int8:
		v := a.Int8Values()
		return func(dst []byte, i int) []byte { return strconv.AppendInt(dst, int64(v[i]), 10) }
	case *array.Int16:
		v := a.Int16Values()
		return func(dst []byte, i int) []byte { return strconv.AppendInt(dst, int64(v[i]), 10) }
	case *array.Int32:
		v := a.Int32Values()
		return func(dst []byte, i int) []byte { return strconv.AppendInt(dst, int64(v[i]), 10) }
	case *array.Int64:
		v := a.Int64Values()
		return func(dst []byte, i int) []byte { return strconv.AppendInt(dst, v[i], 10) }
	case *array.Uint8:
		v := a.Uint8Values()
		return func(dst []byte, i int) []byte { return strconv.AppendUint(dst, uint64(v[i]), 10) }
	case *array.Uint16:
		v := a.Uint16Values()
		return func(dst []byte, i int) []byte { return strconv.AppendUint(dst, uint64(v[i]), 10) }
	case *array.Uint32:
		v := a.Uint32Values()
		return func(dst []byte, i int) []byte { return strconv.AppendUint(dst, uint64(v[i]), 10) }
	case *array.Uint64:
		v := a.Uint64Values()
		return func(dst []byte, i int) []byte { return strconv.AppendUint(dst, v[i], 10) }
	}
	return nil
}

// decimalSource reads the unscaled values of a numeric column (decimal of
// any width, or uint64 with scale 0) as decimal digits, without
// allocating.
type decimalSource struct {
	scale int32
	u64   []uint64
	d32   []decimal.Decimal32
	d64   []decimal.Decimal64
	d128  []decimal.Decimal128
	d256  []decimal.Decimal256
}

func newDecimalSource(arr arrow.Array) (decimalSource, bool) {
	var s decimalSource
	switch a := arr.(type) {
	case *array.Uint64:
		s.u64 = a.Uint64Values()
	case *array.Decimal32:
		s.d32, s.scale = a.Values(), a.DataType().(arrow.DecimalType).GetScale()
	case *array.Decimal64:
		s.d64, s.scale = a.Values(), a.DataType().(arrow.DecimalType).GetScale()
	case *array.Decimal128:
		s.d128, s.scale = a.Values(), a.DataType().(arrow.DecimalType).GetScale()
	case *array.Decimal256:
		s.d256, s.scale = a.Values(), a.DataType().(arrow.DecimalType).GetScale()
	default:
		return s, false
	}
	return s, true
}

// digits appends the decimal digits of row i's unscaled magnitude to buf
// and reports its sign.
func (s *decimalSource) digits(buf []byte, i int) ([]byte, bool) {
	switch {
	case s.u64 != nil:
		return strconv.AppendUint(buf, s.u64[i], 10), false
	case s.d32 != nil:
		return appendSignedDigits(buf, int64(s.d32[i]))
	case s.d64 != nil:
		return appendSignedDigits(buf, int64(s.d64[i]))
	case s.d128 != nil:
		return appendDecimal128Digits(buf, s.d128[i])
	default:
		return appendDecimal256Digits(buf, s.d256[i])
	}
}

func appendSignedDigits(buf []byte, v int64) ([]byte, bool) {
	if v < 0 {
		return strconv.AppendUint(buf, uint64(-v), 10), true
	}
	return strconv.AppendUint(buf, uint64(v), 10), false
}

func appendDecimal128Digits(buf []byte, n decimal.Decimal128) ([]byte, bool) {
	hi, lo := uint64(n.HighBits()), n.LowBits()
	neg := int64(hi) < 0
	if neg {
		var borrow uint64
		lo, borrow = bits.Sub64(0, lo, 0)
		hi, _ = bits.Sub64(0, hi, borrow)
	}
	if hi == 0 {
		return strconv.AppendUint(buf, lo, 10), neg
	}
	w := [4]uint64{hi, lo}
	return appendMagnitude(buf, w[:2]), neg
}

func appendDecimal256Digits(buf []byte, n decimal.Decimal256) ([]byte, bool) {
	a := n.Array() // little-endian words
	w := [4]uint64{a[3], a[2], a[1], a[0]}
	neg := int64(w[0]) < 0
	if neg {
		var borrow uint64
		for j := 3; j >= 0; j-- {
			w[j], borrow = bits.Sub64(0, w[j], borrow)
		}
	}
	return appendMagnitude(buf, w[:]), neg
}

// appendMagnitude appends the decimal digits of the unsigned integer whose
// 64-bit words (most significant first) are w. w is overwritten.
func appendMagnitude(dst []byte, w []uint64) []byte {
	const base = 1e19
	var chunks [5]uint64
	n := 0
	for {
		for len(w) > 0 && w[0] == 0 {
			w = w[1:]
		}
		if len(w) <= 1 {
			break
		}
		var rem uint64
		for j := range w {
			w[j], rem = bits.Div64(rem, w[j], base)
		}
		chunks[n] = rem
		n++
	}
	var lead uint64
	if len(w) == 1 {
		lead = w[0]
	}
	if lead == 0 && n > 0 {
		n--
		lead = chunks[n]
	}
	dst = strconv.AppendUint(dst, lead, 10)
	for j := n - 1; j >= 0; j-- {
		dst = appendZeroPad(dst, chunks[j], 19)
	}
	return dst
}

// appendZeroPad appends v in exactly width digits.
func appendZeroPad(dst []byte, v uint64, width int) []byte {
	var b [20]byte
	p := len(b)
	for k := 0; k < width; k++ {
		p--
		b[p] = byte('0' + v%10)
		v /= 10
	}
	return append(dst, b[p:]...)
}

// decimalTextAppender prints a numeric column with exactly its scale and
// no exponent, as numeric_out does.
func decimalTextAppender(arr arrow.Array) appender {
	src, ok := newDecimalSource(arr)
	if !ok {
		return nil
	}
	return func(dst []byte, i int) []byte {
		var buf [96]byte
		digits, neg := src.digits(buf[:0], i)
		return appendScaled(dst, digits, neg, src.scale)
	}
}

// appendScaled prints an unscaled magnitude's digits with scale digits after
// the decimal point.
func appendScaled(dst, digits []byte, neg bool, scale int32) []byte {
	if neg && !(len(digits) == 1 && digits[0] == '0') {
		dst = append(dst, '-')
	}
	if scale <= 0 {
		dst = append(dst, digits...)
		if len(digits) == 1 && digits[0] == '0' {
			return dst
		}
		for ; scale < 0; scale++ {
			dst = append(dst, '0')
		}
		return dst
	}
	s := int(scale)
	if len(digits) <= s {
		dst = append(dst, '0', '.')
		for k := len(digits); k < s; k++ {
			dst = append(dst, '0')
		}
		return append(dst, digits...)
	}
	dst = append(dst, digits[:len(digits)-s]...)
	dst = append(dst, '.')
	return append(dst, digits[len(digits)-s:]...)
}

// appendFloat8 prints as float8out with extra_float_digits ≥ 1: shortest
// round-trip digits, fixed-point for decimal exponents in [-4, 15).
func appendFloat8(dst []byte, f float64) []byte {
	switch {
	case math.IsNaN(f):
		return append(dst, "NaN"...)
	case math.IsInf(f, 1):
		return append(dst, "Infinity"...)
	case math.IsInf(f, -1):
		return append(dst, "-Infinity"...)
	}
	if a := math.Abs(f); a == 0 || (a >= 1e-4 && a < 1e15) {
		return strconv.AppendFloat(dst, f, 'f', -1, 64)
	}
	return strconv.AppendFloat(dst, f, 'e', -1, 64)
}

// appendFloat4 prints as float4out: fixed-point for exponents in [-4, 6).
func appendFloat4(dst []byte, f float32) []byte {
	switch {
	case f != f:
		return append(dst, "NaN"...)
	case math.IsInf(float64(f), 1):
		return append(dst, "Infinity"...)
	case math.IsInf(float64(f), -1):
		return append(dst, "-Infinity"...)
	}
	if a := float32(math.Abs(float64(f))); a == 0 || (a >= 1e-4 && a < 1e6) {
		return strconv.AppendFloat(dst, float64(f), 'f', -1, 32)
	}
	return strconv.AppendFloat(dst, float64(f), 'e', -1, 32)
}

const hexDigits = "0123456789abcdef"

// appendHexBytea prints bytea in hex format: \x and lowercase hex.
func appendHexBytea(dst, b []byte) []byte {
	dst = append(dst, '\\', 'x')
	for _, c := range b {
		dst = append(dst, hexDigits[c>>4], hexDigits[c&15])
	}
	return dst
}

// appendUUID prints 16 bytes as a lowercase 8-4-4-4-12 UUID.
func appendUUID(dst, b []byte) []byte {
	for j, c := range b {
		if j == 4 || j == 6 || j == 8 || j == 10 {
			dst = append(dst, '-')
		}
		dst = append(dst, hexDigits[c>>4], hexDigits[c&15])
	}
	return dst
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// civil converts days since 1970-01-01 to a proleptic Gregorian date
// (astronomical year numbering: year 0 is 1 BC).
func civil(days int64) (y int64, m, d int) {
	z := days + 719468
	era := floorDiv(z, 146097)
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y = yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = int(doy - (153*mp+2)/5 + 1)
	if mp < 10 {
		m = int(mp + 3)
	} else {
		m = int(mp - 9)
	}
	if m <= 2 {
		y++
	}
	return y, m, d
}

// appendYMD prints YYYY-MM-DD and reports whether the date is BC (the
// caller appends " BC" after the whole value, as PostgreSQL does).
func appendYMD(dst []byte, days int64) ([]byte, bool) {
	y, m, d := civil(days)
	bc := y <= 0
	if bc {
		y = 1 - y
	}
	if y < 10000 {
		dst = appendZeroPad(dst, uint64(y), 4)
	} else {
		dst = strconv.AppendInt(dst, y, 10)
	}
	dst = append(dst, '-', byte('0'+m/10), byte('0'+m%10), '-', byte('0'+d/10), byte('0'+d%10))
	return dst, bc
}

// appendDate prints a date (days since 1970-01-01) as date_out does.
func appendDate(dst []byte, days int64, posInf, negInf bool) []byte {
	switch {
	case posInf:
		return append(dst, "infinity"...)
	case negInf:
		return append(dst, "-infinity"...)
	}
	dst, bc := appendYMD(dst, days)
	if bc {
		dst = append(dst, " BC"...)
	}
	return dst
}

// appendClock prints HH:MM:SS[.ffffff] (trailing zeros trimmed) for a time
// of day in microseconds.
func appendClock(dst []byte, us int64) []byte {
	h := us / 3600e6
	us -= h * 3600e6
	mi := us / 60e6
	us -= mi * 60e6
	s := us / 1e6
	us -= s * 1e6
	dst = appendTwo(dst, h)
	dst = append(dst, ':')
	dst = appendTwo(dst, mi)
	dst = append(dst, ':')
	dst = appendTwo(dst, s)
	return appendFraction(dst, us)
}

func appendTwo(dst []byte, v int64) []byte {
	if v >= 100 || v < 0 {
		if v < 0 {
			v = -v
		}
		if v < 10 {
			return append(dst, '0', byte('0'+v))
		}
		return strconv.AppendInt(dst, v, 10)
	}
	return append(dst, byte('0'+v/10), byte('0'+v%10))
}

// appendFraction prints .ffffff without trailing zeros, nothing for 0.
func appendFraction(dst []byte, us int64) []byte {
	if us == 0 {
		return dst
	}
	if us < 0 {
		us = -us
	}
	var b [7]byte
	b[0] = '.'
	for k := 6; k >= 1; k-- {
		b[k] = byte('0' + us%10)
		us /= 10
	}
	n := 7
	for b[n-1] == '0' {
		n--
	}
	return append(dst, b[:n]...)
}

// timeMicros returns a time-of-day column's values in microseconds.
func timeMicros(arr arrow.Array) func(i int) int64 {
	switch a := arr.(type) {
	case *array.Time32:
		v := a.Time32Values()
		if a.DataType().(*arrow.Time32Type).Unit == arrow.Second {
			return func(i int) int64 { return int64(v[i]) * 1e6 }
		}
		return func(i int) int64 { return int64(v[i]) * 1e3 }
	case *array.Time64:
		v := a.Time64Values()
		if a.DataType().(*arrow.Time64Type).Unit == arrow.Nanosecond {
			return func(i int) int64 { return int64(v[i]) / 1e3 }
		}
		return func(i int) int64 { return int64(v[i]) }
	}
	return nil
}

// toMicros converts a timestamp in unit to microseconds since 1970
// (rounding toward minus infinity).
func toMicros(v int64, unit arrow.TimeUnit) int64 {
	switch unit {
	case arrow.Second:
		return v * 1e6
	case arrow.Millisecond:
		return v * 1e3
	case arrow.Nanosecond:
		return floorDiv(v, 1e3)
	}
	return v
}

// Timestamp infinities: PostgreSQL's are the int64 extremes; DuckDB uses
// ±MaxInt64.
func isPosInf(v int64) bool { return v == math.MaxInt64 }
func isNegInf(v int64) bool { return v <= -math.MaxInt64 }

// appendTimestamp prints a timestamp without time zone (raw Arrow value in
// unit since 1970-01-01) as timestamp_out does.
func appendTimestamp(dst []byte, v int64, unit arrow.TimeUnit) []byte {
	if isPosInf(v) {
		return append(dst, "infinity"...)
	} else if isNegInf(v) {
		return append(dst, "-infinity"...)
	}
	dst, bc := appendDateTime(dst, toMicros(v, unit))
	if bc {
		dst = append(dst, " BC"...)
	}
	return dst
}

func appendDateTime(dst []byte, us int64) ([]byte, bool) {
	days := floorDiv(us, 86400e6)
	dst, bc := appendYMD(dst, days)
	dst = append(dst, ' ')
	return appendClock(dst, us-days*86400e6), bc
}

// appendTimestamptz prints a timestamp with time zone in loc, with its UTC
// offset (+00, +05:30, -08).
func appendTimestamptz(dst []byte, v int64, unit arrow.TimeUnit, loc *time.Location) []byte {
	if isPosInf(v) {
		return append(dst, "infinity"...)
	} else if isNegInf(v) {
		return append(dst, "-infinity"...)
	}
	us := toMicros(v, unit)
	off := 0
	if loc != time.UTC {
		_, off = time.UnixMicro(us).In(loc).Zone()
	}
	dst, bc := appendDateTime(dst, us+int64(off)*1e6)
	dst = appendOffset(dst, off)
	if bc {
		dst = append(dst, " BC"...)
	}
	return dst
}

// appendOffset prints a UTC offset in seconds east as ±HH[:MM[:SS]].
func appendOffset(dst []byte, off int) []byte {
	if off < 0 {
		dst = append(dst, '-')
		off = -off
	} else {
		dst = append(dst, '+')
	}
	h, m, s := off/3600, off/60%60, off%60
	dst = appendTwo(dst, int64(h))
	if m != 0 || s != 0 {
		dst = append(dst, ':')
		dst = appendTwo(dst, int64(m))
	}
	if s != 0 {
		dst = append(dst, ':')
		dst = appendTwo(dst, int64(s))
	}
	return dst
}

// appendInterval prints an interval in IntervalStyle postgres, as
// interval_out does: "1 year 2 mons 3 days 04:05:06.5", "-1 days +02:00:00".
func appendInterval(dst []byte, months, days int32, us int64) []byte {
	years, mons := months/12, months%12
	isZero, isBefore := true, false
	part := func(v int64, unit string) {
		if v == 0 {
			return
		}
		if !isZero {
			dst = append(dst, ' ')
		}
		if isBefore && v > 0 {
			dst = append(dst, '+')
		}
		dst = strconv.AppendInt(dst, v, 10)
		dst = append(dst, ' ')
		dst = append(dst, unit...)
		if v != 1 {
			dst = append(dst, 's')
		}
		isBefore = v < 0
		isZero = false
	}
	part(int64(years), "year")
	part(int64(mons), "mon")
	part(int64(days), "day")
	if isZero || us != 0 {
		if !isZero {
			dst = append(dst, ' ')
		}
		switch {
		case us < 0:
			dst = append(dst, '-')
			us = -us
		case isBefore:
			dst = append(dst, '+')
		}
		dst = appendClock(dst, us) // hours beyond 24 print in full
	}
	return dst
}

// textArrayAppender prints a list of scalars as a PostgreSQL array
// literal: {1,2,NULL,"a b"}; nested lists are a multi-dimensional array,
// {{1,2},{3,4}}.
func textArrayAppender(a array.ListLike, o encodeOptions) appender {
	values := a.ListValues()
	if inner, ok := values.(array.ListLike); ok {
		sub := textArrayAppender(inner, o)
		return func(dst []byte, i int) []byte {
			start, end := a.ValueOffsets(i)
			dst = append(dst, '{')
			for j := start; j < end; j++ {
				if j > start {
					dst = append(dst, ',')
				}
				dst = sub(dst, int(j))
			}
			return append(dst, '}')
		}
	}
	elem := elemKind(a.DataType())
	ec := newColumn(values, textAppender(values, elem, o))
	var scratch []byte
	return func(dst []byte, i int) []byte {
		start, end := a.ValueOffsets(i)
		dst = append(dst, '{')
		for j := start; j < end; j++ {
			if j > start {
				dst = append(dst, ',')
			}
			if ec.isNull(int(j)) {
				dst = append(dst, "NULL"...)
				continue
			}
			p := len(dst)
			dst = ec.app(dst, int(j))
			if needsArrayQuote(dst[p:]) {
				scratch = append(scratch[:0], dst[p:]...)
				dst = append(dst[:p], '"')
				for _, c := range scratch {
					if c == '"' || c == '\\' {
						dst = append(dst, '\\')
					}
					dst = append(dst, c)
				}
				dst = append(dst, '"')
			}
		}
		return append(dst, '}')
	}
}

// needsArrayQuote reports whether an array element must be double-quoted,
// as array_out decides.
func needsArrayQuote(v []byte) bool {
	if len(v) == 0 {
		return true
	}
	if len(v) == 4 && (v[0]|0x20) == 'n' && (v[1]|0x20) == 'u' && (v[2]|0x20) == 'l' && (v[3]|0x20) == 'l' {
		return true
	}
	for _, c := range v {
		switch c {
		case '{', '}', ',', '"', '\\', ' ', '\t', '\n', '\r', '\v', '\f':
			return true
		}
	}
	return false
}
