package engine

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// DuckDB's messages name the engine's internals; none reaches a client.
func TestErrorsNameNothingInternal(t *testing.T) {
	e, mesh := testEngine(t)
	s := session(t, e)
	dir := filepath.Dir(mesh.Products[0].Ports[0].Location)
	cases := map[string]string{ // statement → a word the message keeps
		`SELECT * FROM "mg$real".nosuch`:   "nosuch",
		`SELECT * FROM mask_ke`:            "mask_ke",
		`SELECT * FROM mg_secret.mask_ke`:  "does not exist",
		`SELECT * FROM ports.sales__ordrs`: "does not exist",
		`SELECT * FROM sales.ordrs`:        `Did you mean "orders"`,
		`SELECT * FROM sess_1.sales.ordrz`: "ordrz",
		`SELECT fooo(1)`:                   "fooo",
		`SELECT * FROM memory.ports.x`:     "does not exist",
		`SELECT nosuch FROM sales.orders`:  "nosuch",
	}
	for q, keep := range cases {
		_, err := s.Prepare(context.Background(), "", q)
		if err == nil {
			t.Errorf("%s: prepared", q)
			continue
		}
		msg := err.Error()
		for _, internal := range []string{"mg$", "sess_", "mask_key", "memory.", "mg_secret", "information_schema", dir} {
			if strings.Contains(msg, internal) && !strings.Contains(q, internal) {
				t.Errorf("%s: message names %s: %s", q, internal, msg)
			}
		}
		if !strings.Contains(msg, keep) {
			t.Errorf("%s: message %q lost %q", q, msg, keep)
		}
	}
}

func TestSanitize(t *testing.T) {
	for in, want := range map[string]string{
		`Catalog Error: Table with name x does not exist!` + "\n" + `Did you mean "memory.mg_secret.mask_key"?`: `Catalog Error: Table with name x does not exist!` + "\n",
		`Cannot open file "/work/main/testdata/mesh/sales/data/customers.csv": denied`:                          `Cannot open file "(file)": denied`,
		`Binder Error: "mg$p3" is ambiguous in sess_14."mg$real"."mg$p3"`:                                       `Binder Error:  is ambiguous in `,
		`Table "memory"."mg$pgs".pg_type has no column x`:                                                       `Table pg_catalog.pg_type has no column x`,
		`Referenced table "port_supply__suppliers" not found`:                                                   `Referenced table supply.suppliers not found`,
		`Did you mean "orders"?`: `Did you mean "orders"?`,
	} {
		if got := sanitize(in); got != want {
			t.Errorf("sanitize(%q)\n = %q\nwant %q", in, got, want)
		}
	}
}
