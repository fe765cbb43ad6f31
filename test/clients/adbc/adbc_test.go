package adbc_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-adbc/go/adbc"
	drv "github.com/apache/arrow-adbc/go/adbc/driver/flightsql"
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshgate/meshgate/internal/servetest"
)

func open(t *testing.T, s *servetest.Server, user string) adbc.Connection {
	t.Helper()
	pem, err := os.ReadFile(s.CertFile)
	if err != nil {
		t.Fatal(err)
	}
	db, err := drv.NewDriver(memory.DefaultAllocator).NewDatabase(map[string]string{
		adbc.OptionKeyURI:      "grpc+tls://" + s.Flight,
		adbc.OptionKeyUsername: user,
		adbc.OptionKeyPassword: servetest.Password(user),
		drv.OptionSSLRootCerts: string(pem),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	cn, err := db.Open(context.Background())
	if err != nil {
		t.Fatalf("ADBC open as %s: %v\n%s", user, err, s.Log())
	}
	t.Cleanup(func() { cn.Close() })
	return cn
}

// rows runs a query (with one optional bound string parameter) and reads
// it as text, as servetest.PGRows does.
func rows(ctx context.Context, t *testing.T, cn adbc.Connection, sql string, param *string) ([]string, error) {
	t.Helper()
	st, err := cn.NewStatement()
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.SetSqlQuery(sql); err != nil {
		return nil, err
	}
	if param != nil {
		if err := st.Prepare(ctx); err != nil {
			return nil, err
		}
		sc := arrow.NewSchema([]arrow.Field{{Name: "$1", Type: arrow.BinaryTypes.String}}, nil)
		rec, _, err := array.RecordFromJSON(memory.DefaultAllocator, sc, strings.NewReader(`[{"$1": "`+*param+`"}]`))
		if err != nil {
			t.Fatal(err)
		}
		defer rec.Release()
		if err := st.Bind(ctx, rec); err != nil {
			return nil, err
		}
	}
	rr, _, err := st.ExecuteQuery(ctx)
	if err != nil {
		return nil, err
	}
	defer rr.Release()
	var out []string
	for rr.Next() {
		rec := rr.RecordBatch()
		for i := 0; i < int(rec.NumRows()); i++ {
			cells := make([]string, rec.NumCols())
			for j := range cells {
				if rec.Column(j).IsNull(i) {
					cells[j] = "<nil>"
				} else {
					cells[j] = rec.Column(j).ValueStr(i)
				}
			}
			out = append(out, strings.Join(cells, "|"))
		}
	}
	return out, rr.Err()
}

func TestADBCFlightSQL(t *testing.T) {
	s := servetest.Start(t, "../../..")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	const q = "SELECT customer_id::varchar, name, email, country_code, signup_date::varchar FROM sales.customers ORDER BY customer_id"
	for _, user := range []string{"analyst", "steward"} {
		cn, pc := open(t, s, user), s.PGConn(t, user)
		got, err := rows(ctx, t, cn, q, nil)
		if err != nil {
			t.Fatal(err)
		}
		if want := servetest.PGRows(t, pc, q); len(got) == 0 || strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Fatalf("%s: ADBC %d rows, pgx %d:\n%v\nwant\n%v", user, len(got), len(want), got[:min(3, len(got))], want[:min(3, len(want))])
		}
		const pq = "SELECT customer_id::varchar, country_code FROM sales.customers WHERE country_code = $1 ORDER BY 1"
		for _, country := range []string{"FR", "US"} {
			got, err := rows(ctx, t, cn, pq, &country)
			if err != nil {
				t.Fatal(err)
			}
			want := servetest.PGRows(t, pc, strings.Replace(pq, "$1", "'"+country+"'", 1))
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Fatalf("%s, %s: ADBC %v, pgx %v", user, country, got, want)
			}
		}
	}
	testExecuteManyAndTransactions(ctx, t, s)
	cn := open(t, s, "analyst")
	// Catalog objects: the tables information_schema shows the analyst.
	rr, err := cn.GetObjects(ctx, adbc.ObjectDepthTables, nil, nil, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	for rr.Next() {
		n += rr.RecordBatch().NumRows()
	}
	rr.Release()
	if n == 0 {
		t.Fatal("GetObjects: no catalog")
	}
	// A refusal carries pgwire's SQLSTATE and sentence.
	_, err = rows(ctx, t, cn, "SELECT * FROM read_csv('/etc/passwd')", nil)
	var ae adbc.Error
	if !errors.As(err, &ae) || ae.Code != adbc.StatusUnauthorized || !strings.Contains(ae.Msg, "42501") {
		t.Fatalf("file read: %v, want unauthorized 42501", err)
	}
	// Cancelling the context stops a long query, and the session serves
	// the next one.
	qctx, qcancel := context.WithTimeout(ctx, 1500*time.Millisecond)
	start := time.Now()
	_, err = rows(qctx, t, cn, "SELECT count(*) FROM range(100000000000)", nil)
	qcancel()
	if err == nil || time.Since(start) > 20*time.Second {
		t.Fatalf("cancelled query: %v after %v", err, time.Since(start))
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		got, err := rows(ctx, t, cn, "SELECT 5", nil)
		if err == nil && len(got) == 1 && got[0] == "5" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the cancel: %v %v", got, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
