package adbc_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/apache/arrow-adbc/go/adbc"
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/meshgate/meshgate/internal/servetest"
)

// read reads a result as text rows.
func read(t *testing.T, rr array.RecordReader) []string {
	t.Helper()
	defer rr.Release()
	var out []string
	for rr.Next() {
		rec := rr.RecordBatch()
		for i := 0; i < int(rec.NumRows()); i++ {
			cells := make([]string, rec.NumCols())
			for j := range cells {
				cells[j] = rec.Column(j).ValueStr(i)
			}
			out = append(out, strings.Join(cells, "|"))
		}
	}
	if err := rr.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// testExecuteManyAndTransactions: ADBC's Bind of several rows runs the
// prepared query once per row (its row filter applying to each), and
// autocommit off runs statements in the session's read-only transaction,
// where a write gets pgwire's refusal.
func testExecuteManyAndTransactions(ctx context.Context, t *testing.T, s *servetest.Server) {
	cn, pc := open(t, s, "analyst"), s.PGConn(t, "analyst")
	const pq = "SELECT customer_id::varchar, country_code FROM sales.customers WHERE country_code = $1 ORDER BY 1"
	st, err := cn.NewStatement()
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.SetSqlQuery(pq); err != nil {
		t.Fatal(err)
	}
	if err := st.Prepare(ctx); err != nil {
		t.Fatal(err)
	}
	countries := []string{"FR", "US", "DE"}
	b := array.NewStringBuilder(memory.DefaultAllocator)
	b.AppendValues(countries, nil)
	col := b.NewArray()
	b.Release()
	rec := array.NewRecordBatch(arrow.NewSchema([]arrow.Field{{Name: "$1", Type: arrow.BinaryTypes.String}}, nil), []arrow.Array{col}, 3)
	col.Release()
	defer rec.Release()
	if err := st.Bind(ctx, rec); err != nil {
		t.Fatal(err)
	}
	rr, _, err := st.ExecuteQuery(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got := read(t, rr)
	var want []string
	for _, c := range countries {
		want = append(want, servetest.PGRows(t, pc, strings.Replace(pq, "$1", "'"+c+"'", 1))...)
	}
	if len(got) == 0 || strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("executemany: ADBC %d rows, pgx %d rows:\n%v\nwant\n%v", len(got), len(want), got, want)
	}

	// Autocommit off: BeginTransaction; reads see what psql sees.
	if err := cn.(adbc.PostInitOptions).SetOption(adbc.OptionKeyAutoCommit, adbc.OptionValueDisabled); err != nil {
		t.Fatalf("autocommit off: %v", err)
	}
	const q = "SELECT count(*)::varchar FROM sales.customers"
	if got, err := rows(ctx, t, cn, q, nil); err != nil || strings.Join(got, ",") != strings.Join(servetest.PGRows(t, pc, q), ",") {
		t.Fatalf("a read in the transaction: %v %v", got, err)
	}
	if err := cn.Commit(ctx); err != nil {
		t.Fatalf("commit: %v", err)
	}
	w, err := cn.NewStatement()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if err := w.SetSqlQuery("DELETE FROM sales.customers"); err != nil {
		t.Fatal(err)
	}
	_, err = w.ExecuteUpdate(ctx)
	_, pgErr := pc.Exec(ctx, "DELETE FROM sales.customers")
	var pe *pgconn.PgError
	if !errors.As(pgErr, &pe) {
		t.Fatalf("pgx: %v", pgErr)
	}
	var ae adbc.Error
	if !errors.As(err, &ae) || !strings.Contains(ae.Msg, pe.Message+" (SQLSTATE "+pe.Code+")") {
		t.Fatalf("a write in the transaction: %v, want pgwire's %s (%s)", err, pe.Message, pe.Code)
	}
	if err := cn.Rollback(ctx); err != nil {
		t.Fatalf("rollback: %v", err)
	}
	if got, err := rows(ctx, t, cn, "SELECT 6", nil); err != nil || len(got) != 1 || got[0] != "6" {
		t.Fatalf("after the rollback: %v %v", got, err)
	}
	if err := cn.(adbc.PostInitOptions).SetOption(adbc.OptionKeyAutoCommit, adbc.OptionValueEnabled); err != nil {
		t.Fatalf("autocommit on: %v", err)
	}
}
