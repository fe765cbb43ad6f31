package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshgate/meshgate/auth"
)

func TestPasswdPiped(t *testing.T) {
	stdin = strings.NewReader("s3cret pass\n")
	defer func() { stdin = os.Stdin }()
	code, out, errs := runCmd("passwd")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	v, err := auth.ParseVerifier(strings.TrimSpace(out))
	if err != nil || !v.CheckPassword("s3cret pass") || v.Iterations != 4096 {
		t.Fatalf("verifier %q: %v", out, err)
	}
}

func TestCert(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "certs")
	code, out, errs := runCmd("cert", "-out", dir, "-host", "127.0.0.1,localhost")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if _, err := auth.ServerTLSConfig(filepath.Join(dir, "server.crt"), filepath.Join(dir, "server.key")); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "sslrootcert="+filepath.Join(dir, "ca.crt")) {
		t.Fatalf("output: %s", out)
	}
}
