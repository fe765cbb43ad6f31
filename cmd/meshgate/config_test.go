package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeConfig(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "meshgate.yaml")
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestConfigErrors: unknown keys, duplicate keys and bad values are
// reported with the file and line.
func TestConfigErrors(t *testing.T) {
	p := writeConfig(t, "listen: 127.0.0.1:1\nlisen: 127.0.0.1:2\nthreads: many\nlisten: 127.0.0.1:3\nskip-broken: maybe\n")
	code, _, errs := runCmd("config", "print", "-config", p)
	if code != 2 {
		t.Fatalf("exit %d, stderr %s", code, errs)
	}
	for _, want := range []string{
		p + `:2: unknown key "lisen" in the configuration`,
		`did you mean "listen"`,
		p + `:4: key "listen" appears twice`,
	} {
		if !strings.Contains(errs, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errs)
		}
	}
	p = writeConfig(t, "threads: many\nskip-broken: maybe\n")
	_, _, errs = runCmd("config", "print", "-config", p)
	for _, want := range []string{p + `:1: threads: "many" is not a valid value`, p + `:2: skip-broken: "maybe" is not a valid value`} {
		if !strings.Contains(errs, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errs)
		}
	}
}

// TestConfigPrint: every serve flag is a key, a flag overrides the file,
// and a secret in a URL is hidden.
func TestConfigPrint(t *testing.T) {
	p := writeConfig(t, "listen: 127.0.0.1:1\nthreads: 2\nmesh: [a, b]\ntrace-otlp: http://u:s3cret@127.0.0.1:4318\nskip-broken: yes\n")
	code, out, errs := runCmd("config", "print", "-config", p, "-threads", "3")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{
		"listen: 127.0.0.1:1  # file " + p + ":1",
		"threads: 3  # flag",
		"mesh: a,b  # file " + p + ":3",
		"skip-broken: true  # file",
		"drain-timeout: 30s  # default",
		"trace-otlp: http://u:hidden@127.0.0.1:4318",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("config print lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "s3cret") {
		t.Error("config print shows a password")
	}
	// Every registered serve flag is printed as a key.
	for _, key := range []string{"tls-cert", "audit-file", "snapshot-budget-mb", "max-connections", "metrics-user-labels", "ops"} {
		if !strings.Contains(out, "\n"+key+": ") {
			t.Errorf("key %s missing", key)
		}
	}
}
