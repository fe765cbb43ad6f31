package main

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshgate/meshgate/connectors/pgtest"
)

// TestCheckDemo: the demo mesh passes its error rules (exit 0) and
// supply.shipments fails its warning rule, on purpose.
func TestCheckDemo(t *testing.T) {
	code, out, errs := runCmd("check", "../../testdata/mesh")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
	for _, want := range []string{
		"fail  supply.shipments.parcel_weight_limit: invalidValues of weight_kg measured 17.416666, mustBeLessThan 5 (warning, ",
		"pass  sales.orders.order_id_primary_key: duplicateValues of order_id measured 0, mustBe 0 (error, ",
		"pass  sales.orders.few_large_orders: sql measured 25, mustBeLessOrEqualTo 200 (warning, ",
		"9 rule(s) passed, 1 failed, 0 could not run, in 3 product(s)\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	code, out, _ = runCmd("check", "-product", "sales.orders", "-format", "json", "../../testdata/mesh")
	var reports []struct {
		Product string
		Rules   []struct{ Rule, Status string }
	}
	if err := json.Unmarshal([]byte(out), &reports); err != nil || code != 0 || len(reports) != 1 || reports[0].Product != "sales.orders" || len(reports[0].Rules) != 6 {
		t.Errorf("json: exit %d, %v, %+v\n%s", code, err, reports, out)
	}
	if code, _, errs := runCmd("check", "-product", "sales.nothing", "../../testdata/mesh"); code != 2 || !strings.Contains(errs, "product sales.nothing is not in the mesh") {
		t.Errorf("unknown product: exit %d, %s", code, errs)
	}
	if code, _, errs := runCmd("check", "-format", "xml", "../../testdata/mesh"); code != 2 || !strings.Contains(errs, `-format "xml" is not one of text, json, junit`) {
		t.Errorf("bad format: exit %d, %s", code, errs)
	}
}

// TestCheckPostgres runs rules against a real PostgreSQL table with known
// violations: exit 1 for the failing error rule, JUnit output naming it,
// and exit 2 once the port cannot be read.
func TestCheckPostgres(t *testing.T) {
	pg := pgtest.Start(t)
	pg.Exec(t, "CREATE TABLE public.parts (id bigint, sku text, qty integer)",
		"INSERT INTO public.parts VALUES (1, 'P-1', 3), (2, 'P-2', NULL), (2, 'bad', 5), (3, 'P-3', 7)")
	dir := t.TempDir()
	desc := fmt.Sprintf(`apiVersion: meshgate/v1
kind: DataProduct
id: plant.parts
domain: plant
name: parts
version: 1.0.0
status: active
type: source-aligned
description: Parts with a duplicate id.
owner: {team: Plant, contact: plant@example.com}
outputPorts:
  - name: pg
    type: postgres
    options: {host: 127.0.0.1, port: %d, database: postgres, table: parts, user: postgres, sslmode: disable, connect_timeout: 2s}
schema:
  - name: id
    type: bigint
    primaryKey: true
  - name: sku
    type: varchar
    logicalTypeOptions: {pattern: 'P-[0-9]+'}
    quality:
      - {name: sku_format, metric: invalidValues, mustBe: 0, severity: warning}
  - name: qty
    type: integer
    quality:
      - {name: qty_present, metric: nullValues, unit: percent, mustBeLessThan: 30}
`, pg.Port)
	if err := os.MkdirAll(filepath.Join(dir, "plant"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "plant", "parts.yaml"), []byte(desc), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs := runCmd("check", "-format", "junit", dir)
	if code != 1 {
		t.Fatalf("exit %d, want 1\n%s\n%s", code, out, errs)
	}
	var doc struct {
		Suites []struct {
			Name     string `xml:"name,attr"`
			Tests    int    `xml:"tests,attr"`
			Failures int    `xml:"failures,attr"`
			Errors   int    `xml:"errors,attr"`
			Cases    []struct {
				Name    string `xml:"name,attr"`
				Failure *struct {
					Type    string `xml:"type,attr"`
					Message string `xml:"message,attr"`
				} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("junit: %v\n%s", err, out)
	}
	if len(doc.Suites) != 1 || doc.Suites[0].Name != "plant.parts" || doc.Suites[0].Tests != 4 || doc.Suites[0].Failures != 2 || doc.Suites[0].Errors != 0 {
		t.Fatalf("junit suites: %+v", doc.Suites)
	}
	failed := map[string]string{}
	for _, c := range doc.Suites[0].Cases {
		if c.Failure != nil {
			failed[c.Name] = c.Failure.Type + ": " + c.Failure.Message
		}
	}
	want := map[string]string{
		"id_primary_key": "error: duplicateValues of id measured 1, expected mustBe 0",
		"sku_format":     "warning: invalidValues of sku measured 1, expected mustBe 0",
	}
	if fmt.Sprint(failed) != fmt.Sprint(want) {
		t.Errorf("failures %v, want %v", failed, want)
	}
	// The table fixed: every rule passes (qty: 1 NULL of 4 = 25% < 30%).
	pg.Exec(t, "UPDATE public.parts SET id = 4, sku = 'P-4' WHERE sku = 'bad'")
	if code, out, errs := runCmd("check", dir); code != 0 || !strings.Contains(out, "pass  plant.parts.qty_present: nullValues of qty measured 25, mustBeLessThan 30") {
		t.Errorf("after the fix: exit %d\n%s\n%s", code, out, errs)
	}
	pg.Stop()
	code, out, errs = runCmd("check", dir)
	if code != 2 {
		t.Errorf("port down: exit %d, want 2\n%s\n%s", code, out, errs)
	}
}
