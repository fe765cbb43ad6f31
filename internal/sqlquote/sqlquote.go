// Package sqlquote quotes names and strings for the SQL meshgate writes
// (view bodies, catalog rows, pushed-down queries): one way, for DuckDB
// and PostgreSQL alike.
package sqlquote

import "strings"

// Ident quotes s as an SQL identifier: "s", with embedded quotes doubled.
func Ident(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// Literal quotes s as an SQL string literal: 's', with embedded quotes
// doubled.
func Literal(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
