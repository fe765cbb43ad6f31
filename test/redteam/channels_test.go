package redteam

// The channels an attack statement reaches the engine through: the simple
// and extended query protocols (pgx's exec and statement-cache modes, a
// named protocol-level prepared statement), SQL PREPARE/EXECUTE, cursors,
// COPY … TO STDOUT, EXPLAIN, and multi-statement strings.

import (
	"context"
	"database/sql/driver"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// answer is what a channel got back: every result rendered as text (for
// the leak checks) and the rows of the last result that has rows (for the
// attack's own check).
type answer struct {
	cols  []string // nil when unknown (COPY)
	rows  [][]string
	texts []string
}

func (a *answer) all() string { return strings.Join(a.texts, "\n") }

func (a *answer) add(cols []string, rows [][]string, tag string) {
	var b strings.Builder
	b.WriteString(strings.Join(cols, "|"))
	b.WriteByte('\n')
	for _, r := range rows {
		b.WriteString(strings.Join(r, "|"))
		b.WriteByte('\n')
	}
	b.WriteString(tag)
	a.texts = append(a.texts, b.String())
	if len(cols) > 0 || len(rows) > 0 {
		a.cols, a.rows = cols, rows
	}
}

// addPg adds pgconn results (text format).
func (a *answer) addPg(rs ...*pgconn.Result) {
	for _, r := range rs {
		if r == nil {
			continue
		}
		var cols []string
		for _, f := range r.FieldDescriptions {
			cols = append(cols, f.Name)
		}
		rows := make([][]string, 0, len(r.Rows))
		for _, row := range r.Rows {
			vals := make([]string, len(row))
			for i, v := range row {
				if v == nil {
					vals[i] = "NULL"
				} else {
					vals[i] = string(v)
				}
			}
			rows = append(rows, vals)
		}
		a.add(cols, rows, r.CommandTag.String())
	}
}

// channel runs one attack statement one way.
type channel struct {
	name string
	// run sends sql and returns the answer and the first error.
	run func(ctx context.Context, c *client, sql string) (*answer, error)
	// extra SQLSTATEs this channel may refuse any statement with (say,
	// SQL-level PREPARE is not supported at all).
	extra []string
	// checks: the attack's own check applies to this channel's rows.
	checks bool
	// mustFail: the channel is never answered (extended protocol with
	// several statements), whatever the attack.
	mustFail bool
}

var (
	chSimple = channel{name: "simple", checks: true, run: func(ctx context.Context, c *client, sql string) (*answer, error) {
		return runSimple(ctx, c, sql)
	}}
	chExec = channel{name: "exec", checks: true, run: func(ctx context.Context, c *client, sql string) (*answer, error) {
		return runPgx(ctx, c, sql, pgx.QueryExecModeExec)
	}}
	chCache = channel{name: "cache", checks: true, run: func(ctx context.Context, c *client, sql string) (*answer, error) {
		return runPgx(ctx, c, sql, pgx.QueryExecModeCacheStatement)
	}}
	chPrepared = channel{name: "prepared", checks: true, run: runPrepared}
	chSQLPrep  = channel{name: "sql-prepare", checks: true, extra: []string{"42501", "0A000"}, run: runSQLPrepare}
	chCursor   = channel{name: "cursor", checks: true, run: runCursor}
	chCopy     = channel{name: "copy", checks: true, extra: []string{"0A000"}, run: func(ctx context.Context, c *client, sql string) (*answer, error) {
		return runCopy(ctx, c, "COPY ("+sql+") TO STDOUT")
	}}
	chCopyRaw = channel{name: "copy", checks: true, run: runCopy}
	chExplain = channel{name: "explain", run: func(ctx context.Context, c *client, sql string) (*answer, error) {
		return runSimple(ctx, c, "EXPLAIN "+sql)
	}}
	chExplainJSON = channel{name: "explain-json", extra: []string{"0A000"}, run: func(ctx context.Context, c *client, sql string) (*answer, error) {
		return runSimple(ctx, c, "EXPLAIN (FORMAT JSON) "+sql)
	}}
	chMulti = channel{name: "multi", checks: true, run: func(ctx context.Context, c *client, sql string) (*answer, error) {
		return runSimple(ctx, c, "select 1; "+sql)
	}}
	chXMulti = channel{name: "ext-multi", mustFail: true, extra: []string{"42601", "42501"}, run: func(ctx context.Context, c *client, sql string) (*answer, error) {
		return runExtendedRaw(ctx, c, "select 1; "+sql)
	}}
	chExtRaw = channel{name: "extended", checks: true, run: func(ctx context.Context, c *client, sql string) (*answer, error) {
		return runExtendedRaw(ctx, c, sql)
	}}
	chXMultiRaw = channel{name: "ext-multi", mustFail: true, extra: []string{"42601", "42501"}, run: runExtendedRaw}
)

// channelsFor lists the channels of an attack kind.
func channelsFor(k kind) []channel {
	switch k {
	case kQuery:
		return []channel{chSimple, chExec, chCache, chPrepared, chSQLPrep, chCursor, chCopy, chExplain, chExplainJSON, chMulti, chXMulti}
	case kStmt:
		return []channel{chSimple, chExec, chCache, chPrepared, chMulti, chXMulti}
	case kMulti:
		return []channel{chSimple, chXMultiRaw}
	case kCopy:
		return []channel{chCopyRaw, chExtRaw}
	}
	return nil
}

func runSimple(ctx context.Context, c *client, sql string) (*answer, error) {
	a := &answer{}
	rs, err := c.conn.PgConn().Exec(ctx, sql).ReadAll()
	a.addPg(rs...)
	if err != nil {
		return a, err
	}
	for _, r := range rs {
		if r.Err != nil {
			return a, r.Err
		}
	}
	return a, nil
}

func runExtendedRaw(ctx context.Context, c *client, sql string) (*answer, error) {
	a := &answer{}
	r := c.conn.PgConn().ExecParams(ctx, sql, nil, nil, nil, nil).Read()
	a.addPg(r)
	return a, r.Err
}

// runPgx runs sql through pgx in an extended-protocol mode, rendering
// the decoded values.
func runPgx(ctx context.Context, c *client, sql string, mode pgx.QueryExecMode) (*answer, error) {
	a := &answer{}
	rows, err := c.conn.Query(ctx, sql, mode)
	if err != nil {
		return a, err
	}
	defer rows.Close()
	var cols []string
	for _, f := range rows.FieldDescriptions() {
		cols = append(cols, f.Name)
	}
	var out [][]string
	for rows.Next() && len(out) < 100000 {
		vals, err := rows.Values()
		if err != nil {
			return a, err
		}
		r := make([]string, len(vals))
		for i, v := range vals {
			r[i] = render(v)
		}
		out = append(out, r)
	}
	rows.Close()
	a.add(cols, out, rows.CommandTag().String())
	return a, rows.Err()
}

// render prints a decoded pgx value the way its text format would read.
func render(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case string:
		return x
	case []byte:
		return string(x)
	case time.Time:
		return x.UTC().Format("2006-01-02 15:04:05.999999")
	case driver.Valuer:
		if dv, err := x.Value(); err == nil {
			if dv == nil {
				return "NULL"
			}
			return fmt.Sprint(dv)
		}
	case [16]byte:
		return fmt.Sprintf("%x-%x-%x-%x-%x", x[0:4], x[4:6], x[6:8], x[8:10], x[10:16])
	}
	return fmt.Sprint(v)
}

const stmtName = "redteam_stmt"

func runPrepared(ctx context.Context, c *client, sql string) (*answer, error) {
	a := &answer{}
	pc := c.conn.PgConn()
	if _, err := pc.Prepare(ctx, stmtName, sql, nil); err != nil {
		return a, err
	}
	defer pc.Deallocate(ctx, stmtName)
	r := pc.ExecPrepared(ctx, stmtName, nil, nil, nil).Read()
	a.addPg(r)
	return a, r.Err
}

func runSQLPrepare(ctx context.Context, c *client, sql string) (*answer, error) {
	a, err := runSimple(ctx, c, "PREPARE redteam_p AS "+sql)
	if err != nil {
		return a, err
	}
	defer runSimple(ctx, c, "DEALLOCATE redteam_p")
	b, err := runSimple(ctx, c, "EXECUTE redteam_p")
	a.texts = append(a.texts, b.texts...)
	a.cols, a.rows = b.cols, b.rows
	return a, err
}

func runCursor(ctx context.Context, c *client, sql string) (*answer, error) {
	a := &answer{}
	defer runSimple(ctx, c, "ROLLBACK")
	if _, err := runSimple(ctx, c, "BEGIN"); err != nil {
		return a, err
	}
	d, err := runSimple(ctx, c, "DECLARE redteam_c CURSOR FOR "+sql)
	a.texts = append(a.texts, d.texts...)
	if err != nil {
		return a, err
	}
	f, err := runSimple(ctx, c, "FETCH 100000 FROM redteam_c")
	a.texts = append(a.texts, f.texts...)
	a.cols, a.rows = f.cols, f.rows
	return a, err
}

func runCopy(ctx context.Context, c *client, stmt string) (*answer, error) {
	a := &answer{}
	var buf strings.Builder
	tag, err := c.conn.PgConn().CopyTo(ctx, &buf, stmt)
	var rows [][]string
	for _, line := range strings.Split(strings.TrimRight(buf.String(), "\n"), "\n") {
		if line == "" {
			continue
		}
		f := strings.Split(line, "\t")
		for i, v := range f {
			if v == `\N` {
				f[i] = "NULL"
			}
		}
		rows = append(rows, f)
	}
	a.add(nil, rows, tag.String())
	a.texts = append(a.texts, buf.String())
	return a, err
}
