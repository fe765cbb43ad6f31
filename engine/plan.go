package engine

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/duckdb/duckdb-go/v2/mapping"

	"github.com/meshgate/meshgate/planner/catalog"
	"github.com/meshgate/meshgate/sqlstate"
)

// Plan verification: the engine's own, last guard (fail closed).
//
// Every product view of a session (sess_N.domain.product) is defined as
// `SELECT * FROM "mg$pK"`, an unqualified name that DuckDB resolves, when the
// view is used, through the caller's search path (a view's body binds in the
// caller's context; measured in engine_test). Statements execute on
// connections whose path holds the schema "mg$real", where "mg$pK" is the
// policy-shaped view (masks, row filters) over the port. Before a user
// statement is prepared, it is planned once more by DuckDB itself
// (json_serialize_plan, unoptimised) on a connection whose path holds
// "mg$shadow" instead, where "mg$pK" is an empty table of the same columns
// and types. Everything else resolves identically, so the shadow plan is
// the statement exactly as DuckDB binds it, with every product read
// standing as a scan of its shadow table — and anything else the statement
// reads standing as itself. A scan of a shadow table is a product read; a
// scan of the client catalog's tables and a few value-generating table
// functions are allowed; any other scan (a file, a port view, an internal
// table, a system view, a table function, a plan DuckDB cannot serialise)
// refuses the statement with 42501. Every product read in a real plan is
// therefore inside that product's policy view.

// Schemas of a session catalog that hold the two definitions of its
// product views.
const (
	realSchema   = "mg$real"
	shadowSchema = "mg$shadow"
)

// Plan is what a verified statement reads, from DuckDB's bound plan.
type Plan struct {
	// Products are the products the statement reads, sorted.
	Products []catalog.Address
	// Columns are the product columns it reads ("domain.product.column"),
	// sorted.
	Columns []string
	// Volatile says why the statement's answer may differ between two
	// runs over the same product rows (determinism.go); "" when it cannot.
	Volatile string
}

// allowedOperators are the logical operators of read statements. An
// operator not listed (a write, COPY TO a file, an operator added by a new
// DuckDB version) refuses the statement.
var allowedOperators = map[string]bool{
	"LOGICAL_PROJECTION": true, "LOGICAL_FILTER": true, "LOGICAL_AGGREGATE_AND_GROUP_BY": true,
	"LOGICAL_WINDOW": true, "LOGICAL_UNNEST": true, "LOGICAL_LIMIT": true, "LOGICAL_ORDER_BY": true,
	"LOGICAL_TOP_N": true, "LOGICAL_DISTINCT": true, "LOGICAL_SAMPLE": true, "LOGICAL_PIVOT": true,
	"LOGICAL_GET": true, "LOGICAL_CHUNK_GET": true, "LOGICAL_DELIM_GET": true, "LOGICAL_EXPRESSION_GET": true,
	"LOGICAL_DUMMY_SCAN": true, "LOGICAL_EMPTY_RESULT": true, "LOGICAL_CTE_REF": true,
	"LOGICAL_DELIM_JOIN": true, "LOGICAL_COMPARISON_JOIN": true, "LOGICAL_ANY_JOIN": true,
	"LOGICAL_CROSS_PRODUCT": true, "LOGICAL_POSITIONAL_JOIN": true, "LOGICAL_ASOF_JOIN": true,
	"LOGICAL_DEPENDENT_JOIN": true, "LOGICAL_UNION": true, "LOGICAL_EXCEPT": true, "LOGICAL_INTERSECT": true,
	"LOGICAL_RECURSIVE_CTE": true, "LOGICAL_MATERIALIZED_CTE": true,
}

// allowedTableFunctions generate values and read no storage.
var allowedTableFunctions = map[string]bool{
	"range": true, "generate_series": true, "unnest": true,
}

// deniedFunctions are DuckDB functions that reveal the engine's own state
// (settings, internal catalog names, secrets). The client catalog's macros
// of the same names (gateway/pgcatalog) expand to other expressions, so a
// bound call of one of these is always DuckDB's own.
var deniedFunctions = map[string]bool{
	"current_setting": true, "current_database": true, "current_catalog": true,
	"current_schema": true, "current_schemas": true, "getenv": true, "which_secret": true,
	"duckdb_api": true, "version": true, "platform": true, "pg_get_viewdef": true,
	"get_current_catalog": true, "current_role": true, "current_user": true, "session_user": true,
	// stats() prints a column's statistics, which come from the whole port
	// (rows a row filter removes, values a mask hides).
	"stats": true,
	// These plan or parse other statements: their output would describe
	// what a statement reads without the statement being verified.
	"json_serialize_plan": true, "json_serialize_sql": true, "json_deserialize_sql": true,
	"json_execute_serialized_sql": true,
}

// errNotExplained is the refusal of a statement that reads something the
// session's product views do not explain. It names nothing internal.
func errNotExplained() *sqlstate.Error {
	return sqlstate.New(sqlstate.InsufficientPrivilege, "this statement reads data that is not one of your data products").
		WithHint("Query products by address (e.g. SELECT * FROM sales.orders); files, internal tables and system views cannot be read through meshgate.")
}

// verify plans query in the shadow of the session's product views and
// returns what it reads, or refuses it. ok is false when DuckDB could not
// plan the statement at all (a binder or syntax error): the caller then
// lets the real prepare report the error, and must refuse the statement if
// that prepare succeeds.
func (s *Session) verify(query string) (plan *Plan, ok bool, err error) {
	s.mu.Lock()
	key := verifiedKey{query: query, pathGen: s.pathGen, catalogGen: s.catalogGen}
	s.mu.Unlock()
	if p, hit := s.verified.Get(key); hit {
		return p, true, nil
	}
	defer func() {
		if err == nil && ok {
			s.verified.Add(key, plan)
		}
	}()
	raw, err := s.shadowPlan(query)
	if err != nil {
		return nil, false, err
	}
	var doc struct {
		Error        bool              `json:"error"`
		ErrorType    string            `json:"error_type"`
		ErrorMessage string            `json:"error_message"`
		Plans        []json.RawMessage `json:"plans"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, false, fmt.Errorf("engine: decode plan: %w", err)
	}
	if doc.Error {
		if doc.ErrorType != "not implemented" && !strings.Contains(doc.ErrorMessage, "Serialize") {
			// The statement does not bind (a binder, catalog or type error;
			// DuckDB fails internally on an untyped parameter): the real
			// prepare reports why, and a statement that prepares there
			// but not here is refused (prepareVerified).
			return nil, false, nil
		}
		if strings.Contains(doc.ErrorMessage, "type MULTI") {
			// A PIVOT that lists no values first runs a query to find them.
			return nil, false, sqlstate.New(sqlstate.FeatureNotSupported, "PIVOT without a list of values is not supported through meshgate").
				WithHint("Name the values: PIVOT … ON column IN ('a', 'b') USING …")
		}
		// Above all "not implemented": DuckDB cannot serialise what the
		// statement reads (a CSV or JSON scan) — never a product read here.
		s.e.log.Warn("statement refused: its plan cannot be verified", "catalog", s.catalog, "error_type", doc.ErrorType, "error", doc.ErrorMessage)
		return nil, false, errNotExplained()
	}
	if len(doc.Plans) != 1 {
		return nil, false, errNotExplained()
	}
	dec := json.NewDecoder(bytes.NewReader(doc.Plans[0]))
	dec.UseNumber()
	var tree any
	if err := dec.Decode(&tree); err != nil {
		return nil, false, fmt.Errorf("engine: decode plan: %w", err)
	}
	w := &planWalk{s: s, products: map[catalog.Address]bool{}, columns: map[string]bool{}, functions: map[string]bool{}}
	if err := w.walk(tree); err != nil {
		return nil, false, err
	}
	plan = &Plan{}
	for a := range w.products {
		plan.Products = append(plan.Products, a)
	}
	sort.Slice(plan.Products, func(i, j int) bool { return plan.Products[i].String() < plan.Products[j].String() })
	// An unoptimised plan scans every column of a product view: these are
	// the columns the statement can have read (the gateway narrows them
	// with the names the statement uses). An optimised plan would be
	// narrower, but it is planned over empty shadow tables, whose
	// statistics let DuckDB prune scans the real plan keeps.
	for c := range w.columns {
		plan.Columns = append(plan.Columns, c)
	}
	sort.Strings(plan.Columns)
	plan.Volatile = s.e.volatility(w)
	return plan, true, nil
}

// verifiedKey identifies a verification: the same text binds the same way
// under the same search path and session catalog.
type verifiedKey struct {
	query               string
	pathGen, catalogGen int
}

// planWalk checks every operator and function of a serialised plan.
type planWalk struct {
	s        *Session
	products map[catalog.Address]bool
	columns  map[string]bool
	// What the answer may depend on besides the products (determinism.go):
	// the functions bound, a scan of the client catalog, a sample.
	functions map[string]bool
	catalog   bool
	sampled   bool
}

func (w *planWalk) walk(n any) error {
	switch v := n.(type) {
	case []any:
		for _, e := range v {
			if err := w.walk(e); err != nil {
				return err
			}
		}
	case map[string]any:
		if t, _ := v["type"].(string); strings.HasPrefix(t, "LOGICAL_") {
			if !allowedOperators[t] {
				w.s.e.log.Warn("statement refused: operator not allowed", "catalog", w.s.catalog, "operator", t)
				return errNotExplained()
			}
			if t == "LOGICAL_SAMPLE" {
				w.sampled = true
			}
			if t == "LOGICAL_GET" {
				if err := w.get(v); err != nil {
					return err
				}
			}
		}
		switch class, _ := v["expression_class"].(string); class {
		case "BOUND_FUNCTION", "BOUND_AGGREGATE", "BOUND_WINDOW":
			name, _ := v["name"].(string)
			w.functions[strings.ToLower(name)] = true
			if deniedFunctions[strings.ToLower(name)] {
				w.s.e.log.Warn("statement refused: internal function", "catalog", w.s.catalog, "function", name)
				return sqlstate.New(sqlstate.InsufficientPrivilege, "function %s is internal to the engine and cannot be called through meshgate", strings.ToLower(name)).
					WithHint("PostgreSQL's functions of that name are available unqualified (e.g. current_setting('search_path')).")
			}
		}
		for _, e := range v {
			if err := w.walk(e); err != nil {
				return err
			}
		}
	}
	return nil
}

// get checks one scan.
func (w *planWalk) get(v map[string]any) error {
	name, _ := v["name"].(string)
	if allowedTableFunctions[strings.ToLower(name)] {
		return nil
	}
	fd, _ := v["function_data"].(map[string]any)
	if name != "seq_scan" || fd == nil {
		w.s.e.log.Warn("statement refused: scan not allowed", "catalog", w.s.catalog, "function", name)
		return errNotExplained()
	}
	cat, _ := fd["catalog"].(string)
	schema, _ := fd["schema"].(string)
	table, _ := fd["table"].(string)
	if cat == w.s.catalog && schema == shadowSchema {
		a, ok := w.s.shadowProduct(table)
		if !ok {
			return errNotExplained()
		}
		w.products[a] = true
		names, _ := v["names"].([]any)
		for _, ci := range asSlice(v["column_indexes"]) {
			m, _ := ci.(map[string]any)
			num, _ := m["index"].(json.Number)
			i, err := num.Int64()
			if err != nil || i < 0 || int(i) >= len(names) {
				continue // the row id, or a column DuckDB adds
			}
			if col, ok := names[i].(string); ok {
				w.columns[a.String()+"."+col] = true
			}
		}
		return nil
	}
	if w.s.e.readable(cat == w.s.catalog, cat, schema) {
		w.catalog = true
		return nil
	}
	w.s.e.log.Warn("statement refused: relation not allowed", "catalog", w.s.catalog, "relation", cat+"."+schema+"."+table)
	return errNotExplained()
}

func asSlice(v any) []any {
	s, _ := v.([]any)
	return s
}

// AllowCatalogSchemas names the schemas whose tables any statement may
// read: the client catalog (pg_catalog and information_schema as a session
// sees them). session lists schemas of each session's own catalog, shared
// schemas of the engine's catalog ("memory").
func (e *Engine) AllowCatalogSchemas(session, shared []string) {
	e.readableM.Lock()
	defer e.readableM.Unlock()
	e.readableSession = map[string]bool{}
	e.readableShared = map[string]bool{}
	for _, s := range session {
		e.readableSession[s] = true
	}
	for _, s := range shared {
		e.readableShared[s] = true
	}
}

func (e *Engine) readable(own bool, cat, schema string) bool {
	e.readableM.Lock()
	defer e.readableM.Unlock()
	if own {
		return e.readableSession[schema]
	}
	return cat == "memory" && (e.readableShared[schema] || e.readableSession[schema])
}

// planSQL asks DuckDB for a statement's unoptimised logical plan; prepared
// once per planning connection.
const planSQL = "SELECT CAST(json_serialize_plan($1::VARCHAR, skip_null := true, skip_empty := true, optimize := false) AS VARCHAR)"

// shadowPlan returns DuckDB's serialised, unoptimised logical plan of query
// bound on the session's planning connection.
func (s *Session) shadowPlan(query string) ([]byte, error) {
	c, err := s.acquirePlanner()
	if err != nil {
		return nil, err
	}
	defer s.release(c)
	if c.planStmt.Ptr == nil {
		if mapping.Prepare(c.c, planSQL, &c.planStmt) == mapping.StateError {
			msg := mapping.PrepareError(c.planStmt)
			mapping.DestroyPrepare(&c.planStmt)
			return nil, duckError(msg, errorTypeOf(msg))
		}
	}
	if err := bindArgs(c.planStmt, []any{query}); err != nil {
		return nil, err
	}
	var res mapping.Result
	rows, err := resultStrings(mapping.ExecutePrepared(c.planStmt, &res), res, 1)
	if err != nil {
		return nil, err
	}
	if len(rows) != 1 || rows[0][0] == "" {
		return nil, sqlstate.New(sqlstate.InternalError, "planner returned no plan")
	}
	return []byte(rows[0][0]), nil
}

// covers reports whether every product q reads is one p reads.
func (p *Plan) covers(q *Plan) bool {
	if p == nil || q == nil {
		return p == q
	}
	have := map[catalog.Address]bool{}
	for _, a := range p.Products {
		have[a] = true
	}
	for _, a := range q.Products {
		if !have[a] {
			return false
		}
	}
	return true
}
