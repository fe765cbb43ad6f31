package gateway_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/meshgate/meshgate/auth"
	"github.com/meshgate/meshgate/gateway"
	"github.com/meshgate/meshgate/sqlstate"
)

// rowsText reads a front-door result as strings, one row per line.
func rowsText(t *testing.T, r *gateway.Rows) []string {
	t.Helper()
	defer r.Records.Release()
	var out []string
	for r.Records.Next() {
		rec := r.Records.RecordBatch()
		for i := 0; i < int(rec.NumRows()); i++ {
			cells := make([]string, rec.NumCols())
			for j := range cells {
				cells[j] = rec.Column(j).ValueStr(i)
			}
			out = append(out, strings.Join(cells, "|"))
		}
	}
	if err := r.Records.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// A front door's session is a pgwire session: the same rows, masks and
// filters as pgx sees for the same user, and audit records naming the
// front door.
func TestFrontDoorSessionIsTheSQLSession(t *testing.T) {
	s := startGovGateway(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	user, err := s.gw.Login(ctx, gateway.Credentials{User: "analyst", Protocol: "http"})
	if err != nil {
		t.Fatal(err)
	}
	sess, err := s.gw.OpenSession(ctx, user, gateway.Door{Protocol: "http", RemoteAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 1}})
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	const q = "SELECT customer_id, name, country_code FROM sales.customers ORDER BY customer_id"
	rows, err := sess.Query(ctx, q, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := rowsText(t, rows)
	c := s.connectAs(t, "analyst", "")
	pr, err := c.Query(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for pr.Next() {
		var id int64
		var name, country string
		if err := pr.Scan(&id, &name, &country); err != nil {
			t.Fatal(err)
		}
		want = append(want, fmt.Sprintf("%d|%s|%s", id, name, country))
	}
	if len(got) == 0 || strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("front door rows differ from pgwire's (%d, %d rows):\n%v\nwant\n%v", len(got), len(want), got[:min(5, len(got))], want[:min(5, len(want))])
	}
	// Parameters, and a refusal with the SQL side's SQLSTATE.
	one := "1"
	rows, err = sess.Query(ctx, "SELECT $1::int + 1", []*string{&one})
	if err != nil {
		t.Fatal(err)
	}
	if got := rowsText(t, rows); len(got) != 1 || got[0] != "2" {
		t.Fatalf("SELECT $1::int + 1: %v", got)
	}
	_, err = sess.Query(ctx, "SELECT * FROM read_csv('/etc/passwd')", nil)
	var se *sqlstate.Error
	if !errors.As(err, &se) || se.Code != sqlstate.InsufficientPrivilege {
		t.Fatalf("file read: %v, want 42501", err)
	}
	if _, err := sess.Query(ctx, "SELECT 1; SELECT 2", nil); err == nil {
		t.Fatal("two statements at once: no error")
	}
	s.audit.Flush()
	admin := s.connectAs(t, "admin", "")
	n := scalar[int64](t, admin, "SELECT count(*) FROM meshgate.audit WHERE protocol = 'http' AND user_name = 'analyst'")
	denied := scalar[int64](t, admin, "SELECT count(*) FROM meshgate.audit WHERE protocol = 'http' AND decision = 'denied' AND sqlstate = '42501'")
	if n < 3 || denied != 1 {
		t.Fatalf("audit records with protocol http: %d (denied %d), want ≥ 3 (1)", n, denied)
	}
}

// Login refuses what a pgwire login refuses, with the same SQLSTATEs.
func TestFrontDoorLogin(t *testing.T) {
	s := startSecure(t, gateway.Limits{})
	ctx := context.Background()
	loop := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 4242}
	if _, err := s.gw.Login(ctx, gateway.Credentials{User: "analyst", Password: "analyst-demo", RemoteAddr: loop, Protocol: "http"}); err != nil {
		t.Fatalf("good password: %v", err)
	}
	for _, c := range []struct {
		cred gateway.Credentials
		code string
	}{
		{gateway.Credentials{User: "analyst", Password: "wrong", RemoteAddr: loop}, sqlstate.InvalidPassword},
		{gateway.Credentials{User: "nobody", Password: "x", RemoteAddr: loop}, sqlstate.InvalidPassword},
		{gateway.Credentials{User: "analyst", RemoteAddr: loop}, sqlstate.InvalidPassword},
		{gateway.Credentials{User: "nopass", Password: "x", RemoteAddr: loop}, sqlstate.InvalidPassword},
		{gateway.Credentials{User: "admin", Password: "admin-demo", RemoteAddr: loop}, sqlstate.InvalidAuthorization},             // hostnossl reject
		{gateway.Credentials{User: "clerk", Password: "clerk-pw", RemoteAddr: loop}, sqlstate.InvalidAuthorization},               // hostssl only
		{gateway.Credentials{User: "clerk", Password: "clerk-pw", RemoteAddr: loop, TLS: true}, ""},                               // password over TLS
		{gateway.Credentials{User: "admin", Password: "admin-demo", RemoteAddr: loop, TLS: true}, ""},                             // TLS admits admins
		{gateway.Credentials{User: "analyst", Password: "analyst-demo", RemoteAddr: &net.TCPAddr{IP: net.IPv4(10, 1, 2, 3)}}, ""}, // host all
	} {
		_, err := s.gw.Login(ctx, c.cred)
		var se *sqlstate.Error
		switch {
		case c.code == "" && err != nil:
			t.Errorf("%s (tls %v): %v", c.cred.User, c.cred.TLS, err)
		case c.code != "" && (!errors.As(err, &se) || se.Code != c.code):
			t.Errorf("%s (tls %v): %v, want %s", c.cred.User, c.cred.TLS, err, c.code)
		}
	}
	_ = auth.MethodTrust
}
