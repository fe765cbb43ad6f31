package pgwire

import (
	"fmt"
	"net"
	"sync/atomic"

	"github.com/jackc/pgx/v5/pgproto3"
)

// flushThreshold is the buffered output size past which rows are written
// to the socket mid-response.
const flushThreshold = 64 << 10

// writer is a connection's single output buffer. Every backend message is
// appended to buf (DataRows by hand, the rest via pgproto3's Encode) and
// written to the socket when buf passes flushThreshold and at the end of
// each response. The first write error sticks: later calls do nothing and
// report it.
type writer struct {
	nc   net.Conn
	buf  []byte
	err  error
	sent *atomic.Int64 // the server's count of bytes sent; nil in tests
}

// msg appends one encoded backend message.
func (w *writer) msg(m pgproto3.BackendMessage) {
	if w.err != nil {
		return
	}
	buf, err := m.Encode(w.buf)
	if err != nil {
		w.err = fmt.Errorf("pgwire: encode %T: %w", m, err)
		return
	}
	w.buf = buf
}

// maybeFlush writes the buffer out once it passes flushThreshold.
func (w *writer) maybeFlush() error {
	if len(w.buf) >= flushThreshold {
		return w.flush()
	}
	return w.err
}

// flush writes out everything buffered.
func (w *writer) flush() error {
	if w.err != nil || len(w.buf) == 0 {
		return w.err
	}
	n, err := w.nc.Write(w.buf)
	if w.sent != nil {
		w.sent.Add(int64(n))
	}
	if cap(w.buf) > 4*flushThreshold {
		w.buf = make([]byte, 0, 2*flushThreshold) // let a huge row's buffer go
	} else {
		w.buf = w.buf[:0]
	}
	if err != nil {
		w.err = fmt.Errorf("pgwire: write: %w", err)
	}
	return w.err
}
