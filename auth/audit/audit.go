// Package audit owns the audit trail: one structured record per statement,
// written as JSON lines to a file that rotates by size, each record written
// to the operating system before the statement's answer completes (a crash
// of the gateway loses nothing already answered), and copied in batches to
// a sink (the engine's queryable meshgate.audit table).
package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// Record is one audited statement.
type Record struct {
	QueryID    string    `json:"query_id"`
	Time       time.Time `json:"time"`
	User       string    `json:"user"`
	Groups     []string  `json:"groups"`
	Attributes []string  `json:"attributes_used,omitempty"`
	ClientAddr string    `json:"client_addr"`
	Protocol   string    `json:"protocol,omitempty"` // pgwire, http, flight
	// DelegatedBy is the service account of the trusted gateway that
	// opened the session for User; TraceID the statement id both
	// gateways' records carry (auth/delegation).
	DelegatedBy   string   `json:"delegated_by,omitempty"`
	TraceID       string   `json:"trace_id,omitempty"`
	Application   string   `json:"application_name"`
	Statement     string   `json:"statement"`
	Kind          string   `json:"kind"`
	Products      []string `json:"products,omitempty"`
	Versions      []string `json:"product_versions,omitempty"`
	Columns       []string `json:"columns,omitempty"`
	Rules         []string `json:"rules,omitempty"`
	PolicyVersion string   `json:"policy_version"`
	Decision      string   `json:"decision"` // allowed | denied | error
	Rows          int64    `json:"rows"`
	DurationMS    float64  `json:"duration_ms"`
	SQLState      string   `json:"sqlstate"`
	// Health is the health of each product read when the statement ran
	// ("sales.orders=warning"; package quality).
	Health []string `json:"health,omitempty"`
	// Pushed lists, per port, the statement sent to a source that
	// answered the whole statement ("domain.product:port: SQL";
	// gateway/pushdown.go).
	Pushed []string `json:"pushed,omitempty"`
	// Cached is set when the answer came from the gateway's result cache.
	Cached bool `json:"cached,omitempty"`
}

// Sink receives records in batches (the queryable copy).
type Sink interface {
	Append(ctx context.Context, recs []Record) error
}

// Log is an audit trail. Safe for concurrent use.
type Log struct {
	path     string
	maxBytes int64
	keep     int
	sink     Sink
	log      *slog.Logger

	mu      sync.Mutex
	f       *os.File
	size    int64
	pending []Record
	closed  bool
	stats   Stats
	lastErr error // the last write's error; nil once a write succeeds

	stop chan struct{}
	done chan struct{}
}

// Open starts an audit log at path, rotating when the file passes
// maxBytes (keeping keep old files: path.1 … path.keep), copying records
// to sink every interval. sink may be nil.
func Open(path string, maxBytes int64, keep int, sink Sink, interval time.Duration, log *slog.Logger) (*Log, error) {
	if log == nil {
		log = slog.Default()
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o640)
	if err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("audit: %w", err)
	}
	l := &Log{path: path, maxBytes: maxBytes, keep: keep, sink: sink, log: log, f: f, size: st.Size(), stop: make(chan struct{}), done: make(chan struct{})}
	if interval <= 0 {
		interval = 500 * time.Millisecond
	}
	go l.flushLoop(interval)
	return l, nil
}

// Write appends one record to the file at once (one write call, so a
// crash never leaves half a line of an answered statement) and queues it
// for the sink.
func (l *Log) Write(r Record) error {
	line, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	line = append(line, '\n')
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		l.stats.Dropped++
		return fmt.Errorf("audit: log is closed")
	}
	if l.maxBytes > 0 && l.size+int64(len(line)) > l.maxBytes && l.size > 0 {
		if err := l.rotate(); err != nil {
			l.log.Error("audit: rotate failed", "err", err)
		}
	}
	n, err := l.f.Write(line)
	l.size += int64(n)
	if err != nil {
		l.stats.Dropped++
		l.lastErr = err
		return fmt.Errorf("audit: write: %w", err)
	}
	l.stats.Written++
	l.lastErr = nil
	if l.sink != nil {
		l.pending = append(l.pending, r)
	}
	return nil
}

// rotate renames path → path.1 → … → path.keep and starts a new file.
func (l *Log) rotate() error {
	if err := l.f.Close(); err != nil {
		return err
	}
	for i := l.keep; i >= 1; i-- {
		from := l.path
		if i > 1 {
			from = fmt.Sprintf("%s.%d", l.path, i-1)
		}
		_ = os.Rename(from, fmt.Sprintf("%s.%d", l.path, i))
	}
	f, err := os.OpenFile(l.path, os.O_CREATE|os.O_WRONLY|os.O_APPEND|os.O_TRUNC, 0o640)
	if err != nil {
		return err
	}
	l.f, l.size = f, 0
	return nil
}

func (l *Log) flushLoop(interval time.Duration) {
	defer close(l.done)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			l.Flush()
		case <-l.stop:
			l.Flush()
			return
		}
	}
}

// Flush copies queued records to the sink now.
func (l *Log) Flush() {
	l.mu.Lock()
	batch := l.pending
	l.pending = nil
	l.mu.Unlock()
	if len(batch) == 0 || l.sink == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := l.sink.Append(ctx, batch); err != nil {
		l.mu.Lock()
		l.stats.SinkDropped += int64(len(batch))
		l.mu.Unlock()
		l.log.Error("audit: copying records to the audit table failed", "records", len(batch), "err", err)
	}
}

// Close flushes and closes the log.
func (l *Log) Close() error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil
	}
	l.closed = true
	l.mu.Unlock()
	close(l.stop)
	<-l.done
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.f.Close()
}

// Stats counts what the log did since it was opened.
type Stats struct {
	Written     int64 // records written to the file
	Dropped     int64 // records that could not be written to the file
	SinkDropped int64 // records the queryable copy (the sink) refused
	Queued      int   // records waiting for the sink
}

// Stats returns the log's counts.
func (l *Log) Stats() Stats {
	l.mu.Lock()
	defer l.mu.Unlock()
	st := l.stats
	st.Queued = len(l.pending)
	return st
}

// Writable returns why records cannot be written now (the log is closed,
// the last write failed, the file was removed), or nil.
func (l *Log) Writable() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case l.closed:
		return fmt.Errorf("the audit log %s is closed", l.path)
	case l.lastErr != nil:
		return fmt.Errorf("the last audit write to %s failed: %w", l.path, l.lastErr)
	}
	if _, err := os.Stat(l.path); err != nil {
		return fmt.Errorf("the audit file is not writable: %w", err)
	}
	return nil
}
