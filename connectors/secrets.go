package connectors

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/meshgate/meshgate/planner/catalog"
)

// fileSecrets resolves env: and file: references; see NewSecrets.
type fileSecrets struct {
	baseDir string
	getenv  func(string) string
}

// NewSecrets returns the Secrets that resolve "env:NAME" from the
// process environment and "file:PATH#key" from a secrets file: a YAML
// mapping (key: value) or a .env-style file (KEY=VALUE lines, # comments,
// optional export prefix and quotes). A relative PATH is taken relative
// to baseDir; Open makes the paths of a descriptor's references relative
// to the descriptor's folder before it looks them up. Files are read on
// every lookup, so a rotated secret is picked up by the next Open.
func NewSecrets(baseDir string) Secrets {
	return &fileSecrets{baseDir: baseDir, getenv: os.Getenv}
}

// Lookup implements Secrets. Errors name the reference, never a value.
func (s *fileSecrets) Lookup(ref string) (string, error) {
	if msg := catalog.ValidSecretRef(ref); msg != "" {
		return "", fmt.Errorf("%s", msg)
	}
	if name, ok := strings.CutPrefix(ref, "env:"); ok {
		v := s.getenv(name)
		if v == "" {
			return "", fmt.Errorf("the environment variable %s (from %s) is not set or empty", name, ref)
		}
		return v, nil
	}
	path, key, _ := strings.Cut(strings.TrimPrefix(ref, "file:"), "#")
	if !filepath.IsAbs(path) {
		path = filepath.Join(s.baseDir, path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("cannot read the secrets file %s: %v", path, unwrapPath(err))
	}
	vals, err := parseSecretsFile(data)
	if err != nil {
		return "", fmt.Errorf("the secrets file %s: %v", path, err)
	}
	v, ok := vals[key]
	if !ok || v == "" {
		return "", fmt.Errorf("the secrets file %s has no value for %q", path, key)
	}
	return v, nil
}

func unwrapPath(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}

// parseSecretsFile reads a .env-style file when every meaningful line is
// KEY=VALUE, else a YAML mapping of scalars.
func parseSecretsFile(data []byte) (map[string]string, error) {
	if vals, ok := parseDotEnv(data); ok {
		return vals, nil
	}
	var m map[string]any
	if err := yaml.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("is neither KEY=VALUE lines nor a YAML mapping: %v", err)
	}
	out := map[string]string{}
	for k, v := range m {
		switch v := v.(type) {
		case string:
			out[k] = v
		case int, int64, float64, bool:
			out[k] = fmt.Sprint(v)
		}
	}
	return out, nil
}

func parseDotEnv(data []byte) (map[string]string, bool) {
	out := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	any := false
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		line = strings.TrimPrefix(line, "export ")
		k, v, ok := strings.Cut(line, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" || strings.ContainsAny(k, " :\t") {
			return nil, false
		}
		v = strings.TrimSpace(v)
		if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
			if u, err := strconv.Unquote(v); err == nil {
				v = u
			}
		} else if len(v) >= 2 && v[0] == '\'' && v[len(v)-1] == '\'' {
			v = v[1 : len(v)-1]
		}
		out[k] = v
		any = true
	}
	return out, any
}

// resolveRef makes a file: reference of a descriptor absolute (relative
// to the descriptor's folder) and looks it up.
func resolveRef(secrets Secrets, p *catalog.Product, ref string) (string, error) {
	if secrets == nil {
		return "", fmt.Errorf("no secrets resolver was given for %s", ref)
	}
	if rest, ok := strings.CutPrefix(ref, "file:"); ok && p != nil && p.File != "" {
		path, key, _ := strings.Cut(rest, "#")
		if !filepath.IsAbs(path) {
			ref = "file:" + filepath.Join(filepath.Dir(p.File), path) + "#" + key
		}
	}
	return secrets.Lookup(ref)
}
