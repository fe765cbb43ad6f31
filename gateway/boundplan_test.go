package gateway_test

// Issue 11: statements whose names DuckDB binds differently from what the
// planner's text check assumed. The engine verifies the bound plan of each
// statement; these are refused with 42501 through every path, and each
// refusal is in the audit trail as denied.

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

func sqlstateOf(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

func TestBoundPlanGuard(t *testing.T) {
	s := startGovGateway(t, nil)
	analyst := s.connectAs(t, "analyst", "")
	admin := s.connectAs(t, "admin", "")
	sec := loadSecrets(t)
	file := "testdata/mesh/sales/data/customers.csv"
	attacks := []string{
		// The finding: a forward CTE reference to a quoted file name.
		`with a as (select * from "` + file + `"), "` + file + `" as (select 1) select name, email from a limit 3`,
		`with a as (select * from "../` + file + `"), "../` + file + `" as (select 1) select name, email from a`,
		// A recursive CTE without UNION does not see itself.
		`with recursive "` + file + `" as (select * from "` + file + `") select * from "` + file + `"`,
		`with recursive duckdb_views as (select * from duckdb_views) select * from duckdb_views`,
		`with a as (select * from duckdb_tables), duckdb_tables as (select 1) select * from a`,
		`with a as (select * from duckdb_databases), duckdb_databases as (select 1) select * from a`,
		// Functions of DuckDB's own catalogs.
		`select system.main.current_setting('allowed_directories')`,
		`select system.main.current_database()`,
		`select "system"."main".current_setting('allowed_directories')`,
		// Correlated and lateral scopes.
		`select * from sales.customers c where exists (with x as (select * from "` + file + `"), "` + file + `" as (select 1) select 1 from x where x.customer_id = c.customer_id)`,
		`select * from sales.customers c, lateral (with x as (select * from "` + file + `"), "` + file + `" as (select 1) select name from x limit 1) l`,
	}
	type channel struct {
		name string
		run  func(ctx context.Context, c *pgx.Conn, q string) (string, error)
	}
	channels := []channel{
		{"simple", func(ctx context.Context, c *pgx.Conn, q string) (string, error) {
			r, err := runSimple(ctx, c, q)
			return allText(r), err
		}},
		{"extended", func(ctx context.Context, c *pgx.Conn, q string) (string, error) {
			r, err := runExtended(ctx, c, q)
			return allText(r), err
		}},
		{"cursor", func(ctx context.Context, c *pgx.Conn, q string) (string, error) {
			r, err := runSimple(ctx, c, "BEGIN; DECLARE cur CURSOR FOR "+q+"; FETCH ALL cur")
			_, _ = runSimple(ctx, c, "ROLLBACK")
			return allText(r), err
		}},
		{"copy", func(ctx context.Context, c *pgx.Conn, q string) (string, error) {
			var b strings.Builder
			_, err := c.PgConn().CopyTo(ctx, &b, "COPY ("+q+") TO STDOUT")
			return b.String(), err
		}},
		{"explain", func(ctx context.Context, c *pgx.Conn, q string) (string, error) {
			r, err := runSimple(ctx, c, "EXPLAIN "+q)
			return allText(r), err
		}},
		{"multi", func(ctx context.Context, c *pgx.Conn, q string) (string, error) {
			r, err := runSimple(ctx, c, "select 1; "+q)
			return allText(r), err
		}},
	}
	runs := 0
	for i, q := range attacks {
		for _, ch := range channels {
			marker := fmt.Sprintf(" /* bound-plan-%d-%s */", i, ch.name)
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			out, err := ch.run(ctx, analyst, q+marker)
			cancel()
			runs++
			if err == nil {
				t.Errorf("%s %s: answered %.200q, want a refusal", ch.name, q, out)
				continue
			}
			if code := sqlstateOf(err); code != "42501" && code != "42P01" {
				t.Errorf("%s %s: %v, want 42501 or 42P01", ch.name, q, err)
			}
			if leak := sec.leak(out + err.Error()); leak != "" {
				t.Errorf("%s %s: leaks %s", ch.name, q, leak)
			}
			for _, internal := range []string{"sess_", "mg$", "memory.", "/work", "allowed_directories"} {
				if strings.Contains(err.Error(), internal) && !strings.Contains(q, internal) {
					t.Errorf("%s %s: the error names %s: %v", ch.name, q, internal, err)
				}
			}
			if got := scalar[int32](t, analyst, "select 1"); got != 1 {
				t.Fatalf("connection broken after %s", q)
			}
		}
	}
	// Every refusal is in the audit trail, denied, with the statement.
	s.audit.Flush()
	for i := range attacks {
		for _, ch := range channels {
			marker := fmt.Sprintf("bound-plan-%d-%s ", i, ch.name)
			n := scalar[int64](t, admin, "SELECT count(*) FROM meshgate.audit WHERE user_name = 'analyst' AND decision IN ('denied', 'error') AND sqlstate IN ('42501', '42P01') AND statement LIKE '%"+marker+"%'")
			if n < 1 {
				t.Errorf("no denied audit record for %s", marker)
			}
		}
	}
	t.Logf("%d attacks × %d channels = %d refused runs", len(attacks), len(channels), runs)
}

// The audit lists what DuckDB's bound plan read, column by column.
func TestAuditListsBoundColumns(t *testing.T) {
	s := startGovGateway(t, nil)
	analyst := s.connectAs(t, "analyst", "")
	admin := s.connectAs(t, "admin", "")
	marker := fmt.Sprintf("audit-cols-%d", time.Now().UnixNano())
	if _, err := runSimple(ctxT(t), analyst, "WITH c AS (SELECT country_code, customer_id FROM sales.customers) SELECT count(*) FROM c JOIN sales.orders o USING (customer_id) /* "+marker+" */"); err != nil {
		t.Fatal(err)
	}
	s.audit.Flush()
	rows, _ := admin.Query(ctxT(t), "SELECT statement, user_name FROM meshgate.audit ORDER BY logged_at DESC LIMIT 3")
	for rows.Next() {
		var a, b string
		rows.Scan(&a, &b)
		t.Logf("%s %s", a, b)
	}
	rows.Close()
	var products, columns []string
	if err := admin.QueryRow(ctxT(t), "SELECT products, columns FROM meshgate.audit WHERE statement LIKE '%"+marker+"%' AND user_name = 'analyst'").Scan(&products, &columns); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(products, ","); !strings.Contains(got, "sales.customers") || !strings.Contains(got, "sales.orders") {
		t.Errorf("audit products = %v", products)
	}
	got := strings.Join(columns, ",")
	for _, want := range []string{"sales.customers.customer_id", "sales.orders.customer_id"} {
		if !strings.Contains(got, want) {
			t.Errorf("audit columns %v lack %s", columns, want)
		}
	}
	if strings.Contains(got, "sales.customers.email") {
		t.Errorf("audit columns %v list a column the statement did not read", columns)
	}
}
