package catalog_test

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/meshgate/meshgate/planner/catalog"
)

func TestRemotePorts(t *testing.T) {
	m, problems := catalog.Load("../../testdata/federation")
	if len(problems) != 0 {
		t.Fatal(problems)
	}
	c := m.Product("sales", "customers")
	if c == nil || len(m.Products) != 2 {
		t.Fatalf("products: %v", m.Products)
	}
	pg := c.Ports[0]
	if pg.Type != "postgres" || pg.Location != "" || !pg.Remote() {
		t.Errorf("port %+v", pg)
	}
	if s, tb := pg.PostgresTable(); s != "crm" || tb != "customers" {
		t.Errorf("table %s.%s", s, tb)
	}
	if pg.Options["port"] != "5432" || pg.Options["password_secret"] != "file:secrets.env#CRM_PASSWORD" || pg.SourceName("customer_id") != "id" || pg.SourceName("email") != "email" {
		t.Errorf("options %v %v", pg.Options, pg.SourceNames)
	}
	if f := pg.Freshness(); f != (catalog.Freshness{Mode: "snapshot", Refresh: 5 * time.Minute, MaxStaleness: time.Hour, OnStale: "live"}) {
		t.Errorf("freshness %+v", f)
	}
	types := []string{}
	for _, col := range c.Columns {
		types = append(types, col.Type)
	}
	if want := []string{"BIGINT", "VARCHAR", "VARCHAR", "TIMESTAMP WITH TIME ZONE", "DECIMAL(12,2)", "VARCHAR[]", "UUID", "JSON"}; !reflect.DeepEqual(types, want) {
		t.Errorf("types %v", types)
	}
	api := m.Product("geo", "countries").Ports[0]
	if api.Location != "https://geo.example.com/v1/countries?lang=en" || api.Filters["country_code"] != "country" || api.Options["max_bytes"] != "67108864" {
		t.Errorf("http port %+v", api)
	}
	if f := api.Freshness(); f.Mode != "live" || f.OnStale != "fail" || f.Refresh != 0 {
		t.Errorf("default freshness %+v", f)
	}
}

func TestRemotePortProblems(t *testing.T) {
	dir := "../../testdata/federation-broken"
	_, problems := catalog.Load(dir)
	file := filepath.Join(dir, "sales", "orders.yaml")
	want := []string{
		`12: port "pg" is a postgres port and needs options.database`,
		`12: port "pg" is a postgres port and needs options.table`,
		`12: port "pg" is a postgres port and needs options.user`,
		`12: port "pg": max_staleness 10m is shorter than refresh 1h, so every snapshot would be stale before the next one`,
		`12: option columns of port "pg" names order_idd, which is not a declared column`,
		`14: port "pg" is a postgres port: remove location and give host, port, database, schema and table as options`,
		`17: option password of port "pg" would put a credential in the descriptor; store it in an environment variable or a secrets file and write password_secret: env:NAME or password_secret: file:PATH#key instead`,
		`18: option port of port "pg" must be a TCP port number (1 to 65535), not a number (99999)`,
		`19: option sslmode of port "pg" is "sometimes", not one of disable, allow, prefer, require, verify-ca, verify-full`,
		`20: option password_secret of port "pg" "vault:orders" is not a secret reference; write env:NAME`,
		`21: option pool_max of port "pg" must be a positive whole number, not the text "many"`,
		`25: option on_stale of port "pg" is "retry", not one of fail, live`,
		`26: unknown option "table_name" for the postgres port "pg"; did you mean "table"?`,
		`28: port "api": options header_name and header_secret go together`,
		`30: location "ftp://user:pw@example.com/orders" of port "api" must be an http:// or https:// URL`,
		`32: option token of port "api" would put a credential in the descriptor; store it in an environment variable or a secrets file and write token_secret: env:NAME or token_secret: file:PATH#key instead`,
		`34: option format of port "api" is "xml", not one of json, ndjson, arrow`,
		`37: option strict of port "api" must be true or false, not the text "yes please"`,
		`38: port "api2": option next_field applies only with pagination: next_field`,
		`38: port "api2": option refresh applies only with mode: snapshot`,
		`40: location of port "api2" holds credentials in the URL; remove them and use token_secret or header_name with header_secret`,
	}
	var got []string
	for _, p := range problems {
		if p.File != file {
			t.Errorf("problem in %s", p.File)
		}
		got = append(got, p.String()[len(file)+1:])
	}
	if len(got) != len(want) {
		t.Errorf("got %d problems, want %d:\n%s", len(got), len(want), strings.Join(got, "\n"))
	}
	for i := range min(len(got), len(want)) {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("problem %d:\n got %s\nwant %s…", i, got[i], want[i])
		}
	}
}
