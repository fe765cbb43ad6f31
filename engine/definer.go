package engine

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/duckdb/duckdb-go/v2/mapping"

	"github.com/meshgate/meshgate/internal/sqlquote"
	"github.com/meshgate/meshgate/planner/catalog"
	"github.com/meshgate/meshgate/sqlstate"
)

// Definer rights: the inputs of a domain's sql ports are read through the
// domain's own views of them (the definer catalog), which the policy
// shapes for the domain's identity (SetDefiners).

// Definer is an owning domain as the policy sees it.
type Definer struct {
	User       string
	Groups     []string
	Attributes map[string]string
	// View returns the domain's policy-shaped SELECT of input over from,
	// with the identity functions renamed by qualify, and the columns it
	// grants; or "" and why the domain may not read the input.
	View func(input *catalog.Product, from string, qualify func(fn string) string) (sql string, columns []string, reason string)
}

// ensureDefinerCatalog attaches a domain's definer catalog, with identity
// functions that answer NULL until SetDefiners.
func (e *Engine) ensureDefinerCatalog(domain string) error {
	e.definerM.Lock()
	defer e.definerM.Unlock()
	if e.definerCats[domain] {
		return nil
	}
	cat := sqlquote.Ident(DefinerCatalog(domain))
	stmts := []string{"ATTACH ':memory:' AS " + cat,
		"CREATE MACRO " + cat + ".main.mg_current_user() AS CAST(NULL AS VARCHAR)",
		"CREATE MACRO " + cat + ".main.session_attr(k) AS CAST(NULL AS VARCHAR)",
		"CREATE MACRO " + cat + ".main.in_group(g) AS false",
	}
	if err := e.exec(strings.Join(stmts, ";\n")); err != nil {
		return err
	}
	e.definerCats[domain] = true
	return nil
}

// SetDefiners replaces every definer view with the policy's view of the
// input for the owning domain (definer gives the domain's identity and
// views). An aggregate whose domain may not read an input, or not every
// column of it the query reads, is unreachable with the reason; so is one
// over an unreachable aggregate. Until it is called, definer views are
// empty (fail closed).
func (e *Engine) SetDefiners(definer func(domain string) Definer) error {
	order := e.aggregateOrder()
	defs := map[string]Definer{}
	for _, ag := range order {
		d := ag.p.Address.Domain
		if _, ok := defs[d]; ok {
			continue
		}
		def := definer(d)
		defs[d] = def
		if err := e.exec(identityMacros(d, def)); err != nil {
			return fmt.Errorf("engine: identity of domain %s: %w", d, err)
		}
	}
	for _, ag := range order {
		d := ag.p.Address.Domain
		def := defs[d]
		if ag.broken != "" {
			continue // unreachable whatever the policy (defineAggregate)
		}
		var why []string
		var stmts []string
		for _, in := range ag.inputs {
			input := e.products[in]
			if input == nil {
				why = append(why, fmt.Sprintf("its input %s is not served", in))
				continue
			}
			if r := e.Unreachable(in); r != "" && e.aggregates[in] != nil {
				why = append(why, fmt.Sprintf("its input %s is unreachable: %s", in, r))
				continue
			}
			qualify := func(fn string) string { return sqlquote.Ident(DefinerCatalog(d)) + ".main." + fn }
			sql, cols, reason := def.View(input, PortView(in), qualify)
			missing := missingColumns(ag.used[in], cols)
			switch {
			case reason != "":
				why = append(why, fmt.Sprintf("domain %s may not read its input %s (%s)", d, in, reason))
			case len(missing) > 0:
				why = append(why, fmt.Sprintf("domain %s is not granted column %s of its input %s", d, strings.Join(missing, ", "), in))
			default:
				stmts = append(stmts, fmt.Sprintf("CREATE SCHEMA IF NOT EXISTS %s.%s", sqlquote.Ident(DefinerCatalog(d)), sqlquote.Ident(in.Domain)),
					fmt.Sprintf("CREATE OR REPLACE VIEW %s AS SELECT %s FROM (%s)", definerView(d, in), fullColumns(input, cols), sql))
				continue
			}
			stmts = append(stmts, fmt.Sprintf("CREATE SCHEMA IF NOT EXISTS %s.%s", sqlquote.Ident(DefinerCatalog(d)), sqlquote.Ident(in.Domain)),
				fmt.Sprintf("CREATE OR REPLACE VIEW %s AS SELECT * FROM %s LIMIT 0", definerView(d, in), PortView(in)))
		}
		if len(stmts) > 0 {
			if err := e.exec(strings.Join(stmts, ";\n")); err != nil {
				return fmt.Errorf("engine: definer views of %s: %w", ag.p.Address, err)
			}
		}
		e.setUnreachable(ag.p.Address, strings.Join(why, "; "))
	}
	return nil
}

// aggregateOrder lists the aggregates inputs first.
func (e *Engine) aggregateOrder() []*aggregate {
	byAddr := map[catalog.Address]*aggregate{}
	for a, ag := range e.aggregates {
		byAddr[a] = ag
	}
	return orderAggregates(byAddr, func(*aggregate, []catalog.Address) {})
}

// identityMacros define a definer catalog's identity functions.
func identityMacros(domain string, d Definer) string {
	cat := sqlquote.Ident(DefinerCatalog(domain))
	groups := make([]string, len(d.Groups))
	for i, g := range d.Groups {
		groups[i] = sqlquote.Literal(g)
	}
	inGroup := "false"
	if len(groups) > 0 {
		inGroup = "g IN (" + strings.Join(groups, ", ") + ")"
	}
	keys := make([]string, 0, len(d.Attributes))
	for k := range d.Attributes {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	attr := "CAST(NULL AS VARCHAR)"
	if len(keys) > 0 {
		var whens []string
		for _, k := range keys {
			whens = append(whens, "WHEN "+sqlquote.Literal(k)+" THEN "+sqlquote.Literal(d.Attributes[k]))
		}
		attr = "CASE k " + strings.Join(whens, " ") + " END"
	}
	return strings.Join([]string{
		"CREATE OR REPLACE MACRO " + cat + ".main.mg_current_user() AS " + sqlquote.Literal(d.User),
		"CREATE OR REPLACE MACRO " + cat + ".main.session_attr(k) AS " + attr,
		"CREATE OR REPLACE MACRO " + cat + ".main.in_group(g) AS " + inGroup,
	}, ";\n")
}

// missingColumns are the used columns a grant leaves out, sorted.
func missingColumns(used, granted []string) []string {
	have := map[string]bool{}
	for _, c := range granted {
		have[c] = true
	}
	var out []string
	for _, c := range used {
		if !have[c] {
			out = append(out, c)
		}
	}
	sort.Strings(out)
	return out
}

// fullColumns selects every column of the input from a view that grants
// cols: the others are NULL (the query reads none of them), so the
// definer view keeps the input's shape.
func fullColumns(p *catalog.Product, cols []string) string {
	have := map[string]bool{}
	for _, c := range cols {
		have[c] = true
	}
	out := make([]string, len(p.Columns))
	for i, c := range p.Columns {
		if have[c.Name] {
			out[i] = sqlquote.Ident(c.Name)
		} else {
			out[i] = fmt.Sprintf("CAST(NULL AS %s) AS %s", c.Type, sqlquote.Ident(c.Name))
		}
	}
	return strings.Join(out, ", ")
}

func (e *Engine) setUnreachable(a catalog.Address, reason string) {
	e.definerM.Lock()
	defer e.definerM.Unlock()
	if reason == "" {
		delete(e.unreachable, a)
	} else {
		e.unreachable[a] = reason
	}
}

// Unreachable is why a product of a sql port cannot be read now, or "".
func (e *Engine) Unreachable(a catalog.Address) string {
	e.definerM.Lock()
	defer e.definerM.Unlock()
	return e.unreachable[a]
}

// AggregateInputs are the inputs of a product of a sql port (nil for
// other products), sorted.
func (e *Engine) AggregateInputs(a catalog.Address) []catalog.Address {
	if ag := e.aggregates[a]; ag != nil {
		return ag.inputs
	}
	return nil
}

// AggregateMode is the mode of a product of a sql port (live or
// snapshot), or "" for other products.
func (e *Engine) AggregateMode(a catalog.Address) string {
	if ag := e.aggregates[a]; ag != nil {
		return ag.port.Freshness().Mode
	}
	return ""
}

// ScanAggregate streams the rows of a snapshot aggregate's query, read
// with its definer's rights (for its snapshot). The reader must be
// released.
func (e *Engine) ScanAggregate(ctx context.Context, a catalog.Address) (array.RecordReader, error) {
	ag := e.aggregates[a]
	if ag == nil || ag.port.Freshness().Mode != ModeSnapshot {
		return nil, fmt.Errorf("engine: %s is not a snapshot aggregate", a)
	}
	if r := e.Unreachable(a); r != "" {
		return nil, sqlstate.New(sqlstate.ObjectNotInPrerequisiteState, "product %s is unreachable: %s", a, r)
	}
	var conn mapping.Connection
	if mapping.Connect(e.db, &conn) == mapping.StateError {
		return nil, sqlstate.New(sqlstate.InternalError, "cannot open an engine connection")
	}
	var stmt mapping.PreparedStatement
	closeAll := func() {
		mapping.DestroyPrepare(&stmt)
		mapping.Disconnect(&conn)
	}
	if mapping.Prepare(conn, "SELECT * FROM memory.mg_agg."+tableName(a), &stmt) == mapping.StateError {
		msg := mapping.PrepareError(stmt)
		closeAll()
		return nil, duckError(msg, errorTypeOf(msg))
	}
	stop := watch(ctx, conn)
	return stream(ctx, stmt, nil, func() { stop(); closeAll() })
}
