package engine

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"github.com/meshgate/meshgate/sqlstate"
	"log/slog"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/duckdb/duckdb-go/v2/mapping"
	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/hashicorp/golang-lru/v2/simplelru"

	"github.com/meshgate/meshgate/internal/sqlquote"
	"github.com/meshgate/meshgate/planner/catalog"
)

// Config tunes the DuckDB instance.
type Config struct {
	// Threads is DuckDB's worker thread count; 0 means DuckDB's default.
	Threads int
	// MemoryLimit such as "2GB"; empty means DuckDB's default (80 % of RAM).
	MemoryLimit string
	// TempDir is where DuckDB may spill; empty disables spilling to disk
	// outside the allowed directories.
	TempDir string
	// MaskKey keys hash masks; empty means a random key per start (hashed
	// values then join within one run of the gateway only).
	MaskKey string
	Logger  *slog.Logger
}

// Engine is the one embedded DuckDB instance.
type Engine struct {
	db     mapping.Database
	admin  mapping.Connection // used only before lock-down and for session catalogs
	adminM sync.Mutex
	// exprConn types policy expressions (DescribeExprs) on a connection
	// of its own, so a policy reload does not queue behind logins, logouts
	// and audit copies on the admin connection.
	exprConn     mapping.Connection
	exprConnM    sync.Mutex
	exprConnOpen bool
	log          *slog.Logger

	products map[catalog.Address]*catalog.Product // products whose port is served
	redact   *strings.Replacer                    // port locations → product addresses
	nextID   atomic.Uint64
	closed   atomic.Bool

	// The client catalog's schemas statements may read (plan.go).
	readableM       sync.Mutex
	readableSession map[string]bool
	readableShared  map[string]bool

	// Column definitions of policy views by definition (shadow.go).
	shadowCols *lru.Cache[string, string]

	// Products of sql ports (aggregate.go, definer.go).
	aggregates  map[catalog.Address]*aggregate
	definerM    sync.Mutex
	definerCats map[string]bool
	unreachable map[catalog.Address]string
	lineageRows []LineageRow
	// DuckDB's CONSISTENT functions by name, read when first needed and
	// again after Setup defines functions (determinism.go).
	functionsM sync.Mutex
	consistent map[string]bool

	// Session catalogs kept for the next session of the same key (pool.go).
	poolM       sync.Mutex
	pool        *simplelru.LRU[string, []*pooledCatalog]
	pooled      int
	reused      int64
	detachLater []string
}

// PortView is the fully qualified name of the internal view that scans a
// product's port.
func PortView(a catalog.Address) string {
	return fmt.Sprintf(`memory.ports.%s`, sqlquote.Ident(a.Domain+"__"+a.Name))
}

// Open starts DuckDB, defines the port views of every product in the mesh,
// checks each port's real schema against its descriptor and locks the
// instance down. Products whose port fails (missing file, schema drift) are
// reported as problems and left out; the error is for the engine itself.
func Open(ctx context.Context, mesh *catalog.Mesh, cfg Config) (*Engine, []catalog.Problem, error) {
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	var conf mapping.Config
	if mapping.CreateConfig(&conf) == mapping.StateError {
		return nil, nil, errors.New("engine: cannot create DuckDB config")
	}
	defer mapping.DestroyConfig(&conf)
	settings := map[string]string{
		"autoinstall_known_extensions": "false",
		"autoload_known_extensions":    "false",
		"arrow_lossless_conversion":    "false",
		// PostgreSQL divides integers as integers (7/2 = 3).
		"integer_division": "true",
		// PostgreSQL sorts NULL last ascending and first descending.
		"default_null_order": "nulls_last_on_asc_first_on_desc",
	}
	if cfg.Threads > 0 {
		settings["threads"] = fmt.Sprint(cfg.Threads)
	}
	if cfg.MemoryLimit != "" {
		settings["memory_limit"] = cfg.MemoryLimit
	}
	if cfg.TempDir != "" {
		settings["temp_directory"] = cfg.TempDir
	}
	for k, v := range settings {
		if mapping.SetConfig(conf, k, v) == mapping.StateError {
			return nil, nil, fmt.Errorf("engine: cannot set DuckDB option %s=%s", k, v)
		}
	}
	e := &Engine{log: log, products: map[catalog.Address]*catalog.Product{}, aggregates: map[catalog.Address]*aggregate{},
		definerCats: map[string]bool{}, unreachable: map[catalog.Address]string{}}
	e.shadowCols, _ = lru.New[string, string](4096)
	var openErr string
	if mapping.OpenExt(":memory:", &e.db, conf, &openErr) == mapping.StateError {
		return nil, nil, fmt.Errorf("engine: open DuckDB: %s", openErr)
	}
	if mapping.Connect(e.db, &e.admin) == mapping.StateError {
		mapping.Close(&e.db)
		return nil, nil, errors.New("engine: connect to DuckDB")
	}
	key := cfg.MaskKey
	if key == "" {
		var b [32]byte
		if _, err := rand.Read(b[:]); err != nil {
			e.Close()
			return nil, nil, fmt.Errorf("engine: mask key: %w", err)
		}
		key = hex.EncodeToString(b[:])
	}
	setup := []string{
		"CREATE SCHEMA memory.ports",
		// The key of hash masks: read by mask expressions through a
		// subquery, so it never appears in SQL text, plans or errors.
		"CREATE SCHEMA memory.mg_secret",
		"CREATE TABLE memory.mg_secret.mask_key AS SELECT " + sqlquote.Literal(key) + " AS k",
		// Stand-ins for the identity functions of policies, so policies can
		// be checked outside a session; sessions define the real ones.
		"CREATE MACRO memory.main.session_attr(k) AS CAST(NULL AS VARCHAR)",
		"CREATE MACRO memory.main.in_group(g) AS false",
		"CREATE MACRO memory.main.mg_current_user() AS CAST(NULL AS VARCHAR)",
		// The audit trail, queryable as the product meshgate.audit.
		"CREATE SCHEMA memory.mg_audit",
		"CREATE TABLE memory.mg_audit.records (" + AuditColumns + ")",
		// The freshness of snapshot ports, queryable as meshgate.freshness.
		"CREATE TABLE memory.mg_audit.freshness (" + freshnessColumns + ")",
		// Quality results and health, as meshgate.quality and meshgate.health.
		"CREATE TABLE memory.mg_audit.quality (" + qualityColumns + ")",
		"CREATE TABLE memory.mg_audit.health (" + healthColumns + ")",
		// The discovery catalog, queryable as meshgate.products and meshgate.columns.
		"CREATE TABLE memory.mg_audit.products (" + discoveryProductColumns + ")",
		"CREATE TABLE memory.mg_audit.columns (" + discoveryColumnColumns + ")",
		// Lineage of the products of sql ports, as meshgate.lineage.
		"CREATE TABLE memory.mg_audit.lineage (" + lineageColumns + ")",
		"CREATE TABLE memory.mg_audit.downstream (" + downstreamColumns + ")",
		// The result cache's counters, as meshgate.cache.
		"CREATE TABLE memory.mg_audit.cache (" + cacheColumns + ")",
	}
	for _, q := range setup {
		if err := e.exec(q); err != nil {
			e.Close()
			return nil, nil, err
		}
	}
	var problems []catalog.Problem
	var dirs []string
	if mesh != nil {
		for _, p := range mesh.Products {
			if IsSQL(p) {
				continue // after every other port: defineAggregates
			}
			port, dir, err := e.definePort(ctx, p)
			if err != nil {
				problems = append(problems, catalog.Problem{File: p.File, Line: portLine(port), Product: p.Address.String(), Message: err.Error()})
				continue
			}
			if port != nil {
				if drift := e.checkSchema(ctx, p, port); len(drift) > 0 {
					problems = append(problems, drift...)
					_ = e.exec("DROP VIEW " + PortView(p.Address))
					continue
				}
			}
			e.products[p.Address] = p
			if dir != "" {
				dirs = append(dirs, dir)
			}
		}
	}
	if mesh != nil {
		problems = append(problems, e.defineAggregates(ctx, mesh)...)
		err := e.fillLineage()
		if err == nil {
			err = e.fillDownstream()
		}
		if err != nil {
			e.Close()
			return nil, nil, err
		}
	}
	var pairs []string
	for _, p := range e.products {
		for _, port := range p.Ports {
			if port.Location != "" {
				pairs = append(pairs, port.Location, p.Address.String()+" (port "+port.Name+")")
				pairs = append(pairs, filepath.Dir(port.Location)+"/", "")
			}
		}
	}
	e.redact = strings.NewReplacer(pairs...)
	if err := e.lockDown(dirs); err != nil {
		e.Close()
		return nil, nil, err
	}
	return e, problems, nil
}

func portLine(p *catalog.Port) int {
	if p == nil {
		return 0
	}
	return p.Line
}

// definePort creates the internal view over the product's first port and
// returns the directory DuckDB must be allowed to read.
func (e *Engine) definePort(ctx context.Context, p *catalog.Product) (*catalog.Port, string, error) {
	if len(p.Ports) == 0 {
		return nil, "", fmt.Errorf("product %s has no output port", p.Address)
	}
	port := &p.Ports[0]
	cols := make([]string, len(p.Columns))
	for i, c := range p.Columns {
		cols[i] = sqlquote.Ident(c.Name)
	}
	var from string
	switch port.Type {
	case "postgres", "http", "gateway": // catalog.Port.Remote
		if err := e.defineRemote(p); err != nil {
			return port, "", fmt.Errorf("port %s of product %s: %w", port.Name, p.Address, err)
		}
		return nil, "", nil
	case "internal":
		// A product meshgate itself serves (the audit trail).
		var q string
		switch port.Location {
		case "audit":
			q = fmt.Sprintf("CREATE VIEW %s AS SELECT %s FROM memory.mg_audit.records", PortView(p.Address), strings.Join(cols, ", "))
		case "usage":
			q = fmt.Sprintf("CREATE VIEW %s AS %s", PortView(p.Address), usageView)
		case "freshness":
			q = fmt.Sprintf("CREATE VIEW %s AS SELECT product, mode, loaded, last_refresh, now() - last_refresh AS age, row_count, size_bytes, last_error FROM memory.mg_audit.freshness", PortView(p.Address))
		case "quality", "health", "products", "columns", "lineage", "cache":
			q = fmt.Sprintf("CREATE VIEW %s AS SELECT %s FROM memory.mg_audit.%s", PortView(p.Address), strings.Join(cols, ", "), port.Location)
		default:
			return port, "", fmt.Errorf("unknown internal port %q", port.Location)
		}
		if err := e.exec(q); err != nil {
			return port, "", err
		}
		return nil, "", nil
	case "duckdb":
		alias := "port_" + p.Address.Domain + "__" + p.Address.Name
		if err := e.exec(fmt.Sprintf("ATTACH %s AS %s (READ_ONLY)", sqlquote.Literal(port.Location), sqlquote.Ident(alias))); err != nil {
			return port, "", fmt.Errorf("port %s of product %s: cannot open DuckDB file %s: %w", port.Name, p.Address, port.Location, err)
		}
		schema, table := port.DuckDBTable()
		from = fmt.Sprintf("%s.%s.%s", sqlquote.Ident(alias), sqlquote.Ident(schema), sqlquote.Ident(table))
	default:
		scan, err := catalog.ScanSQL(p, port)
		if err != nil {
			return port, "", fmt.Errorf("port %s of product %s: %w", port.Name, p.Address, err)
		}
		from = scan
	}
	q := fmt.Sprintf("CREATE VIEW %s AS SELECT %s FROM %s", PortView(p.Address), strings.Join(cols, ", "), from)
	if err := e.exec(q); err != nil {
		return port, "", fmt.Errorf("port %s of product %s cannot be read: %w", port.Name, p.Address, err)
	}
	dir := filepath.Dir(port.Location)
	if i := strings.IndexAny(dir, "*?["); i >= 0 { // a glob: allow its fixed prefix
		dir = filepath.Dir(dir[:i])
	}
	return port, dir, nil
}

// checkSchema compares what the port really holds with the descriptor.
func (e *Engine) checkSchema(ctx context.Context, p *catalog.Product, port *catalog.Port) []catalog.Problem {
	actual, err := e.describe(ctx, p, port)
	if err != nil {
		return []catalog.Problem{{File: p.File, Line: port.Line, Product: p.Address.String(), Message: err.Error()}}
	}
	return catalog.CompareSchema(p, port, actual)
}

// describe reads the real column names and types of a port (not through
// the declared-columns view).
func (e *Engine) describe(ctx context.Context, p *catalog.Product, port *catalog.Port) ([]catalog.Column, error) {
	var from string
	if port.Type == "duckdb" {
		schema, table := port.DuckDBTable()
		from = fmt.Sprintf("%s.%s.%s", sqlquote.Ident("port_"+p.Address.Domain+"__"+p.Address.Name), sqlquote.Ident(schema), sqlquote.Ident(table))
	} else {
		scan, err := catalog.ScanSQL(nil, port) // without the declared columns: what the file holds
		if err != nil {
			return nil, err
		}
		from = scan
	}
	rows, err := e.queryStrings("DESCRIBE SELECT * FROM "+from, 2)
	if err != nil {
		return nil, fmt.Errorf("port %s of product %s cannot be read: %w", port.Name, p.Address, err)
	}
	cols := make([]catalog.Column, len(rows))
	for i, r := range rows {
		cols[i] = catalog.Column{Name: r[0], Type: r[1]}
	}
	return cols, nil
}

// lockDown applies ARCHITECTURE.md fact 2. Nothing may be attached or
// configured after it.
func (e *Engine) lockDown(dirs []string) error {
	seen := map[string]bool{}
	var lits []string
	for _, d := range dirs {
		d = strings.TrimSuffix(d, "/") + "/"
		if !seen[d] {
			seen[d] = true
			lits = append(lits, sqlquote.Literal(d))
		}
	}
	sort.Strings(lits)
	stmts := []string{
		"SET allowed_directories = [" + strings.Join(lits, ", ") + "]",
		"SET enable_external_access = false",
		"SET autoinstall_known_extensions = false",
		"SET autoload_known_extensions = false",
		"SET lock_configuration = true",
	}
	for _, s := range stmts {
		if err := e.exec(s); err != nil {
			return fmt.Errorf("engine: lock-down %q: %w", s, err)
		}
	}
	return nil
}

// Setup runs statements of the gateway (never user SQL) in the engine's
// internal catalog, such as the shared part of the client catalog.
func (e *Engine) Setup(stmts []string) error {
	e.functionsM.Lock()
	e.consistent = nil
	e.functionsM.Unlock()
	return e.exec(strings.Join(stmts, ";\n"))
}

// Redact replaces the file locations of ports in text (EXPLAIN output,
// messages) with the products they serve.
func (e *Engine) Redact(text string) string {
	if e.redact == nil {
		return text
	}
	return e.redact.Replace(text)
}

// Products lists the products the engine serves, sorted by address.
func (e *Engine) Products() []*catalog.Product {
	out := make([]*catalog.Product, 0, len(e.products))
	for _, p := range e.products {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Address.String() < out[j].Address.String() })
	return out
}

// ProductSchema is the Arrow schema of a product's port view: the columns
// and types a query of the product returns.
func (e *Engine) ProductSchema(ctx context.Context, a catalog.Address) (*arrow.Schema, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	e.adminM.Lock()
	defer e.adminM.Unlock()
	c := &conn{c: e.admin}
	stmt, err := prepareOn(c, "SELECT * FROM "+PortView(a))
	if err != nil {
		return nil, err
	}
	p := &Prepared{c: c, stmt: stmt}
	defer mapping.DestroyPrepare(&p.stmt)
	if err := p.describe(); err != nil {
		return nil, err
	}
	return p.schema, nil
}

// DescribeExprs returns the DuckDB types of expressions over a product's
// port view, filtered by where when given (policy.Describer): the policy
// compiler checks masks and filters with it.
func (e *Engine) DescribeExprs(ctx context.Context, a catalog.Address, exprs []string, where string) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if e.products[a] == nil {
		return nil, fmt.Errorf("product %s is not served", a)
	}
	q := "DESCRIBE SELECT " + strings.Join(exprs, ", ") + " FROM " + PortView(a)
	if where != "" {
		q += " WHERE " + where
	}
	e.exprConnM.Lock()
	if !e.exprConnOpen {
		if mapping.Connect(e.db, &e.exprConn) == mapping.StateError {
			e.exprConnM.Unlock()
			return nil, errors.New("engine: connect to DuckDB for typing policy expressions")
		}
		e.exprConnOpen = true
	}
	rows, err := queryStringsOn(e.exprConn, q, 2)
	e.exprConnM.Unlock()
	if err != nil {
		return nil, err
	}
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r[1]
	}
	return out, nil
}

// MemoryUsage returns the memory DuckDB's buffer manager holds now, in
// bytes by tag (duckdb_memory(): IN_MEMORY_TABLE, HASH_TABLE, ...), for
// logs, tests and admission.
func (e *Engine) MemoryUsage() (map[string]int64, error) {
	rows, err := e.queryStrings("SELECT tag, CAST(memory_usage_bytes AS VARCHAR) FROM duckdb_memory() WHERE memory_usage_bytes > 0", 2)
	if err != nil {
		return nil, err
	}
	out := map[string]int64{}
	for _, r := range rows {
		n, _ := strconv.ParseInt(r[1], 10, 64)
		out[r[0]] = n
	}
	return out, nil
}

// Product returns the served product at an address, or nil.
func (e *Engine) Product(a catalog.Address) *catalog.Product { return e.products[a] }

// Close shuts DuckDB down. Sessions must be closed first.
func (e *Engine) Close() {
	if e.closed.Swap(true) {
		return
	}
	e.exprConnM.Lock()
	if e.exprConnOpen {
		mapping.Disconnect(&e.exprConn)
		e.exprConnOpen = false
	}
	e.exprConnM.Unlock()
	e.adminM.Lock()
	defer e.adminM.Unlock()
	mapping.Disconnect(&e.admin)
	mapping.Close(&e.db)
}

// exec runs one statement on the admin connection.
func (e *Engine) exec(q string) error {
	e.adminM.Lock()
	defer e.adminM.Unlock()
	return execOn(e.admin, q)
}

// errClosed answers a statement on a connection of a closed engine (a
// session closed after the engine, say) instead of a crash in DuckDB.
var errClosed = sqlstate.New(sqlstate.AdminShutdown, "the engine is closed: meshgate is shutting down")

func execOn(conn mapping.Connection, q string) error {
	if conn.Ptr == nil {
		return errClosed
	}
	var res mapping.Result
	defer mapping.DestroyResult(&res)
	if mapping.Query(conn, q, &res) == mapping.StateError {
		return duckError(mapping.ResultError(&res), mapping.ResultErrorType(&res))
	}
	return nil
}

// queryStrings runs q on the admin connection and returns the first n
// columns of every row as text.
func (e *Engine) queryStrings(q string, n int) ([][]string, error) {
	e.adminM.Lock()
	defer e.adminM.Unlock()
	return queryStringsOn(e.admin, q, n)
}

func queryStringsOn(conn mapping.Connection, q string, n int) ([][]string, error) {
	if conn.Ptr == nil {
		return nil, errClosed
	}
	var res mapping.Result
	state := mapping.Query(conn, q, &res)
	return resultStrings(state, res, n)
}

// resultStrings returns the first n columns of every row of a result (of a
// call in state) as text, freeing it.
func resultStrings(state mapping.State, res mapping.Result, n int) ([][]string, error) {
	if state == mapping.StateError {
		defer mapping.DestroyResult(&res)
		return nil, duckError(mapping.ResultError(&res), mapping.ResultErrorType(&res))
	}
	rr, err := newRecordReader(context.Background(), nil, res, nil)
	if err != nil {
		return nil, err
	}
	defer rr.Release()
	var out [][]string
	for rr.Next() {
		rec := rr.RecordBatch()
		for r := 0; r < int(rec.NumRows()); r++ {
			row := make([]string, n)
			for c := 0; c < n; c++ {
				if col, ok := rec.Column(c).(*array.String); ok && col.IsValid(r) {
					row[c] = strings.Clone(col.Value(r))
				}
			}
			out = append(out, row)
		}
	}
	return out, rr.Err()
}
