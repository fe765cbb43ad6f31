package catalog_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshgate/meshgate/planner/catalog"
)

// type: gateway ports: a valid one loads; each mistake is reported at its line.
func TestGatewayPorts(t *testing.T) {
	dir := t.TempDir()
	write := func(name, ports string) {
		body := "apiVersion: meshgate/v1\nkind: DataProduct\nid: fed." + name + "\ndomain: fed\nname: " + name +
			"\nversion: 1.0.0\nstatus: active\ntype: source-aligned\ndescription: Test.\nowner: {team: T, contact: t@example.com}\noutputPorts:\n" + ports +
			"schema:\n  - name: id\n    type: bigint\n"
		if err := os.MkdirAll(filepath.Join(dir, "fed"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "fed", name+".yaml"), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("good", "  - name: gw\n    type: gateway\n    location: sales-gw:5433\n    options: {product: sales.customers, user: fed_svc, audience: sales-gw, sslrootcert: ca.crt, password_secret: 'env:FED_PW', mode: snapshot}\n")
	write("bad", "  - name: gw\n    type: gateway\n    location: sales-gw\n    options:\n      product: customers\n      password: hunter2\n      sslmode: sometimes\n")
	m, problems := catalog.Load(dir)
	var got []string
	for _, p := range problems {
		if !strings.HasSuffix(p.File, "bad.yaml") {
			t.Errorf("unexpected problem: %v", p)
			continue
		}
		got = append(got, p.Error())
	}
	all := strings.Join(got, "\n")
	for _, want := range []string{
		`bad.yaml:12: port "gw" is a gateway port and needs options.user`,
		`bad.yaml:12: port "gw" is a gateway port and needs options.audience`,
		`bad.yaml:12: port "gw": options.product "customers" must name the remote product as domain.product`,
		`bad.yaml:14: location "sales-gw" of port "gw" must be the remote meshgate's host:port`,
		`bad.yaml:17: option password of port "gw" would put a credential in the descriptor`,
		`bad.yaml:18: option sslmode of port "gw" is "sometimes"`,
	} {
		if !strings.Contains(all, want) {
			t.Errorf("missing problem %q in:\n%s", want, all)
		}
	}
	var good *catalog.Product
	for _, p := range m.Products {
		if p.Address.Name == "good" {
			good = p
		}
	}
	if good == nil || !good.Ports[0].Remote() || good.Ports[0].Location != "sales-gw:5433" || good.Ports[0].Freshness().Mode != "snapshot" {
		t.Fatalf("good gateway port: %+v", good)
	}
}
