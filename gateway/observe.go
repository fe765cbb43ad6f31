package gateway

import (
	"context"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/meshgate/meshgate/connectors"
	"github.com/meshgate/meshgate/planner/catalog"
)

// Recorder receives the gateway's operational events (ops/ turns them into
// Prometheus metrics). Every value it is given is bounded: kinds, protocols,
// SQLSTATE classes, refusal reasons and product addresses of the mesh —
// never SQL text. The user name is passed for -metrics-user-labels; a
// Recorder without that option ignores it. Implementations must be safe
// for concurrent use and must not block.
type Recorder interface {
	// Login is one login attempt's outcome on a front door.
	Login(protocol string, ok bool)
	// Refused is a connection refused before its session started, by
	// reason (auth, access_rule, tls_required, too_many_connections,
	// database, replication, protocol).
	Refused(reason string)
	// Statement is one answered statement: its kind (read, cursor, …),
	// front door, SQLSTATE, duration and the rows sent.
	Statement(kind, protocol, user, state string, d time.Duration, rows int64)
	// PortFetch is one fetch of a live remote port for a statement.
	PortFetch(product catalog.Address, d time.Duration, rows int64, pushdown bool, err error)
}

// nopRecorder records nothing (the default).
type nopRecorder struct{}

func (nopRecorder) Login(string, bool)                                             {}
func (nopRecorder) Refused(string)                                                 {}
func (nopRecorder) Statement(string, string, string, string, time.Duration, int64) {}
func (nopRecorder) PortFetch(catalog.Address, time.Duration, int64, bool, error)   {}

// SetRecorder installs the recorder of operational events; call it before
// serving.
func (g *Gateway) SetRecorder(r Recorder) {
	if r == nil {
		r = nopRecorder{}
	}
	g.rec = r
}

func (g *Gateway) recorder() Recorder {
	if g.rec == nil {
		return nopRecorder{}
	}
	return g.rec
}

// refusalReason names why a connection was refused, from the error's
// SQLSTATE: a bounded set of label values.
func refusalReason(code string) string {
	switch code {
	case "28P01":
		return "auth"
	case "28000":
		return "access_rule"
	case "53300":
		return "too_many_connections"
	case "3D000":
		return "database"
	case "0A000":
		return "not_supported"
	case "08P01":
		return "protocol"
	}
	return "other"
}

// tracer is the gateway's OpenTelemetry tracer: a no-op until the process
// installs a tracer provider (meshgate serve -trace-otlp / -trace-file).
func tracer() trace.Tracer { return otel.Tracer("github.com/meshgate/meshgate/gateway") }

// startSpan starts a child span of the statement's span (a no-op span when
// tracing is off).
func (st *statement) startSpan(name string, attrs ...attribute.KeyValue) trace.Span {
	ctx := st.traceCtx
	if ctx == nil {
		ctx = context.Background()
	}
	_, span := tracer().Start(ctx, name, trace.WithAttributes(attrs...))
	return span
}

// beginTrace starts the statement's root span if none is open: one span
// per execution, from Parse (or Bind) to the audit record.
func (st *statement) beginTrace(ctx context.Context) {
	if st.span != nil {
		return
	}
	st.traceCtx, st.span = tracer().Start(ctx, "statement",
		trace.WithSpanKind(trace.SpanKindServer),
		trace.WithAttributes(attribute.String("db.system", "postgresql"), attribute.String("meshgate.protocol", st.s.protocol),
			attribute.String("meshgate.kind", st.cl.Kind.Family())))
}

// endTrace ends the statement's root span and returns its trace id ("" when
// tracing is off).
func (st *statement) endTrace(state string) string {
	if st.span == nil {
		return ""
	}
	span := st.span
	st.span, st.traceCtx = nil, nil
	span.SetAttributes(attribute.String("db.response.status_code", state))
	if st.send != nil {
		st.send.End()
		st.send = nil
	}
	span.End()
	if sc := span.SpanContext(); sc.HasTraceID() {
		return sc.TraceID().String()
	}
	return ""
}

// Snapshots lists the state of every snapshot port (ops/ reads it at each
// scrape); nil before StartRemote.
func (g *Gateway) Snapshots() []connectors.Freshness {
	if g.snapshots == nil {
		return nil
	}
	return g.snapshots.Freshness()
}
