package ops

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/meshgate/meshgate/planner/catalog"
	"github.com/meshgate/meshgate/sqlstate"
)

// Options configure the metrics.
type Options struct {
	// UserLabels adds the user name to the statement counters
	// (-metrics-user-labels): one series per user of the users file.
	UserLabels bool
	// Version is reported in meshgate_build_info.
	Version string
}

// Metrics is meshgate's Prometheus registry and the gateway's Recorder.
type Metrics struct {
	reg  *prometheus.Registry
	opts Options

	refused    *prometheus.CounterVec
	logins     *prometheus.CounterVec
	statements *prometheus.CounterVec
	latency    *prometheus.HistogramVec
	rowsSent   *prometheus.CounterVec

	portFetches  *prometheus.CounterVec
	portErrors   *prometheus.CounterVec
	portLatency  *prometheus.HistogramVec
	portRows     *prometheus.CounterVec
	portPushdown *prometheus.CounterVec

	policyReloads *prometheus.CounterVec
	policyVersion *prometheus.GaugeVec

	sources *sources // collectors.go: values read at scrape time
}

// NewMetrics returns a registry with meshgate's metrics and Go's process
// and runtime collectors.
func NewMetrics(o Options) *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry(), opts: o, sources: &sources{}}
	statementLabels := []string{"kind", "protocol", "sqlstate_class"}
	if o.UserLabels {
		statementLabels = append(statementLabels, "user")
	}
	m.refused = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "meshgate_connections_refused_total",
		Help: "Connections refused before their session started, by reason."}, []string{"reason"})
	m.logins = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "meshgate_logins_total",
		Help: "Login attempts by front door and result (ok, failed)."}, []string{"protocol", "result"})
	m.statements = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "meshgate_statements_total",
		Help: "Answered statements by kind, front door and SQLSTATE class (00 = success)."}, statementLabels)
	m.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "meshgate_statement_duration_seconds",
		Help: "Statement latency, from execution to the last row sent.", Buckets: prometheus.ExponentialBuckets(0.0005, 4, 10)},
		[]string{"kind", "protocol"})
	m.rowsSent = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "meshgate_rows_sent_total",
		Help: "Rows sent to clients, by front door."}, []string{"protocol"})
	m.portFetches = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "meshgate_port_fetches_total",
		Help: "Fetches of live remote ports, by product."}, []string{"product"})
	m.portErrors = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "meshgate_port_fetch_errors_total",
		Help: "Failed fetches of live remote ports, by product and SQLSTATE class."}, []string{"product", "sqlstate_class"})
	m.portLatency = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "meshgate_port_fetch_duration_seconds",
		Help: "Latency of live port fetches, by product.", Buckets: prometheus.ExponentialBuckets(0.001, 4, 9)}, []string{"product"})
	m.portRows = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "meshgate_port_rows_fetched_total",
		Help: "Rows fetched from live remote ports, by product."}, []string{"product"})
	m.portPushdown = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "meshgate_port_pushdown_total",
		Help: "Live port fetches that pushed a predicate or a limit to the source, by product."}, []string{"product"})
	m.policyReloads = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "meshgate_policy_reloads_total",
		Help: "Policy reloads by result (ok, refused)."}, []string{"result"})
	m.policyVersion = prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "meshgate_policy_info",
		Help: "The policy version in force (value 1)."}, []string{"version"})
	build := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "meshgate_build_info", Help: "meshgate's version (value 1)."}, []string{"version"})
	build.WithLabelValues(o.Version).Set(1)
	m.reg.MustRegister(m.refused, m.logins, m.statements, m.latency, m.rowsSent,
		m.portFetches, m.portErrors, m.portLatency, m.portRows, m.portPushdown,
		m.policyReloads, m.policyVersion, build, m.sources,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	for _, r := range []string{"ok", "refused"} {
		m.policyReloads.WithLabelValues(r)
	}
	return m
}

// Registry is the registry the /metrics handler serves.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Login implements gateway.Recorder.
func (m *Metrics) Login(protocol string, ok bool) {
	result := "failed"
	if ok {
		result = "ok"
	}
	m.logins.WithLabelValues(door(protocol), result).Inc()
}

// Refused implements gateway.Recorder.
func (m *Metrics) Refused(reason string) { m.refused.WithLabelValues(reason).Inc() }

// Statement implements gateway.Recorder.
func (m *Metrics) Statement(kind, protocol, user, state string, d time.Duration, rows int64) {
	protocol = door(protocol)
	labels := []string{kind, protocol, stateClass(state)}
	if m.opts.UserLabels {
		labels = append(labels, user)
	}
	m.statements.WithLabelValues(labels...).Inc()
	m.latency.WithLabelValues(kind, protocol).Observe(d.Seconds())
	if rows > 0 {
		m.rowsSent.WithLabelValues(protocol).Add(float64(rows))
	}
}

// PortFetch implements gateway.Recorder.
func (m *Metrics) PortFetch(product catalog.Address, d time.Duration, rows int64, pushdown bool, err error) {
	p := product.String()
	m.portFetches.WithLabelValues(p).Inc()
	m.portLatency.WithLabelValues(p).Observe(d.Seconds())
	if rows > 0 {
		m.portRows.WithLabelValues(p).Add(float64(rows))
	}
	if pushdown {
		m.portPushdown.WithLabelValues(p).Inc()
	}
	if err != nil {
		m.portErrors.WithLabelValues(p, stateClass(sqlstate.CodeOf(err))).Inc()
	}
}

// PolicyApplied records a policy put in force (at start or by a reload).
func (m *Metrics) PolicyApplied(version string, reload bool) {
	m.policyVersion.Reset()
	m.policyVersion.WithLabelValues(version).Set(1)
	if reload {
		m.policyReloads.WithLabelValues("ok").Inc()
	}
}

// PolicyRefused records a refused policy reload.
func (m *Metrics) PolicyRefused() { m.policyReloads.WithLabelValues("refused").Inc() }

// door bounds the front door label to the known ones.
func door(protocol string) string {
	switch protocol {
	case "", "pgwire":
		return "pgwire"
	case "http", "flight":
		return protocol
	}
	return "other"
}

// stateClass is a SQLSTATE's class (its first two characters), "XX" for
// anything that is not a SQLSTATE: at most a few dozen values.
func stateClass(state string) string {
	if len(state) != 5 {
		return "XX"
	}
	for _, ch := range state[:2] {
		if (ch < '0' || ch > '9') && (ch < 'A' || ch > 'Z') {
			return "XX"
		}
	}
	return state[:2]
}
