package gateway_test

// End-to-end tests: a real gateway (engine over the demo mesh, pgwire
// server on a loopback port) driven by pgx, by pgconn and by raw protocol
// messages. The demo mesh's binary files come from `make demo`.

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgconn/ctxwatch"
	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/meshgate/meshgate/auth"
	"github.com/meshgate/meshgate/auth/policy"
	"github.com/meshgate/meshgate/engine"
	"github.com/meshgate/meshgate/gateway"
	"github.com/meshgate/meshgate/gateway/pgwire"
	"github.com/meshgate/meshgate/planner/catalog"
)

const meshDir = "../testdata/mesh"

// demoPolicy loads the demo mesh's policies.
func demoPolicy(t *testing.T) *policy.Set {
	t.Helper()
	set, problems := policy.Load("../testdata/policies")
	if len(problems) > 0 {
		t.Fatalf("demo policies: %v", problems)
	}
	return set
}

// server is a gateway serving the demo mesh on a loopback port.
type server struct {
	host, port string
}

// startGateway starts an in-process gateway; the test's cleanup stops it.
func startGateway(t *testing.T) *server {
	t.Helper()
	for _, f := range []string{"sales/data/orders.parquet", "supply/data/inventory.parquet", "supply/data/suppliers.duckdb"} {
		if _, err := os.Stat(filepath.Join(meshDir, f)); err != nil {
			t.Fatalf("demo mesh file %s is missing: run `make demo` first (%v)", f, err)
		}
	}
	mesh, problems := catalog.Load(meshDir)
	if len(problems) > 0 {
		t.Fatalf("demo mesh has problems (run `make demo`): %v", problems)
	}
	users, err := auth.LoadDirectory("../testdata/users.yaml")
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() && os.Getenv("E2E_LOG") != "" {
		logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	ctx, cancel := context.WithCancel(context.Background())
	eng, portProblems, err := engine.Open(ctx, mesh, engine.Config{Threads: 2, Logger: logger})
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	if len(portProblems) > 0 {
		cancel()
		eng.Close()
		t.Fatalf("demo mesh ports have problems (run `make demo`): %v", portProblems)
	}
	gw := gateway.New(eng, users, "mesh", logger)
	gw.SetPolicy(demoPolicy(t))
	return serveGateway(t, ctx, cancel, gw, logger, eng.Close)
}

// serveGateway serves gw on a loopback port until the test ends: cleanup
// cancels ctx, waits for the server to stop, then runs stop (in order:
// what the gateway uses must outlive it).
func serveGateway(t *testing.T, ctx context.Context, cancel context.CancelFunc, gw *gateway.Gateway, logger *slog.Logger, stop ...func()) *server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		cancel()
		for _, f := range stop {
			f()
		}
		t.Fatal(err)
	}
	srv := &pgwire.Server{Handler: gw, Logger: logger}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil && !errors.Is(err, net.ErrClosed) {
				t.Errorf("Serve: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Errorf("server did not stop within 10s")
		}
		for _, f := range stop {
			f()
		}
	})
	host, port, _ := net.SplitHostPort(ln.Addr().String())
	return &server{host: host, port: port}
}

func (s *server) connString(user string, extra string) string {
	cs := fmt.Sprintf("host=%s port=%s user=%s dbname=mesh sslmode=disable", s.host, s.port, user)
	if extra != "" {
		cs += " " + extra
	}
	return cs
}

func (s *server) addr() string { return net.JoinHostPort(s.host, s.port) }

// modes are the two ways pgx talks: simple protocol (text results) and
// the default cached prepared statements (extended protocol, binary results).
var modes = []struct {
	name  string
	extra string
}{
	{"simple", "default_query_exec_mode=simple_protocol"},
	{"extended", ""},
}

func (s *server) connect(t *testing.T, extra string) *pgx.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, s.connString("analyst", extra))
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	return c
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// pgErr asserts err is a *pgconn.PgError with code and a sentence-like
// message (not empty, not an internal Go/DuckDB dump).
func pgErr(t *testing.T, err error, code string) *pgconn.PgError {
	t.Helper()
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		t.Fatalf("want SQLSTATE %s, got non-PostgreSQL error %v", code, err)
	}
	if pe.Code != code {
		t.Fatalf("want SQLSTATE %s, got %s: %s (detail %q, hint %q)", code, pe.Code, pe.Message, pe.Detail, pe.Hint)
	}
	checkMessage(t, pe)
	return pe
}

func checkMessage(t *testing.T, pe *pgconn.PgError) {
	t.Helper()
	m := pe.Message
	if len(strings.Fields(m)) < 3 {
		t.Errorf("error message %q is not a useful sentence", m)
	}
	for _, bad := range []string{"goroutine", "panic", "Error: ", "<nil>", "%!", "(SQLSTATE"} {
		if strings.Contains(m, bad) || strings.Contains(pe.Detail, bad) || strings.Contains(pe.Hint, bad) {
			t.Errorf("error %q (detail %q, hint %q) contains %q", m, pe.Detail, pe.Hint, bad)
		}
	}
	// Internal names may only appear where the client typed them (the
	// message quotes the relation); never in a detail or hint.
	for _, bad := range []string{"sess_", "memory.ports", "ports.", "__orders", "mg$"} {
		if strings.Contains(pe.Detail, bad) || strings.Contains(pe.Hint, bad) {
			t.Errorf("error %q: detail %q / hint %q names internal %q", m, pe.Detail, pe.Hint, bad)
		}
	}
	if pe.Severity != "ERROR" && pe.Severity != "FATAL" {
		t.Errorf("severity %q", pe.Severity)
	}
}

// stillWorks checks the connection still answers a query.
func stillWorks(t *testing.T, c *pgx.Conn) {
	t.Helper()
	var n int
	if err := c.QueryRow(ctxT(t), "select 41 + 1").Scan(&n); err != nil || n != 42 {
		t.Fatalf("connection unusable after error: n=%d err=%v", n, err)
	}
}

func mustTime(layout, v string) time.Time {
	tm, err := time.Parse(layout, v)
	if err != nil {
		panic(err)
	}
	return tm
}

func ptr[T any](v T) *T { return &v }

// typeCase is one value: a SQL expression, the OID PostgreSQL would
// describe it with, a fresh scan target and the expected scanned value.
type typeCase struct {
	name string
	expr string
	oid  uint32
	dst  func() any // pointer to scan into
	want any        // value *dst must equal
}

// binaryWant is what pgx makes of a binary value where it differs from
// the text form: pgx drops the display scale of a binary numeric zero
// (the server sends dscale 3, see TestE2ENumericBinaryScale).
var binaryWant = map[string]any{"numeric_zero": "0"}

func numeric(t *testing.T, n pgtype.Numeric) any {
	if !n.Valid {
		return nil
	}
	v, err := n.Value()
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func typeCases() []typeCase {
	ts := mustTime("2006-01-02 15:04:05.999999", "2024-01-02 03:04:05.5")
	tstz := mustTime(time.RFC3339Nano, "2024-01-02T03:04:05.123456Z")
	uuid := [16]byte{0xa0, 0xee, 0xbc, 0x99, 0x9c, 0x0b, 0x4e, 0xf8, 0xbb, 0x6d, 0x6b, 0xb9, 0xbd, 0x38, 0x0a, 0x11}
	return []typeCase{
		{"bool", "true", 16, func() any { return new(bool) }, true},
		{"bool_false", "false", 16, func() any { return new(bool) }, false},
		{"int2", "(-5)::smallint", 21, func() any { return new(int16) }, int16(-5)},
		{"int2_max", "32767::smallint", 21, func() any { return new(int16) }, int16(32767)},
		{"int4", "123456::integer", 23, func() any { return new(int32) }, int32(123456)},
		{"int4_min", "(-2147483648)::integer", 23, func() any { return new(int32) }, int32(math.MinInt32)},
		{"int8", "(-9000000000)::bigint", 20, func() any { return new(int64) }, int64(-9000000000)},
		{"int8_max", "9223372036854775807::bigint", 20, func() any { return new(int64) }, int64(math.MaxInt64)},
		{"float4", "1.5::real", 700, func() any { return new(float32) }, float32(1.5)},
		{"float4_neg", "(-2.25)::real", 700, func() any { return new(float32) }, float32(-2.25)},
		{"float8", "0.1::double", 701, func() any { return new(float64) }, 0.1},
		{"float8_big", "1e20::double", 701, func() any { return new(float64) }, 1e20},
		{"float8_third", "(1.0::double/3)::double", 701, func() any { return new(float64) }, 1.0 / 3},
		{"numeric", "12.30::decimal(10,2)", 1700, func() any { return new(pgtype.Numeric) }, "12.30"},
		{"numeric_neg", "(-0.05)::decimal(4,2)", 1700, func() any { return new(pgtype.Numeric) }, "-0.05"},
		{"numeric_38", "12345678901234567890123456789012345678::decimal(38,0)", 1700, func() any { return new(pgtype.Numeric) }, "12345678901234567890123456789012345678"},
		{"numeric_38_scaled", "(-1234567890123456789012345678.9012345678)::decimal(38,10)", 1700, func() any { return new(pgtype.Numeric) }, "-1234567890123456789012345678.9012345678"},
		{"numeric_zero", "0::decimal(18,3)", 1700, func() any { return new(pgtype.Numeric) }, "0.000"},
		{"text", "'héllo wörld'::text", 25, func() any { return new(string) }, "héllo wörld"},
		{"varchar", "'x\"y, z'::varchar", 1043, func() any { return new(string) }, `x"y, z`},
		{"text_empty", "''::varchar", 1043, func() any { return new(string) }, ""},
		{"bytea", `'\xDE\xAD\xBE\xEF'::blob`, 17, func() any { return new([]byte) }, []byte{0xde, 0xad, 0xbe, 0xef}},
		{"bytea_empty", `''::blob`, 17, func() any { return new([]byte) }, []byte{}},
		{"date", "DATE '2024-01-02'", 1082, func() any { return new(time.Time) }, mustTime("2006-01-02", "2024-01-02")},
		{"date_old", "DATE '1999-12-31'", 1082, func() any { return new(time.Time) }, mustTime("2006-01-02", "1999-12-31")},
		{"time", "TIME '03:04:05.123456'", 1083, func() any { return new(pgtype.Time) }, pgtype.Time{Microseconds: (3*3600+4*60+5)*1e6 + 123456, Valid: true}},
		{"timestamp", "TIMESTAMP '2024-01-02 03:04:05.5'", 1114, func() any { return new(time.Time) }, ts},
		{"timestamptz", "TIMESTAMPTZ '2024-01-02 03:04:05.123456+00'", 1184, func() any { return new(time.Time) }, tstz},
		{"interval", "INTERVAL '1 year 2 months 3 days 04:05:06'", 1186, func() any { return new(pgtype.Interval) }, pgtype.Interval{Months: 14, Days: 3, Microseconds: (4*3600 + 5*60 + 6) * 1e6, Valid: true}},
		{"interval_neg", "INTERVAL '-1 day 02:00:00'", 1186, func() any { return new(pgtype.Interval) }, pgtype.Interval{Days: -1, Microseconds: 2 * 3600 * 1e6, Valid: true}},
		{"uuid", "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid", 2950, func() any { return new(pgtype.UUID) }, pgtype.UUID{Bytes: uuid, Valid: true}},
		{"json", `'{"k":[1,2],"s":"x"}'::json`, 114, func() any { return new(string) }, `{"k":[1,2],"s":"x"}`},
		// One-dimensional arrays.
		{"int4[]", "[1,2,NULL]::INTEGER[]", 1007, func() any { return new([]*int32) }, []*int32{ptr(int32(1)), ptr(int32(2)), nil}},
		{"int4[]_empty", "[]::INTEGER[]", 1007, func() any { return new([]int32) }, []int32{}},
		{"int2[]", "[1,-2]::SMALLINT[]", 1005, func() any { return new([]int16) }, []int16{1, -2}},
		{"int8[]", "[9000000000,NULL]::BIGINT[]", 1016, func() any { return new([]*int64) }, []*int64{ptr(int64(9000000000)), nil}},
		{"bool[]", "[true,false,NULL]::BOOLEAN[]", 1000, func() any { return new([]*bool) }, []*bool{ptr(true), ptr(false), nil}},
		{"float4[]", "[1.5,-0.25]::REAL[]", 1021, func() any { return new([]float32) }, []float32{1.5, -0.25}},
		{"float8[]", "[0.1,2.5]::DOUBLE[]", 1022, func() any { return new([]float64) }, []float64{0.1, 2.5}},
		{"numeric[]", "[1.25,NULL,-3.50]::DECIMAL(10,2)[]", 1231, func() any { return new([]pgtype.Numeric) }, []any{"1.25", nil, "-3.50"}},
		{"text[]", `['a b', NULL, '', 'NULL', 'x"y', 'c,d', '{}']::VARCHAR[]`, 1009, func() any { return new([]*string) }, []*string{ptr("a b"), nil, ptr(""), ptr("NULL"), ptr(`x"y`), ptr("c,d"), ptr("{}")}},
		{"bytea[]", `['\x01\x02'::blob, NULL]::BLOB[]`, 1001, func() any { return new([][]byte) }, [][]byte{{1, 2}, nil}},
		{"date[]", "[DATE '2024-01-01', NULL]::DATE[]", 1182, func() any { return new([]*time.Time) }, []*time.Time{ptr(mustTime("2006-01-02", "2024-01-01")), nil}},
		{"time[]", "[TIME '00:00:00.5']::TIME[]", 1183, func() any { return new([]pgtype.Time) }, []pgtype.Time{{Microseconds: 500000, Valid: true}}},
		{"timestamp[]", "[TIMESTAMP '2024-01-02 03:04:05.5']::TIMESTAMP[]", 1115, func() any { return new([]time.Time) }, []time.Time{ts}},
		{"timestamptz[]", "[TIMESTAMPTZ '2024-01-02 03:04:05.123456+00']::TIMESTAMPTZ[]", 1185, func() any { return new([]time.Time) }, []time.Time{tstz}},
		{"interval[]", "[INTERVAL '3 days']::INTERVAL[]", 1187, func() any { return new([]pgtype.Interval) }, []pgtype.Interval{{Days: 3, Valid: true}}},
		{"uuid[]", "['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid, NULL]::UUID[]", 2951, func() any { return new([]pgtype.UUID) }, []pgtype.UUID{{Bytes: uuid, Valid: true}, {}}},
		{"json[]", `['{"a":1}'::json]::JSON[]`, 199, func() any { return new([]string) }, []string{`{"a":1}`}},
	}
}

// nullTypes are the SQL types whose NULL must keep the type's OID.
var nullTypes = []struct {
	sql string
	oid uint32
}{
	{"BOOLEAN", 16}, {"SMALLINT", 21}, {"INTEGER", 23}, {"BIGINT", 20}, {"REAL", 700}, {"DOUBLE", 701},
	{"DECIMAL(10,2)", 1700}, {"DECIMAL(38,0)", 1700}, {"VARCHAR", 1043}, {"TEXT", 25}, {"BLOB", 17}, {"DATE", 1082}, {"TIME", 1083},
	{"TIMESTAMP", 1114}, {"TIMESTAMPTZ", 1184}, {"INTERVAL", 1186}, {"UUID", 2950}, {"JSON", 114},
	{"INTEGER[]", 1007}, {"VARCHAR[]", 1009}, {"DATE[]", 1182},
}

func normalize(t *testing.T, v any) any {
	switch x := v.(type) {
	case *pgtype.Numeric:
		return numeric(t, *x)
	case *[]pgtype.Numeric:
		out := []any{}
		for _, n := range *x {
			out = append(out, numeric(t, n))
		}
		return out
	case *time.Time:
		return x.UTC()
	case *[]time.Time:
		out := []time.Time{}
		for _, tm := range *x {
			out = append(out, tm.UTC())
		}
		return out
	case *[]*time.Time:
		out := []*time.Time{}
		for _, tm := range *x {
			if tm != nil {
				tm = ptr(tm.UTC())
			}
			out = append(out, tm)
		}
		return out
	}
	return reflect.ValueOf(v).Elem().Interface()
}

func TestE2ETypes(t *testing.T) {
	s := startGateway(t)
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			c := s.connect(t, m.extra)
			ctx := ctxT(t)
			for _, tc := range typeCases() {
				t.Run(tc.name, func(t *testing.T) {
					rows, err := c.Query(ctx, "SELECT "+tc.expr+" AS v")
					if err != nil {
						t.Fatalf("query: %v", err)
					}
					defer rows.Close()
					fds := rows.FieldDescriptions()
					if len(fds) != 1 || fds[0].DataTypeOID != tc.oid || fds[0].Name != "v" {
						t.Errorf("RowDescription = %+v, want one column v of OID %d", fds, tc.oid)
					}
					if !rows.Next() {
						t.Fatalf("no row: %v", rows.Err())
					}
					dst := tc.dst()
					if err := rows.Scan(dst); err != nil {
						t.Fatalf("scan into %T: %v", dst, err)
					}
					got := normalize(t, dst)
					want := tc.want
					if bw, ok := binaryWant[tc.name]; ok && m.name == "extended" {
						want = bw
					}
					if wt, ok := want.(time.Time); ok {
						want = wt.UTC()
					}
					if !reflect.DeepEqual(got, want) {
						t.Errorf("got %#v, want %#v", got, want)
					}
					if rows.Next() {
						t.Errorf("more than one row")
					}
					rows.Close()
					if err := rows.Err(); err != nil {
						t.Errorf("rows: %v", err)
					}
					if tag := rows.CommandTag().String(); tag != "SELECT 1" {
						t.Errorf("tag %q, want SELECT 1", tag)
					}
				})
			}
			t.Run("nulls", func(t *testing.T) {
				for _, nt := range nullTypes {
					rows, err := c.Query(ctx, "SELECT NULL::"+nt.sql+" AS v")
					if err != nil {
						t.Fatalf("%s: %v", nt.sql, err)
					}
					if fds := rows.FieldDescriptions(); len(fds) != 1 || fds[0].DataTypeOID != nt.oid {
						t.Errorf("NULL::%s: RowDescription %+v, want OID %d", nt.sql, fds, nt.oid)
					}
					var vals []any
					for rows.Next() {
						vals, err = rows.Values()
						if err != nil {
							t.Errorf("NULL::%s values: %v", nt.sql, err)
						}
						var p *string
						if err := rows.Scan(&p); err == nil && p != nil {
							t.Errorf("NULL::%s scanned as %q", nt.sql, *p)
						}
					}
					rows.Close()
					if err := rows.Err(); err != nil {
						t.Errorf("NULL::%s: %v", nt.sql, err)
					}
					if len(vals) != 1 || vals[0] != nil {
						t.Errorf("NULL::%s = %#v, want [nil]", nt.sql, vals)
					}
				}
			})
			t.Run("column_names_and_multirow", func(t *testing.T) {
				rows, err := c.Query(ctx, "SELECT count(*), 1 + 1, 1::int2, 'a'::text AS named, i FROM range(3) t(i) GROUP BY i ORDER BY i")
				if err != nil {
					t.Fatal(err)
				}
				var names []string
				for _, fd := range rows.FieldDescriptions() {
					names = append(names, fd.Name)
				}
				n := 0
				for rows.Next() {
					var cnt int64
					var two int32
					var one int16
					var named string
					var i int64
					if err := rows.Scan(&cnt, &two, &one, &named, &i); err != nil {
						t.Fatal(err)
					}
					if cnt != 1 || two != 2 || one != 1 || named != "a" || i != int64(n) {
						t.Errorf("row %d = %d %d %d %q %d", n, cnt, two, one, named, i)
					}
					n++
				}
				if err := rows.Err(); err != nil || n != 3 {
					t.Fatalf("rows=%d err=%v", n, err)
				}
				if want := []string{"count", "?column?", "int2", "named", "i"}; !reflect.DeepEqual(names, want) {
					t.Errorf("column names %q, want %q", names, want)
				}
			})
		})
	}
}

// referenceDB opens a plain DuckDB reading the demo mesh's files directly.
func referenceDB(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestE2ECrossDomainJoin(t *testing.T) {
	s := startGateway(t)
	db := referenceDB(t)
	orders, _ := filepath.Abs(filepath.Join(meshDir, "sales/data/orders.parquet"))
	countries, _ := filepath.Abs(filepath.Join(meshDir, "geo/data/countries.csv"))
	type row struct {
		name, sum string
	}
	var want []row
	rq := fmt.Sprintf(`SELECT d.name, sum(o.amount)::VARCHAR
		FROM read_parquet('%s') o
		JOIN read_csv('%s', header = true, columns = {'country_code': 'VARCHAR', 'name': 'VARCHAR', 'region_code': 'VARCHAR', 'population': 'BIGINT'}) d
		USING (country_code) GROUP BY 1 ORDER BY 1`, orders, countries)
	rs, err := db.Query(rq)
	if err != nil {
		t.Fatal(err)
	}
	for rs.Next() {
		var r row
		if err := rs.Scan(&r.name, &r.sum); err != nil {
			t.Fatal(err)
		}
		want = append(want, r)
	}
	if err := rs.Err(); err != nil {
		t.Fatal(err)
	}
	rs.Close()
	if len(want) < 5 {
		t.Fatalf("reference query returned %d rows; is the demo mesh generated?", len(want))
	}
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			c := s.connect(t, m.extra)
			rows, err := c.Query(ctxT(t), `select d.name, sum(o.amount) from sales.orders o join geo.countries d using (country_code) group by 1 order by 1`)
			if err != nil {
				t.Fatal(err)
			}
			fds := rows.FieldDescriptions()
			if len(fds) != 2 || fds[0].Name != "name" || fds[0].DataTypeOID != 25 || fds[1].Name != "sum" || fds[1].DataTypeOID != 1700 {
				t.Errorf("RowDescription %+v", fds)
			}
			var got []row
			for rows.Next() {
				var r row
				var n pgtype.Numeric
				if err := rows.Scan(&r.name, &n); err != nil {
					t.Fatal(err)
				}
				r.sum = numeric(t, n).(string)
				got = append(got, r)
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("join result differs from plain DuckDB:\n got  %v\n want %v", got, want)
			}
			if tag := rows.CommandTag().String(); tag != fmt.Sprintf("SELECT %d", len(want)) {
				t.Errorf("tag %q", tag)
			}
		})
	}
}

func TestE2EParameters(t *testing.T) {
	s := startGateway(t)
	c := s.connect(t, "")
	ctx := ctxT(t)
	d := mustTime("2006-01-02", "2024-03-01")
	var (
		n    int32
		txt  string
		day  time.Time
		num  pgtype.Numeric
		flag bool
		null *string
		cnt  int64
	)
	err := c.QueryRow(ctx, "SELECT $1::INTEGER + 1, $2::VARCHAR || '!', $3::DATE + 1, $4::DECIMAL(10,2) * 2, NOT $5::BOOLEAN, $6::VARCHAR",
		int32(41), "héllo", d, "12.25", false, nil).Scan(&n, &txt, &day, &num, &flag, &null)
	if err != nil {
		t.Fatal(err)
	}
	if n != 42 || txt != "héllo!" || !day.Equal(d.AddDate(0, 0, 1)) || numeric(t, num) != "24.50" || !flag || null != nil {
		t.Errorf("got %d %q %v %v %v %v", n, txt, day, numeric(t, num), flag, null)
	}
	// Parameters in a filter over a product, reused with other values.
	for _, tc := range []struct {
		status string
		from   time.Time
	}{{"delivered", mustTime("2006-01-02", "2024-01-01")}, {"cancelled", mustTime("2006-01-02", "2023-01-01")}} {
		var wantCnt int64
		if err := c.QueryRow(ctx, fmt.Sprintf("SELECT count(*) FROM sales.orders WHERE status = '%s' AND order_date >= DATE '%s'", tc.status, tc.from.Format("2006-01-02")),
			pgx.QueryExecModeSimpleProtocol).Scan(&wantCnt); err != nil {
			t.Fatal(err)
		}
		if err := c.QueryRow(ctx, "SELECT count(*) FROM sales.orders WHERE status = $1 AND order_date >= $2", tc.status, tc.from).Scan(&cnt); err != nil {
			t.Fatal(err)
		}
		if cnt != wantCnt {
			t.Errorf("status %s from %v: %d rows with parameters, %d with literals", tc.status, tc.from, cnt, wantCnt)
		}
	}
	if cnt == 0 {
		t.Errorf("parameter query matched no rows; test data changed?")
	}
	// Text-format parameters through pgconn.
	res := c.PgConn().ExecParams(ctx, "SELECT $1::BIGINT * 2, $2::VARCHAR IS NULL", [][]byte{[]byte("21"), nil}, nil, nil, nil).Read()
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	if len(res.Rows) != 1 || string(res.Rows[0][0]) != "42" || string(res.Rows[0][1]) != "t" {
		t.Errorf("ExecParams rows %q", res.Rows)
	}
	// A bad parameter value is a 22P02, and the connection lives on.
	res = c.PgConn().ExecParams(ctx, "SELECT $1::INTEGER", [][]byte{[]byte("forty-two")}, []uint32{23}, nil, nil).Read()
	pgErr(t, res.Err, "22P02")
	stillWorks(t, c)
}

// rawConn is a hijacked pgconn: the test speaks protocol messages itself.
type rawConn struct {
	t  *testing.T
	nc net.Conn
	fe *pgproto3.Frontend
}

func (s *server) raw(t *testing.T) *rawConn { t.Helper(); return s.rawAs(t, "analyst") }

// rawAs is raw for a user.
func (s *server) rawAs(t *testing.T, user string) *rawConn {
	t.Helper()
	ctx := ctxT(t)
	pc, err := pgconn.Connect(ctx, s.connString(user, ""))
	if err != nil {
		t.Fatal(err)
	}
	h, err := pc.Hijack()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Conn.Close() })
	return &rawConn{t: t, nc: h.Conn, fe: h.Frontend}
}

func (r *rawConn) send(msgs ...pgproto3.FrontendMessage) {
	r.t.Helper()
	for _, m := range msgs {
		r.fe.Send(m)
	}
	if err := r.fe.Flush(); err != nil {
		r.t.Fatal(err)
	}
}

// until receives messages up to and including one of type T, returning
// all of them (DataRow bodies copied).
func (r *rawConn) receive() pgproto3.BackendMessage {
	r.t.Helper()
	r.nc.SetReadDeadline(time.Now().Add(30 * time.Second))
	m, err := r.fe.Receive()
	if err != nil {
		r.t.Fatalf("receive: %v", err)
	}
	return m
}

func TestE2EPortalSuspended(t *testing.T) {
	s := startGateway(t)
	r := s.raw(t)
	var ids []string
	suspended := 0
	// read collects messages until one that ends the current exchange:
	// PortalSuspended or CommandComplete after a Flush, ReadyForQuery after a Sync.
	read := func(untilReady bool) (tag string) {
		t.Helper()
		for {
			switch m := r.receive().(type) {
			case *pgproto3.ParseComplete, *pgproto3.BindComplete:
			case *pgproto3.RowDescription:
				if len(m.Fields) != 1 || string(m.Fields[0].Name) != "order_id" || m.Fields[0].DataTypeOID != 20 {
					t.Errorf("RowDescription %+v", m.Fields)
				}
			case *pgproto3.DataRow:
				ids = append(ids, string(m.Values[0]))
			case *pgproto3.PortalSuspended:
				suspended++
				if !untilReady {
					return ""
				}
			case *pgproto3.CommandComplete:
				tag = string(m.CommandTag)
				if !untilReady {
					return tag
				}
			case *pgproto3.ErrorResponse:
				t.Fatalf("error %s: %s", m.Code, m.Message)
			case *pgproto3.ReadyForQuery:
				if m.TxStatus != 'I' {
					t.Errorf("ReadyForQuery status %c", m.TxStatus)
				}
				return tag
			default:
				t.Fatalf("unexpected %T", m)
			}
		}
	}
	r.send(
		&pgproto3.Parse{Name: "s1", Query: "SELECT order_id FROM sales.orders WHERE order_id > $1 ORDER BY order_id"},
		&pgproto3.Bind{DestinationPortal: "p1", PreparedStatement: "s1", Parameters: [][]byte{[]byte("0")}},
		&pgproto3.Describe{ObjectType: 'P', Name: "p1"},
		&pgproto3.Execute{Portal: "p1", MaxRows: 10},
		&pgproto3.Flush{},
	)
	read(false)
	if len(ids) != 10 || suspended != 1 {
		t.Fatalf("first Execute(10): %d rows, %d PortalSuspended", len(ids), suspended)
	}
	r.send(&pgproto3.Execute{Portal: "p1", MaxRows: 10}, &pgproto3.Flush{})
	read(false)
	if len(ids) != 20 || suspended != 2 {
		t.Fatalf("second Execute(10): %d rows in total, %d PortalSuspended", len(ids), suspended)
	}
	r.send(&pgproto3.Execute{Portal: "p1", MaxRows: 0}, &pgproto3.Sync{})
	if tag := read(true); tag != "SELECT 1980" {
		t.Errorf("final tag %q, want SELECT 1980 (the rows of the last Execute)", tag)
	}
	if len(ids) != 2000 || suspended != 2 {
		t.Fatalf("got %d rows in total with %d PortalSuspended, want 2000 rows and 2", len(ids), suspended)
	}
	for i, id := range ids {
		if id != fmt.Sprint(100001+i) {
			t.Fatalf("row %d = %s, want %d (rows lost or repeated across Executes)", i, id, 100001+i)
		}
	}
	// The statement is reusable; an exact multiple of maxRows ends in
	// PortalSuspended and the next Execute completes with 0 rows.
	ids, suspended = nil, 0
	r.send(
		&pgproto3.Bind{DestinationPortal: "", PreparedStatement: "s1", Parameters: [][]byte{[]byte("101990")}},
		&pgproto3.Execute{MaxRows: 10},
		&pgproto3.Flush{},
	)
	// PostgreSQL answers PortalSuspended here (it cannot know the portal
	// is exhausted) and the next Execute completes with SELECT 0; meshgate
	// may also see the end and complete at once with SELECT 10. Both are
	// valid protocol; clients handle either.
	if tag := read(false); tag != "" {
		if tag != "SELECT 10" || suspended != 0 {
			t.Errorf("Execute(10) of exactly 10 rows completed with %q after %d suspensions", tag, suspended)
		}
		r.send(&pgproto3.Sync{})
		read(true)
	} else {
		r.send(&pgproto3.Execute{MaxRows: 10}, &pgproto3.Sync{})
		if tag := read(true); tag != "SELECT 0" {
			t.Errorf("tag %q, want SELECT 0", tag)
		}
	}
	if len(ids) != 10 || ids[9] != "102000" {
		t.Errorf("rows %v", ids)
	}
}

// connectNotices connects with a notice collector and a context watcher
// that sends a CancelRequest (and keeps the connection) on cancellation.
func (s *server) connectNotices(t *testing.T, extra string) (*pgx.Conn, *[]*pgconn.Notice) {
	t.Helper()
	cfg, err := pgx.ParseConfig(s.connString("analyst", extra))
	if err != nil {
		t.Fatal(err)
	}
	var notices []*pgconn.Notice
	cfg.OnNotice = func(_ *pgconn.PgConn, n *pgconn.Notice) { notices = append(notices, n) }
	cfg.BuildContextWatcherHandler = func(pc *pgconn.PgConn) ctxwatch.Handler {
		return &pgconn.CancelRequestContextWatcherHandler{Conn: pc, DeadlineDelay: 10 * time.Second}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	return c, &notices
}

// resultText renders a pgconn result as "tag|col,col|v,v;v,v".
func resultText(r *pgconn.Result) string {
	var cols []string
	for _, f := range r.FieldDescriptions {
		cols = append(cols, f.Name)
	}
	var rows []string
	for _, row := range r.Rows {
		var vals []string
		for _, v := range row {
			if v == nil {
				vals = append(vals, "NULL")
			} else {
				vals = append(vals, string(v))
			}
		}
		rows = append(rows, strings.Join(vals, ","))
	}
	return r.CommandTag.String() + "|" + strings.Join(cols, ",") + "|" + strings.Join(rows, ";")
}

// simple runs a simple Query and returns each statement's result text;
// it fails the test on an error.
func simple(t *testing.T, c *pgx.Conn, sql string) []string {
	t.Helper()
	results, err := c.PgConn().Exec(ctxT(t), sql).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	var out []string
	for _, r := range results {
		if r.Err != nil {
			t.Fatalf("%s: %v", sql, r.Err)
		}
		out = append(out, resultText(r))
	}
	return out
}

func expectResults(t *testing.T, c *pgx.Conn, sql string, want ...string) {
	t.Helper()
	got := simple(t, c, sql)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s:\n got  %q\n want %q", sql, got, want)
	}
}

func TestE2ESimpleQueries(t *testing.T) {
	s := startGateway(t)
	c, notices := s.connectNotices(t, "")
	pc := c.PgConn()

	t.Run("multi_statement", func(t *testing.T) {
		expectResults(t, c, "SET search_path TO sales, geo; SELECT count(*) FROM orders; SELECT count(*) FROM countries",
			"SET||", "SELECT 1|count|2000", "SELECT 1|count|20")
		expectResults(t, c, "SHOW search_path", "SHOW|search_path|sales, geo")
		// Unqualified names now resolve through the path, joins included.
		expectResults(t, c, "SELECT count(*) FROM orders o JOIN countries USING (country_code) WHERE o.country_code = 'US'",
			"SELECT 1|count|"+strings.Split(simple(t, c, "SELECT count(*) FROM sales.orders WHERE country_code = 'US'")[0], "|")[2])
		expectResults(t, c, "RESET search_path; SHOW search_path", "RESET||", `SHOW|search_path|"$user", public`)
		_, err := c.Exec(ctxT(t), "SELECT count(*) FROM orders", pgx.QueryExecModeSimpleProtocol)
		pgErr(t, err, "42P01")
		// An error stops the rest of a multi-statement query.
		results, err := pc.Exec(ctxT(t), "SELECT 1; SELECT * FROM nope.nope; SELECT 3").ReadAll()
		if err == nil {
			t.Fatalf("no error; results %d", len(results))
		}
		pgErr(t, err, "42P01")
		if len(results) != 1 || resultText(results[0]) != "SELECT 1|?column?|1" {
			t.Errorf("results before the error: %d", len(results))
		}
		stillWorks(t, c)
	})

	t.Run("empty_query", func(t *testing.T) {
		results, err := pc.Exec(ctxT(t), "").ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range results {
			if r.CommandTag.String() != "" || len(r.Rows) != 0 {
				t.Errorf("empty query gave %q", resultText(r))
			}
		}
		results, err = pc.Exec(ctxT(t), " ;; ").ReadAll()
		if err != nil {
			t.Fatalf("only semicolons: %v", err)
		}
		if len(results) > 1 {
			t.Errorf("only semicolons gave %d results", len(results))
		}
		stillWorks(t, c)
	})

	t.Run("settings", func(t *testing.T) {
		expectResults(t, c, "SHOW transaction isolation level", "SHOW|transaction_isolation|read committed")
		expectResults(t, c, "SHOW TimeZone", "SHOW|TimeZone|UTC")
		q := "SELECT TIMESTAMPTZ '2024-01-02 03:04:05+00' AS w, TIMESTAMPTZ '2024-07-02 03:04:05.25+00' AS s"
		expectResults(t, c, q, "SELECT 1|w,s|2024-01-02 03:04:05+00,2024-07-02 03:04:05.25+00")
		expectResults(t, c, "SET TimeZone = 'Europe/Paris'", "SET||")
		if got := pc.ParameterStatus("TimeZone"); got != "Europe/Paris" {
			t.Errorf("ParameterStatus TimeZone = %q", got)
		}
		expectResults(t, c, q, "SELECT 1|w,s|2024-01-02 04:04:05+01,2024-07-02 05:04:05.25+02")
		expectResults(t, c, "SET TIME ZONE 'America/New_York'; "+q, "SET||", "SELECT 1|w,s|2024-01-01 22:04:05-05,2024-07-01 23:04:05.25-04")
		// Binary timestamptz is an instant, whatever the zone.
		var w time.Time
		if err := c.QueryRow(ctxT(t), "SELECT TIMESTAMPTZ '2024-01-02 03:04:05+00'").Scan(&w); err != nil || !w.Equal(mustTime(time.RFC3339, "2024-01-02T03:04:05Z")) {
			t.Errorf("binary timestamptz under New York: %v %v", w, err)
		}
		expectResults(t, c, "RESET TimeZone; SHOW TimeZone", "RESET||", "SHOW|TimeZone|UTC")
		expectResults(t, c, "SET extra_float_digits = 3; SHOW extra_float_digits; SELECT 0.1::double AS f",
			"SET||", "SHOW|extra_float_digits|3", "SELECT 1|f|0.1")
		expectResults(t, c, "SET application_name = 'e2e'; SHOW application_name", "SET||", "SHOW|application_name|e2e")
		if got := pc.ParameterStatus("application_name"); got != "e2e" {
			t.Errorf("ParameterStatus application_name = %q", got)
		}
		expectResults(t, c, "SET statement_timeout TO '5s'; SHOW statement_timeout; RESET statement_timeout; SHOW statement_timeout",
			"SET||", "SHOW|statement_timeout|5s", "RESET||", "SHOW|statement_timeout|0")
		expectResults(t, c, "SET myapp.tenant = 'x'; SHOW myapp.tenant", "SET||", "SHOW|myapp.tenant|x")
		for _, bad := range []struct{ sql, code string }{
			{"SET no_such_setting = 1", "42704"},
			{"SHOW no_such_setting", "42704"},
			{"RESET no_such_setting", "42704"},
			{"SET enable_external_access = true", "42704"},
			{"SET allowed_directories = '/'", "42704"},
			{"SET lock_configuration = false", "42704"},
			{"SET threads = 64", "42704"},
			{"SET extra_float_digits = 9", "22023"},
			{"SET TimeZone = 'Mars/Olympus'", "22023"},
			{"SET server_version = '9.0'", "55P02"},
		} {
			_, err := pc.Exec(ctxT(t), bad.sql).ReadAll()
			pgErr(t, err, bad.code)
			stillWorks(t, c)
		}
		// DuckDB's own setting is untouched by the refused SET.
		if out := simple(t, c, "SHOW TimeZone"); out[0] != "SHOW|TimeZone|UTC" {
			t.Errorf("after refused SETs: %q", out)
		}
	})

	t.Run("transactions", func(t *testing.T) {
		*notices = nil
		expectResults(t, c, "COMMIT", "COMMIT||")
		if len(*notices) != 1 || (*notices)[0].Code != "25P01" || (*notices)[0].Severity != "WARNING" {
			t.Errorf("COMMIT outside a block: notices %+v, want WARNING 25P01", *notices)
		}
		*notices = nil
		expectResults(t, c, "ROLLBACK", "ROLLBACK||")
		if len(*notices) != 1 || (*notices)[0].Code != "25P01" {
			t.Errorf("ROLLBACK outside a block: notices %+v", *notices)
		}
		*notices = nil
		expectResults(t, c, "BEGIN", "BEGIN||")
		if pc.TxStatus() != 'T' {
			t.Errorf("TxStatus after BEGIN = %c", pc.TxStatus())
		}
		expectResults(t, c, "BEGIN", "BEGIN||")
		if len(*notices) != 1 || (*notices)[0].Code != "25001" {
			t.Errorf("BEGIN inside a block: notices %+v, want WARNING 25001", *notices)
		}
		expectResults(t, c, "SET TimeZone = 'Asia/Tokyo'; SELECT 1 AS x", "SET||", "SELECT 1|x|1")
		expectResults(t, c, "ROLLBACK", "ROLLBACK||")
		if pc.TxStatus() != 'I' {
			t.Errorf("TxStatus after ROLLBACK = %c", pc.TxStatus())
		}
		expectResults(t, c, "SHOW TimeZone", "SHOW|TimeZone|UTC") // ROLLBACK undid the SET
		if got := pc.ParameterStatus("TimeZone"); got != "UTC" {
			t.Errorf("ParameterStatus TimeZone after ROLLBACK = %q", got)
		}
		expectResults(t, c, "BEGIN; SET LOCAL TimeZone = 'Asia/Tokyo'; SHOW TimeZone; COMMIT; SHOW TimeZone",
			"BEGIN||", "SET||", "SHOW|TimeZone|Asia/Tokyo", "COMMIT||", "SHOW|TimeZone|UTC")
		expectResults(t, c, "START TRANSACTION READ ONLY; SELECT 2 AS y; END", "START TRANSACTION||", "SELECT 1|y|2", "COMMIT||")

		// The failed-transaction state.
		expectResults(t, c, "BEGIN", "BEGIN||")
		_, err := pc.Exec(ctxT(t), "SELECT 'x'::INTEGER").ReadAll()
		pgErr(t, err, "22P02")
		if pc.TxStatus() != 'E' {
			t.Errorf("TxStatus after an error in a block = %c, want E", pc.TxStatus())
		}
		_, err = pc.Exec(ctxT(t), "SELECT 1").ReadAll()
		pgErr(t, err, "25P02")
		_, err = c.Exec(ctxT(t), "SELECT $1::int", 1) // extended protocol too
		pgErr(t, err, "25P02")
		_, err = pc.Exec(ctxT(t), "SHOW TimeZone").ReadAll()
		pgErr(t, err, "25P02")
		// COMMIT of a failed block rolls back.
		expectResults(t, c, "COMMIT", "ROLLBACK||")
		if pc.TxStatus() != 'I' {
			t.Errorf("TxStatus = %c", pc.TxStatus())
		}
		stillWorks(t, c)
		expectResults(t, c, "BEGIN; SELECT 7/2::INTEGER AS z", "BEGIN||", "SELECT 1|z|3")
		_, err = pc.Exec(ctxT(t), "SELECT * FROM nope.nope").ReadAll()
		pgErr(t, err, "42P01")
		expectResults(t, c, "ROLLBACK", "ROLLBACK||")
		stillWorks(t, c)
		// An error in a multi-statement query inside a block fails it too.
		_, err = pc.Exec(ctxT(t), "BEGIN; SELECT 1; SELECT nocol FROM sales.orders; SELECT 2").ReadAll()
		pgErr(t, err, "42703")
		if pc.TxStatus() != 'E' {
			t.Errorf("TxStatus = %c, want E", pc.TxStatus())
		}
		expectResults(t, c, "ROLLBACK", "ROLLBACK||")
		// Savepoints: session_commands_test.go.
		expectResults(t, c, "BEGIN; SAVEPOINT a; ROLLBACK", "BEGIN||", "SAVEPOINT||", "ROLLBACK||")
	})

	t.Run("discard_all", func(t *testing.T) {
		expectResults(t, c, "SET search_path = geo; SET TimeZone = 'Europe/Paris'; SET application_name = 'x'", "SET||", "SET||", "SET||")
		expectResults(t, c, "BEGIN; DECLARE d CURSOR WITH HOLD FOR SELECT 1; COMMIT", "BEGIN||", "DECLARE CURSOR||", "COMMIT||")
		expectResults(t, c, "DISCARD ALL", "DISCARD ALL||")
		expectResults(t, c, "SHOW search_path; SHOW TimeZone; SHOW application_name",
			`SHOW|search_path|"$user", public`, "SHOW|TimeZone|UTC", "SHOW|application_name|")
		if got := pc.ParameterStatus("TimeZone"); got != "UTC" {
			t.Errorf("ParameterStatus TimeZone after DISCARD ALL = %q", got)
		}
		_, err := pc.Exec(ctxT(t), "FETCH 1 FROM d").ReadAll()
		pgErr(t, err, "34000") // DISCARD ALL closed the cursor
		_, err = pc.Exec(ctxT(t), "BEGIN; DISCARD ALL").ReadAll()
		pgErr(t, err, "25001")
		expectResults(t, c, "ROLLBACK", "ROLLBACK||")
		expectResults(t, c, "DEALLOCATE ALL", "DEALLOCATE ALL||")
	})

	t.Run("copy_to_stdout", func(t *testing.T) {
		var buf strings.Builder
		tag, err := pc.CopyTo(ctxT(t), &buf, "COPY (SELECT order_id, country_code, amount, status FROM sales.orders ORDER BY order_id LIMIT 3) TO STDOUT WITH (FORMAT csv, HEADER)")
		if err != nil {
			t.Fatal(err)
		}
		want := "order_id,country_code,amount,status\n100001,KE,30.00,placed\n100002,US,82.17,paid\n100003,ES,159.34,paid\n"
		if buf.String() != want || tag.String() != "COPY 3" {
			t.Errorf("COPY csv: tag %q output\n%s\nwant\n%s", tag, buf.String(), want)
		}
		buf.Reset()
		tag, err = pc.CopyTo(ctxT(t), &buf, `COPY (SELECT 1 AS a, 'x,y' AS b, NULL::VARCHAR AS c UNION ALL SELECT 2, 'q"z', 'tab	here' ORDER BY a) TO STDOUT WITH (FORMAT csv, HEADER true)`)
		if err != nil {
			t.Fatal(err)
		}
		want = "a,b,c\n1,\"x,y\",\n2,\"q\"\"z\",tab\there\n"
		if buf.String() != want || tag.String() != "COPY 2" {
			t.Errorf("COPY csv quoting: tag %q output %q want %q", tag, buf.String(), want)
		}
		buf.Reset()
		tag, err = pc.CopyTo(ctxT(t), &buf, `COPY (SELECT 1 AS a, NULL::VARCHAR AS b, 'tab	back\' AS c, DATE '2024-01-02' AS d) TO STDOUT`)
		if err != nil {
			t.Fatal(err)
		}
		want = "1\t\\N\ttab\\tback\\\\\t2024-01-02\n"
		if buf.String() != want || tag.String() != "COPY 1" {
			t.Errorf("COPY text: tag %q output %q want %q", tag, buf.String(), want)
		}
		buf.Reset()
		_, err = pc.CopyTo(ctxT(t), &buf, `COPY (SELECT * FROM read_csv('/etc/passwd')) TO STDOUT`)
		pgErr(t, err, "42501")
		_, err = pc.CopyTo(ctxT(t), &buf, `COPY (SELECT * FROM read_csv('/etc/passwd')) TO STDOUT (FORMAT binary)`)
		pgErr(t, err, "42501")
		stillWorks(t, c)
	})
}

func TestE2ECursors(t *testing.T) {
	s := startGateway(t)
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			c := s.connect(t, m.extra)
			ctx := ctxT(t)
			ids := func(sql string, wantTag string) []int64 {
				t.Helper()
				rows, err := c.Query(ctx, sql)
				if err != nil {
					t.Fatalf("%s: %v", sql, err)
				}
				var out []int64
				for rows.Next() {
					var id int64
					if err := rows.Scan(&id); err != nil {
						t.Fatal(err)
					}
					out = append(out, id)
				}
				if err := rows.Err(); err != nil {
					t.Fatalf("%s: %v", sql, err)
				}
				if tag := rows.CommandTag().String(); tag != wantTag {
					t.Errorf("%s: tag %q, want %q", sql, tag, wantTag)
				}
				return out
			}
			exec := func(sql, wantTag string) {
				t.Helper()
				tag, err := c.Exec(ctx, sql)
				if err != nil {
					t.Fatalf("%s: %v", sql, err)
				}
				if tag.String() != wantTag {
					t.Errorf("%s: tag %q, want %q", sql, tag, wantTag)
				}
			}
			seq := func(from, n int64) []int64 {
				var out []int64
				for i := int64(0); i < n; i++ {
					out = append(out, from+i)
				}
				return out
			}
			exec("BEGIN", "BEGIN")
			exec("DECLARE c CURSOR FOR SELECT order_id FROM sales.orders ORDER BY order_id", "DECLARE CURSOR")
			if got := ids("FETCH FORWARD 5 FROM c", "FETCH 5"); !reflect.DeepEqual(got, seq(100001, 5)) {
				t.Errorf("FETCH FORWARD 5: %v", got)
			}
			exec("MOVE 3 IN c", "MOVE 3")
			if got := ids("FETCH c", "FETCH 1"); !reflect.DeepEqual(got, seq(100009, 1)) {
				t.Errorf("FETCH: %v", got)
			}
			if got := ids("FETCH ALL FROM c", "FETCH 1991"); !reflect.DeepEqual(got, seq(100010, 1991)) {
				t.Errorf("FETCH ALL: %d rows from %v", len(got), got[:min(3, len(got))])
			}
			if got := ids("FETCH 10 FROM c", "FETCH 0"); len(got) != 0 {
				t.Errorf("FETCH after the end: %v", got)
			}
			exec("CLOSE c", "CLOSE CURSOR")
			_, err := c.Exec(ctx, "FETCH 1 FROM c")
			pgErr(t, err, "34000")
			exec("ROLLBACK", "ROLLBACK")

			// Two cursors interleaved; COMMIT closes those without HOLD.
			exec("BEGIN", "BEGIN")
			exec("DECLARE a CURSOR FOR SELECT i FROM range(100) t(i)", "DECLARE CURSOR")
			exec("DECLARE b CURSOR WITH HOLD FOR SELECT i * 10 FROM range(100) t(i)", "DECLARE CURSOR")
			if got := ids("FETCH 2 FROM a", "FETCH 2"); !reflect.DeepEqual(got, []int64{0, 1}) {
				t.Errorf("a: %v", got)
			}
			if got := ids("FETCH 2 FROM b", "FETCH 2"); !reflect.DeepEqual(got, []int64{0, 10}) {
				t.Errorf("b: %v", got)
			}
			_, err = c.Exec(ctx, "DECLARE a CURSOR FOR SELECT 1")
			pgErr(t, err, "42P03")
			exec("ROLLBACK", "ROLLBACK")
			exec("BEGIN", "BEGIN")
			exec("DECLARE a CURSOR FOR SELECT i FROM range(100) t(i)", "DECLARE CURSOR")
			exec("COMMIT", "COMMIT")
			_, err = c.Exec(ctx, "FETCH 1 FROM a")
			pgErr(t, err, "34000")
			exec("DECLARE h CURSOR WITH HOLD FOR SELECT i FROM range(5) t(i)", "DECLARE CURSOR")
			if got := ids("FETCH 2 FROM h", "FETCH 2"); !reflect.DeepEqual(got, []int64{0, 1}) {
				t.Errorf("held cursor after COMMIT: %v", got)
			}
			exec("CLOSE ALL", "CLOSE CURSOR")
			_, err = c.Exec(ctx, "DECLARE x CURSOR FOR SELECT 1")
			pgErr(t, err, "25P01")
			_, err = c.Exec(ctx, "DECLARE y CURSOR WITH HOLD FOR SELECT * FROM read_csv('/etc/passwd')")
			pgErr(t, err, "42501")
			stillWorks(t, c)
		})
	}
}

// TestE2ENumericBinaryScale checks the binary numeric's header: weight,
// sign and display scale, which pgx does not expose for zero.
func TestE2ENumericBinaryScale(t *testing.T) {
	s := startGateway(t)
	c := s.connect(t, "")
	for _, tc := range []struct {
		sql    string
		header [4]uint16 // ndigits, weight, sign, dscale
	}{
		{"SELECT 0::DECIMAL(18,3)", [4]uint16{0, 0, 0, 3}},
		{"SELECT 12.30::DECIMAL(10,2)", [4]uint16{2, 0, 0, 2}},
		{"SELECT (-0.05)::DECIMAL(4,2)", [4]uint16{1, 0xffff, 0x4000, 2}},
	} {
		res := c.PgConn().ExecParams(ctxT(t), tc.sql, nil, nil, nil, []int16{1}).Read()
		if res.Err != nil {
			t.Fatal(res.Err)
		}
		b := res.Rows[0][0]
		if len(b) < 8 {
			t.Fatalf("%s: binary numeric %x too short", tc.sql, b)
		}
		got := [4]uint16{binary.BigEndian.Uint16(b), binary.BigEndian.Uint16(b[2:]), binary.BigEndian.Uint16(b[4:]), binary.BigEndian.Uint16(b[6:])}
		if got != tc.header {
			t.Errorf("%s: binary numeric header %v, want %v (bytes %x)", tc.sql, got, tc.header, b)
		}
	}
}

// queryErr runs sql to the end and returns its error.
func queryErr(ctx context.Context, c *pgx.Conn, sql string) error {
	rows, err := c.Query(ctx, sql)
	if err != nil {
		return err
	}
	for rows.Next() {
	}
	rows.Close()
	return rows.Err()
}

func TestE2EErrors(t *testing.T) {
	s := startGateway(t)
	orders, _ := filepath.Abs(filepath.Join(meshDir, "sales/data/orders.parquet"))
	countries, _ := filepath.Abs(filepath.Join(meshDir, "geo/data/countries.csv"))
	cases := []struct {
		name, sql, code string
		contains        string // in the message, lowercased
	}{
		{"syntax", "SELEC 1", "42601", "syntax error"},
		{"syntax_duckdb", "SELECT FROM WHERE 1", "42601", "syntax error"},
		{"unknown_product", "SELECT * FROM sales.nope", "42P01", "does not exist"},
		{"unknown_domain", "SELECT * FROM nowhere.orders", "42P01", "does not exist"},
		{"unqualified_not_in_path", "SELECT * FROM orders", "42P01", "does not exist"},
		{"pinned_wrong_major", "SELECT * FROM sales.orders_v2", "42P01", "not major version 2"},
		{"unknown_column", "SELECT nocol FROM sales.orders", "42703", "nocol"},
		{"bad_cast", "SELECT 'x'::INTEGER", "22P02", "could not convert"},
		{"bad_cast_column", "SELECT status::INTEGER FROM sales.orders", "22P02", "could not convert"},
		{"out_of_range_cast", "SELECT 300::TINYINT", "22003", "out of range"},
		{"bad_date", "SELECT '2024-13-45'::DATE", "22008", "out of range"},
		{"insert", "INSERT INTO sales.orders VALUES (1)", "0A000", "read-only"},
		{"update", "UPDATE sales.orders SET amount = 0", "0A000", "read-only"},
		{"delete", "DELETE FROM sales.orders", "0A000", "read-only"},
		{"create", "CREATE TABLE t AS SELECT 1", "0A000", "read-only"},
		{"drop", "DROP TABLE sales.orders", "0A000", "read-only"},
		{"truncate", "TRUNCATE sales.orders", "0A000", "read-only"},
		{"attach", "ATTACH ':memory:' AS x", "42501", "not allowed"},
		{"detach", "DETACH memory", "42501", "not allowed"},
		{"install", "INSTALL httpfs", "42501", "not allowed"},
		{"load", "LOAD httpfs", "42501", "not allowed"},
		{"pragma", "PRAGMA database_list", "42501", "not allowed"},
		{"use", "USE memory", "42501", "not allowed"},
		{"copy_to_file", "COPY (SELECT 1) TO '/tmp/meshgate-e2e.csv'", "42501", "not allowed"},
		{"copy_product_to_file", "COPY sales.orders TO '/tmp/meshgate-e2e.csv'", "42501", "not allowed"},
		{"read_csv", "SELECT * FROM read_csv('/etc/passwd')", "42501", "not allowed"},
		{"read_csv_in_subquery", "SELECT (SELECT count(*) FROM read_csv('/etc/passwd'))", "42501", "not allowed"},
		{"read_csv_in_cte", "WITH x AS (SELECT * FROM read_text('/etc/passwd')) SELECT * FROM x", "42501", "not allowed"},
		{"read_csv_joined", "SELECT * FROM sales.orders, read_csv('/etc/passwd')", "42501", "not allowed"},
		{"read_parquet_port", "SELECT * FROM read_parquet('" + orders + "')", "42501", "not allowed"},
		{"read_csv_port", "SELECT * FROM read_csv_auto('" + countries + "')", "42501", "not allowed"},
		{"glob", "SELECT * FROM glob('*')", "42501", "not allowed"},
		{"replacement_scan", "SELECT * FROM '" + orders + "'", "42501", "not allowed"},
		{"replacement_scan_relative", "SELECT * FROM 'testdata/mesh/sales/data/orders.parquet'", "42501", "not allowed"},
		{"replacement_scan_from_first", "FROM '/etc/passwd'", "42501", "not allowed"},
		{"port_view", "SELECT * FROM memory.ports.sales__orders", "42501", "not allowed"},
		{"port_view_schema", "SELECT * FROM ports.sales__orders", "42501", "internal"},
		{"main_schema", "SELECT * FROM main.anything", "42501", "internal"},
		{"other_session_catalog", "SELECT * FROM sess_1.sales.orders", "42501", "not allowed"},
		{"duckdb_databases", "SELECT * FROM duckdb_databases()", "42501", "not allowed"},
		{"duckdb_settings", "SELECT * FROM duckdb_settings()", "42501", "not allowed"},
		{"duckdb_tables", "SELECT * FROM duckdb_tables()", "42501", "not allowed"},
		{"query_function", "SELECT * FROM query('select 1')", "42501", "not allowed"},
		{"query_table", "SELECT * FROM query_table('sales.orders')", "42501", "not allowed"},
		{"sqlite_scan", "SELECT * FROM sqlite_scan('x.db', 't')", "42501", "not allowed"},
		{"set_engine_setting", "SET enable_external_access = true", "42704", "unrecognized configuration parameter"},
		{"set_engine_setting_memory", "SET memory_limit = '100GB'", "42704", "unrecognized configuration parameter"},
		{"prepare_sql", "PREPARE p AS SELECT 1", "42501", "not allowed"},
		{"call", "CALL pragma_version()", "42501", "not allowed"},
		{"explain_insert", "EXPLAIN INSERT INTO sales.orders VALUES (1)", "0A000", ""},
	}
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			c := s.connect(t, m.extra)
			for _, tc := range cases {
				t.Run(tc.name, func(t *testing.T) {
					err := queryErr(ctxT(t), c, tc.sql)
					pe := pgErr(t, err, tc.code)
					if !strings.Contains(strings.ToLower(pe.Message), tc.contains) {
						t.Errorf("message %q does not contain %q", pe.Message, tc.contains)
					}
					for _, leak := range []string{"sales__orders", "memory.", "sess_"} {
						if !strings.Contains(tc.sql, leak) && strings.Contains(pe.Message, leak) {
							t.Errorf("error %q names internal %q", pe.Message, leak)
						}
					}
					stillWorks(t, c)
				})
			}
		})
	}
}

func TestE2EUnknownUserAndDatabase(t *testing.T) {
	s := startGateway(t)
	ctx := ctxT(t)
	_, err := pgx.Connect(ctx, s.connString("mallory", ""))
	pe := pgErr(t, err, "28000")
	if pe.Severity != "FATAL" || !strings.Contains(pe.Message, "mallory") {
		t.Errorf("unknown user: %s %q", pe.Severity, pe.Message)
	}
	_, err = pgx.Connect(ctx, strings.Replace(s.connString("analyst", ""), "dbname=mesh", "dbname=other", 1))
	pgErr(t, err, "3D000")
	_, err = pgx.Connect(ctx, s.connString("analyst", "options='-c TimeZone=Nowhere/Never'"))
	pgErr(t, err, "22023")
	// Startup parameters and options apply as SET does.
	c := s.connect(t, "options='-c search_path=sales' application_name=e2e-startup")
	var n int64
	var app string
	if err := c.QueryRow(ctx, "SELECT count(*) FROM orders").Scan(&n); err != nil || n != 2000 {
		t.Errorf("search_path from options: %d %v", n, err)
	}
	if err := c.QueryRow(ctx, "SHOW application_name", pgx.QueryExecModeSimpleProtocol).Scan(&app); err != nil || app != "e2e-startup" {
		t.Errorf("application_name: %q %v", app, err)
	}
	// Another user is admitted.
	c2, err := pgx.Connect(ctx, s.connString("steward", ""))
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close(ctx)
	if err := c2.QueryRow(ctx, "SELECT count(*) FROM geo.countries").Scan(&n); err != nil || n != 20 {
		t.Errorf("steward: %d %v", n, err)
	}
}

const longQuery = "SELECT count(*) FROM range(100000000000)"

func TestE2ECancel(t *testing.T) {
	s := startGateway(t)
	t.Run("cancel_request", func(t *testing.T) {
		c := s.connect(t, "")
		errc := make(chan error, 1)
		start := time.Now()
		go func() { errc <- queryErr(context.Background(), c, longQuery) }()
		time.Sleep(300 * time.Millisecond)
		if err := c.PgConn().CancelRequest(ctxT(t)); err != nil {
			t.Fatal(err)
		}
		select {
		case err := <-errc:
			pe := pgErr(t, err, "57014")
			if !strings.Contains(pe.Message, "user request") {
				t.Errorf("message %q", pe.Message)
			}
		case <-time.After(20 * time.Second):
			t.Fatal("query not canceled within 20s")
		}
		if d := time.Since(start); d > 10*time.Second {
			t.Errorf("cancel took %v", d)
		}
		stillWorks(t, c)
	})
	t.Run("context_cancel", func(t *testing.T) {
		c, _ := s.connectNotices(t, "")
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		defer cancel()
		err := queryErr(ctx, c, longQuery)
		var pe *pgconn.PgError
		if !errors.As(err, &pe) || pe.Code != "57014" {
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("want 57014 or deadline, got %v", err)
			}
		}
		stillWorks(t, c)
	})
	t.Run("simple_protocol_cancel", func(t *testing.T) {
		c := s.connect(t, "default_query_exec_mode=simple_protocol")
		time.AfterFunc(300*time.Millisecond, func() { c.PgConn().CancelRequest(context.Background()) })
		pgErr(t, queryErr(ctxT(t), c, longQuery), "57014")
		stillWorks(t, c)
	})
	t.Run("statement_timeout", func(t *testing.T) {
		for _, m := range modes {
			c := s.connect(t, m.extra)
			if _, err := c.Exec(ctxT(t), "SET statement_timeout = '200ms'", pgx.QueryExecModeSimpleProtocol); err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			pe := pgErr(t, queryErr(ctxT(t), c, longQuery), "57014")
			if !strings.Contains(pe.Message, "statement timeout") {
				t.Errorf("%s: message %q", m.name, pe.Message)
			}
			if d := time.Since(start); d < 150*time.Millisecond || d > 10*time.Second {
				t.Errorf("%s: timed out after %v", m.name, d)
			}
			stillWorks(t, c) // short queries run under the timeout
			if _, err := c.Exec(ctxT(t), "RESET statement_timeout", pgx.QueryExecModeSimpleProtocol); err != nil {
				t.Fatal(err)
			}
			var n int64
			if err := c.QueryRow(ctxT(t), "SELECT count(*) FROM range(1000000)").Scan(&n); err != nil || n != 1000000 {
				t.Errorf("after RESET: %d %v", n, err)
			}
		}
	})
	t.Run("statement_timeout_in_options", func(t *testing.T) {
		c := s.connect(t, "options='-c statement_timeout=200'")
		pgErr(t, queryErr(ctxT(t), c, longQuery), "57014")
		stillWorks(t, c)
	})
}

// waitGoroutines waits until the goroutine count falls to at most max.
func waitGoroutines(t *testing.T, max int) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		n := runtime.NumGoroutine()
		if n <= max {
			return
		}
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			buf = buf[:runtime.Stack(buf, true)]
			t.Fatalf("%d goroutines remain, want at most %d:\n%s", n, max, buf)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestE2EClientDisconnectMidResult(t *testing.T) {
	s := startGateway(t)
	// Warm up: one session so lazily started goroutines exist.
	stillWorks(t, s.connect(t, ""))
	base := runtime.NumGoroutine()
	for i := 0; i < 5; i++ {
		for _, format := range []int16{0, 1} {
			pc, err := pgconn.Connect(ctxT(t), s.connString("analyst", ""))
			if err != nil {
				t.Fatal(err)
			}
			rr := pc.ExecParams(ctxT(t), "SELECT * FROM range(50000000)", nil, nil, nil, []int16{format})
			n := 0
			for rr.NextRow() && n < 1000 {
				n++
			}
			if n < 1000 {
				t.Fatalf("got %d rows before disconnecting", n)
			}
			pc.Conn().Close() // vanish mid-result
		}
	}
	// A new client is served promptly.
	start := time.Now()
	c := s.connect(t, "")
	var n int64
	if err := c.QueryRow(ctxT(t), "SELECT count(*) FROM sales.orders").Scan(&n); err != nil || n != 2000 {
		t.Fatalf("new client: %d %v", n, err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("new client waited %v", d)
	}
	// The dropped sessions' goroutines (and queries) are gone.
	waitGoroutines(t, base+10)
}

// rawStartup opens a socket, sends a startup message and reads up to
// ReadyForQuery.
func (s *server) rawStartup(t *testing.T) (net.Conn, *pgproto3.Frontend) {
	t.Helper()
	nc, err := net.DialTimeout("tcp", s.addr(), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	fe := pgproto3.NewFrontend(nc, nc)
	fe.Send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersionNumber, Parameters: map[string]string{"user": "analyst", "database": "mesh"}})
	if err := fe.Flush(); err != nil {
		t.Fatal(err)
	}
	nc.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		m, err := fe.Receive()
		if err != nil {
			t.Fatal(err)
		}
		if e, ok := m.(*pgproto3.ErrorResponse); ok {
			t.Fatalf("startup: %s %s", e.Code, e.Message)
		}
		if _, ok := m.(*pgproto3.ReadyForQuery); ok {
			return nc, fe
		}
	}
}

func TestE2EMalformedMessages(t *testing.T) {
	s := startGateway(t)
	other := s.connect(t, "")
	for _, tc := range []struct {
		name string
		msg  []byte
	}{
		{"query_length_2", []byte{'Q', 0, 0, 0, 2}},
		{"unknown_type", []byte{'z', 0, 0, 0, 4}},
		{"huge_length", []byte{'Q', 0x7f, 0xff, 0xff, 0xff}},
		{"query_without_nul", append([]byte{'Q', 0, 0, 0, 12}, "SELECT 1"...)},
		{"bind_truncated", []byte{'B', 0, 0, 0, 6, 'x', 0}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			nc, fe := s.rawStartup(t)
			if _, err := nc.Write(tc.msg); err != nil {
				t.Fatal(err)
			}
			nc.SetReadDeadline(time.Now().Add(10 * time.Second))
			var fatal *pgproto3.ErrorResponse
			for {
				m, err := fe.Receive()
				if err != nil {
					break // the server closed the connection
				}
				if e, ok := m.(*pgproto3.ErrorResponse); ok {
					fatal = e
				}
			}
			if fatal == nil {
				t.Fatal("connection closed without an ErrorResponse")
			}
			if fatal.Severity != "FATAL" || fatal.Code != "08P01" {
				t.Errorf("got %s %s %q, want FATAL 08P01", fatal.Severity, fatal.Code, fatal.Message)
			}
			stillWorks(t, other)
			stillWorks(t, s.connect(t, ""))
		})
	}
	t.Run("garbage_startup", func(t *testing.T) {
		nc, err := net.Dial("tcp", s.addr())
		if err != nil {
			t.Fatal(err)
		}
		defer nc.Close()
		nc.Write([]byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"))
		nc.SetReadDeadline(time.Now().Add(10 * time.Second))
		io.Copy(io.Discard, nc) // the server hangs up
		stillWorks(t, s.connect(t, ""))
	})
}

// TestE2ECatalogViews: information_schema and pg_catalog were refused with
// 0A000; a compatibility layer is being added (gateway/pgcatalog). Either
// way they must never reveal internal relations.
func TestE2ECatalogViews(t *testing.T) {
	s := startGateway(t)
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			c := s.connect(t, m.extra)
			for _, q := range []string{
				"SELECT table_schema, table_name FROM information_schema.tables",
				"SELECT table_schema, table_name, column_name FROM information_schema.columns",
				"SELECT nspname FROM pg_catalog.pg_namespace",
				"SELECT relname FROM pg_catalog.pg_class",
			} {
				rows, err := c.Query(ctxT(t), q)
				if err == nil {
					var leaks []string
					for rows.Next() {
						vals, _ := rows.Values()
						line := fmt.Sprintf("%v", vals)
						for _, bad := range []string{"sess_", "__", "ports", "mg$", "memory"} {
							if strings.Contains(line, bad) {
								leaks = append(leaks, line)
								break
							}
						}
					}
					if len(leaks) > 0 {
						t.Errorf("%s: %d rows reveal internal relations, e.g. %s", q, len(leaks), strings.Join(leaks[:min(3, len(leaks))], " "))
					}
					rows.Close()
					err = rows.Err()
				}
				if err != nil {
					pgErr(t, err, "0A000")
				}
				stillWorks(t, c)
			}
		})
	}
}
