package connectors

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
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

// shown is a URL for messages: without its query (which may hold keys).
func shown(u *url.URL) string {
	v := *u
	v.RawQuery, v.Fragment, v.User = "", "", nil
	return v.String()
}

// page is one response being read.
type page struct {
	n      int // 1-based
	url    *url.URL
	resp   *http.Response
	body   io.Reader
	format string
}

// fetch requests one page and checks its status.
func (c *httpConnector) fetch(ctx context.Context, u *url.URL, n int, budget *int64) (*page, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, configError(c.p, c.port, "cannot build the request: %v", err)
	}
	switch c.format {
	case "json":
		req.Header.Set("Accept", "application/json")
	case "ndjson":
		req.Header.Set("Accept", "application/x-ndjson, application/jsonl, application/json")
	case "arrow":
		req.Header.Set("Accept", "application/vnd.apache.arrow.stream")
	default:
		req.Header.Set("Accept", "application/json, application/x-ndjson, application/vnd.apache.arrow.stream")
	}
	if u.Scheme == c.base.Scheme && u.Host == c.base.Host {
		for k, v := range c.header {
			req.Header[k] = v
		}
	}
	req.Header.Set("User-Agent", "meshgate")
	resp, err := HTTPClient.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, c.canceled(ctx, err)
		}
		code, what := sqlstate.UnableToConnect, "cannot connect to"
		if n > 1 {
			code, what = sqlstate.ConnectionFailure, "connection lost to"
		}
		var ue *url.Error
		reason := err
		if errors.As(err, &ue) {
			reason = ue.Err
		}
		return nil, sqlstate.Wrap(err, code, fmt.Sprintf("%s %s (GET %s): %v", what, c.name(), shown(u), reason)).
			WithHint("the source of this port is unavailable; other products are not affected")
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 300))
		resp.Body.Close()
		code := sqlstate.UnableToConnect
		hint := "the source of this port is unavailable; other products are not affected"
		if resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden {
			code = "08004" // sqlserver_rejected_establishment_of_sqlconnection
			hint = "the API refused meshgate's credentials; check the port's token_secret or header_secret"
		} else if n > 1 {
			code = sqlstate.ConnectionFailure
		}
		e := sqlstate.New(code, "%s: the API answered %s to GET %s (page %d)", c.name(), resp.Status, shown(u), n).WithHint("%s", hint)
		if s := strings.TrimSpace(string(snippet)); s != "" && utf8Printable(s) {
			e.Detail = "the API said: " + s
		}
		return nil, e
	}
	format := c.format
	if format == "" {
		mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
		switch {
		case mt == "application/vnd.apache.arrow.stream":
			format = "arrow"
		case mt == "application/x-ndjson" || mt == "application/ndjson" || mt == "application/jsonl" || mt == "application/x-jsonlines" || mt == "application/jsonlines":
			format = "ndjson"
		case mt == "application/json" || strings.HasSuffix(mt, "+json") || mt == "text/json":
			format = "json"
		default:
			resp.Body.Close()
			return nil, sqlstate.New(sqlstate.FeatureNotSupported, "%s: the API answered Content-Type %q; set options.format to json, ndjson or arrow", c.name(), resp.Header.Get("Content-Type"))
		}
	}
	return &page{n: n, url: u, resp: resp, format: format, body: &budgetReader{r: resp.Body, left: budget, c: c}}, nil
}

func utf8Printable(s string) bool {
	for _, r := range s {
		if r == 0xFFFD || (r < 32 && r != '\n' && r != '\t' && r != '\r') {
			return false
		}
	}
	return true
}

// budgetReader enforces max_bytes over all pages of a scan.
type budgetReader struct {
	r    io.Reader
	left *int64
	c    *httpConnector
}

var errTooLarge = errors.New("max_bytes exceeded")

func (b *budgetReader) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	*b.left -= int64(n)
	if *b.left < 0 {
		return n, errTooLarge
	}
	return n, err
}

func (c *httpConnector) canceled(ctx context.Context, err error) error {
	what := "was canceled"
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		what = "timed out and was canceled"
	}
	return sqlstate.Wrap(err, sqlstate.QueryCanceled, fmt.Sprintf("the request to %s %s", c.name(), what))
}

// readError maps an error while reading a body.
func (c *httpConnector) readError(ctx context.Context, pg *page, err error) error {
	if sqlstate.As(err) != nil {
		return err
	}
	if ctx.Err() != nil {
		return c.canceled(ctx, err)
	}
	if errors.Is(err, errTooLarge) {
		return sqlstate.New(sqlstate.ProgramLimitExceeded, "%s: the API sent more than max_bytes (%d bytes); raise options.max_bytes or filter the query", c.name(), c.maxBytes)
	}
	var se *json.SyntaxError
	if errors.As(err, &se) || errors.Is(err, io.ErrUnexpectedEOF) && pg.format != "arrow" {
		return sqlstate.Wrap(err, sqlstate.InvalidTextRepresentation, fmt.Sprintf("%s: page %d (GET %s) is not valid %s: %v", c.name(), pg.n, shown(pg.url), strings.ToUpper(pg.format), err))
	}
	return sqlstate.Wrap(err, sqlstate.ConnectionFailure, fmt.Sprintf("connection lost to %s while reading page %d (GET %s): %v", c.name(), pg.n, shown(pg.url), err))
}

var linkNextRE = regexp.MustCompile(`<([^>]*)>\s*((?:;\s*[^;,]*)*)`)

// linkNext returns the rel="next" target of RFC 8288 Link headers.
func linkNext(h http.Header) string {
	for _, v := range h.Values("Link") {
		for _, m := range linkNextRE.FindAllStringSubmatch(v, -1) {
			for _, param := range strings.Split(m[2], ";") {
				k, val, ok := strings.Cut(strings.TrimSpace(param), "=")
				if !ok || !strings.EqualFold(strings.TrimSpace(k), "rel") {
					continue
				}
				for _, rel := range strings.Fields(strings.Trim(strings.TrimSpace(val), `"`)) {
					if strings.EqualFold(rel, "next") {
						return m[1]
					}
				}
			}
		}
	}
	return ""
}

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

// rowSink receives the rows of a scan.
type rowSink struct {
	c      *httpConnector
	cols   []catalog.Column // all declared columns (each row is checked against all)
	want   []int            // the requested ones, indexes into cols
	schema *arrow.Schema    // of the requested columns
	rb     *array.RecordBuilder
	apps   []jsonAppender
	known  map[string]bool // source field names
	row    int64           // rows seen so far
	n      int             // rows in the batch being built
	limit  int64           // < 0: none
	emit   func(arrow.RecordBatch) bool
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

func (s *rowSink) release() { s.rb.Release() }

// done reports whether the limit is reached.
func (s *rowSink) done() bool { return s.limit >= 0 && s.row >= s.limit }

// add checks one JSON object against the declared schema and appends it.
func (s *rowSink) add(pg *page, raw json.RawMessage) error {
	s.row++
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '{' {
		return s.mismatch(pg, "", DriftError{}, fmt.Sprintf("is %s, not a JSON object", jsonKind(raw)))
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return s.c.readError(context.Background(), pg, err)
	}
	if s.c.strict {
		var extra []string
		for k := range m {
			if !s.known[k] {
				extra = append(extra, k)
			}
		}
		if len(extra) > 0 {
			sort.Strings(extra)
			s.discard()
			return s.mismatch(pg, extra[0], DriftError{Column: extra[0], Actual: jsonKind(m[extra[0]])},
				fmt.Sprintf("has the field %q, which the schema does not declare (declare it, or set options.strict: false to ignore undeclared fields)", extra[0]))
		}
	}
	for i, col := range s.cols {
		src := s.c.port.SourceName(col.Name)
		v, ok := m[src]
		if !ok {
			s.discard()
			return s.mismatch(pg, src, DriftError{Column: col.Name, Declared: col.Type},
				fmt.Sprintf("has no field %q for the declared column %s %s", src, col.Name, col.Type))
		}
		if string(v) == "null" {
			if col.Required {
				s.discard()
				return sqlstate.New(sqlstate.DataException, "%s: row %d (page %d) has null in field %q, but column %s is declared required", s.c.name(), s.row, pg.n, src, col.Name)
			}
			s.rb.Field(i).AppendNull()
			continue
		}
		if err := s.apps[i](v); err != nil {
			s.discard()
			var ke *kindError
			if errors.As(err, &ke) {
				return s.mismatch(pg, src, DriftError{Column: col.Name, Declared: col.Type, Actual: ke.kind},
					fmt.Sprintf("field %q %v", src, err))
			}
			var ve *valueError
			if errors.As(err, &ve) {
				return sqlstate.Wrap(err, ve.code, fmt.Sprintf("%s: row %d (page %d): field %q (column %s %s) %s", s.c.name(), s.row, pg.n, src, col.Name, col.Type, ve.msg))
			}
			return sqlstate.Wrap(err, sqlstate.InvalidTextRepresentation, fmt.Sprintf("%s: row %d (page %d): field %q (column %s %s) %v", s.c.name(), s.row, pg.n, src, col.Name, col.Type, err))
		}
	}
	s.n++
	if s.n >= BatchRows || s.done() {
		return s.flush()
	}
	return nil
}

// mismatch is a drift error about one row.
func (s *rowSink) mismatch(pg *page, field string, d DriftError, msg string) error {
	d.Row = s.row
	if d.Column == "" {
		d.Column = field
	}
	return drift(s.c.p, s.c.port, d, fmt.Sprintf("row %d (page %d, GET %s) %s", s.row, pg.n, shown(pg.url), msg))
}

// discard drops the row being appended (and the batch: an error ends the scan).
func (s *rowSink) discard() { discardBuilder(s.rb); s.n = 0 }

// discardBuilder empties a record builder whose columns may have
// different lengths (a row failed half-way).
func discardBuilder(rb *array.RecordBuilder) {
	for i := range rb.Schema().NumFields() {
		rb.Field(i).NewArray().Release()
	}
}

// flush emits the batch built so far, projected to the requested columns.
func (s *rowSink) flush() error {
	if s.n == 0 {
		return nil
	}
	full := s.rb.NewRecordBatch()
	defer full.Release()
	cols := make([]arrow.Array, len(s.want))
	for i, j := range s.want {
		cols[i] = full.Column(j)
	}
	rec := array.NewRecordBatch(s.schema, cols, int64(s.n))
	s.n = 0
	if !s.emit(rec) {
		return context.Canceled
	}
	return nil
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

// readPage streams the rows of one page into sink and returns the URL of
// the next page ("" for none).
func (c *httpConnector) readPage(ctx context.Context, pg *page, sink *rowSink) (string, error) {
	next := ""
	if c.paging == "link" {
		next = linkNext(pg.resp.Header)
	}
	switch pg.format {
	case "arrow":
		return next, c.readArrow(ctx, pg, sink)
	case "ndjson":
		dec := json.NewDecoder(pg.body)
		for !sink.done() {
			var raw json.RawMessage
			if err := dec.Decode(&raw); err == io.EOF {
				break
			} else if err != nil {
				return "", c.readError(ctx, pg, err)
			}
			if err := sink.add(pg, raw); err != nil {
				return "", err
			}
		}
		return next, nil
	}
	dec := json.NewDecoder(pg.body)
	tok, err := dec.Token()
	if err != nil {
		return "", c.readError(ctx, pg, err)
	}
	array := func() error {
		for dec.More() && !sink.done() {
			var raw json.RawMessage
			if err := dec.Decode(&raw); err != nil {
				return c.readError(ctx, pg, err)
			}
			if err := sink.add(pg, raw); err != nil {
				return err
			}
		}
		return nil
	}
	switch tok {
	case json.Delim('['):
		return next, array()
	case json.Delim('{'):
		found := false
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return "", c.readError(ctx, pg, err)
			}
			key, _ := kt.(string)
			switch {
			case key == c.dataField && !found:
				found = true
				t, err := dec.Token()
				if err != nil {
					return "", c.readError(ctx, pg, err)
				}
				if t != json.Delim('[') {
					return "", sqlstate.New(sqlstate.DatatypeMismatch, "%s: page %d: field %q is not an array of rows", c.name(), pg.n, c.dataField)
				}
				if err := array(); err != nil {
					return "", err
				}
				if sink.done() {
					return "", nil
				}
				if _, err := dec.Token(); err != nil { // ]
					return "", c.readError(ctx, pg, err)
				}
			case key == c.nextField && c.paging == "next_field":
				var v any
				if err := dec.Decode(&v); err != nil {
					return "", c.readError(ctx, pg, err)
				}
				switch v := v.(type) {
				case string:
					next = v
				case nil:
				default:
					return "", sqlstate.New(sqlstate.DatatypeMismatch, "%s: page %d: field %q should hold the next page's URL, not %T", c.name(), pg.n, c.nextField, v)
				}
			default:
				var skip json.RawMessage
				if err := dec.Decode(&skip); err != nil {
					return "", c.readError(ctx, pg, err)
				}
			}
		}
		if !found {
			return "", sqlstate.New(sqlstate.DatatypeMismatch, "%s: page %d (GET %s) is a JSON object without the field %q holding the rows; set options.data_field", c.name(), pg.n, shown(pg.url), c.dataField)
		}
		return next, nil
	}
	return "", sqlstate.New(sqlstate.DatatypeMismatch, "%s: page %d (GET %s) is neither a JSON array of rows nor an object holding one", c.name(), pg.n, shown(pg.url))
}

// readArrow reads an Arrow IPC stream page: its schema must hold every
// declared column with the declared type.
func (c *httpConnector) readArrow(ctx context.Context, pg *page, sink *rowSink) error {
	rd, err := ipc.NewReader(pg.body, ipc.WithAllocator(c.mem))
	if err != nil {
		return c.readError(ctx, pg, fmt.Errorf("not an Arrow IPC stream: %w", err))
	}
	defer rd.Release()
	idx, err := c.arrowColumns(rd.Schema(), sink)
	if err != nil {
		return err
	}
	for rd.Next() {
		rec := rd.RecordBatch()
		n := rec.NumRows()
		if sink.limit >= 0 && sink.row+n > sink.limit {
			n = sink.limit - sink.row
		}
		cols := make([]arrow.Array, len(idx))
		for i, j := range idx {
			cols[i] = rec.Column(j)
			if n < rec.NumRows() {
				cols[i] = array.NewSlice(cols[i], 0, n)
				defer cols[i].Release()
			}
		}
		out := array.NewRecordBatch(sink.schema, cols, n)
		sink.row += n
		if !sink.emit(out) {
			return context.Canceled
		}
		if sink.done() {
			return nil
		}
	}
	if err := rd.Err(); err != nil {
		return c.readError(ctx, pg, err)
	}
	return nil
}

// arrowColumns maps the requested columns to fields of an Arrow stream,
// checking every declared column.
func (c *httpConnector) arrowColumns(s *arrow.Schema, sink *rowSink) ([]int, error) {
	pos := map[string]int{}
	for i, f := range s.Fields() {
		pos[f.Name] = i
		if c.strict && !sink.known[f.Name] {
			return nil, drift(c.p, c.port, DriftError{Column: f.Name, Actual: f.Type.String()},
				fmt.Sprintf("the Arrow stream has the field %q (%s), which the schema does not declare (declare it, or set options.strict: false)", f.Name, f.Type))
		}
	}
	var idx []int
	for _, col := range sink.cols {
		src := c.port.SourceName(col.Name)
		j, ok := pos[src]
		if !ok {
			return nil, drift(c.p, c.port, DriftError{Column: col.Name, Declared: col.Type},
				fmt.Sprintf("the Arrow stream has no field %q for the declared column %s %s", src, col.Name, col.Type))
		}
		want, _ := arrowField(col.Name, col.Type)
		if got := s.Field(j).Type; !arrow.TypeEqual(got, want.Type) {
			return nil, drift(c.p, c.port, DriftError{Column: col.Name, Declared: col.Type, Actual: got.String()},
				fmt.Sprintf("column %q is declared %s (Arrow %s) but the source has %s", col.Name, col.Type, want.Type, got))
		}
	}
	for _, k := range sink.want {
		idx = append(idx, pos[c.port.SourceName(sink.cols[k].Name)])
	}
	return idx, nil
}

// Describe reads the first page and reports its shape: the Arrow schema
// of an Arrow stream, or for JSON the fields of the first rows (up to
// 1000) in the order of the first row, with types guessed from the
// values (BIGINT, DOUBLE, BOOLEAN, VARCHAR, DATE, TIMESTAMP [WITH TIME
// ZONE] and UUID from the text's form, JSON for objects, T[] for arrays).
func (c *httpConnector) Describe(ctx context.Context) ([]catalog.Column, error) {
	budget := c.maxBytes
	pg, err := c.fetch(ctx, c.base, 1, &budget)
	if err != nil {
		return nil, err
	}
	defer pg.resp.Body.Close()
	back := map[string]string{}
	for _, dc := range c.p.Columns {
		back[c.port.SourceName(dc.Name)] = dc.Name
	}
	rename := func(n string) string {
		if d, ok := back[n]; ok {
			return d
		}
		return n
	}
	if pg.format == "arrow" {
		rd, err := ipc.NewReader(pg.body, ipc.WithAllocator(c.mem))
		if err != nil {
			return nil, c.readError(ctx, pg, err)
		}
		defer rd.Release()
		var out []catalog.Column
		for _, f := range rd.Schema().Fields() {
			out = append(out, catalog.Column{Name: rename(f.Name), Type: arrowCanonical(f)})
		}
		return out, nil
	}
	var order []string
	types := map[string]string{}
	rows := 0
	collect := func(raw json.RawMessage) error {
		rows++
		keys, vals, err := orderedObject(raw)
		if err != nil {
			return err
		}
		for i, k := range keys {
			if _, ok := types[k]; !ok {
				order = append(order, k)
				types[k] = ""
			}
			types[k] = widen(types[k], inferJSONType(vals[i]))
		}
		return nil
	}
	err = c.eachRow(ctx, pg, func(raw json.RawMessage) (bool, error) {
		if err := collect(raw); err != nil {
			return false, err
		}
		return rows < 1000, nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]catalog.Column, 0, len(order))
	for _, k := range order {
		t := types[k]
		if t == "" {
			t = "VARCHAR" // only nulls seen
		}
		out = append(out, catalog.Column{Name: rename(k), Type: t})
	}
	return out, nil
}

// eachRow calls fn with the raw rows of a JSON or NDJSON page until it
// answers false.
func (c *httpConnector) eachRow(ctx context.Context, pg *page, fn func(json.RawMessage) (bool, error)) error {
	dec := json.NewDecoder(pg.body)
	if pg.format == "ndjson" {
		for {
			var raw json.RawMessage
			if err := dec.Decode(&raw); err == io.EOF {
				return nil
			} else if err != nil {
				return c.readError(ctx, pg, err)
			}
			if more, err := fn(raw); err != nil || !more {
				return err
			}
		}
	}
	tok, err := dec.Token()
	if err != nil {
		return c.readError(ctx, pg, err)
	}
	if tok == json.Delim('{') {
		for {
			if !dec.More() {
				return sqlstate.New(sqlstate.DatatypeMismatch, "%s: page 1 is a JSON object without the field %q holding the rows; set options.data_field", c.name(), c.dataField)
			}
			kt, err := dec.Token()
			if err != nil {
				return c.readError(ctx, pg, err)
			}
			if kt == c.dataField {
				if tok, err = dec.Token(); err != nil {
					return c.readError(ctx, pg, err)
				}
				break
			}
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return c.readError(ctx, pg, err)
			}
		}
	}
	if tok != json.Delim('[') {
		return sqlstate.New(sqlstate.DatatypeMismatch, "%s: page 1 is not a JSON array of rows", c.name())
	}
	for dec.More() {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return c.readError(ctx, pg, err)
		}
		if more, err := fn(raw); err != nil || !more {
			return err
		}
	}
	return nil
}

// orderedObject splits a JSON object into its keys, in order, and values.
func orderedObject(raw json.RawMessage) ([]string, []json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, nil, fmt.Errorf("a row is %s, not a JSON object", jsonKind(bytes.TrimSpace(raw)))
	}
	var keys []string
	var vals []json.RawMessage
	for dec.More() {
		kt, err := dec.Token()
		if err != nil {
			return nil, nil, err
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, nil, err
		}
		keys = append(keys, kt.(string))
		vals = append(vals, v)
	}
	return keys, vals, nil
}

// arrowCanonical is the canonical type of an Arrow field.
func arrowCanonical(f arrow.Field) string {
	if t, ok := f.Metadata.GetValue(DuckDBTypeKey); ok {
		return t
	}
	switch t := f.Type.(type) {
	case *arrow.ListType:
		return arrowCanonical(t.ElemField()) + "[]"
	case *arrow.Decimal128Type:
		return fmt.Sprintf("DECIMAL(%d,%d)", t.Precision, t.Scale)
	case *arrow.TimestampType:
		if t.TimeZone != "" {
			return "TIMESTAMP WITH TIME ZONE"
		}
		return "TIMESTAMP"
	}
	switch f.Type.ID() {
	case arrow.BOOL:
		return "BOOLEAN"
	case arrow.INT8:
		return "TINYINT"
	case arrow.INT16:
		return "SMALLINT"
	case arrow.INT32:
		return "INTEGER"
	case arrow.INT64:
		return "BIGINT"
	case arrow.FLOAT32:
		return "FLOAT"
	case arrow.FLOAT64:
		return "DOUBLE"
	case arrow.STRING, arrow.LARGE_STRING, arrow.STRING_VIEW:
		return "VARCHAR"
	case arrow.BINARY, arrow.LARGE_BINARY:
		return "BLOB"
	case arrow.DATE32:
		return "DATE"
	case arrow.TIME64:
		return "TIME"
	case arrow.INTERVAL_MONTH_DAY_NANO:
		return "INTERVAL"
	}
	return strings.ToUpper(f.Type.String())
}

// chanReader is a RecordReader fed by a producer goroutine.
type chanReader struct {
	schema   *arrow.Schema
	ch       chan arrow.RecordBatch
	cancel   context.CancelFunc
	finished chan struct{}
	err      error // set by the producer before it closes ch
	refs     atomic.Int64
	released atomic.Bool
	cur      arrow.RecordBatch
	once     sync.Once
}

func (r *chanReader) Retain()                        { r.refs.Add(1) }
func (r *chanReader) Schema() *arrow.Schema          { return r.schema }
func (r *chanReader) RecordBatch() arrow.RecordBatch { return r.cur }

// Record is the deprecated name of RecordBatch.
func (r *chanReader) Record() arrow.RecordBatch { return r.cur }

func (r *chanReader) Err() error {
	select {
	case <-r.finished:
		return r.err
	default:
		return nil
	}
}

func (r *chanReader) Next() bool {
	if r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
	rec, ok := <-r.ch
	if !ok {
		<-r.finished
		r.cancel()
		return false
	}
	r.cur = rec
	return true
}

func (r *chanReader) Release() {
	if r.refs.Add(-1) != 0 {
		return
	}
	r.once.Do(func() {
		r.released.Store(true)
		if r.cur != nil {
			r.cur.Release()
			r.cur = nil
		}
		r.cancel()
		for rec := range r.ch {
			rec.Release()
		}
		<-r.finished
	})
}
