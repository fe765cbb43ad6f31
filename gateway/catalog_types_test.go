package gateway_test

import (
	"fmt"
	"testing"
)

// TestE2ECatalogTypesBinary: catalog columns carry PostgreSQL's types in
// RowDescription (oid 26, name 19, "char" 18, oid[] 1028) and pgx decodes
// them in the binary format it asks for (an oid is 4 bytes, a name its
// text): the shop relations' rows as the session's pg_class lists them,
// and the same relation found again by OID and by regclass (the
// parameter is sent as text: meshgate does not type $1 from ::oid).
func TestE2ECatalogTypesBinary(t *testing.T) {
	s := startGateway(t)
	c := s.connect(t, "")
	rows, err := c.Query(ctxT(t), "SELECT c.oid, c.relname, c.relkind, n.nspname, ARRAY[c.oid, c.relnamespace] FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 ORDER BY c.relname", "sales")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	oids := map[string]uint32{}
	for rows.Next() {
		var oid uint32
		var name, kind, ns string
		var pair []uint32
		if err := rows.Scan(&oid, &name, &kind, &ns, &pair); err != nil {
			t.Fatal(err)
		}
		if len(pair) != 2 || pair[0] != oid {
			t.Errorf("%s: oid[] %v, oid %d", name, pair, oid)
		}
		oids[name] = oid
		got = append(got, fmt.Sprintf("%s.%s %s", ns, name, kind))
	}
	var types []uint32
	for _, f := range rows.FieldDescriptions() {
		types = append(types, f.DataTypeOID)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(types) != "[26 19 18 19 1028]" {
		t.Errorf("RowDescription types %v, PostgreSQL's [26 19 18 19 1028]", types)
	}
	if fmt.Sprint(got) != "[sales.customers r sales.orders r sales.revenue_by_country r]" {
		t.Errorf("sales relations %v", got)
	}
	for name, oid := range oids {
		var back string
		var same bool
		if err := c.QueryRow(ctxT(t), "SELECT $1::oid::regclass::text, 'sales."+name+"'::regclass = $1::oid", fmt.Sprint(oid)).Scan(&back, &same); err != nil {
			t.Fatal(err)
		}
		if back != "sales."+name || !same { // qualified: sales is not on the search path
			t.Errorf("%d::regclass is %q (same: %t), want sales.%s", oid, back, same, name)
		}
	}
	stillWorks(t, c)
}
