package catalog_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/meshgate/meshgate/planner/catalog"
)

// FuzzLoad: any product descriptor loads or is reported as problems; never
// a panic.
func FuzzLoad(f *testing.F) {
	for _, p := range []string{"../../testdata/mesh/sales/orders.yaml", "../../testdata/mesh/sales/customers.yaml"} {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("apiVersion: meshgate/v1\nkind: DataProduct\nid: sales.orders\nid: sales.x\n"))
	f.Add([]byte("schema: [{name: a, type: 'decimal(99,100)'}, {name: a, type: int}]"))
	dir := f.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "sales"), 0o700); err != nil {
		f.Fatal(err)
	}
	path := filepath.Join(dir, "sales", "orders.yaml")
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		mesh, problems := catalog.Load(dir)
		if mesh == nil && len(problems) == 0 {
			t.Fatalf("Load returned neither a mesh nor a problem for %q", data)
		}
	})
}
