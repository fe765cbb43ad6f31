package catalog_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshgate/meshgate/planner/catalog"
)

// editedDescriptor writes the descriptor at src (relative to testdata)
// into a fresh mesh as domain/name.yaml, with each old → new replacement
// applied once, and copies the data file of a file port along. It returns
// the mesh directory and the descriptor's path in it.
func editedDescriptor(t *testing.T, src string, edits ...string) (string, string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("../../testdata", src))
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	for i := 0; i+1 < len(edits); i += 2 {
		if !strings.Contains(text, edits[i]) {
			t.Fatalf("%s does not contain %q", src, edits[i])
		}
		text = strings.Replace(text, edits[i], edits[i+1], 1)
	}
	mesh := t.TempDir()
	parts := strings.Split(src, "/")
	dst := filepath.Join(mesh, parts[len(parts)-2], parts[len(parts)-1])
	if err := os.MkdirAll(filepath.Join(filepath.Dir(dst), "data"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(src, "mesh/sales/customers.yaml") {
		csv, err := os.ReadFile(filepath.Join(meshDir, "sales/data/customers.csv"))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(filepath.Dir(dst), "data", "customers.csv"), csv, 0o644)
	}
	return mesh, dst
}

// TestDescriptorDuplicateKeys: a key given twice anywhere in a descriptor
// or its port is an error naming both lines; a misspelt key suggests the
// closest known one; each is reported with file:line.
func TestDescriptorDuplicateKeys(t *testing.T) {
	cases := []struct {
		name  string
		src   string
		edits []string
		want  []string // "line: message prefix"
	}{
		{"top_key", "mesh/sales/customers.yaml", []string{"tags: [customers, crm]\n", "tags: [customers, crm]\nversion: 3.0.0\n"},
			[]string{`12: key "version" appears twice in the descriptor (first on line 6, again on line 12)`}},
		{"column_key", "mesh/sales/customers.yaml", []string{"    type: bigint\n", "    type: bigint\n    type: varchar\n"},
			[]string{`20: key "type" appears twice in column 1 (first on line 19, again on line 20)`}},
		{"owner_key", "mesh/sales/customers.yaml", []string{"owner: {team: Sales Engineering,", "owner: {team: Sales Engineering, team: Other,"},
			[]string{`10: key "team" appears twice in owner (first on line 10, again on line 10)`}},
		{"file_port_option", "mesh/sales/customers.yaml", []string{`options: {header: true, delimiter: ","}`, `options: {header: true, delimiter: ",", header: false}`},
			[]string{`16: key "header" appears twice in options of port "files" (first on line 16, again on line 16)`}},
		{"custom_properties", "mesh/sales/customers.yaml", []string{"tags: [customers, crm]\n", "tags: [customers, crm]\ncustomProperties:\n  tier: gold\n  tier: silver\n"},
			[]string{`14: key "tier" appears twice in the mapping on line 13 (first on line 13, again on line 14)`}},
		{"remote_option", "federation/sales/customers.yaml", []string{"      table: customers\n", "      table: customers\n      table: accounts\n"},
			[]string{`21: key "table" appears twice in options of port "pg" (first on line 20, again on line 21)`}},
		{"remote_columns_map", "federation/geo/countries.yaml", []string{"columns: {country_code: countryCode}", "columns: {country_code: countryCode, country_code: cc}"},
			[]string{`26: key "country_code" appears twice in option columns of port "api" (first on line 26, again on line 26)`}},
		{"misspelt_and_duplicate", "mesh/sales/customers.yaml", []string{"tags: [customers, crm]\n", "tagz: [customers, crm]\nstatus: retired\n"},
			[]string{
				`11: unknown key "tagz" in the descriptor; did you mean "tags"?`,
				`12: key "status" appears twice in the descriptor (first on line 7, again on line 12)`,
			}},
		{"misspelt_remote_option", "federation/sales/customers.yaml", []string{"      sslmode: disable\n", "      sslmod: disable\n"},
			[]string{`23: unknown option "sslmod" for the postgres port "pg"; did you mean "sslmode"?`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			mesh, file := editedDescriptor(t, tc.src, tc.edits...)
			m, problems := catalog.Load(mesh)
			if len(m.Products) != 0 {
				t.Errorf("a descriptor with a duplicate or unknown key loaded")
			}
			if len(problems) != len(tc.want) {
				t.Errorf("got %d problems, want %d: %v", len(problems), len(tc.want), problems)
			}
			for i, w := range tc.want {
				line, msg, _ := strings.Cut(w, ": ")
				want := fmt.Sprintf("%s:%s: %s", file, line, msg)
				if i < len(problems) && !strings.HasPrefix(problems[i].String(), want) {
					t.Errorf("problem %d\n %s\nwant\n %s…", i, problems[i], want)
				}
			}
		})
	}
}
