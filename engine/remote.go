package engine

import (
	"context"
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/duckdb/duckdb-go/v2/arrowmapping"
	"github.com/duckdb/duckdb-go/v2/mapping"

	"github.com/meshgate/meshgate/internal/sqlquote"
	"github.com/meshgate/meshgate/planner/catalog"
	"github.com/meshgate/meshgate/sqlstate"
)

// Remote ports (PostgreSQL, HTTP) reach DuckDB as Arrow streams that the
// engine materialises into tables (ARCHITECTURE.md fact 1: never scan a
// registered Arrow view with filters or projections). A snapshot port's
// rows live in memory.mg_remote, shared by every session and refreshed in
// the background; a live port's rows are fetched per statement into a
// table of the session's own catalog ("mg$live"), with the statement's
// pushdown applied at the source.

// Remote port modes.
const (
	ModeLive     = "live"
	ModeSnapshot = "snapshot"
)

// IsRemote reports whether a port type is read through a connector.
func IsRemote(portType string) bool { return catalog.Port{Type: portType}.Remote() }

// RemoteMode is "" for a product served from files, else its port's mode.
func (e *Engine) RemoteMode(a catalog.Address) string {
	p := e.products[a]
	if p != nil && IsSQL(p) && p.Ports[0].Freshness().Mode == ModeSnapshot {
		return ModeSnapshot // a snapshot of its query (aggregate.go)
	}
	if p == nil || len(p.Ports) == 0 || !IsRemote(p.Ports[0].Type) {
		return ""
	}
	if p.Ports[0].Options["mode"] == ModeSnapshot {
		return ModeSnapshot
	}
	return ModeLive
}

// storageType is the column type a connector's Arrow stream arrives in:
// UUID and JSON come as text and are cast back by the port's view.
func storageType(t string) string {
	switch {
	case t == "UUID", t == "JSON":
		return "VARCHAR"
	case t == "UUID[]", t == "JSON[]":
		return "VARCHAR[]"
	}
	return t
}

func tableName(a catalog.Address) string { return sqlquote.Ident(a.Domain + "__" + a.Name) }

// columnsDDL lists the storage columns of a remote product.
func columnsDDL(p *catalog.Product) string {
	cols := make([]string, len(p.Columns))
	for i, c := range p.Columns {
		cols[i] = sqlquote.Ident(c.Name) + " " + storageType(c.Type)
	}
	return strings.Join(cols, ", ")
}

// castSelect selects the declared columns from a storage table.
func castSelect(p *catalog.Product, from string) string {
	cols := make([]string, len(p.Columns))
	for i, c := range p.Columns {
		if storageType(c.Type) != c.Type {
			cols[i] = fmt.Sprintf("CAST(%s AS %s) AS %s", sqlquote.Ident(c.Name), c.Type, sqlquote.Ident(c.Name))
		} else {
			cols[i] = sqlquote.Ident(c.Name)
		}
	}
	return "SELECT " + strings.Join(cols, ", ") + " FROM " + from
}

// defineRemote creates a remote product's storage: the shared snapshot
// table and the port view over it. (Live products get theirs per session.)
func (e *Engine) defineRemote(p *catalog.Product) error {
	q := []string{
		"CREATE SCHEMA IF NOT EXISTS memory.mg_remote",
		fmt.Sprintf("CREATE TABLE memory.mg_remote.%s (%s)", tableName(p.Address), columnsDDL(p)),
		fmt.Sprintf("CREATE VIEW %s AS %s", PortView(p.Address), castSelect(p, "memory.mg_remote."+tableName(p.Address))),
	}
	return e.exec(strings.Join(q, ";\n"))
}

// SourceView is what a session's view of a product selects from: the
// shared port view, or for a live remote product the session's own table.
func (e *Engine) SourceView(sessionCatalog string, a catalog.Address) string {
	if e.RemoteMode(a) == ModeLive {
		return fmt.Sprintf("%s.%s.%s", sqlquote.Ident(sessionCatalog), sqlquote.Ident(liveSchema), tableName(a))
	}
	return PortView(a)
}

const liveSchema = "mg$live"

// liveStatements create a session's tables for its live products.
func (e *Engine) liveStatements(cat string, views []View) []string {
	var out []string
	seen := map[catalog.Address]bool{}
	for _, v := range views {
		p := e.products[v.Address]
		if p == nil || seen[p.Address] || e.RemoteMode(p.Address) != ModeLive {
			continue
		}
		seen[p.Address] = true
		if len(out) == 0 {
			out = append(out, fmt.Sprintf("CREATE SCHEMA IF NOT EXISTS %s.%s", sqlquote.Ident(cat), sqlquote.Ident(liveSchema)))
		}
		rows := fmt.Sprintf("%s.%s.%s", sqlquote.Ident(cat), sqlquote.Ident(liveSchema), sqlquote.Ident(p.Address.Domain+"__"+p.Address.Name+"__rows"))
		out = append(out,
			fmt.Sprintf("CREATE OR REPLACE TABLE %s (%s)", rows, columnsDDL(p)),
			fmt.Sprintf("CREATE OR REPLACE VIEW %s.%s.%s AS %s", sqlquote.Ident(cat), sqlquote.Ident(liveSchema), tableName(p.Address), castSelect(p, rows)))
	}
	return out
}

// Materialize replaces the rows of a live product in the session with the
// stream (one statement's fetch). It consumes and releases rr.
func (s *Session) Materialize(ctx context.Context, a catalog.Address, rr array.RecordReader) (int64, error) {
	defer rr.Release()
	c, err := s.acquire()
	if err != nil {
		return 0, err
	}
	defer s.release(c)
	table := a.Domain + "__" + a.Name + "__rows"
	// Recreate the table rather than DELETE its rows: the statement that
	// reads it was prepared before this fetch, and DuckDB plans with the
	// table's statistics (a filter the old rows could not satisfy is
	// folded away). A catalog change makes DuckDB bind the prepared
	// statement again, over the new rows, when it executes.
	if err := execOn(c.c, emptyReplace(fmt.Sprintf("%s.%s.%s", sqlquote.Ident(s.catalog), sqlquote.Ident(liveSchema), sqlquote.Ident(table)))); err != nil {
		return 0, err
	}
	return appendStream(ctx, c.c, s.catalog, liveSchema, table, rr)
}

// LoadSnapshot replaces the shared snapshot of a remote product, in one
// transaction: queries see the old rows or the new, never a mix. It
// consumes and releases rr.
func (e *Engine) LoadSnapshot(ctx context.Context, a catalog.Address, rr array.RecordReader) (int64, error) {
	defer rr.Release()
	var conn mapping.Connection
	if mapping.Connect(e.db, &conn) == mapping.StateError {
		return 0, sqlstate.New(sqlstate.InternalError, "cannot open an engine connection")
	}
	defer mapping.Disconnect(&conn)
	table := a.Domain + "__" + a.Name
	// Recreated, not emptied, for the prepared statements (see Materialize).
	if err := execOn(conn, "BEGIN TRANSACTION; "+emptyReplace("memory.mg_remote."+sqlquote.Ident(table))); err != nil {
		return 0, err
	}
	n, err := appendStream(ctx, conn, "memory", "mg_remote", table, rr)
	if err != nil {
		_ = execOn(conn, "ROLLBACK")
		return 0, err
	}
	if err := execOn(conn, "COMMIT"); err != nil {
		return 0, err
	}
	return n, nil
}

// emptyReplace is the statement that replaces a table by an empty one of
// the same columns (a catalog change, unlike DELETE).
func emptyReplace(table string) string {
	return fmt.Sprintf("CREATE OR REPLACE TABLE %s AS SELECT * FROM %s LIMIT 0", table, table)
}

// DropSnapshot empties a snapshot (evicted from the cache).
func (e *Engine) DropSnapshot(a catalog.Address) error {
	return e.exec("DELETE FROM memory.mg_remote." + tableName(a))
}

// appendStream appends Arrow batches to a table through DuckDB's appender
// (data chunks of at most 2048 rows).
func appendStream(ctx context.Context, conn mapping.Connection, cat, schema, table string, rr array.RecordReader) (int64, error) {
	var app mapping.Appender
	if mapping.AppenderCreateExt(conn, cat, schema, table, &app) == mapping.StateError {
		msg := mapping.AppenderError(app)
		mapping.AppenderDestroy(&app)
		return 0, sqlstate.New(sqlstate.InternalError, "cannot append to %s: %s", table, msg)
	}
	defer mapping.AppenderDestroy(&app)
	// A live fetch carries only the columns the statement needs (column
	// pushdown): append those, by name; the others of the table stay NULL.
	for _, f := range rr.Schema().Fields() {
		if mapping.AppenderAddColumn(app, f.Name) == mapping.StateError {
			return 0, sqlstate.New(sqlstate.InternalError, "cannot append column %s to %s: %s", f.Name, table, mapping.AppenderError(app))
		}
	}
	conv, ed := arrowmapping.SchemaFromArrow(conn, rr.Schema())
	if mapping.ErrorDataHasError(ed) {
		msg := mapping.ErrorDataMessage(ed)
		mapping.DestroyErrorData(&ed)
		return 0, sqlstate.New(sqlstate.DatatypeMismatch, "the port's rows do not convert: %s", msg)
	}
	mapping.DestroyErrorData(&ed)
	defer arrowmapping.DestroyArrowConvertedSchema(&conv)
	var n int64
	for rr.Next() {
		if err := ctx.Err(); err != nil {
			return n, canceled(err)
		}
		rec := rr.RecordBatch()
		for off := int64(0); off < rec.NumRows(); off += 2048 {
			end := min(off+2048, rec.NumRows())
			sl := rec.NewSlice(off, end)
			chunk, ed := arrowmapping.DataChunkFromArrow(conn, sl, conv)
			sl.Release()
			if mapping.ErrorDataHasError(ed) {
				msg := mapping.ErrorDataMessage(ed)
				mapping.DestroyErrorData(&ed)
				return n, sqlstate.New(sqlstate.DatatypeMismatch, "the port's rows do not convert: %s", msg)
			}
			mapping.DestroyErrorData(&ed)
			st := mapping.AppendDataChunk(app, chunk)
			mapping.DestroyDataChunk(&chunk)
			if st == mapping.StateError {
				return n, sqlstate.New(sqlstate.DatatypeMismatch, "the port's rows do not fit %s: %s", table, mapping.AppenderError(app))
			}
			n += end - off
		}
	}
	if err := rr.Err(); err != nil {
		return n, err
	}
	if mapping.AppenderClose(app) == mapping.StateError {
		return n, sqlstate.New(sqlstate.InternalError, "cannot append to %s: %s", table, mapping.AppenderError(app))
	}
	return n, nil
}
