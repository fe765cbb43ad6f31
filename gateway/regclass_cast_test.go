package gateway_test

import (
	"strings"
	"testing"
)

// TestE2ECastAsRegclass: SQLAlchemy 2's reflection looks a table up with
// CAST(:name AS REGCLASS); over pgx it names the columns the session sees
// in information_schema.columns; an unknown or ungranted product is 42P01.
func TestE2ECastAsRegclass(t *testing.T) {
	s := startGateway(t)
	c := s.connect(t, "")
	var want []string
	rows, err := c.Query(ctxT(t), "SELECT column_name FROM information_schema.columns WHERE table_schema = 'sales' AND table_name = 'orders' ORDER BY ordinal_position")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		want = append(want, n)
	}
	rows.Close()
	if len(want) == 0 {
		t.Fatal("information_schema.columns names no column of sales.orders")
	}
	q := "SELECT a.attname FROM pg_catalog.pg_attribute a WHERE a.attrelid = CAST($1 AS REGCLASS) AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum"
	rows, err = c.Query(ctxT(t), q, "sales.orders")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		got = append(got, n)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("CAST($1 AS REGCLASS) columns %v, information_schema.columns %v", got, want)
	}
	_, err = c.Exec(ctxT(t), "SELECT CAST('sales.no_such_product' AS REGCLASS)")
	pgErr(t, err, "42P01")
	// The session's catalog names no product it may not read.
	_, err = c.Exec(ctxT(t), "SELECT CAST($1 AS REGCLASS)", "meshgate.audit")
	pgErr(t, err, "42P01")
	stillWorks(t, c)
}

// TestE2ETextRegtypeOID: pgx's LoadType asks for a type's OID with
// $1::text::regtype::oid; the answer is the OID pg_type holds.
func TestE2ETextRegtypeOID(t *testing.T) {
	s := startGateway(t)
	c := s.connect(t, "")
	var got, want uint32 // oid, as in PostgreSQL
	if err := c.QueryRow(ctxT(t), "SELECT $1::text::regtype::oid", "int4").Scan(&got); err != nil {
		t.Fatal(err)
	}
	if err := c.QueryRow(ctxT(t), "SELECT oid FROM pg_catalog.pg_type WHERE typname = 'int4'").Scan(&want); err != nil {
		t.Fatal(err)
	}
	if got != want || got != 23 {
		t.Errorf("'int4'::text::regtype::oid is %d, pg_type says %d (PostgreSQL: 23)", got, want)
	}
	stillWorks(t, c)
}
