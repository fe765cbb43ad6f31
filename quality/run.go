package quality

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/meshgate/meshgate/connectors"
	"github.com/meshgate/meshgate/engine"
	"github.com/meshgate/meshgate/planner"
	"github.com/meshgate/meshgate/planner/catalog"
	"github.com/meshgate/meshgate/sqlstate"
)

// Rule statuses.
const (
	Pass  = "pass"
	Fail  = "fail"
	Error = "error"
)

// Result is one rule's outcome.
type Result struct {
	Rule, Column, Metric, Dimension, Severity string
	Threshold                                 string // as written: mustBe 0
	Expect                                    string // short form: = 0
	Measured                                  *float64
	Unit                                      string
	Status                                    string // pass | fail | error
	Error                                     string // why the rule could not run
}

// Report is one check of one product.
type Report struct {
	Product     catalog.Address
	Version     string
	CheckedAt   time.Time
	Duration    time.Duration
	Results     []Result
	Unreachable string     // the port could not be read: why (no results then)
	Newest      *time.Time // newest value of the freshness element
}

// Runner checks products in the engine.
type Runner struct {
	Engine *engine.Engine
	// Live returns the connector of a product served live from a remote
	// port (nil when there is none).
	Live func(a catalog.Address) connectors.Connector
	// Snapshot loads an evicted snapshot (nil: snapshots are not checked).
	Snapshot func(ctx context.Context, a catalog.Address) error
	// Timeout bounds one product's check (0: none).
	Timeout time.Duration
	// Now is the clock of freshness and retention (nil: time.Now).
	Now func() time.Time
}

func (r *Runner) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

// Check runs every rule and SLA of p in one scan (plus one query per sql
// rule).
func (r *Runner) Check(ctx context.Context, p *catalog.Product) (rep Report) {
	rep = Report{Product: p.Address, Version: p.Version, CheckedAt: r.now()}
	start := time.Now()
	defer func() { rep.Duration = time.Since(start) }()
	if r.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, r.Timeout)
		defer cancel()
	}
	sess, err := r.open(ctx, p)
	if err != nil {
		rep.Unreachable = fmt.Sprintf("port %s of product %s cannot be read: %v", p.Ports[0].Name, p.Address, err)
		return rep
	}
	defer sess.Close()
	if err := r.load(ctx, sess, p); err != nil {
		rep.Unreachable = reason(ctx, err, r.Timeout)
		return rep
	}
	scan := Compile(p)
	vals, err := query(ctx, sess, p.Address, scan.SQL, -1)
	if err != nil && ctx.Err() == nil {
		rep.Unreachable = fmt.Sprintf("port %s of product %s cannot be read: %v", p.Ports[0].Name, p.Address, err)
		return rep
	}
	scanErr := ""
	if err != nil || ctx.Err() != nil {
		// A scan that ended after the deadline (DuckDB can miss an
		// interrupt sent while a statement starts) is a timeout too:
		// a check over its time budget never passes.
		scanErr = reason(ctx, errOr(err, ctx.Err()), r.Timeout)
	}
	for _, rule := range p.Quality {
		res := Result{Rule: rule.Name, Column: rule.Column, Metric: rule.Describe(), Dimension: rule.Dimension, Severity: rule.Severity,
			Threshold: rule.Threshold.String(), Expect: rule.Threshold.Symbol(), Unit: rule.Unit}
		var v *float64
		var rerr string
		if rule.Type == "sql" {
			one, err := query(ctx, sess, p.Address, rule.Query, 1)
			if err != nil || ctx.Err() != nil {
				rerr = reason(ctx, errOr(err, ctx.Err()), r.Timeout)
			} else {
				v = one[0]
			}
		} else if scanErr != "" {
			rerr = scanErr
		} else {
			v = vals[scan.Index[rule.Name]]
			if v != nil && rule.Unit == "percent" {
				pct := 0.0
				if n := *vals[scan.rowsCol]; n > 0 {
					pct = *v * 100 / n
				}
				v = &pct
			}
		}
		res.Measured = v
		switch {
		case rerr != "":
			res.Status, res.Error = Error, rerr
		case v == nil:
			res.Status, res.Error = Error, "the rule measured NULL (the query returned no number)"
		case rule.Threshold.Holds(*v):
			res.Status = Pass
		default:
			res.Status = Fail
		}
		rep.Results = append(rep.Results, res)
	}
	rep.Results = append(rep.Results, r.slaResults(p, scan, vals, scanErr, &rep)...)
	return rep
}

// slaResults checks freshness (the newest element within the SLA) and
// retention (the oldest within it).
func (r *Runner) slaResults(p *catalog.Product, scan *Scan, vals []*float64, scanErr string, rep *Report) []Result {
	var out []Result
	check := func(name string, sla *catalog.SLAProperty, col int, dim, severity string) {
		if sla == nil || col < 0 {
			return
		}
		res := Result{Rule: name, Column: sla.Element, Metric: sla.Property + " of " + sla.Element, Dimension: dim, Severity: severity, Unit: sla.Unit,
			Threshold: fmt.Sprintf("mustBeLessOrEqualTo %s %s", catalog.FormatNumber(sla.Value), sla.Unit), Expect: fmt.Sprintf("≤ %s %s", catalog.FormatNumber(sla.Value), sla.Unit)}
		switch {
		case scanErr != "":
			res.Status, res.Error = Error, scanErr
		case vals[col] == nil:
			res.Status, res.Error = Error, fmt.Sprintf("%s cannot be measured: %s holds no values", sla.Property, sla.Element)
		default:
			at := time.UnixMicro(int64(*vals[col] * 1e6))
			if name == "freshness" {
				rep.Newest = &at
			}
			age := r.now().Sub(at).Seconds() / (sla.Duration().Seconds() / sla.Value)
			res.Measured = &age
			res.Status = Pass
			if age > sla.Value {
				res.Status = Fail
			}
		}
		out = append(out, res)
	}
	check("freshness", p.SLA.Freshness, scan.freshCol, "timeliness", "error")
	check("retention", p.SLA.Retention, scan.retainCol, "timeliness", "warning")
	return out
}

func errOr(err, other error) error {
	if err != nil {
		return err
	}
	return other
}

// reason is an error's text, saying so when the check ran out of time.
func reason(ctx context.Context, err error, timeout time.Duration) string {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return fmt.Sprintf("the check did not finish within its timeout of %s", timeout)
	}
	return err.Error()
}

// open creates the check's engine session: one view, the product as its
// port serves it (no policy shapes a check; the rules are the owner's).
func (r *Runner) open(ctx context.Context, p *catalog.Product) (*engine.Session, error) {
	if r.Engine.Product(p.Address) == nil {
		return nil, fmt.Errorf("product %s is not served (its descriptor or port is broken: run meshgate validate)", p.Address)
	}
	sess, err := r.Engine.NewSession(ctx, func(cat string) ([]engine.View, []string) {
		return []engine.View{{Address: p.Address, SQL: "SELECT * FROM " + r.Engine.SourceView(cat, p.Address)}}, nil
	})
	if err != nil {
		return nil, err
	}
	// Unqualified names resolve in the product's domain, as ruleScope says.
	sess.SetSearchPath([]string{p.Address.Domain})
	return sess, nil
}

// load fetches a remote product's rows into the check's session.
func (r *Runner) load(ctx context.Context, sess *engine.Session, p *catalog.Product) error {
	switch r.Engine.RemoteMode(p.Address) {
	case engine.ModeSnapshot:
		if r.Snapshot == nil {
			return fmt.Errorf("the snapshot of %s is not available", p.Address)
		}
		return r.Snapshot(ctx, p.Address)
	case engine.ModeLive:
		var c connectors.Connector
		if r.Live != nil {
			c = r.Live(p.Address)
		}
		if c == nil {
			return fmt.Errorf("product %s has no connector for its port", p.Address)
		}
		cols := make([]string, len(p.Columns))
		for i, col := range p.Columns {
			cols[i] = col.Name
		}
		rr, err := c.Scan(ctx, connectors.Request{Columns: cols, Limit: -1}) // every row
		if err != nil {
			return err
		}
		_, err = sess.Materialize(ctx, p.Address, rr)
		return err
	}
	return nil
}

// ruleScope lets a check read its own product and nothing else.
type ruleScope struct{ a catalog.Address }

func (s ruleScope) Lookup(domain, name string) error {
	if (catalog.Address{Domain: domain, Name: name}) == s.a {
		return nil
	}
	return sqlstate.New(sqlstate.InsufficientPrivilege, "a quality rule of %s may read only %s, not %s.%s", s.a, s.a, domain, name)
}

func (s ruleScope) SearchPath() []string { return []string{s.a.Domain} }

func (s ruleScope) CatalogSchema(string, string) string { return "mg$none" }

// CheckSQL checks a sql rule's query the way a user's is checked: one
// read statement that reads only its own product. sess is a check
// session of the product.
func CheckSQL(ctx context.Context, sess *engine.Session, a catalog.Address, sql string) (*planner.Read, error) {
	parts, err := planner.Split(sql)
	if err != nil {
		return nil, err
	}
	if len(parts) != 1 {
		return nil, sqlstate.New(sqlstate.SyntaxError, "the query holds %d statements; a quality rule is one SELECT", len(parts))
	}
	cl, err := planner.Classify(parts[0])
	if err != nil {
		return nil, err
	}
	if cl.Kind != planner.KindRead || cl.Explain {
		return nil, sqlstate.New(sqlstate.InsufficientPrivilege, "a quality rule's query must be a SELECT returning one number")
	}
	return planner.CheckRead(ctx, sess, ruleScope{a}, cl.Query)
}

// query runs one checked read in the check session and returns its single
// row as numbers (want: the number of columns; -1 any).
func query(ctx context.Context, sess *engine.Session, a catalog.Address, sql string, want int) ([]*float64, error) {
	read, err := CheckSQL(ctx, sess, a, sql)
	if err != nil {
		return nil, err
	}
	prep, err := sess.Prepare(ctx, "", read.SQL)
	if err != nil {
		return nil, err
	}
	defer prep.Close()
	if want > 0 {
		if err := oneNumber(prep.Schema()); err != nil {
			return nil, err
		}
	}
	rr, err := prep.Query(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer rr.Release()
	var row []*float64
	rows := 0
	for rr.Next() {
		rec := rr.RecordBatch()
		for i := 0; i < int(rec.NumRows()); i++ {
			rows++
			if rows > 1 {
				continue
			}
			for c := 0; c < int(rec.NumCols()); c++ {
				v, err := number(rec.Column(c), i)
				if err != nil {
					return nil, err
				}
				row = append(row, v)
			}
		}
	}
	if err := rr.Err(); err != nil {
		return nil, err
	}
	if rows != 1 {
		return nil, fmt.Errorf("the query returns %d rows; it must return one row with one number", rows)
	}
	return row, nil
}

// oneNumber checks that a sql rule's result is one numeric column.
func oneNumber(s *arrow.Schema) error {
	if n := len(s.Fields()); n != 1 {
		return fmt.Errorf("the query returns %d columns; it must return one number", n)
	}
	if t := s.Field(0).Type; !arrow.IsInteger(t.ID()) && !arrow.IsFloating(t.ID()) && t.ID() != arrow.DECIMAL128 {
		return fmt.Errorf("the query returns a %s; it must return a number", t)
	}
	return nil
}

// number reads a numeric Arrow value as a float64 (nil for NULL).
func number(col arrow.Array, i int) (*float64, error) {
	if col.IsNull(i) {
		return nil, nil
	}
	var v float64
	switch c := col.(type) {
	case *array.Float64:
		v = c.Value(i)
	case *array.Float32:
		v = float64(c.Value(i))
	case *array.Int64:
		v = float64(c.Value(i))
	case *array.Int32:
		v = float64(c.Value(i))
	case *array.Int16:
		v = float64(c.Value(i))
	case *array.Int8:
		v = float64(c.Value(i))
	case *array.Uint64:
		v = float64(c.Value(i))
	case *array.Uint32:
		v = float64(c.Value(i))
	case *array.Decimal128:
		v = c.Value(i).ToFloat64(col.DataType().(*arrow.Decimal128Type).Scale)
	default:
		return nil, fmt.Errorf("the query returns a %s; it must return a number", col.DataType())
	}
	return &v, nil
}
