package pgcatalog

// pgType is one row of pg_type: the types meshgate's results use and the
// ones clients look up by name.
type pgType struct {
	oid      uint32
	name     string
	len      int
	byVal    bool
	category string
	elem     uint32 // element type of an array type
	array    uint32 // array type of a base type
	format   string // format_type() spelling
	align    string
	input    string // typinput / typoutput base name
}

// pgTypes lists PostgreSQL 15's OIDs (pg_type.dat).
var pgTypes = []pgType{
	{16, "bool", 1, true, "B", 0, 1000, "boolean", "c", "bool"},
	{17, "bytea", -1, false, "U", 0, 1001, "bytea", "i", "bytea"},
	{18, "char", 1, true, "Z", 0, 1002, `"char"`, "c", "char"},
	{19, "name", 64, false, "S", 18, 1003, "name", "c", "name"},
	{20, "int8", 8, true, "N", 0, 1016, "bigint", "d", "int8"},
	{21, "int2", 2, true, "N", 0, 1005, "smallint", "s", "int2"},
	{22, "int2vector", -1, false, "A", 21, 1006, "int2vector", "i", "int2vector"},
	{23, "int4", 4, true, "N", 0, 1007, "integer", "i", "int4"},
	{24, "regproc", 4, true, "N", 0, 1008, "regproc", "i", "regproc"},
	{25, "text", -1, false, "S", 0, 1009, "text", "i", "text"},
	{26, "oid", 4, true, "N", 0, 1028, "oid", "i", "oid"},
	{27, "tid", 6, false, "U", 0, 1010, "tid", "s", "tid"},
	{28, "xid", 4, true, "U", 0, 1011, "xid", "i", "xid"},
	{29, "cid", 4, true, "U", 0, 1012, "cid", "i", "cid"},
	{30, "oidvector", -1, false, "A", 26, 1013, "oidvector", "i", "oidvector"},
	{114, "json", -1, false, "U", 0, 199, "json", "i", "json"},
	{142, "xml", -1, false, "U", 0, 143, "xml", "i", "xml"},
	{700, "float4", 4, true, "N", 0, 1021, "real", "i", "float4"},
	{701, "float8", 8, true, "N", 0, 1022, "double precision", "d", "float8"},
	{705, "unknown", -2, false, "X", 0, 0, "unknown", "c", "unknown"},
	{790, "money", 8, true, "N", 0, 791, "money", "d", "cash"},
	{1042, "bpchar", -1, false, "S", 0, 1014, "character", "i", "bpchar"},
	{1043, "varchar", -1, false, "S", 0, 1015, "character varying", "i", "varchar"},
	{1082, "date", 4, true, "D", 0, 1182, "date", "i", "date"},
	{1083, "time", 8, true, "D", 0, 1183, "time without time zone", "d", "time"},
	{1114, "timestamp", 8, true, "D", 0, 1115, "timestamp without time zone", "d", "timestamp"},
	{1184, "timestamptz", 8, true, "D", 0, 1185, "timestamp with time zone", "d", "timestamptz"},
	{1186, "interval", 16, false, "T", 0, 1187, "interval", "d", "interval"},
	{1266, "timetz", 12, false, "D", 0, 1270, "time with time zone", "d", "timetz"},
	{1560, "bit", -1, false, "V", 0, 1561, "bit", "i", "bit"},
	{1562, "varbit", -1, false, "V", 0, 1563, "bit varying", "i", "varbit"},
	{1700, "numeric", -1, false, "N", 0, 1231, "numeric", "i", "numeric"},
	{1790, "refcursor", -1, false, "U", 0, 2201, "refcursor", "i", "textin"},
	{2202, "regprocedure", 4, true, "N", 0, 2207, "regprocedure", "i", "regprocedure"},
	{2203, "regoper", 4, true, "N", 0, 2208, "regoper", "i", "regoper"},
	{2205, "regclass", 4, true, "N", 0, 2210, "regclass", "i", "regclass"},
	{2206, "regtype", 4, true, "N", 0, 2211, "regtype", "i", "regtype"},
	{2249, "record", -1, false, "P", 0, 2287, "record", "d", "record"},
	{2275, "cstring", -2, false, "P", 0, 1263, "cstring", "c", "cstring"},
	{2276, "any", 4, true, "P", 0, 0, `"any"`, "i", "any"},
	{2277, "anyarray", -1, false, "P", 0, 0, "anyarray", "d", "anyarray"},
	{2278, "void", 4, true, "P", 0, 0, "void", "i", "void"},
	{2950, "uuid", 16, false, "U", 0, 2951, "uuid", "c", "uuid"},
	{3802, "jsonb", -1, false, "U", 0, 3807, "jsonb", "i", "jsonb"},
	{4089, "regnamespace", 4, true, "N", 0, 4090, "regnamespace", "i", "regnamespace"},
	{4096, "regrole", 4, true, "N", 0, 4097, "regrole", "i", "regrole"},
}

// arrayTypes derives the array type rows from the base types.
func arrayTypes() []pgType {
	var out []pgType
	for _, t := range pgTypes {
		if t.array == 0 || t.category == "P" {
			continue
		}
		align := "i"
		if t.align == "d" {
			align = "d"
		}
		out = append(out, pgType{oid: t.array, name: "_" + t.name, len: -1, category: "A", elem: t.oid, format: t.format + "[]", align: align, input: "array"})
	}
	return out
}
