package gateway

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/meshgate/meshgate/connectors"
	"github.com/meshgate/meshgate/engine"
	"github.com/meshgate/meshgate/internal/sqlquote"
	"github.com/meshgate/meshgate/planner"
	"github.com/meshgate/meshgate/planner/catalog"
	"github.com/meshgate/meshgate/sqlstate"
)

// Subtree pushdown: a read whose every product is a live postgres port of
// one source (same target and credentials) is answered by that source as
// one statement, written from DuckDB's syntax tree of the checked
// statement (planner/pgpush.go) with each product replaced by its policy
// relation for the session (granted columns, masks and row filters
// translated to PostgreSQL, identity values as parameters). The statement
// was checked and its bound plan verified exactly as any other
// (statement.prepare); only where its rows come from changes. When any
// part is not on the allow-list, or the source refuses the statement, it
// runs as before. The session setting meshgate.pushdown (default: serve
// -pushdown) turns it off.

const pushdownSetting = "meshgate.pushdown"

// SetPushdown sets the default of meshgate.pushdown (serve -pushdown).
func (g *Gateway) SetPushdown(on bool) {
	if d := g.defs[pushdownSetting]; d != nil {
		d.def = map[bool]string{true: "on", false: "off"}[on]
	}
}

// pushPlan is a statement pushed whole to one source.
type pushPlan struct {
	port    string          // domain.product:port of the first product, for EXPLAIN and the audit
	product catalog.Address // the first product: its port's metrics count the fetch
	pusher  connectors.Pusher
	ports   []connectors.Pusher // every product's port: checked again before each execution
	sql     string
	params  []*string
	cols    []catalog.Column
	schema  *arrow.Schema
	rows    int64 // rows the source answered, last execution
	ran     bool  // the last execution was answered by the source
}

// describe is the pushed statement as EXPLAIN and the audit show it.
func (p *pushPlan) describe() string { return p.port + ": " + p.sql }

// planPush returns the pushed form of a read, or nil when it runs in the
// engine. Reasons are logged at debug level.
func (s *session) planPush(ctx context.Context, read *planner.Read, schema *arrow.Schema) *pushPlan {
	if s.values[pushdownSetting] == "off" || read == nil || len(read.Products) == 0 || schema == nil {
		return nil
	}
	p, err := s.buildPush(ctx, read, schema)
	if err != nil {
		s.log.Debug("statement not pushed to its source", "reason", err)
		return nil
	}
	s.log.Debug("statement pushed to its source", "port", p.port, "sql", p.sql)
	return p
}

func (s *session) buildPush(ctx context.Context, read *planner.Read, schema *arrow.Schema) (*pushPlan, error) {
	target := ""
	pushers := map[catalog.Address]connectors.Pusher{}
	plan := &pushPlan{schema: schema}
	for _, a := range read.Products {
		pu, ok := s.g.remote[a].(connectors.Pusher)
		if !ok || s.g.engine.RemoteMode(a) != engine.ModeLive || !s.decisions[a].Granted {
			return nil, fmt.Errorf("%w: %s is not a live postgres product", planner.ErrNotPushable, a)
		}
		t := pu.PushTarget()
		if t == "" || (target != "" && t != target) {
			return nil, fmt.Errorf("%w: the products are not on one source", planner.ErrNotPushable)
		}
		target, pushers[a] = t, pu
		plan.ports = append(plan.ports, pu)
		if plan.pusher == nil {
			plan.pusher, plan.product = pu, a
			if p := s.g.engine.Product(a); p != nil && len(p.Ports) > 0 {
				plan.port = a.String() + ":" + p.Ports[0].Name
			}
		}
	}
	for _, f := range schema.Fields() {
		t, ok := pushedType(f.Type)
		if !ok {
			return nil, fmt.Errorf("%w: result column %s is %s", planner.ErrNotPushable, f.Name, f.Type)
		}
		plan.cols = append(plan.cols, catalog.Column{Name: f.Name, Type: t})
	}
	tree, err := s.parseTree(ctx, read.SQL)
	if err != nil {
		return nil, err
	}
	products := map[catalog.Address]bool{}
	for _, a := range read.Products {
		products[a] = true
	}
	w := &planner.PGWriter{}
	env := planner.PushEnv{
		Resolve: func(schema, table string) (catalog.Address, bool) {
			if schema != "" {
				a := catalog.Address{Domain: schema, Name: table}
				return a, products[a]
			}
			for _, sp := range s.searchPath() {
				if a := (catalog.Address{Domain: strings.ToLower(sp), Name: table}); products[a] {
					return a, true
				}
			}
			return catalog.Address{}, false
		},
		Relation: func(w *planner.PGWriter, a catalog.Address) (string, error) {
			return s.pushRelation(ctx, w, a, pushers[a])
		},
		ColumnType: func(a catalog.Address, column string) string {
			p := s.g.engine.Product(a)
			for _, c := range s.decisions[a].Columns {
				if c.Name == column && p != nil && p.Column(column) != nil {
					return p.Column(column).Type
				}
			}
			return ""
		},
	}
	q, err := planner.PushStatement(w, env, tree)
	if err != nil {
		return nil, err
	}
	// The source's answer, cast to the types DuckDB gives the statement's
	// columns (so that both paths answer the same types).
	names := make([]string, len(plan.cols))
	casts := make([]string, len(plan.cols))
	for i, c := range plan.cols {
		names[i] = sqlquote.Ident(fmt.Sprintf("c%d", i+1))
		casts[i] = "CAST(mg_q." + names[i] + " AS " + pgCastType(c.Type) + ")"
	}
	plan.sql = "SELECT " + strings.Join(casts, ", ") + " FROM (" + q + ") AS mg_q (" + strings.Join(names, ", ") + ")"
	plan.params = w.Params
	return plan, nil
}

// parseTree is DuckDB's syntax tree of sql.
func (s *session) parseTree(ctx context.Context, sql string) (map[string]any, error) {
	raw, err := s.es.SerializeSQL(ctx, sql)
	if err != nil {
		return nil, err
	}
	return planner.ParseTree(raw)
}

// pushRelation writes the session's relation of a product at its source:
// the policy view (ViewSQL's columns and filters) over the raw table.
func (s *session) pushRelation(ctx context.Context, w *planner.PGWriter, a catalog.Address, pu connectors.Pusher) (string, error) {
	raw, err := pu.PushSource(ctx)
	if err != nil {
		return "", err
	}
	d := s.decisions[a]
	cols := make([]string, len(d.Columns))
	for i, c := range d.Columns {
		cols[i] = c.Expr + " AS " + sqlquote.Ident(c.Name)
	}
	view := "SELECT " + strings.Join(cols, ", ") + " FROM mg_raw"
	if len(d.Filters) > 0 {
		preds := make([]string, len(d.Filters))
		for i, f := range d.Filters {
			preds[i] = "(" + f.SQL + ")"
		}
		view += " WHERE " + strings.Join(preds, " AND ")
	}
	tree, err := s.parseTree(ctx, view)
	if err != nil {
		return "", err
	}
	return planner.PushPolicyRelation(w, s.identityParam, tree, raw, len(d.Filters) > 0)
}

// identityParam answers a policy's identity calls with the session's
// identity, as the session's macros do.
func (s *session) identityParam(fn, arg string) (*string, string, bool) {
	switch fn {
	case "current_user":
		name := s.user.Name
		return &name, "text", true
	case "session_attr":
		if v, ok := s.user.Attributes[arg]; ok {
			return &v, "text", true
		}
		return nil, "text", true
	case "in_group":
		v := "false"
		for _, g := range s.user.Groups {
			if g == arg {
				v = "true"
			}
		}
		return &v, "bool", true
	}
	return nil, "", false
}

// pushedType is the declared type a result column of Arrow type dt is
// decoded into, when it is one pushed statements answer.
func pushedType(dt arrow.DataType) (string, bool) {
	t := connectors.CanonicalType(dt)
	switch {
	case t == "BOOLEAN", t == "SMALLINT", t == "INTEGER", t == "BIGINT", t == "DOUBLE", t == "VARCHAR",
		t == "DATE", t == "TIMESTAMP", strings.HasPrefix(t, "DECIMAL("):
	default:
		return "", false
	}
	s, err := connectors.ArrowSchema([]catalog.Column{{Name: "x", Type: t}})
	return t, err == nil && arrow.TypeEqual(s.Field(0).Type, dt)
}

// pgCastType is the PostgreSQL spelling of a pushed result type.
func pgCastType(t string) string {
	switch t {
	case "BOOLEAN":
		return "bool"
	case "SMALLINT":
		return "int2"
	case "INTEGER":
		return "int4"
	case "BIGINT":
		return "int8"
	case "DOUBLE":
		return "float8"
	case "VARCHAR":
		return "text"
	case "DATE":
		return "date"
	case "TIMESTAMP":
		return "timestamp"
	}
	return strings.Replace(strings.ToLower(t), "decimal", "numeric", 1)
}

// runPush runs a pushed statement; ok false means the source refused it
// and the statement must run in the engine.
func (s *session) runPush(ctx context.Context, p *pushPlan) (array.RecordReader, bool, error) {
	p.ran, p.rows = false, 0
	start := time.Now()
	for _, pu := range p.ports {
		// The source's tables still have the declared types (no drift
		// since the statement was prepared); else the engine's fetch
		// answers, with the drift error.
		if _, err := pu.PushSource(ctx); err != nil {
			s.log.Info("a pushed statement runs in the engine", "port", p.port, "reason", err)
			return nil, false, nil
		}
	}
	rr, err := p.pusher.Push(ctx, p.sql, p.params, p.cols)
	if errors.Is(err, connectors.ErrPushRefused) {
		s.log.Info("the source refused a pushed statement; it runs in the engine", "port", p.port, "reason", err)
		return nil, false, nil
	}
	if err != nil {
		s.g.recorder().PortFetch(p.product, time.Since(start), 0, true, err)
		return nil, true, err
	}
	// The first batch is fetched here: a data exception (class 22, such
	// as a numeric overflow where DuckDB's types differ) before any row
	// was sent makes the engine answer instead.
	r := &pushedRecords{RecordReader: rr, schema: p.schema, plan: p,
		done: func(err error) { s.g.recorder().PortFetch(p.product, time.Since(start), p.rows, true, err) }}
	r.primed = r.next()
	if !r.primed {
		if err := rr.Err(); err != nil && strings.HasPrefix(sqlstate.CodeOf(err), "22") {
			rr.Release()
			s.log.Info("a pushed statement failed at the source; it runs in the engine", "port", p.port, "reason", err)
			return nil, false, nil
		}
	}
	p.ran = true
	return r, true, nil
}

// pushedRecords presents the source's batches under the prepared
// statement's schema (the same types, DuckDB's column names) and counts
// the rows the source answered.
type pushedRecords struct {
	array.RecordReader
	schema *arrow.Schema
	plan   *pushPlan
	cur    arrow.RecordBatch
	refs   int
	primed bool            // cur holds the first batch, not yet returned
	done   func(err error) // records the fetch, once, when the reader is released
}

func (r *pushedRecords) Retain() { r.refs++; r.RecordReader.Retain() }

func (r *pushedRecords) Schema() *arrow.Schema { return r.schema }

func (r *pushedRecords) Next() bool {
	if r.primed {
		r.primed = false
		return true
	}
	return r.next()
}

func (r *pushedRecords) next() bool {
	if r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
	if !r.RecordReader.Next() {
		return false
	}
	rec := r.RecordReader.RecordBatch()
	r.plan.rows += rec.NumRows()
	r.cur = array.NewRecordBatch(r.schema, rec.Columns(), rec.NumRows())
	return true
}

func (r *pushedRecords) RecordBatch() arrow.RecordBatch { return r.cur }

// Record is the deprecated name of RecordBatch.
func (r *pushedRecords) Record() arrow.RecordBatch { return r.cur }

func (r *pushedRecords) Release() {
	r.refs--
	if r.refs < 0 && r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
	if r.refs < 0 && r.done != nil {
		r.done(r.RecordReader.Err())
		r.done = nil
	}
	r.RecordReader.Release()
}
