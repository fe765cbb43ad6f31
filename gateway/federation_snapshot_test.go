package gateway_test

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// A snapshot-mode type: gateway port is one copy shared by every user of
// the federation gateway, so it is read as the service account alone: the
// domain gateway applies the service account's own grants, row filters and
// masks (no assertion is sent, even with a delegation key), and the
// federation's policy applies per user on top. The federation's analyst
// sees the service account's North-American rows filtered to US, not the
// EU rows the domain gives the analyst; another user sees all of the
// service account's rows; the domain's audit names the service account,
// never a delegated user.
func TestSnapshotGatewayPortReadsAsServiceAccount(t *testing.T) {
	domainPolicy := copyDemoPolicy(t, map[string][2]string{"domains/sales.yaml": {
		`filter: "country_code IN ('DE', 'ES', 'FR', 'GB', 'IT', 'NL', 'PL', 'SE')"`,
		`filter: "country_code IN ('DE', 'ES', 'FR', 'GB', 'IT', 'NL', 'PL', 'SE')"
  - id: federation-account-sees-north-america
    subjects: {users: [fed_svc]}
    products: [sales.customers]
    filter: "country_code IN ('US', 'CA', 'MX')"

grants:
  - id: federation-account-reads-customers
    subjects: {users: [fed_svc]}
    products: [sales.customers]`}})
	r := startDelegationRigPolicy(t, loadPolicyDir(t, domainPolicy))
	account, err := rowsOf(t, r.s.connectAs(t, "fed_svc", ""), customersQuery)
	if err != nil {
		t.Fatal(err)
	}
	var accountUS [][]string
	for _, row := range account {
		if row[2] == "US" {
			accountUS = append(accountUS, row)
		}
	}
	if len(accountUS) == 0 || len(accountUS) == len(account) {
		t.Fatalf("the service account's view should hold some US rows and others: %d of %d", len(accountUS), len(account))
	}
	analystDomain, err := rowsOf(t, r.s.connectAs(t, "analyst", ""), customersQuery)
	if err != nil {
		t.Fatal(err)
	}

	dir := t.TempDir()
	port := fmt.Sprintf(`  - name: domain
    type: gateway
    location: %s
    options:
      product: sales.customers
      user: fed_svc
      audience: sales-gw
      sslmode: disable
      connect_timeout: 2s
      mode: snapshot
      refresh: 1h
`, r.s.addr())
	cols := []fedCol{{"customer_id", "bigint"}, {"name", "varchar"}, {"email", "varchar"}, {"phone", "varchar"}, {"country_code", "varchar"}, {"signup_date", "date"}}
	writeFile(t, filepath.Join(dir, "fed", "customers.yaml"), descriptor("fed", "customers", port, cols))
	users := "apiVersion: meshgate/v1\nkind: Users\nusers:\n  - name: analyst\n    groups: [analysts]\n    attributes: {region: EU}\n  - name: auditor\n"
	fedPolicy := `apiVersion: meshgate/v1
kind: FederationPolicy
grants:
  - id: read-fed
    subjects: {users: [analyst, auditor]}
    products: ["fed.*"]
rowFilters:
  - id: analyst-sees-us
    subjects: {users: [analyst]}
    products: [fed.customers]
    filter: "country_code = 'US'"
`
	fed := startFedGatewayAs(t, dir, fedPolicy, users, r.priv) // a delegation key, which snapshots do not use
	q := strings.Replace(customersQuery, "sales.customers", "fed.customers", 1)
	got, err := rowsOf(t, fed.connectAs(t, "analyst", ""), q)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, accountUS) {
		t.Fatalf("the analyst through the snapshot: %d rows, want the service account's %d US rows (the domain gives the analyst %d EU rows)\n got %v\nwant %v",
			len(got), len(accountUS), len(analystDomain), head(got), head(accountUS))
	}
	all, err := rowsOf(t, fed.connectAs(t, "auditor", ""), q)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(all, account) {
		t.Fatalf("the auditor through the snapshot: %d rows, want all %d of the service account's", len(all), len(account))
	}

	// The domain's audit: the snapshot was read by fed_svc itself.
	var data []byte
	deadline := time.Now().Add(10 * time.Second)
	for {
		r.s.audit.Flush()
		if data, err = os.ReadFile(r.s.auditFile); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(data), `"user":"fed_svc"`) || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	var snapshotReads int
	for _, line := range strings.Split(string(data), "\n") {
		if strings.Contains(line, `"delegated_by"`) && !strings.Contains(line, `"delegated_by":""`) {
			t.Fatalf("a delegated read on the domain gateway, though the port is a snapshot: %s", line)
		}
		if strings.Contains(line, `"user":"fed_svc"`) && strings.Contains(line, "customers") {
			snapshotReads++
		}
	}
	if snapshotReads == 0 {
		t.Fatalf("no audit record of the service account's snapshot read on the domain gateway:\n%s", data)
	}
}
