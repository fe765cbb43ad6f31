package ops

import (
	"sort"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/meshgate/meshgate/auth/audit"
	"github.com/meshgate/meshgate/connectors"
	"github.com/meshgate/meshgate/gateway/pgwire"
)

// CacheStats is what the result cache reports (the hook SetCacheStats).
type CacheStats struct {
	Hits, Misses int64 // lookups since the start
	Bytes        int64 // bytes held now
}

// sources are the values other parts own, read at each scrape.
type sources struct {
	mu        sync.Mutex
	server    func() pgwire.Stats
	audit     func() audit.Stats
	snapshots func() []connectors.Freshness
	cache     func() CacheStats
	health    func() map[string]int
}

// SetServer reads the connection and byte counts of the pgwire server.
func (m *Metrics) SetServer(f func() pgwire.Stats) { m.sources.set(func(s *sources) { s.server = f }) }

// SetAudit reads the audit log's counts.
func (m *Metrics) SetAudit(f func() audit.Stats) { m.sources.set(func(s *sources) { s.audit = f }) }

// SetSnapshots reads the snapshot ports' states (gateway.Gateway.Snapshots).
func (m *Metrics) SetSnapshots(f func() []connectors.Freshness) {
	m.sources.set(func(s *sources) { s.snapshots = f })
}

// SetCacheStats is the result cache's hook point: the cache's counts as
// meshgate_result_cache_hits_total, _misses_total and _bytes.
func (m *Metrics) SetCacheStats(f func() CacheStats) { m.sources.set(func(s *sources) { s.cache = f }) }

// SetHealth is product health's hook point: the number of products per
// health status (ok, degraded, failing, …) as meshgate_products{status}.
// Statuses must be a fixed set, not free text.
func (m *Metrics) SetHealth(f func() map[string]int) {
	m.sources.set(func(s *sources) { s.health = f })
}

func (s *sources) set(f func(*sources)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(s)
}

var (
	descAccepted  = prometheus.NewDesc("meshgate_connections_accepted_total", "Connections accepted by the PostgreSQL listener.", nil, nil)
	descOpen      = prometheus.NewDesc("meshgate_connections_open", "Connections open now.", nil, nil)
	descBytesSent = prometheus.NewDesc("meshgate_sent_bytes_total", "Bytes written to PostgreSQL clients.", nil, nil)
	descCancels   = prometheus.NewDesc("meshgate_cancel_requests_total",
		"CancelRequests received, by outcome: canceled (a connection of this replica), forwarded (to the peers: another replica's), unmatched, dropped (too many forwards in flight).", []string{"outcome"}, nil)

	descAuditWritten = prometheus.NewDesc("meshgate_audit_records_written_total", "Audit records written to the audit file.", nil, nil)
	descAuditDropped = prometheus.NewDesc("meshgate_audit_records_dropped_total",
		"Audit records lost, by where: file (not written), table (not copied to meshgate.audit).", []string{"where"}, nil)
	descAuditQueue = prometheus.NewDesc("meshgate_audit_queue_depth", "Audit records waiting to be copied to meshgate.audit.", nil, nil)

	descSnapAge      = prometheus.NewDesc("meshgate_snapshot_age_seconds", "Time since the snapshot's last successful refresh.", []string{"product"}, nil)
	descSnapRows     = prometheus.NewDesc("meshgate_snapshot_rows", "Rows of the loaded snapshot.", []string{"product"}, nil)
	descSnapBytes    = prometheus.NewDesc("meshgate_snapshot_bytes", "Bytes of the loaded snapshot.", []string{"product"}, nil)
	descSnapFailures = prometheus.NewDesc("meshgate_snapshot_refresh_failures_total", "Failed refreshes of the snapshot.", []string{"product"}, nil)

	descCacheHits   = prometheus.NewDesc("meshgate_result_cache_hits_total", "Result cache hits.", nil, nil)
	descCacheMisses = prometheus.NewDesc("meshgate_result_cache_misses_total", "Result cache misses.", nil, nil)
	descCacheBytes  = prometheus.NewDesc("meshgate_result_cache_bytes", "Bytes held by the result cache.", nil, nil)

	descProducts = prometheus.NewDesc("meshgate_products", "Served products by health status.", []string{"status"}, nil)
)

// Describe implements prometheus.Collector.
func (s *sources) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descAccepted, descOpen, descBytesSent, descCancels, descAuditWritten, descAuditDropped, descAuditQueue,
		descSnapAge, descSnapRows, descSnapBytes, descSnapFailures, descCacheHits, descCacheMisses, descCacheBytes, descProducts} {
		ch <- d
	}
}

// Collect implements prometheus.Collector: each source that is wired.
func (s *sources) Collect(ch chan<- prometheus.Metric) {
	s.mu.Lock()
	server, aud, snaps, cache, health := s.server, s.audit, s.snapshots, s.cache, s.health
	s.mu.Unlock()
	counter := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, v, labels...)
	}
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	if server != nil {
		st := server()
		counter(descAccepted, float64(st.Accepted))
		gauge(descOpen, float64(st.Open))
		counter(descBytesSent, float64(st.BytesSent))
		counter(descCancels, float64(st.Cancels.Canceled), "canceled")
		counter(descCancels, float64(st.Cancels.Forwarded), "forwarded")
		counter(descCancels, float64(st.Cancels.Unmatched), "unmatched")
		counter(descCancels, float64(st.Cancels.Dropped), "dropped")
	}
	if aud != nil {
		st := aud()
		counter(descAuditWritten, float64(st.Written))
		counter(descAuditDropped, float64(st.Dropped), "file")
		counter(descAuditDropped, float64(st.SinkDropped), "table")
		gauge(descAuditQueue, float64(st.Queued))
	}
	if snaps != nil {
		for _, f := range snaps() {
			p := f.Product.String()
			if f.Loaded && !f.LastRefresh.IsZero() {
				gauge(descSnapAge, time.Since(f.LastRefresh).Seconds(), p)
			}
			gauge(descSnapRows, float64(f.Rows), p)
			gauge(descSnapBytes, float64(f.Bytes), p)
			counter(descSnapFailures, float64(f.Failures), p)
		}
	}
	if cache != nil {
		st := cache()
		counter(descCacheHits, float64(st.Hits))
		counter(descCacheMisses, float64(st.Misses))
		gauge(descCacheBytes, float64(st.Bytes))
	}
	if health != nil {
		byStatus := health()
		statuses := make([]string, 0, len(byStatus))
		for k := range byStatus {
			statuses = append(statuses, k)
		}
		sort.Strings(statuses)
		for _, k := range statuses {
			gauge(descProducts, float64(byStatus[k]), k)
		}
	}
}
