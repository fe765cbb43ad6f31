package catalog_test

import (
	"testing"

	"github.com/meshgate/meshgate/planner/catalog"
)

func TestDeclaredPGType(t *testing.T) {
	cases := []struct {
		declared string
		oid      uint32
		typmod   int32
		ok       bool
	}{
		{"varchar(5)", 1043, 9, true},
		{"character varying (12)", 1043, 16, true},
		{"CHARACTER(2)", 1042, 6, true},
		{"char(1)", 1042, 5, true},
		{"bpchar(3)", 1042, 7, true},
		{"numeric", 1700, -1, true},
		{"DECIMAL", 1700, -1, true},
		{"numeric(10,2)", 0, 0, false}, // DuckDB's DECIMAL(10,2) says it
		{"varchar", 0, 0, false},       // DuckDB's VARCHAR, served as text
		{"text", 0, 0, false},
		{"integer", 0, 0, false},
		{"", 0, 0, false},
	}
	for _, c := range cases {
		oid, typmod, ok := catalog.DeclaredPGType(c.declared)
		if oid != c.oid || typmod != c.typmod || ok != c.ok {
			t.Errorf("DeclaredPGType(%q) = %d, %d, %t; want %d, %d, %t", c.declared, oid, typmod, ok, c.oid, c.typmod, c.ok)
		}
	}
}
