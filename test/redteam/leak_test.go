package redteam

// What the analyst must never see, read straight from the port files
// (independently of meshgate), and the leak detector over any text a
// client receives: rows, command tags, notices, error messages, details
// and hints.

import (
	"context"
	"database/sql"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"
)

var euCodes = map[string]bool{"DE": true, "ES": true, "FR": true, "GB": true, "IT": true, "NL": true, "PL": true, "SE": true}

// secrets are the values a leak shows.
type secrets struct {
	root      string          // absolute repository root (meshgate's working directory)
	mesh      string          // absolute mesh directory
	pii       []string        // clear names, e-mails and phones of every customer
	nonEU     map[string]bool // customer_id of customers outside the analyst's row filter
	euCount   int             // customers the analyst sees
	total     int             // customers in the port file
	suppliers []string        // raw supplier names (hashed for the analyst)
}

var (
	secOnce sync.Once
	secVal  *secrets
	secErr  error
)

func loadSecrets(t testing.TB) *secrets {
	t.Helper()
	secOnce.Do(func() { secVal, secErr = readSecrets() })
	if secErr != nil {
		t.Fatalf("reading the clear values from the port files: %v", secErr)
	}
	return secVal
}

func readSecrets() (*secrets, error) {
	root, err := repoRoot()
	if err != nil {
		return nil, err
	}
	s := &secrets{root: root, mesh: filepath.Join(root, "testdata/mesh"), nonEU: map[string]bool{}}
	f, err := os.Open(filepath.Join(s.mesh, "sales/data/customers.csv"))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, err
	}
	for _, r := range recs[1:] { // customer_id,name,email,phone,country_code,signup_date
		s.total++
		s.pii = append(s.pii, r[1], r[2])
		if r[3] != "" {
			s.pii = append(s.pii, r[3])
		}
		if euCodes[r[4]] {
			s.euCount++
		} else {
			s.nonEU[r[0]] = true
		}
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return nil, err
	}
	defer db.Close()
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	p := filepath.Join(s.mesh, "supply/data/suppliers.duckdb")
	if _, err := conn.ExecContext(ctx, fmt.Sprintf("ATTACH '%s' AS sup (READ_ONLY)", p)); err != nil {
		return nil, err
	}
	rs, err := conn.QueryContext(ctx, "SELECT name FROM sup.main.suppliers")
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	for rs.Next() {
		var n string
		if err := rs.Scan(&n); err != nil {
			return nil, err
		}
		s.suppliers = append(s.suppliers, n)
	}
	return s, rs.Err()
}

// internalNames match the engine's internal objects: session catalogs,
// the shared memory catalog, the mask key's schema, internal schemas
// (mg$pg, mg$is, mg$live), attached port databases, port views, internal
// tables and macros (mg_*), and port file names. They may appear in what
// a client receives only where the client itself wrote them.
var internalNames = []*regexp.Regexp{
	regexp.MustCompile(`(?i)sess_\d+`),
	regexp.MustCompile(`(?i)\bmemory"?\.`),
	regexp.MustCompile(`(?i)mg_secret`),
	regexp.MustCompile(`(?i)mask_key`),
	regexp.MustCompile(`(?i)mg\$[a-z]*`),
	regexp.MustCompile(`(?i)\bport_[a-z_]+`),
	regexp.MustCompile(`(?i)\bports"?\.`),
	regexp.MustCompile(`(?i)\b(?:geo|sales|supply|meshgate)__[a-z_]+`),
	regexp.MustCompile(`(?i)\bmg_[a-z_]+`),
	regexp.MustCompile(`(?i)\b[a-z_]+\.(?:csv|parquet|ndjson|json|duckdb)\b`),
	regexp.MustCompile(`/work/`),
	regexp.MustCompile(`/root/`),
	regexp.MustCompile(`\.tmp/`),
	regexp.MustCompile(`(?i)testdata/mesh`),
}

// leaks returns every leak in text (an empty list: none). sql is what the
// client sent: an internal name it wrote itself may be quoted back.
func (s *secrets) leaks(text, sql string) []string {
	var out []string
	if strings.Contains(text, maskKey) {
		out = append(out, "the mask key")
	}
	for _, v := range s.pii {
		if strings.Contains(text, v) {
			out = append(out, fmt.Sprintf("clear pii %q", v))
			break
		}
	}
	for _, v := range s.suppliers {
		if strings.Contains(text, v) {
			out = append(out, fmt.Sprintf("raw supplier name %q", v))
			break
		}
	}
	// Quotes do not change a name: "MEMORY"."PORTS" typed, memory.ports quoted back.
	lower := strings.ReplaceAll(strings.ToLower(sql), `"`, "")
	for _, p := range []string{s.root, s.mesh} {
		if strings.Contains(text, p) && !strings.Contains(sql, p) {
			out = append(out, fmt.Sprintf("the server path %q", p))
		}
	}
	seen := map[string]bool{}
	for _, re := range internalNames {
		for _, m := range re.FindAllString(text, 20) {
			m = strings.ReplaceAll(strings.ToLower(m), `"`, "")
			if seen[m] || strings.Contains(lower, m) {
				continue
			}
			seen[m] = true
			out = append(out, fmt.Sprintf("internal name %q", m))
		}
	}
	return out
}

// excerpt shows where in text the first of the leaks is.
func excerpt(text string, n int) string {
	text = strings.ReplaceAll(text, "\n", " ⏎ ")
	if len(text) > n {
		return text[:n] + "…"
	}
	return text
}
