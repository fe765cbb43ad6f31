package redteam

// The differential oracle: for each demo user, what meshgate answers must
// equal what a plain DuckDB answers over that user's materialised view of
// every granted product (SELECT * FROM domain.product through meshgate,
// copied into tables of the same names) — or meshgate refuses. A
// difference means meshgate read something the user's views do not hold
// (a raw port, a system view) or shaped it differently.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"math/rand"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

var oracleUserNames = []string{"analyst", "steward", "admin"}

// oracleUser is one user's meshgate session and plain-DuckDB copy.
type oracleUser struct {
	name   string
	g      *gateway
	c      *client
	db     *sql.DB
	local  *sql.Conn
	tables []gtable
}

var (
	oracleMu    sync.Mutex
	oracleCache = map[string]*oracleUser{}
)

// oracleFor returns the user's oracle, materialising it on first use.
func oracleFor(t testing.TB, user string) *oracleUser {
	t.Helper()
	g := startGateway(t)
	oracleMu.Lock()
	defer oracleMu.Unlock()
	if o := oracleCache[user]; o != nil {
		return o
	}
	o, err := materialise(g, user)
	if err != nil {
		t.Fatalf("materialising %s's products: %v", user, err)
	}
	oracleCache[user] = o
	return o
}

const nullMark = "\x00NULL"

// meshRows runs q through meshgate and returns the last result's rows.
func meshRows(ctx context.Context, c *client, q string, extended bool) ([]string, [][]string, error) {
	var r *pgconn.Result
	if extended {
		r = c.conn.PgConn().ExecParams(ctx, q, nil, nil, nil, nil).Read()
	} else {
		rs, err := c.conn.PgConn().Exec(ctx, q).ReadAll()
		if err != nil {
			return nil, nil, err
		}
		if len(rs) == 0 {
			return nil, nil, errors.New("no result")
		}
		r = rs[len(rs)-1]
	}
	if r.Err != nil {
		return nil, nil, r.Err
	}
	var cols []string
	for _, f := range r.FieldDescriptions {
		cols = append(cols, f.Name)
	}
	out := make([][]string, len(r.Rows))
	for i, row := range r.Rows {
		out[i] = make([]string, len(row))
		for j, v := range row {
			if v == nil {
				out[i][j] = nullMark
			} else {
				out[i][j] = string(v)
			}
		}
	}
	return cols, out, nil
}

func quoteLit(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
func quoteID(s string) string  { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

func materialise(g *gateway, user string) (*oracleUser, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c, err := g.dial(user)
	if err != nil {
		return nil, err
	}
	o := &oracleUser{name: user, g: g, c: c}
	if o.db, err = sql.Open("duckdb", ""); err != nil {
		return nil, err
	}
	if o.local, err = o.db.Conn(ctx); err != nil {
		return nil, err
	}
	for _, q := range []string{"SET threads = 1", "SET TimeZone = 'UTC'"} {
		if _, err := o.local.ExecContext(ctx, q); err != nil {
			return nil, fmt.Errorf("%s: %w", q, err)
		}
	}
	_, products, err := meshRows(ctx, c, "SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema <> 'meshgate' ORDER BY 1, 2", false)
	if err != nil {
		return nil, err
	}
	if len(products) == 0 {
		return nil, fmt.Errorf("%s is granted no product", user)
	}
	for _, p := range products {
		t, err := o.copyProduct(ctx, p[0], p[1])
		if err != nil {
			return nil, fmt.Errorf("%s.%s: %w", p[0], p[1], err)
		}
		o.tables = append(o.tables, t)
	}
	// Plain DuckDB holds the user's views only: no files, no settings changes.
	for _, q := range []string{"SET enable_external_access = false", "SET lock_configuration = true"} {
		if _, err := o.local.ExecContext(ctx, q); err != nil {
			return nil, fmt.Errorf("%s: %w", q, err)
		}
	}
	return o, nil
}

// copyProduct copies what the user sees of one product into the local
// database, with DuckDB's own types (typeof through meshgate).
func (o *oracleUser) copyProduct(ctx context.Context, schema, name string) (gtable, error) {
	t := gtable{schema: schema, name: name}
	addr := quoteID(schema) + "." + quoteID(name)
	names, types, err := meshRows(ctx, o.c, "SELECT typeof(COLUMNS(*)) FROM "+addr+" LIMIT 1", false)
	if err != nil || len(types) != 1 || len(types[0]) != len(names) {
		return t, fmt.Errorf("column types: %v %v", types, err)
	}
	_, rows, err := meshRows(ctx, o.c, "SELECT CAST(COLUMNS(*) AS STRING) FROM "+addr, false)
	if err != nil {
		return t, err
	}
	var defs, casts, vs []string
	for i, n := range names {
		typ := types[0][i]
		defs = append(defs, quoteID(n)+" "+typ)
		casts = append(casts, fmt.Sprintf("CAST(v%d AS %s)", i, typ))
		vs = append(vs, fmt.Sprintf("v%d", i))
		t.cols = append(t.cols, gcol{name: n, cls: classOf(typ)})
	}
	ddl := fmt.Sprintf("CREATE SCHEMA IF NOT EXISTS %s; CREATE TABLE %s (%s)", quoteID(schema), addr, strings.Join(defs, ", "))
	if _, err := o.local.ExecContext(ctx, ddl); err != nil {
		return t, err
	}
	for start := 0; start < len(rows); start += 200 {
		end := min(start+200, len(rows))
		var tuples []string
		for _, r := range rows[start:end] {
			lits := make([]string, len(r))
			for j, v := range r {
				if v == nullMark {
					lits[j] = "CAST(NULL AS VARCHAR)"
				} else {
					lits[j] = quoteLit(v)
				}
			}
			tuples = append(tuples, "("+strings.Join(lits, ", ")+")")
		}
		ins := fmt.Sprintf("INSERT INTO %s SELECT %s FROM (VALUES %s) AS v(%s)", addr, strings.Join(casts, ", "), strings.Join(tuples, ", "), strings.Join(vs, ", "))
		if _, err := o.local.ExecContext(ctx, ins); err != nil {
			return t, err
		}
	}
	return t, nil
}

// localRows runs q on the plain DuckDB copy.
func (o *oracleUser) localRows(ctx context.Context, q string) ([][]string, error) {
	rs, err := o.local.QueryContext(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	cols, err := rs.Columns()
	if err != nil {
		return nil, err
	}
	var out [][]string
	for rs.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rs.Scan(ptrs...); err != nil {
			return nil, err
		}
		row := make([]string, len(cols))
		for i, v := range vals {
			if v.Valid {
				row[i] = v.String
			} else {
				row[i] = nullMark
			}
		}
		out = append(out, row)
	}
	return out, rs.Err()
}

// outcome of one generated query.
type outcome int

const (
	oEqual   outcome = iota
	oRefused         // meshgate refused a query DuckDB answers
	oInvalid         // both refuse it (the generator wrote an invalid query)
	oDiff            // a difference: the test fails
)

// generate writes the query of a seed for the user's products.
func (o *oracleUser) generate(seed int64) string {
	g := &gen{r: rand.New(rand.NewSource(seed)), tables: o.tables}
	return g.query()
}

// check runs the query of seed on both sides; msg explains a refusal or
// a difference.
func (o *oracleUser) check(seed int64) (q string, res outcome, msg string) {
	q = o.generate(seed)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if o.c.conn.PgConn().IsClosed() {
		if c, err := o.g.dial(o.name); err == nil {
			o.c = c
		}
	}
	_, mine, merr := meshRows(ctx, o.c, q, seed%2 == 1)
	theirs, derr := o.localRows(ctx, q)
	switch {
	case merr != nil && derr != nil:
		return q, oInvalid, fmt.Sprintf("meshgate: %v; duckdb: %v", merr, derr)
	case merr != nil:
		return q, oRefused, merr.Error()
	case derr != nil:
		return q, oDiff, fmt.Sprintf("meshgate answered %d rows (first %v) where plain DuckDB over the user's views fails: %v", len(mine), first(mine), derr)
	}
	if d := diffRows(mine, theirs); d != "" {
		return q, oDiff, d
	}
	return q, oEqual, ""
}

func first(rows [][]string) []string {
	if len(rows) == 0 {
		return nil
	}
	return rows[0]
}

// diffRows compares two results as sorted multisets of rows.
func diffRows(mine, theirs [][]string) string {
	key := func(r []string) string { return strings.Join(r, "\x1f") }
	sort.Slice(mine, func(i, j int) bool { return key(mine[i]) < key(mine[j]) })
	sort.Slice(theirs, func(i, j int) bool { return key(theirs[i]) < key(theirs[j]) })
	for i := 0; i < len(mine) && i < len(theirs); i++ {
		if !sameRow(mine[i], theirs[i]) {
			return fmt.Sprintf("row %d differs: meshgate %q, duckdb %q (%d vs %d rows)", i, mine[i], theirs[i], len(mine), len(theirs))
		}
	}
	if len(mine) != len(theirs) {
		extra := "meshgate has extra row "
		r := mine
		if len(theirs) > len(mine) {
			extra, r = "duckdb has extra row ", theirs
		}
		return fmt.Sprintf("%d rows through meshgate, %d on duckdb; %s%q", len(mine), len(theirs), extra, r[min(len(mine), len(theirs))])
	}
	return ""
}

func sameRow(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] && !closeFloats(a[i], b[i]) {
			return false
		}
	}
	return true
}

func closeFloats(a, b string) bool {
	x, err1 := strconv.ParseFloat(a, 64)
	y, err2 := strconv.ParseFloat(b, 64)
	if err1 != nil || err2 != nil {
		return false
	}
	return math.Abs(x-y) <= 1e-9*math.Max(1, math.Max(math.Abs(x), math.Abs(y)))
}

// oracleQueries is how many queries per user TestOracle runs
// (REDTEAM_ORACLE_N overrides).
func oracleQueries() int {
	if n, err := strconv.Atoi(os.Getenv("REDTEAM_ORACLE_N")); err == nil && n > 0 {
		return n
	}
	return 300
}

// TestOracle runs a bounded number of generated queries per user.
func TestOracle(t *testing.T) {
	n := oracleQueries()
	for ui, user := range oracleUserNames {
		t.Run(user, func(t *testing.T) {
			start := time.Now()
			o := oracleFor(t, user)
			var counts [4]int
			var refusals, invalid []string
			diffs := 0
			for i := 0; i < n; i++ {
				seed := int64(i)*7919 + int64(ui)*104729 + 1
				q, res, msg := o.check(seed)
				counts[res]++
				switch res {
				case oRefused:
					refusals = append(refusals, fmt.Sprintf("seed %d: %s\n      -> %s", seed, q, excerpt(msg, 300)))
				case oInvalid:
					invalid = append(invalid, fmt.Sprintf("seed %d: %s\n      -> %s", seed, q, excerpt(msg, 300)))
				case oDiff:
					diffs++
					if diffs <= 10 {
						t.Errorf("DIFFERENCE for %s (seed %d):\n  %s\n  %s", user, seed, q, excerpt(msg, 800))
					}
				}
			}
			valid := n - counts[oInvalid]
			t.Logf("%s: %d queries in %v: %d equal, %d refused by meshgate, %d invalid on both, %d differences",
				user, n, time.Since(start).Round(time.Millisecond), counts[oEqual], counts[oRefused], counts[oInvalid], counts[oDiff])
			if diffs > 10 {
				t.Errorf("… %d differences in all", diffs)
			}
			if valid > 0 && float64(counts[oRefused]) > 0.2*float64(valid) {
				t.Errorf("meshgate refused %d of %d valid queries (more than 20%%); examples:\n  %s", counts[oRefused], valid, strings.Join(refusals[:min(8, len(refusals))], "\n  "))
			} else if len(refusals) > 0 {
				t.Logf("refusal examples:\n  %s", strings.Join(refusals[:min(3, len(refusals))], "\n  "))
			}
			if float64(counts[oInvalid]) > 0.25*float64(n) {
				t.Errorf("the generator wrote %d invalid queries of %d (more than 25%%); examples:\n  %s", counts[oInvalid], n, strings.Join(invalid[:min(8, len(invalid))], "\n  "))
			}
		})
	}
}

// FuzzOracle is the long run of the oracle: each input seeds one query
// for one user (seeds in testdata/fuzz/FuzzOracle).
func FuzzOracle(f *testing.F) {
	f.Fuzz(func(t *testing.T, seed int64, user uint8) {
		o := oracleFor(t, oracleUserNames[int(user)%len(oracleUserNames)])
		q, res, msg := o.check(seed)
		if res == oDiff {
			t.Fatalf("DIFFERENCE for %s (seed %d):\n  %s\n  %s", o.name, seed, q, msg)
		}
	})
}
