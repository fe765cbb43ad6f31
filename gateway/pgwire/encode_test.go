package pgwire

import (
	"fmt"
	"math"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/decimal256"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/jackc/pgx/v5/pgtype"
)

func TestTextFloats(t *testing.T) {
	for _, tc := range []struct {
		v    float64
		want string
	}{
		{1e20, "1e+20"}, {1.5, "1.5"}, {100, "100"}, {0.1, "0.1"}, {1000000, "1000000"},
		{1e15, "1e+15"}, {123456789012345, "123456789012345"}, {0.0001, "0.0001"}, {0.00001, "1e-05"},
		{-2.5e-10, "-2.5e-10"}, {0, "0"}, {math.Copysign(0, -1), "-0"}, {1.7976931348623157e308, "1.7976931348623157e+308"},
		{math.Inf(1), "Infinity"}, {math.Inf(-1), "-Infinity"}, {math.NaN(), "NaN"}, {1.0 / 3, "0.3333333333333333"},
	} {
		if got := string(appendFloat8(nil, tc.v)); got != tc.want {
			t.Errorf("float8 %v: got %q want %q", tc.v, got, tc.want)
		}
	}
	for _, tc := range []struct {
		v    float32
		want string
	}{
		{1.5, "1.5"}, {100000, "100000"}, {1000000, "1e+06"}, {0.1, "0.1"}, {3.4028235e38, "3.4028235e+38"},
		{float32(math.Inf(-1)), "-Infinity"},
	} {
		if got := string(appendFloat4(nil, tc.v)); got != tc.want {
			t.Errorf("float4 %v: got %q want %q", tc.v, got, tc.want)
		}
	}
}

func TestTextDatesTimes(t *testing.T) {
	day := func(y int, m time.Month, d int) int64 {
		return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400
	}
	for _, tc := range []struct {
		days int64
		want string
	}{
		{day(2024, 1, 2), "2024-01-02"}, {0, "1970-01-01"}, {day(1, 1, 1), "0001-01-01"},
		{day(0, 12, 31), "0001-12-31 BC"}, {day(-43, 3, 15), "0044-03-15 BC"}, {day(12345, 6, 7), "12345-06-07"},
		{day(2000, 2, 29), "2000-02-29"},
	} {
		if got := string(appendDate(nil, tc.days, false, false)); got != tc.want {
			t.Errorf("date %d: got %q want %q", tc.days, got, tc.want)
		}
	}
	if got := string(appendDate(nil, 0, true, false)); got != "infinity" {
		t.Error(got)
	}
	for _, tc := range []struct {
		us   int64
		want string
	}{
		{3723000000, "01:02:03"}, {3723500000, "01:02:03.5"}, {3723000001, "01:02:03.000001"}, {0, "00:00:00"},
		{86400000000, "24:00:00"},
	} {
		if got := string(appendClock(nil, tc.us)); got != tc.want {
			t.Errorf("time %d: got %q want %q", tc.us, got, tc.want)
		}
	}
	ts := time.Date(2024, 1, 2, 3, 4, 5, 123456000, time.UTC)
	for _, tc := range []struct {
		v    int64
		unit arrow.TimeUnit
		want string
	}{
		{ts.UnixMicro(), arrow.Microsecond, "2024-01-02 03:04:05.123456"},
		{ts.UnixNano(), arrow.Nanosecond, "2024-01-02 03:04:05.123456"},
		{ts.Unix(), arrow.Second, "2024-01-02 03:04:05"},
		{ts.UnixMilli(), arrow.Millisecond, "2024-01-02 03:04:05.123"},
		{time.Date(2024, 1, 2, 3, 4, 5, 100000000, time.UTC).UnixMicro(), arrow.Microsecond, "2024-01-02 03:04:05.1"},
		{-1, arrow.Microsecond, "1969-12-31 23:59:59.999999"},
		{time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC).UnixMicro(), arrow.Microsecond, "0001-01-01 00:00:00 BC"},
		{math.MaxInt64, arrow.Microsecond, "infinity"},
		{-math.MaxInt64, arrow.Microsecond, "-infinity"},
	} {
		if got := string(appendTimestamp(nil, tc.v, tc.unit)); got != tc.want {
			t.Errorf("timestamp %d: got %q want %q", tc.v, got, tc.want)
		}
	}
	kolkata, _ := time.LoadLocation("Asia/Kolkata")
	la, _ := time.LoadLocation("America/Los_Angeles")
	for _, tc := range []struct {
		loc  *time.Location
		want string
	}{
		{time.UTC, "2024-01-02 03:04:05.123456+00"},
		{kolkata, "2024-01-02 08:34:05.123456+05:30"},
		{la, "2024-01-01 19:04:05.123456-08"},
		{time.FixedZone("x", -(3600 + 60 + 1)), "2024-01-02 02:03:04.123456-01:01:01"},
	} {
		if tc.loc == nil {
			continue
		}
		if got := string(appendTimestamptz(nil, ts.UnixMicro(), arrow.Microsecond, tc.loc)); got != tc.want {
			t.Errorf("timestamptz in %v: got %q want %q", tc.loc, got, tc.want)
		}
	}
}

func TestTextInterval(t *testing.T) {
	const h = 3600e6
	for _, tc := range []struct {
		months, days int32
		us           int64
		want         string
	}{
		{14, 3, 4*h + 5*60e6 + 6.5e6, "1 year 2 mons 3 days 04:05:06.5"},
		{0, -1, 2 * h, "-1 days +02:00:00"},
		{0, 0, 0, "00:00:00"},
		{1, 0, 0, "1 mon"},
		{0, 2, 0, "2 days"},
		{12, 0, 0, "1 year"},
		{-14, 0, 0, "-1 years -2 mons"},
		{0, 1, -h, "1 day -01:00:00"},
		{0, 0, -1500000, "-00:00:01.5"},
		{0, 0, 100 * h, "100:00:00"},
		{-1, 5, 0, "-1 mons +5 days"},
	} {
		if got := string(appendInterval(nil, tc.months, tc.days, tc.us)); got != tc.want {
			t.Errorf("interval %v: got %q want %q", tc, got, tc.want)
		}
	}
}

func TestTextMisc(t *testing.T) {
	if got := string(appendHexBytea(nil, []byte{0, 0xab, 0x10})); got != `\x00ab10` {
		t.Error(got)
	}
	if got := string(appendUUID(nil, []byte{0xa0, 0xee, 0xbc, 0x99, 0x9c, 0x0b, 0x4e, 0xf8, 0xbb, 0x6d, 0x6b, 0xb9, 0xbd, 0x38, 0x0a, 0x11})); got != "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11" {
		t.Error(got)
	}
	// Arrays: quoting rules.
	b := array.NewListBuilder(memory.DefaultAllocator, arrow.BinaryTypes.String)
	defer b.Release()
	vb := b.ValueBuilder().(*array.StringBuilder)
	b.Append(true)
	vb.Append("1")
	vb.AppendNull()
	vb.Append("a b")
	vb.Append(`x"y`)
	vb.Append("")
	vb.Append("null")
	vb.Append(`back\slash`)
	vb.Append("{}")
	vb.Append("a,b")
	vb.Append("plain")
	arr := b.NewArray()
	defer arr.Release()
	app := textAppender(arr, kindArray, encodeOptions{})
	if got, want := string(app(nil, 0)), `{1,NULL,"a b","x\"y","","null","back\\slash","{}","a,b",plain}`; got != want {
		t.Errorf("array: got %s want %s", got, want)
	}
}

func decimalArray(t *testing.T, scale int32, vals ...string) arrow.Array {
	dt := &arrow.Decimal128Type{Precision: 38, Scale: scale}
	b := array.NewDecimal128Builder(memory.DefaultAllocator, dt)
	defer b.Release()
	for _, v := range vals {
		n, ok := new(big.Int).SetString(v, 10)
		if !ok {
			t.Fatal(v)
		}
		b.Append(decimal128.FromBigInt(n))
	}
	return b.NewArray()
}

// numericCases are unscaled values with their scale and PostgreSQL text.
var numericCases = []struct {
	unscaled string
	scale    int32
	want     string
}{
	{"1230", 2, "12.30"}, {"-5", 2, "-0.05"}, {"0", 2, "0.00"}, {"0", 0, "0"}, {"1", 4, "0.0001"},
	{"10000", 0, "10000"}, {"100000000", 4, "10000.0000"}, {"123456789", 3, "123456.789"},
	{"-99999999999999999999999999999999999999", 10, "-9999999999999999999999999999.9999999999"},
	{"170141183460469231731687303715884105727", 0, "170141183460469231731687303715884105727"},
	{"12345678901234567890", 20, "0.12345678901234567890"}, {"5", 1, "0.5"}, {"-1", 0, "-1"},
}

func TestNumericTextAndBinary(t *testing.T) {
	for _, tc := range numericCases {
		arr := decimalArray(t, tc.scale, tc.unscaled)
		text := string(textAppender(arr, kindNumeric, encodeOptions{})(nil, 0))
		if text != tc.want {
			t.Errorf("numeric text %s e-%d: got %q want %q", tc.unscaled, tc.scale, text, tc.want)
		}
		bin := binaryAppender(arr, kindNumeric, encodeOptions{})(nil, 0)
		var n pgtype.Numeric
		if err := pgtype.NewMap().Scan(OIDNumeric, pgtype.BinaryFormatCode, bin, &n); err != nil {
			t.Fatalf("pgx decode %s: %v", tc.want, err)
		}
		v, _ := n.Value()
		// pgx prints without trailing-zero scale; compare numerically and by dscale.
		got, _ := new(big.Rat).SetString(v.(string))
		exp, _ := new(big.Rat).SetString(tc.want)
		if got == nil || got.Cmp(exp) != 0 {
			t.Errorf("numeric binary %s: pgx read %v", tc.want, v)
		}
		if dscale := int32(be.Uint16(bin[6:])); dscale != tc.scale {
			t.Errorf("numeric binary %s: dscale %d", tc.want, dscale)
		}
		// And our own decoder of the binary form gives PostgreSQL's text.
		if back, err := numericBinaryToText(bin); err != nil || back != tc.want {
			t.Errorf("numericBinaryToText %s: %q %v", tc.want, back, err)
		}
		arr.Release()
	}
	// Exact layout of a few values (numeric_send).
	for _, tc := range []struct {
		unscaled string
		scale    int32
		hex      string
	}{
		{"1230", 2, "0002000000000002000c0bb8"},
		{"10000", 0, "00010001000000000001"},
		{"1", 4, "0001ffff000000040001"},
		{"0", 2, "0000000000000002"},
		{"-5", 2, "0001ffff4000000201f4"},
	} {
		arr := decimalArray(t, tc.scale, tc.unscaled)
		bin := binaryAppender(arr, kindNumeric, encodeOptions{})(nil, 0)
		if got := strings.ToLower(hexString(bin)); got != tc.hex {
			t.Errorf("numeric_send %s e-%d: got %s want %s", tc.unscaled, tc.scale, got, tc.hex)
		}
		arr.Release()
	}
	// Decimal256 and uint64.
	dt := &arrow.Decimal256Type{Precision: 76, Scale: 3}
	b := array.NewDecimal256Builder(memory.DefaultAllocator, dt)
	big76, _ := new(big.Int).SetString("-1234567890123456789012345678901234567890123456789012345678901234567890123456", 10)
	b.Append(decimal256.FromBigInt(big76))
	a256 := b.NewArray()
	if got := string(textAppender(a256, kindNumeric, encodeOptions{})(nil, 0)); got != "-1234567890123456789012345678901234567890123456789012345678901234567890123.456" {
		t.Errorf("decimal256: %s", got)
	}
	a256.Release()
	b.Release()
}

func hexString(b []byte) string {
	var sb strings.Builder
	for _, c := range b {
		sb.WriteByte(hexDigits[c>>4])
		sb.WriteByte(hexDigits[c&15])
	}
	return sb.String()
}

func TestTypesMapping(t *testing.T) {
	sc := allTypesSchema()
	want := []uint32{16, 21, 23, 20, 21, 26, 1700, 700, 701, 1700, 25, 17, 1082, 1083, 1114, 1114, 1184, 1186, 2950, 114, 1016, 1009, 114}
	fields := FieldsFromSchema(sc)
	for j, f := range fields {
		if f.TypeOID != want[j] {
			t.Errorf("%s: oid %d want %d", f.Name, f.TypeOID, want[j])
		}
	}
	if fields[9].TypeModifier != (10<<16|2)+4 || fields[9].TypeSize != -1 {
		t.Errorf("decimal typmod %d size %d", fields[9].TypeModifier, fields[9].TypeSize)
	}
	if fields[17].TypeSize != 16 || fields[3].TypeSize != 8 || fields[0].TypeSize != 1 || fields[10].TypeSize != -1 {
		t.Error("type sizes")
	}
	md := arrow.NewMetadata([]string{MetadataDuckDBType}, []string{"TIME WITH TIME ZONE"})
	if oid, _, _ := TypeFor(arrow.FixedWidthTypes.Time64us, md); oid != OIDTimetz {
		t.Errorf("timetz oid %d", oid)
	}
	// A nested list of scalars is a multi-dimensional array; a list of
	// structs is JSON.
	nested := arrow.ListOf(arrow.ListOf(arrow.PrimitiveTypes.Int32))
	if oid, _, _ := TypeFor(nested, arrow.Metadata{}); oid != OIDInt4Array {
		t.Errorf("nested list oid %d", oid)
	}
	if oid, _, _ := TypeFor(arrow.ListOf(arrow.StructOf(arrow.Field{Name: "a", Type: arrow.PrimitiveTypes.Int32})), arrow.Metadata{}); oid != OIDJSON {
		t.Errorf("list of struct oid %d", oid)
	}
	uuidList := arrow.ListOfField(uuidField("item"))
	if oid, _, _ := TypeFor(uuidList, arrow.Metadata{}); oid != OIDUUIDArray {
		t.Errorf("uuid list oid %d", oid)
	}
	if oid, _, _ := TypeFor(arrow.MapOf(arrow.BinaryTypes.String, arrow.PrimitiveTypes.Int64), arrow.Metadata{}); oid != OIDJSON {
		t.Errorf("map oid %d", oid)
	}
}

// binaryArray is array_send's form of elements (nil: NULL) of type elem
// with dimensions dims.
func binaryArray(elem uint32, dims []int, elems ...[]byte) []byte {
	b := be.AppendUint32(nil, uint32(len(dims)))
	b = be.AppendUint32(b, 0)
	b = be.AppendUint32(b, elem)
	for _, d := range dims {
		b = be.AppendUint32(be.AppendUint32(b, uint32(d)), 1)
	}
	for _, e := range elems {
		if e == nil {
			b = be.AppendUint32(b, 0xffffffff)
			continue
		}
		b = append(be.AppendUint32(b, uint32(len(e))), e...)
	}
	return b
}

func TestDecodeParam(t *testing.T) {
	for _, tc := range []struct {
		oid    uint32
		format int16
		in     []byte
		want   any
	}{
		{OIDInt4, 0, []byte("42"), int64(42)},
		{OIDInt8, 0, []byte("-9000000000"), int64(-9000000000)},
		{OIDFloat8, 0, []byte("1.5"), 1.5},
		{OIDBool, 0, []byte("TRUE"), true},
		{OIDBool, 0, []byte("off"), false},
		{OIDBool, 0, []byte("y"), true},
		{OIDBytea, 0, []byte(`\xdeadBEEF`), []byte{0xde, 0xad, 0xbe, 0xef}},
		{OIDText, 0, []byte("héllo"), "héllo"},
		{OIDDate, 0, []byte("2024-01-02"), "2024-01-02"},
		{OIDInt2, 1, []byte{0xff, 0xfb}, int64(-5)},
		{OIDInt8, 1, []byte{0, 0, 0, 0, 0, 0, 1, 0}, int64(256)},
		{OIDFloat4, 1, []byte{0x3f, 0xc0, 0, 0}, 1.5},
		{OIDBool, 1, []byte{1}, true},
		{OIDUUID, 1, []byte{0xa0, 0xee, 0xbc, 0x99, 0x9c, 0x0b, 0x4e, 0xf8, 0xbb, 0x6d, 0x6b, 0xb9, 0xbd, 0x38, 0x0a, 0x11}, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"},
		{OIDDate, 1, []byte{0, 0, 0x22, 0x3f}, "2024-01-02"},
		{OIDTimestamp, 1, be.AppendUint64(nil, uint64(ts0.UnixMicro()-pgEpochMicros)), "2024-01-02 03:04:05.123456"},
		{OIDTimestamptz, 1, be.AppendUint64(nil, uint64(ts0.UnixMicro()-pgEpochMicros)), "2024-01-02 03:04:05.123456+00"},
		{OIDTime, 1, be.AppendUint64(nil, 3723500000), "01:02:03.5"},
		{OIDInterval, 1, append(be.AppendUint64(nil, 7200000000), 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0), "-1 days +02:00:00"},
		{OIDNumeric, 1, []byte{0, 2, 0, 0, 0, 0, 0, 2, 0, 12, 0x0b, 0xb8}, "12.30"},
		{OIDNumeric, 1, []byte{0, 1, 0xff, 0xff, 0x40, 0, 0, 2, 0x01, 0xf4}, "-0.05"},
		{OIDText, 1, []byte("x"), "x"},
		{OIDInt4, 0, nil, nil},
		{OIDOid, 1, []byte{0xff, 0xff, 0xff, 0xfe}, int64(4294967294)},
		{OIDOid, 0, []byte("26"), int64(26)},
		// Binary arrays (pgjdbc's setArray): PostgreSQL's text form.
		{OIDTextArray, 1, binaryArray(OIDText, []int{3}, []byte("a b"), nil, []byte(`x"y`)), `{"a b",NULL,"x\"y"}`},
		{OIDInt8Array, 1, binaryArray(OIDInt8, []int{2, 2}, be.AppendUint64(nil, 1), be.AppendUint64(nil, 2), be.AppendUint64(nil, 3), nil), "{{1,2},{3,NULL}}"},
		{OIDInt4Array, 1, binaryArray(OIDInt4, nil), "{}"},
	} {
		got, err := DecodeParam(tc.oid, tc.format, tc.in)
		if err != nil {
			t.Errorf("%d/%d %q: %v", tc.oid, tc.format, tc.in, err)
			continue
		}
		if !equalAny(got, tc.want) {
			t.Errorf("%d/%d %q: got %#v want %#v", tc.oid, tc.format, tc.in, got, tc.want)
		}
	}
	for _, bad := range [][]byte{{0, 0, 0, 1}, binaryArray(OIDInt4, []int{2}, be.AppendUint32(nil, 1)), append(binaryArray(OIDInt4, []int{1}, be.AppendUint32(nil, 1)), 0)} {
		if _, err := DecodeParam(OIDInt4Array, 1, bad); !strings.Contains(fmt.Sprint(err), "22P03") {
			t.Errorf("malformed binary int4[] %x: %v, want 22P03", bad, err)
		}
	}
	_, err := DecodeParams([]uint32{OIDInt4, OIDInt4}, nil, [][]byte{[]byte("1"), []byte("x")})
	if err == nil || !strings.Contains(err.Error(), "$2") || !strings.Contains(err.Error(), "22P02") {
		t.Errorf("bad text param: %v", err)
	}
	_, err = DecodeParams([]uint32{OIDInt4}, []int16{1}, [][]byte{{1, 2}})
	if err == nil || !strings.Contains(err.Error(), "$1") || !strings.Contains(err.Error(), "22P03") {
		t.Errorf("bad binary param: %v", err)
	}
}

func equalAny(a, b any) bool {
	if ab, ok := a.([]byte); ok {
		bb, ok := b.([]byte)
		return ok && string(ab) == string(bb)
	}
	return a == b
}
