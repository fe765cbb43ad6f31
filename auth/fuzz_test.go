package auth

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzLoadDirectory: any users file loads or fails with an error; never a
// panic.
func FuzzLoadDirectory(f *testing.F) {
	if b, err := os.ReadFile("../testdata/users.yaml"); err == nil {
		f.Add(b)
	}
	f.Add([]byte("apiVersion: meshgate/v1\nkind: Users\nusers:\n  - name: a\n    name: b\n"))
	f.Add([]byte("access:\n  - {type: host, address: 10.0.0.0/33, method: scram-sha-256}\n"))
	path := filepath.Join(f.TempDir(), "users.yaml")
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		d, err := LoadDirectory(path)
		if d == nil && err == nil {
			t.Fatalf("LoadDirectory(%q) returned neither users nor an error", data)
		}
	})
}
