package pgwire

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshgate/meshgate/sqlstate"
)

// The test handler understands a handful of fixed "queries" (the wire layer
// never looks at SQL; this session does, trivially, for the tests):
//
//	all          every supported type, 3 rows (values, NULLs, more values)
//	many N       N rows of (bigint, text) in batches of 1000
//	endless      batches forever (for disconnect tests)
//	block        Execute blocks until its ctx is canceled
//	fail         Execute fails with 42P01
//	internal     Execute fails with a plain error
//	badparse     Parse fails with 42601
//	set          SET with a changed parameter
//	begin/commit transaction status
//	copy text / copy csv
//	params       two parameters (int8, text) echoed back as a row
//	notice       a WARNING notice and a SELECT 0
type testHandler struct {
	mu       sync.Mutex
	closed   int
	closedCh chan struct{}
	executed chan string // receives a query name when Execute starts
}

func newTestHandler() *testHandler {
	return &testHandler{closedCh: make(chan struct{}, 100), executed: make(chan string, 100)}
}

func (h *testHandler) Open(ctx context.Context, s Startup) (Session, error) {
	if s.User == "reject" {
		return nil, sqlstate.New(sqlstate.InvalidPassword, "password authentication failed for user %q", s.User)
	}
	tz := time.UTC
	if name := s.Params["TimeZone"]; name != "" {
		if l, err := time.LoadLocation(name); err == nil {
			tz = l
		}
	}
	return &testSession{h: h, tx: 'I', tz: tz}, nil
}

type testSession struct {
	h  *testHandler
	tx byte
	tz *time.Location
}

func (s *testSession) ParameterStatus() []Param {
	return []Param{
		{"server_version", "16.6"}, {"server_encoding", "UTF8"}, {"client_encoding", "UTF8"},
		{"DateStyle", "ISO, MDY"}, {"IntervalStyle", "postgres"}, {"TimeZone", s.tz.String()},
		{"integer_datetimes", "on"}, {"standard_conforming_strings", "on"},
	}
}

func (s *testSession) Parse(ctx context.Context, sql string, oids []uint32) ([]Statement, error) {
	var out []Statement
	for _, part := range strings.Split(sql, ";") {
		q := strings.TrimSpace(part)
		if q == "" {
			continue
		}
		if q == "badparse" {
			return nil, sqlstate.New(sqlstate.SyntaxError, "syntax error at or near \"badparse\"")
		}
		out = append(out, &testStmt{s: s, sql: q})
	}
	return out, nil
}

func (s *testSession) TxStatus() byte { return s.tx }
func (s *testSession) Fail() {
	if s.tx == 'T' {
		s.tx = 'E'
	}
}
func (s *testSession) TimeZone() *time.Location { return s.tz }
func (s *testSession) Close() {
	s.h.mu.Lock()
	s.h.closed++
	s.h.mu.Unlock()
	s.h.closedCh <- struct{}{}
}

type testStmt struct {
	s      *testSession
	sql    string
	closed bool // a portal executing after Close is a wire-layer bug
}

func (t *testStmt) SQL() string { return t.sql }
func (t *testStmt) ParamOIDs() []uint32 {
	if t.sql == "params" {
		return []uint32{OIDInt8, OIDText}
	}
	return nil
}

func (t *testStmt) schema() *arrow.Schema {
	switch {
	case t.sql == "all":
		return allTypesSchema()
	case strings.HasPrefix(t.sql, "many"), t.sql == "endless", t.sql == "block", strings.HasPrefix(t.sql, "copy"), t.sql == "params":
		return manySchema
	case t.sql == "notice":
		return manySchema
	}
	return nil
}

func (t *testStmt) Fields() []Field {
	if sc := t.schema(); sc != nil {
		return FieldsFromSchema(sc)
	}
	return nil
}

func (t *testStmt) Bind(ctx context.Context, values [][]byte, formats []int16) (Portal, error) {
	p := &testPortal{t: t}
	if t.sql == "params" {
		vals, err := DecodeParams(t.ParamOIDs(), formats, values)
		if err != nil {
			return nil, err
		}
		p.params = vals
	}
	return p, nil
}

func (t *testStmt) Close() { t.closed = true }

type testPortal struct {
	t      *testStmt
	params []any
}

func (p *testPortal) Fields() []Field { return p.t.Fields() }
func (p *testPortal) Close()          {}

func (p *testPortal) Execute(ctx context.Context) (*Result, error) {
	s := p.t.s
	q := p.t.sql
	if p.t.closed {
		return nil, sqlstate.New(sqlstate.InternalError, "test: portal executed after its statement was closed")
	}
	select {
	case s.h.executed <- q:
	default:
	}
	switch {
	case q == "all":
		rec := allTypesRecord()
		defer rec.Release()
		rr, err := array.NewRecordReader(rec.Schema(), []arrow.RecordBatch{rec})
		if err != nil {
			return nil, err
		}
		return &Result{Records: rr, Command: "SELECT", Counted: true}, nil
	case strings.HasPrefix(q, "many"):
		n, _ := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(q, "many")))
		return &Result{Records: &genReader{total: n, batch: 1000}, Command: "SELECT", Counted: true}, nil
	case q == "endless":
		return &Result{Records: &genReader{total: -1, batch: 1000, ctx: ctx}, Command: "SELECT", Counted: true}, nil
	case q == "block":
		<-ctx.Done()
		return nil, fmt.Errorf("engine: interrupted: %w", ctx.Err())
	case q == "panic":
		panic("test panic")
	case q == "fail":
		return nil, sqlstate.New(sqlstate.UndefinedTable, "relation \"nope\" does not exist").WithHint("check the name")
	case q == "internal":
		return nil, errors.New("secret internal detail")
	case q == "set":
		return &Result{Command: "SET", Changed: []Param{{"application_name", "x"}}}, nil
	case q == "begin":
		s.tx = 'T'
		return &Result{Command: "BEGIN"}, nil
	case q == "commit":
		s.tx = 'I'
		return &Result{Command: "COMMIT"}, nil
	case q == "rollback":
		s.tx = 'I'
		return &Result{Command: "ROLLBACK"}, nil
	case q == "notice":
		return &Result{Records: &genReader{total: 0, batch: 1}, Command: "SELECT", Counted: true,
			Notices: []Notice{{Severity: "WARNING", Code: "25001", Message: "there is already a transaction in progress"}}}, nil
	case q == "copy text", q == "copy csv", q == "copy csvh":
		cf := &CopyFormat{CSV: q != "copy text", Header: q == "copy csvh"}
		return &Result{Records: &genReader{total: 3, batch: 2, odd: true}, Copy: cf}, nil
	case q == "params":
		b := array.NewRecordBuilder(memory.DefaultAllocator, manySchema)
		defer b.Release()
		if v, ok := p.params[0].(int64); ok {
			b.Field(0).(*array.Int64Builder).Append(v)
		} else {
			b.Field(0).AppendNull()
		}
		if v, ok := p.params[1].(string); ok {
			b.Field(1).(*array.StringBuilder).Append(v)
		} else {
			b.Field(1).AppendNull()
		}
		rec := b.NewRecordBatch()
		defer rec.Release()
		rr, _ := array.NewRecordReader(manySchema, []arrow.RecordBatch{rec})
		return &Result{Records: rr, Command: "SELECT", Counted: true}, nil
	}
	return &Result{Command: strings.ToUpper(q)}, nil
}

var manySchema = arrow.NewSchema([]arrow.Field{
	{Name: "n", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
}, nil)

// genReader yields total rows (-1: forever) of (n, "row n") in batches.
type genReader struct {
	total, batch, next int
	odd                bool // text with characters COPY must escape
	ctx                context.Context
	rec                arrow.RecordBatch
	refs               int
}

func (g *genReader) Retain()               { g.refs++ }
func (g *genReader) Release()              { g.release() }
func (g *genReader) Schema() *arrow.Schema { return manySchema }
func (g *genReader) Err() error            { return nil }
func (g *genReader) Record() arrow.RecordBatch {
	return g.rec
}
func (g *genReader) RecordBatch() arrow.RecordBatch { return g.rec }
func (g *genReader) release() {
	if g.rec != nil {
		g.rec.Release()
		g.rec = nil
	}
}
func (g *genReader) Next() bool {
	g.release()
	if g.ctx != nil && g.ctx.Err() != nil {
		return false
	}
	n := g.batch
	if g.total >= 0 {
		n = min(n, g.total-g.next)
	}
	if n <= 0 {
		return false
	}
	b := array.NewRecordBuilder(memory.DefaultAllocator, manySchema)
	defer b.Release()
	ib := b.Field(0).(*array.Int64Builder)
	sb := b.Field(1).(*array.StringBuilder)
	for k := 0; k < n; k++ {
		v := g.next + k
		ib.Append(int64(v))
		switch {
		case g.odd && v == 1:
			sb.AppendNull()
		case g.odd && v == 2:
			sb.Append("a\tb\\c\nd,\"e\"")
		case g.odd:
			sb.Append("")
		default:
			sb.Append("row " + strconv.Itoa(v))
		}
	}
	g.next += n
	g.rec = b.NewRecordBatch()
	return true
}

func uuidField(name string) arrow.Field {
	return arrow.Field{Name: name, Type: arrow.BinaryTypes.String, Nullable: true,
		Metadata: arrow.NewMetadata([]string{MetadataDuckDBType}, []string{"UUID"})}
}

func jsonField(name string) arrow.Field {
	return arrow.Field{Name: name, Type: arrow.BinaryTypes.String, Nullable: true,
		Metadata: arrow.NewMetadata([]string{MetadataDuckDBType}, []string{"JSON"})}
}

func allTypesSchema() *arrow.Schema {
	dec, _ := arrow.NewDecimalType(arrow.DECIMAL128, 10, 2)
	return arrow.NewSchema([]arrow.Field{
		{Name: "b", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
		{Name: "i2", Type: arrow.PrimitiveTypes.Int16, Nullable: true},
		{Name: "i4", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
		{Name: "i8", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "u1", Type: arrow.PrimitiveTypes.Uint8, Nullable: true},
		{Name: "u4", Type: arrow.PrimitiveTypes.Uint32, Nullable: true},
		{Name: "u8", Type: arrow.PrimitiveTypes.Uint64, Nullable: true},
		{Name: "f4", Type: arrow.PrimitiveTypes.Float32, Nullable: true},
		{Name: "f8", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "dec", Type: dec, Nullable: true},
		{Name: "t", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "by", Type: arrow.BinaryTypes.Binary, Nullable: true},
		{Name: "d", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
		{Name: "tm", Type: arrow.FixedWidthTypes.Time64us, Nullable: true},
		{Name: "ts", Type: &arrow.TimestampType{Unit: arrow.Microsecond}, Nullable: true},
		{Name: "tsns", Type: &arrow.TimestampType{Unit: arrow.Nanosecond}, Nullable: true},
		{Name: "tstz", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}, Nullable: true},
		{Name: "iv", Type: arrow.FixedWidthTypes.MonthDayNanoInterval, Nullable: true},
		uuidField("u"),
		jsonField("j"),
		{Name: "li", Type: arrow.ListOf(arrow.PrimitiveTypes.Int64), Nullable: true},
		{Name: "lt", Type: arrow.ListOf(arrow.BinaryTypes.String), Nullable: true},
		{Name: "st", Type: arrow.StructOf(
			arrow.Field{Name: "a", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
			arrow.Field{Name: "b", Type: arrow.BinaryTypes.String, Nullable: true}), Nullable: true},
	}, nil)
}

// Reference instants of the "all" rows.
var (
	ts0 = time.Date(2024, 1, 2, 3, 4, 5, 123456000, time.UTC)
	ts2 = time.Date(1999, 12, 31, 23, 59, 59, 0, time.UTC)
)

func allTypesRecord() arrow.RecordBatch {
	b := array.NewRecordBuilder(memory.DefaultAllocator, allTypesSchema())
	defer b.Release()
	f := b.Fields()
	// row 0
	f[0].(*array.BooleanBuilder).Append(true)
	f[1].(*array.Int16Builder).Append(-5)
	f[2].(*array.Int32Builder).Append(123456)
	f[3].(*array.Int64Builder).Append(-9000000000)
	f[4].(*array.Uint8Builder).Append(7)
	f[5].(*array.Uint32Builder).Append(4000000000)
	f[6].(*array.Uint64Builder).Append(18446744073709551615)
	f[7].(*array.Float32Builder).Append(1.5)
	f[8].(*array.Float64Builder).Append(0.1)
	f[9].(*array.Decimal128Builder).Append(decimal128.FromI64(1230))
	f[10].(*array.StringBuilder).Append("héllo")
	f[11].(*array.BinaryBuilder).Append([]byte{0xde, 0xad, 0xbe, 0xef})
	f[12].(*array.Date32Builder).Append(arrow.Date32FromTime(ts0))
	f[13].(*array.Time64Builder).Append(arrow.Time64((3*3600 + 4*60 + 5) * 1e6))
	f[14].(*array.TimestampBuilder).Append(arrow.Timestamp(ts0.UnixMicro()))
	f[15].(*array.TimestampBuilder).Append(arrow.Timestamp(ts0.UnixNano()))
	f[16].(*array.TimestampBuilder).Append(arrow.Timestamp(ts0.UnixMicro()))
	f[17].(*array.MonthDayNanoIntervalBuilder).Append(arrow.MonthDayNanoInterval{Months: 14, Days: 3, Nanoseconds: (4*3600 + 5*60 + 6) * 1e9})
	f[18].(*array.StringBuilder).Append("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11")
	f[19].(*array.StringBuilder).Append(`{"k":[1,2]}`)
	lb := f[20].(*array.ListBuilder)
	lb.Append(true)
	lb.ValueBuilder().(*array.Int64Builder).Append(1)
	lb.ValueBuilder().(*array.Int64Builder).AppendNull()
	lb.ValueBuilder().(*array.Int64Builder).Append(3)
	lt := f[21].(*array.ListBuilder)
	lt.Append(true)
	for _, s := range []string{"a b", `x"y`, "", "NULL"} {
		lt.ValueBuilder().(*array.StringBuilder).Append(s)
	}
	sb := f[22].(*array.StructBuilder)
	sb.Append(true)
	sb.FieldBuilder(0).(*array.Int64Builder).Append(1)
	sb.FieldBuilder(1).(*array.StringBuilder).Append("x")
	// row 1: all NULL
	for _, fb := range f {
		fb.AppendNull()
	}
	// row 2
	f[0].(*array.BooleanBuilder).Append(false)
	f[1].(*array.Int16Builder).Append(32767)
	f[2].(*array.Int32Builder).Append(-1)
	f[3].(*array.Int64Builder).Append(0)
	f[4].(*array.Uint8Builder).Append(255)
	f[5].(*array.Uint32Builder).Append(0)
	f[6].(*array.Uint64Builder).Append(0)
	f[7].(*array.Float32Builder).Append(-2.25)
	f[8].(*array.Float64Builder).Append(1e20)
	f[9].(*array.Decimal128Builder).Append(decimal128.FromI64(-5))
	f[10].(*array.StringBuilder).Append("")
	f[11].(*array.BinaryBuilder).Append([]byte{})
	f[12].(*array.Date32Builder).Append(arrow.Date32FromTime(ts2))
	f[13].(*array.Time64Builder).Append(arrow.Time64(500000))
	f[14].(*array.TimestampBuilder).Append(arrow.Timestamp(ts2.UnixMicro()))
	f[15].(*array.TimestampBuilder).Append(arrow.Timestamp(ts2.UnixNano()))
	f[16].(*array.TimestampBuilder).Append(arrow.Timestamp(ts2.UnixMicro()))
	f[17].(*array.MonthDayNanoIntervalBuilder).Append(arrow.MonthDayNanoInterval{Days: -1, Nanoseconds: 2 * 3600 * 1e9})
	f[18].(*array.StringBuilder).Append("00000000-0000-0000-0000-000000000001")
	f[19].(*array.StringBuilder).Append(`null`)
	lb.Append(true) // empty list
	lt.Append(true)
	lt.ValueBuilder().(*array.StringBuilder).AppendNull()
	sb.Append(true)
	sb.FieldBuilder(0).(*array.Int64Builder).AppendNull()
	sb.FieldBuilder(1).(*array.StringBuilder).Append("q\"")
	return b.NewRecordBatch()
}

// startServer serves a testHandler on a loopback port until the test ends.
func startServer(t *testing.T, opts ...func(*Server)) (string, *testHandler, *Server) {
	t.Helper()
	h := newTestHandler()
	srv := &Server{Handler: h, Logger: slog.New(slog.DiscardHandler)}
	for _, o := range opts {
		o(srv)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Serve: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Errorf("Serve did not return after cancel")
		}
	})
	return ln.Addr().String(), h, srv
}
