package catalog

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"sync/atomic"

	"github.com/meshgate/meshgate/internal/sqlquote"
)

// ScanSQL returns the DuckDB table expression that scans a file port, for
// example read_parquet('/abs/orders.parquet'). For csv and json ports,
// when p is not nil, the declared columns are passed explicitly
// (columns={...}, auto_detect=false) so the types never depend on
// DuckDB's sniffing; with a nil p DuckDB detects the columns itself (this
// is how PortSchema sees what a file really holds). duckdb ports are not
// scanned but attached by the engine: see Port.DuckDBTable.
func ScanSQL(p *Product, port *Port) (string, error) {
	if port == nil || port.Location == "" {
		return "", fmt.Errorf("the port has no location")
	}
	if strings.ContainsRune(port.Location, 0) {
		return "", fmt.Errorf("the location of port %s contains a NUL byte", port.Name)
	}
	loc := sqlquote.Literal(port.Location)
	switch port.Type {
	case "parquet":
		return "read_parquet(" + loc + ")", nil
	case "csv":
		args := []string{loc}
		o := port.Options
		opt := func(name, key, def string) {
			v, ok := o[key]
			if !ok {
				if p == nil {
					return
				}
				v = def
			}
			if name == "header" {
				args = append(args, name+"="+v)
			} else {
				args = append(args, name+"="+sqlquote.Literal(v))
			}
		}
		opt("header", "header", "true")
		opt("delim", "delimiter", ",")
		opt("quote", "quote", `"`)
		opt("escape", "escape", `"`)
		opt("nullstr", "null", "")
		if p != nil {
			// The declared columns fix names and types. The sniffer still
			// runs (no auto_detect=false): its row estimate is what lets
			// DuckDB order joins well (TPC-H q05: 2.3 s without, 0.13 s with).
			args = append(args, "columns="+columnsStruct(p.Columns))
		}
		return "read_csv(" + strings.Join(args, ", ") + ")", nil
	case "json":
		args := []string{loc, "format='newline_delimited'"}
		if p != nil {
			args = append(args, "auto_detect=false", "columns="+columnsStruct(p.Columns))
		}
		return "read_json(" + strings.Join(args, ", ") + ")", nil
	case "duckdb":
		return "", fmt.Errorf("port %s is a duckdb database file: the engine attaches it (READ_ONLY) and reads its table %s; it has no scan expression", port.Name, strings.Join(dbTable(port), "."))
	}
	return "", fmt.Errorf("port %s has the unsupported type %q", port.Name, port.Type)
}

func dbTable(port *Port) []string {
	s, t := port.DuckDBTable()
	return []string{s, t}
}

// columnsStruct renders {'name': 'TYPE', ...} for read_csv/read_json.
func columnsStruct(cols []Column) string {
	parts := make([]string, len(cols))
	for i, c := range cols {
		parts[i] = sqlquote.Literal(c.Name) + ": " + sqlquote.Literal(c.Type)
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

var attachSeq atomic.Uint64

// PortSchema reads the real schema of a port through DuckDB: DESCRIBE of
// the file scan (without the declared columns, so it sees what the file
// holds) or, for a duckdb port, of the table in the database file,
// attached READ_ONLY under a unique alias and detached afterwards. Types
// are canonical (CanonicalType) where possible. db must allow external
// access (it must not be the locked-down engine instance).
func PortSchema(ctx context.Context, db *sql.DB, port *Port) ([]Column, error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	var query string
	if port.Type == "duckdb" {
		alias := fmt.Sprintf("meshgate_port_%d", attachSeq.Add(1))
		if _, err := conn.ExecContext(ctx, fmt.Sprintf("ATTACH %s AS %s (READ_ONLY)", sqlquote.Literal(port.Location), alias)); err != nil {
			return nil, fmt.Errorf("port %s: cannot open the database file: %w", port.Name, err)
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), "DETACH "+alias)
		schema, table := port.DuckDBTable()
		query = fmt.Sprintf("DESCRIBE %s.%s.%s", alias, sqlquote.Ident(schema), sqlquote.Ident(table))
	} else {
		scan, err := ScanSQL(nil, port)
		if err != nil {
			return nil, err
		}
		query = "DESCRIBE SELECT * FROM " + scan
	}
	rows, err := conn.QueryContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("port %s: cannot read its schema: %w", port.Name, err)
	}
	defer rows.Close()
	names, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	var out []Column
	for rows.Next() {
		vals := make([]sql.NullString, len(names))
		ptrs := make([]any, len(names))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		c := Column{Name: vals[0].String, Type: vals[1].String}
		if ct, err := CanonicalType(c.Type); err == nil {
			c.Type = ct
		}
		if len(vals) > 2 {
			c.Required = vals[2].String == "NO"
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// CompareSchema compares a product's declared columns with the actual
// columns of one of its ports (from PortSchema) and names every
// difference: a declared column the port lacks, a column the port has
// that is not declared, a type that differs, and (for csv, which is read
// by position) a column in another position. Problems carry the
// descriptor's line of the column (or of the port).
//
// For text ports (csv, json) the actual types are DuckDB's guesses; the
// engine reads those ports with the declared types, so a guess that the
// declared type can be read from (VARCHAR for UUID, BIGINT for INTEGER,
// DOUBLE for DECIMAL, TIMESTAMP for TIMESTAMPTZ, ...) is not a difference;
// the same holds for http ports (whose actual types are guessed from the
// first page). For postgres ports a type the connector reads losslessly
// as the declared one (RemoteCompatible) is not a difference either.
func CompareSchema(p *Product, port *Port, actual []Column) []Problem {
	var out []Problem
	add := func(line int, format string, args ...any) {
		out = append(out, Problem{File: p.File, Line: line, Product: p.Address.String(), Message: fmt.Sprintf(format, args...)})
	}
	text := port.Type == "csv" || port.Type == "json" || port.Type == "http"
	act := map[string]int{}
	lower := map[string]int{}
	for i, c := range actual {
		act[c.Name] = i
		lower[strings.ToLower(c.Name)] = i
	}
	matched := map[int]bool{}
	var order []Problem // reported only when the names agree, else every column would shift
	for i, c := range p.Columns {
		j, ok := act[c.Name]
		if !ok {
			if k, ok := lower[strings.ToLower(c.Name)]; ok && !matched[k] {
				matched[k] = true
				add(c.Line, "column %s is named %q in port %s; names must match exactly (rename the column in the data or in the descriptor)", c.Name, actual[k].Name, port.Name)
				continue
			}
			add(c.Line, "column %s is declared but port %s has no such column", c.Name, port.Name)
			continue
		}
		matched[j] = true
		a := actual[j]
		if a.Type != c.Type && !(text && textCompatible(c.Type, a.Type)) && !(port.Type == "postgres" && RemoteCompatible(c.Type, a.Type)) {
			add(c.Line, "column %s is declared %s but port %s holds %s", c.Name, c.Type, port.Name, a.Type)
		}
		if port.Type == "csv" && j != i {
			order = append(order, Problem{File: p.File, Line: c.Line, Product: p.Address.String(), Message: fmt.Sprintf("column %s is declared in position %d but is in position %d of the csv file of port %s; csv columns are read by position, so declare them in the file's order", c.Name, i+1, j+1, port.Name)})
		}
	}
	var extra []int
	for j := range actual {
		if !matched[j] {
			extra = append(extra, j)
		}
	}
	sort.Ints(extra)
	for _, j := range extra {
		add(port.Line, "port %s has a column %s (%s) that the schema does not declare", port.Name, actual[j].Name, actual[j].Type)
	}
	if len(p.Columns) == len(actual) && len(extra) == 0 {
		out = append(out, order...)
	}
	return out
}
