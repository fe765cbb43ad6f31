package gateway_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/meshgate/meshgate/connectors/pgtest"
)

// runScript runs each statement with the simple protocol and renders what
// came back: "TAG|rows" or "ERROR code".
func runScript(t *testing.T, c *pgx.Conn, script []string) []string {
	t.Helper()
	var out []string
	for _, sql := range script {
		results, err := c.PgConn().Exec(ctxT(t), sql).ReadAll()
		var pe *pgconn.PgError
		if errors.As(err, &pe) {
			out = append(out, sql+" → ERROR "+pe.Code)
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		var rows []string
		for _, r := range results[len(results)-1].Rows {
			rows = append(rows, string(r[0]))
		}
		out = append(out, sql+" → "+results[len(results)-1].CommandTag.String()+"|"+strings.Join(rows, ","))
	}
	return out
}

// TestE2EScrollCursorsAsPostgreSQL runs FETCH and MOVE in every direction
// on SCROLL and NO SCROLL cursors against meshgate and a real PostgreSQL
// 15, and compares every tag and row.
func TestE2EScrollCursorsAsPostgreSQL(t *testing.T) {
	pg := pgtest.Shared(t).Conn(t)
	s := startGateway(t)
	mg := s.connect(t, "")
	const q = "SELECT i FROM generate_series(1, 10) AS t(i) ORDER BY i"
	script := []string{
		"BEGIN",
		"DECLARE c SCROLL CURSOR FOR " + q,
		"FETCH 3 FROM c", "FETCH PRIOR FROM c", "FETCH BACKWARD 2 FROM c", "FETCH BACKWARD 5 FROM c",
		"FETCH NEXT FROM c", "FETCH ABSOLUTE 4 FROM c", "FETCH ABSOLUTE -2 FROM c", "FETCH RELATIVE -3 FROM c",
		"FETCH RELATIVE 0 FROM c", "FETCH FORWARD 0 FROM c", "FETCH LAST FROM c", "FETCH NEXT FROM c", "FETCH NEXT FROM c",
		"FETCH PRIOR FROM c", "FETCH FIRST FROM c", "FETCH ABSOLUTE 0 FROM c", "FETCH RELATIVE 2 FROM c",
		"FETCH ABSOLUTE 20 FROM c", "FETCH RELATIVE 1 FROM c", "FETCH BACKWARD ALL FROM c", "FETCH ALL FROM c",
		"MOVE BACKWARD 3 IN c", "FETCH -1 FROM c", "MOVE ABSOLUTE 5 IN c", "FETCH FORWARD 2 FROM c", "MOVE FORWARD ALL IN c",
		"MOVE RELATIVE -2 IN c", "FETCH FORWARD -2 FROM c", "MOVE ABSOLUTE 50 IN c", "MOVE BACKWARD ALL IN c",
		"FETCH ABSOLUTE -20 FROM c", "FETCH BACKWARD -2 FROM c", "FETCH 20 FROM c", "MOVE RELATIVE -1 IN c", "FETCH c",
		"CLOSE c",
		"DECLARE n NO SCROLL CURSOR FOR " + q,
		"FETCH 2 FROM n", "FETCH RELATIVE 3 FROM n", "FETCH ABSOLUTE 8 FROM n", "MOVE 1 IN n", "FETCH ALL FROM n", "FETCH n",
		"FETCH PRIOR FROM n",
		"ROLLBACK",
	}
	for _, tail := range [][]string{
		{"FETCH BACKWARD 1 FROM n"}, {"FETCH ABSOLUTE 1 FROM n"}, {"FETCH RELATIVE 0 FROM n"}, {"FETCH LAST FROM n"},
		{"MOVE BACKWARD ALL IN n"}, {"FETCH RELATIVE -1 FROM n"}, {"FETCH FORWARD 0 FROM n"},
	} {
		script = append(script, "BEGIN", "DECLARE n NO SCROLL CURSOR FOR "+q, "FETCH 2 FROM n")
		script = append(script, tail...)
		script = append(script, "ROLLBACK")
	}
	want := runScript(t, pg, script)
	got := runScript(t, mg, script)
	if testing.Verbose() {
		t.Logf("PostgreSQL:\n%s", strings.Join(want, "\n"))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("meshgate %s\n   PostgreSQL %s", got[i], want[i])
		}
	}

	// The backward refusal is PostgreSQL's, with its hint; a cursor
	// declared without SCROLL is forward-only in meshgate (PostgreSQL
	// lets some plans scroll backward without it).
	pc := mg.PgConn()
	expectResults(t, mg, "BEGIN; DECLARE d CURSOR FOR "+q+"; FETCH 2 FROM d", "BEGIN||", "DECLARE CURSOR||", "FETCH 2|i|1;2")
	_, err := pc.Exec(ctxT(t), "FETCH PRIOR FROM d").ReadAll()
	if pe := pgErr(t, err, "55000"); pe.Message != "cursor can only scan forward" || !strings.Contains(pe.Hint, "SCROLL") {
		t.Errorf("backward on a forward-only cursor: %q (hint %q)", pe.Message, pe.Hint)
	}
	expectResults(t, mg, "ROLLBACK", "ROLLBACK||")

	// A large forward-only cursor: FETCH in steps and MOVE ALL, rows and
	// counts as in PostgreSQL.
	big := []string{"BEGIN", "DECLARE b CURSOR FOR SELECT i FROM generate_series(1, 25000) AS t(i) ORDER BY i",
		"FETCH 3 FROM b", "MOVE 9990 IN b", "FETCH 2 FROM b", "FETCH ABSOLUTE 20001 FROM b", "MOVE ALL IN b", "FETCH 1 FROM b", "COMMIT"}
	want = runScript(t, pg, big)
	got = runScript(t, mg, big)
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("meshgate %s\n   PostgreSQL %s", got[i], want[i])
		}
	}
}

// rawTo hijacks a fresh connection to dsn for protocol-level exchanges.
func rawTo(t *testing.T, dsn string) *rawConn {
	t.Helper()
	pc, err := pgconn.Connect(ctxT(t), dsn)
	if err != nil {
		t.Fatal(err)
	}
	h, err := pc.Hijack()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Conn.Close() })
	return &rawConn{t: t, nc: h.Conn, fe: h.Frontend}
}

// exchange sends msgs and renders every reply up to ReadyForQuery.
func (r *rawConn) exchange(msgs ...pgproto3.FrontendMessage) string {
	r.t.Helper()
	r.send(msgs...)
	var out []string
	for {
		switch m := r.receive().(type) {
		case *pgproto3.ReadyForQuery:
			return strings.Join(append(out, "Z"+string(m.TxStatus)), " ")
		case *pgproto3.DataRow:
			out = append(out, "D"+string(m.Values[0]))
		case *pgproto3.CommandComplete:
			out = append(out, "C("+string(m.CommandTag)+")")
		case *pgproto3.ErrorResponse:
			out = append(out, "E"+m.Code)
		case *pgproto3.RowDescription:
			var f []string
			for _, fd := range m.Fields {
				f = append(f, fmt.Sprintf("%s:%d/%d", fd.Name, fd.DataTypeOID, fd.Format))
			}
			out = append(out, "T("+strings.Join(f, ",")+")")
		case *pgproto3.NoticeResponse, *pgproto3.ParameterStatus:
		default:
			out = append(out, strings.TrimPrefix(fmt.Sprintf("%T", m), "*pgproto3."))
		}
	}
}

// TestE2EOneCursorNamespace: an SQL cursor is a portal (Describe, Execute
// with a row limit, Close) and a bound portal is a cursor (FETCH, MOVE,
// CLOSE), as PostgreSQL 15 answers the same messages.
func TestE2EOneCursorNamespace(t *testing.T) {
	cl := pgtest.Shared(t)
	s := startGateway(t)
	const q = "SELECT i::int4 AS i FROM generate_series(1, 10) AS t(i) ORDER BY i"
	type msgs = []pgproto3.FrontendMessage
	query := func(sql string) msgs { return msgs{&pgproto3.Query{String: sql}} }
	sync := &pgproto3.Sync{}
	steps := []msgs{
		query("BEGIN"),
		// An SQL cursor used as a portal.
		query("DECLARE c CURSOR FOR " + q),
		{&pgproto3.Describe{ObjectType: 'P', Name: "c"}, &pgproto3.Execute{Portal: "c", MaxRows: 2}, sync},
		{&pgproto3.Execute{Portal: "c", MaxRows: 3}, &pgproto3.Execute{Portal: "c", MaxRows: 0}, sync},
		query("FETCH 2 FROM c"),
		query("DECLARE d CURSOR FOR " + q),
		{&pgproto3.Parse{Name: "s", Query: q}, &pgproto3.Bind{PreparedStatement: "s", DestinationPortal: "d"}, sync},
		query("ROLLBACK"),
		query("BEGIN"),
		query("DECLARE c CURSOR FOR " + q),
		{&pgproto3.Execute{Portal: "c", MaxRows: 10}, &pgproto3.Execute{Portal: "c", MaxRows: 1}, sync},
		{&pgproto3.Close{ObjectType: 'P', Name: "c"}, sync},
		query("FETCH 1 FROM c"),
		query("ROLLBACK"),
		// A bound portal used as a cursor.
		query("BEGIN"),
		{&pgproto3.Bind{PreparedStatement: "s", DestinationPortal: "p"}, &pgproto3.Execute{Portal: "p", MaxRows: 3}, sync},
		query("FETCH 2 FROM p"),
		query("MOVE 2 IN p"),
		{&pgproto3.Execute{Portal: "p", MaxRows: 2}, sync},
		query("FETCH ALL IN p"),
		{&pgproto3.Execute{Portal: "p"}, sync},
		query("DECLARE p CURSOR FOR " + q),
		query("ROLLBACK"),
		query("BEGIN"),
		{&pgproto3.Bind{PreparedStatement: "s", DestinationPortal: "fresh"}, sync},
		query("FETCH 2 FROM fresh"), // runs the portal
		{&pgproto3.Execute{Portal: "fresh", MaxRows: 1}, sync},
		query("CLOSE fresh"),
		{&pgproto3.Execute{Portal: "fresh"}, sync},
		query("ROLLBACK"),
	}
	pg := rawTo(t, cl.DSN(""))
	mg := s.raw(t)
	for _, m := range steps {
		want := pg.exchange(m...)
		got := mg.exchange(m...)
		if testing.Verbose() {
			t.Logf("%s → %s", describeMsgs(m), want)
		}
		if got != want {
			t.Errorf("%s:\n  meshgate   %s\n  PostgreSQL %s", describeMsgs(m), got, want)
		}
	}
	// Protocol portals move forward only in meshgate.
	mg.exchange(query("BEGIN")...)
	if got := mg.exchange(&pgproto3.Bind{PreparedStatement: "s", DestinationPortal: "p"}, sync); got != "BindComplete ZT" {
		t.Fatalf("bind: %s", got)
	}
	if got := mg.exchange(query("FETCH PRIOR FROM p")...); got != "E55000 ZE" {
		t.Errorf("FETCH PRIOR on a portal: %s", got)
	}
}

func describeMsgs(ms []pgproto3.FrontendMessage) string {
	var out []string
	for _, m := range ms {
		switch m := m.(type) {
		case *pgproto3.Query:
			out = append(out, "Query("+m.String+")")
		case *pgproto3.Execute:
			out = append(out, fmt.Sprintf("Execute(%s,%d)", m.Portal, m.MaxRows))
		default:
			out = append(out, strings.TrimPrefix(fmt.Sprintf("%T", m), "*pgproto3."))
		}
	}
	return strings.Join(out, " ")
}
