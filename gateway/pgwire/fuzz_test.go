package pgwire

import (
	"bytes"
	"context"
	"encoding/binary"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/meshgate/meshgate/sqlstate"
)

// memConn is a client that sends fixed bytes, then hangs up; everything
// the server answers is discarded.
type memConn struct {
	r *bytes.Reader
}

func (c *memConn) Read(b []byte) (int, error)         { return c.r.Read(b) }
func (c *memConn) Write(b []byte) (int, error)        { return len(b), nil }
func (c *memConn) Close() error                       { return nil }
func (c *memConn) LocalAddr() net.Addr                { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 5432} }
func (c *memConn) RemoteAddr() net.Addr               { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 40000} }
func (c *memConn) SetDeadline(t time.Time) error      { return nil }
func (c *memConn) SetReadDeadline(t time.Time) error  { return nil }
func (c *memConn) SetWriteDeadline(t time.Time) error { return nil }

// panicLog fails the fuzz run when the server logs a recovered panic.
type panicLog struct {
	mu     sync.Mutex
	panics []string
}

func (p *panicLog) Enabled(context.Context, slog.Level) bool { return true }
func (p *panicLog) Handle(_ context.Context, r slog.Record) error {
	if strings.Contains(r.Message, "panic") {
		p.mu.Lock()
		p.panics = append(p.panics, r.Message)
		r.Attrs(func(a slog.Attr) bool { p.panics = append(p.panics, a.String()); return true })
		p.mu.Unlock()
	}
	return nil
}
func (p *panicLog) WithAttrs([]slog.Attr) slog.Handler { return p }
func (p *panicLog) WithGroup(string) slog.Handler      { return p }

// frames encodes client messages as the wire carries them.
func frames(t testing.TB, msgs ...pgproto3.FrontendMessage) []byte {
	var out []byte
	for _, m := range msgs {
		b, err := m.Encode(nil)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b...)
	}
	return out
}

// FuzzConnection feeds arbitrary bytes to a connection from its first
// byte: startup packets, then messages of any type, length and content.
// The server must neither panic nor hang, whatever arrives.
func FuzzConnection(f *testing.F) {
	startup := frames(f, &pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30, Parameters: map[string]string{"user": "bob", "database": "db"}})
	ssl := make([]byte, 8)
	binary.BigEndian.PutUint32(ssl, 8)
	binary.BigEndian.PutUint32(ssl[4:], 80877103)
	f.Add(startup)
	f.Add(append(append([]byte{}, ssl...), startup...))
	f.Add(append(append([]byte{}, startup...), frames(f, &pgproto3.Query{String: "many 3"}, &pgproto3.Terminate{})...))
	f.Add(append(append([]byte{}, startup...), frames(f,
		&pgproto3.Parse{Name: "s", Query: "many 2", ParameterOIDs: []uint32{23}},
		&pgproto3.Describe{ObjectType: 'S', Name: "s"}, &pgproto3.Flush{},
		&pgproto3.Bind{PreparedStatement: "s", Parameters: [][]byte{{0, 0, 0, 1}}, ParameterFormatCodes: []int16{1}},
		&pgproto3.Execute{MaxRows: 1}, &pgproto3.Execute{}, &pgproto3.Close{ObjectType: 'P'}, &pgproto3.Sync{})...))
	f.Add(append(append([]byte{}, startup...), 'Q', 0, 0, 0, 2))
	f.Add(append(append([]byte{}, startup...), frames(f, &pgproto3.CopyData{Data: []byte("x")}, &pgproto3.CopyDone{}, &pgproto3.Sync{})...))
	f.Add([]byte{0, 0, 0, 16, 4, 210, 22, 46, 0, 0, 0, 1, 0, 0, 0, 2}) // CancelRequest
	f.Fuzz(func(t *testing.T, data []byte) {
		log := &panicLog{}
		h := newTestHandler()
		srv := &Server{Handler: h, Logger: slog.New(log), MaxMessageSize: 1 << 16}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		done := make(chan struct{})
		go func() {
			srv.serveConn(ctx, &memConn{r: bytes.NewReader(data)})
			close(done)
		}()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("connection still served 10 s after the client hung up; input %q", data)
		}
		if len(log.panics) > 0 {
			t.Fatalf("panic serving %q: %v", data, log.panics)
		}
	})
}

// FuzzDecodeParam: any Bind value of any type in either format decodes or
// fails with a data error (22xxx), never a panic or another error.
func FuzzDecodeParam(f *testing.F) {
	for _, seed := range []struct {
		oid    uint32
		format int16
		b      []byte
	}{
		{OIDInt4, 1, []byte{0, 0, 0, 7}}, {OIDInt8, 0, []byte("-42")}, {OIDText, 0, []byte("héllo")},
		{OIDNumeric, 1, []byte{0, 2, 0, 0, 0, 0, 0, 2, 0, 12, 13, 128}}, {OIDNumeric, 0, []byte("1.5e3")},
		{OIDFloat8, 1, []byte{64, 9, 33, 251, 84, 68, 45, 24}}, {OIDBool, 0, []byte("yes")},
		{OIDDate, 1, []byte{0, 0, 0, 1}}, {OIDTimestamptz, 1, []byte{0, 0, 0, 0, 0, 0, 0, 1}},
		{OIDBytea, 0, []byte(`\x0102`)}, {1007, 1, []byte{0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 23, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 4, 0, 0, 0, 9, 0, 0, 0, 4, 0, 0, 0, 8}},
		{1009, 0, []byte(`{a,"b,c",NULL}`)}, {OIDInterval, 1, make([]byte, 16)}, {OIDUUID, 1, make([]byte, 16)},
	} {
		f.Add(seed.oid, seed.format, seed.b)
	}
	f.Fuzz(func(t *testing.T, oid uint32, format int16, b []byte) {
		_, err := DecodeParam(oid, format, b)
		if err == nil {
			return
		}
		code := sqlstate.CodeOf(err)
		if !strings.HasPrefix(code, "22") && code != sqlstate.FeatureNotSupported && code != sqlstate.ProtocolViolation {
			t.Fatalf("DecodeParam(%d, %d, %x): %s %v, want a data error", oid, format, b, code, err)
		}
	})
}

var _ io.Reader = (*memConn)(nil)
