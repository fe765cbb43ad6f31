package auth

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestDemoUsers(t *testing.T) {
	d, err := LoadDirectory("../testdata/users.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if got := d.Names(); !reflect.DeepEqual(got, []string{"admin", "analyst", "steward"}) {
		t.Errorf("Names() = %v", got)
	}
	for name, want := range map[string]User{
		"analyst": {Name: "analyst", Groups: []string{"analysts"}, Attributes: map[string]string{"region": "EU"}},
		"steward": {Name: "steward", Groups: []string{"analysts", "stewards"}, Attributes: map[string]string{"clearance": "pii"}},
		"admin":   {Name: "admin", Groups: []string{"admins"}, Attributes: map[string]string{}},
	} {
		u, ok := d.Lookup(name)
		if !ok {
			t.Fatalf("Lookup(%q) failed", name)
		}
		u2 := *u
		u2.Line, u2.Password, u2.Limits = 0, "", Limits{}
		// The demo password of each user is documented in README.
		if v, err := ParseVerifier(u.Password); err != nil || !v.CheckPassword(name+"-demo") {
			t.Errorf("%s: the verifier does not match the documented demo password %s-demo (%v)", name, name, err)
		}
		if !reflect.DeepEqual(u2, want) {
			t.Errorf("Lookup(%q) = %+v, want %+v", name, u2, want)
		}
	}
	if u, _ := d.Lookup("steward"); !u.InGroup("stewards") || u.InGroup("admins") {
		t.Error("InGroup")
	}
	if _, ok := d.Lookup("nobody"); ok {
		t.Error("Lookup(nobody) succeeded")
	}
}

func TestLoadDirectoryProblems(t *testing.T) {
	for name, c := range map[string]struct {
		yaml string
		want []string // "line: message substring"
	}{
		"unknown key":    {"users:\n  - name: a\n    grups: [x]\n", []string{`3: unknown key "grups" in user "a"; did you mean "groups"?`}},
		"duplicate user": {"users:\n  - name: a\n  - name: b\n  - name: a\n", []string{`4: user "a" is defined twice (first on line 2)`}},
		"bad names": {"users:\n  - name: Bob\n  - name: c\n    groups: [Data Team]\n    attributes: {Region: EU}\n", []string{
			`2: user name "Bob" is not valid`,
			`4: group name "Data Team" of user "c" is not valid`,
			`5: attribute name "Region" of user "c" is not valid`}},
		"wrong types": {"users:\n  - name: a\n    groups: analysts\n    attributes: [x]\n", []string{
			`3: groups of user "a" must be a list`, `4: attributes of user "a" must be a mapping`}},
		"clear password": {"users:\n  - name: a\n    password: secret\n", []string{`3: password of user "a" must be a SCRAM-SHA-256 verifier`}},
		"bad verifier":   {"users:\n  - name: a\n    password: SCRAM-SHA-256$x\n", []string{`3: password of user "a" is not a well-formed SCRAM-SHA-256 verifier`}},
		"missing name":   {"users:\n  - groups: [a]\n", []string{`2: user 1 has no name`}},
		"duplicate key":  {"users:\n  - name: a\n    name: b\n", []string{`3: key "name" appears twice in user "a"`}},
		"duplicate attribute": {"users:\n  - name: a\n    attributes: {region: EU, region: US}\n", []string{
			`3: key "region" appears twice in attributes of user "a" (first on line 3, again on line 3)`}},
		"duplicate top key": {"users:\n  - name: a\nusers:\n  - name: b\n", []string{
			`3: key "users" appears twice in the users file (first on line 1, again on line 3)`}},
		"duplicate access key": {"users:\n  - name: a\naccess:\n  - {type: host, method: trust, method: reject}\n", []string{
			`4: key "method" appears twice in access rule 1 (first on line 4, again on line 4)`}},
		"misspelt access key and duplicate": {"users:\n  - name: a\naccess:\n  - type: host\n    metod: reject\n    type: hostssl\n", []string{
			`4: access rule 1 has no method`,
			`5: unknown key "metod" in access rule 1; did you mean "method"?`,
			`6: key "type" appears twice in access rule 1 (first on line 4, again on line 6)`}},
		"second document": {"users:\n  - name: a\n---\nusers:\n  - name: b\n", []string{`3: the file holds a second YAML document`}},
		"yaml syntax":     {"users:\n  - name: a\n   groups: [\n", []string{`: the file is not valid YAML`}},
		"no users":        {"kind: Users\n", []string{`1: required key "users" is missing`}},
		"wrong kind":      {"kind: User\nusers: []\n", []string{`1: kind must be "Users"`}},
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "users.yaml")
			if err := os.WriteFile(path, []byte(c.yaml), 0o644); err != nil {
				t.Fatal(err)
			}
			d, err := LoadDirectory(path)
			var le *LoadError
			if !errors.As(err, &le) || d != nil {
				t.Fatalf("LoadDirectory = %v, %v; want a *LoadError", d, err)
			}
			if len(le.Problems) != len(c.want) {
				t.Errorf("got %d problems, want %d:\n%v", len(le.Problems), len(c.want), err)
			}
			for i, w := range c.want {
				if i < len(le.Problems) && !strings.Contains(le.Problems[i].Error(), path+":"+w) && !strings.Contains(le.Problems[i].Error(), w) {
					t.Errorf("problem %d = %s\nwant …%s…", i, le.Problems[i].Error(), w)
				}
			}
		})
	}
	ok := "users:\n  - name: a\n    password: SCRAM-SHA-256$4096:c2FsdA==$U3RvcmVkS2V5:U2VydmVyS2V5\n"
	path := filepath.Join(t.TempDir(), "users.yaml")
	os.WriteFile(path, []byte(ok), 0o644)
	d, err := LoadDirectory(path)
	if err != nil {
		t.Fatal(err)
	}
	if u, _ := d.Lookup("a"); !strings.HasPrefix(u.Password, "SCRAM-SHA-256$4096:") {
		t.Errorf("password = %q", u.Password)
	}
	if _, err := LoadDirectory(filepath.Join(t.TempDir(), "missing.yaml")); err == nil {
		t.Error("missing file accepted")
	}
}
