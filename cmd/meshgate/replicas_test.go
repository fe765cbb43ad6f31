package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Bad replica flags stop serve with exit 2 and a sentence naming the flag.
func TestServeReplicaFlagErrors(t *testing.T) {
	needDemo(t)
	open := filepath.Join(t.TempDir(), "open")
	if err := os.Mkdir(open, 0o777); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(open, 0o777); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		flags []string
		want  string
	}{
		{"id out of range", []string{"-replica-id", "200"}, "-replica-id 200 is outside 0 to 63"},
		{"peers without an id", []string{"-peers", "127.0.0.1:5433"}, "-peers needs -replica-id"},
		{"a peer that is no address", []string{"-replica-id", "1", "-peers", "replica-two"}, `-peers: "replica-two" is not host:port`},
		{"itself as a peer", []string{"-replica-id", "1", "-peers", "127.0.0.1:0"}, "own -listen address"},
		{"a state directory others can write", []string{"-state-dir", open}, "writable by other users"},
	} {
		t.Run(c.name, func(t *testing.T) {
			args := append([]string{"serve", "-mesh", demoMesh, "-users", demoUsers, "-policies", demoPolicies,
				"-listen", "127.0.0.1:0", "-ops", "", "-audit-file", filepath.Join(t.TempDir(), "audit.jsonl"), "-threads", "1"}, c.flags...)
			code, _, errs := runCmd(args...)
			if code != 2 || !strings.Contains(errs, c.want) {
				t.Fatalf("exit %d, stderr %q; want 2 saying %q", code, errs, c.want)
			}
		})
	}
}
