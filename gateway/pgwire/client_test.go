package pgwire

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
)

func pgxConnect(t *testing.T, addr string, mode pgx.QueryExecMode, extra string) *pgx.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cfg, err := pgx.ParseConfig("postgres://alice@" + addr + "/db?sslmode=prefer" + extra)
	if err != nil {
		t.Fatal(err)
	}
	cfg.DefaultQueryExecMode = mode
	c, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	return c
}

// norm turns decoded values into comparable forms.
func norm(v any) any {
	switch x := v.(type) {
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano)
	case pgtype.Numeric:
		d, err := x.Value()
		if err != nil {
			return err.Error()
		}
		return d
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = norm(e)
		}
		return out
	}
	return v
}

func expectedAll() [][]any {
	row0 := []any{
		true, int16(-5), int32(123456), int64(-9000000000), int16(7), uint32(4000000000),
		"18446744073709551615", float32(1.5), 0.1, "12.30", "héllo", []byte{0xde, 0xad, 0xbe, 0xef},
		"2024-01-02T00:00:00Z", pgtype.Time{Microseconds: 11045000000, Valid: true},
		ts0.Format(time.RFC3339Nano), ts0.Format(time.RFC3339Nano), ts0.Format(time.RFC3339Nano),
		pgtype.Interval{Microseconds: 14706000000, Days: 3, Months: 14, Valid: true},
		[16]uint8{0xa0, 0xee, 0xbc, 0x99, 0x9c, 0x0b, 0x4e, 0xf8, 0xbb, 0x6d, 0x6b, 0xb9, 0xbd, 0x38, 0x0a, 0x11},
		map[string]any{"k": []any{1.0, 2.0}},
		[]any{int64(1), nil, int64(3)},
		[]any{"a b", `x"y`, "", "NULL"},
		map[string]any{"a": 1.0, "b": "x"},
	}
	row1 := make([]any, len(row0))
	row2 := []any{
		false, int16(32767), int32(-1), int64(0), int16(255), uint32(0),
		"0", float32(-2.25), 1e20, "-0.05", "", []byte{},
		"1999-12-31T00:00:00Z", pgtype.Time{Microseconds: 500000, Valid: true},
		ts2.Format(time.RFC3339Nano), ts2.Format(time.RFC3339Nano), ts2.Format(time.RFC3339Nano),
		pgtype.Interval{Microseconds: 7200000000, Days: -1, Valid: true},
		[16]uint8{15: 1},
		nil,
		[]any{},
		[]any{nil},
		map[string]any{"a": nil, "b": `q"`},
	}
	return [][]any{row0, row1, row2}
}

// TestPgxAllTypes reads every type through pgx in the simple protocol
// (text results) and in the extended modes (binary results where pgx
// asks for them) and checks each decoded value.
func TestPgxAllTypes(t *testing.T) {
	addr, _, _ := startServer(t)
	modes := map[string]pgx.QueryExecMode{
		"simple":         pgx.QueryExecModeSimpleProtocol,
		"cacheStatement": pgx.QueryExecModeCacheStatement,
		"cacheDescribe":  pgx.QueryExecModeCacheDescribe,
		"describeExec":   pgx.QueryExecModeDescribeExec,
	}
	for name, mode := range modes {
		t.Run(name, func(t *testing.T) {
			c := pgxConnect(t, addr, mode, "")
			for round := 0; round < 2; round++ { // second round hits the statement cache
				rows, err := c.Query(context.Background(), "all")
				if err != nil {
					t.Fatal(err)
				}
				want := expectedAll()
				n := 0
				for rows.Next() {
					vals, err := rows.Values()
					if err != nil {
						t.Fatalf("row %d: %v", n, err)
					}
					fds := rows.FieldDescriptions()
					for j, v := range vals {
						if got, exp := norm(v), norm(want[n][j]); !reflect.DeepEqual(got, exp) {
							t.Errorf("row %d col %s (oid %d, format %d): got %#v, want %#v", n, fds[j].Name, fds[j].DataTypeOID, fds[j].Format, got, exp)
						}
					}
					n++
				}
				if err := rows.Err(); err != nil {
					t.Fatal(err)
				}
				if n != 3 {
					t.Fatalf("got %d rows", n)
				}
				if tag := rows.CommandTag().String(); tag != "SELECT 3" {
					t.Errorf("tag %q", tag)
				}
			}
		})
	}
}

// TestExecParamsFormats checks the exact bytes in text and binary result
// formats via PgConn.ExecParams.
func TestExecParamsFormats(t *testing.T) {
	addr, _, _ := startServer(t)
	c := pgxConnect(t, addr, pgx.QueryExecModeCacheStatement, "")
	ctx := context.Background()

	res := c.PgConn().ExecParams(ctx, "all", nil, nil, nil, []int16{0}).Read()
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	wantText := [][]string{{
		"t", "-5", "123456", "-9000000000", "7", "4000000000", "18446744073709551615", "1.5", "0.1", "12.30",
		"héllo", `\xdeadbeef`, "2024-01-02", "03:04:05", "2024-01-02 03:04:05.123456", "2024-01-02 03:04:05.123456",
		"2024-01-02 03:04:05.123456+00", "1 year 2 mons 3 days 04:05:06", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
		`{"k":[1,2]}`, "{1,NULL,3}", `{"a b","x\"y","","NULL"}`, `{"a":1,"b":"x"}`,
	}, nil, {
		"f", "32767", "-1", "0", "255", "0", "0", "-2.25", "1e+20", "-0.05", "", `\x`, "1999-12-31", "00:00:00.5",
		"1999-12-31 23:59:59", "1999-12-31 23:59:59", "1999-12-31 23:59:59+00", "-1 days +02:00:00",
		"00000000-0000-0000-0000-000000000001", "null", "{}", "{NULL}", `{"a":null,"b":"q\""}`,
	}}
	if len(res.Rows) != 3 {
		t.Fatalf("rows: %d", len(res.Rows))
	}
	for i, want := range wantText {
		for j, v := range res.Rows[i] {
			if want == nil {
				if v != nil {
					t.Errorf("row %d col %d: want NULL, got %q", i, j, v)
				}
				continue
			}
			if string(v) != want[j] {
				t.Errorf("row %d col %s: got %q want %q", i, res.FieldDescriptions[j].Name, v, want[j])
			}
		}
	}
	for _, fd := range res.FieldDescriptions {
		if fd.Format != 0 {
			t.Errorf("format %d for %s", fd.Format, fd.Name)
		}
	}

	res = c.PgConn().ExecParams(ctx, "all", nil, nil, nil, []int16{1}).Read()
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	r0 := res.Rows[0]
	checks := map[int]string{
		0:  "01",
		1:  "fffb",
		3:  "fffffffde78ee600",
		7:  "3fc00000",
		9:  "0002000000000002000c0bb8", // 12.30: digits 12, 3000, dscale 2
		12: "0000223f",                 // 2024-01-02 = 8767 days after 2000-01-01
		13: "0000000292555340",
		17: "000000036c8bc080" + "00000003" + "0000000e",
		18: "a0eebc999c0b4ef8bb6d6bb9bd380a11",
		20: "00000001" + "00000001" + "00000014" + "00000003" + "00000001" +
			"00000008" + "0000000000000001" + "ffffffff" + "00000008" + "0000000000000003",
	}
	for j, want := range checks {
		if got := fmt.Sprintf("%x", r0[j]); got != want {
			t.Errorf("binary col %s: got %s want %s", res.FieldDescriptions[j].Name, got, want)
		}
	}
	if got := fmt.Sprintf("%x", res.Rows[2][20]); got != "000000000000000000000014" {
		t.Errorf("empty array: %s", got)
	}
	for _, fd := range res.FieldDescriptions {
		if fd.Format != 1 {
			t.Errorf("format %d for %s", fd.Format, fd.Name)
		}
	}
}

func TestPgxParamsAndErrors(t *testing.T) {
	addr, h, _ := startServer(t)
	for _, mode := range []pgx.QueryExecMode{pgx.QueryExecModeSimpleProtocol, pgx.QueryExecModeCacheStatement, pgx.QueryExecModeExec} {
		c := pgxConnect(t, addr, mode, "")
		ctx := context.Background()
		if mode != pgx.QueryExecModeSimpleProtocol {
			var n int64
			var s string
			if err := c.QueryRow(ctx, "params", int64(42), "hi").Scan(&n, &s); err != nil {
				t.Fatalf("%v: %v", mode, err)
			}
			if n != 42 || s != "hi" {
				t.Errorf("got %d %q", n, s)
			}
		}
		_, err := c.Exec(ctx, "fail")
		var pe *pgconn.PgError
		if !errors.As(err, &pe) || pe.Code != "42P01" || pe.Hint != "check the name" || pe.Severity != "ERROR" {
			t.Fatalf("fail: %#v", err)
		}
		_, err = c.Exec(ctx, "internal")
		if !errors.As(err, &pe) || pe.Code != "XX000" || strings.Contains(pe.Message, "secret") {
			t.Fatalf("internal: %#v", err)
		}
		// The connection is still usable.
		var n int64
		if err := c.QueryRow(ctx, "many 5").Scan(&n, new(string)); err != nil {
			t.Fatal(err)
		}
		rows, _ := c.Query(ctx, "many 100000")
		cnt := 0
		for rows.Next() {
			cnt++
		}
		if rows.Err() != nil || cnt != 100000 {
			t.Fatalf("many: %d %v", cnt, rows.Err())
		}
		c.Close(ctx)
	}
	_ = h
}

func TestPgxRejectedAndTimeZone(t *testing.T) {
	addr, _, _ := startServer(t)
	_, err := pgx.Connect(context.Background(), "postgres://reject@"+addr+"/db?sslmode=disable")
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "28P01" || pe.Severity != "FATAL" {
		t.Fatalf("reject: %v", err)
	}

	// timestamptz printed in the session time zone.
	c := pgxConnect(t, addr, pgx.QueryExecModeSimpleProtocol, "&TimeZone=Asia/Kolkata")
	res := c.PgConn().ExecParams(context.Background(), "all", nil, nil, nil, nil).Read()
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	if got := string(res.Rows[0][16]); got != "2024-01-02 08:34:05.123456+05:30" {
		t.Errorf("tstz in Kolkata: %q", got)
	}
}
