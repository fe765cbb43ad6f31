package gateway_test

// The compatibility corpus: test/compat/<tool>.sql holds the introspection
// SQL that a client tool or driver sends (each file cites the source file
// of the tool it was taken from; bind parameters are written as the
// literals the tool binds). Each statement runs on meshgate, as user fed
// granted the products of domain shop, and on a real PostgreSQL 15 whose
// database mesh (the gateway's database name) holds the same products as tables of schema shop and
// nothing else, read as role fed. The answers are compared as the
// semantics corpus compares them (semantics_test.go), as far as the
// statement's "-- compare:" line asks:
//
//	(none)             the column names, type OIDs and every value
//	-- compare: shape  names, type OIDs and the number of rows (the values
//	                   hold OIDs or owners, which differ by design)
//	-- compare: columns  names and type OIDs (PostgreSQL lists its own
//	                   objects too: every type, function, operator)
//	-- refuse: CODE    meshgate answers that SQLSTATE (a known gap)
//	-- types: differ   with any of the above: the type OIDs are not
//	                   compared (a known gap: a name or "char" column
//	                   named without its table in a join, or read through
//	                   nullif/coalesce/CASE, is text; aclitem[], xid,
//	                   name[], "char"[] and record columns are text[],
//	                   bigint or json)
//
// PostgreSQL describes information_schema columns with its domains
// (sql_identifier, cardinal_number…), whose OIDs differ per installation;
// they are compared as their base types. The test logs the count per tool.

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// compatTables are the products of the corpus: shop.<name> in meshgate
// (read through postgres ports from database compat_src) and tables
// shop.<name> in database mesh.
var compatTables = []struct {
	name    string
	cols    []fedCol
	pgCols  string
	inserts string
}{
	{
		name:    "customers",
		cols:    []fedCol{{"customer_id", "integer"}, {"name", "text"}, {"email", "text"}, {"signed_up", "date"}, {"vip", "boolean"}},
		pgCols:  "customer_id integer, name text, email text, signed_up date, vip boolean",
		inserts: "VALUES (1, 'Ada', 'ada@example.com', '2024-01-02', true), (2, 'Bob', NULL, '2024-03-04', false)",
	},
	{
		name: "orders",
		cols: []fedCol{{"order_id", "bigint"}, {"customer_id", "integer"}, {"amount", "numeric(10,2)"}, {"placed_at", "timestamp"},
			{"weight", "double precision"}, {"tags", "text[]"}},
		pgCols:  "order_id bigint, customer_id integer, amount numeric(10,2), placed_at timestamp, weight double precision, tags text[]",
		inserts: "VALUES (10, 1, 12.50, '2024-05-01 10:00:00', 1.5, '{a,b}'), (11, 2, 3.00, '2024-05-02 11:30:00', NULL, '{}')",
	},
}

func TestCompatibilityCorpus(t *testing.T) {
	cluster, src := fedDB(t, "compat_src")
	cluster.Exec(t, "DROP DATABASE IF EXISTS mesh WITH (FORCE)", "CREATE DATABASE mesh",
		"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'fed') THEN CREATE ROLE fed LOGIN; END IF; END $$")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	pg, err := pgx.Connect(ctx, cluster.DSN("mesh"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pg.Close(context.Background()) })
	pgExec(t, pg, "CREATE SCHEMA shop AUTHORIZATION fed")
	mesh := t.TempDir()
	for _, tb := range compatTables {
		pgExec(t, src, "CREATE TABLE crm."+tb.name+" ("+tb.pgCols+")", "INSERT INTO crm."+tb.name+" "+tb.inserts)
		pgExec(t, pg, "CREATE TABLE shop."+tb.name+" ("+tb.pgCols+")", "INSERT INTO shop."+tb.name+" "+tb.inserts,
			"ALTER TABLE shop."+tb.name+" OWNER TO fed", "COMMENT ON TABLE shop."+tb.name+" IS 'Federation test product shop."+tb.name+".'")
		writeFile(t, filepath.Join(mesh, "shop", tb.name+".yaml"),
			descriptor("shop", tb.name, pgPortYAML(cluster.Port, "compat_src", tb.name), tb.cols))
	}
	pgExec(t, pg, "SET ROLE fed", "SET TIME ZONE 'UTC'")
	domains := map[uint32]uint32{}
	for _, r := range textRows(t, pg, "SELECT oid, typbasetype FROM pg_type WHERE typtype = 'd'") {
		var d, base uint32
		fmt.Sscan(r[0], &d)
		fmt.Sscan(r[1], &base)
		domains[d] = base
	}
	s := startFedGateway(t, mesh, `apiVersion: meshgate/v1
kind: FederationPolicy
grants:
  - id: fed-reads-shop
    subjects: {users: [fed]}
    products: ["shop.*"]
`)
	mg := s.conn(t)

	files, err := filepath.Glob("../test/compat/*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus files in test/compat: %v", err)
	}
	var report []string
	for _, f := range files {
		tool := strings.TrimSuffix(filepath.Base(f), ".sql")
		counts := map[string]int{}
		total, passed := 0, 0
		for _, q := range readCorpus(t, f) {
			total++
			kind := q.level
			if kind == "" {
				kind = "values"
			}
			if q.refuse != "" {
				kind = "refused"
			}
			ok := t.Run(fmt.Sprintf("%s:%d", tool, q.line), func(t *testing.T) {
				if q.refuse != "" {
					compareQuery(t, mg, pg, q)
					return
				}
				got := run(ctxT(t), mg, q.sql, q.ordered)
				want := run(ctxT(t), pg, q.sql, q.ordered)
				for i, o := range want.oids {
					if base, ok := domains[o]; ok {
						want.oids[i] = base
					}
				}
				compareAnswers(t, q, got, want)
			})
			if ok && q.refuse == "" {
				passed++
				counts[kind]++
				if q.typesDiffer {
					counts["types differ"]++
				}
			}
		}
		report = append(report, fmt.Sprintf("%-10s %2d of %2d answered as PostgreSQL: %d with every value, %d same shape, %d same columns (%d of them with other type OIDs); %d refused",
			tool, passed, total, counts["values"], counts["shape"], counts["columns"], counts["types differ"], total-passed))
	}
	sort.Strings(report)
	t.Logf("compatibility corpus:\n  %s", strings.Join(report, "\n  "))
}
