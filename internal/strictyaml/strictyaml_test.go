package strictyaml

import (
	"strings"
	"testing"
)

func problems(r *Reporter) string {
	var lines []string
	for _, p := range r.Problems {
		lines = append(lines, p.String())
	}
	return strings.Join(lines, "\n")
}

func TestMappingDuplicateAndUnknownKeys(t *testing.T) {
	r := &Reporter{File: "f.yaml"}
	root := r.Parse([]byte("name: a\ngrups: [x]\nname: b\nkind: k\n"))
	f := r.Mapping(root, "the thing", []string{"name", "groups", "kind"})
	r.Finish(root)
	want := []string{
		`f.yaml:2: unknown key "grups" in the thing; did you mean "groups"? (known keys: name, groups, kind)`,
		`f.yaml:3: key "name" appears twice in the thing (first on line 1, again on line 3); give each key once`,
	}
	if got := problems(r); got != strings.Join(want, "\n") {
		t.Errorf("problems:\n%s\nwant:\n%s", got, strings.Join(want, "\n"))
	}
	if f["name"].Value != "a" {
		t.Errorf("name = %q: a duplicate key must never replace the first value", f["name"].Value)
	}
	if !r.Suggested("groups") || r.Need(f, root, "groups") != nil {
		t.Error("a key suggested for a misspelt one is not reported missing again")
	}
	if len(r.Problems) != 2 {
		t.Errorf("Need reported a suggested key: %s", problems(r))
	}
}

// TestFinishReportsUnreadMappings: a duplicate key in a part of the file
// the loader does not read (free-form properties, the value of an unknown
// key) is still an error, once.
func TestFinishReportsUnreadMappings(t *testing.T) {
	r := &Reporter{File: "f.yaml", Product: "d.p"}
	root := r.Parse([]byte("a:\n  x: 1\n  y: [{k: 1, k: 2}]\n  x: 3\nb: {z: 1, z: 1}\n"))
	f := r.Mapping(root, "top", []string{"a", "b"})
	r.Entries(f["b"], "b")
	r.Finish(root)
	want := []string{
		`f.yaml:5: key "z" appears twice in b (first on line 5, again on line 5); give each key once`,
		`f.yaml:3: key "k" appears twice in the mapping on line 3 (first on line 3, again on line 3); give each key once`,
		`f.yaml:4: key "x" appears twice in the mapping on line 2 (first on line 2, again on line 4); give each key once`,
	}
	got := problems(r)
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("missing %q in:\n%s", w, got)
		}
	}
	if len(r.Problems) != len(want) {
		t.Errorf("%d problems, want %d:\n%s", len(r.Problems), len(want), got)
	}
	for _, p := range r.Problems {
		if p.Product != "d.p" {
			t.Errorf("problem without the product: %+v", p)
		}
	}
}

func TestParse(t *testing.T) {
	for name, c := range map[string]struct{ text, want string }{
		"syntax":          {"a: b\n c: [\n", "f.yaml:2: the file is not valid YAML: "},
		"second document": {"a: 1\n---\nb: 2\n", "f.yaml:2: the file holds a second YAML document"},
		"empty":           {"", ""},
	} {
		t.Run(name, func(t *testing.T) {
			r := &Reporter{File: "f.yaml"}
			r.Parse([]byte(c.text))
			got := problems(r)
			if c.want == "" && got != "" || !strings.HasPrefix(got, c.want) {
				t.Errorf("problems %q, want %q…", got, c.want)
			}
		})
	}
}

func TestTypedHelpers(t *testing.T) {
	r := &Reporter{File: "f.yaml", Hints: map[string]string{"version": " (quote it)"}}
	root := r.Parse([]byte("version: 1.4\nstatus: actve\ntags: [a, 3, '']\nname: ''\n"))
	f := r.Mapping(root, "top", []string{"version", "status", "tags", "name"})
	if v, n := r.Str(f, root, "", "version", true); v != "" || n != nil {
		t.Errorf("a number read as text: %q", v)
	}
	r.Enum(f, root, "status", []string{"active", "retired"}, true)
	if got := r.StrList(f["tags"], "tags"); len(got) != 1 || got[0] != "a" {
		t.Errorf("StrList = %v", got)
	}
	r.Str(f, root, "", "name", true)
	r.Str(f, root, "owner", "team", true)
	want := []string{
		`f.yaml:1: version must be text, not a number (1.4) (quote it)`,
		`f.yaml:2: status "actve" is not one of active, retired; did you mean "active"?`,
		`f.yaml:3: each entry of tags must be non-empty text, not a number (3)`,
		`f.yaml:3: each entry of tags must be non-empty text, not the text ""`,
		`f.yaml:4: name is empty`,
		`f.yaml:1: required key "owner.team" is missing`,
	}
	if got := problems(r); got != strings.Join(want, "\n") {
		t.Errorf("problems:\n%s\nwant:\n%s", got, strings.Join(want, "\n"))
	}
}

func TestClosest(t *testing.T) {
	for s, want := range map[string]string{"grups": "groups", "onwer": "owner", "xyz": "", "descripton": "description"} {
		if got := Closest(s, []string{"groups", "owner", "description"}); got != want {
			t.Errorf("Closest(%q) = %q, want %q", s, got, want)
		}
	}
}
