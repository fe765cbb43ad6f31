package quality_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/meshgate/meshgate/engine"
	"github.com/meshgate/meshgate/gateway/pgcatalog"
	"github.com/meshgate/meshgate/planner/catalog"
	"github.com/meshgate/meshgate/quality"
)

// items is a CSV product with known violations (see the comments of each
// rule below for what it measures). id 2 is given twice, qty is empty once
// and 100 once, code is empty once, "N/A" once and "zz" once, price is
// negative once; the newest updated_at is 2026-06-04 12:00 UTC.
const itemsCSV = `id,code,qty,price,made,updated_at
1,A1,5,10.00,2024-01-01,2026-06-01 00:00:00+00
2,B2,,20.00,2024-01-02,2026-06-01 00:00:00+00
2,N/A,3,-1.00,2024-01-03,2026-06-01 00:00:00+00
3,,7,30.00,2024-01-04,2026-06-02 00:00:00+00
4,zz,100,40.00,2024-01-05,2026-06-02 00:00:00+00
5,C3,8,50.00,2024-01-06,2026-06-03 00:00:00+00
6,D4,9,60.00,2024-01-07,2026-06-03 00:00:00+00
7,E5,10,70.00,2024-01-08,2026-06-04 12:00:00+00
`

const itemsHead = `apiVersion: meshgate/v1
kind: DataProduct
id: shop.items
domain: shop
name: items
version: 1.0.0
status: active
type: source-aligned
description: Items with known violations.
owner: {team: Quality Tests, contact: q@example.com}
outputPorts:
  - name: files
    type: csv
    location: data/items.csv
`

// writeMesh writes shop.items with the given schema and product-level
// YAML (quality:, slaProperties:) and shop.other, a second product.
func writeMesh(t *testing.T, schema, product string) string {
	t.Helper()
	dir := t.TempDir()
	write := func(rel, body string) {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("shop/data/items.csv", itemsCSV)
	write("shop/items.yaml", itemsHead+"schema:\n"+schema+product)
	write("shop/data/other.csv", "x\n1\n")
	write("shop/other.yaml", strings.NewReplacer("id: shop.items", "id: shop.other", "name: items", "name: other", "items.csv", "other.csv").Replace(itemsHead)+
		"schema:\n  - name: x\n    type: bigint\n")
	return dir
}

func openEngine(t *testing.T, dir string) *engine.Engine {
	t.Helper()
	mesh, problems := catalog.Load(dir)
	if len(problems) > 0 {
		t.Fatalf("mesh problems: %v", problems)
	}
	eng, portProblems, err := engine.Open(context.Background(), mesh, engine.Config{Threads: 1, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(eng.Close)
	if len(portProblems) > 0 {
		t.Fatalf("port problems: %v", portProblems)
	}
	// The client catalog's functions, as serve and check set them up.
	if err := eng.Setup(pgcatalog.SharedStatements("mesh", "test", time.Now())); err != nil {
		t.Fatal(err)
	}
	return eng
}

const itemsColumns = `  - name: id
    type: bigint
  - name: code
    type: varchar
  - name: qty
    type: integer
  - name: price
    type: decimal(10,2)
  - name: made
    type: date
  - name: updated_at
    type: timestamptz
`

// TestMetricsAndThresholds checks every library metric, a sql rule and
// every threshold on a file with known violations: each rule passes or
// fails where expected, with the measured value.
func TestMetricsAndThresholds(t *testing.T) {
	schema := `  - name: id
    type: bigint
    unique: true
  - name: code
    type: varchar
    logicalTypeOptions: {pattern: '[A-Z][0-9]'}
    quality:
      - {name: code_nulls, metric: nullValues, mustBe: 1}
      - {name: code_missing, metric: missingValues, missingValues: [null, N/A], mustBeLessThan: 2}
      - {name: code_missing_pct, metric: missingValues, arguments: {missingValues: [null, N/A]}, unit: percent, mustBeLessOrEqualTo: 25}
      - {name: code_pattern, metric: invalidValues, mustBe: 0, severity: warning}
      - {name: code_listed, metric: invalidValues, validValues: [A1, B2, C3, D4, E5], mustNotBe: 2}
  - name: qty
    type: integer
    quality:
      - {name: qty_nulls, metric: nullValues, mustBeGreaterOrEqualTo: 1}
      - {name: qty_max, metric: invalidValues, arguments: {maximum: 50}, mustBeGreaterThan: 1}
  - name: price
    type: decimal(10,2)
    logicalTypeOptions: {minimum: 0}
    quality:
      - {name: price_negative, metric: invalidValues, mustBeBetween: [0, 1]}
      - {name: price_dups, metric: duplicateValues, mustNotBeBetween: [0, 1]}
  - name: made
    type: date
    quality:
      - {name: made_range, metric: invalidValues, arguments: {minimum: "2024-01-02", maximum: "2024-01-07"}, mustBe: 2}
  - name: updated_at
    type: timestamptz
`
	product := `quality:
  - {name: rows, metric: rowCount, mustBeBetween: [1, 8]}
  - {name: rows_many, metric: rowCount, mustBeGreaterThan: 100}
  - {name: total_qty, type: sql, query: "SELECT sum(qty) FROM shop.items", mustBe: 142}
  - {name: big_qty, type: sql, query: "SELECT count(*) FROM items WHERE qty > 50", mustBeLessThan: 1}
`
	eng := openEngine(t, writeMesh(t, schema, product))
	p := eng.Product(catalog.Address{Domain: "shop", Name: "items"})
	r := &quality.Runner{Engine: eng, Timeout: time.Minute}
	rep := r.Check(context.Background(), p)
	if rep.Unreachable != "" {
		t.Fatal(rep.Unreachable)
	}
	want := map[string]struct {
		measured float64
		status   string
	}{
		"id_unique":        {1, quality.Fail},   // id 2 twice; mustBe 0
		"code_nulls":       {1, quality.Pass},   // mustBe 1
		"code_missing":     {2, quality.Fail},   // NULL and N/A; mustBeLessThan 2
		"code_missing_pct": {25, quality.Pass},  // 2 of 8; mustBeLessOrEqualTo 25
		"code_pattern":     {2, quality.Fail},   // N/A and zz; mustBe 0
		"code_listed":      {2, quality.Fail},   // N/A and zz; mustNotBe 2
		"qty_nulls":        {1, quality.Pass},   // mustBeGreaterOrEqualTo 1
		"qty_max":          {1, quality.Fail},   // 100; mustBeGreaterThan 1
		"price_negative":   {1, quality.Pass},   // -1.00; mustBeBetween [0, 1]
		"price_dups":       {0, quality.Fail},   // mustNotBeBetween [0, 1]
		"made_range":       {2, quality.Pass},   // 2024-01-01 and 2024-01-08; mustBe 2
		"rows":             {8, quality.Pass},   // mustBeBetween [1, 8]
		"rows_many":        {8, quality.Fail},   // mustBeGreaterThan 100
		"total_qty":        {142, quality.Pass}, // 5+3+7+100+8+9+10
		"big_qty":          {1, quality.Fail},   // mustBeLessThan 1
	}
	if len(rep.Results) != len(want) {
		t.Errorf("got %d results, want %d: %+v", len(rep.Results), len(want), rep.Results)
	}
	for _, res := range rep.Results {
		w, ok := want[res.Rule]
		if !ok {
			t.Errorf("unexpected rule %s", res.Rule)
			continue
		}
		if res.Measured == nil || *res.Measured != w.measured || res.Status != w.status {
			m := "NULL"
			if res.Measured != nil {
				m = catalog.FormatNumber(*res.Measured)
			}
			t.Errorf("%s: measured %s, status %s (%s); want %v, %s", res.Rule, m, res.Status, res.Error, w.measured, w.status)
		}
	}
}

// TestRuleCannotRun: a sql rule reading another product, one returning
// two columns and one that is not a number are errors with the reason
// (never a pass), and Validate reports them at their lines.
func TestRuleCannotRun(t *testing.T) {
	product := `quality:
  - {name: other, type: sql, query: "SELECT count(*) FROM shop.other", mustBe: 1}
  - {name: two, type: sql, query: "SELECT 1, 2 FROM shop.items", mustBe: 1}
  - {name: text, type: sql, query: "SELECT max(code) FROM shop.items", mustBe: 1}
  - {name: file, type: sql, query: "SELECT count(*) FROM 'data/items.csv'", mustBe: 1}
`
	eng := openEngine(t, writeMesh(t, itemsColumns, product))
	p := eng.Product(catalog.Address{Domain: "shop", Name: "items"})
	rep := (&quality.Runner{Engine: eng}).Check(context.Background(), p)
	reasons := map[string]string{
		"other": "may read only shop.items",
		"two":   "returns 2 columns",
		"text":  "must return a number",
		"file":  "not allowed",
	}
	for _, res := range rep.Results {
		if res.Status != quality.Error || !strings.Contains(res.Error, reasons[res.Rule]) {
			t.Errorf("%s: status %s, error %q; want error naming %q", res.Rule, res.Status, res.Error, reasons[res.Rule])
		}
	}
	problems := quality.Validate(context.Background(), eng)
	if len(problems) != 4 {
		t.Fatalf("Validate: %v", problems)
	}
	for i, pr := range problems {
		if pr.Line != 29+i || !strings.HasSuffix(pr.File, "items.yaml") {
			t.Errorf("problem %d at %s:%d: %s", i, pr.File, pr.Line, pr.Message)
		}
	}
}

// TestHealthTransitions: healthy, then failing once the file holds a
// duplicate, healthy again after it is fixed, then stale when the clock
// passes the freshness SLA; the history keeps every run.
func TestHealthTransitions(t *testing.T) {
	schema := strings.Replace(itemsColumns, "type: bigint\n", "type: bigint\n    primaryKey: true\n", 1)
	dir := writeMesh(t, schema, "slaProperties:\n  - {property: latency, value: 1, unit: d, element: items.updated_at}\n")
	csv := filepath.Join(dir, "shop", "data", "items.csv")
	fixed := strings.Replace(itemsCSV, "2,N/A,", "8,N/A,", 1)
	if err := os.WriteFile(csv, []byte(fixed), 0o644); err != nil {
		t.Fatal(err)
	}
	eng := openEngine(t, dir)
	a := catalog.Address{Domain: "shop", Name: "items"}
	p := eng.Product(a)
	now := time.Date(2026, 6, 5, 0, 0, 0, 0, time.UTC) // 12h after the newest row
	clock := func() time.Time { return now }
	var published [][]engine.HealthRow
	tr := quality.NewTracker(eng.Products(), clock, false, func(q []engine.QualityRow, h []engine.HealthRow) { published = append(published, h) })
	r := &quality.Runner{Engine: eng, Now: clock}
	if s := tr.Status(a); s.State != quality.Unchecked {
		t.Fatalf("before a check: %s", s.State)
	}
	step := func(data, want string) quality.Status {
		t.Helper()
		if data != "" {
			if err := os.WriteFile(csv, []byte(data), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		tr.Record(r.Check(context.Background(), p))
		s := tr.Status(a)
		if s.State != want {
			t.Fatalf("status %s (%s), want %s", s.State, s.Message(), want)
		}
		return s
	}
	step("", quality.Healthy)
	now = now.Add(time.Hour)
	s := step(itemsCSV, quality.Failing)
	if msg := s.Message(); !strings.Contains(msg, "product shop.items is failing its contract: rule id_primary_key (duplicateValues of id 1, expected = 0)") {
		t.Errorf("message: %s", msg)
	}
	if !s.Since.Equal(now) {
		t.Errorf("since %v, want %v", s.Since, now)
	}
	now = now.Add(time.Hour)
	step(fixed, quality.Healthy)
	// No new check: the clock alone makes the product stale.
	now = time.Date(2026, 6, 6, 0, 0, 0, 0, time.UTC)
	if s := tr.Status(a); s.State != quality.Stale || !strings.Contains(s.Message(), "past its freshness SLA of 1 d") {
		t.Errorf("after the SLA: %s: %s", s.State, s.Message())
	}
	tr.Publish()
	last := published[len(published)-1]
	if len(last) != 1 || last[0].Status != quality.Stale || !last[0].HasAge || last[0].Age != 36*time.Hour || last[0].SLA != 24*time.Hour {
		t.Errorf("published health: %+v", last)
	}
}

// TestCheckTimeout: a check slower than its timeout is an error with the
// reason on every rule, never a pass.
func TestCheckTimeout(t *testing.T) {
	product := `quality:
  - {name: slow, type: sql, query: "SELECT count(*) FROM shop.items, range(2000000000)", mustBeGreaterThan: 0}
`
	eng := openEngine(t, writeMesh(t, itemsColumns, product))
	p := eng.Product(catalog.Address{Domain: "shop", Name: "items"})
	start := time.Now()
	rep := (&quality.Runner{Engine: eng, Timeout: 300 * time.Millisecond}).Check(context.Background(), p)
	if time.Since(start) > 20*time.Second {
		t.Errorf("the check was not interrupted (took %s)", time.Since(start))
	}
	if len(rep.Results) != 1 || rep.Results[0].Status != quality.Error || !strings.Contains(rep.Results[0].Error, "did not finish within its timeout of 300ms") {
		t.Errorf("results: %+v", rep.Results)
	}
}

// TestUnreachable: a port whose file is gone makes the product
// unreachable, not passing.
func TestUnreachable(t *testing.T) {
	dir := writeMesh(t, itemsColumns, "quality:\n  - {name: rows, metric: rowCount, mustBeGreaterThan: 0}\n")
	eng := openEngine(t, dir)
	if err := os.Remove(filepath.Join(dir, "shop", "data", "items.csv")); err != nil {
		t.Fatal(err)
	}
	a := catalog.Address{Domain: "shop", Name: "items"}
	tr := quality.NewTracker(eng.Products(), nil, false, nil)
	tr.Record((&quality.Runner{Engine: eng}).Check(context.Background(), eng.Product(a)))
	if s := tr.Status(a); s.State != quality.Unreachable || !strings.Contains(s.Message(), "cannot be read") {
		t.Errorf("%s: %s", s.State, s.Message())
	}
}
