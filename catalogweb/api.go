package catalogweb

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/meshgate/meshgate/auth/policy"
	"github.com/meshgate/meshgate/gateway"
	"github.com/meshgate/meshgate/planner/catalog"
	"github.com/meshgate/meshgate/sqlstate"
)

// The JSON shapes of the API (documented in openapi.json).

type domainJSON struct {
	Name     string `json:"name"`
	Products int    `json:"products"`
	Granted  int    `json:"granted"`
}

type productSummary struct {
	ID          string   `json:"id"`
	Domain      string   `json:"domain"`
	Name        string   `json:"name"`
	Version     string   `json:"version"`
	Status      string   `json:"status"`
	Type        string   `json:"type"`
	Description string   `json:"description"`
	Owner       string   `json:"owner"`
	Tags        []string `json:"tags"`
	Health      string   `json:"health"`
	Granted     bool     `json:"granted"`
}

type columnJSON struct {
	Name           string `json:"name"`
	Type           string `json:"type"`
	Description    string `json:"description"`
	Classification string `json:"classification,omitempty"`
	Required       bool   `json:"required"`
	Access         string `json:"access"` // as stored, masked, absent
	Mask           string `json:"mask,omitempty"`
	MaskRule       string `json:"mask_rule,omitempty"`
	MaskExpr       string `json:"mask_expression,omitempty"`
	Explained      string `json:"explained"`
}

type accessJSON struct {
	Granted       bool         `json:"granted"`
	Reason        string       `json:"reason,omitempty"`
	GrantRules    []string     `json:"grant_rules,omitempty"`
	DenyRule      string       `json:"deny_rule,omitempty"`
	MaskedColumns []string     `json:"masked_columns"`
	RowFilters    []filterJSON `json:"row_filters"`
	Request       string       `json:"how_to_request,omitempty"`
}

type filterJSON struct {
	Rule string `json:"rule"`
	SQL  string `json:"sql"`
}

type portJSON struct {
	Name string `json:"name"`
	Kind string `json:"kind"`
	Mode string `json:"mode"`
}

type freshnessJSON struct {
	Mode        string     `json:"mode"`
	LastRefresh *time.Time `json:"last_refresh,omitempty"`
	AgeSeconds  *float64   `json:"age_seconds,omitempty"`
	LastError   string     `json:"last_error,omitempty"`
}

type productDetail struct {
	productSummary
	Contact    string        `json:"contact"`
	PrimaryKey []string      `json:"primary_key"`
	Schema     []columnJSON  `json:"schema"`
	Port       portJSON      `json:"port"`
	Freshness  freshnessJSON `json:"freshness"`
	Access     accessJSON    `json:"access"`
	SQL        string        `json:"example_query"`
	Lineage    lineageJSON   `json:"lineage"`
}

func (s *Server) summary(l gateway.Listing) productSummary {
	p := l.Product
	tags := p.Tags
	if tags == nil {
		tags = []string{}
	}
	return productSummary{ID: p.Address.String(), Domain: p.Address.Domain, Name: p.Address.Name, Version: p.Version,
		Status: p.Status, Type: p.Type, Description: p.Description, Owner: p.Owner.Team, Tags: tags,
		Health: l.Health(s.gw), Granted: l.Access.Granted}
}

// detail is the product page's and the API's product: the descriptor,
// the served port's kind and mode (never its location or credentials),
// freshness, health and the caller's access.
func (s *Server) detail(l gateway.Listing) productDetail {
	p, a := l.Product, l.Access
	d := productDetail{productSummary: s.summary(l), Contact: p.Owner.Contact, PrimaryKey: []string{}}
	fr := l.Freshness(s.gw)
	d.Freshness = freshnessJSON{Mode: fr.Mode, LastError: fr.LastError}
	if !fr.LastRefresh.IsZero() {
		t, age := fr.LastRefresh.UTC(), time.Since(fr.LastRefresh).Seconds()
		d.Freshness.LastRefresh, d.Freshness.AgeSeconds = &t, &age
	}
	if len(p.Ports) > 0 {
		d.Port = portJSON{Name: p.Ports[0].Name, Kind: p.Ports[0].Type, Mode: fr.Mode}
	}
	d.Access = accessJSON{Granted: a.Granted, Reason: a.Reason, GrantRules: a.GrantRules, DenyRule: a.DenyRule,
		MaskedColumns: []string{}, RowFilters: []filterJSON{}}
	var readable []string
	for i, c := range p.Columns {
		ca := policy.ColumnAccess{Name: c.Name, Access: "absent"}
		if i < len(a.Columns) {
			ca = a.Columns[i]
		}
		d.Schema = append(d.Schema, columnJSON{Name: c.Name, Type: c.Type, Description: c.Description, Classification: c.Classification,
			Required: c.Required, Access: ca.Access, Mask: ca.MaskKind, MaskRule: ca.MaskRule, MaskExpr: ca.Expr, Explained: ca.Plain()})
		if ca.Access == "masked" {
			d.Access.MaskedColumns = append(d.Access.MaskedColumns, c.Name)
		}
		if ca.Access != "absent" {
			readable = append(readable, displayIdent(c.Name))
		}
	}
	for _, f := range a.Filters {
		d.Access.RowFilters = append(d.Access.RowFilters, filterJSON{Rule: f.Rule, SQL: f.SQL})
	}
	if !a.Granted {
		d.Access.Request = "Ask the owner, " + p.Owner.Team
		if p.Owner.Contact != "" {
			d.Access.Request += " (" + p.Owner.Contact + ")"
		}
		d.Access.Request += ", for a grant on " + p.Address.String() + "."
	} else {
		d.SQL = fmt.Sprintf("SELECT %s FROM %s LIMIT 10;", strings.Join(readable, ", "), p.Address)
	}
	return d
}

func displayIdent(s string) string {
	if catalog.ValidName(s) {
		return s
	}
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

func (s *Server) apiDomains(w http.ResponseWriter, r *http.Request, c *caller) {
	s.audited(w, r, c, nil, func(w http.ResponseWriter) {
		if len(r.URL.Query()) > 0 {
			writeError(w, http.StatusBadRequest, "bad_request", "GET /api/v1/domains takes no parameters.")
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"domains": domainsOf(s.visible.of(c.user))})
	})
}

func domainsOf(ls []gateway.Listing) []domainJSON {
	out := []domainJSON{}
	for _, l := range ls {
		if len(out) == 0 || out[len(out)-1].Name != l.Product.Address.Domain {
			out = append(out, domainJSON{Name: l.Product.Address.Domain})
		}
		out[len(out)-1].Products++
		if l.Access.Granted {
			out[len(out)-1].Granted++
		}
	}
	return out
}

func (s *Server) apiProducts(w http.ResponseWriter, r *http.Request, c *caller) {
	q, msg := parseSearch(r.URL.Query())
	s.audited(w, r, c, nil, func(w http.ResponseWriter) {
		if msg != "" {
			writeError(w, http.StatusBadRequest, "bad_request", msg)
			return
		}
		page, total := q.run(s.index, s.gw, s.visible.of(c.user))
		items := make([]productSummary, len(page))
		for i, l := range page {
			items[i] = s.summary(l)
		}
		writeJSON(w, http.StatusOK, map[string]any{"products": items, "total": total, "limit": q.Limit, "offset": q.Offset})
	})
}

func (s *Server) apiProduct(w http.ResponseWriter, r *http.Request, c *caller) {
	l, status, msg := s.productOf(r, c)
	var prods []catalog.Address
	if l != nil {
		prods = []catalog.Address{l.Product.Address}
	}
	s.audited(w, r, c, prods, func(w http.ResponseWriter) {
		switch {
		case len(r.URL.Query()) > 0:
			writeError(w, http.StatusBadRequest, "bad_request", "GET /api/v1/products/{id} takes no parameters.")
		case l == nil:
			writeError(w, status, errCode(status), msg)
		default:
			d := s.detail(*l)
			d.Lineage = s.lineageOf(c, l.Product.Address)
			writeJSON(w, http.StatusOK, d)
		}
	})
}

func errCode(status int) string {
	if status == http.StatusNotFound {
		return "not_found"
	}
	return "bad_request"
}

// sampleJSON is a sample of rows as the caller's session reads them.
type sampleJSON struct {
	Product string      `json:"product"`
	Columns []string    `json:"columns"`
	Rows    [][]*string `json:"rows"`
}

func (s *Server) apiSample(w http.ResponseWriter, r *http.Request, c *caller) {
	l, status, msg := s.productOf(r, c)
	if l == nil {
		s.audited(w, r, c, nil, func(w http.ResponseWriter) { writeError(w, status, errCode(status), msg) })
		return
	}
	v := r.URL.Query()
	for k := range v {
		if k != "limit" {
			s.audited(w, r, c, nil, func(w http.ResponseWriter) {
				writeError(w, http.StatusBadRequest, "bad_request", fmt.Sprintf("Unknown parameter %q; the sample takes limit.", k))
			})
			return
		}
	}
	n, msg := intParam(v, "limit", defaultSample, 1, maxSample)
	if msg != "" {
		s.audited(w, r, c, nil, func(w http.ResponseWriter) { writeError(w, http.StatusBadRequest, "bad_request", msg) })
		return
	}
	// The statement is audited by the session like any SQL statement.
	sample, err := s.sample(r, c, l.Product.Address, n)
	s.audited(w, r, c, []catalog.Address{l.Product.Address}, func(w http.ResponseWriter) {
		if err != nil {
			status, code, msg := sqlError(err)
			writeError(w, status, code, msg)
			return
		}
		writeJSON(w, http.StatusOK, sample)
	})
}

// sample reads up to n rows of a product through a session of the caller:
// the same check, verification, masks, filters and audit as over psql.
func (s *Server) sample(r *http.Request, c *caller, a catalog.Address, n int) (*sampleJSON, error) {
	ctx, cancel := context.WithTimeout(r.Context(), 30*time.Second)
	defer cancel()
	sess := (*gateway.Session)(nil)
	if c.ws != nil {
		// A browser session keeps one SQL session for its samples.
		c.ws.mu.Lock()
		defer c.ws.mu.Unlock()
		sess = c.ws.gs
	}
	if sess == nil {
		var err error
		sess, err = s.gw.OpenSession(ctx, c.user, gateway.Door{Protocol: "http", RemoteAddr: remoteAddr(r), TLS: r.TLS != nil, Application: "meshgate catalog"})
		if err != nil {
			return nil, err
		}
		if c.ws != nil {
			c.ws.gs = sess
		} else {
			defer sess.Close()
		}
	}
	out, err := readSample(ctx, sess, a, n)
	if err != nil && c.ws != nil && sqlstate.CodeOf(err) != sqlstate.InsufficientPrivilege {
		// Start afresh next time rather than keep a session in doubt.
		c.ws.gs.Close()
		c.ws.gs = nil
	}
	return out, err
}

func readSample(ctx context.Context, sess *gateway.Session, a catalog.Address, n int) (*sampleJSON, error) {
	rows, err := sess.Query(ctx, fmt.Sprintf("SELECT * FROM %s.%s LIMIT %d", a.Domain, a.Name, n), nil)
	if err != nil {
		return nil, err
	}
	out := &sampleJSON{Product: a.String(), Columns: []string{}, Rows: [][]*string{}}
	for _, f := range rows.Fields {
		out.Columns = append(out.Columns, f.Name)
	}
	if rows.Records == nil {
		return out, nil
	}
	defer rows.Records.Release()
	for rows.Records.Next() {
		rec := rows.Records.RecordBatch()
		for i := 0; i < int(rec.NumRows()); i++ {
			row := make([]*string, rec.NumCols())
			for j := range row {
				row[j] = cell(rec.Column(j), i)
			}
			out.Rows = append(out.Rows, row)
		}
	}
	return out, rows.Records.Err()
}

func cell(col arrow.Array, i int) *string {
	if col.IsNull(i) {
		return nil
	}
	// A copy: the value may point into the batch's memory, which DuckDB
	// frees when the records are released.
	v := strings.Clone(col.ValueStr(i))
	return &v
}

// sqlError maps a session's error to an HTTP status, a code and its
// sentence.
func sqlError(err error) (int, string, string) {
	var se *sqlstate.Error
	if !errors.As(err, &se) {
		return http.StatusInternalServerError, "internal", "The sample could not be read; the gateway's log says why."
	}
	msg := se.Message
	if se.Hint != "" {
		msg += ". " + se.Hint
	}
	switch {
	case se.Code == sqlstate.InsufficientPrivilege:
		return http.StatusForbidden, "permission_denied", msg
	case strings.HasPrefix(se.Code, "53"):
		return http.StatusTooManyRequests, "too_many_sessions", msg
	case strings.HasPrefix(se.Code, "08"), se.Code == "57014", se.Code == "55000":
		return http.StatusBadGateway, "source_unavailable", msg
	}
	return http.StatusInternalServerError, "query_failed", msg + " (SQLSTATE " + se.Code + ")"
}
