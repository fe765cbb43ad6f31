package engine

import (
	"fmt"
	"strings"
	"time"

	"github.com/meshgate/meshgate/internal/sqlquote"
	"github.com/meshgate/meshgate/planner/catalog"
)

// The products meshgate.quality and meshgate.health (package quality
// computes them; the engine stores them like the audit trail).

const qualityColumns = "product VARCHAR, version VARCHAR, rule VARCHAR, dimension VARCHAR, severity VARCHAR, measured DOUBLE, threshold VARCHAR, status VARCHAR, checked_at TIMESTAMPTZ, duration_ms DOUBLE, error VARCHAR"

const healthColumns = "product VARCHAR, status VARCHAR, since TIMESTAMPTZ, failing_rules VARCHAR[], last_check TIMESTAMPTZ, freshness_age INTERVAL, freshness_sla INTERVAL"

// QualityRow is one run of one rule.
type QualityRow struct {
	Product, Version, Rule, Dimension, Severity, Threshold, Status, Error string
	Measured                                                              *float64
	CheckedAt                                                             time.Time
	Duration                                                              time.Duration
}

// HealthRow is one product's health.
type HealthRow struct {
	Product, Status  string
	Since, LastCheck time.Time
	Failing          []string
	Age, SLA         time.Duration // 0: unknown / none
	HasAge, HasSLA   bool
}

// SetQuality replaces the rows of meshgate.quality (the bounded history).
func (e *Engine) SetQuality(rows []QualityRow) error {
	vals := make([]string, len(rows))
	for i, r := range rows {
		m := "NULL"
		if r.Measured != nil {
			m = fmt.Sprintf("%g", *r.Measured)
		}
		vals[i] = fmt.Sprintf("(%s, %s, %s, %s, %s, %s, %s, %s, %s, %f, %s)", sqlquote.Literal(r.Product), sqlquote.Literal(r.Version), sqlquote.Literal(r.Rule),
			nullable(r.Dimension), sqlquote.Literal(r.Severity), m, sqlquote.Literal(r.Threshold), sqlquote.Literal(r.Status), timeLiteral(r.CheckedAt),
			float64(r.Duration.Microseconds())/1000, nullable(r.Error))
	}
	return e.replaceRows("memory.mg_audit.quality", vals)
}

// SetHealth replaces the rows of meshgate.health.
func (e *Engine) SetHealth(rows []HealthRow) error {
	vals := make([]string, len(rows))
	for i, r := range rows {
		vals[i] = fmt.Sprintf("(%s, %s, %s, %s, %s, %s, %s)", sqlquote.Literal(r.Product), sqlquote.Literal(r.Status), timeLiteral(r.Since),
			listLiteral(r.Failing), timeLiteral(r.LastCheck), intervalLiteral(r.Age, r.HasAge), intervalLiteral(r.SLA, r.HasSLA))
	}
	return e.replaceRows("memory.mg_audit.health", vals)
}

func (e *Engine) replaceRows(table string, vals []string) error {
	q := "BEGIN TRANSACTION; DELETE FROM " + table
	if len(vals) > 0 {
		q += "; INSERT INTO " + table + " VALUES " + strings.Join(vals, ", ")
	}
	return e.exec(q + "; COMMIT")
}

func nullable(s string) string {
	if s == "" {
		return "NULL"
	}
	return sqlquote.Literal(s)
}

func timeLiteral(t time.Time) string {
	if t.IsZero() {
		return "NULL"
	}
	return sqlquote.Literal(t.UTC().Format("2006-01-02 15:04:05.999999+00")) + "::TIMESTAMPTZ"
}

func intervalLiteral(d time.Duration, ok bool) string {
	if !ok {
		return "NULL"
	}
	return fmt.Sprintf("to_microseconds(%d)", d.Microseconds())
}

func builtIn(name, port, desc string, cols []catalog.Column) *catalog.Product {
	return &catalog.Product{
		Address: catalog.Address{Domain: "meshgate", Name: name}, Version: "1.0.0", Status: "active", Type: "source-aligned",
		Description: desc, Owner: catalog.Owner{Team: "meshgate"},
		Ports:   []catalog.Port{{Name: "state", Type: "internal", Location: port}},
		Columns: cols, File: "(built in)",
	}
}

func internalCol(name, typ, desc string) catalog.Column {
	return catalog.Column{Name: name, Type: typ, Description: desc, Classification: "internal"}
}

// BuiltInProducts are the products meshgate itself serves: meshgate.audit,
// freshness, quality, health, lineage, usage, cache, products and columns. Add them to the mesh before Open; who may
// read them, and which rows, is up to the policy like any product.
func BuiltInProducts() []*catalog.Product {
	return append([]*catalog.Product{AuditProduct(), FreshnessProduct(), QualityProduct(), HealthProduct(), LineageProduct(), UsageProduct(), CacheProduct()}, DiscoveryProducts()...)
}

// QualityProduct is meshgate.quality: the last runs of every quality rule.
func QualityProduct() *catalog.Product {
	return builtIn("quality", "quality", "Results of the products' quality rules and SLA checks (the last 100 runs of each rule).", []catalog.Column{
		internalCol("product", "VARCHAR", "Product address."),
		internalCol("version", "VARCHAR", "Product version checked."),
		internalCol("rule", "VARCHAR", "Rule name."),
		internalCol("dimension", "VARCHAR", "Quality dimension (accuracy, completeness, …)."),
		internalCol("severity", "VARCHAR", "error or warning."),
		internalCol("measured", "DOUBLE", "The measured value (NULL when the rule could not run)."),
		internalCol("threshold", "VARCHAR", "The threshold, as written (mustBe 0)."),
		internalCol("status", "VARCHAR", "pass, fail or error."),
		internalCol("checked_at", "TIMESTAMP WITH TIME ZONE", "When the rule ran."),
		internalCol("duration_ms", "DOUBLE", "How long the product's check took."),
		internalCol("error", "VARCHAR", "Why the rule could not run."),
	})
}

// HealthProduct is meshgate.health: one row per product.
func HealthProduct() *catalog.Product {
	return builtIn("health", "health", "Health of every product against its contract: healthy, warning, failing, stale, unreachable or unchecked.", []catalog.Column{
		internalCol("product", "VARCHAR", "Product address."),
		internalCol("status", "VARCHAR", "healthy, warning, failing, stale, unreachable or unchecked."),
		internalCol("since", "TIMESTAMP WITH TIME ZONE", "When the product entered this status."),
		internalCol("failing_rules", "VARCHAR[]", "Rules that fail or could not run."),
		internalCol("last_check", "TIMESTAMP WITH TIME ZONE", "When the product was last checked."),
		internalCol("freshness_age", "INTERVAL", "Age of the newest row (now − max of the freshness element)."),
		internalCol("freshness_sla", "INTERVAL", "The freshness SLA."),
	})
}
