package connectors_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/meshgate/meshgate/connectors"
	"github.com/meshgate/meshgate/planner/catalog"
	"github.com/meshgate/meshgate/sqlstate"
)

var countryCols = []catalog.Column{col("country_code", "VARCHAR"), col("name", "VARCHAR"), col("population", "BIGINT"), col("area", "DOUBLE")}

func httpProduct(url string, opts map[string]string) (*catalog.Product, *catalog.Port) {
	if opts == nil {
		opts = map[string]string{}
	}
	p := &catalog.Product{
		Address: catalog.Address{Domain: "geo", Name: "countries"},
		Version: "1.0.0",
		Columns: countryCols,
		Ports:   []catalog.Port{{Name: "api", Type: "http", Location: url, Options: opts}},
	}
	return p, &p.Ports[0]
}

func openHTTP(t *testing.T, p *catalog.Product, port *catalog.Port, secrets connectors.Secrets) connectors.Connector {
	t.Helper()
	if secrets == nil {
		secrets = connectors.NewSecrets(t.TempDir())
	}
	conn, err := connectors.Open(context.Background(), p, port, secrets)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(conn.Close)
	return conn
}

const countriesJSON = `[{"country_code":"DE","name":"Germany","population":84000000,"area":357588.5},
{"country_code":"FR","name":"France","population":68000000,"area":551695},
{"country_code":"LU","name":"Luxembourg","population":null,"area":2586.4}]`

func scanErr(t *testing.T, conn connectors.Connector, req connectors.Request) (int64, error) {
	t.Helper()
	rr, err := conn.Scan(context.Background(), req)
	if err != nil {
		return 0, err
	}
	_, n, err := readAll(t, rr)
	return n, err
}

func TestHTTPFormats(t *testing.T) {
	ndjson := strings.ReplaceAll(strings.ReplaceAll(strings.ReplaceAll(countriesJSON, "[", ""), "]", ""), "},\n", "}\n")
	arrowBody := func() []byte {
		schema, _ := connectors.ArrowSchema(countryCols)
		b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
		defer b.Release()
		b.Field(0).(*array.StringBuilder).AppendValues([]string{"DE", "FR", "LU"}, nil)
		b.Field(1).(*array.StringBuilder).AppendValues([]string{"Germany", "France", "Luxembourg"}, nil)
		b.Field(2).(*array.Int64Builder).AppendValues([]int64{84000000, 68000000, 0}, []bool{true, true, false})
		b.Field(3).(*array.Float64Builder).AppendValues([]float64{357588.5, 551695, 2586.4}, nil)
		rec := b.NewRecordBatch()
		defer rec.Release()
		var buf bytes.Buffer
		w := ipc.NewWriter(&buf, ipc.WithSchema(schema))
		w.Write(rec)
		w.Close()
		return buf.Bytes()
	}()
	mux := http.NewServeMux()
	mux.HandleFunc("/json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, countriesJSON)
	})
	mux.HandleFunc("/ndjson", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/x-ndjson")
		fmt.Fprint(w, ndjson)
	})
	mux.HandleFunc("/plain", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, ndjson) })
	mux.HandleFunc("/arrow", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/vnd.apache.arrow.stream")
		w.Write(arrowBody)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	for _, tc := range []struct {
		path string
		opts map[string]string
	}{{"/json", nil}, {"/ndjson", nil}, {"/plain", map[string]string{"format": "ndjson"}}, {"/arrow", nil}, {"/arrow", map[string]string{"format": "arrow"}}} {
		t.Run(tc.path, func(t *testing.T) {
			p, port := httpProduct(srv.URL+tc.path, tc.opts)
			conn := openHTTP(t, p, port, nil)
			recs, n := scanAll(t, conn, connectors.Request{Columns: []string{"name", "population"}, Limit: -1})
			if n != 3 || len(recs) != 1 {
				t.Fatalf("%d rows in %d batches", n, len(recs))
			}
			r := recs[0]
			if r.NumCols() != 2 || r.Schema().Field(0).Name != "name" || r.Column(0).ValueStr(2) != "Luxembourg" ||
				r.Column(1).(*array.Int64).Value(0) != 84000000 || !r.Column(1).IsNull(2) {
				t.Errorf("batch: %v", r)
			}
			cols, err := conn.Describe(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if problems := catalog.CompareSchema(p, port, cols); len(problems) != 0 {
				t.Errorf("Describe %+v: %v", cols, problems)
			}
		})
	}
	// Limit without predicates stops early.
	p, port := httpProduct(srv.URL+"/json", nil)
	if _, n := scanAll(t, openHTTP(t, p, port, nil), connectors.Request{Limit: 2}); n != 2 {
		t.Errorf("limit 2: %d rows", n)
	}
}

func TestHTTPAuth(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer s3cret" || r.Header.Get("X-Api-Key") != "k3y" {
			w.Header().Set("WWW-Authenticate", "Bearer")
			http.Error(w, "missing or wrong token", http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, countriesJSON)
	}))
	defer srv.Close()
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "api.env"), []byte("# api keys\nexport API_KEY=\"k3y\"\n"), 0o600)
	t.Setenv("GEO_TOKEN", "s3cret")

	p, port := httpProduct(srv.URL, map[string]string{"token_secret": "env:GEO_TOKEN", "header_name": "X-Api-Key", "header_secret": "file:api.env#API_KEY"})
	p.File = filepath.Join(dir, "countries.yaml") // the secrets file is relative to the descriptor
	if _, n := scanAll(t, openHTTP(t, p, port, connectors.NewSecrets("/nonexistent")), connectors.Request{Limit: -1}); n != 3 {
		t.Errorf("%d rows", n)
	}

	p2, port2 := httpProduct(srv.URL, nil)
	_, err := scanErr(t, openHTTP(t, p2, port2, nil), connectors.Request{Limit: -1})
	e := wantCode(t, err, "08004", "port api of geo.countries", "401 Unauthorized")
	if !strings.Contains(e.Hint, "token_secret") || !strings.Contains(e.Detail, "missing or wrong token") {
		t.Errorf("hint %q detail %q", e.Hint, e.Detail)
	}

	// A missing secret fails at Open, naming the reference but no value.
	p3, port3 := httpProduct(srv.URL, map[string]string{"token_secret": "env:NOT_SET_ANYWHERE"})
	_, err = connectors.Open(context.Background(), p3, port3, connectors.NewSecrets(dir))
	wantCode(t, err, sqlstate.ConfigFileError, "port api of geo.countries", "NOT_SET_ANYWHERE")
}

func TestHTTPPagination(t *testing.T) {
	var requests atomic.Int32
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		page := r.URL.Query().Get("page")
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/link":
			rows := map[string]string{"": `[{"country_code":"DE","name":"Germany","population":1,"area":1.5}]`,
				"2": `[{"country_code":"FR","name":"France","population":2,"area":2}]`,
				"3": `[{"country_code":"LU","name":"Luxembourg","population":3,"area":3}]`}
			next := map[string]string{"": "/link?page=2", "2": srv.URL + "/link?page=3"}[page]
			if next != "" {
				w.Header().Add("Link", fmt.Sprintf(`<%s>; rel="next", </link>; rel="first"`, next))
			}
			fmt.Fprint(w, rows[page])
		case "/field":
			switch page {
			case "":
				fmt.Fprint(w, `{"data":[{"country_code":"DE","name":"Germany","population":1,"area":1}],"next":"/field?page=2","total":2}`)
			case "2":
				fmt.Fprint(w, `{"next":null,"data":[{"country_code":"FR","name":"France","population":2,"area":2}]}`)
			}
		case "/loop":
			w.Header().Add("Link", `</loop?page=2>; rel="next"`)
			fmt.Fprint(w, `[]`)
		}
	}))
	defer srv.Close()

	p, port := httpProduct(srv.URL+"/link", map[string]string{"pagination": "link"})
	if _, n := scanAll(t, openHTTP(t, p, port, nil), connectors.Request{Limit: -1}); n != 3 || requests.Load() != 3 {
		t.Errorf("link pagination: %d rows in %d requests, want 3 in 3", n, requests.Load())
	}
	requests.Store(0)
	p, port = httpProduct(srv.URL+"/field", map[string]string{"pagination": "next_field", "next_field": "next", "data_field": "data"})
	if _, n := scanAll(t, openHTTP(t, p, port, nil), connectors.Request{Limit: -1}); n != 2 || requests.Load() != 2 {
		t.Errorf("next_field pagination: %d rows in %d requests, want 2 in 2", n, requests.Load())
	}
	// Without pagination only the first page is read.
	p, port = httpProduct(srv.URL+"/link", nil)
	if _, n := scanAll(t, openHTTP(t, p, port, nil), connectors.Request{Limit: -1}); n != 1 {
		t.Errorf("no pagination: %d rows", n)
	}
	// The max_pages guard.
	p, port = httpProduct(srv.URL+"/link", map[string]string{"pagination": "link", "max_pages": "2"})
	_, err := scanErr(t, openHTTP(t, p, port, nil), connectors.Request{Limit: -1})
	wantCode(t, err, sqlstate.ProgramLimitExceeded, "max_pages (2)")
	// The max_bytes guard.
	p, port = httpProduct(srv.URL+"/link", map[string]string{"pagination": "link", "max_bytes": "100"})
	_, err = scanErr(t, openHTTP(t, p, port, nil), connectors.Request{Limit: -1})
	wantCode(t, err, sqlstate.ProgramLimitExceeded, "max_bytes")
	// A loop is detected.
	p, port = httpProduct(srv.URL+"/loop", map[string]string{"pagination": "link"})
	_, err = scanErr(t, openHTTP(t, p, port, nil), connectors.Request{Limit: -1})
	wantCode(t, err, sqlstate.InvalidParameterValue, "loops")
}

func TestHTTPSchemaMismatch(t *testing.T) {
	bodies := map[string]string{
		"/missing": `[{"country_code":"DE","name":"Germany","population":1,"area":1},{"country_code":"FR","name":"France","area":2}]`,
		"/wrong":   `[{"country_code":"DE","name":"Germany","population":"84000000","area":1}]`,
		"/frac":    `[{"country_code":"DE","name":"Germany","population":1.5,"area":1}]`,
		"/extra":   `[{"country_code":"DE","name":"Germany","population":1,"area":1,"capital":"Berlin"}]`,
		"/range":   `[{"country_code":"DE","name":"Germany","population":1e400,"area":1}]`,
		"/notobj":  `[1]`,
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, bodies[r.URL.Path])
	}))
	defer srv.Close()
	for _, tc := range []struct {
		path, code string
		opts       map[string]string
		parts      []string
	}{
		{"/missing", sqlstate.UndefinedColumn, nil, []string{"contract drift on port api of geo.countries", "row 2", `no field "population"`, "BIGINT"}},
		{"/wrong", sqlstate.DatatypeMismatch, nil, []string{"row 1", `field "population" is a string, but the column is declared BIGINT`}},
		{"/frac", sqlstate.DatatypeMismatch, nil, []string{`field "population" is a number with a fraction or exponent (1.5)`}},
		{"/extra", sqlstate.DatatypeMismatch, nil, []string{`row 1`, `the field "capital", which the schema does not declare`}},
		{"/notobj", sqlstate.DatatypeMismatch, nil, []string{`row 1`, `not a JSON object`}},
	} {
		t.Run(tc.path, func(t *testing.T) {
			p, port := httpProduct(srv.URL+tc.path, tc.opts)
			_, err := scanErr(t, openHTTP(t, p, port, nil), connectors.Request{Columns: []string{"name"}, Limit: -1})
			e := wantCode(t, err, tc.code, tc.parts...)
			var d *connectors.DriftError
			if !errors.As(e, &d) {
				t.Errorf("no DriftError in %v", e)
			}
		})
	}
	// strict: false ignores undeclared fields.
	p, port := httpProduct(srv.URL+"/extra", map[string]string{"strict": "false"})
	if _, n := scanAll(t, openHTTP(t, p, port, nil), connectors.Request{Limit: -1}); n != 1 {
		t.Errorf("strict false: %d rows", n)
	}
	// A declared required column that is null.
	srv2 := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `[{"country_code":"DE","name":null,"population":1,"area":1}]`)
	}))
	defer srv2.Close()
	p, port = httpProduct(srv2.URL, nil)
	p.Columns = append([]catalog.Column(nil), countryCols...)
	p.Columns[1].Required = true
	_, err := scanErr(t, openHTTP(t, p, port, nil), connectors.Request{Limit: -1})
	wantCode(t, err, sqlstate.DataException, `null in field "name"`, "required")
}

func TestHTTPFilters(t *testing.T) {
	var lastQuery atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		lastQuery.Store(r.URL.RawQuery)
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Query().Get("country") == "FR" {
			fmt.Fprint(w, `[{"country_code":"FR","name":"France","population":2,"area":2}]`)
			return
		}
		fmt.Fprint(w, countriesJSON)
	}))
	defer srv.Close()
	p, port := httpProduct(srv.URL+"/v1/countries?lang=en", nil)
	port.Filters = map[string]string{"country_code": "country"}
	conn := openHTTP(t, p, port, nil)
	if _, n := scanAll(t, conn, connectors.Request{Limit: -1, Filters: []connectors.Predicate{{Column: "country_code", Op: connectors.OpEq, Values: []any{"FR"}}}}); n != 1 {
		t.Errorf("filtered: %d rows", n)
	}
	if q := lastQuery.Load().(string); q != "country=FR&lang=en" {
		t.Errorf("query %q", q)
	}
	// A predicate without a declared parameter is not pushed: all rows come.
	if _, n := scanAll(t, conn, connectors.Request{Limit: 1, Filters: []connectors.Predicate{{Column: "name", Op: connectors.OpEq, Values: []any{"France"}}}}); n != 3 {
		t.Errorf("unpushed: %d rows (the limit must not apply either)", n)
	}
	if q := lastQuery.Load().(string); q != "lang=en" {
		t.Errorf("query %q", q)
	}
}

func TestHTTPDownAndCancel(t *testing.T) {
	free := httptest.NewServer(http.NotFoundHandler())
	url := free.URL
	free.Close()
	p, port := httpProduct(url, nil)
	_, err := scanErr(t, openHTTP(t, p, port, nil), connectors.Request{Limit: -1})
	wantCode(t, err, sqlstate.UnableToConnect, "cannot connect to port api of geo.countries")

	block := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `[{"country_code":"DE","name":"Germany","population":1,"area":1},`)
		w.(http.Flusher).Flush()
		select {
		case <-block:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(block)
	p, port = httpProduct(srv.URL, nil)
	ctx, cancel := context.WithCancel(context.Background())
	rr, err := openHTTP(t, p, port, nil).Scan(ctx, connectors.Request{Limit: -1})
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	_, _, err = readAll(t, rr)
	wantCode(t, err, sqlstate.QueryCanceled, "port api of geo.countries")
}

var _ = arrow.Null
