package gateway_test

// The SQL semantics corpus: every query of test/semantics/*.sql runs on
// meshgate and on a real PostgreSQL 15 holding the same data, and the two
// answers are compared value by value (text format) with the result type
// OIDs and type modifiers. The data lives in PostgreSQL (schema crm) and reaches meshgate
// through postgres ports as products of the domain sem; in PostgreSQL the
// schema sem holds views of the same names over the tables, so one query
// text serves both. A query is either identical or explicitly refused:
//
//	-- refuse: 0A000
//	SELECT …;
//
// means meshgate must answer that SQLSTATE (whatever PostgreSQL answers);
// README's "Known differences" lists why. "-- compare: numeric" compares
// numbers without their trailing fractional zeros (an unconstrained
// numeric has a fixed scale in meshgate, a per-value one in PostgreSQL:
// the same digits, more zeros; also listed there). A query PostgreSQL itself
// rejects must be rejected by meshgate with the same SQLSTATE.

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// semTables are the fixture tables: crm.<name> in PostgreSQL, product
// sem.<name> in meshgate (declared with the same types), and the rows.
var semTables = []struct {
	name    string
	cols    []fedCol // declared in the product descriptor
	pgCols  string   // the PostgreSQL column definitions
	inserts string
	view    string // a PostgreSQL view instead of a table
}{
	{
		name: "vals",
		cols: []fedCol{{"id", "integer"}, {"i2", "smallint"}, {"i8", "bigint"}, {"f8", "double precision"},
			{"n", "numeric"}, {"n2", "numeric(10,2)"}, {"t", "text"}, {"b", "boolean"}, {"d", "date"},
			{"ts", "timestamp"}, {"bin", "bytea"}, {"ia", "integer[]"}, {"ta", "text[]"},
			{"iaa", "integer[][]"}},
		pgCols: `id integer, i2 smallint, i8 bigint, f8 double precision, n numeric, n2 numeric(10,2), t text,
			b boolean, d date, ts timestamp, bin bytea, ia integer[], ta text[], iaa integer[][]`,
		inserts: `INSERT INTO crm.vals VALUES
			(1, 10, 10000000000, 1.5, 35.6666666666666667, 12.50, 'hello', true, '2024-01-31', '2024-01-31 10:00:00', '\x48656c6c6f', '{1,2,3}', '{a,"b c"}', '{{1,2},{3,4}}'),
			(2, -3, -1, -0.25, 0.0000000000000001, 0.01, 'World', false, '2024-02-29', '2024-02-29 23:59:59.5', '\x00ff5c', '{}', '{NULL}', '{}'),
			(3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
			(4, 7, 42, 1e10, 123456789012345678.5, -99999999.99, 'select', true, '1999-12-31', '1999-12-31 00:00:00', '', '{4,NULL}', '{x}', '{{1},{NULL}}')`,
	},
	{
		// A two-dimensional array in a column declared integer[]: refused,
		// never flattened.
		name:    "flat",
		cols:    []fedCol{{"id", "integer"}, {"ia", "integer[]"}},
		pgCols:  "id integer, ia integer[]",
		inserts: "INSERT INTO crm.flat VALUES (1, '{{1,2},{3,4}}')",
	},
	{
		// character(n) and varchar(n) columns: a padded char(n) value is
		// refused.
		name:    "chars",
		cols:    []fedCol{{"id", "integer"}, {"c", "character(5)"}, {"v", "varchar(5)"}},
		pgCols:  "id integer, c character(5), v varchar(5)",
		inserts: "INSERT INTO crm.chars VALUES (1, 'ab', 'ab'), (2, 'abcde', 'ab  '), (3, NULL, NULL), (4, '', '')",
	},
	{
		// character(n) values that fill their length (codes) are served.
		name:    "codes",
		cols:    []fedCol{{"id", "integer"}, {"cc", "character(2)"}},
		pgCols:  "id integer, cc character(2)",
		inserts: "INSERT INTO crm.codes VALUES (1, 'DE'), (2, 'FR'), (3, NULL)",
	},
	{
		name: "stats",
		cols: []fedCol{{"grp", "integer"}, {"mean", "numeric"}, {"total", "bigint"}},
		view: `SELECT id % 2 AS grp, avg(i2) AS mean, sum(i8)::bigint AS total FROM crm.vals GROUP BY 1`,
	},
}

func TestSemanticsCorpus(t *testing.T) {
	cluster, pg := fedDB(t, "semantics")
	mesh := t.TempDir()
	pgExec(t, pg, "CREATE SCHEMA sem")
	for _, tb := range semTables {
		if tb.view != "" {
			pgExec(t, pg, "CREATE VIEW crm."+tb.name+" AS "+tb.view)
		} else {
			pgExec(t, pg, "CREATE TABLE crm."+tb.name+" ("+tb.pgCols+")", tb.inserts)
		}
		pgExec(t, pg, fmt.Sprintf("CREATE VIEW sem.%[1]s AS SELECT * FROM crm.%[1]s", tb.name))
		writeFile(t, filepath.Join(mesh, "sem", tb.name+".yaml"),
			descriptor("sem", tb.name, pgPortYAML(cluster.Port, "semantics", tb.name), tb.cols))
	}
	// A domain named public is PostgreSQL's public schema, once.
	pgExec(t, pg, "CREATE VIEW public.pub AS SELECT id, t FROM crm.vals")
	writeFile(t, filepath.Join(mesh, "public", "pub.yaml"),
		descriptor("public", "pub", pgPortYAML(cluster.Port, "semantics", "vals"), []fedCol{{"id", "integer"}, {"t", "text"}}))
	s := startFedGateway(t, mesh, fedPolicy(""))
	mg := s.conn(t)

	files, err := filepath.Glob("../test/semantics/*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus files in test/semantics: %v", err)
	}
	total, refused := 0, 0
	for _, f := range files {
		for _, q := range readCorpus(t, f) {
			total++
			if q.refuse != "" {
				refused++
			}
			t.Run(fmt.Sprintf("%s:%d", filepath.Base(f), q.line), func(t *testing.T) {
				compareQuery(t, mg, pg, q)
			})
		}
	}
	for _, q := range generatedCorpus() {
		total++
		if q.refuse != "" {
			refused++
		}
		t.Run(fmt.Sprintf("generated:%d", q.line), func(t *testing.T) {
			compareQuery(t, mg, pg, q)
		})
	}
	t.Logf("%d queries, %d identical to PostgreSQL, %d refused", total, total-refused, refused)
}

type corpusQuery struct {
	sql, refuse string
	numeric     bool // compare numbers without trailing fractional zeros
	ordered     bool // compare the rows in their order (-- compare: order)
	// level is how much of the answer must be PostgreSQL's: "" every
	// value, "shape" the columns and the number of rows, "columns" the
	// column names and type OIDs (-- compare: shape / columns).
	level string
	// typesDiffer skips the type OIDs (-- types: differ, a listed gap:
	// a column PostgreSQL types as name or "char" reached through a
	// subquery or CTE, which meshgate describes as text).
	typesDiffer bool
	line        int
}

// readCorpus splits a corpus file into statements (ending with ; at the
// end of a line), with their -- refuse: annotations.
func readCorpus(t *testing.T, path string) []corpusQuery {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []corpusQuery
	var cur corpusQuery
	var sb strings.Builder
	for i, line := range strings.Split(string(data), "\n") {
		trim := strings.TrimSpace(line)
		if sb.Len() == 0 {
			if code, ok := strings.CutPrefix(trim, "-- refuse:"); ok {
				cur.refuse = strings.TrimSpace(code)
				continue
			}
			if trim == "-- compare: numeric" {
				cur.numeric = true
				continue
			}
			if trim == "-- compare: order" {
				cur.ordered = true
				continue
			}
			if trim == "-- types: differ" {
				cur.typesDiffer = true
				continue
			}
			if level, ok := strings.CutPrefix(trim, "-- compare: "); ok && (level == "shape" || level == "columns") {
				cur.level = level
				continue
			}
			if trim == "" || strings.HasPrefix(trim, "--") {
				continue
			}
			cur.line = i + 1
		}
		sb.WriteString(line + "\n")
		if strings.HasSuffix(trim, ";") {
			cur.sql = strings.TrimSuffix(strings.TrimSpace(sb.String()), ";")
			out = append(out, cur)
			cur = corpusQuery{}
			sb.Reset()
		}
	}
	if sb.Len() > 0 {
		t.Fatalf("%s: the last statement does not end with ;", path)
	}
	return out
}

// answer is one side's result: the column type OIDs and the rows as text
// (sorted), or the SQLSTATE of its error.
type answer struct {
	oids  []uint32
	mods  []int32 // type modifiers
	names []string
	rows  []string
	code  string
	msg   string
}

func run(ctx context.Context, c *pgx.Conn, q string, ordered bool) answer {
	var a answer
	results, err := c.PgConn().Exec(ctx, q).ReadAll()
	if err == nil && len(results) > 0 {
		err = results[len(results)-1].Err
	}
	if err != nil {
		var pe *pgconn.PgError
		if errors.As(err, &pe) {
			return answer{code: pe.Code, msg: pe.Message}
		}
		return answer{code: "?", msg: err.Error()}
	}
	r := results[len(results)-1]
	fields := r.FieldDescriptions
	if len(r.Rows) == 0 && len(fields) == 0 {
		// pgconn keeps no field descriptions for a result without rows:
		// the statement's Describe gives them.
		if sd, err := c.PgConn().Prepare(ctx, "", q, nil); err == nil {
			fields = sd.Fields
		}
	}
	for _, f := range fields {
		a.oids = append(a.oids, f.DataTypeOID)
		a.mods = append(a.mods, f.TypeModifier)
		a.names = append(a.names, f.Name)
	}
	for _, row := range r.Rows {
		vals := make([]string, len(row))
		for i, v := range row {
			if v == nil {
				vals[i] = "NULL"
			} else {
				vals[i] = fmt.Sprintf("%q", v)
			}
		}
		a.rows = append(a.rows, strings.Join(vals, ", "))
	}
	if !ordered {
		sort.Strings(a.rows)
	}
	return a
}

func compareQuery(t *testing.T, mg, pg *pgx.Conn, q corpusQuery) {
	ctx := ctxT(t)
	got := run(ctx, mg, q.sql, q.ordered)
	if q.refuse != "" {
		if got.code != q.refuse {
			t.Errorf("%s\n meshgate must refuse with %s, answered %s %s %v %v", q.sql, q.refuse, got.code, got.msg, got.oids, got.rows)
		}
		return
	}
	compareAnswers(t, q, got, run(ctx, pg, q.sql, q.ordered))
}

// compareAnswers compares meshgate's answer with PostgreSQL's as far as
// q.level asks.
func compareAnswers(t *testing.T, q corpusQuery, got, want answer) {
	t.Helper()
	if want.code != "" || got.code != "" {
		if want.code != got.code {
			t.Errorf("%s\n meshgate: %s %s %v\n PostgreSQL: %s %s %v", q.sql, got.code, got.msg, got.rows, want.code, want.msg, want.rows)
		}
		return
	}
	if fmt.Sprint(got.names) != fmt.Sprint(want.names) {
		t.Errorf("%s\n column names: meshgate %q, PostgreSQL %q", q.sql, got.names, want.names)
	}
	if fmt.Sprint(got.oids) != fmt.Sprint(want.oids) && !q.typesDiffer {
		t.Errorf("%s\n type OIDs: meshgate %v, PostgreSQL %v", q.sql, got.oids, want.oids)
	}
	if fmt.Sprint(got.mods) != fmt.Sprint(want.mods) && !q.typesDiffer {
		t.Errorf("%s\n type modifiers: meshgate %v, PostgreSQL %v", q.sql, got.mods, want.mods)
	}
	switch q.level {
	case "columns":
		return
	case "shape":
		if len(got.rows) != len(want.rows) {
			t.Errorf("%s\n rows: meshgate %d, PostgreSQL %d\n meshgate:\n  %s\n PostgreSQL:\n  %s", q.sql, len(got.rows), len(want.rows), strings.Join(got.rows, "\n  "), strings.Join(want.rows, "\n  "))
		}
		return
	}
	if q.numeric {
		got.rows, want.rows = trimZeros(got.rows), trimZeros(want.rows)
		if !q.ordered {
			sort.Strings(got.rows)
			sort.Strings(want.rows)
		}
	}
	if strings.Join(got.rows, "\n") != strings.Join(want.rows, "\n") {
		t.Errorf("%s\n meshgate:\n  %s\n PostgreSQL:\n  %s", q.sql, strings.Join(got.rows, "\n  "), strings.Join(want.rows, "\n  "))
	}
}

var trailingZerosRE = regexp.MustCompile(`(\d\.\d*?)0+"|(\d)\.0+"`)

// trimZeros drops the trailing zeros of quoted decimal values.
func trimZeros(rows []string) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = trailingZerosRE.ReplaceAllString(r, `$1$2"`)
		out[i] = strings.ReplaceAll(out[i], `."`, `"`)
	}
	return out
}

// Multi-dimensional arrays in the binary format (extended protocol): the
// same dimensions and elements as PostgreSQL's.
func TestSemanticsArraysBinary(t *testing.T) {
	cluster, pg := fedDB(t, "semantics_bin")
	mesh := t.TempDir()
	pgExec(t, pg, "CREATE TABLE crm.grid (id integer, g integer[][])",
		"INSERT INTO crm.grid VALUES (1, '{{1,2,3},{4,5,6}}'), (2, '{}'), (3, NULL)",
		"CREATE SCHEMA sem", "CREATE VIEW sem.grid AS SELECT * FROM crm.grid")
	writeFile(t, filepath.Join(mesh, "sem", "grid.yaml"),
		descriptor("sem", "grid", pgPortYAML(cluster.Port, "semantics_bin", "grid"), []fedCol{{"id", "integer"}, {"g", "integer[][]"}}))
	mg := startFedGateway(t, mesh, fedPolicy("")).conn(t)
	for _, q := range []string{
		"SELECT g FROM sem.grid ORDER BY id",
		"SELECT ARRAY[[1, 2], [3, 4]] UNION ALL SELECT ARRAY[[5, 6], [7, NULL]]",
	} {
		read := func(c *pgx.Conn) string {
			rows, err := c.Query(ctxT(t), q)
			if err != nil {
				t.Fatalf("%s: %v", q, err)
			}
			defer rows.Close()
			var out []string
			for rows.Next() {
				var v [][]*int32
				if err := rows.Scan(&v); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
				out = append(out, fmt.Sprintf("rows=%d null=%t", len(v), v == nil))
				for _, r := range v {
					out = append(out, fmt.Sprintf("cols=%d", len(r)))
					for _, x := range r {
						if x == nil {
							out = append(out, "NULL")
						} else {
							out = append(out, fmt.Sprint(*x))
						}
					}
				}
			}
			return strings.Join(out, " ")
		}
		if got, want := read(mg), read(pg); got != want {
			t.Errorf("%s:\n meshgate   %s\n PostgreSQL %s", q, got, want)
		}
	}
}
