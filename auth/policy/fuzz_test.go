package policy_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/meshgate/meshgate/auth/policy"
)

// FuzzLoadFile: any policy file loads or is reported as problems with a
// line; never a panic.
func FuzzLoadFile(f *testing.F) {
	for _, p := range []string{"../../testdata/policies/federation.yaml", "../../testdata/policies/domains/sales.yaml", "../../testdata/policies/domains/supply.yaml"} {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("apiVersion: meshgate/v1\nkind: FederationPolicy\ngrants:\n  - id: a\n    id: b\n"))
	f.Add([]byte("{a: [1, {b: *x}]}"))
	path := filepath.Join(f.TempDir(), "federation.yaml")
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		file, problems := policy.LoadFile(path)
		if file == nil && len(problems) == 0 {
			t.Fatalf("LoadFile(%q) returned neither a file nor a problem", data)
		}
	})
}
