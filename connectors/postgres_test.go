package connectors_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/meshgate/meshgate/connectors"
	"github.com/meshgate/meshgate/connectors/pgtest"
	"github.com/meshgate/meshgate/planner/catalog"
	"github.com/meshgate/meshgate/sqlstate"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Run(m)) }

func col(name, typ string) catalog.Column { return catalog.Column{Name: name, Type: typ} }

// pgProduct is the product sales.<name> served by a postgres port on the
// given table of the cluster.
func pgProduct(c *pgtest.Cluster, name, table string, cols ...catalog.Column) (*catalog.Product, *catalog.Port) {
	p := &catalog.Product{
		Address: catalog.Address{Domain: "sales", Name: name},
		Version: "1.0.0",
		Owner:   catalog.Owner{Team: "Sales", Contact: "sales@example.com"},
		Columns: cols,
		Ports: []catalog.Port{{Name: "pg", Type: "postgres", Options: map[string]string{
			"host": c.Host, "port": fmt.Sprint(c.Port), "database": "postgres", "user": "postgres", "table": table,
		}}},
	}
	return p, &p.Ports[0]
}

func openPG(t *testing.T, p *catalog.Product, port *catalog.Port) connectors.Connector {
	t.Helper()
	conn, err := connectors.Open(context.Background(), p, port, connectors.NewSecrets(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(conn.Close)
	return conn
}

// readAll drains a reader and returns its batches (retained) and rows.
func readAll(t *testing.T, rr array.RecordReader) ([]arrow.RecordBatch, int64, error) {
	t.Helper()
	defer rr.Release()
	var recs []arrow.RecordBatch
	var n int64
	for rr.Next() {
		rec := rr.RecordBatch()
		if !rr.Schema().Equal(rec.Schema()) {
			t.Errorf("batch schema %s differs from reader schema %s", rec.Schema(), rr.Schema())
		}
		rec.Retain()
		recs = append(recs, rec)
		n += rec.NumRows()
	}
	t.Cleanup(func() {
		for _, r := range recs {
			r.Release()
		}
	})
	return recs, n, rr.Err()
}

func scanAll(t *testing.T, conn connectors.Connector, req connectors.Request) ([]arrow.RecordBatch, int64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	rr, err := conn.Scan(ctx, req)
	if err != nil {
		t.Fatalf("Scan: %v", err)
	}
	recs, n, err := readAll(t, rr)
	if err != nil {
		t.Fatalf("reading: %v", err)
	}
	return recs, n
}

func wantCode(t *testing.T, err error, code string, parts ...string) *sqlstate.Error {
	t.Helper()
	e := sqlstate.As(err)
	if e == nil {
		t.Fatalf("error %v (%T) is not a *sqlstate.Error", err, err)
	}
	if e.Code != code {
		t.Errorf("SQLSTATE %s, want %s: %v", e.Code, code, e)
	}
	for _, p := range parts {
		if !strings.Contains(e.Message, p) {
			t.Errorf("message %q does not contain %q", e.Message, p)
		}
	}
	return e
}

func TestPostgresTypes(t *testing.T) {
	c := pgtest.Shared(t)
	c.Exec(t, `DROP TABLE IF EXISTS types_t`,
		`CREATE TABLE types_t (k int, b bool, i2 int2, i4 int4, i8 int8, f4 float4, f8 float8, n numeric(12,2), n2 numeric(38,10),
			t text, v varchar(20), by bytea, d date, ts timestamp, tstz timestamptz, u uuid, j json, jb jsonb,
			ai int4[], at text[], tm time, iv interval)`,
		`SET TIME ZONE 'Europe/Berlin'`,
		`INSERT INTO types_t VALUES (1, true, -32768, 2147483647, -9223372036854775808, 1.5, 2.25, -1234567890.12, 12345678901234567890.0123456789,
			'héllo', 'vc', '\xdeadbeef', '2024-02-29', '2024-05-01 12:34:56.123456', '2024-05-01 14:00:00+02',
			'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', '{"a": [1, 2]}', '{"b": true}', '{1,NULL,3}', '{"x","y"}', '13:14:15.5', '1 mon 2 days 00:00:03')`,
		`INSERT INTO types_t (k) VALUES (2)`)
	p, port := pgProduct(c, "types", "types_t",
		col("k", "INTEGER"), col("b", "BOOLEAN"), col("i2", "SMALLINT"), col("i4", "INTEGER"), col("i8", "BIGINT"),
		col("f4", "FLOAT"), col("f8", "DOUBLE"), col("n", "DECIMAL(12,2)"), col("n2", "DECIMAL(38,10)"),
		col("t", "VARCHAR"), col("v", "VARCHAR"), col("by", "BLOB"), col("d", "DATE"), col("ts", "TIMESTAMP"),
		col("tstz", "TIMESTAMP WITH TIME ZONE"), col("u", "UUID"), col("j", "JSON"), col("jb", "JSON"),
		col("ai", "INTEGER[]"), col("at", "VARCHAR[]"), col("tm", "TIME"), col("iv", "INTERVAL"))
	conn := openPG(t, p, port)
	recs, n := scanAll(t, conn, connectors.Request{Limit: -1, Filters: []connectors.Predicate{{Column: "k", Op: connectors.OpIn, Values: []any{int64(1), int64(2)}}}})
	if n != 2 || len(recs) != 1 {
		t.Fatalf("%d rows in %d batches, want 2 in 1", n, len(recs))
	}
	rec := recs[0]
	s := rec.Schema()
	wantTypes := map[string]string{
		"b": "bool", "i2": "int16", "i4": "int32", "i8": "int64", "f4": "float32", "f8": "float64",
		"n": "decimal(12, 2)", "n2": "decimal(38, 10)", "t": "utf8", "v": "utf8", "by": "binary", "d": "date32",
		"ts": "timestamp[us]", "tstz": "timestamp[us, tz=UTC]", "u": "utf8", "j": "utf8", "jb": "utf8",
		"ai": "list<element: int32, nullable>", "at": "list<element: utf8, nullable>", "tm": "time64[us]", "iv": "month_day_nano_interval",
	}
	for name, want := range wantTypes {
		i := s.FieldIndices(name)[0]
		if got := s.Field(i).Type.String(); got != want {
			t.Errorf("column %s: Arrow type %s, want %s", name, got, want)
		}
	}
	for name, want := range map[string]string{"u": "UUID", "j": "JSON", "jb": "JSON"} {
		f := s.Field(s.FieldIndices(name)[0])
		if v, _ := f.Metadata.GetValue("duckdb.type"); v != want {
			t.Errorf("column %s: metadata duckdb.type = %q, want %q", name, v, want)
		}
	}
	get := func(name string) arrow.Array { return rec.Column(s.FieldIndices(name)[0]) }
	checks := map[string]string{
		"b": "true", "i2": "-32768", "i4": "2147483647", "i8": "-9223372036854775808", "f4": "1.5", "f8": "2.25",
		"n": "-1234567890.12", "n2": "12345678901234567890.0123456789", "t": "héllo", "v": "vc",
		"u": "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "j": `{"a": [1, 2]}`, "jb": `{"b": true}`,
		"d": "2024-02-29",
	}
	for name, want := range checks {
		if got := get(name).ValueStr(0); got != want {
			t.Errorf("column %s: %q, want %q", name, got, want)
		}
	}
	if got := get("by").(*array.Binary).Value(0); string(got) != "\xde\xad\xbe\xef" {
		t.Errorf("bytea: %x", got)
	}
	if got := get("ts").(*array.Timestamp).Value(0).ToTime(arrow.Microsecond); !got.Equal(time.Date(2024, 5, 1, 12, 34, 56, 123456000, time.UTC)) {
		t.Errorf("timestamp: %v", got)
	}
	if got := get("tstz").(*array.Timestamp).Value(0).ToTime(arrow.Microsecond); !got.Equal(time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)) {
		t.Errorf("timestamptz: %v, want 12:00 UTC", got)
	}
	if got := get("tm").(*array.Time64).Value(0); got != arrow.Time64((13*3600+14*60+15)*1e6+500000) {
		t.Errorf("time: %v", got)
	}
	if got := get("iv").(*array.MonthDayNanoInterval).Value(0); got != (arrow.MonthDayNanoInterval{Months: 1, Days: 2, Nanoseconds: 3e9}) {
		t.Errorf("interval: %+v", got)
	}
	ai := get("ai").(*array.List)
	if got := ai.ValueStr(0); got != "[1,(null),3]" && got != "[1 (null) 3]" {
		vals := ai.ListValues().(*array.Int32)
		if vals.Len() != 3 || vals.Value(0) != 1 || !vals.IsNull(1) || vals.Value(2) != 3 {
			t.Errorf("int4[]: %s", got)
		}
	}
	at := get("at").(*array.List)
	if tv := at.ListValues().(*array.String); tv.Len() != 2 || tv.Value(0) != "x" || tv.Value(1) != "y" {
		t.Errorf("text[]: %s", at.ValueStr(0))
	}
	for i := 1; i < int(rec.NumCols()); i++ {
		if !rec.Column(i).IsNull(1) {
			t.Errorf("column %s of the all-NULL row is %s, want NULL", s.Field(i).Name, rec.Column(i).ValueStr(1))
		}
	}
	// Describe reports the canonical types.
	cols, err := conn.Describe(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, c := range cols {
		got[c.Name] = c.Type
	}
	for _, dc := range p.Columns {
		want := dc.Type
		if got[dc.Name] != want {
			t.Errorf("Describe %s = %s, want %s", dc.Name, got[dc.Name], want)
		}
	}
	if problems := catalog.CompareSchema(p, port, cols); len(problems) != 0 {
		t.Errorf("CompareSchema: %v", problems)
	}
}

// statements returns the pg_stat_statements entries that mention s.
func statements(t *testing.T, c *pgtest.Cluster, s string) map[string]int64 {
	t.Helper()
	conn := c.Conn(t)
	rows, err := conn.Query(context.Background(), `SELECT query, rows FROM pg_stat_statements WHERE query LIKE '%' || $1 || '%' AND query NOT LIKE '%pg_stat_statements%'`, s)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int64{}
	for rows.Next() {
		var q string
		var n int64
		if err := rows.Scan(&q, &n); err != nil {
			t.Fatal(err)
		}
		out[q] += n
	}
	return out
}

func TestPostgresPushdown(t *testing.T) {
	c := pgtest.Shared(t)
	c.Exec(t, `DROP TABLE IF EXISTS big`,
		`CREATE TABLE big AS SELECT g::int8 AS id, (g % 100)::int4 AS bucket, 'name' || g AS name,
			CASE WHEN g % 10 = 0 THEN NULL ELSE g END::int8 AS maybe, g * 0.5 AS half FROM generate_series(1, 1000000) g`,
		`ANALYZE big`, `SELECT pg_stat_statements_reset()`)
	p, port := pgProduct(c, "big", "big", col("id", "BIGINT"), col("bucket", "INTEGER"), col("name", "VARCHAR"), col("maybe", "BIGINT"), col("half", "DECIMAL(18,1)"))
	conn := openPG(t, p, port)

	// 1% selective: bucket = 7 moves 10,000 of 1,000,000 rows.
	recs, n := scanAll(t, conn, connectors.Request{Columns: []string{"id", "name"}, Limit: -1,
		Filters: []connectors.Predicate{{Column: "bucket", Op: connectors.OpEq, Values: []any{int64(7)}}}})
	if n != 10000 {
		t.Errorf("bucket = 7: the connector received %d rows, want 10000", n)
	}
	if nc := recs[0].NumCols(); nc != 2 {
		t.Errorf("%d columns, want the 2 requested", nc)
	}
	st := statements(t, c, `"big"`)
	found := false
	for q, rows := range st {
		if strings.Contains(q, `SELECT "id", "name" FROM "public"."big" WHERE "bucket" = $1::int4`) {
			found = true
			if rows != 10000 {
				t.Errorf("pg_stat_statements: %d rows for %s, want 10000", rows, q)
			}
		}
	}
	if !found {
		t.Errorf("pg_stat_statements has no query with the pushed WHERE and a $1 parameter: %v", st)
	}

	cases := []struct {
		name    string
		filters []connectors.Predicate
		limit   int64
		want    int64
		sql     string
	}{
		{"in", []connectors.Predicate{{Column: "bucket", Op: connectors.OpIn, Values: []any{int64(1), int64(2)}}}, -1, 20000, `"bucket" IN ($1::int4, $2::int4)`},
		{"between", []connectors.Predicate{{Column: "id", Op: connectors.OpBetween, Values: []any{int64(10), int64(19)}}}, -1, 10, `"id" BETWEEN $1::int8 AND $2::int8`},
		{"is null", []connectors.Predicate{{Column: "maybe", Op: connectors.OpIsNull}, {Column: "id", Op: connectors.OpLt, Values: []any{int64(100)}}}, -1, 9, `"maybe" IS NULL AND "id" < $1::int8`},
		{"is not null", []connectors.Predicate{{Column: "maybe", Op: connectors.OpIsNotNull}, {Column: "id", Op: connectors.OpLe, Values: []any{int64(100)}}}, -1, 90, `"maybe" IS NOT NULL`},
		{"like prefix", []connectors.Predicate{{Column: "name", Op: connectors.OpLikePrefix, Values: []any{"name12345"}}}, -1, 11, `"name" LIKE $1::text`},
		{"like escapes", []connectors.Predicate{{Column: "name", Op: connectors.OpLikePrefix, Values: []any{"na%e1"}}}, -1, 0, `"name" LIKE $1::text`},
		{"string range", []connectors.Predicate{{Column: "name", Op: connectors.OpGe, Values: []any{"name99999"}}, {Column: "name", Op: connectors.OpLt, Values: []any{"name999999"}}}, -1, 10, `"name" >= $1::text COLLATE "C"`},
		{"decimal", []connectors.Predicate{{Column: "half", Op: connectors.OpGt, Values: []any{"499999.5"}}}, -1, 1, `"half" > $1::numeric`},
		{"limit", []connectors.Predicate{{Column: "bucket", Op: connectors.OpNe, Values: []any{int64(0)}}}, 5, 5, `LIMIT $2::int8`},
		{"out of range value is not pushed", []connectors.Predicate{{Column: "bucket", Op: connectors.OpLt, Values: []any{int64(1) << 40}}, {Column: "id", Op: connectors.OpLe, Values: []any{int64(3)}}}, -1, 3, `WHERE "id" <= $1::int8`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c.Exec(t, `SELECT pg_stat_statements_reset()`)
			_, n := scanAll(t, conn, connectors.Request{Columns: []string{"id"}, Filters: tc.filters, Limit: tc.limit})
			if n != tc.want {
				t.Errorf("%d rows, want %d", n, tc.want)
			}
			ok := false
			for q := range statements(t, c, `"big"`) {
				ok = ok || strings.Contains(q, tc.sql)
			}
			if !ok {
				t.Errorf("no source query contains %s: %v", tc.sql, statements(t, c, `"big"`))
			}
		})
	}
	// A LIMIT is not applied at the source when a predicate was not pushed.
	_, n = scanAll(t, conn, connectors.Request{Columns: []string{"id"}, Limit: 2,
		Filters: []connectors.Predicate{{Column: "id", Op: connectors.OpLe, Values: []any{int64(5)}}, {Column: "id", Op: connectors.OpGt, Values: []any{1.5}}}})
	if n != 5 {
		t.Errorf("limit with an unpushed predicate: %d rows, want the 5 of the pushed one", n)
	}
	// Batches of at most BatchRows rows stream a large result.
	recs, n = scanAll(t, conn, connectors.Request{Columns: []string{"id"}, Limit: -1})
	if n != 1000000 || len(recs) != (1000000+connectors.BatchRows-1)/connectors.BatchRows {
		t.Errorf("full scan: %d rows in %d batches", n, len(recs))
	}
	for _, r := range recs[:len(recs)-1] {
		if r.NumRows() != connectors.BatchRows {
			t.Errorf("batch of %d rows, want %d", r.NumRows(), connectors.BatchRows)
		}
	}
}

func TestPostgresQuoting(t *testing.T) {
	c := pgtest.Shared(t)
	c.Exec(t, `DROP SCHEMA IF EXISTS "My Schema" CASCADE`, `CREATE SCHEMA "My Schema"`,
		`CREATE TABLE "My Schema"."Weird ""Table""" ("select" int8, "a""b" text, "Mixed Case" text, "x; DROP TABLE big; --" int4)`,
		`INSERT INTO "My Schema"."Weird ""Table""" VALUES (1, 'it''s', 'M', 7), (2, 'q"uote', 'N', 8)`)
	p, port := pgProduct(c, "weird", `Weird "Table"`, col("sel", "BIGINT"), col("ab", "VARCHAR"), col("mixed", "VARCHAR"), col("inj", "INTEGER"))
	port.Options["schema"] = "My Schema"
	port.SourceNames = map[string]string{"sel": "select", "ab": `a"b`, "mixed": "Mixed Case", "inj": "x; DROP TABLE big; --"}
	conn := openPG(t, p, port)
	recs, n := scanAll(t, conn, connectors.Request{Limit: -1, Filters: []connectors.Predicate{
		{Column: "ab", Op: connectors.OpEq, Values: []any{`q"uote`}},
		{Column: "mixed", Op: connectors.OpLikePrefix, Values: []any{"N"}},
		{Column: "sel", Op: connectors.OpGe, Values: []any{int64(2)}},
	}})
	if n != 1 || recs[0].Column(1).ValueStr(0) != `q"uote` || recs[0].Column(3).ValueStr(0) != "8" {
		t.Fatalf("weird identifiers: %d rows %v", n, recs)
	}
	// A value that looks like SQL is a parameter, never SQL.
	_, n = scanAll(t, conn, connectors.Request{Limit: -1, Filters: []connectors.Predicate{{Column: "ab", Op: connectors.OpEq, Values: []any{`x' OR '1'='1`}}}})
	if n != 0 {
		t.Errorf("injection attempt matched %d rows", n)
	}
	cols, err := conn.Describe(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(cols) != 4 || cols[0].Name != "sel" || cols[1].Name != "ab" {
		t.Errorf("Describe: %+v", cols)
	}
	// A declared column named like a keyword (a product built in code) is quoted too.
	p2, port2 := pgProduct(c, "weird2", `Weird "Table"`, col("select", "BIGINT"))
	port2.Options["schema"] = "My Schema"
	_, n = scanAll(t, openPG(t, p2, port2), connectors.Request{Limit: -1, Filters: []connectors.Predicate{{Column: "select", Op: connectors.OpEq, Values: []any{int64(1)}}}})
	if n != 1 {
		t.Errorf("column select: %d rows", n)
	}
}

func TestPostgresPortDown(t *testing.T) {
	free, err := pgtest.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	c := &pgtest.Cluster{Host: "127.0.0.1", Port: free}
	p, port := pgProduct(c, "down", "t", col("id", "BIGINT"))
	conn := openPG(t, p, port)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	start := time.Now()
	_, err = conn.Scan(ctx, connectors.Request{Limit: -1})
	if time.Since(start) > 5*time.Second {
		t.Errorf("took %v", time.Since(start))
	}
	wantCode(t, err, sqlstate.UnableToConnect, "port pg of sales.down", "cannot connect")
	_, err = conn.Describe(ctx)
	wantCode(t, err, sqlstate.UnableToConnect, "port pg of sales.down")

	// An unroutable address: the context's deadline bounds the attempt.
	p2, port2 := pgProduct(c, "blackhole", "t", col("id", "BIGINT"))
	port2.Options["host"] = "10.255.255.1"
	conn2 := openPG(t, p2, port2)
	ctx2, cancel2 := context.WithTimeout(context.Background(), 700*time.Millisecond)
	defer cancel2()
	start = time.Now()
	_, err = conn2.Scan(ctx2, connectors.Request{Limit: -1})
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("an unreachable host took %v despite a 700ms deadline", d)
	}
	wantCode(t, err, sqlstate.UnableToConnect, "port pg of sales.blackhole")

	// Another product on a working port is unaffected.
	live := pgtest.Shared(t)
	live.Exec(t, `CREATE TABLE IF NOT EXISTS up_t AS SELECT 1::int8 AS id`)
	pl, portl := pgProduct(live, "up", "up_t", col("id", "BIGINT"))
	if _, n := scanAll(t, openPG(t, pl, portl), connectors.Request{Limit: -1}); n != 1 {
		t.Errorf("live port: %d rows", n)
	}
}

func TestPostgresCancel(t *testing.T) {
	c := pgtest.Shared(t)
	c.Exec(t, `CREATE OR REPLACE VIEW slow_v AS SELECT x::int8 AS id FROM generate_series(1, 3) x, pg_sleep(30)`)
	p, port := pgProduct(c, "slow", "slow_v", col("id", "BIGINT"))
	conn := openPG(t, p, port)
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	start := time.Now()
	rr, err := conn.Scan(ctx, connectors.Request{Limit: -1})
	if err == nil {
		_, _, err = readAll(t, rr)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("cancel took %v", d)
	}
	wantCode(t, err, sqlstate.QueryCanceled, "port pg of sales.slow")
	// The backend really stopped.
	admin := c.Conn(t)
	deadline := time.Now().Add(3 * time.Second)
	for {
		var active int
		if err := admin.QueryRow(context.Background(), `SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%slow_v%' AND state = 'active' AND pid <> pg_backend_pid()`).Scan(&active); err != nil {
			t.Fatal(err)
		}
		if active == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d source queries still active after the cancel", active)
		}
		time.Sleep(50 * time.Millisecond)
	}
	// The pool still works afterwards.
	if cols, err := conn.Describe(context.Background()); err != nil || len(cols) != 1 {
		t.Errorf("after cancel: Describe = %v, %v", cols, err)
	}
}

func TestPostgresEarlyRelease(t *testing.T) {
	c := pgtest.Shared(t)
	c.Exec(t, `CREATE TABLE IF NOT EXISTS early_t AS SELECT g::int8 AS id FROM generate_series(1, 500000) g`)
	p, port := pgProduct(c, "early", "early_t", col("id", "BIGINT"))
	port.Options["pool_max"] = "1"
	conn := openPG(t, p, port)
	for i := 0; i < 3; i++ { // with a pool of one, a leaked connection would block the next scan
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		rr, err := conn.Scan(ctx, connectors.Request{Limit: -1})
		if err != nil {
			t.Fatal(err)
		}
		if !rr.Next() {
			t.Fatal(rr.Err())
		}
		rr.Release()
		cancel()
	}
}

func TestPostgresConnectionLost(t *testing.T) {
	c := pgtest.Shared(t)
	c.Exec(t, `CREATE TABLE IF NOT EXISTS lost_t AS SELECT g::int8 AS id FROM generate_series(1, 2000000) g`)
	p, port := pgProduct(c, "lost", "lost_t", col("id", "BIGINT"))
	conn := openPG(t, p, port)
	rr, err := conn.Scan(context.Background(), connectors.Request{Limit: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer rr.Release()
	if !rr.Next() {
		t.Fatal(rr.Err())
	}
	c.Exec(t, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE '%lost_t%' AND pid <> pg_backend_pid() AND backend_type = 'client backend'`)
	for rr.Next() {
	}
	wantCode(t, rr.Err(), sqlstate.ConnectionFailure, "port pg of sales.lost")
}

func TestPostgresDrift(t *testing.T) {
	c := pgtest.Shared(t)
	c.Exec(t, `DROP TABLE IF EXISTS customers`, `CREATE TABLE customers (id int8, email text, age int4)`, `INSERT INTO customers VALUES (1, 'a@b', 30)`)
	p, port := pgProduct(c, "customers", "customers", col("id", "BIGINT"), col("email", "VARCHAR"), col("age", "INTEGER"))
	conn := openPG(t, p, port)
	scanAll(t, conn, connectors.Request{Limit: -1})

	c.Exec(t, `ALTER TABLE customers DROP COLUMN age`)
	_, err := conn.Scan(context.Background(), connectors.Request{Limit: -1})
	e := wantCode(t, err, sqlstate.UndefinedColumn, `contract drift on port pg of sales.customers: column "age" is declared INTEGER`)
	var d *connectors.DriftError
	if !errors.As(e, &d) || d.Column != "age" {
		t.Errorf("no DriftError naming age in %v", e)
	}
	// A query that does not read the dropped column still works.
	if _, n := scanAll(t, conn, connectors.Request{Columns: []string{"id", "email"}, Limit: -1}); n != 1 {
		t.Errorf("%d rows", n)
	}

	c.Exec(t, `ALTER TABLE customers ALTER COLUMN email TYPE integer USING 0`)
	_, err = conn.Scan(context.Background(), connectors.Request{Columns: []string{"id", "email"}, Limit: -1})
	wantCode(t, err, sqlstate.DatatypeMismatch, `contract drift on port pg of sales.customers: column "email" is declared VARCHAR but the source has INTEGER`)

	// Widening that reads losslessly is no drift; narrowing is.
	c.Exec(t, `ALTER TABLE customers ALTER COLUMN id TYPE int4`)
	scanAll(t, conn, connectors.Request{Columns: []string{"id"}, Limit: -1})
	c.Exec(t, `ALTER TABLE customers ALTER COLUMN id TYPE numeric(20,0)`)
	_, err = conn.Scan(context.Background(), connectors.Request{Columns: []string{"id"}, Limit: -1})
	wantCode(t, err, sqlstate.DatatypeMismatch, `column "id" is declared BIGINT but the source has DECIMAL(20,0)`)

	cols, err := conn.Describe(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, pr := range catalog.CompareSchema(p, port, cols) {
		got = append(got, pr.Message)
	}
	want := []string{"column id is declared BIGINT but port pg holds DECIMAL(20,0)", "column email is declared VARCHAR but port pg holds INTEGER", "column age is declared but port pg has no such column"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("CompareSchema:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	c.Exec(t, `DROP TABLE customers`)
	_, err = conn.Scan(context.Background(), connectors.Request{Limit: -1})
	wantCode(t, err, sqlstate.UndefinedTable, "port pg of sales.customers", "does not exist")
}
