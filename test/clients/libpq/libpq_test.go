package libpq_test

import (
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/lib/pq"

	"github.com/meshgate/meshgate/internal/servetest"
)

func open(t *testing.T, s *servetest.Server, user string) *sql.DB {
	t.Helper()
	host, port, _ := net.SplitHostPort(s.PG)
	db, err := sql.Open("postgres", fmt.Sprintf("host=%s port=%s user=%s password=%s dbname=mesh sslmode=require connect_timeout=10", host, port, user, servetest.Password(user)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Ping(); err != nil {
		t.Fatalf("lib/pq connect as %s: %v\n%s", user, err, s.Log())
	}
	return db
}

// pqRows reads every row through lib/pq and prints each value in
// PostgreSQL's text form ("NULL" for nulls): lib/pq decodes dates,
// timestamps, booleans and bytea itself.
func pqRows(t *testing.T, db *sql.DB, query string, args ...any) ([]string, error) {
	t.Helper()
	rows, err := db.Query(query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	types, err := rows.ColumnTypes()
	if err != nil {
		return nil, err
	}
	var out []string
	for rows.Next() {
		vals := make([]any, len(types))
		ptrs := make([]any, len(types))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		cells := make([]string, len(vals))
		for i, v := range vals {
			cells[i] = pgText(v, types[i].DatabaseTypeName())
		}
		out = append(out, strings.Join(cells, "|"))
	}
	return out, rows.Err()
}

// pgText is PostgreSQL's text output of a value lib/pq decoded from a
// column of type typ.
func pgText(v any, typ string) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case bool:
		if x {
			return "t"
		}
		return "f"
	case time.Time:
		switch typ {
		case "DATE":
			return x.Format("2006-01-02")
		case "TIMESTAMP":
			return x.Format("2006-01-02 15:04:05.999999")
		}
		return x.Format("2006-01-02 15:04:05.999999-07")
	case []byte:
		if typ == "BYTEA" {
			return `\x` + hex.EncodeToString(x)
		}
		return string(x)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	}
	return fmt.Sprint(v)
}

// pgxRows reads the same statement's text through pgx's extended protocol
// with text results (lib/pq reads text too).
func pgxRows(t *testing.T, c *pgx.Conn, query string, args ...any) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	params := make([][]byte, len(args))
	for i, a := range args {
		params[i] = []byte(fmt.Sprint(a))
	}
	res := c.PgConn().ExecParams(ctx, query, params, nil, nil, nil).Read()
	if res.Err != nil {
		t.Fatalf("pgx %s: %v", query, res.Err)
	}
	var out []string
	for _, row := range res.Rows {
		cells := make([]string, len(row))
		for i, v := range row {
			if v == nil {
				cells[i] = "NULL"
			} else {
				cells[i] = string(v)
			}
		}
		out = append(out, strings.Join(cells, "|"))
	}
	return out
}

// TestLibPQ: lib/pq reads what pgx reads, as the analyst (masked, filtered
// products) and the steward.
func TestLibPQ(t *testing.T) {
	s := servetest.Start(t, "../../..")
	for _, user := range []string{"analyst", "steward"} {
		db := open(t, s, user)
		c := s.PGConn(t, user)
		for _, q := range []struct {
			sql  string
			args []any
		}{
			{"SELECT * FROM sales.orders ORDER BY order_id LIMIT 5", nil},
			{"SELECT * FROM sales.customers ORDER BY 1 LIMIT 5", nil}, // masked columns
			{"SELECT country_code, count(*), sum(amount) FROM sales.orders GROUP BY 1 ORDER BY 1", nil},
			{"SELECT * FROM sales.orders WHERE country_code = $1 ORDER BY order_id LIMIT 3", []any{"DE"}},
			{"SELECT $1", []any{"untyped is text"}},
			{"SELECT $1::int + 1, $2::numeric * 2, $3::date + 1", []any{41, "1.25", "2024-02-28"}},
			{"SELECT ARRAY['a', 'b c', NULL], '\\x00ff'::bytea, NULL::text, 1.5::float8, true", nil},
			{"SELECT table_schema, table_name FROM information_schema.tables ORDER BY 1, 2", nil},
			{"SELECT n.nspname, c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'sales' ORDER BY 2", nil},
			{"SELECT current_user, current_database(), 'pg_class'::regclass, 'sales.orders'::regclass::oid > 0", nil},
		} {
			got, err := pqRows(t, db, q.sql, q.args...)
			if err != nil {
				t.Errorf("%s as %s: lib/pq: %v", q.sql, user, err)
				continue
			}
			if want := pgxRows(t, c, q.sql, q.args...); strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("%s as %s:\n lib/pq %q\n pgx    %q", q.sql, user, got, want)
			}
			if len(got) == 0 {
				t.Errorf("%s as %s: no rows", q.sql, user)
			}
		}
	}
}

// TestLibPQErrors: refusals reach lib/pq as *pq.Error with PostgreSQL's
// SQLSTATE, and the connection keeps working.
func TestLibPQErrors(t *testing.T) {
	s := servetest.Start(t, "../../..")
	db := open(t, s, "analyst")
	db.SetMaxOpenConns(1)
	for q, code := range map[string]string{
		"SELECT * FROM meshgate.audit":          "42501", // not granted to analysts
		"SELECT * FROM sales.no_such_product":   "42P01",
		"SELECT * FROM read_csv('/etc/passwd')": "42501",
		"SELECT 1/0":                            "22012",
		"SELEC 1":                               "42601",
	} {
		_, err := pqRows(t, db, q)
		var pe *pq.Error
		if !errors.As(err, &pe) || string(pe.Code) != code {
			t.Errorf("%s: want SQLSTATE %s, got %v", q, code, err)
		}
		if rows, err := pqRows(t, db, "SELECT 1"); err != nil || len(rows) != 1 {
			t.Fatalf("after %s the connection does not answer: %v", q, err)
		}
	}
}

// TestLibPQReadOnlyTransaction: database/sql's read-only transactions and
// prepared statements, with a savepoint as ORMs take them.
func TestLibPQReadOnlyTransaction(t *testing.T) {
	s := servetest.Start(t, "../../..")
	db := open(t, s, "analyst")
	ctx := context.Background()
	tx, err := db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true, Isolation: sql.LevelRepeatableRead})
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	for _, q := range []string{"SAVEPOINT a", "RELEASE SAVEPOINT a", "SAVEPOINT b", "ROLLBACK TO SAVEPOINT b"} {
		if _, err := tx.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	st, err := tx.Prepare("SELECT count(*) FROM sales.orders WHERE country_code = $1")
	if err != nil {
		t.Fatal(err)
	}
	c := s.PGConn(t, "analyst")
	for _, cc := range []string{"DE", "FR", "XX"} {
		var n string
		if err := st.QueryRow(cc).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if want := pgxRows(t, c, "SELECT count(*) FROM sales.orders WHERE country_code = $1", cc); n != want[0] {
			t.Errorf("count for %s: lib/pq %s, pgx %s", cc, n, want[0])
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}
