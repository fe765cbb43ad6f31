package gateway_test

import (
	"path/filepath"
	"strings"
	"testing"
	"unicode"
)

// TestRedactEveryScriptOverTheWire: a redact mask served through the
// gateway leaves no letter or digit of any script in clear (issue 11),
// and a predicate on the masked column sees the masked value.
func TestRedactEveryScriptOverTheWire(t *testing.T) {
	people := [][2]string{
		{"王小明", "xxx"},
		{"محمد علي ٣٤", "xxxx xxx 00"},
		{"שלום עליכם", "xxxx xxxxx"},
		{"राम शर्मा १२३", "xx xxx 000"},
		{"Zoë Müller 42", "Xxx Xxxxxx 00"},
		{"😀 Ok", "😀 Xx"},
	}
	mesh := t.TempDir()
	var csv strings.Builder
	csv.WriteString("id,name\n")
	for i, p := range people {
		csv.WriteString(strings.Join([]string{string(rune('1' + i)), `"` + p[0] + `"`}, ",") + "\n")
	}
	writeFile(t, filepath.Join(mesh, "hr", "data", "people.csv"), csv.String())
	writeFile(t, filepath.Join(mesh, "hr", "people.yaml"), descriptor("hr", "people",
		"  - name: files\n    type: csv\n    location: data/people.csv\n", []fedCol{{"id", "bigint"}, {"name", "varchar"}}))
	s := startFedGateway(t, mesh, fedPolicy(`masks:
  - id: names-redacted
    products: [hr.people]
    columns: [name]
    mask: redact
`))
	c := s.conn(t)
	rows := textRows(t, c, "SELECT id, name FROM hr.people ORDER BY id")
	if len(rows) != len(people) {
		t.Fatalf("%d rows, want %d", len(rows), len(people))
	}
	for i, r := range rows {
		if r[1] != people[i][1] {
			t.Errorf("name of %q is served as %q, want %q", people[i][0], r[1], people[i][1])
		}
		for _, ch := range r[1] {
			if (unicode.IsLetter(ch) || unicode.IsNumber(ch) || unicode.IsMark(ch)) && ch != 'x' && ch != 'X' && ch != '0' {
				t.Errorf("name of %q is served as %q: %q in clear", people[i][0], r[1], ch)
			}
		}
	}
	if got := one(t, c, "SELECT count(*) FROM hr.people WHERE name LIKE '%王%' OR name LIKE '%ש%' OR name LIKE '%٣%' OR name LIKE '%३%'"); got != "0" {
		t.Errorf("a predicate on the masked column matched %s clear value(s)", got)
	}
}
