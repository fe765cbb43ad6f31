package benchmd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestUpdateSection(t *testing.T) {
	path := filepath.Join(t.TempDir(), "BENCHMARKS.md")
	if err := UpdateSection(path, "wire", "Wire throughput", "Intro.", "first\n"); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, append(mustRead(t, path), []byte("\n## Findings\n\nkept by hand\n")...), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := UpdateSection(path, "wire", "Wire throughput", "Intro.", "second\n"); err != nil {
		t.Fatal(err)
	}
	if err := UpdateSection(path, "tpch", "TPC-H", "Queries.", "q01\n"); err != nil {
		t.Fatal(err)
	}
	got := string(mustRead(t, path))
	for _, want := range []string{"# Benchmarks\n", "## Wire throughput\n\nIntro.\n\n<!-- wire:begin -->\nsecond\n<!-- wire:end -->", "kept by hand", "## TPC-H\n\nQueries.\n\n<!-- tpch:begin -->\nq01\n<!-- tpch:end -->"} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in:\n%s", want, got)
		}
	}
	if strings.Contains(got, "first") || strings.Count(got, "## Wire throughput") != 1 {
		t.Errorf("section not replaced in place:\n%s", got)
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
