package engine

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/meshgate/meshgate/auth/audit"
	"github.com/meshgate/meshgate/internal/sqlquote"
	"github.com/meshgate/meshgate/planner/catalog"
)

// AuditColumns are the columns of the audit table (meshgate.audit).
const AuditColumns = "query_id VARCHAR, logged_at TIMESTAMPTZ, user_name VARCHAR, groups VARCHAR[], client_addr VARCHAR, application_name VARCHAR, " +
	"statement VARCHAR, products VARCHAR[], columns VARCHAR[], rules VARCHAR[], policy_version VARCHAR, decision VARCHAR, " +
	"row_count BIGINT, duration_ms DOUBLE, sqlstate VARCHAR, protocol VARCHAR, health VARCHAR[], trace_id VARCHAR, delegated_by VARCHAR, pushed VARCHAR[], cached BOOLEAN"

// auditRetention bounds the audit table; the audit file keeps everything.
const auditRetention = 100000

// AppendAudit adds audit records to the queryable audit table
// (meshgate.audit) and trims it to the most recent rows; it is the audit
// log's Sink (AuditSink).
func (e *Engine) AppendAudit(ctx context.Context, rows []audit.Record) error {
	if len(rows) == 0 {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	vals := make([]string, len(rows))
	for i, r := range rows {
		vals[i] = fmt.Sprintf("(%s, %s::TIMESTAMPTZ, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %d, %f, %s, %s, %s, %s, %s, %s, %t)",
			sqlquote.Literal(r.QueryID), sqlquote.Literal(r.Time.UTC().Format("2006-01-02 15:04:05.999999+00")), sqlquote.Literal(r.User),
			listLiteral(r.Groups), sqlquote.Literal(r.ClientAddr), sqlquote.Literal(r.Application), sqlquote.Literal(r.Statement),
			listLiteral(r.Versions), listLiteral(r.Columns), listLiteral(r.Rules), sqlquote.Literal(r.PolicyVersion),
			sqlquote.Literal(r.Decision), r.Rows, r.DurationMS, sqlquote.Literal(r.SQLState), sqlquote.Literal(r.Protocol), listLiteral(r.Health),
			sqlquote.Literal(r.TraceID), sqlquote.Literal(r.DelegatedBy), listLiteral(r.Pushed), r.Cached)
	}
	q := "INSERT INTO memory.mg_audit.records VALUES " + strings.Join(vals, ", ") +
		fmt.Sprintf("; DELETE FROM memory.mg_audit.records WHERE logged_at < (SELECT min(logged_at) FROM (SELECT logged_at FROM memory.mg_audit.records ORDER BY logged_at DESC LIMIT %d))", auditRetention)
	return e.exec(q)
}

func listLiteral(xs []string) string {
	q := make([]string, len(xs))
	for i, x := range xs {
		q[i] = sqlquote.Literal(x)
	}
	return "[" + strings.Join(q, ", ") + "]::VARCHAR[]"
}

// AuditProduct is the product under which the audit trail is queryable,
// meshgate.audit; serve it by adding it to the mesh before Open. Who may
// read it, and which rows, is up to the policy like any product.
func AuditProduct() *catalog.Product {
	col := func(name, typ, desc string) catalog.Column {
		return catalog.Column{Name: name, Type: typ, Description: desc, Classification: "confidential"}
	}
	return &catalog.Product{
		Address:     catalog.Address{Domain: "meshgate", Name: "audit"},
		Version:     "1.0.0",
		Status:      "active",
		Type:        "source-aligned",
		Description: "The gateway's audit trail: one record per statement (the most recent 100,000).",
		Owner:       catalog.Owner{Team: "meshgate", Contact: ""},
		Ports:       []catalog.Port{{Name: "trail", Type: "internal", Location: "audit"}},
		Columns: []catalog.Column{
			col("query_id", "VARCHAR", "Identifier of the statement."),
			col("logged_at", "TIMESTAMP WITH TIME ZONE", "When the statement ended."),
			col("user_name", "VARCHAR", "Who ran it."),
			col("groups", "VARCHAR[]", "The user's groups."),
			col("client_addr", "VARCHAR", "Client address."),
			col("application_name", "VARCHAR", "Client application."),
			col("statement", "VARCHAR", "Statement text."),
			col("products", "VARCHAR[]", "Products read (address@version)."),
			col("columns", "VARCHAR[]", "Columns read."),
			col("rules", "VARCHAR[]", "Policy rules applied."),
			col("policy_version", "VARCHAR", "Version of the policy in force."),
			col("decision", "VARCHAR", "allowed, denied or error."),
			col("row_count", "BIGINT", "Rows returned."),
			col("duration_ms", "DOUBLE", "Duration in milliseconds."),
			col("sqlstate", "VARCHAR", "Outcome as a SQLSTATE."),
			col("protocol", "VARCHAR", "Front door: pgwire, http or flight."),
			col("health", "VARCHAR[]", "Health of each product read (address=status, see meshgate.health)."),
			col("trace_id", "VARCHAR", "The statement's trace (OpenTelemetry), or the statement id a delegating gateway shares."),
			col("delegated_by", "VARCHAR", "Service account of the trusted gateway that spoke for the user."),
			col("pushed", "VARCHAR[]", "The statement each source answered (port: SQL) when it was pushed to its source."),
			col("cached", "BOOLEAN", "The answer came from the gateway's result cache."),
		},
		File: "(built in)",
	}
}

const freshnessColumns = "product VARCHAR, mode VARCHAR, loaded BOOLEAN, last_refresh TIMESTAMPTZ, row_count BIGINT, size_bytes BIGINT, last_error VARCHAR"

// FreshnessRow is one remote product's freshness.
type FreshnessRow struct {
	Product     catalog.Address
	Mode        string
	Loaded      bool
	LastRefresh time.Time
	Rows, Bytes int64
	LastError   string
}

// SetFreshness replaces the rows of meshgate.freshness.
func (e *Engine) SetFreshness(rows []FreshnessRow) error {
	vals := make([]string, len(rows))
	for i, r := range rows {
		at := "NULL"
		if !r.LastRefresh.IsZero() {
			at = sqlquote.Literal(r.LastRefresh.UTC().Format("2006-01-02 15:04:05.999999+00")) + "::TIMESTAMPTZ"
		}
		errText := "NULL"
		if r.LastError != "" {
			errText = sqlquote.Literal(r.LastError)
		}
		vals[i] = fmt.Sprintf("(%s, %s, %t, %s, %d, %d, %s)", sqlquote.Literal(r.Product.String()), sqlquote.Literal(r.Mode), r.Loaded, at, r.Rows, r.Bytes, errText)
	}
	q := "BEGIN TRANSACTION; DELETE FROM memory.mg_audit.freshness"
	if len(vals) > 0 {
		q += "; INSERT INTO memory.mg_audit.freshness VALUES " + strings.Join(vals, ", ")
	}
	return e.exec(q + "; COMMIT")
}

// FreshnessProduct is the product meshgate.freshness: when each remote
// product's snapshot was refreshed, how old it is, and how big.
func FreshnessProduct() *catalog.Product {
	col := func(name, typ, desc string) catalog.Column {
		return catalog.Column{Name: name, Type: typ, Description: desc, Classification: "internal"}
	}
	return &catalog.Product{
		Address:     catalog.Address{Domain: "meshgate", Name: "freshness"},
		Version:     "1.0.0",
		Status:      "active",
		Type:        "source-aligned",
		Description: "Freshness of the products served from snapshots of remote ports.",
		Owner:       catalog.Owner{Team: "meshgate"},
		Ports:       []catalog.Port{{Name: "state", Type: "internal", Location: "freshness"}},
		Columns: []catalog.Column{
			col("product", "VARCHAR", "Product address."),
			col("mode", "VARCHAR", "snapshot or live."),
			col("loaded", "BOOLEAN", "Whether the snapshot is in memory (false after an eviction)."),
			col("last_refresh", "TIMESTAMP WITH TIME ZONE", "When the snapshot was last refreshed."),
			col("age", "INTERVAL", "How old the snapshot is now."),
			col("row_count", "BIGINT", "Rows in the snapshot."),
			col("size_bytes", "BIGINT", "Approximate memory size of the snapshot."),
			col("last_error", "VARCHAR", "The last refresh's error, if it failed."),
		},
		File: "(built in)",
	}
}
