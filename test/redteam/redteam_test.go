package redteam

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// Problem categories, the first word of every failure.
const (
	pLeak       = "LEAK"
	pNotRefused = "NOT-REFUSED"
	pSQLState   = "SQLSTATE"
	pAnswer     = "WRONG-ANSWER"
	pAudit      = "AUDIT"
	pConn       = "CONNECTION"
)

// failures collects, per attack, the channels that failed and why, for
// the summary at the end of TestRedTeam.
type failures struct {
	mu sync.Mutex
	m  map[string]map[string]bool // attack → "channel CATEGORY"
}

func (f *failures) add(att, ch, cat string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.m[att] == nil {
		f.m[att] = map[string]bool{}
	}
	f.m[att][ch+" "+cat] = true
}

// runtimeCodes: the attack fails only when executed (EXPLAIN may answer).
func runtimeCodes(codes []string) bool {
	for _, c := range codes {
		if strings.HasPrefix(c, "22") || strings.HasPrefix(c, "P0") {
			return true
		}
	}
	return false
}

func has(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestRedTeam runs every attack over every channel that applies as the EU
// analyst, while a steward session (clear pii) exists next to it.
func TestRedTeam(t *testing.T) {
	sec := loadSecrets(t)
	g := startGateway(t)
	steward := g.connect(t, "steward")
	if _, err := runSimple(context.Background(), steward, "select count(*) from sales.customers"); err != nil {
		t.Fatalf("steward reads sales.customers: %v", err)
	}
	c := g.connect(t, "analyst")
	tail := &auditTail{path: g.auditPath}
	tail.skip()
	droppings := []string{"/tmp/redteam-leak.csv", "/tmp/redteam-leak.parquet", "/tmp/redteam.db", "/tmp/redteam-export", "/tmp/redteam-profile.json"}
	for _, f := range droppings {
		os.RemoveAll(f)
	}
	fails := &failures{m: map[string]map[string]bool{}}
	list := attacks(sec)
	seen := map[string]bool{}
	runs := 0
	for _, a := range list {
		if seen[a.name] {
			t.Fatalf("attack %s is listed twice", a.name)
		}
		seen[a.name] = true
		t.Run(a.name, func(t *testing.T) {
			for _, ch := range channelsFor(a.kind) {
				runs++
				t.Run(ch.name, func(t *testing.T) {
					for _, p := range runAttack(g, &c, tail, sec, a, ch) {
						fails.add(a.name, ch.name, strings.SplitN(p, ":", 2)[0])
						t.Error(p)
					}
				})
			}
		})
	}
	for _, f := range droppings {
		if _, err := os.Stat(f); err == nil {
			t.Errorf("%s: an attack wrote %s on the server's machine", pLeak, f)
			os.RemoveAll(f)
		}
	}
	t.Logf("red team: %d attacks, %d attack × channel runs", len(list), runs)
	report(t, fails, len(list), runs)
}

// report logs (and with REDTEAM_REPORT=file writes) the failing attacks.
func report(t *testing.T, f *failures, attacks, runs int) {
	var names []string
	for n := range f.m {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	fmt.Fprintf(&b, "%d attacks, %d runs; %d attacks fail:\n", attacks, runs, len(names))
	for _, n := range names {
		var why []string
		for k := range f.m[n] {
			why = append(why, k)
		}
		sort.Strings(why)
		fmt.Fprintf(&b, "  %s: %s\n", n, strings.Join(why, ", "))
	}
	if len(names) > 0 {
		t.Log(b.String())
	}
	if p := os.Getenv("REDTEAM_REPORT"); p != "" {
		os.WriteFile(p, []byte(b.String()), 0o644)
	}
}

// runAttack runs one attack over one channel and returns its problems.
func runAttack(g *gateway, cp **client, tail *auditTail, sec *secrets, a attack, ch channel) []string {
	c := *cp
	var problems []string
	bad := func(cat, format string, args ...any) {
		problems = append(problems, cat+": "+fmt.Sprintf(format, args...))
	}
	if _, err := tail.next(); err != nil {
		bad(pAudit, "%v", err)
	}
	c.takeNotices()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ans, err := ch.run(ctx, c, a.sql)
	if ans == nil {
		ans = &answer{}
	}
	if a.after != "" {
		runSimple(ctx, c, a.after)
	}
	if !c.conn.PgConn().IsClosed() && c.conn.PgConn().TxStatus() != 'I' {
		runSimple(ctx, c, "ROLLBACK")
	}
	if aerr := c.alive(); aerr != nil {
		bad(pConn, "the session no longer answers select after the attack: %v", aerr)
		c.close()
		nc, derr := g.dial("analyst")
		if derr != nil {
			bad(pConn, "reconnect: %v", derr)
			return problems
		}
		*cp, c = nc, nc
		tail.next()
		return problems
	}
	// Everything the client received.
	text := ans.all() + "\n" + strings.Join(c.takeNotices(), "\n")
	var pe *pgconn.PgError
	if err != nil {
		if errors.As(err, &pe) {
			text += "\n" + strings.Join([]string{pe.Message, pe.Detail, pe.Hint, pe.Where, pe.SchemaName, pe.TableName, pe.ColumnName, pe.ConstraintName}, "\n")
		} else {
			text += "\n" + err.Error()
		}
	}
	for _, l := range sec.leaks(text, a.sql) {
		bad(pLeak, "%s shows %s: %s", a.sql, l, excerpt(text, 600))
	}
	want := append(append([]string(nil), a.codes...), ch.extra...)
	switch {
	case err == nil:
		explainOK := (ch.name == "explain" || ch.name == "explain-json") && (a.allow || runtimeCodes(a.codes))
		if (!a.allow || ch.mustFail) && !explainOK {
			bad(pNotRefused, "%s was answered; want a refusal with SQLSTATE %v: %s", a.sql, want, excerpt(ans.all(), 600))
		} else if a.check != nil && ch.checks {
			if msg := a.check(sec, ans); msg != "" {
				bad(pAnswer, "%s: %s", a.sql, msg)
			}
		}
	case pe == nil:
		bad(pSQLState, "%s: not a PostgreSQL error: %v", a.sql, err)
	case pe.Code == "XX000" || !has(want, pe.Code):
		bad(pSQLState, "%s: SQLSTATE %s (%s), want one of %v", a.sql, pe.Code, excerpt(pe.Message, 300), want)
	}
	problems = append(problems, checkAudit(tail, a, ch, err, pe)...)
	return problems
}

// checkAudit finds the audit record of the attack's statement among the
// records written since it ran.
func checkAudit(tail *auditTail, a attack, ch channel, err error, pe *pgconn.PgError) []string {
	needle := a.needle
	if needle == "" {
		needle = a.sql
	}
	needle = normSQL(needle)
	var matches []auditRecord
	for try := 0; try < 2 && len(matches) == 0; try++ {
		if try > 0 {
			time.Sleep(20 * time.Millisecond)
		}
		recs, rerr := tail.next()
		if rerr != nil {
			return []string{pAudit + ": " + rerr.Error()}
		}
		for _, r := range recs {
			if r.User == "analyst" && strings.Contains(normSQL(r.Statement), needle) {
				matches = append(matches, r)
			}
		}
	}
	if len(matches) == 0 {
		outcome := "answered"
		if pe != nil {
			outcome = "refused with " + pe.Code
		} else if err != nil {
			outcome = "failed: " + err.Error()
		}
		return []string{fmt.Sprintf("%s: no audit record of %q (%s)", pAudit, a.sql, outcome)}
	}
	if pe != nil {
		for _, r := range matches {
			if r.SQLState == pe.Code && (pe.Code != "42501" || r.Decision == "denied") {
				return nil
			}
		}
		return []string{fmt.Sprintf("%s: the client got %s, the audit records %s", pAudit, pe.Code, describe(matches))}
	}
	if err != nil {
		return nil
	}
	for _, r := range matches {
		if r.Decision != "allowed" {
			continue
		}
		if !a.reads || ch.name == "sql-prepare" || (len(r.Products) > 0 && (len(r.Columns) > 0 || a.noCols)) {
			return nil
		}
	}
	return []string{fmt.Sprintf("%s: %q was answered, the audit records %s (want decision allowed with the products and columns read)", pAudit, a.sql, describe(matches))}
}

func describe(rs []auditRecord) string {
	var out []string
	for _, r := range rs {
		out = append(out, fmt.Sprintf("{decision %s, sqlstate %s, products %v, columns %d}", r.Decision, r.SQLState, r.Products, len(r.Columns)))
	}
	return strings.Join(out, " ")
}
