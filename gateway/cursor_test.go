package gateway_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

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
