package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/meshgate/meshgate/internal/strictyaml"
)

// The configuration file (-config meshgate.yaml) is one mapping whose keys
// are serve's flag names, derived from the registered flag set, so a flag
// added to serve is a key without further code:
//
//	listen: 0.0.0.0:5432
//	mesh: [/srv/mesh/sales, /srv/mesh/geo]   # a list is joined with commas
//	tls-cert: /etc/meshgate/server.crt
//	drain-timeout: 30s
//
// It is read by the strict reader (internal/strictyaml): an unknown key
// (with the closest flag suggested), a key given twice and a value the
// flag refuses are reported as file:line. A flag on the command line
// overrides the file's key.

// configFlag is the flag naming the file; it is not itself a key.
const configFlag = "config"

// fileConfig is a parsed configuration file: each key's value as its flag
// takes it, with its line.
type fileConfig struct {
	path   string
	values map[string]string
	lines  map[string]int
}

// readConfig reads and checks a configuration file against the flag set.
func readConfig(path string, fs *flag.FlagSet) (*fileConfig, []strictyaml.Problem) {
	r := &strictyaml.Reporter{File: path}
	data, err := os.ReadFile(path)
	if err != nil {
		r.Errorf(0, "cannot read the configuration file: %v", err)
		return nil, r.Problems
	}
	cfg := &fileConfig{path: path, values: map[string]string{}, lines: map[string]int{}}
	root := r.Parse(data)
	if root == nil {
		return cfg, r.Problems // an empty file configures nothing
	}
	var known []string
	fs.VisitAll(func(f *flag.Flag) {
		if f.Name != configFlag {
			known = append(known, f.Name)
		}
	})
	sort.Strings(known)
	for key, v := range r.Mapping(root, "the configuration", known) {
		value, ok := configValue(r, key, v)
		if !ok {
			continue
		}
		cfg.values[key], cfg.lines[key] = value, v.Line
	}
	r.Finish(root)
	return cfg, r.Problems
}

// configValue is a key's YAML value as flag text: a scalar as written, a
// list of scalars joined with commas.
func configValue(r *strictyaml.Reporter, key string, v *yaml.Node) (string, bool) {
	switch {
	case strictyaml.IsNull(v):
		r.Errorf(v.Line, "%s has no value; give one or remove the key", key)
		return "", false
	case v.Kind == yaml.ScalarNode:
		return v.Value, true
	case v.Kind == yaml.SequenceNode:
		items := r.StrList(v, key)
		return strings.Join(items, ","), len(items) == len(v.Content)
	}
	r.Errorf(v.Line, "%s must be a value or a list of values, not %s", key, strictyaml.KindName(v))
	return "", false
}

type boolValue bool

func (b *boolValue) Set(s string) error {
	switch strings.ToLower(s) {
	case "true", "yes", "on", "1":
		*b = true
	case "false", "no", "off", "0":
		*b = false
	default:
		return fmt.Errorf("%q is not true or false", s)
	}
	return nil
}
func (b *boolValue) String() string   { return fmt.Sprint(bool(*b)) }
func (b *boolValue) IsBoolFlag() bool { return true }

// apply sets every key not given on the command line (set) on the flag
// set. YAML booleans such as yes/on are given to the flag as true/false.
func (c *fileConfig) apply(fs *flag.FlagSet, set map[string]bool) []strictyaml.Problem {
	var out []strictyaml.Problem
	for key, value := range c.values {
		if set[key] {
			continue
		}
		if isBoolFlag(fs.Lookup(key)) {
			var b boolValue
			if err := b.Set(value); err == nil {
				value = b.String()
			}
		}
		if err := fs.Set(key, value); err != nil {
			f := fs.Lookup(key)
			out = append(out, strictyaml.Problem{File: c.path, Line: c.lines[key],
				Message: fmt.Sprintf("%s: %q is not a valid value (%v); the key is -%s: %s (default %q)", key, value, err, key, f.Usage, f.DefValue)})
		}
	}
	return out
}

func isBoolFlag(f *flag.Flag) bool {
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

// parseServe parses serve's arguments, then the configuration file the
// -config flag names (flags on the command line win). It returns the names
// given on the command line, or an exit code.
func parseServe(fs *flag.FlagSet, args []string, stderr io.Writer) (set map[string]bool, cfg *fileConfig, code int) {
	config := fs.String(configFlag, "", "configuration file: a YAML mapping whose keys are these flags' names (flags given here win)")
	if err := fs.Parse(args); err != nil {
		return nil, nil, 2
	}
	set = map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if *config == "" {
		return set, nil, 0
	}
	cfg, problems := readConfig(*config, fs)
	if len(problems) == 0 {
		problems = cfg.apply(fs, set)
	}
	if len(problems) > 0 {
		for _, p := range problems {
			fmt.Fprintln(stderr, p.String())
		}
		fmt.Fprintf(stderr, "meshgate: the configuration file has %d problem(s)\n", len(problems))
		return nil, nil, 2
	}
	return set, cfg, 0
}

// printConfig writes the effective configuration as a configuration file,
// every key with its value and where it came from, secrets hidden.
func printConfig(w io.Writer, fs *flag.FlagSet, set map[string]bool, cfg *fileConfig) {
	fmt.Fprintln(w, "# meshgate serve: the effective configuration (from: flag, file, default)")
	fs.VisitAll(func(f *flag.Flag) {
		if f.Name == configFlag {
			return
		}
		from := "default"
		switch {
		case set[f.Name]:
			from = "flag"
		case cfg != nil && cfg.lines[f.Name] > 0:
			from = fmt.Sprintf("file %s:%d", cfg.path, cfg.lines[f.Name])
		}
		value := hideSecret(f.Name, f.Value.String())
		line := fmt.Sprintf("%s: %s", f.Name, value)
		if _, err := strconv.ParseFloat(value, 64); err != nil && !isBoolFlag(f) {
			out, _ := yaml.Marshal(map[string]string{f.Name: value}) // quoted where YAML needs it
			line = strings.TrimSuffix(string(out), "\n")
		}
		fmt.Fprintf(w, "%s  # %s\n", line, from)
	})
}

// hideSecret hides what a value may hold of a secret: a key whose name
// says it holds one (not a file naming where it is), and the password of
// a URL.
func hideSecret(name, value string) string {
	if value == "" {
		return value
	}
	n := strings.ToLower(name)
	if !strings.HasSuffix(n, "-file") && (strings.Contains(n, "password") || strings.Contains(n, "secret") || strings.Contains(n, "token")) {
		return "(hidden)"
	}
	if u, err := url.Parse(value); err == nil && u.User != nil {
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), "hidden")
			return u.String()
		}
	}
	return value
}

// reloadConfig reads the file again (SIGHUP) and applies the changed keys
// that have a reloader and were not given as flags; a changed key without
// one is logged as needing a restart. A broken file changes nothing.
func reloadConfig(c *fileConfig, fs *flag.FlagSet, set map[string]bool, reloaders map[string]func(string) error, log *slog.Logger) *fileConfig {
	next, problems := readConfig(c.path, fs)
	if len(problems) > 0 {
		msgs := make([]string, len(problems))
		for i, p := range problems {
			msgs[i] = p.String()
		}
		log.Error("configuration reload refused; nothing changed", "file", c.path, "problems", strings.Join(msgs, "; "))
		return c
	}
	keys := map[string]bool{}
	for k := range next.values {
		keys[k] = true
	}
	for k := range c.values {
		keys[k] = true
	}
	applied := &fileConfig{path: c.path, values: map[string]string{}, lines: next.lines}
	for k, v := range c.values {
		applied.values[k] = v
	}
	for k := range keys {
		old, now := c.values[k], next.values[k]
		if old == now || set[k] {
			continue
		}
		reload := reloaders[k]
		if reload == nil {
			log.Warn("configuration key changed; restart meshgate to apply it", "key", k, "file", c.path)
			continue
		}
		if now == "" {
			now = fs.Lookup(k).DefValue
		}
		if err := reload(now); err != nil {
			log.Error("configuration key not reloaded", "key", k, "value", now, "err", err)
			continue
		}
		applied.values[k] = now
		log.Info("configuration key reloaded", "key", k, "value", hideSecret(k, now))
	}
	return applied
}
