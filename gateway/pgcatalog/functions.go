package pgcatalog

import (
	"fmt"
	"strings"
	"time"

	"github.com/meshgate/meshgate/engine"
	"github.com/meshgate/meshgate/planner"
)

// GlobalMain is where the client catalog's functions live: the engine's
// internal main schema, which every session's search path ends with. The
// functions read the calling session's own relations ("mg$pg" resolves in
// the caller's catalog), so one definition serves every session.
const GlobalMain = "memory.main"

// FunctionStatements define the macros that stand in for PostgreSQL's
// catalog and session functions, once for all sessions. They shadow
// DuckDB's functions of the same name (DuckDB's current_setting() would
// list its own settings).
func FunctionStatements(database, version string, started time.Time) []string {
	pg := `"` + planner.CompatPG + `"`
	r := strings.NewReplacer("$started", lit(started.UTC().Format("2006-01-02 15:04:05.999999+00")), "$pg", pg, "$static", StaticPG,
		"$m", GlobalMain, "$var", engine.SearchPathVariable,
		"$user", "(SELECT setting FROM "+pg+".mg_settings WHERE key = 'session_authorization')",
		"$db", lit(database), "$version", lit(version),
		"$pid", "(SELECT pid FROM "+pg+".pg_stat_activity LIMIT 1)",
		"$keywords", quotedKeywords())
	var out []string
	for _, m := range append(append(macros, pgFunctions...), pgSemantics...) {
		out = append(out, "CREATE OR REPLACE MACRO "+GlobalMain+"."+r.Replace(m))
	}
	// The identity functions of policy row filters: values come from the
	// session's tables, never from SQL text a user wrote.
	out = append(out,
		"CREATE OR REPLACE MACRO "+GlobalMain+".session_attr(k) AS (SELECT value FROM "+pg+".mg_identity WHERE key = k)",
		"CREATE OR REPLACE MACRO "+GlobalMain+".in_group(g) AS g IN (SELECT name FROM "+pg+".mg_groups)")
	out = append(out, "CREATE OR REPLACE MACRO "+GlobalMain+".pg_get_keywords() AS TABLE SELECT * FROM (VALUES "+keywordRows()+") k(word, catcode, barelabel, catdesc, baredesc)")
	return out
}

// macros, with $pg (the emulated pg_catalog schema), $user, $db, $version,
// $pid and $started substituted.
var macros = []string{
	// Session information.
	`version() AS $version`,
	`current_database() AS $db`,
	`current_user() AS $user`,
	`mg_current_user() AS $user`,
	`session_user() AS $user`,
	`current_role() AS $user`,
	`pg_backend_pid() AS $pid`,
	`pg_postmaster_start_time() AS TIMESTAMPTZ $started`,
	`pg_conf_load_time() AS TIMESTAMPTZ $started`,
	`pg_is_in_recovery() AS false`,
	// No session can take an advisory lock, so there are none to release
	// (asyncpg's pool sends it on every release).
	`pg_advisory_unlock_all() AS ''`,
	// Statistics: products have no indexes, and their scans are counted
	// in the audit and the metrics, not here (DBeaver's index tab).
	`pg_stat_get_numscans(o) AS 0::BIGINT`,
	`pg_stat_get_tuples_returned(o) AS 0::BIGINT`,
	`pg_stat_get_tuples_fetched(o) AS 0::BIGINT`,
	`pg_stat_get_tuples_inserted(o) AS 0::BIGINT`,
	`pg_stat_get_tuples_updated(o) AS 0::BIGINT`,
	`pg_stat_get_tuples_deleted(o) AS 0::BIGINT`,
	`pg_stat_get_live_tuples(o) AS 0::BIGINT`,
	`pg_stat_get_dead_tuples(o) AS 0::BIGINT`,
	`pg_stat_get_blocks_fetched(o) AS 0::BIGINT`,
	`pg_stat_get_blocks_hit(o) AS 0::BIGINT`,
	`inet_server_addr() AS NULL::VARCHAR`,
	`inet_client_addr() AS NULL::VARCHAR`,
	`inet_server_port() AS NULL::INTEGER`,
	`pg_client_encoding() AS 'UTF8'`,
	`pg_encoding_to_char(e) AS CASE WHEN e = 6 THEN 'UTF8' WHEN e = 0 THEN 'SQL_ASCII' ELSE '' END`,
	`pg_char_to_encoding(n) AS CASE WHEN upper(n) IN ('UTF8', 'UNICODE') THEN 6 WHEN upper(n) = 'SQL_ASCII' THEN 0 ELSE -1 END`,
	// Settings: the gateway keeps $pg.mg_settings current.
	`current_setting(n) AS coalesce((SELECT setting FROM $pg.mg_settings WHERE key = lower(n)), error('[42704] unrecognized configuration parameter "' || n || '"')),
	 (n, missing_ok) AS CASE WHEN missing_ok THEN (SELECT setting FROM $pg.mg_settings WHERE key = lower(n)) ELSE coalesce((SELECT setting FROM $pg.mg_settings WHERE key = lower(n)), error('[42704] unrecognized configuration parameter "' || n || '"')) END`,
	`current_schemas(implicit) AS CASE WHEN implicit THEN ['pg_catalog'] ELSE []::VARCHAR[] END || coalesce(getvariable('$var'), []::VARCHAR[])`,
	`current_schema() AS $m.current_schemas(false)[1]`,
	// Visibility and privileges: a session's catalog holds only what it may read.
	`pg_table_is_visible(o) AS coalesce(list_contains($m.current_schemas(true), (SELECT mg_n.nspname FROM $pg.pg_class mg_c JOIN $pg.pg_namespace mg_n ON mg_c.relnamespace = mg_n.oid WHERE mg_c.oid = o)), false)`,
	`pg_type_is_visible(o) AS true`,
	`pg_relation_is_publishable(o) AS false`,
	`pg_function_is_visible(o) AS true`,
	`has_function_privilege(a, b) AS true, (a, b, c) AS true`,
	`has_sequence_privilege(a, b) AS true, (a, b, c) AS true`,
	`pg_has_role(a, b) AS true, (a, b, c) AS true`,
	// Names and descriptions.
	`format_type(o, m) AS CASE WHEN o IS NULL THEN NULL WHEN o = 0 THEN '-'
	   WHEN o = 1700 AND m >= 4 THEN 'numeric(' || (((m - 4) >> 16) & 65535) || ',' || (xor((m - 4) & 2047, 1024) - 1024) || ')'
	   WHEN o = 1043 AND m >= 4 THEN 'character varying(' || (m - 4) || ')'
	   WHEN o = 1042 AND m >= 4 THEN 'character(' || (m - 4) || ')'
	   WHEN o = 1042 AND m IS NOT NULL THEN 'bpchar'
	   ELSE coalesce((SELECT fmt FROM $static.mg_typefmt mg_f WHERE mg_f.oid = o), '???') END`,
	`pg_get_userbyid(o) AS coalesce((SELECT rolname FROM $pg.pg_roles WHERE oid = o), 'unknown (OID=' || o || ')')`,
	// Descriptions are looked up as to_regclass looks up names: one
	// uncorrelated map subscripted by (objoid, objsubid), so that o may be
	// any expression (Metabase: col_description(format(…)::regclass::oid, n)).
	`mg_descriptions(cls) AS (SELECT map_from_entries(list({'k': mg_k, 'v': mg_d})) FROM (SELECT objoid || ':' || objsubid AS mg_k, min(description) AS mg_d
	   FROM $pg.pg_description WHERE cls IS NULL OR classoid = cls GROUP BY mg_k))`,
	`obj_description(o) AS $m.mg_descriptions(NULL)[o || ':0'],
	 (o, cls) AS CASE WHEN cls = 'pg_class' THEN $m.mg_descriptions(1259)[o || ':0'] END`,
	`col_description(o, n) AS $m.mg_descriptions(NULL)[o || ':' || n]`,
	`shobj_description(o, cls) AS NULL::VARCHAR`,
	`pg_get_expr(e, r) AS NULL::VARCHAR, (e, r, p) AS NULL::VARCHAR`,
	`pg_get_indexdef(o) AS NULL::VARCHAR, (o, c, p) AS NULL::VARCHAR`,
	`pg_get_constraintdef(o) AS NULL::VARCHAR, (o, p) AS NULL::VARCHAR`,
	`pg_get_viewdef(o) AS NULL::VARCHAR, (o, p) AS NULL::VARCHAR`,
	`pg_get_triggerdef(o) AS NULL::VARCHAR, (o, p) AS NULL::VARCHAR`,
	`pg_get_ruledef(o) AS NULL::VARCHAR, (o, p) AS NULL::VARCHAR`,
	`pg_get_partkeydef(o) AS NULL::VARCHAR`,
	`pg_get_statisticsobjdef_columns(o) AS NULL::VARCHAR`,
	`pg_get_function_arguments(o) AS ''`,
	`pg_get_function_identity_arguments(o) AS ''`,
	`pg_get_function_result(o) AS NULL::VARCHAR`,
	`pg_relation_size(o) AS 0::BIGINT, (o, f) AS 0::BIGINT`,
	`pg_total_relation_size(o) AS 0::BIGINT`,
	`pg_table_size(o) AS 0::BIGINT`,
	`pg_indexes_size(o) AS 0::BIGINT`,
	`pg_size_pretty(n) AS CASE WHEN n < 10240 THEN n || ' bytes' WHEN n < 10485760 THEN round(n / 1024) || ' kB' WHEN n < 10737418240 THEN round(n / 1048576) || ' MB' ELSE round(n / 1073741824) || ' GB' END`,
	`mg__pg_expandarray(a) AS {'x': a[1], 'n': 1}`,
	// OID alias types: 'name'::regclass looks up the OID, oid::regclass shows the name.
	// The lookup is one uncorrelated subquery (a map from every qualified
	// name, and every unqualified name visible on the search path, first
	// schema first, to its OID) subscripted by x: a subquery correlated on
	// x cannot bind when x holds a lambda (format() is one: Metabase's
	// field sync casts format('%I.%I', schema, table) to regclass per row).
	`to_regclass(x) AS coalesce(TRY_CAST(x AS BIGINT), (SELECT map_from_entries(list({'k': mg_k, 'v': mg_o})) FROM (SELECT mg_k, arg_min(mg_o, mg_r) AS mg_o FROM (
	     SELECT mg_n.nspname || '.' || mg_c.relname AS mg_k, mg_c.oid AS mg_o, 0 AS mg_r FROM $pg.pg_class mg_c JOIN $pg.pg_namespace mg_n ON mg_c.relnamespace = mg_n.oid
	     UNION ALL SELECT mg_c.relname, mg_c.oid, list_position($m.current_schemas(true), mg_n.nspname) FROM $pg.pg_class mg_c JOIN $pg.pg_namespace mg_n ON mg_c.relnamespace = mg_n.oid
	       WHERE list_contains($m.current_schemas(true), mg_n.nspname)) GROUP BY mg_k))[replace(CAST(x AS VARCHAR), '"', '')])`,
	`mg_regclass_oid(x) AS coalesce($m.to_regclass(x), error('[42P01] relation "' || x || '" does not exist'))`,
	// No product column is a serial: NULL, for a relation that exists
	// (a missing one is 42P01, as in PostgreSQL).
	`pg_get_serial_sequence(t, c) AS CAST(CASE WHEN t IS NULL OR c IS NULL THEN NULL WHEN $m.mg_regclass_oid(t) < 0 THEN '' END AS VARCHAR)`,
	`mg_regclass_name(o) AS CASE WHEN o = 0 THEN '-' ELSE coalesce((SELECT CASE WHEN list_contains($m.current_schemas(true), mg_n.nspname) THEN mg_c.relname ELSE mg_n.nspname || '.' || mg_c.relname END
	   FROM $pg.pg_class mg_c JOIN $pg.pg_namespace mg_n ON mg_c.relnamespace = mg_n.oid WHERE mg_c.oid = o), CAST(o AS VARCHAR)) END`,
	`to_regtype(x) AS coalesce(TRY_CAST(x AS BIGINT), (SELECT mg_t.oid FROM $static.pg_type mg_t JOIN $static.mg_typefmt mg_f ON mg_f.oid = mg_t.oid
	   WHERE mg_t.typname = replace(replace(CAST(x AS VARCHAR), 'pg_catalog.', ''), '"', '') OR mg_f.fmt = lower(CAST(x AS VARCHAR)) LIMIT 1))`,
	`mg_regtype_oid(x) AS coalesce($m.to_regtype(x), error('[42704] type "' || x || '" does not exist'))`,
	`mg_regtype_name(o) AS $m.format_type(o, NULL)`,
	`to_regnamespace(x) AS coalesce(TRY_CAST(x AS BIGINT), (SELECT oid FROM $pg.pg_namespace WHERE nspname = replace(CAST(x AS VARCHAR), '"', '')))`,
	`mg_regnamespace_oid(x) AS coalesce($m.to_regnamespace(x), error('[3F000] schema "' || x || '" does not exist'))`,
	`mg_regnamespace_name(o) AS CASE WHEN o = 0 THEN '-' ELSE coalesce((SELECT nspname FROM $pg.pg_namespace WHERE oid = o), CAST(o AS VARCHAR)) END`,
	`to_regrole(x) AS coalesce(TRY_CAST(x AS BIGINT), (SELECT oid FROM $pg.pg_roles WHERE rolname = replace(CAST(x AS VARCHAR), '"', '')))`,
	`mg_regrole_oid(x) AS coalesce($m.to_regrole(x), error('[42704] role "' || x || '" does not exist'))`,
	`mg_regrole_name(o) AS CASE WHEN o = 0 THEN '-' ELSE coalesce((SELECT rolname FROM $pg.pg_roles WHERE oid = o), CAST(o AS VARCHAR)) END`,
	// A session's catalog holds exactly what it may read (SELECT only).
	`has_table_privilege(a, b) AS $m.to_regclass(a) IS NOT NULL AND upper(b) LIKE '%SELECT%', (u, a, b) AS $m.to_regclass(a) IS NOT NULL AND upper(b) LIKE '%SELECT%'`,
	`has_schema_privilege(a, b) AS $m.to_regnamespace(a) IS NOT NULL AND upper(b) LIKE '%USAGE%', (u, a, b) AS $m.to_regnamespace(a) IS NOT NULL AND upper(b) LIKE '%USAGE%'`,
	`has_database_privilege(a, b) AS upper(b) LIKE '%CONNECT%' OR upper(b) LIKE '%TEMP%', (u, a, b) AS upper(b) LIKE '%CONNECT%'`,
	`has_any_column_privilege(a, b) AS $m.to_regclass(a) IS NOT NULL AND upper(b) LIKE '%SELECT%', (u, a, b) AS $m.to_regclass(a) IS NOT NULL AND upper(b) LIKE '%SELECT%'`,
	`has_column_privilege(a, c, b) AS $m.to_regclass(a) IS NOT NULL AND upper(b) LIKE '%SELECT%', (u, a, c, b) AS $m.to_regclass(a) IS NOT NULL AND upper(b) LIKE '%SELECT%'`,
}

var catDesc = map[string]string{
	"U": "unreserved", "C": "unreserved (cannot be function or type name)",
	"T": "reserved (can be function or type name)", "R": "reserved",
}

func keywordRows() string {
	rows := make([]string, len(pgKeywords))
	for i, k := range pgKeywords {
		bare := "requires AS"
		if k.bare {
			bare = "can be bare label"
		}
		rows[i] = fmt.Sprintf("('%s', '%s', %t, '%s', '%s')", k.word, k.cat, k.bare, catDesc[k.cat], bare)
	}
	return strings.Join(rows, ", ")
}

// quotedKeywords is the DuckDB list of the keywords quote_ident quotes.
func quotedKeywords() string {
	var words []string
	for _, k := range pgKeywords {
		if k.cat != "U" {
			words = append(words, "'"+k.word+"'")
		}
	}
	return "[" + strings.Join(words, ", ") + "]"
}
