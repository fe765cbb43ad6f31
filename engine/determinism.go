package engine

import (
	"sort"
	"strings"
)

// Determinism: whether a verified statement's answer depends only on the
// rows of the products it reads, its text and its parameters — the
// gateway's result cache serves only such statements. The judgement rests
// on DuckDB's own function list (duckdb_functions().stability) and fails
// closed: a function DuckDB does not list as CONSISTENT in every overload
// (now(), random(), an unknown name) makes the statement volatile.

// sessionFunctions are CONSISTENT in DuckDB's list but read the calling
// connection's state (the session's search path variable).
var sessionFunctions = map[string]bool{"getvariable": true}

// windowFunctions are DuckDB's deterministic window functions, which
// duckdb_functions() does not list.
var windowFunctions = map[string]bool{
	"row_number": true, "rank": true, "dense_rank": true, "rank_dense": true, "ntile": true, "percent_rank": true,
	"cume_dist": true, "lag": true, "lead": true, "first_value": true, "last_value": true, "nth_value": true,
}

// volatility says why a walked plan is not deterministic ("" when it is).
func (e *Engine) volatility(w *planWalk) string {
	if w.catalog {
		return "it reads the session's client catalog"
	}
	if w.sampled {
		return "it samples rows"
	}
	names := make([]string, 0, len(w.functions))
	for f := range w.functions {
		names = append(names, f)
	}
	sort.Strings(names)
	for _, f := range names {
		if !e.ConsistentFunction(f) && !windowFunctions[f] {
			return "it calls " + f + "(), whose value can change between runs"
		}
	}
	return ""
}

// ConsistentFunction reports whether DuckDB lists a function (by name, all
// its overloads) as CONSISTENT: the same arguments always give the same
// value. Functions of the engine's own catalog (the client catalog's
// macros, which read session state) never are.
func (e *Engine) ConsistentFunction(name string) bool {
	name = strings.ToLower(name)
	if sessionFunctions[name] {
		return false
	}
	e.functionsM.Lock()
	defer e.functionsM.Unlock()
	if e.consistent == nil {
		rows, err := e.queryStrings(`SELECT function_name, CAST(bool_and(coalesce(stability, '') = 'CONSISTENT' AND database_name = 'system') AS VARCHAR)
			FROM duckdb_functions() GROUP BY function_name`, 2)
		if err != nil {
			e.log.Warn("reading DuckDB's function list failed: no statement counts as deterministic", "err", err)
			return false
		}
		e.consistent = make(map[string]bool, len(rows))
		for _, r := range rows {
			e.consistent[strings.ToLower(r[0])] = r[1] == "true"
		}
	}
	return e.consistent[name]
}
