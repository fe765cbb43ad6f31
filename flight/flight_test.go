package flight_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/flight"
	"github.com/apache/arrow-go/v18/arrow/flight/flightsql"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/jackc/pgx/v5/pgconn"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/status"

	"github.com/meshgate/meshgate/internal/servetest"
)

// TestFlight runs the Flight SQL scenarios against one real meshgate.
func TestFlight(t *testing.T) {
	s := servetest.Start(t, "..")
	t.Run("SeesWhatPgxSees", func(t *testing.T) { testSeesWhatPgxSees(t, s) })
	t.Run("ArrowTypes", func(t *testing.T) { testArrowTypes(t, s) })
	t.Run("LargeResult", func(t *testing.T) { testLargeResult(t, s) })
	t.Run("Metadata", func(t *testing.T) { testMetadata(t, s) })
	t.Run("Refusals", func(t *testing.T) { testRefusals(t, s) })
	t.Run("AuthAndStolenTickets", func(t *testing.T) { testAuthAndStolenTickets(t, s) })
	t.Run("CancelAndAudit", func(t *testing.T) { testCancelAndAudit(t, s) })
	t.Run("ExecuteMany", func(t *testing.T) { testExecuteMany(t, s) })
	t.Run("Transactions", func(t *testing.T) { testTransactions(t, s) })
	t.Run("Unsupported", func(t *testing.T) { testUnsupported(t, s) })
	t.Run("SessionOptions", func(t *testing.T) { testSessionOptions(t, s) })
}

// conn is a Flight SQL client logged in as a demo user.
type conn struct {
	cl  *flightsql.Client
	ctx context.Context
}

func dial(t *testing.T, s *servetest.Server, user, password string) (*conn, error) {
	t.Helper()
	cl, err := flightsql.NewClient(s.Flight, nil, nil, grpc.WithTransportCredentials(credentials.NewTLS(s.TLSConfig(t))))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cl.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	ctx, err = cl.Client.AuthenticateBasicToken(ctx, user, password)
	if err != nil {
		return nil, err
	}
	return &conn{cl: cl, ctx: ctx}, nil
}

func login(t *testing.T, s *servetest.Server, user string) *conn {
	t.Helper()
	c, err := dial(t, s, user, servetest.Password(user))
	if err != nil {
		t.Fatalf("flight handshake as %s: %v\n%s", user, err, s.Log())
	}
	return c
}

// read redeems every endpoint of info and returns the schema and rows as
// text (NULL as "<nil>").
func (c *conn) read(t *testing.T, info *flight.FlightInfo) (*arrow.Schema, []string, error) {
	t.Helper()
	var sc *arrow.Schema
	var rows []string
	for _, ep := range info.Endpoint {
		r, err := c.cl.DoGet(c.ctx, ep.Ticket)
		if err != nil {
			return nil, nil, err
		}
		sc = r.Schema()
		for r.Next() {
			rec := r.RecordBatch()
			for i := 0; i < int(rec.NumRows()); i++ {
				cells := make([]string, rec.NumCols())
				for j := range cells {
					if rec.Column(j).IsNull(i) {
						cells[j] = "<nil>"
					} else if d, ok := rec.Column(j).(*array.Decimal128); ok {
						cells[j] = d.Value(i).ToString(d.DataType().(*arrow.Decimal128Type).Scale)
					} else {
						cells[j] = rec.Column(j).ValueStr(i)
					}
				}
				rows = append(rows, strings.Join(cells, "|"))
			}
		}
		err = r.Err()
		r.Release()
		if err != nil {
			return nil, nil, err
		}
	}
	return sc, rows, nil
}

func (c *conn) query(t *testing.T, sql string) (*arrow.Schema, []string, error) {
	t.Helper()
	info, err := c.cl.Execute(c.ctx, sql)
	if err != nil {
		return nil, nil, err
	}
	return c.read(t, info)
}

func (c *conn) mustQuery(t *testing.T, sql string) (*arrow.Schema, []string) {
	t.Helper()
	sc, rows, err := c.query(t, sql)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return sc, rows
}

func same(t *testing.T, what string, got, want []string) {
	t.Helper()
	if len(got) == 0 || strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("%s: Flight and pgx differ (%d and %d rows):\n%v\nwant\n%v", what, len(got), len(want), got[:min(5, len(got))], want[:min(5, len(want))])
	}
}

// Values, masks and row filters over Flight equal what pgx sees for the
// same user, by statement and by prepared statement with a parameter.
func testSeesWhatPgxSees(t *testing.T, s *servetest.Server) {
	queries := []string{
		"SELECT customer_id::varchar, name, email, phone, country_code, signup_date::varchar FROM sales.customers ORDER BY customer_id",
		"SELECT country_code, count(*)::varchar, sum(amount)::varchar FROM sales.orders GROUP BY 1 ORDER BY 1",
		"SELECT c.country_code, count(*)::varchar FROM sales.orders o JOIN sales.customers c USING (customer_id) GROUP BY 1 ORDER BY 1",
	}
	for _, user := range []string{"analyst", "steward"} {
		fc, pc := login(t, s, user), s.PGConn(t, user)
		for _, q := range queries {
			_, got := fc.mustQuery(t, q)
			same(t, user+": "+q, got, servetest.PGRows(t, pc, q))
		}
		// A prepared statement with a bound parameter.
		const pq = "SELECT customer_id::varchar, name, country_code FROM sales.customers WHERE country_code = $1 ORDER BY 1"
		ps, err := fc.cl.Prepare(fc.ctx, pq)
		if err != nil {
			t.Fatal(err)
		}
		if ps.ParameterSchema().NumFields() != 1 {
			t.Fatalf("parameter schema %v, want one parameter", ps.ParameterSchema())
		}
		for _, country := range []string{"DE", "US"} {
			ps.SetParameters(stringParam(t, country))
			info, err := ps.Execute(fc.ctx)
			if err != nil {
				t.Fatal(err)
			}
			_, got, err := fc.read(t, info)
			if err != nil {
				t.Fatal(err)
			}
			want := servetest.PGRows(t, pc, strings.Replace(pq, "$1", "'"+country+"'", 1))
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Fatalf("%s prepared with %s: %v, want %v", user, country, got, want)
			}
			if user == "analyst" && country == "US" && len(got) != 0 {
				t.Fatalf("analyst's EU row filter let US customers through Flight: %v", got)
			}
		}
		if err := ps.Close(fc.ctx); err != nil {
			t.Fatal(err)
		}
	}
}

func stringParam(t *testing.T, v string) arrow.RecordBatch {
	t.Helper()
	sc := arrow.NewSchema([]arrow.Field{{Name: "$1", Type: arrow.BinaryTypes.String}}, nil)
	rec, _, err := arrowFromJSON(sc, fmt.Sprintf(`[{"$1": %q}]`, v))
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

// The result keeps the product's declared types as Arrow types: decimal,
// timestamp with time zone, date, lists.
func testArrowTypes(t *testing.T, s *servetest.Server) {
	fc, pc := login(t, s, "steward"), s.PGConn(t, "steward")
	sc, rows := fc.mustQuery(t, "SELECT order_id, amount, order_date, created_at, [order_id, customer_id] AS ids FROM sales.orders ORDER BY order_id LIMIT 3")
	want := map[string]string{
		"order_id": "int64", "amount": "decimal(12, 2)", "order_date": "date32",
	}
	for _, f := range sc.Fields() {
		if w, ok := want[f.Name]; ok && f.Type.String() != w {
			t.Errorf("column %s is %s, want %s", f.Name, f.Type, w)
		}
	}
	if l, ok := sc.Field(4).Type.(*arrow.ListType); !ok || l.Elem().ID() != arrow.INT64 {
		t.Errorf("ids is %s, want a list of int64", sc.Field(4).Type)
	}
	ts, ok := sc.Field(3).Type.(*arrow.TimestampType)
	if !ok || ts.TimeZone == "" {
		t.Errorf("created_at is %s, want a timestamp with a time zone", sc.Field(3).Type)
	}
	if sc.Field(0).Name != "order_id" || sc.Field(4).Name != "ids" {
		t.Errorf("column names %v", sc)
	}
	wantRows := servetest.PGRows(t, pc, "SELECT order_id, amount::varchar, order_date::varchar FROM sales.orders ORDER BY order_id LIMIT 3")
	for i, r := range rows {
		cells := strings.Split(r, "|")
		if strings.Join(cells[:3], "|") != wantRows[i] {
			t.Errorf("row %d: %s, want %s", i, strings.Join(cells[:3], "|"), wantRows[i])
		}
	}
}

// A result of many DuckDB batches streams whole and in order (DoGet joins
// them into larger batches).
func testLargeResult(t *testing.T, s *servetest.Server) {
	fc := login(t, s, "analyst")
	const n = 150000
	_, rows := fc.mustQuery(t, fmt.Sprintf("SELECT i, i::varchar AS s FROM range(%d) t(i) ORDER BY i", n))
	if len(rows) != n {
		t.Fatalf("%d rows, want %d", len(rows), n)
	}
	for _, i := range []int{0, 2047, 2048, 65535, 65536, n - 1} {
		if want := fmt.Sprintf("%d|%d", i, i); rows[i] != want {
			t.Fatalf("row %d is %q, want %q", i, rows[i], want)
		}
	}
}

// Catalog calls show what information_schema shows the same user.
func testMetadata(t *testing.T, s *servetest.Server) {
	for _, user := range []string{"analyst", "admin"} {
		fc, pc := login(t, s, user), s.PGConn(t, user)
		info, err := fc.cl.GetTables(fc.ctx, &flightsql.GetTablesOpts{IncludeSchema: true})
		if err != nil {
			t.Fatal(err)
		}
		_, got, err := fc.read(t, info)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, r := range got {
			c := strings.Split(r, "|")
			names = append(names, strings.Join(c[:4], "|"))
		}
		same(t, user+" GetTables", names, servetest.PGRows(t, pc, "SELECT table_catalog, table_schema, table_name, table_type FROM information_schema.tables ORDER BY 1, 2, 3"))
		info, err = fc.cl.GetDBSchemas(fc.ctx, &flightsql.GetDBSchemasOpts{})
		if err != nil {
			t.Fatal(err)
		}
		_, got, err = fc.read(t, info)
		if err != nil {
			t.Fatal(err)
		}
		same(t, user+" GetDbSchemas", got, servetest.PGRows(t, pc, "SELECT catalog_name, schema_name FROM information_schema.schemata ORDER BY 1, 2"))
	}
	fc := login(t, s, "analyst")
	// The included table schema is the SELECT * schema: masked columns
	// with their masked types, ungranted ones absent.
	pattern := "customers"
	info, err := fc.cl.GetTables(fc.ctx, &flightsql.GetTablesOpts{IncludeSchema: true, TableNameFilterPattern: &pattern})
	if err != nil {
		t.Fatal(err)
	}
	r, err := fc.cl.DoGet(fc.ctx, info.Endpoint[0].Ticket)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Next() || r.RecordBatch().NumRows() != 1 {
		t.Fatalf("GetTables customers: no single row")
	}
	tsc, err := flight.DeserializeSchema(r.RecordBatch().Column(4).(interface{ Value(int) []byte }).Value(0), memory.DefaultAllocator)
	r.Release()
	if err != nil {
		t.Fatal(err)
	}
	qsc, _ := fc.mustQuery(t, "SELECT * FROM sales.customers LIMIT 0")
	if !tsc.Equal(qsc) {
		t.Fatalf("GetTables schema %v, SELECT * schema %v", tsc, qsc)
	}
	for _, call := range []func() (*flight.FlightInfo, error){
		func() (*flight.FlightInfo, error) { return fc.cl.GetCatalogs(fc.ctx) },
		func() (*flight.FlightInfo, error) { return fc.cl.GetTableTypes(fc.ctx) },
		func() (*flight.FlightInfo, error) { return fc.cl.GetXdbcTypeInfo(fc.ctx, nil) },
		func() (*flight.FlightInfo, error) {
			return fc.cl.GetSqlInfo(fc.ctx, []flightsql.SqlInfo{flightsql.SqlInfoFlightSqlServerName, flightsql.SqlInfoFlightSqlServerReadOnly})
		},
	} {
		info, err := call()
		if err != nil {
			t.Fatal(err)
		}
		_, rows, err := fc.read(t, info)
		if err != nil || len(rows) == 0 {
			t.Fatalf("%v rows, %v", rows, err)
		}
		t.Log(rows[:min(3, len(rows))])
	}
}

// Writes, DDL and refused reads get the SQLSTATE and sentence pgwire sends.
func testRefusals(t *testing.T, s *servetest.Server) {
	fc, pc := login(t, s, "analyst"), s.PGConn(t, "analyst")
	for _, c := range []struct {
		sql    string
		code   codes.Code
		update bool
	}{
		{"CREATE TABLE t (a int)", codes.Unknown, true},
		{"INSERT INTO sales.orders VALUES (1)", codes.Unknown, true},
		{"DELETE FROM sales.customers", codes.Unknown, false},
		{"SELECT * FROM read_csv('/etc/passwd')", codes.PermissionDenied, false},
		{"SELECT * FROM meshgate.audit", codes.Unknown, false},
		{"SELEC 1", codes.InvalidArgument, false},
	} {
		var err error
		if c.update {
			_, err = fc.cl.ExecuteUpdate(fc.ctx, c.sql)
		} else {
			_, _, err = fc.query(t, c.sql)
		}
		_, pgErr := pc.Exec(context.Background(), c.sql)
		var pe *pgconn.PgError
		if !errors.As(pgErr, &pe) {
			t.Fatalf("%s: pgx answered %v", c.sql, pgErr)
		}
		st, _ := status.FromError(err)
		want := fmt.Sprintf("%s (SQLSTATE %s)", pe.Message, pe.Code)
		if err == nil || !strings.HasPrefix(st.Message(), want) {
			t.Errorf("%s: Flight answered %v, want a status starting %q", c.sql, err, want)
		}
		if c.code != codes.Unknown && st.Code() != c.code {
			t.Errorf("%s: code %s, want %s", c.sql, st.Code(), c.code)
		}
		if st.Code() == codes.OK || st.Code() == codes.Internal {
			t.Errorf("%s: code %s", c.sql, st.Code())
		}
	}
}

// Only the users file's passwords log in; a ticket or prepared statement
// is the session's own: another user's token cannot redeem it.
func testAuthAndStolenTickets(t *testing.T, s *servetest.Server) {
	if _, err := dial(t, s, "analyst", "wrong"); status.Code(err) != codes.Unauthenticated || !strings.Contains(err.Error(), "28P01") {
		t.Fatalf("wrong password: %v, want Unauthenticated 28P01", err)
	}
	if _, err := dial(t, s, "nobody", "x"); status.Code(err) != codes.Unauthenticated {
		t.Fatalf("unknown user: %v", err)
	}
	cl, err := flightsql.NewClient(s.Flight, nil, nil, grpc.WithTransportCredentials(credentials.NewTLS(s.TLSConfig(t))))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	if _, err := cl.Execute(context.Background(), "SELECT 1"); status.Code(err) != codes.Unauthenticated {
		t.Fatalf("no token: %v, want Unauthenticated", err)
	}
	analyst, steward := login(t, s, "analyst"), login(t, s, "steward")
	info, err := steward.cl.Execute(steward.ctx, "SELECT name, email FROM sales.customers ORDER BY customer_id LIMIT 3")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := analyst.read(t, info); status.Code(err) != codes.PermissionDenied {
		t.Fatalf("analyst redeeming the steward's ticket: %v, want PermissionDenied", err)
	}
	if _, rows, err := steward.read(t, info); err != nil || len(rows) != 3 {
		t.Fatalf("the steward's own ticket: %v, %v", rows, err)
	}
	if _, _, err := steward.read(t, info); status.Code(err) != codes.PermissionDenied {
		t.Fatalf("a ticket redeemed twice: %v, want PermissionDenied", err)
	}
	ps, err := steward.cl.Prepare(steward.ctx, "SELECT email FROM sales.customers LIMIT 1")
	if err != nil {
		t.Fatal(err)
	}
	pinfo, err := ps.Execute(steward.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := analyst.read(t, pinfo); status.Code(err) != codes.PermissionDenied {
		t.Fatalf("analyst running the steward's prepared statement: %v", err)
	}
	ps.Close(steward.ctx)
}

// CancelFlightInfo stops a running query in DuckDB; the audit records it
// with protocol flight.
func testCancelAndAudit(t *testing.T, s *servetest.Server) {
	fc := login(t, s, "analyst")
	info, err := fc.cl.Execute(fc.ctx, "SELECT count(*) FROM range(100000000000)")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	start := time.Now()
	go func() { _, _, err := fc.read(t, info); done <- err }()
	time.Sleep(500 * time.Millisecond)
	res, err := fc.cl.CancelFlightInfo(fc.ctx, &flight.CancelFlightInfoRequest{Info: info})
	if err != nil || res.Status != flight.CancelStatusCancelled {
		t.Fatalf("CancelFlightInfo: %v %v", res.Status, err)
	}
	select {
	case err := <-done:
		if status.Code(err) != codes.Canceled || !strings.Contains(err.Error(), "57014") {
			t.Fatalf("cancelled query: %v, want Canceled 57014", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the cancelled query still runs after 20 s")
	}
	t.Logf("cancelled after %v", time.Since(start))
	// The session is free again.
	if _, rows := fc.mustQuery(t, "SELECT 42"); len(rows) != 1 || rows[0] != "42" {
		t.Fatalf("after cancel: %v", rows)
	}
	// A client that goes away cancels too.
	ctx, cancel := context.WithCancel(fc.ctx)
	info, err = fc.cl.Execute(ctx, "SELECT count(*) FROM range(100000000001)")
	if err != nil {
		t.Fatal(err)
	}
	// The client goes away while DoGet waits: DuckDB computes the count
	// before the stream's first message.
	time.AfterFunc(300*time.Millisecond, cancel)
	gone := time.Now()
	if r, err := fc.cl.DoGet(ctx, info.Endpoint[0].Ticket); err == nil {
		r.Next()
		r.Release()
	}
	cancel()
	deadline := time.Now().Add(20 * time.Second)
	for {
		_, rows, err := fc.query(t, "SELECT 7")
		if err == nil && len(rows) == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the session stays busy after the client went away: %v", err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Logf("the session was free %v after the client went away", time.Since(gone))
	admin := s.PGConn(t, "admin")
	deadline = time.Now().Add(10 * time.Second)
	for {
		rows := servetest.PGRows(t, admin, "SELECT count(*) FROM meshgate.audit WHERE protocol = 'flight' AND user_name = 'analyst' AND sqlstate = '57014'")
		if rows[0] != "0" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no audit record with protocol flight for the cancelled query")
		}
		time.Sleep(300 * time.Millisecond)
	}
}

// A token expires when idle; the handshake gives a new one.
func TestFlightTokenExpiry(t *testing.T) {
	s := servetest.Start(t, "..", "-flight-token-idle", "1s", "-flight-token-ttl", "1m")
	fc := login(t, s, "analyst")
	fc.mustQuery(t, "SELECT 1")
	time.Sleep(1500 * time.Millisecond)
	if _, _, err := fc.query(t, "SELECT 1"); status.Code(err) != codes.Unauthenticated || !strings.Contains(err.Error(), "authenticate again") {
		t.Fatalf("after the idle time: %v, want Unauthenticated", err)
	}
	login(t, s, "analyst").mustQuery(t, "SELECT 1")
}

// Stopping the server with Flight sessions open closes them before the
// engine: a clean exit. (The CPU profile's stop at exit gave sessions
// closed late the time to reach the closed engine: a segfault.)
func TestFlightShutdown(t *testing.T) {
	s := servetest.Start(t, "..", "-cpuprofile", filepath.Join(t.TempDir(), "cpu.pprof"))
	login(t, s, "analyst").mustQuery(t, "SELECT count(*) FROM sales.orders")
	login(t, s, "steward")
	if code := s.Stop(); code != 0 || strings.Contains(s.Log(), "SIGSEGV") {
		t.Fatalf("meshgate exited with %d:\n%s", code, s.Log())
	}
}
