package flight

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/flight"
	"github.com/apache/arrow-go/v18/arrow/flight/flightsql"
	"github.com/apache/arrow-go/v18/arrow/flight/flightsql/schema_ref"
	pb "github.com/apache/arrow-go/v18/arrow/flight/gen/flight"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/meshgate/meshgate/gateway"
)

// registerSqlInfo describes the server to GetSqlInfo: read-only,
// read-only transactions without savepoints, cancellation supported.
func (s *Server) registerSqlInfo() {
	for id, v := range map[flightsql.SqlInfo]any{
		flightsql.SqlInfoFlightSqlServerName:          "meshgate",
		flightsql.SqlInfoFlightSqlServerVersion:       gateway.ServerVersion,
		flightsql.SqlInfoFlightSqlServerArrowVersion:  "18",
		flightsql.SqlInfoFlightSqlServerReadOnly:      true,
		flightsql.SqlInfoFlightSqlServerSql:           true,
		flightsql.SqlInfoFlightSqlServerSubstrait:     false,
		flightsql.SqlInfoFlightSqlServerTransaction:   int32(flightsql.SqlTransactionTransaction),
		flightsql.SqlInfoFlightSqlServerCancel:        true,
		flightsql.SqlInfoFlightSqlServerBulkIngestion: false,
		flightsql.SqlInfoTransactionsSupported:        true,
		flightsql.SqlInfoDDLCatalog:                   false,
		flightsql.SqlInfoDDLSchema:                    false,
		flightsql.SqlInfoDDLTable:                     false,
		flightsql.SqlInfoIdentifierCase:               int64(flightsql.SqlCaseSensitivityLowerCase),
		flightsql.SqlInfoQuotedIdentifierCase:         int64(flightsql.SqlCaseSensitivityCaseInsensitive),
		flightsql.SqlInfoIdentifierQuoteChar:          `"`,
	} {
		_ = s.RegisterSqlInfo(id, v)
	}
}

// xdbcType is one row of GetXdbcTypeInfo: the PostgreSQL types meshgate
// answers with.
type xdbcType struct {
	Name     string          `json:"type_name"`
	Type     pb.XdbcDataType `json:"data_type"`
	Size     *int32          `json:"column_size"`
	Prefix   *string         `json:"literal_prefix"`
	Suffix   *string         `json:"literal_suffix"`
	Nullable int32           `json:"nullable"`
	Case     bool            `json:"case_sensitive"`
	Search   int32           `json:"searchable"`
	Unsigned *bool           `json:"unsigned_attribute"`
	Fixed    bool            `json:"fixed_prec_scale"`
	Local    string          `json:"local_type_name"`
	SQLType  pb.XdbcDataType `json:"sql_data_type"`
	Subcode  *int32          `json:"datetime_subcode"`
	Radix    *int32          `json:"num_prec_radix"`
	MinScale *int32          `json:"minimum_scale"`
	MaxScale *int32          `json:"maximum_scale"`
}

func ptr[T any](v T) *T { return &v }

func xdbcTypes() []xdbcType {
	quote := ptr("'")
	num := func(name string, t pb.XdbcDataType, size int32) xdbcType {
		return xdbcType{Name: name, Type: t, Size: ptr(size), Unsigned: ptr(false), Radix: ptr(int32(10))}
	}
	text := func(name string, t pb.XdbcDataType) xdbcType {
		return xdbcType{Name: name, Type: t, Prefix: quote, Suffix: quote, Case: true}
	}
	dt := func(name string, t pb.XdbcDataType, sub int32) xdbcType {
		return xdbcType{Name: name, Type: t, Prefix: ptr(name + " '"), Suffix: quote, Subcode: ptr(sub)}
	}
	types := []xdbcType{
		{Name: "boolean", Type: pb.XdbcDataType_XDBC_BIT, Size: ptr(int32(1))},
		num("smallint", pb.XdbcDataType_XDBC_SMALLINT, 5),
		num("integer", pb.XdbcDataType_XDBC_INTEGER, 10),
		num("bigint", pb.XdbcDataType_XDBC_BIGINT, 19),
		num("real", pb.XdbcDataType_XDBC_REAL, 24),
		num("double precision", pb.XdbcDataType_XDBC_DOUBLE, 53),
		num("numeric", pb.XdbcDataType_XDBC_DECIMAL, 38),
		text("text", pb.XdbcDataType_XDBC_VARCHAR),
		text("character varying", pb.XdbcDataType_XDBC_VARCHAR),
		{Name: "bytea", Type: pb.XdbcDataType_XDBC_VARBINARY},
		dt("date", pb.XdbcDataType_XDBC_DATE, 1),
		dt("time", pb.XdbcDataType_XDBC_TIME, 2),
		dt("timestamp", pb.XdbcDataType_XDBC_TIMESTAMP, 3),
		dt("timestamp with time zone", pb.XdbcDataType_XDBC_TIMESTAMP, 3),
		dt("interval", pb.XdbcDataType_XDBC_INTERVAL, 0),
	}
	for i := range types {
		t := &types[i]
		t.Nullable, t.Search, t.Local, t.SQLType = 1, 3, t.Name, t.Type // nullable, searchable
		if t.Name == "numeric" {
			t.MinScale, t.MaxScale = ptr(int32(0)), ptr(int32(38))
		}
	}
	return types
}

func (s *Server) GetFlightInfoXdbcTypeInfo(_ context.Context, _ flightsql.GetXdbcTypeInfo, desc *flight.FlightDescriptor) (*flight.FlightInfo, error) {
	return metaInfo(schema_ref.XdbcTypeInfo, desc), nil
}

func (s *Server) DoGetXdbcTypeInfo(_ context.Context, cmd flightsql.GetXdbcTypeInfo) (*arrow.Schema, <-chan flight.StreamChunk, error) {
	rows := []xdbcType{}
	for _, t := range xdbcTypes() {
		if cmd.GetDataType() == nil || int32(t.Type) == *cmd.GetDataType() {
			rows = append(rows, t)
		}
	}
	js, err := json.Marshal(rows)
	if err != nil {
		return nil, nil, status.Error(codes.Internal, err.Error())
	}
	rec, _, err := array.RecordFromJSON(s.mem, schema_ref.XdbcTypeInfo, strings.NewReader(string(js)))
	if err != nil {
		return nil, nil, status.Error(codes.Internal, err.Error())
	}
	ch := make(chan flight.StreamChunk, 1)
	ch <- flight.StreamChunk{Data: rec}
	close(ch)
	return schema_ref.XdbcTypeInfo, ch, nil
}
