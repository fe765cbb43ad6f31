package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/meshgate/meshgate/internal/sqlquote"
	"github.com/meshgate/meshgate/planner"
	"github.com/meshgate/meshgate/planner/catalog"
	"github.com/meshgate/meshgate/sqlstate"
)

// Products served by a sql port (aggregate and consumer-aligned products).
//
// The query of a sql port is checked with the planner's read check
// against the mesh (only products by address: no files, table functions,
// catalogs, writes). Its table references are then rewritten, in DuckDB's
// own syntax tree, to the owning domain's definer catalog "mg$def_D",
// which holds one view per input: the input as the domain's identity may
// read it (SetDefiners, from the policy; empty until a policy is set). The
// product's port view memory.ports."d__p" selects from that query (mode
// live: DuckDB plans it into the consumer's statement, so the consumer's
// filters reach the inputs' scans) or from a snapshot of it (mode
// snapshot: the remote snapshot storage, loaded by ScanAggregate).
//
// A session's product view of the aggregate is its policy view over the
// port view like any product's, with an empty shadow table when a
// statement is verified (plan.go): a consumer's statement binds the
// aggregate only, and the definer catalog is reachable from nowhere else
// — its name is refused by the planner and any scan of it by the plan
// verification.

// aggregate is a product served by a sql port.
type aggregate struct {
	p       *catalog.Product
	port    *catalog.Port
	inputs  []catalog.Address            // as served (a pinned name is its product), sorted
	used    map[catalog.Address][]string // input columns the query reads
	lineage *planner.QueryLineage
	body    string // the query over the definer catalog
	broken  string // why it cannot be read whatever the policy (an input not served)
}

// DefinerCatalog is the catalog of the views a domain's sql ports read
// their inputs through.
func DefinerCatalog(domain string) string { return "mg$def_" + domain }

// IsSQL reports whether a product is served by a sql port.
func IsSQL(p *catalog.Product) bool { return len(p.Ports) > 0 && p.Ports[0].Type == "sql" }

// meshScope is what a sql port's query may name: the mesh's products,
// also pinned to their major version (domain.product_vN).
type meshScope struct {
	mesh   map[catalog.Address]*catalog.Product
	pinned map[catalog.Address]catalog.Address // name as written → product
	client []string                            // client catalog relations named
}

func (s *meshScope) Lookup(domain, name string) error {
	a := catalog.Address{Domain: domain, Name: name}
	if _, ok := s.mesh[a]; ok {
		s.pinned[a] = a
		return nil
	}
	if i := strings.LastIndex(name, "_v"); i > 0 {
		base := catalog.Address{Domain: domain, Name: name[:i]}
		if p, ok := s.mesh[base]; ok {
			if fmt.Sprint(p.MajorVersion()) == name[i+2:] {
				s.pinned[a] = base
				return nil
			}
			return sqlstate.New(sqlstate.UndefinedTable, "input %s.%s is pinned to major version %s, but %s is at version %s (a breaking change)", domain, name, name[i+2:], base, p.Version)
		}
	}
	if domain == "meshgate" {
		return sqlstate.New(sqlstate.InsufficientPrivilege, "input %s is one of meshgate's own products; a sql port reads the mesh's data products", a)
	}
	return sqlstate.New(sqlstate.UndefinedTable, "input %s is not a product of the mesh", a)
}

func (s *meshScope) SearchPath() []string { return nil }

func (s *meshScope) CatalogSchema(schema, name string) string {
	s.client = append(s.client, schema+"."+name)
	return "pg_catalog"
}

// defineAggregates defines the served products of sql ports, inputs
// first, and returns their problems. Products it leaves out have a problem.
func (e *Engine) defineAggregates(ctx context.Context, mesh *catalog.Mesh) []catalog.Problem {
	var problems []catalog.Problem
	bad := func(p *catalog.Product, line int, format string, args ...any) {
		problems = append(problems, catalog.Problem{File: p.File, Line: line, Product: p.Address.String(), Message: fmt.Sprintf(format, args...)})
	}
	all := map[catalog.Address]*catalog.Product{}
	var sqls []*catalog.Product
	for _, p := range mesh.Products {
		all[p.Address] = p
		if IsSQL(p) {
			sqls = append(sqls, p)
		}
	}
	if len(sqls) == 0 {
		return nil
	}
	aggFuncs, err := e.queryStrings("SELECT DISTINCT lower(function_name) FROM duckdb_functions() WHERE function_type = 'aggregate'", 1)
	if err != nil {
		return []catalog.Problem{{File: mesh.Dir, Message: fmt.Sprintf("cannot list the engine's aggregate functions: %v", err)}}
	}
	aggs := map[string]bool{}
	for _, r := range aggFuncs {
		aggs[r[0]] = true
	}
	parsed := map[catalog.Address]*aggregate{}
	for _, p := range sqls {
		port := &p.Ports[0]
		scope := &meshScope{mesh: all, pinned: map[catalog.Address]catalog.Address{}}
		read, err := planner.CheckRead(ctx, adminParser{e}, scope, port.Query)
		if err != nil {
			bad(p, port.QueryLine, "the query of port %s cannot define the product: %s", port.Name, errorText(err))
			continue
		}
		if len(scope.client) > 0 {
			bad(p, port.QueryLine, "the query of port %s reads %s, which is not a data product; a sql port reads products by address", port.Name, scope.client[0])
			continue
		}
		ag := &aggregate{p: p, port: port, used: map[catalog.Address][]string{}}
		seen := map[catalog.Address]bool{}
		for _, a := range read.Products {
			if base := scope.pinned[a]; !seen[base] {
				seen[base] = true
				ag.inputs = append(ag.inputs, base)
			}
		}
		sort.Slice(ag.inputs, func(i, j int) bool { return ag.inputs[i].String() < ag.inputs[j].String() })
		if len(ag.inputs) == 0 {
			bad(p, port.QueryLine, "the query of port %s reads no product; a sql port derives a product from other products", port.Name)
			continue
		}
		if ag.body, err = e.definerBody(port.Query, p.Address.Domain, scope.pinned); err != nil {
			bad(p, port.QueryLine, "the query of port %s cannot be rewritten: %v", port.Name, err)
			continue
		}
		tree, err := e.serializeSQL(port.Query)
		if err == nil {
			ag.lineage, err = planner.Lineage(tree, func(schema, table string) (catalog.Address, []string, bool) {
				base, ok := scope.pinned[catalog.Address{Domain: schema, Name: table}]
				if !ok || all[base] == nil {
					return catalog.Address{}, nil, false
				}
				cols := make([]string, len(all[base].Columns))
				for i, c := range all[base].Columns {
					cols[i] = c.Name
				}
				return base, cols, true
			}, aggs)
		}
		if err != nil {
			bad(p, port.QueryLine, "the lineage of port %s cannot be derived: %v", port.Name, err)
			continue
		}
		parsed[p.Address] = ag
	}
	for _, ag := range orderAggregates(parsed, func(ag *aggregate, chain []catalog.Address) {
		names := make([]string, len(chain))
		for i, a := range chain {
			names[i] = a.String()
		}
		bad(ag.p, ag.port.QueryLine, "the query of port %s forms a cycle of products: %s", ag.port.Name, strings.Join(names, " → "))
	}) {
		problems = append(problems, e.defineAggregate(ctx, ag, all)...)
	}
	return problems
}

// orderAggregates returns the aggregates inputs first, reporting (and
// leaving out) those on a cycle.
func orderAggregates(parsed map[catalog.Address]*aggregate, cycle func(*aggregate, []catalog.Address)) []*aggregate {
	const (
		visiting = 1
		done     = 2
	)
	state := map[catalog.Address]int{}
	onCycle := map[catalog.Address]bool{}
	var out []*aggregate
	var visit func(a catalog.Address, path []catalog.Address) bool
	visit = func(a catalog.Address, path []catalog.Address) bool {
		ag := parsed[a]
		if ag == nil {
			return true
		}
		switch state[a] {
		case done:
			return !onCycle[a]
		case visiting:
			i := 0
			for path[i] != a {
				i++
			}
			chain := append(append([]catalog.Address(nil), path[i:]...), a)
			for _, x := range path[i:] {
				if !onCycle[x] {
					onCycle[x] = true
					cycle(parsed[x], chain)
				}
			}
			return false
		}
		state[a] = visiting
		ok := true
		for _, in := range ag.inputs {
			ok = visit(in, append(path, a)) && ok
		}
		state[a] = done
		if ok && !onCycle[a] {
			out = append(out, ag)
			return true
		}
		onCycle[a] = true
		return false
	}
	keys := make([]catalog.Address, 0, len(parsed))
	for a := range parsed {
		keys = append(keys, a)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i].String() < keys[j].String() })
	for _, a := range keys {
		visit(a, nil)
	}
	return out
}

// defineAggregate creates the definer views of one aggregate's inputs
// (empty until SetDefiners), checks its output against the declaration,
// propagates classifications and defines its port view.
func (e *Engine) defineAggregate(ctx context.Context, ag *aggregate, all map[catalog.Address]*catalog.Product) []catalog.Problem {
	p, port := ag.p, ag.port
	var problems []catalog.Problem
	bad := func(line int, format string, args ...any) {
		problems = append(problems, catalog.Problem{File: p.File, Line: line, Product: p.Address.String(), Message: fmt.Sprintf(format, args...)})
	}
	var unreachable []string
	for _, in := range ag.inputs {
		switch {
		case e.products[in] == nil:
			unreachable = append(unreachable, fmt.Sprintf("its input %s is not served (see that product's problems)", in))
		case e.RemoteMode(in) == ModeLive:
			bad(port.QueryLine, "the query of port %s reads %s, whose port is read live per statement; set mode: snapshot on %s to derive products from it", port.Name, in, in)
			return problems
		case e.aggregates[in] != nil && e.aggregates[in].broken != "":
			unreachable = append(unreachable, fmt.Sprintf("its input %s is unreachable: %s", in, e.aggregates[in].broken))
		}
	}
	for _, lin := range ag.lineage.Columns {
		for _, s := range lin {
			ag.used[s.Product] = appendNew(ag.used[s.Product], s.Column)
		}
	}
	for _, s := range append(ag.lineage.Filters, ag.lineage.Joins...) {
		ag.used[s.Product] = appendNew(ag.used[s.Product], s.Column)
	}
	cat := DefinerCatalog(p.Address.Domain)
	if err := e.ensureDefinerCatalog(p.Address.Domain); err != nil {
		bad(port.Line, "the definer catalog of domain %s cannot be created: %v", p.Address.Domain, err)
		return problems
	}
	if len(unreachable) == 0 {
		for _, in := range ag.inputs {
			stmts := []string{
				fmt.Sprintf("CREATE SCHEMA IF NOT EXISTS %s.%s", sqlquote.Ident(cat), sqlquote.Ident(in.Domain)),
				fmt.Sprintf("CREATE OR REPLACE VIEW %s AS SELECT * FROM %s LIMIT 0", definerView(p.Address.Domain, in), PortView(in)),
			}
			if err := e.exec(strings.Join(stmts, ";\n")); err != nil {
				bad(port.Line, "the definer view of input %s cannot be created: %v", in, err)
				return problems
			}
		}
		actual, err := e.queryStrings("DESCRIBE "+ag.body, 2)
		if err != nil {
			bad(port.QueryLine, "the query of port %s does not bind: %s", port.Name, e.Redact(errorText(err)))
			return problems
		}
		if msgs := compareOutput(p, actual); len(msgs) > 0 {
			return append(problems, msgs...)
		}
	}
	problems = append(problems, propagateClassification(p, ag.lineage, all)...)
	if len(problems) > 0 {
		return problems
	}
	if err := e.aggregatePortView(ag, len(unreachable) == 0); err != nil {
		bad(port.Line, "port %s of product %s cannot be defined: %v", port.Name, p.Address, err)
		return problems
	}
	e.products[p.Address] = p
	e.aggregates[p.Address] = ag
	ag.broken = strings.Join(unreachable, "; ")
	if ag.broken == "" {
		// Its definer views are empty until the policy is installed.
		e.setUnreachable(p.Address, "no access policy is loaded (its inputs are read with its domain's rights)")
	} else {
		e.setUnreachable(p.Address, ag.broken)
	}
	return nil
}

// aggregatePortView defines the port view of an aggregate: its query (live)
// or its snapshot storage (the query is then memory.mg_agg."d__p"). An
// unreachable aggregate's view has its columns and no rows.
func (e *Engine) aggregatePortView(ag *aggregate, reachable bool) error {
	body := ag.body
	if !reachable {
		cols := make([]string, len(ag.p.Columns))
		for i, c := range ag.p.Columns {
			cols[i] = fmt.Sprintf("CAST(NULL AS %s) AS %s", c.Type, sqlquote.Ident(c.Name))
		}
		body = "SELECT " + strings.Join(cols, ", ") + " WHERE false"
	}
	if ag.port.Freshness().Mode != ModeSnapshot {
		return e.exec(fmt.Sprintf("CREATE VIEW %s AS %s", PortView(ag.p.Address), body))
	}
	if err := e.exec(fmt.Sprintf("CREATE SCHEMA IF NOT EXISTS memory.mg_agg; CREATE VIEW memory.mg_agg.%s AS %s", tableName(ag.p.Address), body)); err != nil {
		return err
	}
	return e.defineRemote(ag.p)
}

// definerView is the view a domain's sql ports read an input through.
func definerView(domain string, in catalog.Address) string {
	return fmt.Sprintf("%s.%s.%s", sqlquote.Ident(DefinerCatalog(domain)), sqlquote.Ident(in.Domain), sqlquote.Ident(in.Name))
}

func appendNew(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

// compareOutput names every difference between the query's output
// (DESCRIBE rows) and the declared schema: names, types and order.
func compareOutput(p *catalog.Product, actual [][]string) []catalog.Problem {
	var out []catalog.Problem
	add := func(line int, format string, args ...any) {
		out = append(out, catalog.Problem{File: p.File, Line: line, Product: p.Address.String(), Message: fmt.Sprintf(format, args...)})
	}
	port := p.Ports[0]
	for i, c := range p.Columns {
		if i >= len(actual) {
			add(c.Line, "column %s is declared in position %d but the query of port %s returns only %d columns", c.Name, i+1, port.Name, len(actual))
			continue
		}
		name, typ := actual[i][0], actual[i][1]
		if name != c.Name {
			add(c.Line, "column %d is declared %s but the query of port %s returns %s there; name the query's columns (AS %s) in the declared order", i+1, c.Name, port.Name, name, c.Name)
			continue
		}
		if typ != c.Type {
			add(c.Line, "column %s is declared %s but the query of port %s returns %s; declare %s or CAST it in the query", c.Name, c.Type, port.Name, typ, typ)
		}
	}
	for j := len(p.Columns); j < len(actual); j++ {
		add(port.QueryLine, "the query of port %s returns column %s (%s, position %d), which is not declared", port.Name, actual[j][0], actual[j][1], j+1)
	}
	return out
}

// propagateClassification gives every output column the strictest
// classification of the input columns it is derived from. A column
// declared less strict needs a declassification (which the policy must
// allow: policy.Set.Classification); one without is a problem.
func propagateClassification(p *catalog.Product, lin *planner.QueryLineage, all map[catalog.Address]*catalog.Product) []catalog.Problem {
	var out []catalog.Problem
	for i := range p.Columns {
		c := &p.Columns[i]
		derived, from := "", ""
		if i < len(lin.Columns) {
			for _, s := range lin.Columns[i] {
				in := all[s.Product]
				if in == nil || in.Column(s.Column) == nil {
					continue
				}
				cl := in.Column(s.Column).Classification
				if derived == "" || catalog.Stricter(cl, derived) {
					derived, from = cl, s.Product.String()+"."+s.Column
				}
			}
		}
		switch {
		case derived == "":
			if c.Declassification != nil {
				out = append(out, catalog.Problem{File: p.File, Line: c.Declassification.Line, Product: p.Address.String(),
					Message: fmt.Sprintf("column %s is derived from no input column, so it needs no declassification", c.Name)})
			}
		case !c.ClassificationDeclared:
			c.Classification = derived
		case catalog.Stricter(derived, c.Classification):
			if c.Declassification == nil {
				out = append(out, catalog.Problem{File: p.File, Line: c.Line, Product: p.Address.String(),
					Message: fmt.Sprintf("column %s is classified %s but is derived from %s, classified %s; declare classification: %s, or add a declassification naming a rule of the federation policy that allows it", c.Name, c.Classification, from, derived, derived)})
				continue
			}
			c.Declassification.From = derived
			c.Declassification.Transformation = strongest(lin.Columns[i])
		default:
			if c.Declassification != nil {
				out = append(out, catalog.Problem{File: p.File, Line: c.Declassification.Line, Product: p.Address.String(),
					Message: fmt.Sprintf("column %s is not less strict than its inputs (%s), so it needs no declassification", c.Name, derived)})
			}
		}
	}
	return out
}

// strongest is the strongest transformation of a column's sources.
func strongest(src []planner.Source) string {
	out := planner.Identity
	for _, s := range src {
		if s.Transformation == planner.Aggregate || (s.Transformation == planner.Expression && out == planner.Identity) {
			out = s.Transformation
		}
	}
	return out
}

// definerBody rewrites the table references of a query to the definer
// catalog of domain, in DuckDB's syntax tree (json_serialize_sql, then
// json_deserialize_sql): CTE references keep their names, a pinned name
// reads its product.
func (e *Engine) definerBody(query, domain string, pinned map[catalog.Address]catalog.Address) (string, error) {
	raw, err := e.serializeSQL(query)
	if err != nil {
		return "", err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var tree any
	if err := dec.Decode(&tree); err != nil {
		return "", fmt.Errorf("decode syntax tree: %w", err)
	}
	var rewrite func(n any)
	rewrite = func(n any) {
		switch v := n.(type) {
		case []any:
			for _, x := range v {
				rewrite(x)
			}
		case map[string]any:
			if v["type"] == "BASE_TABLE" {
				schema, _ := v["schema_name"].(string)
				table, _ := v["table_name"].(string)
				if base, ok := pinned[catalog.Address{Domain: strings.ToLower(schema), Name: strings.ToLower(table)}]; ok && schema != "" {
					v["catalog_name"], v["schema_name"], v["table_name"] = DefinerCatalog(domain), base.Domain, base.Name
					if alias, _ := v["alias"].(string); alias == "" {
						v["alias"] = table // c.col keeps resolving as written
					}
				}
			}
			for _, x := range v {
				rewrite(x)
			}
		}
	}
	rewrite(tree)
	out, err := json.Marshal(tree)
	if err != nil {
		return "", err
	}
	rows, err := e.queryStrings("SELECT json_deserialize_sql("+sqlquote.Literal(string(out))+"::JSON)", 1)
	if err != nil {
		return "", err
	}
	if len(rows) != 1 || rows[0][0] == "" {
		return "", fmt.Errorf("the parser returned no statement")
	}
	return rows[0][0], nil
}

// serializeSQL is json_serialize_sql on the admin connection.
func (e *Engine) serializeSQL(sql string) ([]byte, error) {
	rows, err := e.queryStrings("SELECT CAST(json_serialize_sql("+sqlquote.Literal(sql)+") AS VARCHAR)", 1)
	if err != nil {
		return nil, err
	}
	if len(rows) != 1 {
		return nil, fmt.Errorf("the parser returned no tree")
	}
	return []byte(rows[0][0]), nil
}

// adminParser is the planner's parser on the admin connection.
type adminParser struct{ e *Engine }

func (p adminParser) SerializeSQL(ctx context.Context, sql string) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return p.e.serializeSQL(sql)
}

// errorText is an error's sentence without its SQLSTATE suffix.
func errorText(err error) string {
	if s := sqlstate.As(err); s != nil {
		return s.Message
	}
	return err.Error()
}
