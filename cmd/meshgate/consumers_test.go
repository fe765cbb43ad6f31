package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestValidateWarnsActiveConsumers: a breaking change of a product that
// the audit shows being read (directly and through the aggregate derived
// from it) is a warning naming the consumers, beside the problem.
func TestValidateWarnsActiveConsumers(t *testing.T) {
	needDemo(t)
	mesh := filepath.Join(t.TempDir(), "mesh")
	if out, err := exec.Command("cp", "-r", demoMesh, mesh).CombinedOutput(); err != nil {
		t.Fatalf("copy mesh: %v %s", err, out)
	}
	desc := filepath.Join(mesh, "geo", "countries.yaml")
	b, err := os.ReadFile(desc)
	if err != nil {
		t.Fatal(err)
	}
	// geo.countries retypes a column: its CSV file no longer fits.
	broken := strings.Replace(string(b), "  - name: population\n    type: bigint", "  - name: population\n    type: date", 1)
	if broken == string(b) {
		t.Fatal("edit does not apply")
	}
	if err := os.WriteFile(desc, []byte(broken), 0o644); err != nil {
		t.Fatal(err)
	}
	auditFile := filepath.Join(t.TempDir(), "audit.jsonl")
	if err := os.WriteFile(auditFile, []byte(
		`{"time":"2026-12-01T10:00:00Z","user":"analyst","kind":"read","statement":"SELECT * FROM sales.revenue_by_country","products":["sales.revenue_by_country@1.0.0"],"decision":"allowed"}`+"\n"+
			`{"time":"2026-12-02T10:00:00Z","user":"steward","kind":"read","statement":"SELECT * FROM geo.countries","products":["geo.countries@1.0.0"],"decision":"allowed"}`+"\n"+
			`{"time":"2026-12-03T10:00:00Z","user":"mallory","kind":"read","statement":"SELECT * FROM geo.countries","products":["geo.countries@1.0.0"],"decision":"denied"}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs := runCmd("validate", "-audit-file", auditFile, mesh)
	if code != 1 {
		t.Fatalf("exit %d, want 1\nstdout:\n%s\nstderr:\n%s", code, out, errs)
	}
	want := "warning: product geo.countries has active consumers: 2 statement(s) by 2 reader(s) in the audit, last 2026-12-02T10:00:00Z, also through sales.revenue_by_country; this change breaks them"
	if !strings.Contains(out, want) || !strings.Contains(out, "countries.yaml:") {
		t.Errorf("want %q in\n%s", want, out)
	}
	if code, _, errs := runCmd("validate", "-audit-file", filepath.Join(t.TempDir(), "none.jsonl"), mesh); code != 2 || !strings.Contains(errs, "-audit-file") {
		t.Errorf("a missing audit file: exit %d, %s", code, errs)
	}
}
