package catalogweb

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/meshgate/meshgate/auth"
	"github.com/meshgate/meshgate/gateway"
	"github.com/meshgate/meshgate/sqlstate"
)

const (
	sessionCookie = "mg_session"
	loginCSRF     = "mg_login_csrf"
	maxSessions   = 10000
)

// caller is the logged-in user of a request.
type caller struct {
	user *auth.User
	csrf string   // the browser session's CSRF token ("" for Basic)
	ws   *session // the browser session (nil for Basic)
}

// session is a browser session: a random token in a cookie names it.
type session struct {
	user    *auth.User
	csrf    string
	expires time.Time

	mu sync.Mutex       // one statement at a time on gs
	gs *gateway.Session // opened at the first sample, closed with the session
}

// close ends the session's SQL session, if one is open.
func (s *session) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.gs != nil {
		s.gs.Close()
		s.gs = nil
	}
}

// sessions are the browser sessions, kept in memory (a restart logs
// everyone out).
type sessions struct {
	ttl time.Duration
	mu  sync.Mutex
	m   map[string]*session
}

func newSessions(ttl time.Duration) *sessions {
	return &sessions{ttl: ttl, m: map[string]*session{}}
}

func (ss *sessions) create(u *auth.User) (string, *session) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	now := time.Now()
	if len(ss.m) >= maxSessions {
		ss.sweepLocked(now)
		for k, s := range ss.m { // still full: drop arbitrary ones
			if len(ss.m) < maxSessions {
				break
			}
			delete(ss.m, k)
			go s.close()
		}
	}
	tok, s := token(), &session{user: u, csrf: token(), expires: now.Add(ss.ttl)}
	ss.m[tok] = s
	return tok, s
}

func (ss *sessions) get(tok string) *session {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	s := ss.m[tok]
	if s != nil && time.Now().After(s.expires) {
		delete(ss.m, tok)
		go s.close()
		return nil
	}
	return s
}

func (ss *sessions) end(tok string) {
	ss.mu.Lock()
	s := ss.m[tok]
	delete(ss.m, tok)
	ss.mu.Unlock()
	if s != nil {
		s.close()
	}
}

// sweep ends the expired sessions (and their SQL sessions).
func (ss *sessions) sweep() {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	ss.sweepLocked(time.Now())
}

func (ss *sessions) sweepLocked(now time.Time) {
	for k, s := range ss.m {
		if now.After(s.expires) {
			delete(ss.m, k)
			go s.close()
		}
	}
}

// closeAll ends every session (at shutdown).
func (ss *sessions) closeAll() {
	ss.mu.Lock()
	all := ss.m
	ss.m = map[string]*session{}
	ss.mu.Unlock()
	for _, s := range all {
		s.close()
	}
}

func token() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// fromSession is the caller named by the request's session cookie, or nil.
func (s *Server) fromSession(r *http.Request) *caller {
	ck, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil
	}
	if sess := s.sessions.get(ck.Value); sess != nil {
		return &caller{user: sess.user, csrf: sess.csrf, ws: sess}
	}
	return nil
}

// loopback reports whether the request came from this machine.
func loopback(r *http.Request) bool {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	ip := net.ParseIP(host)
	return err == nil && ip != nil && ip.IsLoopback()
}

// api wraps an API handler: the caller comes from HTTP Basic (over TLS or
// from loopback) or a browser session; the call is audited.
func (s *Server) api(h func(http.ResponseWriter, *http.Request, *caller)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c := s.fromSession(r)
		name, password, basic := r.BasicAuth()
		switch {
		case basic:
			if r.TLS == nil && !loopback(r) {
				s.audited(w, r, nil, nil, func(w http.ResponseWriter) {
					writeError(w, http.StatusForbidden, "tls_required", "HTTP Basic credentials are accepted only over TLS or from a loopback address; connect with https.")
				})
				return
			}
			u, err := s.gw.Login(r.Context(), gateway.Credentials{User: name, Password: password, RemoteAddr: remoteAddr(r), TLS: r.TLS != nil, Protocol: "http"})
			if err != nil {
				s.audited(w, r, nil, nil, func(w http.ResponseWriter) { s.loginRefused(w, err) })
				return
			}
			c = &caller{user: u}
		case c == nil:
			s.audited(w, r, nil, nil, func(w http.ResponseWriter) {
				w.Header().Set("WWW-Authenticate", `Basic realm="meshgate", charset="UTF-8"`)
				writeError(w, http.StatusUnauthorized, "unauthenticated", "Log in: send HTTP Basic credentials (a meshgate user and password) or log in at /login.")
			})
			return
		}
		h(w, r, c)
	}
}

// loginRefused answers a failed API login: 401 with WWW-Authenticate for
// a wrong or unknown user or password (after the throttle's delay, which
// gateway.Login already waited), 403 when an access rule refuses.
func (s *Server) loginRefused(w http.ResponseWriter, err error) {
	var se *sqlstate.Error
	if errors.As(err, &se) && se.Code == sqlstate.InvalidAuthorization {
		writeError(w, http.StatusForbidden, "access_refused", se.Message+".")
		return
	}
	w.Header().Set("WWW-Authenticate", `Basic realm="meshgate", charset="UTF-8"`)
	writeError(w, http.StatusUnauthorized, "bad_credentials", "The user name or password is wrong.")
}

// page wraps a page handler: without a session, the browser goes to the
// login form (and comes back afterwards).
func (s *Server) page(h func(http.ResponseWriter, *http.Request, *caller)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c := s.fromSession(r)
		if c == nil {
			http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		h(w, r, c)
	}
}

// sameOrigin refuses a form posted from another site: an Origin header,
// when the browser sends one, must be this server.
func sameOrigin(r *http.Request) bool {
	if site := r.Header.Get("Sec-Fetch-Site"); site == "cross-site" || site == "same-site" {
		return false
	}
	o := r.Header.Get("Origin")
	if o == "" {
		return true
	}
	u, err := url.Parse(o)
	return err == nil && u.Host == r.Host
}

// safeNext is where to go after login: a path on this server only.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n") {
		return "/"
	}
	return next
}

func (s *Server) setCookie(w http.ResponseWriter, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: s.cfg.TLS, SameSite: http.SameSiteStrictMode})
}

type loginView struct {
	CSRF, Next, User, Error string
}

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	tok := token()
	s.setCookie(w, loginCSRF, tok, 3600)
	s.render(w, http.StatusOK, "login.html", pageData{Title: "Log in", Body: loginView{CSRF: tok, Next: safeNext(r.URL.Query().Get("next"))}})
}

func (s *Server) loginSubmit(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	if err := r.ParseForm(); err != nil {
		s.htmlError(w, r, nil, http.StatusBadRequest, "The login form could not be read: "+err.Error()+".")
		return
	}
	ck, err := r.Cookie(loginCSRF)
	form := r.PostForm.Get("csrf")
	if !sameOrigin(r) || err != nil || form == "" || subtle.ConstantTimeCompare([]byte(ck.Value), []byte(form)) != 1 {
		s.htmlError(w, r, nil, http.StatusForbidden, "The login form expired or was posted from another site; open the login page again.")
		return
	}
	next := safeNext(r.PostForm.Get("next"))
	name := r.PostForm.Get("user")
	u, err := s.gw.Login(r.Context(), gateway.Credentials{User: name, Password: r.PostForm.Get("password"),
		RemoteAddr: remoteAddr(r), TLS: r.TLS != nil, Protocol: "http"})
	if err != nil {
		msg, status := "The user name or password is wrong.", http.StatusUnauthorized
		var se *sqlstate.Error
		if errors.As(err, &se) && se.Code == sqlstate.InvalidAuthorization {
			msg, status = se.Message+".", http.StatusForbidden
		}
		s.audited(w, r, nil, nil, func(w http.ResponseWriter) {
			tok := token()
			s.setCookie(w, loginCSRF, tok, 3600)
			s.render(w, status, "login.html", pageData{Title: "Log in", Body: loginView{CSRF: tok, Next: next, User: name, Error: msg}})
		})
		return
	}
	tok, _ := s.sessions.create(u)
	s.audited(w, r, &caller{user: u}, nil, func(w http.ResponseWriter) {
		s.setCookie(w, loginCSRF, "", -1)
		s.setCookie(w, sessionCookie, tok, int(s.cfg.SessionTTL.Seconds()))
		http.Redirect(w, r, next, http.StatusSeeOther)
	})
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	_ = r.ParseForm()
	c := s.fromSession(r)
	if c == nil || !sameOrigin(r) || subtle.ConstantTimeCompare([]byte(c.csrf), []byte(r.PostForm.Get("csrf"))) != 1 {
		s.htmlError(w, r, nil, http.StatusForbidden, "The logout form expired or was posted from another site.")
		return
	}
	ck, _ := r.Cookie(sessionCookie)
	s.sessions.end(ck.Value)
	s.setCookie(w, sessionCookie, "", -1)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}
