package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/meshgate/meshgate/auth/audit"
	"github.com/meshgate/meshgate/engine"
	"github.com/meshgate/meshgate/planner/catalog"
)

// consumers is who read a product, from an audit file.
type consumers struct {
	statements int
	readers    map[string]bool
	via        map[string]bool // derived products it was read through
	last       time.Time
}

// activeConsumers reads an audit file (JSON lines, audit.Record) and
// returns, per product, the allowed reads of it, directly or through a
// product derived from it (the engine's lineage, transitively).
func activeConsumers(path string, eng *engine.Engine) (map[string]*consumers, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("-audit-file: %w", err)
	}
	defer f.Close()
	upstream := map[string][]string{}
	for _, r := range eng.Lineage() {
		upstream[r.To.String()] = appendOnce(upstream[r.To.String()], r.From.String())
	}
	out := map[string]*consumers{}
	note := func(product, via, user string, at time.Time) {
		c := out[product]
		if c == nil {
			c = &consumers{readers: map[string]bool{}, via: map[string]bool{}}
			out[product] = c
		}
		c.statements++
		c.readers[user] = true
		if via != "" {
			c.via[via] = true
		}
		if at.After(c.last) {
			c.last = at
		}
	}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for line := 1; sc.Scan(); line++ {
		var r audit.Record
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return nil, fmt.Errorf("-audit-file %s:%d: not an audit record: %w", path, line, err)
		}
		if r.Decision != "allowed" {
			continue
		}
		for _, p := range r.Products {
			p, _, _ = strings.Cut(p, "@")
			note(p, "", r.User, r.Time)
			seen := map[string]bool{p: true}
			for queue := upstream[p]; len(queue) > 0; queue = queue[1:] {
				in := queue[0]
				if seen[in] {
					continue
				}
				seen[in] = true
				note(in, p, r.User, r.Time)
				queue = append(queue, upstream[in]...)
			}
		}
	}
	return out, sc.Err()
}

func appendOnce(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

// consumerWarnings are the warnings for products with problems that the
// audit shows being read: the problem breaks their consumers.
func consumerWarnings(problems []catalog.Problem, used map[string]*consumers) []string {
	var out []string
	seen := map[string]bool{}
	for _, p := range problems {
		c := used[p.Product]
		if p.Product == "" || c == nil || seen[p.Product] {
			continue
		}
		seen[p.Product] = true
		var via []string
		for v := range c.via {
			via = append(via, v)
		}
		sort.Strings(via)
		through := ""
		if len(via) > 0 {
			through = ", also through " + strings.Join(via, ", ")
		}
		out = append(out, fmt.Sprintf("%s:%d: warning: product %s has active consumers: %d statement(s) by %d reader(s) in the audit, last %s%s; this change breaks them",
			p.File, p.Line, p.Product, c.statements, len(c.readers), c.last.UTC().Format(time.RFC3339), through))
	}
	return out
}
