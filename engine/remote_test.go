package engine

import (
	"context"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshgate/meshgate/planner/catalog"
)

// remoteRows builds what a connector streams for the test product: n rows
// in several batches (more than a DuckDB chunk of 2048).
func remoteRows(t *testing.T, n int) array.RecordReader {
	t.Helper()
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "amount", Type: &arrow.Decimal128Type{Precision: 12, Scale: 2}, Nullable: true},
		{Name: "ref", Type: arrow.BinaryTypes.String, Nullable: true, Metadata: arrow.NewMetadata([]string{MetaDuckType}, []string{"UUID"})},
	}, nil)
	var recs []arrow.RecordBatch
	for start := 0; start < n; start += 3000 {
		b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
		for i := start; i < min(start+3000, n); i++ {
			b.Field(0).(*array.Int64Builder).Append(int64(i))
			b.Field(1).(*array.Decimal128Builder).Append(decimal128.FromI64(int64(i) * 150))
			b.Field(2).(*array.StringBuilder).Append("123e4567-e89b-12d3-a456-426614174000")
		}
		recs = append(recs, b.NewRecordBatch())
		b.Release()
	}
	rr, err := array.NewRecordReader(schema, recs)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		r.Release()
	}
	return rr
}

func TestRemotePorts(t *testing.T) {
	cols := []catalog.Column{{Name: "id", Type: "BIGINT"}, {Name: "amount", Type: "DECIMAL(12,2)"}, {Name: "ref", Type: "UUID"}}
	snap := &catalog.Product{Address: catalog.Address{Domain: "crm", Name: "accounts"}, Version: "1.0.0", Columns: cols,
		Ports: []catalog.Port{{Name: "pg", Type: "postgres", Options: map[string]string{"mode": "snapshot"}}}}
	live := &catalog.Product{Address: catalog.Address{Domain: "crm", Name: "events"}, Version: "1.0.0", Columns: cols,
		Ports: []catalog.Port{{Name: "pg", Type: "postgres"}}}
	e, problems, err := Open(context.Background(), &catalog.Mesh{Dir: t.TempDir(), Products: []*catalog.Product{snap, live}}, Config{Threads: 1})
	if err != nil || len(problems) > 0 {
		t.Fatal(err, problems)
	}
	defer e.Close()
	if e.RemoteMode(snap.Address) != ModeSnapshot || e.RemoteMode(live.Address) != ModeLive {
		t.Fatalf("modes: %q %q", e.RemoteMode(snap.Address), e.RemoteMode(live.Address))
	}
	if n, err := e.LoadSnapshot(context.Background(), snap.Address, remoteRows(t, 10000)); err != nil || n != 10000 {
		t.Fatalf("snapshot: %d %v", n, err)
	}
	s, err := e.NewSession(context.Background(), func(cat string) ([]View, []string) {
		return []View{
			{Address: snap.Address, SQL: "SELECT * FROM " + e.SourceView(cat, snap.Address)},
			{Address: live.Address, SQL: "SELECT * FROM " + e.SourceView(cat, live.Address)},
		}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if n, err := s.Materialize(context.Background(), live.Address, remoteRows(t, 5000)); err != nil || n != 5000 {
		t.Fatalf("materialize: %d %v", n, err)
	}
	p, err := s.Prepare(context.Background(), "", "SELECT (SELECT count(*) FROM crm.accounts WHERE amount > 7500), (SELECT sum(id) FROM crm.events), (SELECT typeof(ref) FROM crm.events LIMIT 1)")
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	rr, err := p.Query(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	_, first := collect(t, rr)
	if first[0] != "4999" || first[1] != "12497500" || first[2] != "UUID" {
		t.Fatalf("got %v", first)
	}
	// A second fetch replaces the live rows.
	if _, err := s.Materialize(context.Background(), live.Address, remoteRows(t, 10)); err != nil {
		t.Fatal(err)
	}
	rr, err = p.Query(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, first = collect(t, rr); first[1] != "45" {
		t.Fatalf("after refetch: %v", first)
	}
}
