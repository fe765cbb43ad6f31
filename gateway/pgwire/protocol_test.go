package pgwire

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
)

type rawClient struct {
	t      *testing.T
	nc     net.Conn
	fe     *pgproto3.Frontend
	pid    uint32
	secret []byte
}

func dialTCP(t *testing.T, addr string) net.Conn {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	nc.SetDeadline(time.Now().Add(20 * time.Second))
	t.Cleanup(func() { nc.Close() })
	return nc
}

// dialRaw connects and completes the startup phase.
func dialRaw(t *testing.T, addr string) *rawClient {
	t.Helper()
	c := &rawClient{t: t, nc: dialTCP(t, addr)}
	c.fe = pgproto3.NewFrontend(c.nc, c.nc)
	c.send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30,
		Parameters: map[string]string{"user": "bob", "database": "db"}})
	got := c.until("ReadyForQuery")
	if got[0] != "AuthenticationOk" || got[len(got)-1] != "ReadyForQuery(I)" {
		t.Fatalf("startup: %v", got)
	}
	return c
}

func (c *rawClient) send(msgs ...pgproto3.FrontendMessage) {
	c.t.Helper()
	for _, m := range msgs {
		c.fe.Send(m)
	}
	if err := c.fe.Flush(); err != nil {
		c.t.Fatal(err)
	}
}

// describe renders a backend message for comparisons.
func (c *rawClient) describe(m pgproto3.BackendMessage) string {
	switch m := m.(type) {
	case *pgproto3.ErrorResponse:
		return fmt.Sprintf("ErrorResponse(%s %s)", m.Severity, m.Code)
	case *pgproto3.NoticeResponse:
		return fmt.Sprintf("NoticeResponse(%s %s)", m.Severity, m.Code)
	case *pgproto3.CommandComplete:
		return fmt.Sprintf("CommandComplete(%s)", m.CommandTag)
	case *pgproto3.ReadyForQuery:
		return fmt.Sprintf("ReadyForQuery(%c)", m.TxStatus)
	case *pgproto3.DataRow:
		return fmt.Sprintf("DataRow(%s)", m.Values[0])
	case *pgproto3.ParameterDescription:
		return fmt.Sprintf("ParameterDescription(%v)", m.ParameterOIDs)
	case *pgproto3.RowDescription:
		var f []string
		for _, fd := range m.Fields {
			f = append(f, fmt.Sprintf("%s:%d/%d", fd.Name, fd.DataTypeOID, fd.Format))
		}
		return fmt.Sprintf("RowDescription(%s)", strings.Join(f, ","))
	case *pgproto3.CopyData:
		return fmt.Sprintf("CopyData(%q)", m.Data)
	case *pgproto3.ParameterStatus:
		return fmt.Sprintf("ParameterStatus(%s=%s)", m.Name, m.Value)
	case *pgproto3.BackendKeyData:
		c.pid = m.ProcessID
		c.secret = append([]byte(nil), m.SecretKey...)
		return "BackendKeyData"
	case *pgproto3.NegotiateProtocolVersion:
		return fmt.Sprintf("NegotiateProtocolVersion(%d %v)", m.NewestMinorProtocol, m.UnrecognizedOptions)
	}
	return strings.TrimPrefix(fmt.Sprintf("%T", m), "*pgproto3.")
}

// until receives messages up to one whose description starts with stop.
// Runs of DataRows are summarised as "DataRow(first)xN".
func (c *rawClient) until(stop string) []string {
	c.t.Helper()
	var out []string
	run := 0
	for {
		m, err := c.fe.Receive()
		if err != nil {
			c.t.Fatalf("receive after %v: %v", out, err)
		}
		d := c.describe(m)
		if strings.HasPrefix(d, "DataRow(") && run > 0 {
			run++
			out[len(out)-1] = out[len(out)-1][:strings.LastIndex(out[len(out)-1], "x")] + fmt.Sprintf("x%d", run)
			continue
		}
		if strings.HasPrefix(d, "DataRow(") {
			run = 1
			d += "x1"
		} else {
			run = 0
		}
		if strings.HasPrefix(d, "ParameterStatus") && len(out) > 0 && out[0] == "AuthenticationOk" {
			continue // startup noise
		}
		out = append(out, d)
		if strings.HasPrefix(d, stop) {
			return out
		}
	}
}

func (c *rawClient) expect(stop string, want ...string) {
	c.t.Helper()
	got := c.until(stop)
	if strings.Join(got, " | ") != strings.Join(want, " | ") {
		c.t.Errorf("got  %v\nwant %v", got, want)
	}
}

func TestExtendedSuspendAndContinue(t *testing.T) {
	addr, _, _ := startServer(t)
	c := dialRaw(t, addr)
	c.send(&pgproto3.Parse{Query: "many 2500"}, &pgproto3.Bind{},
		&pgproto3.Execute{MaxRows: 700}, &pgproto3.Execute{MaxRows: 700},
		&pgproto3.Execute{MaxRows: 700}, &pgproto3.Execute{MaxRows: 700}, &pgproto3.Sync{})
	c.expect("ReadyForQuery", "ParseComplete", "BindComplete",
		"DataRow(0)x700", "PortalSuspended", "DataRow(700)x700", "PortalSuspended",
		"DataRow(1400)x700", "PortalSuspended", "DataRow(2100)x400", "CommandComplete(SELECT 400)",
		"ReadyForQuery(I)")

	// A limit that ends exactly at the end of the rows completes the portal.
	c.send(&pgproto3.Parse{Query: "many 2000"}, &pgproto3.Bind{},
		&pgproto3.Execute{MaxRows: 1000}, &pgproto3.Execute{MaxRows: 1000}, &pgproto3.Execute{}, &pgproto3.Sync{})
	c.expect("ReadyForQuery", "ParseComplete", "BindComplete",
		"DataRow(0)x1000", "PortalSuspended", "DataRow(1000)x1000", "CommandComplete(SELECT 1000)",
		"CommandComplete(SELECT 0)", "ReadyForQuery(I)")

	// Portals die at Sync outside a transaction block…
	c.send(&pgproto3.Parse{Name: "s", Query: "many 10"}, &pgproto3.Bind{DestinationPortal: "p", PreparedStatement: "s"},
		&pgproto3.Execute{Portal: "p", MaxRows: 2}, &pgproto3.Sync{})
	c.expect("ReadyForQuery", "ParseComplete", "BindComplete", "DataRow(0)x2", "PortalSuspended", "ReadyForQuery(I)")
	c.send(&pgproto3.Execute{Portal: "p", MaxRows: 2}, &pgproto3.Sync{})
	c.expect("ReadyForQuery", "ErrorResponse(ERROR 34000)", "ReadyForQuery(I)")

	// …but survive it inside one; statements live on.
	c.send(&pgproto3.Query{String: "begin"})
	c.expect("ReadyForQuery", "CommandComplete(BEGIN)", "ReadyForQuery(T)")
	c.send(&pgproto3.Bind{DestinationPortal: "p", PreparedStatement: "s"}, &pgproto3.Execute{Portal: "p", MaxRows: 2}, &pgproto3.Sync{})
	c.expect("ReadyForQuery", "BindComplete", "DataRow(0)x2", "PortalSuspended", "ReadyForQuery(T)")
	c.send(&pgproto3.Execute{Portal: "p", MaxRows: 5}, &pgproto3.Sync{})
	c.expect("ReadyForQuery", "DataRow(2)x5", "PortalSuspended", "ReadyForQuery(T)")
	c.send(&pgproto3.Execute{Portal: "p"}, &pgproto3.Sync{})
	c.expect("ReadyForQuery", "DataRow(7)x3", "CommandComplete(SELECT 3)", "ReadyForQuery(T)")
}

func TestExtendedErrorSkipsToSync(t *testing.T) {
	addr, _, _ := startServer(t)
	c := dialRaw(t, addr)
	c.send(&pgproto3.Parse{Query: "fail"}, &pgproto3.Bind{}, &pgproto3.Execute{},
		&pgproto3.Parse{Query: "many 1"}, &pgproto3.Bind{}, &pgproto3.Execute{}, &pgproto3.Sync{})
	c.expect("ReadyForQuery", "ParseComplete", "BindComplete", "ErrorResponse(ERROR 42P01)", "ReadyForQuery(I)")
	c.send(&pgproto3.Parse{Query: "badparse"}, &pgproto3.Bind{}, &pgproto3.Execute{}, &pgproto3.Sync{})
	c.expect("ReadyForQuery", "ErrorResponse(ERROR 42601)", "ReadyForQuery(I)")
	c.send(&pgproto3.Parse{Query: "many 1; many 2"}, &pgproto3.Sync{})
	c.expect("ReadyForQuery", "ErrorResponse(ERROR 42601)", "ReadyForQuery(I)")
	// In a transaction block the failure shows in the status.
	c.send(&pgproto3.Query{String: "begin"})
	c.expect("ReadyForQuery", "CommandComplete(BEGIN)", "ReadyForQuery(T)")
	c.send(&pgproto3.Parse{Query: "fail"}, &pgproto3.Bind{}, &pgproto3.Execute{}, &pgproto3.Sync{})
	c.expect("ReadyForQuery", "ParseComplete", "BindComplete", "ErrorResponse(ERROR 42P01)", "ReadyForQuery(E)")
	c.send(&pgproto3.Query{String: "many 1"})
	c.expect("ReadyForQuery", "RowDescription(n:20/0,s:25/0)", "DataRow(0)x1", "CommandComplete(SELECT 1)", "ReadyForQuery(E)")
}

func TestDescribeAndClose(t *testing.T) {
	addr, _, _ := startServer(t)
	c := dialRaw(t, addr)
	c.send(&pgproto3.Parse{Name: "s1", Query: "params", ParameterOIDs: []uint32{20, 25}},
		&pgproto3.Describe{ObjectType: 'S', Name: "s1"},
		&pgproto3.Bind{PreparedStatement: "s1", DestinationPortal: "p1", Parameters: [][]byte{[]byte("7"), nil}, ResultFormatCodes: []int16{1}},
		&pgproto3.Describe{ObjectType: 'P', Name: "p1"},
		&pgproto3.Execute{Portal: "p1"},
		&pgproto3.Parse{Name: "s2", Query: "set"}, &pgproto3.Describe{ObjectType: 'S', Name: "s2"},
		&pgproto3.Sync{})
	c.expect("ReadyForQuery", "ParseComplete", "ParameterDescription([20 25])", "RowDescription(n:20/0,s:25/0)",
		"BindComplete", "RowDescription(n:20/1,s:25/1)", "DataRow(\x00\x00\x00\x00\x00\x00\x00\a)x1", "CommandComplete(SELECT 1)",
		"ParseComplete", "ParameterDescription([])", "NoData", "ReadyForQuery(I)")

	for _, tc := range []struct {
		msgs []pgproto3.FrontendMessage
		want string
	}{
		{[]pgproto3.FrontendMessage{&pgproto3.Parse{Name: "s1", Query: "many 1"}}, "ErrorResponse(ERROR 42P05)"},
		{[]pgproto3.FrontendMessage{&pgproto3.Describe{ObjectType: 'S', Name: "nope"}}, "ErrorResponse(ERROR 26000)"},
		{[]pgproto3.FrontendMessage{&pgproto3.Describe{ObjectType: 'P', Name: "nope"}}, "ErrorResponse(ERROR 34000)"},
		{[]pgproto3.FrontendMessage{&pgproto3.Bind{PreparedStatement: "nope"}}, "ErrorResponse(ERROR 26000)"},
		{[]pgproto3.FrontendMessage{&pgproto3.Execute{Portal: "nope"}}, "ErrorResponse(ERROR 34000)"},
		{[]pgproto3.FrontendMessage{&pgproto3.Bind{PreparedStatement: "s1", Parameters: [][]byte{nil, nil}, ResultFormatCodes: []int16{1, 0, 1}}}, "ErrorResponse(ERROR 08P01)"},
		{[]pgproto3.FrontendMessage{&pgproto3.Bind{PreparedStatement: "s1", Parameters: [][]byte{nil}}}, "ErrorResponse(ERROR 08P01)"},
		{[]pgproto3.FrontendMessage{&pgproto3.Bind{PreparedStatement: "s1", Parameters: [][]byte{[]byte("x"), nil}}}, "ErrorResponse(ERROR 22P02)"},
		{[]pgproto3.FrontendMessage{&pgproto3.Bind{PreparedStatement: "s1", Parameters: [][]byte{[]byte("x"), nil}, ParameterFormatCodes: []int16{1}}}, "ErrorResponse(ERROR 22P03)"},
	} {
		c.send(append(tc.msgs, &pgproto3.Sync{})...)
		c.expect("ReadyForQuery", tc.want, "ReadyForQuery(I)")
	}

	c.send(&pgproto3.Bind{PreparedStatement: "s1", DestinationPortal: "p2", Parameters: [][]byte{nil, nil}},
		&pgproto3.Close{ObjectType: 'P', Name: "p2"}, &pgproto3.Close{ObjectType: 'P', Name: "p2"},
		&pgproto3.Close{ObjectType: 'S', Name: "s1"}, &pgproto3.Close{ObjectType: 'S', Name: "never"},
		&pgproto3.Describe{ObjectType: 'S', Name: "s1"}, &pgproto3.Sync{})
	c.expect("ReadyForQuery", "BindComplete", "CloseComplete", "CloseComplete", "CloseComplete", "CloseComplete",
		"ErrorResponse(ERROR 26000)", "ReadyForQuery(I)")
}

func TestEmptyQueryAndMultiStatement(t *testing.T) {
	addr, _, _ := startServer(t)
	c := dialRaw(t, addr)
	c.send(&pgproto3.Query{String: ""})
	c.expect("ReadyForQuery", "EmptyQueryResponse", "ReadyForQuery(I)")
	c.send(&pgproto3.Query{String: " ; "})
	c.expect("ReadyForQuery", "EmptyQueryResponse", "ReadyForQuery(I)")
	c.send(&pgproto3.Parse{Query: ""}, &pgproto3.Bind{}, &pgproto3.Describe{ObjectType: 'P'}, &pgproto3.Execute{}, &pgproto3.Sync{})
	c.expect("ReadyForQuery", "ParseComplete", "BindComplete", "NoData", "EmptyQueryResponse", "ReadyForQuery(I)")

	c.send(&pgproto3.Query{String: "set; many 2; notice; begin"})
	c.expect("ReadyForQuery", "CommandComplete(SET)", "ParameterStatus(application_name=x)",
		"RowDescription(n:20/0,s:25/0)", "DataRow(0)x2", "CommandComplete(SELECT 2)",
		"NoticeResponse(WARNING 25001)", "RowDescription(n:20/0,s:25/0)", "CommandComplete(SELECT 0)",
		"CommandComplete(BEGIN)", "ReadyForQuery(T)")
	c.send(&pgproto3.Query{String: "commit; many 1; fail; many 1"})
	c.expect("ReadyForQuery", "CommandComplete(COMMIT)", "RowDescription(n:20/0,s:25/0)", "DataRow(0)x1",
		"CommandComplete(SELECT 1)", "ErrorResponse(ERROR 42P01)", "ReadyForQuery(I)")
	c.send(&pgproto3.Query{String: "badparse"})
	c.expect("ReadyForQuery", "ErrorResponse(ERROR 42601)", "ReadyForQuery(I)")
}

func TestCopyOut(t *testing.T) {
	addr, _, _ := startServer(t)
	c := dialRaw(t, addr)
	c.send(&pgproto3.Query{String: "copy text"})
	c.expect("ReadyForQuery", "CopyOutResponse", `CopyData("0\t\n")`, `CopyData("1\t\\N\n")`,
		`CopyData("2\ta\\tb\\\\c\\nd,\"e\"\n")`, "CopyDone", "CommandComplete(COPY 3)", "ReadyForQuery(I)")
	c.send(&pgproto3.Query{String: "copy csvh"})
	c.expect("ReadyForQuery", "CopyOutResponse", `CopyData("n,s\n")`, `CopyData("0,\"\"\n")`, `CopyData("1,\n")`,
		`CopyData("2,\"a\tb\\c\nd,\"\"e\"\"\"\n")`, "CopyDone", "CommandComplete(COPY 3)", "ReadyForQuery(I)")
}

func TestMalformedMessages(t *testing.T) {
	addr, _, _ := startServer(t, func(s *Server) { s.MaxMessageSize = 1024 })
	for name, raw := range map[string][]byte{
		"bad length":   {'Q', 0, 0, 0, 2},
		"unknown type": {'z', 0, 0, 0, 4},
		"oversized":    append([]byte{'Q', 0, 0, 0x0f, 0xa4}, make([]byte, 4000)...),
	} {
		t.Run(name, func(t *testing.T) {
			c := dialRaw(t, addr)
			if _, err := c.nc.Write(raw); err != nil {
				t.Fatal(err)
			}
			c.expect("ErrorResponse", "ErrorResponse(FATAL 08P01)")
			if _, err := c.fe.Receive(); err == nil {
				t.Error("connection still open after FATAL")
			}
			// The server keeps serving.
			c2 := dialRaw(t, addr)
			c2.send(&pgproto3.Query{String: "many 1"})
			c2.expect("ReadyForQuery", "RowDescription(n:20/0,s:25/0)", "DataRow(0)x1", "CommandComplete(SELECT 1)", "ReadyForQuery(I)")
		})
	}
}

func TestStartupErrors(t *testing.T) {
	addr, _, _ := startServer(t)
	nc := dialTCP(t, addr)
	fe := pgproto3.NewFrontend(nc, nc)
	fe.Send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30, Parameters: map[string]string{"database": "x"}})
	fe.Flush()
	m, err := fe.Receive()
	if e, ok := m.(*pgproto3.ErrorResponse); err != nil || !ok || e.Code != "28000" || e.Severity != "FATAL" {
		t.Fatalf("missing user: %#v %v", m, err)
	}

	// GSSENCRequest then SSLRequest are refused with 'N', then startup proceeds.
	nc = dialTCP(t, addr)
	for _, code := range []uint32{80877104, 80877103} {
		var b [8]byte
		binary.BigEndian.PutUint32(b[:], 8)
		binary.BigEndian.PutUint32(b[4:], code)
		nc.Write(b[:])
		var r [1]byte
		if _, err := nc.Read(r[:]); err != nil || r[0] != 'N' {
			t.Fatalf("encryption request: %q %v", r, err)
		}
	}
	c := &rawClient{t: t, nc: nc, fe: pgproto3.NewFrontend(nc, nc)}
	c.send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30, Parameters: map[string]string{"user": "u"}})
	c.until("ReadyForQuery")
}

func TestNegotiateProtocolVersion(t *testing.T) {
	addr, _, _ := startServer(t)
	nc := dialTCP(t, addr)
	c := &rawClient{t: t, nc: nc, fe: pgproto3.NewFrontend(nc, nc)}
	c.send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion32,
		Parameters: map[string]string{"user": "u", "_pq_.test_option": "1"}})
	got := c.until("ReadyForQuery")
	if got[0] != "NegotiateProtocolVersion(0 [_pq_.test_option])" || got[1] != "AuthenticationOk" {
		t.Fatalf("got %v", got)
	}
	if len(c.secret) != 4 {
		t.Errorf("secret key length %d", len(c.secret))
	}
	c.send(&pgproto3.Query{String: "many 1"})
	c.expect("ReadyForQuery", "RowDescription(n:20/0,s:25/0)", "DataRow(0)x1", "CommandComplete(SELECT 1)", "ReadyForQuery(I)")
}

func sendCancel(t *testing.T, addr string, pid uint32, secret []byte) {
	nc := dialTCP(t, addr)
	fe := pgproto3.NewFrontend(nc, nc)
	fe.Send(&pgproto3.CancelRequest{ProcessID: pid, SecretKey: secret})
	if err := fe.Flush(); err != nil {
		t.Fatal(err)
	}
	// The server closes the socket without a reply.
	var b [1]byte
	if n, err := nc.Read(b[:]); err == nil || n != 0 {
		t.Errorf("cancel got a reply: %d %v", n, err)
	}
}

func TestCancel(t *testing.T) {
	addr, h, _ := startServer(t)
	c := dialRaw(t, addr)
	if c.pid == 0 || len(c.secret) != 4 {
		t.Fatalf("no BackendKeyData: %d %x", c.pid, c.secret)
	}

	// Nothing running: a CancelRequest does nothing.
	sendCancel(t, addr, c.pid, c.secret)
	c.send(&pgproto3.Query{String: "many 1"})
	c.expect("ReadyForQuery", "RowDescription(n:20/0,s:25/0)", "DataRow(0)x1", "CommandComplete(SELECT 1)", "ReadyForQuery(I)")

	// A wrong secret cancels nothing; the right one cancels the Execute.
	for len(h.executed) > 0 {
		<-h.executed
	}
	c.send(&pgproto3.Parse{Query: "block"}, &pgproto3.Bind{}, &pgproto3.Execute{}, &pgproto3.Sync{})
	for q := range h.executed {
		if q == "block" {
			break
		}
	}
	sendCancel(t, addr, c.pid, []byte{1, 2, 3, 4})
	sendCancel(t, addr, c.pid, c.secret)
	c.expect("ReadyForQuery", "ParseComplete", "BindComplete", "ErrorResponse(ERROR 57014)", "ReadyForQuery(I)")

	// Simple protocol too.
	c.send(&pgproto3.Query{String: "block"})
	for q := range h.executed {
		if q == "block" {
			break
		}
	}
	sendCancel(t, addr, c.pid, c.secret)
	c.expect("ReadyForQuery", "ErrorResponse(ERROR 57014)", "ReadyForQuery(I)")
}

func TestClientDisconnectMidResult(t *testing.T) {
	addr, h, _ := startServer(t)
	c := dialRaw(t, addr)
	c.send(&pgproto3.Query{String: "endless"})
	for i := 0; i < 5000; i++ {
		if _, err := c.fe.Receive(); err != nil {
			t.Fatal(err)
		}
	}
	c.nc.Close()
	select {
	case <-h.closedCh:
	case <-time.After(15 * time.Second):
		t.Fatal("session not closed after the client went away")
	}
	c2 := dialRaw(t, addr)
	c2.send(&pgproto3.Terminate{})
	select {
	case <-h.closedCh:
	case <-time.After(15 * time.Second):
		t.Fatal("session not closed after Terminate")
	}
}

func TestPanicClosesOnlyThatConnection(t *testing.T) {
	addr, h, _ := startServer(t)
	other := dialRaw(t, addr)
	c := dialRaw(t, addr)
	c.send(&pgproto3.Query{String: "panic"})
	if m, err := c.fe.Receive(); err == nil {
		t.Fatalf("connection survived a panic: %T", m)
	}
	select {
	case <-h.closedCh:
	case <-time.After(15 * time.Second):
		t.Fatal("session not closed after panic")
	}
	other.send(&pgproto3.Query{String: "many 1"})
	other.expect("ReadyForQuery", "RowDescription(n:20/0,s:25/0)", "DataRow(0)x1", "CommandComplete(SELECT 1)", "ReadyForQuery(I)")
}

func TestServeStopsOnListenerClose(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &Server{Handler: newTestHandler()}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(t.Context(), ln) }()
	c := dialRaw(t, ln.Addr().String())
	ln.Close()
	select {
	case err := <-done:
		if !errors.Is(err, net.ErrClosed) {
			t.Errorf("Serve: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("Serve did not return")
	}
	// Live connections were closed on the way out.
	if _, err := c.fe.Receive(); err == nil {
		t.Error("connection still open after Serve returned")
	}
}
