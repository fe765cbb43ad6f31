package main

import (
	"context"
	"database/sql"
	"testing"

	"github.com/meshgate/meshgate/planner/catalog"
)

// go test -tags duckdb_arrow ./testdata/gen
func TestBench(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	for i, want := range []bool{true, false} { // the second run keeps the file
		wrote, err := GenerateBench(ctx, dir, 1000, false)
		if err != nil || wrote != want {
			t.Fatalf("run %d: wrote=%v err=%v", i, wrote, err)
		}
	}
	m, problems := catalog.Load(dir)
	if len(problems) != 0 || m.Product("bench", "wide") == nil {
		t.Fatalf("bench mesh: %v", problems)
	}
	p := m.Product("bench", "wide")
	db, _ := sql.Open("duckdb", "")
	defer db.Close()
	actual, err := catalog.PortSchema(ctx, db, &p.Ports[0])
	if err != nil {
		t.Fatal(err)
	}
	if d := catalog.CompareSchema(p, &p.Ports[0], actual); len(d) != 0 {
		t.Fatal(d)
	}
	var n, ids int64
	scan, _ := catalog.ScanSQL(p, &p.Ports[0])
	if err := db.QueryRow("SELECT count(*), count(DISTINCT id) FROM "+scan).Scan(&n, &ids); err != nil || n != 1000 || ids != 1000 {
		t.Fatalf("rows %d ids %d err %v", n, ids, err)
	}
}

func TestMesh(t *testing.T) {
	dir := t.TempDir()
	for i := 0; i < 2; i++ { // idempotent
		if err := GenerateMesh(context.Background(), dir); err != nil {
			t.Fatal(err)
		}
	}
}
