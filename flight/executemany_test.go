package flight_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/meshgate/meshgate/internal/servetest"
)

// stringParams is a batch of one text parameter, one row per value.
func stringParams(t *testing.T, values ...string) arrow.RecordBatch {
	t.Helper()
	b := array.NewStringBuilder(memory.DefaultAllocator)
	defer b.Release()
	b.AppendValues(values, nil)
	col := b.NewArray()
	defer col.Release()
	sc := arrow.NewSchema([]arrow.Field{{Name: "$1", Type: arrow.BinaryTypes.String}}, nil)
	return array.NewRecordBatch(sc, []arrow.Array{col}, int64(len(values)))
}

// A DoPut of several parameter rows runs the prepared statement once per
// row (as PostgreSQL clients' executemany): the results follow one
// another, each under the user's row filter, and each run is audited.
func testExecuteMany(t *testing.T, s *servetest.Server) {
	const pq = "SELECT customer_id::varchar AS executemany_probe, name, country_code FROM sales.customers WHERE country_code = $1 ORDER BY 1"
	countries := []string{"DE", "US", "FR"}
	for _, user := range []string{"analyst", "steward"} {
		fc, pc := login(t, s, user), s.PGConn(t, user)
		ps, err := fc.cl.Prepare(fc.ctx, pq)
		if err != nil {
			t.Fatal(err)
		}
		params := stringParams(t, countries...)
		ps.SetParameters(params)
		info, err := ps.Execute(fc.ctx)
		if err != nil {
			t.Fatal(err)
		}
		_, got, err := fc.read(t, info)
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		for _, c := range countries {
			want = append(want, servetest.PGRows(t, pc, strings.Replace(pq, "$1", "'"+c+"'", 1))...)
		}
		same(t, user+" executemany", got, want)
		if user == "analyst" {
			for _, r := range got {
				if strings.HasSuffix(r, "|US") {
					t.Fatalf("the analyst's EU row filter let a US customer through executemany: %s", r)
				}
			}
		}
		// Run again: the bound rows stay bound, as for one row.
		info, err = ps.Execute(fc.ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, again, err := fc.read(t, info); err != nil || strings.Join(again, "\n") != strings.Join(got, "\n") {
			t.Fatalf("second execution: %d rows, %v", len(again), err)
		}
		params.Release()
		ps.Close(fc.ctx)
	}

	fc := login(t, s, "steward")
	// As an update, the count is the rows of every run.
	ps, err := fc.cl.Prepare(fc.ctx, "SELECT customer_id FROM sales.customers WHERE country_code = $1")
	if err != nil {
		t.Fatal(err)
	}
	params := stringParams(t, "DE", "FR")
	defer params.Release()
	ps.SetParameters(params)
	n, err := ps.ExecuteUpdate(fc.ctx)
	if err != nil {
		t.Fatal(err)
	}
	pc := s.PGConn(t, "steward")
	want := servetest.PGRows(t, pc, "SELECT count(*) FROM sales.customers WHERE country_code IN ('DE', 'FR')")
	if fmt.Sprint(n) != want[0] {
		t.Fatalf("executemany as update counted %d rows, want %s", n, want[0])
	}
	ps.Close(fc.ctx)

	// A bad value in any row fails the whole call with pgwire's SQLSTATE.
	ps, err = fc.cl.Prepare(fc.ctx, "SELECT customer_id FROM sales.customers WHERE customer_id = $1::bigint")
	if err != nil {
		t.Fatal(err)
	}
	bad := stringParams(t, "1", "not a number")
	defer bad.Release()
	ps.SetParameters(bad)
	info, err := ps.Execute(fc.ctx)
	if err == nil {
		_, _, err = fc.read(t, info)
	}
	if err == nil || !strings.Contains(err.Error(), "22P02") {
		t.Fatalf("a non-numeric parameter: %v, want 22P02", err)
	}
	ps.Close(fc.ctx)

	// Too many rows in one bind is refused before anything runs.
	ps, err = fc.cl.Prepare(fc.ctx, "SELECT $1::text")
	if err != nil {
		t.Fatal(err)
	}
	huge := stringParams(t, make([]string, 100001)...)
	defer huge.Release()
	ps.SetParameters(huge)
	if _, err := ps.Execute(fc.ctx); status.Code(err) != codes.ResourceExhausted || !strings.Contains(err.Error(), "54000") {
		t.Fatalf("100,001 parameter rows: %v, want ResourceExhausted 54000", err)
	}
	ps.Close(fc.ctx)

	// Each run of the executemany is one audit record.
	deadline := time.Now().Add(10 * time.Second)
	for {
		rows := servetest.PGRows(t, pc, "SELECT count(*) FROM meshgate.audit WHERE protocol = 'flight' AND statement LIKE 'SELECT customer_id::varchar AS executemany_probe%'")
		if rows[0] == "6" { // the steward's two executions of three rows
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("audit records of the steward's executemany runs: %s, want 6", rows[0])
		}
		time.Sleep(300 * time.Millisecond)
	}
}
