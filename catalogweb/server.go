package catalogweb

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/meshgate/meshgate/gateway"
	"github.com/meshgate/meshgate/planner/catalog"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed assets
var assetFS embed.FS

//go:embed openapi.json
var openAPI []byte

// Limits of what a request may send.
const (
	maxQueryString = 2048 // bytes of the URL's query
	maxSearch      = 200  // characters of q
	maxPage        = 200  // products per page
	defaultPage    = 50
	maxSample      = 100 // sample rows
	defaultSample  = 20
)

// Config says how the catalog is served.
type Config struct {
	// PGHost, PGPort and Database are where SQL clients connect (for the
	// ready-to-copy psql command).
	PGHost, PGPort, Database string
	// TLS: the listener serves TLS (cookies are Secure, Basic is accepted
	// from any address).
	TLS bool
	// SessionTTL is how long a browser session lasts (default 8h).
	SessionTTL time.Duration
	Logger     *slog.Logger
}

// Server is the catalog's HTTP front door.
type Server struct {
	gw       *gateway.Gateway
	cfg      Config
	log      *slog.Logger
	pages    *template.Template
	sessions *sessions
	index    *index
	visible  *visibleCache
	mux      *http.ServeMux
	http     atomic.Pointer[http.Server] // while serving
}

// New returns the catalog front door of a gateway.
func New(gw *gateway.Gateway, cfg Config) (*Server, error) {
	if cfg.SessionTTL <= 0 {
		cfg.SessionTTL = 8 * time.Hour
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Database == "" {
		cfg.Database = gateway.DefaultDatabase
	}
	pages, err := template.New("").Funcs(templateFuncs).ParseFS(templateFS, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("catalogweb: templates: %w", err)
	}
	s := &Server{gw: gw, cfg: cfg, log: cfg.Logger, pages: pages, sessions: newSessions(cfg.SessionTTL),
		index: newIndex(gw), visible: newVisibleCache(gw)}
	s.routes()
	return s, nil
}

func (s *Server) routes() {
	m := http.NewServeMux()
	assets, _ := fs.Sub(assetFS, "assets")
	m.Handle("GET /assets/", http.StripPrefix("/assets/", http.FileServerFS(assets)))
	m.HandleFunc("GET /api/v1/openapi.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(openAPI)
	})
	m.HandleFunc("GET /api/v1/domains", s.api(s.apiDomains))
	m.HandleFunc("GET /api/v1/products", s.api(s.apiProducts))
	m.HandleFunc("GET /api/v1/products/{id}", s.api(s.apiProduct))
	m.HandleFunc("GET /api/v1/products/{id}/sample", s.api(s.apiSample))
	m.HandleFunc("/api/", s.api(func(w http.ResponseWriter, r *http.Request, c *caller) {
		writeError(w, http.StatusNotFound, "not_found", "There is no API endpoint "+r.Method+" "+r.URL.Path+"; see /api/v1/openapi.json.")
	}))
	m.HandleFunc("GET /login", s.loginPage)
	m.HandleFunc("POST /login", s.loginSubmit)
	m.HandleFunc("POST /logout", s.logout)
	m.HandleFunc("GET /{$}", s.page(s.homePage))
	m.HandleFunc("GET /domains/{domain}", s.page(s.domainPage))
	m.HandleFunc("GET /products/{id}", s.page(s.productPage))
	m.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.htmlError(w, r, nil, http.StatusNotFound, "There is no page "+r.URL.Path+".")
	})
	s.mux = m
}

// ServeHTTP checks what every request may send, then routes it.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'")
	if msg := badRequestLine(r); msg != "" {
		if strings.HasPrefix(r.URL.Path, "/api/") {
			writeError(w, http.StatusBadRequest, "bad_request", msg)
		} else {
			s.htmlError(w, r, nil, http.StatusBadRequest, msg)
		}
		return
	}
	s.mux.ServeHTTP(w, r)
}

// badRequestLine finds what no route accepts: a path that climbs (..),
// holds encoded slashes, backslashes or control characters, and oversized
// query strings.
func badRequestLine(r *http.Request) string {
	if len(r.URL.RawQuery) > maxQueryString {
		return fmt.Sprintf("The query string is %d bytes; at most %d are accepted.", len(r.URL.RawQuery), maxQueryString)
	}
	raw := r.URL.EscapedPath()
	low := strings.ToLower(raw)
	for _, bad := range []string{"%2f", "%5c", "%00", "%2e", "\\", "//"} {
		if strings.Contains(low, bad) {
			return "The path " + raw + " is not allowed: encoded slashes, dots, backslashes and empty segments are refused."
		}
	}
	for _, seg := range strings.Split(r.URL.Path, "/") {
		if seg == ".." || seg == "." {
			return "The path " + raw + " is not allowed: it must not contain . or .. segments."
		}
	}
	for _, c := range r.URL.Path {
		if c < 0x20 || c == 0x7f {
			return "The path contains control characters."
		}
	}
	return ""
}

// apiError is the body of every API error.
type apiError struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	var e apiError
	e.Error.Code, e.Error.Message = code, msg
	writeJSON(w, status, e)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

// statusRecorder remembers the status written, for the audit record.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

// audited runs h and writes the audit record of the call.
func (s *Server) audited(w http.ResponseWriter, r *http.Request, c *caller, products []catalog.Address, h func(http.ResponseWriter)) {
	start := time.Now()
	rec := &statusRecorder{ResponseWriter: w}
	h(rec)
	call := gateway.Call{Protocol: "http", RemoteAddr: remoteAddr(r), Method: r.Method, Target: r.URL.RequestURI(),
		Status: rec.status, Products: products, Duration: time.Since(start)}
	if c != nil {
		call.User = c.user
	}
	s.gw.AuditCall(r.Context(), call)
}

// productOf reads the {id} path value (domain.product); a malformed one is
// a 400, one the caller may not discover a 404 like an unknown one.
func (s *Server) productOf(r *http.Request, c *caller) (*gateway.Listing, int, string) {
	a, err := catalog.ParseAddress(r.PathValue("id"))
	if err != nil {
		return nil, http.StatusBadRequest, "The product id must be domain.product (lowercase names): " + err.Error() + "."
	}
	for _, l := range s.visible.of(c.user) {
		if l.Product.Address == a {
			return &l, 0, ""
		}
	}
	return nil, http.StatusNotFound, fmt.Sprintf("There is no product %s you may discover.", a)
}

func remoteAddr(r *http.Request) net.Addr {
	host, port, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return &net.TCPAddr{}
	}
	a := &net.TCPAddr{IP: net.ParseIP(host)}
	_, _ = fmt.Sscan(port, &a.Port)
	return a
}

// Serve serves the catalog on ln until ctx ends.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 2 * time.Minute, IdleTimeout: 2 * time.Minute, MaxHeaderBytes: 64 << 10,
		ErrorLog: slog.NewLogLogger(s.log.Handler(), slog.LevelWarn)}
	s.http.Store(srv)
	go func() {
		t := time.NewTicker(time.Minute)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				s.sessions.sweep()
			case <-ctx.Done():
				return
			}
		}
	}()
	defer s.sessions.closeAll()
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	err := srv.Serve(ln)
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// Shutdown drains the catalog (serve's SIGTERM): no new connections; the
// requests in progress may finish until ctx ends, then connections close.
func (s *Server) Shutdown(ctx context.Context) error {
	srv := s.http.Load()
	if srv == nil {
		return nil
	}
	if err := srv.Shutdown(ctx); err != nil {
		srv.Close()
		return fmt.Errorf("catalog: requests still running when the drain ended were cut: %w", err)
	}
	return nil
}
