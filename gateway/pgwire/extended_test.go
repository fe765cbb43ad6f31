package pgwire

import (
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
)

// The extended query protocol, message by message, against PostgreSQL's
// postgres.c: every reply a client may wait for must arrive without Sync
// (after Flush, or at once for an error), errors skip to Sync, and Sync
// answers ReadyForQuery with the transaction status.

// now expects exactly want, each message arriving within a short time: a
// reply left in the server's buffer fails the test instead of hanging it.
func (c *rawClient) now(want ...string) {
	c.t.Helper()
	c.nc.SetReadDeadline(time.Now().Add(3 * time.Second))
	defer c.nc.SetReadDeadline(time.Now().Add(20 * time.Second))
	var got []string
	rows := 0
	for len(got) < len(want) {
		m, err := c.fe.Receive()
		if err != nil {
			c.t.Fatalf("after %v, waiting for %v: %v", got, want[len(got):], err)
		}
		d := c.describe(m)
		if strings.HasPrefix(d, "DataRow(") {
			rows++
			if rows > 1 {
				got[len(got)-1] = fmt.Sprintf("%sx%d", got[len(got)-1][:strings.LastIndex(got[len(got)-1], "x")], rows)
				continue
			}
			d += "x1"
		} else {
			rows = 0
		}
		got = append(got, d)
	}
	if strings.Join(got, " | ") != strings.Join(want, " | ") {
		c.t.Errorf("got  %v\nwant %v", got, want)
	}
}

// quiet asserts that the server sends nothing more for a while (what a
// client waiting without Sync would see).
func (c *rawClient) quiet() {
	c.t.Helper()
	c.nc.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	defer c.nc.SetReadDeadline(time.Now().Add(20 * time.Second))
	m, err := c.fe.Receive()
	if err == nil {
		c.t.Fatalf("unexpected %s", c.describe(m))
	}
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		c.t.Fatalf("receive: %v", err)
	}
	// A timed-out read leaves pgproto3's frontend usable only on a fresh
	// reader: rebuild it (nothing was read).
	c.fe = pgproto3.NewFrontend(c.nc, c.nc)
}

func TestExtendedFlushInEveryPosition(t *testing.T) {
	addr, _, _ := startServer(t)
	flush := &pgproto3.Flush{}
	sync := &pgproto3.Sync{}
	type msgs = []pgproto3.FrontendMessage
	for _, tc := range []struct {
		name string
		send msgs     // sent, then Flush
		want []string // what arrives before Sync
	}{
		{"Parse", msgs{&pgproto3.Parse{Query: "many 1"}}, []string{"ParseComplete"}},
		{"Parse error", msgs{&pgproto3.Parse{Query: "badparse"}}, []string{"ErrorResponse(ERROR 42601)"}},
		{"Parse multiple commands", msgs{&pgproto3.Parse{Query: "many 1; many 2"}}, []string{"ErrorResponse(ERROR 42601)"}},
		{"Parse Describe S", msgs{&pgproto3.Parse{Query: "many 1"}, &pgproto3.Describe{ObjectType: 'S'}},
			[]string{"ParseComplete", "ParameterDescription([])", "RowDescription(n:20/0,s:25/0)"}},
		{"Parse Describe S of a command", msgs{&pgproto3.Parse{Query: "set"}, &pgproto3.Describe{ObjectType: 'S'}},
			[]string{"ParseComplete", "ParameterDescription([])", "NoData"}},
		{"Parse error then Describe S", msgs{&pgproto3.Parse{Query: "badparse"}, &pgproto3.Describe{ObjectType: 'S'}},
			[]string{"ErrorResponse(ERROR 42601)"}},
		{"Describe S missing unnamed", msgs{&pgproto3.Describe{ObjectType: 'S'}}, []string{"ErrorResponse(ERROR 26000)"}},
		{"Describe S missing named", msgs{&pgproto3.Describe{ObjectType: 'S', Name: "nope"}}, []string{"ErrorResponse(ERROR 26000)"}},
		{"Describe P missing", msgs{&pgproto3.Describe{ObjectType: 'P', Name: "nope"}}, []string{"ErrorResponse(ERROR 34000)"}},
		{"Describe bad subtype", msgs{&pgproto3.Describe{ObjectType: 'X'}}, []string{"ErrorResponse(ERROR 08P01)"}},
		{"Parse Bind", msgs{&pgproto3.Parse{Query: "many 1"}, &pgproto3.Bind{}}, []string{"ParseComplete", "BindComplete"}},
		{"Bind missing statement", msgs{&pgproto3.Bind{PreparedStatement: "nope"}}, []string{"ErrorResponse(ERROR 26000)"}},
		{"Bind bad value", msgs{&pgproto3.Parse{Query: "params"}, &pgproto3.Bind{Parameters: [][]byte{[]byte("x"), nil}}},
			[]string{"ParseComplete", "ErrorResponse(ERROR 22P02)"}},
		{"Bind wrong count", msgs{&pgproto3.Parse{Query: "params"}, &pgproto3.Bind{}},
			[]string{"ParseComplete", "ErrorResponse(ERROR 08P01)"}},
		{"Bind bad format code", msgs{&pgproto3.Parse{Query: "many 1"}, &pgproto3.Bind{ResultFormatCodes: []int16{2}}},
			[]string{"ParseComplete", "ErrorResponse(ERROR 22023)"}},
		{"Parse Bind Describe P", msgs{&pgproto3.Parse{Query: "many 1"}, &pgproto3.Bind{ResultFormatCodes: []int16{1}}, &pgproto3.Describe{ObjectType: 'P'}},
			[]string{"ParseComplete", "BindComplete", "RowDescription(n:20/1,s:25/1)"}},
		{"Parse Bind Describe P of a command", msgs{&pgproto3.Parse{Query: "set"}, &pgproto3.Bind{}, &pgproto3.Describe{ObjectType: 'P'}},
			[]string{"ParseComplete", "BindComplete", "NoData"}},
		{"Parse Bind Execute", msgs{&pgproto3.Parse{Query: "many 3"}, &pgproto3.Bind{}, &pgproto3.Execute{}},
			[]string{"ParseComplete", "BindComplete", "DataRow(0)x3", "CommandComplete(SELECT 3)"}},
		{"Execute error", msgs{&pgproto3.Parse{Query: "fail"}, &pgproto3.Bind{}, &pgproto3.Execute{}},
			[]string{"ParseComplete", "BindComplete", "ErrorResponse(ERROR 42P01)"}},
		{"Execute missing portal", msgs{&pgproto3.Execute{Portal: "nope"}}, []string{"ErrorResponse(ERROR 34000)"}},
		{"Execute with a row limit", msgs{&pgproto3.Parse{Query: "many 5"}, &pgproto3.Bind{}, &pgproto3.Execute{MaxRows: 2}},
			[]string{"ParseComplete", "BindComplete", "DataRow(0)x2", "PortalSuspended"}},
		{"Execute empty query", msgs{&pgproto3.Parse{Query: ""}, &pgproto3.Bind{}, &pgproto3.Execute{}},
			[]string{"ParseComplete", "BindComplete", "EmptyQueryResponse"}},
		{"Close missing statement", msgs{&pgproto3.Close{ObjectType: 'S', Name: "nope"}}, []string{"CloseComplete"}},
		{"Close missing portal", msgs{&pgproto3.Close{ObjectType: 'P', Name: "nope"}}, []string{"CloseComplete"}},
		{"Close bad subtype", msgs{&pgproto3.Close{ObjectType: 'X'}}, []string{"ErrorResponse(ERROR 08P01)"}},
		{"Close statement and portal", msgs{&pgproto3.Parse{Query: "many 1"}, &pgproto3.Bind{}, &pgproto3.Close{ObjectType: 'P'}, &pgproto3.Close{ObjectType: 'S'}},
			[]string{"ParseComplete", "BindComplete", "CloseComplete", "CloseComplete"}},
		{"only the first error", msgs{&pgproto3.Parse{Query: "fail"}, &pgproto3.Bind{}, &pgproto3.Execute{},
			&pgproto3.Execute{Portal: "nope"}, &pgproto3.Describe{ObjectType: 'S', Name: "nope"}, &pgproto3.Query{String: "many 1"},
			&pgproto3.Parse{Query: "many 1"}, &pgproto3.Bind{}, &pgproto3.Execute{}, flush},
			[]string{"ParseComplete", "BindComplete", "ErrorResponse(ERROR 42P01)"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := dialRaw(t, addr)
			// With Flush: the replies, then nothing until Sync.
			c.send(append(tc.send, flush)...)
			c.now(tc.want...)
			c.quiet()
			c.send(sync)
			c.now("ReadyForQuery(I)")

			// Errors need no Flush at all: the client may send a message
			// and wait for its answer.
			if strings.HasPrefix(tc.want[len(tc.want)-1], "ErrorResponse") {
				c.send(tc.send...)
				c.now(tc.want...)
				c.quiet()
				c.send(sync)
				c.now("ReadyForQuery(I)")
			}

			// The same messages with Sync answer the same, then
			// ReadyForQuery; the session is still usable.
			c.send(append(tc.send, sync)...)
			c.now(append(append([]string{}, tc.want...), "ReadyForQuery(I)")...)
			c.send(&pgproto3.Parse{Query: "many 1"}, &pgproto3.Bind{}, &pgproto3.Execute{}, sync)
			c.now("ParseComplete", "BindComplete", "DataRow(0)x1", "CommandComplete(SELECT 1)", "ReadyForQuery(I)")
		})
	}
}

// TestExtendedFlushAndSyncAlone: Flush with nothing pending sends nothing;
// Sync alone answers ReadyForQuery; several Syncs answer one each.
func TestExtendedFlushAndSyncAlone(t *testing.T) {
	addr, _, _ := startServer(t)
	c := dialRaw(t, addr)
	c.send(&pgproto3.Flush{})
	c.quiet()
	c.send(&pgproto3.Sync{}, &pgproto3.Sync{})
	c.now("ReadyForQuery(I)", "ReadyForQuery(I)")
	// A portal suspended, continued after a Flush.
	c.send(&pgproto3.Parse{Query: "many 5"}, &pgproto3.Bind{}, &pgproto3.Execute{MaxRows: 3}, &pgproto3.Flush{})
	c.now("ParseComplete", "BindComplete", "DataRow(0)x3", "PortalSuspended")
	c.send(&pgproto3.Execute{MaxRows: 3}, &pgproto3.Flush{})
	c.now("DataRow(3)x2", "CommandComplete(SELECT 2)")
	c.send(&pgproto3.Execute{}, &pgproto3.Sync{})
	c.now("CommandComplete(SELECT 0)", "ReadyForQuery(I)")
}

// TestExtendedErrorInTransactionBlock: an error inside a block makes Sync
// answer 'E'; in a failed block statements returning rows cannot be
// described (25P02), commands can; ROLLBACK through the extended protocol
// ends the block.
func TestExtendedErrorInTransactionBlock(t *testing.T) {
	addr, _, _ := startServer(t)
	c := dialRaw(t, addr)
	c.send(&pgproto3.Parse{Name: "rows", Query: "many 1"}, &pgproto3.Parse{Name: "cmd", Query: "set"},
		&pgproto3.Parse{Name: "rb", Query: "rollback"}, &pgproto3.Sync{})
	c.now("ParseComplete", "ParseComplete", "ParseComplete", "ReadyForQuery(I)")
	c.send(&pgproto3.Query{String: "begin"})
	c.now("CommandComplete(BEGIN)", "ReadyForQuery(T)")
	c.send(&pgproto3.Parse{Query: "badparse"}, &pgproto3.Flush{})
	c.now("ErrorResponse(ERROR 42601)")
	c.quiet()
	c.send(&pgproto3.Sync{})
	c.now("ReadyForQuery(E)")
	c.send(&pgproto3.Describe{ObjectType: 'S', Name: "rows"}, &pgproto3.Flush{})
	c.now("ErrorResponse(ERROR 25P02)")
	c.send(&pgproto3.Describe{ObjectType: 'S', Name: "cmd"}, &pgproto3.Sync{})
	c.now("ReadyForQuery(E)")
	c.send(&pgproto3.Describe{ObjectType: 'S', Name: "cmd"}, &pgproto3.Sync{})
	c.now("ParameterDescription([])", "NoData", "ReadyForQuery(E)")
	c.send(&pgproto3.Bind{PreparedStatement: "rb"}, &pgproto3.Describe{ObjectType: 'P'}, &pgproto3.Execute{}, &pgproto3.Sync{})
	c.now("BindComplete", "NoData", "CommandComplete(ROLLBACK)", "ReadyForQuery(I)")
}

// TestExtendedPortalOutlivesStatement: as in PostgreSQL, a portal keeps
// running after its statement is closed or the unnamed statement is
// replaced; a failed Parse of the unnamed statement still drops the old one.
func TestExtendedPortalOutlivesStatement(t *testing.T) {
	addr, _, _ := startServer(t)
	c := dialRaw(t, addr)
	c.send(&pgproto3.Query{String: "begin"})
	c.now("CommandComplete(BEGIN)", "ReadyForQuery(T)")
	c.send(&pgproto3.Parse{Query: "many 4"}, &pgproto3.Bind{DestinationPortal: "a"},
		&pgproto3.Parse{Name: "s", Query: "many 3"}, &pgproto3.Bind{PreparedStatement: "s", DestinationPortal: "b"},
		&pgproto3.Parse{Query: "many 1"}, &pgproto3.Close{ObjectType: 'S', Name: "s"},
		&pgproto3.Execute{Portal: "a", MaxRows: 1}, &pgproto3.Execute{Portal: "b"}, &pgproto3.Sync{})
	c.now("ParseComplete", "BindComplete", "ParseComplete", "BindComplete", "ParseComplete", "CloseComplete",
		"DataRow(0)x1", "PortalSuspended", "DataRow(0)x3", "CommandComplete(SELECT 3)", "ReadyForQuery(T)")
	c.send(&pgproto3.Execute{Portal: "a"}, &pgproto3.Bind{PreparedStatement: "s"}, &pgproto3.Sync{})
	c.now("DataRow(1)x3", "CommandComplete(SELECT 3)", "ErrorResponse(ERROR 26000)", "ReadyForQuery(E)")
	c.send(&pgproto3.Query{String: "commit"})
	c.now("CommandComplete(COMMIT)", "ReadyForQuery(I)")

	c.send(&pgproto3.Parse{Query: "many 1"}, &pgproto3.Sync{}, &pgproto3.Parse{Query: "badparse"}, &pgproto3.Sync{},
		&pgproto3.Bind{}, &pgproto3.Sync{})
	c.now("ParseComplete", "ReadyForQuery(I)", "ErrorResponse(ERROR 42601)", "ReadyForQuery(I)",
		"ErrorResponse(ERROR 26000)", "ReadyForQuery(I)")
}

// TestExtendedPortalRules: a named portal cannot be bound twice, the
// unnamed one is replaced; a completed query yields no more rows but a
// completed command cannot run again (55000).
func TestExtendedPortalRules(t *testing.T) {
	addr, _, _ := startServer(t)
	c := dialRaw(t, addr)
	c.send(&pgproto3.Query{String: "begin"})
	c.now("CommandComplete(BEGIN)", "ReadyForQuery(T)")
	c.send(&pgproto3.Parse{Name: "s", Query: "many 2"}, &pgproto3.Bind{PreparedStatement: "s", DestinationPortal: "p"},
		&pgproto3.Bind{PreparedStatement: "s"}, &pgproto3.Bind{PreparedStatement: "s"}, &pgproto3.Execute{},
		&pgproto3.Bind{PreparedStatement: "s", DestinationPortal: "p"}, &pgproto3.Sync{})
	c.now("ParseComplete", "BindComplete", "BindComplete", "BindComplete", "DataRow(0)x2", "CommandComplete(SELECT 2)",
		"ErrorResponse(ERROR 42P03)", "ReadyForQuery(E)")
	c.send(&pgproto3.Query{String: "commit"})
	c.now("CommandComplete(COMMIT)", "ReadyForQuery(I)")

	c.send(&pgproto3.Parse{Query: "set"}, &pgproto3.Bind{}, &pgproto3.Execute{}, &pgproto3.Execute{}, &pgproto3.Sync{})
	c.now("ParseComplete", "BindComplete", "CommandComplete(SET)", "ParameterStatus(application_name=x)",
		"ErrorResponse(ERROR 55000)", "ReadyForQuery(I)")
	c.send(&pgproto3.Parse{Query: "fail"}, &pgproto3.Bind{}, &pgproto3.Execute{}, &pgproto3.Sync{},
		&pgproto3.Execute{}, &pgproto3.Sync{})
	c.now("ParseComplete", "BindComplete", "ErrorResponse(ERROR 42P01)", "ReadyForQuery(I)",
		"ErrorResponse(ERROR 34000)", "ReadyForQuery(I)")
}

// TestFunctionCallRefused: the fastpath FunctionCall answers 0A000 and
// ReadyForQuery, and the connection lives on.
func TestFunctionCallRefused(t *testing.T) {
	addr, _, _ := startServer(t)
	c := dialRaw(t, addr)
	c.send(&pgproto3.FunctionCall{Function: 1234})
	c.now("ErrorResponse(ERROR 0A000)", "ReadyForQuery(I)")
	c.send(&pgproto3.Query{String: "many 1"})
	c.now("RowDescription(n:20/0,s:25/0)", "DataRow(0)x1", "CommandComplete(SELECT 1)", "ReadyForQuery(I)")
}
