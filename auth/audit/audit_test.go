package audit

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

type memSink struct {
	mu   sync.Mutex
	recs []Record
}

func (m *memSink) Append(_ context.Context, recs []Record) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.recs = append(m.recs, recs...)
	return nil
}

func TestWriteRotateAndSink(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "audit.jsonl")
	sink := &memSink{}
	l, err := Open(path, 600, 2, sink, time.Hour, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 10; i++ {
		if err := l.Write(Record{QueryID: "q", User: "analyst", Statement: "SELECT 1", Decision: "allowed", SQLState: "00000", Rows: int64(i)}); err != nil {
			t.Fatal(err)
		}
	}
	// Written to the file before Write returned: readable now, no flush.
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var r Record
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("line %d is not a record: %v", n, err)
		}
		n++
	}
	f.Close()
	if n == 0 || n == 10 {
		t.Fatalf("current file has %d records; rotation should have split 10", n)
	}
	if _, err := os.Stat(path + ".1"); err != nil {
		t.Fatalf("no rotated file: %v", err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if len(sink.recs) != 10 || sink.recs[9].Rows != 9 {
		t.Fatalf("sink got %d records", len(sink.recs))
	}
	if _, err := os.Stat(path + ".3"); err == nil {
		t.Fatal("kept more rotated files than asked")
	}
}
