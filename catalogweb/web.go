package catalogweb

import (
	"bytes"
	"fmt"
	"html/template"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/meshgate/meshgate/planner/catalog"
)

// pageData is what every page template gets.
type pageData struct {
	Title string
	User  string
	CSRF  string
	Q     string
	Body  any
}

var templateFuncs = template.FuncMap{
	"join": strings.Join,
	"badge": func(classification string) string {
		switch classification {
		case "pii", "confidential", "restricted", "internal", "public":
			return "badge-" + classification
		}
		return "badge-other"
	},
	"ago": func(t *time.Time) string {
		if t == nil {
			return "never"
		}
		return time.Since(*t).Round(time.Second).String() + " ago"
	},
	"deref": func(s *string) string {
		if s == nil {
			return ""
		}
		return *s
	},
	"isnil": func(s *string) bool { return s == nil },
}

// render executes a page into a buffer first, so a template error is a
// clean 500 rather than half a page.
func (s *Server) render(w http.ResponseWriter, status int, name string, d pageData) {
	var buf bytes.Buffer
	if err := s.pages.ExecuteTemplate(&buf, name, d); err != nil {
		s.log.Error("catalog page failed", "page", name, "err", err)
		http.Error(w, "The page could not be rendered; the gateway's log says why.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

func (s *Server) data(c *caller, title string, body any) pageData {
	d := pageData{Title: title, Body: body}
	if c != nil {
		d.User, d.CSRF = c.user.Name, c.csrf
	}
	return d
}

type errorView struct {
	Status  int
	Message string
}

func (s *Server) htmlError(w http.ResponseWriter, r *http.Request, c *caller, status int, msg string) {
	if c == nil {
		c = s.fromSession(r)
	}
	s.render(w, status, "error.html", s.data(c, http.StatusText(status), errorView{Status: status, Message: msg}))
}

type homeView struct {
	Domains  []domainJSON
	Results  []productSummary
	Total    int
	Search   search
	Prev     string
	Next     string
	Filtered bool
}

func (s *Server) homePage(w http.ResponseWriter, r *http.Request, c *caller) {
	q, msg := parseSearch(r.URL.Query())
	s.audited(w, r, c, nil, func(w http.ResponseWriter) {
		if msg != "" {
			s.htmlError(w, r, c, http.StatusBadRequest, msg)
			return
		}
		all := s.visible.of(c.user)
		page, total := q.run(s.index, s.gw, all)
		v := homeView{Domains: domainsOf(all), Total: total, Search: q,
			Filtered: q.Q != "" || q.Domain != "" || q.Tag != "" || q.Classification != "" || q.Status != "" || q.Health != ""}
		for _, l := range page {
			v.Results = append(v.Results, s.summary(l))
		}
		v.Prev, v.Next = pageLinks(r.URL.Query(), q, total)
		d := s.data(c, "Data products", v)
		d.Q = q.Q
		s.render(w, http.StatusOK, "home.html", d)
	})
}

// pageLinks are the previous and next pages' query strings ("" at the ends).
func pageLinks(v url.Values, q search, total int) (prev, next string) {
	link := func(off int) string {
		u := url.Values{}
		for k, x := range v {
			u[k] = x
		}
		u.Set("offset", fmt.Sprint(off))
		return "?" + u.Encode()
	}
	if q.Offset > 0 {
		prev = link(max(0, q.Offset-q.Limit))
	}
	if q.Offset+q.Limit < total {
		next = link(q.Offset + q.Limit)
	}
	return prev, next
}

type domainView struct {
	Name     string
	Products []productSummary
}

func (s *Server) domainPage(w http.ResponseWriter, r *http.Request, c *caller) {
	name := r.PathValue("domain")
	s.audited(w, r, c, nil, func(w http.ResponseWriter) {
		if !catalog.ValidName(name) {
			s.htmlError(w, r, c, http.StatusBadRequest, "A domain name is a lowercase SQL name, such as sales.")
			return
		}
		v := domainView{Name: name}
		for _, l := range s.visible.of(c.user) {
			if l.Product.Address.Domain == name {
				v.Products = append(v.Products, s.summary(l))
			}
		}
		if len(v.Products) == 0 {
			s.htmlError(w, r, c, http.StatusNotFound, "There is no domain "+name+" with products you may discover.")
			return
		}
		s.render(w, http.StatusOK, "domain.html", s.data(c, "Domain "+name, v))
	})
}

type productView struct {
	productDetail
	Psql        string
	Sample      *sampleJSON
	SampleError string
	LineageSVG  template.HTML
}

func (s *Server) productPage(w http.ResponseWriter, r *http.Request, c *caller) {
	l, status, msg := s.productOf(r, c)
	if l == nil {
		s.audited(w, r, c, nil, func(w http.ResponseWriter) { s.htmlError(w, r, c, status, msg) })
		return
	}
	v := productView{productDetail: s.detail(*l), Psql: s.psql(c)}
	v.Lineage = s.lineageOf(c, l.Product.Address)
	v.LineageSVG = lineageSVG(l.Product.Address.String(), v.Lineage)
	if l.Access.Granted {
		sample, err := s.sample(r, c, l.Product.Address, 10)
		if err != nil {
			_, _, v.SampleError = sqlError(err)
		}
		v.Sample = sample
	}
	s.audited(w, r, c, []catalog.Address{l.Product.Address}, func(w http.ResponseWriter) {
		s.render(w, http.StatusOK, "product.html", s.data(c, l.Product.Address.String(), v))
	})
}

// psql is the command that connects the caller to the SQL door.
func (s *Server) psql(c *caller) string {
	host, port := s.cfg.PGHost, s.cfg.PGPort
	if host == "" {
		host = "127.0.0.1"
	}
	if port == "" {
		port = "15432"
	}
	ssl := "prefer"
	if s.cfg.TLS {
		ssl = "require"
	}
	return fmt.Sprintf(`psql "host=%s port=%s user=%s dbname=%s sslmode=%s"`, host, port, c.user.Name, s.cfg.Database, ssl)
}

// SQLAddress sets where SQL clients connect, for the psql command.
func (s *Server) SQLAddress(addr string) {
	if h, p, err := net.SplitHostPort(addr); err == nil {
		s.cfg.PGHost, s.cfg.PGPort = h, p
	}
}
