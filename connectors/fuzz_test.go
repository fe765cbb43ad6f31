package connectors_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/meshgate/meshgate/connectors"
	"github.com/meshgate/meshgate/planner/catalog"
)

// FuzzHTTPPort: whatever an HTTP port answers (JSON, NDJSON or an Arrow
// IPC stream, any bytes), a scan returns rows of the declared types or an
// error; never a panic or a hang.
func FuzzHTTPPort(f *testing.F) {
	f.Add(uint8(0), []byte(countriesJSON))
	f.Add(uint8(1), []byte(`{"country_code":"DE","name":"x","population":1,"area":2.5}`+"\n"+`{"country_code":1}`))
	f.Add(uint8(2), []byte("ARROW1\x00\x00\xff\xff\xff\xff"))
	f.Add(uint8(0), []byte(`[{"country_code":"DE","population":1e400},{"area":"NaN"},[],null,{"name":"\ud800"}]`))
	f.Add(uint8(0), []byte(`{"data":[{"country_code":"DE"}],"next":"/p2"}`))
	formats := []string{"json", "ndjson", "arrow"}
	var body []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write(body)
	}))
	f.Cleanup(srv.Close)
	conns := make([]connectors.Connector, len(formats))
	for i, format := range formats {
		p := &catalog.Product{
			Address: catalog.Address{Domain: "geo", Name: "countries"},
			Version: "1.0.0",
			Columns: countryCols,
			Ports:   []catalog.Port{{Name: "api", Type: "http", Location: srv.URL, Options: map[string]string{"format": format}}},
		}
		conn, err := connectors.Open(context.Background(), p, &p.Ports[0], connectors.NewSecrets(f.TempDir()))
		if err != nil {
			f.Fatal(err)
		}
		f.Cleanup(conn.Close)
		conns[i] = conn
	}
	f.Fuzz(func(t *testing.T, format uint8, data []byte) {
		body = data
		conn := conns[int(format)%len(conns)]
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		rr, err := conn.Scan(ctx, connectors.Request{})
		if err != nil {
			return
		}
		defer rr.Release()
		for rr.Next() {
			rec := rr.RecordBatch()
			if int(rec.NumCols()) != len(countryCols) {
				t.Fatalf("batch of %d columns, want %d", rec.NumCols(), len(countryCols))
			}
		}
		if ctx.Err() != nil {
			t.Fatalf("scan of %q did not finish", data)
		}
	})
}
