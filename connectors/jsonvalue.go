package connectors

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"

	"github.com/meshgate/meshgate/sqlstate"
)

// jsonKind names the JSON type of a raw value, for messages.
func jsonKind(raw []byte) string {
	if len(raw) == 0 {
		return "missing"
	}
	switch raw[0] {
	case '"':
		return "a string"
	case '{':
		return "an object"
	case '[':
		return "an array"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}

// kindError is a JSON value of the wrong type for the declared column.
type kindError struct{ kind, want string }

func (e *kindError) Error() string {
	return fmt.Sprintf("is %s, but the column is declared %s", e.kind, e.want)
}

// jsonAppender appends one raw JSON value (never null: the caller handles
// null) of a column declared typ to builder b.
type jsonAppender func(raw []byte) error

var (
	timestampLayouts   = []string{"2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999"}
	timestampTZLayouts = []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999Z07:00", "2006-01-02T15:04:05.999999999Z0700", "2006-01-02 15:04:05.999999999Z0700"}
)

func newJSONAppender(typ string, b array.Builder) (jsonAppender, error) {
	wrong := func(raw []byte) error { return &kindError{jsonKind(raw), typ} }
	str := func(raw []byte) (string, error) {
		if raw[0] != '"' {
			return "", wrong(raw)
		}
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", badValue(sqlstate.InvalidTextRepresentation, "is not a valid JSON string")
		}
		return s, nil
	}
	num := func(raw []byte) error {
		if c := raw[0]; c != '-' && (c < '0' || c > '9') {
			return wrong(raw)
		}
		return nil
	}
	switch b := b.(type) {
	case *array.ListBuilder:
		elemType := strings.TrimSuffix(typ, "[]")
		vb := b.ValueBuilder()
		ea, err := newJSONAppender(elemType, vb)
		if err != nil {
			return nil, err
		}
		return func(raw []byte) error {
			if raw[0] != '[' {
				return wrong(raw)
			}
			var elems []json.RawMessage
			if err := json.Unmarshal(raw, &elems); err != nil {
				return badValue(sqlstate.InvalidTextRepresentation, "is not a valid JSON array")
			}
			b.Append(true)
			for i, e := range elems {
				if bytes.Equal(e, []byte("null")) {
					vb.AppendNull()
					continue
				}
				if err := ea(e); err != nil {
					return fmt.Errorf("element %d %w", i+1, err)
				}
			}
			return nil
		}, nil
	case *array.BooleanBuilder:
		return func(raw []byte) error {
			switch string(raw) {
			case "true":
				b.Append(true)
			case "false":
				b.Append(false)
			default:
				return wrong(raw)
			}
			return nil
		}, nil
	case *array.Int8Builder, *array.Int16Builder, *array.Int32Builder, *array.Int64Builder:
		app := intAppender(b)
		bits := map[string]int{"TINYINT": 8, "SMALLINT": 16, "INTEGER": 32, "BIGINT": 64}[typ]
		return func(raw []byte) error {
			if err := num(raw); err != nil {
				return err
			}
			v, err := strconv.ParseInt(string(raw), 10, bits)
			if err != nil {
				if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
					return badValue(sqlstate.NumericValueOutOfRange, "is %s, out of range for %s", raw, typ)
				}
				return &kindError{"a number with a fraction or exponent (" + string(raw) + ")", typ}
			}
			app(v)
			return nil
		}, nil
	case *array.Float32Builder:
		return func(raw []byte) error {
			if err := num(raw); err != nil {
				return err
			}
			v, err := strconv.ParseFloat(string(raw), 32)
			if err != nil {
				return badValue(sqlstate.NumericValueOutOfRange, "is %s, out of range for %s", raw, typ)
			}
			b.Append(float32(v))
			return nil
		}, nil
	case *array.Float64Builder:
		return func(raw []byte) error {
			if err := num(raw); err != nil {
				return err
			}
			v, err := strconv.ParseFloat(string(raw), 64)
			if err != nil {
				return badValue(sqlstate.NumericValueOutOfRange, "is %s, out of range for %s", raw, typ)
			}
			b.Append(v)
			return nil
		}, nil
	case *array.Decimal128Builder:
		dt := b.Type().(*arrow.Decimal128Type)
		limit := pow10(int(dt.Precision))
		return func(raw []byte) error {
			if err := num(raw); err != nil {
				return err
			}
			n, err := exactDecimal(string(raw), int(dt.Scale))
			if err != nil {
				return err
			}
			if new(big.Int).Abs(n).Cmp(limit) >= 0 {
				return badValue(sqlstate.NumericValueOutOfRange, "is %s, which does not fit %s", raw, typ)
			}
			b.Append(decimal128.FromBigInt(n))
			return nil
		}, nil
	case *array.StringBuilder:
		switch typ {
		case "JSON":
			return func(raw []byte) error {
				b.BinaryBuilder.Append(raw)
				return nil
			}, nil
		case "UUID":
			buf := make([]byte, 36)
			return func(raw []byte) error {
				s, err := str(raw)
				if err != nil {
					return err
				}
				u, ok := parseUUID(s)
				if !ok {
					return badValue(sqlstate.InvalidTextRepresentation, "is %q, which is not a UUID", s)
				}
				formatUUID(buf, u[:])
				b.BinaryBuilder.Append(buf)
				return nil
			}, nil
		}
		return func(raw []byte) error {
			s, err := str(raw)
			if err != nil {
				return err
			}
			b.Append(s)
			return nil
		}, nil
	case *array.BinaryBuilder:
		return func(raw []byte) error {
			s, err := str(raw)
			if err != nil {
				return err
			}
			v, err := base64.StdEncoding.DecodeString(s)
			if err != nil {
				return badValue(sqlstate.InvalidTextRepresentation, "is not base64 text, which a BLOB column needs")
			}
			b.Append(v)
			return nil
		}, nil
	case *array.Date32Builder:
		return func(raw []byte) error {
			s, err := str(raw)
			if err != nil {
				return err
			}
			t, err := time.Parse("2006-01-02", s)
			if err != nil {
				return badValue(sqlstate.InvalidDatetimeFormat, "is %q, not a date (YYYY-MM-DD)", s)
			}
			b.Append(arrow.Date32FromTime(t))
			return nil
		}, nil
	case *array.Time64Builder:
		return func(raw []byte) error {
			s, err := str(raw)
			if err != nil {
				return err
			}
			t, err := time.Parse("15:04:05.999999", s)
			if err != nil {
				return badValue(sqlstate.InvalidDatetimeFormat, "is %q, not a time (HH:MM:SS)", s)
			}
			b.Append(arrow.Time64(t.Sub(time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC)).Microseconds()))
			return nil
		}, nil
	case *array.TimestampBuilder:
		tz := b.Type().(*arrow.TimestampType).TimeZone != ""
		return func(raw []byte) error {
			s, err := str(raw)
			if err != nil {
				return err
			}
			layouts := timestampLayouts
			if tz {
				layouts = timestampTZLayouts
			}
			for _, l := range layouts {
				if t, err := time.Parse(l, s); err == nil {
					b.Append(arrow.Timestamp(t.UnixMicro()))
					return nil
				}
			}
			if tz {
				return badValue(sqlstate.InvalidDatetimeFormat, "is %q, not a timestamp with a time zone (RFC 3339, e.g. 2024-05-01T12:00:00Z)", s)
			}
			return badValue(sqlstate.InvalidDatetimeFormat, "is %q, not a timestamp without time zone (e.g. 2024-05-01T12:00:00)", s)
		}, nil
	}
	return nil, fmt.Errorf("type %s cannot be read from an http port", typ)
}

// exactDecimal parses a JSON number as the unscaled integer at scale;
// a number with more decimal places than the scale is refused, not
// rounded.
func exactDecimal(s string, scale int) (*big.Int, error) {
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return nil, badValue(sqlstate.InvalidTextRepresentation, "is %s, not a number", s)
	}
	r.Mul(r, new(big.Rat).SetInt(pow10(scale)))
	if !r.IsInt() {
		return nil, badValue(sqlstate.NumericValueOutOfRange, "is %s, which has more than %d decimal places", s, scale)
	}
	return new(big.Int).Set(r.Num()), nil
}

func parseUUID(s string) ([16]byte, bool) {
	var u [16]byte
	s = strings.TrimSuffix(strings.TrimPrefix(s, "{"), "}")
	s = strings.ReplaceAll(s, "-", "")
	if len(s) != 32 {
		return u, false
	}
	for i := 0; i < 16; i++ {
		v, err := strconv.ParseUint(s[2*i:2*i+2], 16, 8)
		if err != nil {
			return u, false
		}
		u[i] = byte(v)
	}
	return u, true
}

// inferJSONType guesses a canonical type from one JSON value, for
// Describe: "" for null.
func inferJSONType(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	switch jsonKind(raw) {
	case "null", "missing":
		return ""
	case "a boolean":
		return "BOOLEAN"
	case "an object":
		return "JSON"
	case "a number":
		if _, err := strconv.ParseInt(string(raw), 10, 64); err == nil {
			return "BIGINT"
		}
		if f, err := strconv.ParseFloat(string(raw), 64); err == nil && !math.IsInf(f, 0) {
			return "DOUBLE"
		}
		return "DOUBLE"
	case "an array":
		var elems []json.RawMessage
		if json.Unmarshal(raw, &elems) != nil {
			return "JSON"
		}
		t := ""
		for _, e := range elems {
			t = widen(t, inferJSONType(e))
		}
		if t == "" || t == "JSON" || strings.HasSuffix(t, "[]") {
			return "JSON"
		}
		return t + "[]"
	}
	var s string
	_ = json.Unmarshal(raw, &s)
	if _, err := time.Parse("2006-01-02", s); err == nil {
		return "DATE"
	}
	if _, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return "TIMESTAMP WITH TIME ZONE"
	}
	for _, l := range timestampLayouts {
		if _, err := time.Parse(l, s); err == nil {
			return "TIMESTAMP"
		}
	}
	if len(s) == 36 {
		if _, ok := parseUUID(s); ok {
			return "UUID"
		}
	}
	return "VARCHAR"
}

// widen combines the guesses of two values of one field.
func widen(a, b string) string {
	switch {
	case a == "" || a == b:
		return b
	case b == "":
		return a
	case (a == "BIGINT" && b == "DOUBLE") || (a == "DOUBLE" && b == "BIGINT"):
		return "DOUBLE"
	case (a == "DATE" || a == "TIMESTAMP" || a == "TIMESTAMP WITH TIME ZONE" || a == "UUID") && (b == "VARCHAR" || b == "DATE" || b == "TIMESTAMP" || b == "UUID" || b == "TIMESTAMP WITH TIME ZONE"):
		return "VARCHAR"
	case a == "VARCHAR" && (b == "DATE" || b == "TIMESTAMP" || b == "UUID" || b == "TIMESTAMP WITH TIME ZONE"):
		return "VARCHAR"
	}
	return "JSON"
}
