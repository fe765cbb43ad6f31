package connectors_test

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshgate/meshgate/connectors"
	"github.com/meshgate/meshgate/engine"
	"github.com/meshgate/meshgate/planner/catalog"
	"github.com/meshgate/meshgate/sqlstate"
)

// countingPort stands in for a remote source: n rows of one BIGINT column,
// counting its scans; down makes it fail like an unreachable port.
type countingPort struct {
	n     int
	scans atomic.Int32
	down  atomic.Bool
}

func (p *countingPort) Scan(ctx context.Context, _ connectors.Request) (array.RecordReader, error) {
	p.scans.Add(1)
	if p.down.Load() {
		return nil, sqlstate.New(sqlstate.UnableToConnect, "port is down")
	}
	schema := arrow.NewSchema([]arrow.Field{{Name: "id", Type: arrow.PrimitiveTypes.Int64, Nullable: true}}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	for i := 0; i < p.n; i++ {
		b.Field(0).(*array.Int64Builder).Append(int64(i))
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	return array.NewRecordReader(schema, []arrow.RecordBatch{rec})
}

func (p *countingPort) Describe(context.Context) ([]catalog.Column, error) {
	return []catalog.Column{{Name: "id", Type: "BIGINT"}}, nil
}

func (p *countingPort) Close() {}

func product(name string) *catalog.Product {
	return &catalog.Product{Address: catalog.Address{Domain: "crm", Name: name}, Version: "1.0.0",
		Columns: []catalog.Column{{Name: "id", Type: "BIGINT"}},
		Ports:   []catalog.Port{{Name: "pg", Type: "postgres", Options: map[string]string{"mode": "snapshot"}}}}
}

func TestSnapshotsBudgetAndStaleness(t *testing.T) {
	a, b := product("a"), product("b")
	eng, problems, err := engine.Open(context.Background(), &catalog.Mesh{Dir: t.TempDir(), Products: []*catalog.Product{a, b}}, engine.Config{Threads: 1})
	if err != nil || len(problems) > 0 {
		t.Fatal(err, problems)
	}
	defer eng.Close()
	pa, pb := &countingPort{n: 10000}, &countingPort{n: 10000}
	var seen []connectors.Freshness
	// A budget that holds one snapshot of 10,000 BIGINTs (~80 KB), not two.
	snaps := connectors.NewSnapshots(eng, 120_000, nil, func(f []connectors.Freshness) { seen = f })
	snaps.Add(connectors.SnapshotSpec{Product: a.Address, Port: "pg", Connector: pa, Refresh: time.Hour, MaxStaleness: 50 * time.Millisecond, OnStale: "fail"})
	snaps.Add(connectors.SnapshotSpec{Product: b.Address, Port: "pg", Connector: pb, Refresh: time.Hour, OnStale: "live"})
	ctx := context.Background()
	if err := snaps.Ensure(ctx, a.Address); err != nil { // first use loads it
		t.Fatal(err)
	}
	if err := snaps.Ensure(ctx, b.Address); err != nil {
		t.Fatal(err)
	}
	if pa.scans.Load() != 1 || pb.scans.Load() != 1 {
		t.Fatalf("scans %d %d", pa.scans.Load(), pb.scans.Load())
	}
	// Loading b evicted a (least recently used, over budget).
	var fa connectors.Freshness
	for _, f := range seen {
		if f.Product == a.Address {
			fa = f
		}
	}
	if fa.Loaded || fa.Rows != 10000 {
		t.Fatalf("a after b loaded: %+v", fa)
	}
	// Using a again reloads it from the port.
	if err := snaps.Ensure(ctx, a.Address); err != nil {
		t.Fatal(err)
	}
	if pa.scans.Load() != 2 {
		t.Fatalf("evicted snapshot not reloaded: %d scans", pa.scans.Load())
	}
	// Past max_staleness with on_stale: fail, a failing port gives a clear error.
	pa.down.Store(true)
	time.Sleep(80 * time.Millisecond)
	err = snaps.Ensure(ctx, a.Address)
	if sqlstate.CodeOf(err) != "55000" || !strings.Contains(err.Error(), "max_staleness") {
		t.Fatalf("stale snapshot: %v", err)
	}
	// A refresh that fails keeps the old rows and says why in freshness.
	if err := snaps.Refresh(ctx, a.Address); err == nil {
		t.Fatal("refresh of a down port succeeded")
	}
	for _, f := range snaps.Freshness() {
		if f.Product == a.Address && !strings.Contains(f.LastError, "port is down") {
			t.Fatalf("freshness does not show the failure: %+v", f)
		}
	}
	// The port comes back: the next refresh succeeds.
	pa.down.Store(false)
	if err := snaps.Refresh(ctx, a.Address); err != nil {
		t.Fatal(err)
	}
	if err := snaps.Ensure(ctx, a.Address); err != nil {
		t.Fatal(err)
	}
}
