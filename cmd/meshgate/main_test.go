package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

func runCmd(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestValidateDemoMesh(t *testing.T) {
	if _, err := os.Stat("../../testdata/mesh/sales/data/orders.parquet"); err != nil {
		t.Fatalf("the demo mesh is not generated: run `make demo` first (%v)", err)
	}
	code, out, errs := runCmd("validate", "../../testdata/mesh")
	if code != 0 {
		t.Fatalf("validate demo mesh: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errs)
	}
	if want := "mesh is valid: 9 product(s) in 4 domain(s)\n"; out != want {
		t.Errorf("stdout %q, want %q", out, want)
	}
	if errs != "" {
		t.Errorf("stderr %q", errs)
	}
}

func TestValidateBroken(t *testing.T) {
	const dir = "../../testdata/broken"
	cases := []struct {
		name string
		// want are (file:line, sentence) pairs that must each appear on one
		// line of the output.
		want [][2]string
	}{
		{"bad_address", [][2]string{
			{"sales/orders.yaml:3", `id is "sales.order" but the descriptor is sales/orders.yaml, so the id must be "sales.orders"`},
			{"sales/orders.yaml:4", `domain is "sale" but the descriptor is in the folder "sales"; the domain must match its folder`},
		}},
		{"bad_enum", [][2]string{
			{"sales/orders.yaml:7", `status "actve" is not one of proposed, active, deprecated, retired; did you mean "active"?`},
			{"sales/orders.yaml:21", `classification "secret" of column "amount" is not one of public, internal, confidential, pii`},
		}},
		{"bad_name", [][2]string{
			{"sales/orders.yaml:16", `column name "order" is a reserved SQL word and would need quoting; choose another name`},
			{"sales/orders.yaml:19", `column name "Order-Total" is not a valid name`},
		}},
		{"bad_option", [][2]string{
			{"sales/orders.yaml:15", `unknown option "delimeter" for the csv port "files"; did you mean "delimiter"?`},
			{"sales/orders.yaml:15", `option header of port "files" must be true or false, not the text "maybe"`},
		}},
		{"bad_quality", [][2]string{
			{"sales/orders.yaml:21", `quality rule "reads_returns": its query cannot run: a quality rule of sales.orders may read only sales.orders, not sales.returns`},
			{"sales/orders.yaml:25", `quality rule "does_not_parse": its query cannot run`},
			{"sales/returns.yaml:19", `quality rule 1 of column "order_id": metric "uniqueValues" is not one of nullValues`},
			{"sales/returns.yaml:25", `quality rule 1 of column "amount": mustBe must be a number, not the text "none"`},
		}},
		{"bad_semver", [][2]string{{"sales/orders.yaml:6", `version "v1.0" is not a semantic version; write MAJOR.MINOR.PATCH`}}},
		{"duckdb_no_table", [][2]string{{"sales/orders.yaml:12", `port "files" is a duckdb port and needs options.table, the table to serve`}}},
		{"duplicate_address", [][2]string{{"sales/orders.yaml:1", `product sales.orders is also defined in`}}},
		{"duplicate_column", [][2]string{{"sales/orders.yaml:19", `column "order_id" is declared twice (first on line 16)`}}},
		{"empty", [][2]string{{"sales/orders.yaml:1", `the descriptor is empty; it must describe one data product`}}},
		{"location_missing", [][2]string{{"sales/orders.yaml:14", `location "data/order.csv" of port "files" does not exist`}}},
		{"location_outside", [][2]string{{"sales/orders.yaml:14", `location "../../../mesh/geo/data/countries.csv" of port "files" points outside the mesh directory`}}},
		{"missing_field", [][2]string{{"sales/orders.yaml:1", `required key "version" is missing`}}},
		{"port_unsupported", [][2]string{{"sales/orders.yaml:13", `port type "kafka" is not one of parquet, csv, json, duckdb, postgres, http, gateway`}}},
		{"unknown_key", [][2]string{{"sales/orders.yaml:10", `unknown key "onwer" in the descriptor; did you mean "owner"?`}}},
		{"unknown_type", [][2]string{{"sales/orders.yaml:20", `column "amount": "strng" is not a known SQL type`}}},
		{"wrong_type", [][2]string{
			{"sales/orders.yaml:6", `version must be text, not a number (1.4)`},
			{"sales/orders.yaml:11", `tags must be a list, such as [a, b], not the text "orders"`},
			{"sales/orders.yaml:19", `required of column "order_id" must be true or false, not the text "yes"`},
		}},
		{"yaml_syntax", [][2]string{{"sales/orders.yaml:9", `the file is not valid YAML`}}},
	}
	// Every broken case is covered (a new case must be added here).
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	covered := map[string]bool{"valid": true}
	for _, c := range cases {
		covered[c.name] = true
	}
	for _, e := range entries {
		if e.IsDir() && !covered[e.Name()] {
			t.Errorf("testdata/broken/%s has no case in TestValidateBroken", e.Name())
		}
	}
	summary := regexp.MustCompile(`(?m)^(\d+) problem\(s\) found; \d+ product\(s\) valid\n\z`)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := runCmd("validate", filepath.Join(dir, tc.name))
			if code != 1 {
				t.Fatalf("exit %d, want 1\nstdout:\n%s\nstderr:\n%s", code, out, errs)
			}
			lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
			for _, w := range tc.want {
				prefix := filepath.Join(dir, tc.name, w[0]) + ": "
				abs, _ := filepath.Abs(filepath.Join(dir, tc.name, w[0])) // problems found in the engine name the descriptor's absolute path
				found := false
				for _, l := range lines {
					if (strings.HasPrefix(l, prefix) || strings.HasPrefix(l, abs+": ")) && strings.Contains(l, w[1]) {
						found = true
					}
				}
				if !found {
					t.Errorf("no line %q…%q in output:\n%s", prefix, w[1], out)
				}
			}
			m := summary.FindStringSubmatch(out)
			if m == nil {
				t.Errorf("output does not end with the problem count:\n%s", out)
			} else if m[1] != strconv.Itoa(len(lines)-1) {
				t.Errorf("summary counts %s problems, output lists %d", m[1], len(lines)-1)
			}
		})
	}
	t.Run("valid", func(t *testing.T) {
		code, out, errs := runCmd("validate", filepath.Join(dir, "valid"))
		if code != 0 || out != "mesh is valid: 1 product(s) in 1 domain(s)\n" {
			t.Errorf("exit %d, stdout %q, stderr %q", code, out, errs)
		}
	})
	t.Run("several_dirs", func(t *testing.T) {
		code, out, _ := runCmd("validate", filepath.Join(dir, "valid"), filepath.Join(dir, "bad_semver"))
		if code != 1 || !strings.Contains(out, "bad_semver/sales/orders.yaml:6: ") {
			t.Errorf("exit %d, stdout %q", code, out)
		}
		// The same product in two meshes is a problem.
		code, out, _ = runCmd("validate", filepath.Join(dir, "valid"), filepath.Join(dir, "valid"))
		if code != 1 || !strings.Contains(out, "product sales.orders is also described in") {
			t.Errorf("duplicate across meshes: exit %d, stdout %q", code, out)
		}
	})
}

func TestUsage(t *testing.T) {
	if code, _, errs := runCmd(); code != 2 || !strings.Contains(errs, "Usage:") {
		t.Errorf("no args: exit %d, stderr %q", code, errs)
	}
	if code, _, errs := runCmd("validate"); code != 2 || !strings.Contains(errs, "usage: meshgate validate [-policies DIR] [-audit-file F] DIR") {
		t.Errorf("validate without dir: exit %d, stderr %q", code, errs)
	}
	if code, _, errs := runCmd("frobnicate"); code != 2 || !strings.Contains(errs, `unknown command "frobnicate"`) {
		t.Errorf("unknown command: exit %d, stderr %q", code, errs)
	}
	if code, out, _ := runCmd("version"); code != 0 || !strings.HasPrefix(out, "meshgate ") || !strings.Contains(out, "server_version 15.4") {
		t.Errorf("version: exit %d, stdout %q", code, out)
	}
	if code, out, _ := runCmd("help"); code != 0 || !strings.Contains(out, "meshgate validate [-policies DIR] [-audit-file F] DIR") {
		t.Errorf("help: exit %d, stdout %q", code, out)
	}
	if code, _, errs := runCmd("serve", "-log-level", "loud"); code != 2 || !strings.Contains(errs, "-log-level") {
		t.Errorf("serve with a bad log level: exit %d, stderr %q", code, errs)
	}
	if code, _, errs := runCmd("serve", "-mesh", "../../testdata/mesh", "-users", "/nonexistent/users.yaml"); code != 1 || errs == "" {
		t.Errorf("serve with a missing users file: exit %d, stderr %q", code, errs)
	}
	if code, _, errs := runCmd("serve", "-mesh", "../../testdata/broken/bad_semver", "-users", "../../testdata/users.yaml", "-listen", "127.0.0.1:0"); code != 1 ||
		!strings.Contains(errs, "the mesh has 1 problem(s)") || !strings.Contains(errs, "-skip-broken") {
		t.Errorf("serve a broken mesh: exit %d, stderr %q", code, errs)
	}
}

// validate reads remote ports too: one that cannot be reached is a problem
// with file and line.
func TestValidateRemotePortUnreachable(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "mesh")
	if err := os.MkdirAll(filepath.Join(dir, "sales"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"customers.yaml", "secrets.env"} {
		b, err := os.ReadFile(filepath.Join("../../testdata/federation/sales", f))
		if err != nil {
			t.Fatal(err)
		}
		if f == "customers.yaml" {
			b = []byte(strings.Replace(string(b), "port: 5432", "port: 1", 1)) // nothing listens there
		}
		if err := os.WriteFile(filepath.Join(dir, "sales", f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	code, out, _ := runCmd("validate", dir)
	if code != 1 || !strings.Contains(out, "sales/customers.yaml:12: port pg of product sales.customers cannot be read") || !strings.Contains(out, "08001") {
		t.Fatalf("exit %d, stdout %q", code, out)
	}
}
