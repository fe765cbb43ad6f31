package engine

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"
	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/meshgate/meshgate/planner/catalog"
	"github.com/meshgate/meshgate/sqlstate"
)

// writeParquet makes a real Parquet port file with a separate DuckDB.
func writeParquet(t testing.TB, dir, name, query string) string {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	path := filepath.Join(dir, name)
	if _, err := db.Exec("COPY (" + query + ") TO '" + path + "' (FORMAT parquet)"); err != nil {
		t.Fatal(err)
	}
	return path
}

func testEngine(t testing.TB) (*Engine, *catalog.Mesh) {
	t.Helper()
	dir := t.TempDir()
	path := writeParquet(t, dir, "orders.parquet", "SELECT i::BIGINT AS id, (i*1.5)::DOUBLE AS amount, 'c'||(i%3) AS country FROM range(1, 10001) t(i)")
	p := &catalog.Product{
		Address: catalog.Address{Domain: "sales", Name: "orders"},
		Version: "1.0.0",
		Ports:   []catalog.Port{{Name: "files", Type: "parquet", Location: path}},
		Columns: []catalog.Column{{Name: "id", Type: "BIGINT"}, {Name: "amount", Type: "DOUBLE"}, {Name: "country", Type: "VARCHAR"}},
		File:    filepath.Join(dir, "orders.yaml"),
	}
	mesh := &catalog.Mesh{Dir: dir, Products: []*catalog.Product{p}}
	e, problems, err := Open(context.Background(), mesh, Config{Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(problems) > 0 {
		t.Fatalf("problems: %v", problems)
	}
	t.Cleanup(e.Close)
	return e, mesh
}

func session(t testing.TB, e *Engine) *Session {
	t.Helper()
	a := catalog.Address{Domain: "sales", Name: "orders"}
	s, err := e.NewSession(context.Background(), func(string) ([]View, []string) {
		return []View{{Address: a, SQL: "SELECT * FROM " + PortView(a)}}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

func collect(t *testing.T, rr array.RecordReader) (rows int64, first []string) {
	t.Helper()
	defer rr.Release()
	for rr.Next() {
		rec := rr.RecordBatch()
		if rows == 0 && rec.NumRows() > 0 {
			for i := 0; i < int(rec.NumCols()); i++ {
				first = append(first, strings.Clone(rec.Column(i).ValueStr(0)))
			}
		}
		rows += rec.NumRows()
	}
	if err := rr.Err(); err != nil {
		t.Fatal(err)
	}
	return rows, first
}

func TestQueryThroughSessionView(t *testing.T) {
	e, _ := testEngine(t)
	s := session(t, e)
	p, err := s.Prepare(context.Background(), "", "SELECT count(*) AS n, sum(amount) AS total FROM sales.orders WHERE id > $1")
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if len(p.Params()) != 1 || p.Params()[0] == nil || p.Params()[0].String() != "int64" {
		t.Fatalf("param types: %v", p.Params())
	}
	if got := p.Schema().Field(0).Name; got != "n" {
		t.Fatalf("column name %q", got)
	}
	rr, err := p.Query(context.Background(), []any{"9000"}) // text parameter cast by DuckDB
	if err != nil {
		t.Fatal(err)
	}
	n, first := collect(t, rr)
	if n != 1 || first[0] != "1000" {
		t.Fatalf("got %d rows, first %v", n, first)
	}
	// The same statement again, with an int parameter (filter really applied).
	rr, err = p.Query(context.Background(), []any{int64(9990)})
	if err != nil {
		t.Fatal(err)
	}
	if _, first = collect(t, rr); first[0] != "10" {
		t.Fatalf("second execution: %v", first)
	}
}

func TestSearchPathAndTwoOpenResults(t *testing.T) {
	e, _ := testEngine(t)
	s := session(t, e)
	s.SetSearchPath([]string{"sales"})
	p, err := s.Prepare(context.Background(), "", "SELECT id FROM orders ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	a, err := p.Query(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if !a.Next() {
		t.Fatal("no first batch")
	}
	// A second result while the first is still open (a suspended portal).
	b, err := p.Query(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	nb, _ := collect(t, b)
	na := a.RecordBatch().NumRows()
	na2, _ := collect(t, a)
	if nb != 10000 || na+na2 != 10000 {
		t.Fatalf("interleaved results: %d and %d+%d rows", nb, na, na2)
	}
}

func TestCancelInterruptsQuery(t *testing.T) {
	e, _ := testEngine(t)
	s := session(t, e)
	p, err := s.Prepare(context.Background(), "", "SELECT count(*) FROM range(10000000000) a(i) WHERE i % 7 = 3")
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(200 * time.Millisecond); cancel() }()
	rr, err := p.Query(ctx, nil)
	if err == nil {
		for rr.Next() {
		}
		err = rr.Err()
		rr.Release()
	}
	if sqlstate.CodeOf(err) != sqlstate.QueryCanceled {
		t.Fatalf("want 57014, got %v", err)
	}
	// The session still works after the cancel.
	p2, err := s.Prepare(context.Background(), "", "SELECT 42")
	if err != nil {
		t.Fatal(err)
	}
	defer p2.Close()
	rr, err = p2.Query(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, first := collect(t, rr); first[0] != "42" {
		t.Fatalf("after cancel: %v", first)
	}
}

// The lock-down is a backstop under the planner: even if user SQL reached
// DuckDB, files outside the port directories and settings stay closed.
func TestLockDown(t *testing.T) {
	e, _ := testEngine(t)
	s := session(t, e)
	for _, q := range []string{
		"SELECT * FROM read_csv('/etc/passwd')",
		"SET enable_external_access = true",
		"ATTACH '/tmp/x.duckdb' AS x",
		"COPY (SELECT 1) TO '/tmp/meshgate-should-not-exist.csv'",
		"INSTALL httpfs",
	} {
		p, err := s.Prepare(context.Background(), "", q)
		if err == nil {
			p.Close()
			t.Errorf("%s: prepared, want refusal", q)
			continue
		}
		if code := sqlstate.CodeOf(err); code != sqlstate.InsufficientPrivilege && code != sqlstate.FeatureNotSupported {
			t.Errorf("%s: code %s (%v)", q, code, err)
		}
	}
}

func TestErrorsDoNotNameInternals(t *testing.T) {
	e, _ := testEngine(t)
	s := session(t, e)
	_, err := s.Prepare(context.Background(), "", "SELECT nosuch FROM sales.orders")
	if sqlstate.CodeOf(err) != sqlstate.UndefinedColumn {
		t.Fatalf("want 42703, got %v", err)
	}
	if strings.Contains(err.Error(), "sess_") || strings.Contains(err.Error(), "ports") {
		t.Fatalf("internal name leaked: %v", err)
	}
}

// A session closed after its engine (a front door's session closed late
// on shutdown) and a statement on it are errors, never a crash in DuckDB.
func TestSessionAfterEngineClose(t *testing.T) {
	e, _ := testEngine(t)
	s := session(t, e)
	if _, err := s.Prepare(context.Background(), "", "SELECT count(*) FROM sales.orders"); err != nil {
		t.Fatal(err)
	}
	e.Close()
	if err := e.exec("SELECT 1"); err == nil || !strings.Contains(err.Error(), "engine is closed") {
		t.Errorf("a statement on the closed engine's admin connection: %v", err)
	}
	if _, err := e.NewSession(context.Background(), func(string) ([]View, []string) { return nil, nil }); err == nil {
		t.Error("a session opened on a closed engine")
	}
	s.Close() // detaches its catalog on the closed admin connection: logged, no crash
}
