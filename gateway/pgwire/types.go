package pgwire

import (
	"github.com/apache/arrow-go/v18/arrow"
)

// PostgreSQL type OIDs (from pg_type.dat) used by the wire layer.
const (
	OIDBool        uint32 = 16
	OIDBytea       uint32 = 17
	OIDInt8        uint32 = 20
	OIDInt2        uint32 = 21
	OIDInt4        uint32 = 23
	OIDText        uint32 = 25
	OIDOid         uint32 = 26
	OIDJSON        uint32 = 114
	OIDFloat4      uint32 = 700
	OIDFloat8      uint32 = 701
	OIDUnknown     uint32 = 705
	OIDVarchar     uint32 = 1043
	OIDDate        uint32 = 1082
	OIDTime        uint32 = 1083
	OIDTimestamp   uint32 = 1114
	OIDTimestamptz uint32 = 1184
	OIDInterval    uint32 = 1186
	OIDTimetz      uint32 = 1266
	OIDNumeric     uint32 = 1700
	OIDUUID        uint32 = 2950
	OIDJSONB       uint32 = 3802

	OIDBoolArray        uint32 = 1000
	OIDByteaArray       uint32 = 1001
	OIDInt2Array        uint32 = 1005
	OIDInt4Array        uint32 = 1007
	OIDTextArray        uint32 = 1009
	OIDInt8Array        uint32 = 1016
	OIDOidArray         uint32 = 1028
	OIDFloat4Array      uint32 = 1021
	OIDFloat8Array      uint32 = 1022
	OIDTimestampArray   uint32 = 1115
	OIDDateArray        uint32 = 1182
	OIDTimeArray        uint32 = 1183
	OIDTimestamptzArray uint32 = 1185
	OIDIntervalArray    uint32 = 1187
	OIDNumericArray     uint32 = 1231
	OIDTimetzArray      uint32 = 1270
	OIDUUIDArray        uint32 = 2951
	OIDJSONArray        uint32 = 199
)

// MetadataDuckDBType is the Arrow field metadata key the engine sets to the
// DuckDB type name where the Arrow type alone is ambiguous.
const MetadataDuckDBType = "duckdb.type"

// kind is how the wire layer encodes a column: the PostgreSQL type it
// presents plus, for lists, the element kind.
type kind uint8

const (
	kindText kind = iota // utf8 and anything without a better mapping
	kindBool
	kindInt2
	kindInt4
	kindInt8
	kindOID // uint32: PostgreSQL's oid, its only unsigned 32-bit type
	kindNumeric
	kindFloat4
	kindFloat8
	kindBytea
	kindDate
	kindTime
	kindTimetz
	kindTimestamp
	kindTimestamptz
	kindInterval
	kindUUID
	kindJSON   // utf8 holding JSON text
	kindNested // struct, map, nested list: printed as JSON
	kindArray  // list of a scalar
)

var kindInfo = [...]struct {
	oid, arrayOID uint32
	size          int16
}{
	kindText:        {OIDText, OIDTextArray, -1},
	kindBool:        {OIDBool, OIDBoolArray, 1},
	kindInt2:        {OIDInt2, OIDInt2Array, 2},
	kindInt4:        {OIDInt4, OIDInt4Array, 4},
	kindInt8:        {OIDInt8, OIDInt8Array, 8},
	kindOID:         {OIDOid, OIDOidArray, 4},
	kindNumeric:     {OIDNumeric, OIDNumericArray, -1},
	kindFloat4:      {OIDFloat4, OIDFloat4Array, 4},
	kindFloat8:      {OIDFloat8, OIDFloat8Array, 8},
	kindBytea:       {OIDBytea, OIDByteaArray, -1},
	kindDate:        {OIDDate, OIDDateArray, 4},
	kindTime:        {OIDTime, OIDTimeArray, 8},
	kindTimetz:      {OIDTimetz, OIDTimetzArray, 12},
	kindTimestamp:   {OIDTimestamp, OIDTimestampArray, 8},
	kindTimestamptz: {OIDTimestamptz, OIDTimestamptzArray, 8},
	kindInterval:    {OIDInterval, OIDIntervalArray, 16},
	kindUUID:        {OIDUUID, OIDUUIDArray, 16},
	kindJSON:        {OIDJSON, OIDJSONArray, -1},
	kindNested:      {OIDJSON, OIDJSONArray, -1},
}

// kindOf classifies an Arrow type; md is the field's metadata (for the
// duckdb.type override).
func kindOf(dt arrow.DataType, md arrow.Metadata) kind {
	if name, ok := duckdbType(md); ok {
		switch name {
		case "UUID":
			return kindUUID
		case "JSON":
			return kindJSON
		case "TIME WITH TIME ZONE", "TIMETZ":
			return kindTimetz
		}
	}
	switch dt.ID() {
	case arrow.BOOL:
		return kindBool
	case arrow.INT8, arrow.INT16, arrow.UINT8:
		return kindInt2
	case arrow.INT32, arrow.UINT16:
		return kindInt4
	case arrow.INT64:
		return kindInt8
	case arrow.UINT32:
		return kindOID
	case arrow.UINT64, arrow.DECIMAL32, arrow.DECIMAL64, arrow.DECIMAL128, arrow.DECIMAL256:
		return kindNumeric
	case arrow.FLOAT16, arrow.FLOAT32:
		return kindFloat4
	case arrow.FLOAT64:
		return kindFloat8
	case arrow.BINARY, arrow.LARGE_BINARY, arrow.BINARY_VIEW, arrow.FIXED_SIZE_BINARY:
		return kindBytea
	case arrow.DATE32, arrow.DATE64:
		return kindDate
	case arrow.TIME32, arrow.TIME64:
		return kindTime
	case arrow.TIMESTAMP:
		if dt.(*arrow.TimestampType).TimeZone != "" {
			return kindTimestamptz
		}
		return kindTimestamp
	case arrow.INTERVAL_MONTH_DAY_NANO:
		return kindInterval
	case arrow.STRUCT, arrow.MAP:
		return kindNested
	case arrow.LIST, arrow.LARGE_LIST, arrow.FIXED_SIZE_LIST:
		// A list of scalars, or of lists of them (a multi-dimensional
		// array, rectangular as the engine checks), is an array.
		elem := dt.(arrow.ListLikeType).ElemField()
		switch k := kindOf(elem.Type, elem.Metadata); k {
		case kindNested:
			return kindNested
		default:
			return kindArray
		}
	}
	return kindText
}

func duckdbType(md arrow.Metadata) (string, bool) {
	if md.Len() == 0 {
		return "", false
	}
	i := md.FindKey(MetadataDuckDBType)
	if i < 0 {
		return "", false
	}
	return md.Values()[i], true
}

// elemKind is the element kind of a kindArray column: the scalar inside
// every level of a multi-dimensional one.
func elemKind(dt arrow.DataType) kind {
	elem := dt.(arrow.ListLikeType).ElemField()
	if k := kindOf(elem.Type, elem.Metadata); k != kindArray {
		return k
	}
	return elemKind(elem.Type)
}

// FieldFor returns the RowDescription entry for one Arrow field.
func FieldFor(f arrow.Field) Field {
	oid, size, typmod := TypeFor(f.Type, f.Metadata)
	return Field{Name: f.Name, TypeOID: oid, TypeSize: size, TypeModifier: typmod}
}

// FieldsFromSchema returns the RowDescription entries for an Arrow schema
// (TableOID and ColumnAttr zero).
func FieldsFromSchema(s *arrow.Schema) []Field {
	fields := make([]Field, s.NumFields())
	for i, f := range s.Fields() {
		fields[i] = FieldFor(f)
	}
	return fields
}

// TypeFor maps an Arrow type (and its field metadata, see
// MetadataDuckDBType) to the PostgreSQL type OID, type size and type
// modifier the wire layer presents it as.
func TypeFor(dt arrow.DataType, md arrow.Metadata) (oid uint32, size int16, typmod int32) {
	k := kindOf(dt, md)
	typmod = -1
	switch k {
	case kindArray:
		ek := elemKind(dt)
		return kindInfo[ek].arrayOID, -1, -1
	case kindNumeric:
		if d, ok := dt.(arrow.DecimalType); ok {
			typmod = (d.GetPrecision()<<16 | d.GetScale()) + 4
		}
	}
	return kindInfo[k].oid, kindInfo[k].size, typmod
}

// TypeOIDFor returns just the PostgreSQL type OID for an Arrow field.
func TypeOIDFor(f arrow.Field) uint32 {
	oid, _, _ := TypeFor(f.Type, f.Metadata)
	return oid
}
