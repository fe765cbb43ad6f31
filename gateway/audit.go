package gateway

import (
	"context"
	"fmt"
	"sort"
	"sync/atomic"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/meshgate/meshgate/auth/audit"
	"github.com/meshgate/meshgate/engine"
	"github.com/meshgate/meshgate/sqlstate"
)

// auditNext numbers statements within a gateway for query ids.
type auditNext struct{ n atomic.Uint64 }

// audit writes the record of one statement. It runs when the statement's
// answer is complete (for reads: when the last row was sent), before the
// client's next statement.
func (s *session) audit(st *statement, start time.Time, err error, rows int64) {
	state := sqlstate.SuccessfulCompletion
	if err != nil {
		state = sqlstate.CodeOf(err)
	}
	traceID := st.endTrace(state)
	s.g.recorder().Statement(st.cl.Kind.Family(), s.protocol, s.user.Name, state, time.Since(start), rows)
	trace := s.trace
	s.trace = ""
	l := s.g.audit
	if l == nil {
		return
	}
	r := audit.Record{
		TraceID:     traceID,
		QueryID:     fmt.Sprintf("%d-%d", s.pid, s.g.queries.n.Add(1)),
		Time:        time.Now().UTC(),
		User:        s.user.Name,
		Groups:      s.user.Groups,
		ClientAddr:  s.client,
		Protocol:    s.protocol,
		Application: s.values["application_name"],
		Statement:   truncate(st.cl.SQL, 4096),
		Kind:        st.cl.Kind.Family(),
		Rows:        rows,
		DurationMS:  float64(time.Since(start).Microseconds()) / 1000,
		Decision:    "allowed",
		SQLState:    sqlstate.SuccessfulCompletion,
		Cached:      st.cached && err == nil,
	}
	if d := s.delegation; d != nil {
		r.DelegatedBy, r.TraceID = d.by, d.traceID
	}
	if trace != "" {
		r.TraceID = trace
	}
	if s.policySet != nil {
		r.PolicyVersion = s.policySet.Version
	}
	if err != nil {
		r.SQLState = sqlstate.CodeOf(err)
		r.Decision = "error"
		if r.SQLState == sqlstate.InsufficientPrivilege {
			r.Decision = "denied"
		}
	}
	if st.read != nil {
		rules := map[string]bool{}
		attrs := map[string]bool{}
		// What DuckDB's bound plan reads when the statement got that far;
		// before, what the planner resolved from its text.
		products := st.read.Products
		var planned map[string]bool
		if st.plan != nil {
			products = st.plan.Products
			planned = map[string]bool{}
			for _, c := range st.plan.Columns {
				planned[c] = true
			}
		}
		for _, a := range products {
			d, ok := s.decisions[a]
			if !ok {
				continue
			}
			version := ""
			if p := s.g.engine.Product(a); p != nil {
				version = p.Version
			}
			r.Products = append(r.Products, a.String())
			r.Versions = append(r.Versions, a.String()+"@"+version)
			for _, c := range d.Columns {
				col := a.String() + "." + c.Name
				// Columns of what the plan read that the statement names
				// (all of them under a *): what it can have read.
				if (planned == nil || planned[col]) && (st.read.Star || contains(st.read.ColumnRefs, c.Name)) {
					r.Columns = append(r.Columns, col)
				}
			}
			for _, id := range d.Rules() {
				rules[id] = true
			}
			for _, f := range d.Filters {
				for k := range s.user.Attributes {
					if containsWord(f.SQL, k) {
						attrs[k] = true
					}
				}
			}
		}
		r.Rules = sortedKeys(rules)
		r.Health = st.health
		if st.push != nil && st.push.ran {
			r.Pushed = []string{st.push.describe()}
		}
		r.Attributes = sortedKeys(attrs)
	}
	if werr := l.Write(r); werr != nil {
		s.log.Error("audit record not written", "err", werr)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func containsWord(text, w string) bool {
	for i := 0; i+len(w) <= len(text); i++ {
		if text[i:i+len(w)] == w {
			return true
		}
	}
	return false
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// auditedRecords counts the rows a client is sent and writes the audit
// record when the result is released.
type auditedRecords struct {
	array.RecordReader
	rows int64
	refs int
	done func(rows int64, err error)
}

func (a *auditedRecords) Next() bool {
	if !a.RecordReader.Next() {
		return false
	}
	a.rows += a.RecordReader.RecordBatch().NumRows()
	return true
}

func (a *auditedRecords) Retain() { a.refs++; a.RecordReader.Retain() }

func (a *auditedRecords) Release() {
	if a.refs == 0 && a.done != nil {
		a.done(a.rows, a.RecordReader.Err())
		a.done = nil
	}
	a.refs--
	a.RecordReader.Release()
}

// AuditSink copies audit records into the engine's queryable audit table
// (meshgate.audit), for audit.Open.
func AuditSink(e *engine.Engine) audit.Sink { return engineSink{e} }

type engineSink struct{ eng *engine.Engine }

func (s engineSink) Append(ctx context.Context, recs []audit.Record) error {
	return s.eng.AppendAudit(ctx, recs)
}
