package connectors

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshgate/meshgate/planner/catalog"
	"github.com/meshgate/meshgate/sqlstate"
)

// Defaults of http ports.
const (
	DefaultMaxPages    = 1000
	DefaultMaxBytes    = 1 << 30
	DefaultHTTPTimeout = 60 * time.Second
	DefaultDataField   = "data"
	DefaultNextField   = "next"
)

// HTTPClient is the client http ports use; tests may replace it.
var HTTPClient = &http.Client{Transport: http.DefaultTransport}

type httpConnector struct {
	p         *catalog.Product
	port      *catalog.Port
	base      *url.URL
	header    http.Header // auth headers: sent only to the location's origin
	format    string      // json | ndjson | arrow | "" (from Content-Type)
	paging    string      // none | link | next_field
	nextField string
	dataField string
	maxPages  int
	maxBytes  int64
	strict    bool
	timeout   time.Duration
	mem       memory.Allocator
}

func openHTTP(_ context.Context, p *catalog.Product, port *catalog.Port, secrets Secrets) (Connector, error) {
	o := port.Options
	u, err := url.Parse(port.Location)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, configError(p, port, "location %q is not an http(s) URL", port.Location)
	}
	if _, err := ArrowSchema(p.Columns); err != nil {
		return nil, sqlstate.New(sqlstate.FeatureNotSupported, "%s: %v", portName(p, port), err)
	}
	c := &httpConnector{p: p, port: port, base: u, header: http.Header{}, format: o["format"], paging: o["pagination"],
		nextField: o["next_field"], dataField: o["data_field"], maxPages: DefaultMaxPages, maxBytes: DefaultMaxBytes,
		strict: o["strict"] != "false", timeout: DefaultHTTPTimeout, mem: memory.DefaultAllocator}
	if c.paging == "" {
		c.paging = "none"
	}
	if c.nextField == "" {
		c.nextField = DefaultNextField
	}
	if c.dataField == "" {
		c.dataField = DefaultDataField
	}
	if v, err := strconv.Atoi(o["max_pages"]); err == nil && v > 0 {
		c.maxPages = v
	}
	if v, err := catalog.ParseSize(o["max_bytes"]); err == nil && v > 0 {
		c.maxBytes = v
	}
	if d, err := time.ParseDuration(o["timeout"]); err == nil && d > 0 {
		c.timeout = d
	}
	if ref := o["token_secret"]; ref != "" {
		tok, err := resolveRef(secrets, p, ref)
		if err != nil {
			return nil, configError(p, port, "token_secret: %v", err)
		}
		c.header.Set("Authorization", "Bearer "+tok)
	}
	if name := o["header_name"]; name != "" {
		val, err := resolveRef(secrets, p, o["header_secret"])
		if err != nil {
			return nil, configError(p, port, "header_secret: %v", err)
		}
		c.header.Set(name, val)
	}
	return c, nil
}

func (c *httpConnector) Close() {}

func (c *httpConnector) name() string { return portName(c.p, c.port) }

// firstURL is the location with the pushed filters as query parameters;
// exact reports whether every predicate was pushed.
func (c *httpConnector) firstURL(req Request) (*url.URL, bool) {
	u := *c.base
	q := u.Query()
	exact := true
	set := map[string]bool{}
	for _, f := range req.Filters {
		param, ok := c.port.Filters[f.Column]
		col := c.p.Column(f.Column)
		if !ok || col == nil || f.Op != OpEq || len(f.Values) != 1 || set[param] {
			exact = false
			continue
		}
		v, ok := httpParam(col.Type, f.Values[0])
		if !ok {
			exact = false
			continue
		}
		q.Set(param, v)
		set[param] = true
	}
	u.RawQuery = q.Encode()
	return &u, exact
}

func httpParam(typ string, v any) (string, bool) {
	switch v := v.(type) {
	case string:
		return v, true
	case int64:
		return strconv.FormatInt(v, 10), true
	case int:
		return strconv.Itoa(v), true
	case float64:
		return strconv.FormatFloat(v, 'g', -1, 64), true
	case bool:
		return strconv.FormatBool(v), true
	case time.Time:
		if typ == "DATE" {
			return v.Format("2006-01-02"), true
		}
		return v.Format(time.RFC3339Nano), true
	}
	return "", false
}

func (c *httpConnector) newSink(cols []catalog.Column, req []catalog.Column, limit int64, emit func(arrow.RecordBatch) bool) (*rowSink, error) {
	full, err := ArrowSchema(cols)
	if err != nil {
		return nil, err
	}
	s := &rowSink{c: c, cols: cols, rb: array.NewRecordBuilder(c.mem, full), known: map[string]bool{}, limit: limit, emit: emit}
	s.schema, _ = ArrowSchema(req)
	for _, r := range req {
		for i, col := range cols {
			if col.Name == r.Name {
				s.want = append(s.want, i)
			}
		}
	}
	s.apps = make([]jsonAppender, len(cols))
	for i, col := range cols {
		if s.apps[i], err = newJSONAppender(col.Type, s.rb.Field(i)); err != nil {
			s.rb.Release()
			return nil, err
		}
		s.known[c.port.SourceName(col.Name)] = true
	}
	return s, nil
}

// Scan implements Connector: it follows the pages of the API, checks each
// row against the declared schema and streams Arrow batches. Predicates
// are pushed only as the query parameters options.filters declares (for
// "="); a limit is applied when every predicate was pushed.
func (c *httpConnector) Scan(ctx context.Context, req Request) (array.RecordReader, error) {
	want, err := requested(c.p, c.port, req.Columns)
	if err != nil {
		return nil, err
	}
	first, exact := c.firstURL(req)
	limit := req.Limit
	if !exact {
		limit = -1
	}
	ctx, cancel := context.WithCancel(ctx)
	r := &chanReader{ch: make(chan arrow.RecordBatch, 1), cancel: cancel, finished: make(chan struct{})}
	r.refs.Store(1)
	emit := func(rec arrow.RecordBatch) bool {
		select {
		case r.ch <- rec:
			return true
		case <-ctx.Done():
			rec.Release()
			return false
		}
	}
	sink, err := c.newSink(c.p.Columns, want, limit, emit)
	if err != nil {
		cancel()
		return nil, sqlstate.New(sqlstate.FeatureNotSupported, "%s: %v", c.name(), err)
	}
	r.schema = sink.schema
	// The first page is fetched before Scan returns, so that a source
	// that is down or refuses answers here.
	budget := c.maxBytes
	pg, err := c.fetch(ctx, first, 1, &budget)
	if err != nil {
		sink.release()
		cancel()
		return nil, err
	}
	go func() {
		defer close(r.finished)
		defer close(r.ch)
		defer sink.release()
		r.err = c.run(ctx, pg, sink, &budget)
		if errors.Is(r.err, context.Canceled) && ctx.Err() != nil && r.released.Load() {
			r.err = nil
		}
	}()
	return r, nil
}

// run reads the pages from pg on.
func (c *httpConnector) run(ctx context.Context, pg *page, sink *rowSink, budget *int64) error {
	seen := map[string]bool{}
	for {
		seen[pg.url.String()] = true
		next, err := c.readPage(ctx, pg, sink)
		pg.resp.Body.Close()
		if err == nil && *budget < 0 {
			err = c.readError(ctx, pg, errTooLarge)
		}
		if err != nil {
			return err
		}
		if sink.done() || next == "" || c.paging == "none" {
			return sink.flush()
		}
		u, err := pg.url.Parse(next)
		if err != nil {
			return sqlstate.New(sqlstate.InvalidTextRepresentation, "%s: page %d names the next page %q, which is not a URL", c.name(), pg.n, next)
		}
		if u.Scheme != c.base.Scheme || u.Host != c.base.Host {
			return sqlstate.New(sqlstate.InsufficientPrivilege, "%s: page %d names a next page on another origin (%s); meshgate follows pages only on %s://%s", c.name(), pg.n, shown(u), c.base.Scheme, c.base.Host)
		}
		if seen[u.String()] {
			return sqlstate.New(sqlstate.InvalidParameterValue, "%s: page %d names an earlier page (%s) as the next one; the pagination loops", c.name(), pg.n, shown(u))
		}
		if pg.n >= c.maxPages {
			return sqlstate.New(sqlstate.ProgramLimitExceeded, "%s: the API has more than max_pages (%d) pages; raise options.max_pages or filter the query", c.name(), c.maxPages)
		}
		if pg, err = c.fetch(ctx, u, pg.n+1, budget); err != nil {
			return err
		}
	}
}
