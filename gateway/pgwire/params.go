package pgwire

import (
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/meshgate/meshgate/sqlstate"
)

// DecodeParams decodes Bind's parameter values for statement parameter
// types oids, with Bind's format codes (none: all text; one: for all; else
// one per parameter). Errors name the parameter ($1…).
func DecodeParams(oids []uint32, formats []int16, values [][]byte) ([]any, error) {
	out := make([]any, len(values))
	for i, v := range values {
		var oid uint32
		if i < len(oids) {
			oid = oids[i]
		}
		val, err := DecodeParam(oid, formatFor(formats, i), v)
		if err != nil {
			if e := sqlstate.As(err); e != nil {
				e.Message += " (parameter $" + strconv.Itoa(i+1) + ")"
			}
			return nil, err
		}
		out[i] = val
	}
	return out, nil
}

// DecodeParam decodes one Bind parameter value of PostgreSQL type oid in
// format (0 text, 1 binary) into a value to bind into DuckDB: nil (NULL),
// bool, int64, float64, string or []byte. Types DuckDB casts from text
// (date, time, timestamp(tz), interval, numeric, uuid…) come back as their
// PostgreSQL text form. A malformed value is a *sqlstate.Error 22P02 (text)
// or 22P03 (binary).
func DecodeParam(oid uint32, format int16, b []byte) (any, error) {
	if b == nil {
		return nil, nil
	}
	if format == 1 {
		return decodeBinaryParam(oid, b)
	}
	return decodeTextParam(oid, b)
}

func decodeTextParam(oid uint32, b []byte) (any, error) {
	s := string(b)
	switch oid {
	case OIDInt2, OIDInt4, OIDInt8, OIDOid:
		v, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil {
			return nil, badText(oid, s)
		}
		lo, hi := int64(math.MinInt64), int64(math.MaxInt64)
		switch oid {
		case OIDOid:
			lo, hi = math.MinInt32, math.MaxUint32 // oidin takes -1 as 4294967295
		case OIDInt2:
			lo, hi = math.MinInt16, math.MaxInt16
		case OIDInt4:
			lo, hi = math.MinInt32, math.MaxInt32
		}
		if v < lo || v > hi {
			return nil, sqlstate.New(sqlstate.NumericValueOutOfRange, "value %q is out of range for type %s", s, typeName(oid))
		}
		return v, nil
	case OIDFloat4, OIDFloat8:
		t := strings.TrimSpace(s)
		switch strings.ToLower(t) {
		case "infinity", "+infinity", "inf", "+inf":
			return math.Inf(1), nil
		case "-infinity", "-inf":
			return math.Inf(-1), nil
		case "nan":
			return math.NaN(), nil
		}
		v, err := strconv.ParseFloat(t, 64)
		if err != nil {
			return nil, badText(oid, s)
		}
		return v, nil
	case OIDBool:
		v, ok := parseBool(s)
		if !ok {
			return nil, badText(oid, s)
		}
		return v, nil
	case OIDBytea:
		return decodeByteaText(s)
	}
	return s, nil
}

// parseBool accepts what boolin accepts: unique prefixes of true/false,
// yes/no, on/off, and 1/0, case-insensitively, surrounding space ignored.
func parseBool(s string) (bool, bool) {
	t := strings.ToLower(strings.TrimSpace(s))
	if t == "" {
		return false, false
	}
	switch {
	case strings.HasPrefix("true", t), strings.HasPrefix("yes", t), t == "1", t == "on":
		return true, true
	case strings.HasPrefix("false", t), strings.HasPrefix("no", t), t == "0", t == "off", t == "of":
		return false, true
	}
	return false, false
}

// decodeByteaText decodes bytea's text input: hex (\x…) or escape format.
func decodeByteaText(s string) (any, error) {
	if strings.HasPrefix(s, `\x`) || strings.HasPrefix(s, `\X`) {
		h := strings.Map(func(r rune) rune {
			if r == ' ' || r == '\t' || r == '\n' || r == '\r' {
				return -1
			}
			return r
		}, s[2:])
		out, err := hex.DecodeString(h)
		if err != nil {
			return nil, sqlstate.New(sqlstate.InvalidTextRepresentation, "invalid hexadecimal data in bytea input")
		}
		return out, nil
	}
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			out = append(out, s[i])
			continue
		}
		switch {
		case i+1 < len(s) && s[i+1] == '\\':
			out = append(out, '\\')
			i++
		case i+3 < len(s) && isOctal(s[i+1]) && isOctal(s[i+2]) && isOctal(s[i+3]) && s[i+1] <= '3':
			out = append(out, (s[i+1]-'0')<<6|(s[i+2]-'0')<<3|(s[i+3]-'0'))
			i += 3
		default:
			return nil, sqlstate.New(sqlstate.InvalidTextRepresentation, "invalid input syntax for type bytea")
		}
	}
	return out, nil
}

func isOctal(c byte) bool { return c >= '0' && c <= '7' }

func badText(oid uint32, s string) error {
	return sqlstate.New(sqlstate.InvalidTextRepresentation, "invalid input syntax for type %s: %q", typeName(oid), s)
}

func badBinary(oid uint32) error {
	return sqlstate.New(sqlstate.InvalidBinaryRepresentation, "incorrect binary data format for type %s", typeName(oid))
}

func typeName(oid uint32) string {
	switch oid {
	case OIDBool:
		return "boolean"
	case OIDInt2:
		return "smallint"
	case OIDInt4:
		return "integer"
	case OIDInt8:
		return "bigint"
	case OIDOid:
		return "oid"
	case OIDFloat4:
		return "real"
	case OIDFloat8:
		return "double precision"
	case OIDBytea:
		return "bytea"
	case OIDDate:
		return "date"
	case OIDTime:
		return "time without time zone"
	case OIDTimetz:
		return "time with time zone"
	case OIDTimestamp:
		return "timestamp without time zone"
	case OIDTimestamptz:
		return "timestamp with time zone"
	case OIDInterval:
		return "interval"
	case OIDNumeric:
		return "numeric"
	case OIDUUID:
		return "uuid"
	}
	return "oid " + strconv.FormatUint(uint64(oid), 10)
}

func decodeBinaryParam(oid uint32, b []byte) (any, error) {
	need := func(n int) error {
		if len(b) != n {
			return badBinary(oid)
		}
		return nil
	}
	switch oid {
	case OIDBool:
		if err := need(1); err != nil {
			return nil, err
		}
		return b[0] != 0, nil
	case OIDInt2:
		if err := need(2); err != nil {
			return nil, err
		}
		return int64(int16(be.Uint16(b))), nil
	case OIDInt4:
		if err := need(4); err != nil {
			return nil, err
		}
		return int64(int32(be.Uint32(b))), nil
	case OIDInt8:
		if err := need(8); err != nil {
			return nil, err
		}
		return int64(be.Uint64(b)), nil
	case OIDOid:
		if err := need(4); err != nil {
			return nil, err
		}
		return int64(be.Uint32(b)), nil
	case OIDFloat4:
		if err := need(4); err != nil {
			return nil, err
		}
		return float64(math.Float32frombits(be.Uint32(b))), nil
	case OIDFloat8:
		if err := need(8); err != nil {
			return nil, err
		}
		return math.Float64frombits(be.Uint64(b)), nil
	case OIDBytea:
		return append([]byte(nil), b...), nil
	case OIDUUID:
		if err := need(16); err != nil {
			return nil, err
		}
		return string(appendUUID(nil, b)), nil
	case OIDDate:
		if err := need(4); err != nil {
			return nil, err
		}
		d := int32(be.Uint32(b))
		switch d {
		case math.MaxInt32:
			return "infinity", nil
		case math.MinInt32:
			return "-infinity", nil
		}
		return string(appendDate(nil, int64(d)+pgEpochDays, false, false)), nil
	case OIDTime:
		if err := need(8); err != nil {
			return nil, err
		}
		return string(appendClock(nil, int64(be.Uint64(b)))), nil
	case OIDTimetz:
		if err := need(12); err != nil {
			return nil, err
		}
		us := int64(be.Uint64(b))
		zone := int32(be.Uint32(b[8:])) // seconds west of UTC
		return string(appendOffset(appendClock(nil, us), -int(zone))), nil
	case OIDTimestamp, OIDTimestamptz:
		if err := need(8); err != nil {
			return nil, err
		}
		v := int64(be.Uint64(b))
		switch v {
		case math.MaxInt64:
			return "infinity", nil
		case math.MinInt64:
			return "-infinity", nil
		}
		if oid == OIDTimestamptz {
			return string(appendTimestamptz(nil, v+pgEpochMicros, arrow.Microsecond, time.UTC)), nil
		}
		return string(appendTimestamp(nil, v+pgEpochMicros, arrow.Microsecond)), nil
	case OIDInterval:
		if err := need(16); err != nil {
			return nil, err
		}
		us := int64(be.Uint64(b))
		days := int32(be.Uint32(b[8:]))
		months := int32(be.Uint32(b[12:]))
		return string(appendInterval(nil, months, days, us)), nil
	case OIDNumeric:
		s, err := numericBinaryToText(b)
		if err != nil {
			return nil, badBinary(oid)
		}
		return s, nil
	case OIDText, OIDVarchar, OIDJSON, OIDUnknown, 0, 1042, 19:
		return string(b), nil
	case OIDJSONB:
		if len(b) == 0 || b[0] != 1 {
			return nil, badBinary(oid)
		}
		return string(b[1:]), nil
	case OIDBoolArray, OIDInt2Array, OIDInt4Array, OIDInt8Array, OIDTextArray, OIDFloat4Array, OIDFloat8Array,
		OIDDateArray, OIDTimestampArray, OIDTimestamptzArray, OIDUUIDArray, 1014, 1015:
		// pgjdbc's setArray: PostgreSQL's binary array, answered in its text
		// form ({a,"b c",NULL}) as a text-format array parameter would be.
		return decodeBinaryArray(oid, b)
	}
	return append([]byte(nil), b...), nil
}

// decodeBinaryArray reads array_send's format (dimensions, then each
// element as a length and its binary form) into the array's text form.
func decodeBinaryArray(oid uint32, b []byte) (string, error) {
	if len(b) < 12 {
		return "", badBinary(oid)
	}
	ndim, elem := int(int32(be.Uint32(b))), be.Uint32(b[8:])
	if ndim < 0 || ndim > 6 || len(b) < 12+8*ndim {
		return "", badBinary(oid)
	}
	dims := make([]int, ndim)
	n := 1
	for i := range dims {
		dims[i] = int(int32(be.Uint32(b[12+8*i:])))
		if dims[i] < 0 || dims[i] > len(b) {
			return "", badBinary(oid)
		}
		if n *= dims[i]; n > len(b) {
			return "", badBinary(oid) // each element takes at least 4 bytes
		}
	}
	if ndim == 0 {
		n = 0
	}
	rest := b[12+8*ndim:]
	if n > len(rest)/4 {
		return "", badBinary(oid)
	}
	elems := make([]string, 0, n)
	for i := 0; i < n; i++ {
		if len(rest) < 4 {
			return "", badBinary(oid)
		}
		l := int(int32(be.Uint32(rest)))
		rest = rest[4:]
		if l == -1 {
			elems = append(elems, "NULL")
			continue
		}
		if l < 0 || l > len(rest) {
			return "", badBinary(oid)
		}
		v, err := decodeBinaryParam(elem, rest[:l])
		if err != nil {
			return "", err
		}
		rest = rest[l:]
		elems = append(elems, arrayElementText(v))
	}
	if len(rest) != 0 {
		return "", badBinary(oid)
	}
	var out strings.Builder
	var write func(d int)
	write = func(d int) {
		out.WriteByte('{')
		for i := 0; d < ndim && i < dims[d]; i++ {
			if i > 0 {
				out.WriteByte(',')
			}
			if d == ndim-1 {
				out.WriteString(elems[0])
				elems = elems[1:]
			} else {
				write(d + 1)
			}
		}
		out.WriteByte('}')
	}
	write(0)
	return out.String(), nil
}

// arrayElementText is an element's text in an array literal: quoted when
// it is empty, NULL or holds a delimiter, a quote, a backslash or a space.
func arrayElementText(v any) string {
	var s string
	switch x := v.(type) {
	case bool:
		if x {
			return "t"
		}
		return "f"
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case string:
		s = x
	default:
		s = fmt.Sprint(x)
	}
	if s != "" && !strings.EqualFold(s, "NULL") && !strings.ContainsAny(s, "{},\"\\ \t\n") {
		return s
	}
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// numericBinaryToText converts numeric_send's format to numeric_out's text.
func numericBinaryToText(b []byte) (string, error) {
	if len(b) < 8 {
		return "", errBadNumeric
	}
	ndigits := int(be.Uint16(b))
	weight := int(int16(be.Uint16(b[2:])))
	sign := be.Uint16(b[4:])
	dscale := int(be.Uint16(b[6:]))
	if len(b) != 8+2*ndigits || dscale > 0x3fff {
		return "", errBadNumeric
	}
	switch sign {
	case 0xC000:
		return "NaN", nil
	case 0xD000:
		return "Infinity", nil
	case 0xF000:
		return "-Infinity", nil
	case 0, 0x4000:
	default:
		return "", errBadNumeric
	}
	digit := func(k int) int { // base-10000 digit with weight position k
		idx := weight - k
		if idx < 0 || idx >= ndigits {
			return 0
		}
		d := int(be.Uint16(b[8+2*idx:]))
		return d
	}
	for k := 0; k < ndigits; k++ {
		if be.Uint16(b[8+2*k:]) > 9999 {
			return "", errBadNumeric
		}
	}
	var sb strings.Builder
	if sign == 0x4000 {
		sb.WriteByte('-')
	}
	if weight < 0 {
		sb.WriteByte('0')
	} else {
		for k := weight; k >= 0; k-- {
			d := digit(k)
			if k == weight {
				sb.WriteString(strconv.Itoa(d))
			} else {
				sb.Write(appendZeroPad(nil, uint64(d), 4))
			}
		}
	}
	if dscale > 0 {
		sb.WriteByte('.')
		var frac []byte
		for k := -1; len(frac) < dscale; k-- {
			frac = appendZeroPad(frac, uint64(digit(k)), 4)
		}
		sb.Write(frac[:dscale])
	}
	return sb.String(), nil
}

var errBadNumeric = errors.New("invalid numeric binary value")
