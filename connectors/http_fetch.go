package connectors

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/meshgate/meshgate/sqlstate"
)

// An http port's requests: one page fetched within the byte budget, errors
// named after the port, pagination by Link header or next field.

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
