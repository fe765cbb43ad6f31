package gateway

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/meshgate/meshgate/auth/policy"
	"github.com/meshgate/meshgate/engine"
	"github.com/meshgate/meshgate/planner"
	"github.com/meshgate/meshgate/planner/catalog"
)

// The result cache's key (resultcache.go). Two executions share an answer
// only when everything that can change the answer is equal:
//
//   - the statement as it runs (the planner's rewrite) and its parameters
//     with their types;
//   - for every product the bound plan reads: the policy version and the
//     session's decision (granted columns with their mask expressions, row
//     filters) together with the identity values those expressions read
//     (user name, attributes, groups) — two users with the same effective
//     view share, any difference never does;
//   - the data version of every port read: each file's size, modification
//     time and change time, a snapshot's load generation;
//   - the settings that change results (TimeZone, DateStyle, …).
//
// A statement whose answer can change on its own is never cached: DuckDB's
// bound plan decides (engine/determinism.go: volatile or session-reading
// functions, the client catalog, samples), as do the products it reads —
// meshgate's built-in products (whose rows depend on the session or on
// time) and live remote ports. Unknown means not cached.

// resultSettings are the settings a result (its rows or their text) may
// depend on.
var resultSettings = []string{"timezone", "datestyle", "intervalstyle", "extra_float_digits", "bytea_output",
	"client_encoding", "standard_conforming_strings", "lc_monetary", "lc_numeric", "lc_time"}

// identityWords are the words of a policy expression that read the
// session's identity, and what of it they read.
var identityWords = map[string]string{
	"current_user": "user", "session_user": "user", "current_role": "user", "user": "user", "mg_current_user": "user",
	"session_attr": "attributes", "in_group": "groups",
}

// clockWords are words of a policy expression whose value changes on its own.
var clockWords = map[string]bool{
	"current_date": true, "current_time": true, "current_timestamp": true, "localtime": true, "localtimestamp": true,
	"current_schema": true, "current_catalog": true,
}

// cacheKey is the key of an execution of st with args, or "" and the
// reason it may not be answered from the cache.
func (s *session) cacheKey(st *statement, args []any) (key, why string) {
	if s.g.results == nil {
		return "", "the result cache is off (-result-cache-mb 0)"
	}
	if v := s.values[resultCacheSetting]; v == "off" {
		return "", "the session set " + resultCacheSetting + " = off"
	}
	if st.read == nil || st.plan == nil {
		return "", "it is not a read"
	}
	if st.plan.Volatile != "" {
		return "", st.plan.Volatile
	}
	var b keyBuilder
	b.add("meshgate result cache v1")
	b.add(st.read.SQL)
	b.add(fmt.Sprint(st.declared, st.params))
	for _, a := range args {
		b.add(argText(a))
	}
	b.add("products")
	for _, a := range productsRead(st) {
		if why := s.productKey(&b, a); why != "" {
			return "", why
		}
	}
	b.add("settings")
	b.add(s.keyedSearchPath())
	for _, name := range resultSettings {
		b.add(name + "=" + s.values[name])
	}
	return b.sum(), ""
}

// keyedSearchPath is the search path's schemas that exist, remembered
// while the setting and the session's views stay the same (listing the
// session's schemas walks every product view).
func (s *session) keyedSearchPath() string {
	k := s.values["search_path"] + "\x00" + strconv.Itoa(s.policyGen)
	if k != s.pathKey {
		s.pathKey, s.pathExisting = k, strings.Join(s.existingSearchPath(), ",")
	}
	return s.pathExisting
}

// productsRead is every product the plan or the planner says st reads.
func productsRead(st *statement) []catalog.Address {
	seen := map[catalog.Address]bool{}
	var out []catalog.Address
	for _, list := range [][]catalog.Address{st.plan.Products, st.read.Products} {
		for _, a := range list {
			if !seen[a] {
				seen[a] = true
				out = append(out, a)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out
}

// productKey adds a product's effective view and data version.
func (s *session) productKey(b *keyBuilder, a catalog.Address) string {
	p := s.g.engine.Product(a)
	d, ok := s.decisions[a]
	if p == nil || !ok || !d.Granted || len(p.Ports) == 0 || s.policySet == nil {
		return "it reads " + a.String() + ", which this session cannot read"
	}
	b.add(a.String() + "@" + p.Version)
	b.add(s.policySet.Version)
	if why := s.viewKey(b, a, d); why != "" {
		return why
	}
	port := p.Ports[0]
	switch {
	case port.Type == "internal":
		return "it reads " + a.String() + ", meshgate's own state"
	case port.Type == "sql":
		// Its answer depends on its inputs' data, whose versions are not
		// part of this key: never cached (fail closed).
		return "it reads " + a.String() + ", a product defined in SQL over other products"
	case port.Remote():
		if s.g.engine.RemoteMode(a) != engine.ModeSnapshot || s.g.snapshots == nil {
			return "it reads " + a.String() + " live from its remote port"
		}
		b.add("snapshot " + strconv.FormatUint(s.g.snapshots.Generation(a), 10))
	default:
		v, ok := fileVersion(port.Location)
		if !ok {
			return "the files of " + a.String() + " cannot be versioned"
		}
		b.add(v)
	}
	return ""
}

// viewKey adds the session's decision for a product and the identity
// values its expressions read.
func (s *session) viewKey(b *keyBuilder, a catalog.Address, d policy.Decision) string {
	reads := map[string]bool{}
	for _, sql := range decisionSQL(d) {
		b.add(sql)
		clock := false
		if _, err := planner.RewriteWords(sql, func(w string) (string, bool, bool) {
			if r, ok := identityWords[w]; ok {
				reads[r] = true
			}
			clock = clock || clockWords[w]
			return "", false, false
		}); err != nil {
			return "the policy for " + a.String() + " cannot be analysed"
		}
		if clock {
			return "the policy for " + a.String() + " reads the clock or the session"
		}
		calls, err := planner.CalledFunctions(sql)
		if err != nil {
			return "the policy for " + a.String() + " cannot be analysed"
		}
		for _, f := range calls {
			if identityWords[f] == "" && !s.g.engine.ConsistentFunction(f) {
				return "the policy for " + a.String() + " calls " + f + "(), whose value can change between runs"
			}
		}
	}
	if reads["user"] {
		b.add("user " + s.user.Name)
	}
	if reads["attributes"] {
		keys := make([]string, 0, len(s.user.Attributes))
		for k := range s.user.Attributes {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			b.add("attribute " + k + "=" + s.user.Attributes[k])
		}
	}
	if reads["groups"] {
		groups := append([]string(nil), s.user.Groups...)
		sort.Strings(groups)
		b.add("groups " + strings.Join(groups, ","))
	}
	return ""
}

// decisionSQL is every expression of a decision: each granted column's
// (masked) expression, then each row filter.
func decisionSQL(d policy.Decision) []string {
	out := make([]string, 0, len(d.Columns)+len(d.Filters)+1)
	for _, c := range d.Columns {
		out = append(out, "column "+c.Name+" = "+c.Expr)
	}
	for _, f := range d.Filters {
		out = append(out, "filter "+f.SQL)
	}
	return out
}

// fileVersion identifies the content of a file port's files (a glob's
// matches): path, size, modification and change time of each. A glob
// adding or losing a file changes it too.
func fileVersion(location string) (string, bool) {
	if strings.Contains(location, "**") {
		return "", false
	}
	paths := []string{location}
	if strings.ContainsAny(location, "*?[") {
		var err error
		if paths, err = filepath.Glob(location); err != nil {
			return "", false
		}
	}
	var b strings.Builder
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			return "", false
		}
		fmt.Fprintf(&b, "%q %d %d %s;", p, fi.Size(), fi.ModTime().UnixNano(), changeTime(fi))
	}
	return b.String(), true
}

// argText is a parameter value with its Go type, unambiguously.
func argText(a any) string {
	switch v := a.(type) {
	case nil:
		return "null"
	case string:
		return "string " + strconv.Quote(v)
	case []byte:
		return "bytes " + hex.EncodeToString(v)
	}
	return fmt.Sprintf("%T %v", a, a)
}

// keyBuilder hashes length-prefixed parts.
type keyBuilder struct{ parts []string }

func (b *keyBuilder) add(s string) { b.parts = append(b.parts, s) }

func (b *keyBuilder) sum() string {
	h := sha256.New()
	for _, p := range b.parts {
		fmt.Fprintf(h, "%d:%s", len(p), p)
	}
	return string(h.Sum(nil))
}
