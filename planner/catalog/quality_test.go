package catalog_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/meshgate/meshgate/planner/catalog"
)

// TestQualityParsed: the demo's rules, column keys and SLAs are read with
// their ODCS names and defaults.
func TestQualityParsed(t *testing.T) {
	mesh, _ := editedDescriptor(t, "mesh/sales/customers.yaml",
		"    description: Customer number, unique.\n", "    description: Customer number, unique.\n    primaryKey: true\n",
		"        dimension: uniqueness\n", "        dimension: uniqueness\n        severity: warning\n        unit: percent\n        schedule: 5m\n")
	m, problems := catalog.Load(mesh)
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	p := m.Product("sales", "customers")
	var names []string
	for _, r := range p.Quality {
		names = append(names, fmt.Sprintf("%s:%s:%s:%s:%s:%s", r.Name, r.Column, r.Metric, r.Severity, r.Unit, r.Threshold))
	}
	want := []string{
		"customer_id_primary_key:customer_id:duplicateValues:error:rows:mustBe 0",
		"customer_id_primary_key_not_null:customer_id:nullValues:error:rows:mustBe 0",
		"email_valid:email:invalidValues:error:rows:mustBe 0",
		"email_unique:email:duplicateValues:warning:percent:mustBe 0",
	}
	if strings.Join(names, "\n") != strings.Join(want, "\n") {
		t.Errorf("rules:\n%s\nwant\n%s", strings.Join(names, "\n"), strings.Join(want, "\n"))
	}
	if p.Quality[2].Options.Pattern != `[^@ ]+@[^@ ]+\.[a-z]+` || p.Quality[3].Schedule != 5*time.Minute {
		t.Errorf("pattern %q, schedule %v", p.Quality[2].Options.Pattern, p.Quality[3].Schedule)
	}
	if c := p.Column("customer_id"); !c.PrimaryKey || c.Unique {
		t.Errorf("customer_id: %+v", c)
	}
}

// TestSLAProperties: latency is read as freshness (ODCS's newer name),
// element may be written table.column, and retention and frequency keep
// their units.
func TestSLAProperties(t *testing.T) {
	mesh, _ := editedDescriptor(t, "mesh/sales/customers.yaml", "schema:\n", `slaProperties:
  - {property: latency, value: 2, unit: d, element: customers.signup_date}
  - {property: retention, value: 5, unit: years, element: signup_date}
  - {property: frequency, value: 1, unit: d}
  - {property: generalAvailability, value: "2024-01-01"}
on_failure: block
schema:
`)
	m, problems := catalog.Load(mesh)
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	p := m.Product("sales", "customers")
	f, r := p.SLA.Freshness, p.SLA.Retention
	if f == nil || f.Property != "latency" || f.Element != "signup_date" || f.Duration() != 48*time.Hour {
		t.Errorf("freshness: %+v", f)
	}
	if r == nil || r.Duration() != 5*365*24*time.Hour || p.SLA.Frequency == nil || len(p.SLA.Others) != 1 || p.OnFailure != "block" {
		t.Errorf("sla: %+v, on_failure %q", p.SLA, p.OnFailure)
	}
}

// TestQualityProblems: every bad rule is reported at its line with a
// sentence saying what to write instead.
func TestQualityProblems(t *testing.T) {
	cases := []struct {
		name, old, new string
		want           string // "line: message part"
	}{
		{"unknown metric", "        metric: invalidValues\n", "        metric: invalidValue\n",
			`36: quality rule "email_valid" of column "email": metric "invalidValue" is not one of nullValues, missingValues, invalidValues, duplicateValues, rowCount; did you mean "invalidValues"?`},
		{"threshold not a number", "        mustBe: 0\n        dimension: conformity\n", "        mustBe: zero\n        dimension: conformity\n",
			`37: quality rule "email_valid" of column "email": mustBe must be a number, not the text "zero"`},
		{"no threshold", "        mustBe: 0\n        dimension: conformity\n", "        dimension: conformity\n",
			`35: quality rule "email_valid" of column "email" has no threshold; give one of mustBe`},
		{"two thresholds", "        mustBe: 0\n        dimension: conformity\n", "        mustBe: 0\n        mustBeLessThan: 3\n        dimension: conformity\n",
			`35: quality rule "email_valid" of column "email" has 2 thresholds (mustBe, mustBeLessThan)`},
		{"between needs two", "        mustBe: 0\n        dimension: uniqueness\n", "        mustBeBetween: [3]\n        dimension: uniqueness\n",
			`41: quality rule "email_unique" of column "email": mustBeBetween must be a list of two numbers`},
		{"percent above 100", "        mustBe: 0\n        dimension: uniqueness\n", "        mustBe: 150\n        unit: percent\n        dimension: uniqueness\n",
			`41: quality rule "email_unique" of column "email": mustBe 150 is not a percentage between 0 and 100`},
		{"minimum on text", "{pattern: '[^@ ]+@[^@ ]+\\.[a-z]+'}", "{minimum: 3}",
			`33: column "email": minimum applies to number, date and time columns, not to the VARCHAR column email`},
		{"bad pattern", "{pattern: '[^@ ]+@[^@ ]+\\.[a-z]+'}", "{pattern: '[a-'}",
			`33: column "email": pattern "[a-" is not a valid regular expression`},
		{"rowCount on a column", "        metric: duplicateValues\n", "        metric: rowCount\n",
			`40: quality rule "email_unique" of column "email": metric rowCount applies to the whole product`},
		{"duplicate rule name", "      - name: email_unique\n", "      - name: email_valid\n",
			`39: quality rule "email_valid" is defined twice (first on line 35)`},
		{"unknown dimension", "        dimension: conformity\n", "        dimension: conformance\n",
			`38: dimension "conformance" is not one of accuracy, completeness, conformity`},
		{"sla element not a time", "schema:\n", "slaProperties:\n  - {property: freshness, value: 1, unit: d, element: email}\nschema:\n",
			`18: element email of SLA property freshness is a VARCHAR column; it must be a date or timestamp column`},
		{"sla unit", "schema:\n", "slaProperties:\n  - {property: freshness, value: 1, unit: fortnight, element: signup_date}\nschema:\n",
			`18: unit "fortnight" of SLA property freshness is not a time unit`},
		{"freshness and latency", "schema:\n", "slaProperties:\n  - {property: freshness, value: 1, unit: d, element: signup_date}\n  - {property: latency, value: 1, unit: d, element: signup_date}\nschema:\n",
			`19: SLA property latency is given twice (first on line 18; freshness and latency are the same property)`},
		{"sql rule without query", "schema:\n", "quality:\n  - {name: q, type: sql, mustBe: 0}\nschema:\n",
			`18: quality rule "q" of the product is a sql rule and needs query: a SELECT returning one number`},
		{"on_failure", "schema:\n", "on_failure: stop\nschema:\n",
			`17: on_failure "stop" is not one of warn, block`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			mesh, _ := editedDescriptor(t, "mesh/sales/customers.yaml", c.old, c.new)
			_, problems := catalog.Load(mesh)
			var got []string
			for _, p := range problems {
				got = append(got, fmt.Sprintf("%d: %s", p.Line, p.Message))
			}
			found := false
			for _, g := range got {
				found = found || strings.HasPrefix(g, c.want)
			}
			if !found {
				t.Errorf("problems:\n%s\nwant one starting %s", strings.Join(got, "\n"), c.want)
			}
		})
	}
}
