package gateway_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/meshgate/meshgate/gateway"
)

// Session commands drivers send on their own: encoding names, UNLISTEN,
// SHOW ssl, savepoints (psqlODBC's declare/fetch mode, SQLAlchemy's
// nested transactions).

func TestE2EClientEncoding(t *testing.T) {
	s := startGateway(t)
	c := s.connect(t, "")
	pc := c.PgConn()
	// PostgreSQL cleans encoding names: any case, dashes, underscores,
	// quotes; UNICODE is UTF8.
	for _, v := range []string{"'utf-8'", "'UTF8'", "utf8", "'Unicode'", "'utf_8'", `"UTF-8"`} {
		expectResults(t, c, "SET client_encoding = "+v+"; SHOW client_encoding", "SET||", "SHOW|client_encoding|UTF8")
	}
	expectResults(t, c, "SET NAMES 'utf-8'", "SET||")
	if got := pc.ParameterStatus("client_encoding"); got != "UTF8" {
		t.Errorf("ParameterStatus client_encoding = %q", got)
	}
	// Encodings PostgreSQL has but meshgate does not convert to are
	// 0A000; names PostgreSQL does not know are 22023.
	for _, bad := range []struct{ sql, code string }{
		{"SET client_encoding = 'LATIN1'", "0A000"},
		{"SET client_encoding TO 'iso-8859-1'", "0A000"},
		{"SET client_encoding = 'SQL_ASCII'", "0A000"},
		{"SET NAMES 'win1252'", "0A000"},
		{"SET client_encoding = 'klingon'", "22023"},
	} {
		_, err := pc.Exec(ctxT(t), bad.sql).ReadAll()
		pgErr(t, err, bad.code)
	}
	expectResults(t, c, "SHOW client_encoding", "SHOW|client_encoding|UTF8")

	// As a startup parameter, quoted the way asyncpg sends it.
	cfg, err := pgx.ParseConfig(s.connString("analyst", ""))
	if err != nil {
		t.Fatal(err)
	}
	cfg.RuntimeParams["client_encoding"] = "'utf-8'"
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c2, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatalf("client_encoding='utf-8' at startup: %v", err)
	}
	defer c2.Close(context.Background())
	if got := c2.PgConn().ParameterStatus("client_encoding"); got != "UTF8" {
		t.Errorf("ParameterStatus client_encoding = %q", got)
	}
}

func TestE2EListenNotify(t *testing.T) {
	s := startGateway(t)
	c := s.connect(t, "")
	pc := c.PgConn()
	expectResults(t, c, "UNLISTEN *", "UNLISTEN||")
	expectResults(t, c, `UNLISTEN some_channel; UNLISTEN "Other"`, "UNLISTEN||", "UNLISTEN||")
	if _, err := c.Exec(ctxT(t), "UNLISTEN *"); err != nil { // extended protocol
		t.Errorf("extended UNLISTEN *: %v", err)
	}
	for _, sql := range []string{"LISTEN x", "NOTIFY x", "NOTIFY x, 'payload'"} {
		_, err := pc.Exec(ctxT(t), sql).ReadAll()
		pgErr(t, err, "0A000")
	}
	_, err := pc.Exec(ctxT(t), "UNLISTEN").ReadAll()
	pgErr(t, err, "42601")
	// In a transaction block too (asyncpg resets a pooled connection
	// with UNLISTEN * whatever state it was in).
	expectResults(t, c, "BEGIN READ ONLY; UNLISTEN *; COMMIT", "BEGIN||", "UNLISTEN||", "COMMIT||")
	stillWorks(t, c)
}

func TestE2EShowSSL(t *testing.T) {
	plain := startGateway(t)
	expectResults(t, plain.connect(t, ""), "SHOW ssl", "SHOW|ssl|off")

	// PostgreSQL's ssl says whether the server accepts TLS, for every
	// connection to it.
	sec := startSecure(t, gateway.Limits{})
	for _, mode := range []string{"sslmode=disable", "sslmode=require"} {
		c, err := sec.pgx(t, "analyst", "analyst-demo", mode)
		if err != nil {
			t.Fatal(err)
		}
		var v string
		if err := c.QueryRow(ctxT(t), "SHOW ssl").Scan(&v); err != nil || v != "on" {
			t.Errorf("%s: SHOW ssl = %q %v", mode, v, err)
		}
		if err := c.QueryRow(ctxT(t), "SELECT current_setting('ssl')").Scan(&v); err != nil || v != "on" {
			t.Errorf("%s: current_setting('ssl') = %q %v", mode, v, err)
		}
		_, err = c.Exec(ctxT(t), "SET ssl = off")
		pgErr(t, err, "55P02")
	}
}

func TestE2ESavepoints(t *testing.T) {
	s := startGateway(t)
	c, notices := s.connectNotices(t, "")
	pc := c.PgConn()

	// Outside a block each is 25P01, as in PostgreSQL.
	for _, sql := range []string{"SAVEPOINT a", "RELEASE SAVEPOINT a", "RELEASE a", "ROLLBACK TO SAVEPOINT a", "ROLLBACK TO a"} {
		_, err := pc.Exec(ctxT(t), sql).ReadAll()
		pgErr(t, err, "25P01")
		if pc.TxStatus() != 'I' {
			t.Errorf("%s outside a block: status %c", sql, pc.TxStatus())
		}
	}

	// ROLLBACK TO undoes the SETs made since the savepoint (and resends
	// their ParameterStatus); RELEASE keeps them.
	expectResults(t, c, "BEGIN READ ONLY; SAVEPOINT a; SET TimeZone = 'Asia/Tokyo'; SAVEPOINT b; SET LOCAL search_path = geo; SET myapp.x = '1'",
		"BEGIN||", "SAVEPOINT||", "SET||", "SAVEPOINT||", "SET||", "SET||")
	expectResults(t, c, "SELECT count(*) FROM countries", "SELECT 1|count|20")
	expectResults(t, c, "ROLLBACK TO SAVEPOINT b; SHOW TimeZone; SHOW search_path", "ROLLBACK||",
		"SHOW|TimeZone|Asia/Tokyo", `SHOW|search_path|"$user", public`)
	_, err := pc.Exec(ctxT(t), "SHOW myapp.x").ReadAll()
	pgErr(t, err, "42704")                             // first set after b: gone
	expectResults(t, c, "ROLLBACK TO a", "ROLLBACK||") // the failed SHOW above is recovered here too
	if got := pc.ParameterStatus("TimeZone"); got != "UTC" {
		t.Errorf("ParameterStatus TimeZone after ROLLBACK TO a = %q", got)
	}
	expectResults(t, c, "SHOW TimeZone", "SHOW|TimeZone|UTC")
	// b is gone with the rollback to a; a stays.
	_, err = pc.Exec(ctxT(t), "RELEASE b").ReadAll()
	pgErr(t, err, "3B001")
	if pc.TxStatus() != 'E' {
		t.Errorf("status after a missing savepoint = %c, want E", pc.TxStatus())
	}
	expectResults(t, c, "ROLLBACK WORK TO SAVEPOINT a; SET TimeZone = 'Europe/Paris'; RELEASE SAVEPOINT a; SHOW TimeZone",
		"ROLLBACK||", "SET||", "RELEASE||", "SHOW|TimeZone|Europe/Paris")
	_, err = pc.Exec(ctxT(t), "ROLLBACK TO a").ReadAll() // released
	pgErr(t, err, "3B001")
	expectResults(t, c, "ROLLBACK", "ROLLBACK||")
	expectResults(t, c, "SHOW TimeZone", "SHOW|TimeZone|UTC")

	// Recovering a failed block: only ROLLBACK TO (or ROLLBACK) runs.
	expectResults(t, c, "BEGIN; SAVEPOINT s", "BEGIN||", "SAVEPOINT||")
	_, err = pc.Exec(ctxT(t), "SELECT * FROM nope.nope").ReadAll()
	pgErr(t, err, "42P01")
	for _, sql := range []string{"SELECT 1", "SAVEPOINT t", "RELEASE s", "UNLISTEN *"} {
		_, err = pc.Exec(ctxT(t), sql).ReadAll()
		pgErr(t, err, "25P02")
	}
	_, err = c.Exec(ctxT(t), "SELECT 1") // extended protocol
	pgErr(t, err, "25P02")
	if _, err := c.Exec(ctxT(t), "ROLLBACK TO s"); err != nil { // extended protocol
		t.Fatalf("extended ROLLBACK TO in a failed block: %v", err)
	}
	if pc.TxStatus() != 'T' {
		t.Errorf("status after ROLLBACK TO = %c, want T", pc.TxStatus())
	}
	expectResults(t, c, "SELECT 1 AS one; RELEASE s; COMMIT", "SELECT 1|one|1", "RELEASE||", "COMMIT||")

	// Cursors declared after a savepoint are closed by ROLLBACK TO; older
	// ones stay. Same names may be reused, the newest wins; quoted names
	// are case sensitive.
	expectResults(t, c, `BEGIN; DECLARE old CURSOR FOR SELECT 1 AS x; SAVEPOINT p; SAVEPOINT "P"; DECLARE young CURSOR FOR SELECT 2 AS x; SAVEPOINT p`,
		"BEGIN||", "DECLARE CURSOR||", "SAVEPOINT||", "SAVEPOINT||", "DECLARE CURSOR||", "SAVEPOINT||")
	expectResults(t, c, "ROLLBACK TO p; FETCH 1 FROM young", "ROLLBACK||", "FETCH 1|x|2")
	expectResults(t, c, `ROLLBACK TO "P"; FETCH 1 FROM old`, "ROLLBACK||", "FETCH 1|x|1")
	_, err = pc.Exec(ctxT(t), "FETCH 1 FROM young").ReadAll()
	pgErr(t, err, "34000")
	expectResults(t, c, "ROLLBACK TRANSACTION TO p; RELEASE p; COMMIT", "ROLLBACK||", "RELEASE||", "COMMIT||")

	// psqlODBC's declare/fetch mode (UseDeclareFetch=1) around a query.
	*notices = nil
	expectResults(t, c, `BEGIN READ ONLY; SAVEPOINT _EXEC_SVP_1; DECLARE "SQL_CUR1" CURSOR WITH HOLD FOR SELECT country_code FROM geo.countries ORDER BY country_code LIMIT 3; `+
		`FETCH 2 IN "SQL_CUR1"; RELEASE _EXEC_SVP_1; FETCH 2 IN "SQL_CUR1"; CLOSE "SQL_CUR1"; COMMIT`,
		"BEGIN||", "SAVEPOINT||", "DECLARE CURSOR||", "FETCH 2|country_code|AU;BR", "RELEASE||", "FETCH 1|country_code|CA", "CLOSE CURSOR||", "COMMIT||")
	if len(*notices) != 0 {
		t.Errorf("notices: %+v", *notices)
	}
	stillWorks(t, c)
}
