package redteam

// The attack table: every statement an attacker logged in as the EU
// analyst tries, with the SQLSTATEs a refusal may carry (documented per
// attack; XX000 is never one) and, for the statements meshgate may
// answer, what the answer must satisfy.

import (
	"fmt"
	"strconv"
	"strings"
)

type kind int

const (
	kQuery kind = iota // a query: every channel (protocols, cursor, COPY, EXPLAIN, multi-statement)
	kStmt              // a statement that is no query: the protocols and multi-statement strings
	kMulti             // itself a multi-statement string: simple protocol (and refused by the extended one)
	kCopy              // itself COPY … TO STDOUT
)

// attack is one attempt to get around the policy.
type attack struct {
	name   string
	sql    string
	kind   kind
	codes  []string // SQLSTATEs a refusal may carry
	allow  bool     // an answer is acceptable (then judged by the leak checks and check)
	check  func(s *secrets, a *answer) string
	reads  bool   // an answer reads a product: its audit record must list products and columns
	noCols bool   // … products only (count(*) reads no column)
	after  string // cleans up session state
	// needle is the statement whose audit record is looked for (default sql).
	needle string
}

// SQLSTATE sets.
var (
	cDenied = []string{"42501"}
	cRel    = []string{"42501", "42P01"}                   // refused, or the name does not exist for the session
	cFunc   = []string{"42501", "42883"}                   // refused, or the function does not exist for the session
	cRelFn  = []string{"42501", "42P01", "42883"}          // either kind of name
	cSet    = []string{"42501", "42704"}                   // refused, or an unknown setting
	cStmt   = []string{"42501", "0A000", "42601"}          // a statement meshgate does not run
	cSchema = []string{"42501", "42P01", "3F000"}          // unknown schema
	cCast   = []string{"22P02", "22018", "22007", "22008"} // a conversion that fails on a masked value
	// current_setting of an engine setting: refused, no such function, an
	// unknown setting, or (a quoted "pg_catalog" read as a column) 42703.
	cSetting = []string{"42501", "42883", "42704", "22023", "42703"}
)

func deny(name, sql string, codes ...string) attack {
	return attack{name: name, sql: sql, kind: kQuery, codes: codes}
}

func stmt(name, sql string, codes ...string) attack {
	return attack{name: name, sql: sql, kind: kStmt, codes: codes}
}

// answered: a read of granted products that must be answered.
func answered(name, sql string, check func(*secrets, *answer) string) attack {
	return attack{name: name, sql: sql, kind: kQuery, allow: true, reads: true, check: check}
}

// either: answered without a leak, or refused with codes.
func either(name, sql string, check func(*secrets, *answer) string, codes ...string) attack {
	return attack{name: name, sql: sql, kind: kQuery, allow: true, check: check, codes: codes}
}

// Checks of an answer (positional, so they work on COPY output too).

func wantCount(n func(*secrets) int) func(*secrets, *answer) string {
	return func(s *secrets, a *answer) string {
		want := strconv.Itoa(n(s))
		if len(a.rows) != 1 || len(a.rows[0]) < 1 || a.rows[0][0] != want {
			return fmt.Sprintf("want the single value %s, got %v", want, a.rows)
		}
		return ""
	}
}

func euCount(s *secrets) int  { return s.euCount }
func zero(*secrets) int       { return 0 }
func const1(*secrets) int     { return 1 }
func twiceEU(s *secrets) int  { return 2 * s.euCount }
func nonEUCount(*secrets) int { return 0 }

// euOnly: column col holds customer ids of EU customers only (at most
// as many as the analyst sees), and there are rows.
func euOnly(col int) func(*secrets, *answer) string {
	return func(s *secrets, a *answer) string {
		if len(a.rows) == 0 {
			return "no rows"
		}
		for _, r := range a.rows {
			if col < len(r) && s.nonEU[r[col]] {
				return fmt.Sprintf("row of the non-EU customer %s: %v", r[col], r)
			}
		}
		ids := map[string]bool{}
		for _, r := range a.rows {
			if col < len(r) {
				ids[r[col]] = true
			}
		}
		if len(ids) > s.euCount {
			return fmt.Sprintf("%d distinct customers, the analyst sees %d", len(ids), s.euCount)
		}
		return ""
	}
}

// noneOf: no value of the answer contains one of the words.
func noneOf(words ...string) func(*secrets, *answer) string {
	return func(s *secrets, a *answer) string {
		text := strings.ToLower(a.all())
		for _, w := range words {
			if strings.Contains(text, strings.ToLower(w)) {
				return fmt.Sprintf("answer shows %q", w)
			}
		}
		return ""
	}
}

// noSettingValue: the answer does not show an engine setting's value.
func noSettingValue(s *secrets, a *answer) string {
	for _, r := range a.rows {
		for _, v := range r {
			switch strings.ToLower(v) {
			case "t", "f", "true", "false":
				return fmt.Sprintf("answer shows the engine setting's value %q", v)
			}
		}
	}
	return ""
}

// noHiddenCount: a plan does not show how many rows the filter hides.
func noHiddenCount(s *secrets, a *answer) string {
	text := a.all()
	for _, f := range []string{" %d rows", "%d rows ", "\"%d\"", ": %d,"} {
		if strings.Contains(text, fmt.Sprintf(f, s.total)) {
			return fmt.Sprintf("the plan shows the %d customers of the port below the row filter (the analyst sees %d)", s.total, s.euCount)
		}
	}
	return ""
}

func attacks(s *secrets) []attack {
	rel := "testdata/mesh/sales/data/customers.csv"
	abs := s.mesh + "/sales/data/customers.csv"
	ordersRel := "testdata/mesh/sales/data/orders.parquet"
	ordersAbs := s.mesh + "/sales/data/orders.parquet"
	shipRel := "testdata/mesh/supply/data/shipments.json"
	supDB := s.mesh + "/supply/data/suppliers.duckdb"
	glob := "testdata/mesh/*/data/*.csv"
	fwd := func(target, cols string) string {
		return fmt.Sprintf(`with a as (select * from "%s"), "%s" as (select 1) select %s from a limit 3`, target, target, cols)
	}
	list := []attack{
		// 1. CTE forward references: the name binds to the real relation.
		deny("cte_fwd_issue_statement", `with a as (select * from "testdata/mesh/sales/data/customers.csv"), "testdata/mesh/sales/data/customers.csv" as (select 1) select name, email from a limit 3`, cRel...),
		deny("cte_fwd_csv_abs", fwd(abs, "name, email"), cRel...),
		deny("cte_fwd_csv_dot_slash", fwd("./"+rel, "name, email"), cRel...),
		deny("cte_fwd_csv_count", fmt.Sprintf(`with a as (select count(*) from "%s"), "%s" as (select 1) select * from a`, rel, rel), cRel...),
		deny("cte_fwd_parquet", fwd(ordersRel, "*"), cRel...),
		deny("cte_fwd_json", fwd(shipRel, "*"), cRel...),
		deny("cte_fwd_glob", fwd(glob, "*"), cRel...),
		deny("cte_fwd_etc_passwd", fwd("/etc/passwd", "*"), cRel...),
		deny("cte_fwd_duckdb_views", `with a as (select sql from duckdb_views), duckdb_views as (select 1) select * from a`, cRel...),
		deny("cte_fwd_duckdb_tables", `with a as (select database_name, schema_name, table_name from duckdb_tables), duckdb_tables as (select 1) select * from a`, cRel...),
		deny("cte_fwd_duckdb_databases", `with a as (select database_name, path from duckdb_databases), duckdb_databases as (select 1) select * from a`, cRel...),
		deny("cte_fwd_duckdb_schemas", `with a as (select * from duckdb_schemas), duckdb_schemas as (select 1) select database_name, schema_name from a`, cRel...),
		deny("cte_fwd_duckdb_columns", `with a as (select * from duckdb_columns), duckdb_columns as (select 1) select table_name, column_name from a`, cRel...),
		deny("cte_fwd_sqlite_master", `with a as (select * from sqlite_master), sqlite_master as (select 1) select sql from a`, cRel...),
		deny("cte_fwd_pragma_database_list", `with a as (select * from pragma_database_list), pragma_database_list as (select 1) select * from a`, cRel...),
		deny("cte_fwd_quoted_upper", `with a as (select sql from "DUCKDB_VIEWS"), duckdb_views as (select 1) select * from a`, cRel...),
		deny("cte_fwd_case_mismatch", `with a as (select sql from Duckdb_Views), "duckdb_views" as (select 1) select * from a`, cRel...),
		deny("cte_fwd_system_qualified", `with a as (select sql from system.main.duckdb_views), duckdb_views as (select 1) select * from a`, cRel...),
		deny("cte_fwd_materialized", fmt.Sprintf(`with a as materialized (select * from "%s"), "%s" as (select 1) select name from a limit 3`, rel, rel), cRel...),
		deny("cte_fwd_chain", fmt.Sprintf(`with a as (select * from b), b as (select * from "%s"), "%s" as (select 1) select name from a limit 3`, rel, rel), cRel...),
		deny("cte_fwd_in_subquery", fmt.Sprintf(`select * from (with a as (select name, email from "%s"), "%s" as (select 1) select * from a) s limit 3`, rel, rel), cRel...),
		deny("cte_fwd_in_scalar_subquery", fmt.Sprintf(`select (with a as (select max(email) m from "%s"), "%s" as (select 1) select m from a)`, rel, rel), cRel...),
		deny("cte_fwd_in_exists", fmt.Sprintf(`select count(*) from sales.customers c where exists (with a as (select * from "%s"), "%s" as (select 1) select 1 from a where a.customer_id = c.customer_id + 1000)`, rel, rel), cRel...),
		deny("cte_fwd_in_in_list", fmt.Sprintf(`select count(*) from sales.orders where customer_id in (with a as (select customer_id from "%s" where country_code = 'US'), "%s" as (select 1) select * from a)`, rel, rel), cRel...),
		deny("cte_fwd_in_lateral", fmt.Sprintf(`select g.country_code, l.* from geo.countries g, lateral (with a as (select count(*) n from "%s"), "%s" as (select 1) select n from a) l`, rel, rel), cRel...),
		deny("cte_fwd_union_branch", fmt.Sprintf(`select name from sales.customers union all (with a as (select name from "%s"), "%s" as (select 1) select * from a)`, rel, rel), cRel...),
		deny("cte_fwd_nested_with", fmt.Sprintf(`with outer_cte as (with a as (select name from "%s"), "%s" as (select 1) select * from a) select * from outer_cte limit 3`, rel, rel), cRel...),
		deny("cte_fwd_shadow_product_schema", `with a as (select * from "ports"."sales__customers"), ports as (select 1) select name from a limit 3`, cRel...),
		deny("cte_fwd_mask_key", `with a as (select k from mg_secret.mask_key), mask_key as (select 1) select * from a`, cRel...),
		// WITH RECURSIVE without UNION: a self-reference binds to the real relation.
		deny("cte_rec_self_csv", fmt.Sprintf(`with recursive "%s" as (select * from "%s") select name, email from "%s" limit 3`, rel, rel, rel), cRel...),
		deny("cte_rec_self_csv_abs", fmt.Sprintf(`with recursive "%s" as (select * from "%s") select name from "%s" limit 3`, abs, abs, abs), cRel...),
		deny("cte_rec_self_duckdb_views", `with recursive duckdb_views as (select * from duckdb_views) select sql from duckdb_views`, cRel...),
		deny("cte_rec_self_duckdb_databases", `with recursive duckdb_databases as (select * from duckdb_databases) select database_name, path from duckdb_databases`, cRel...),
		deny("cte_rec_self_duckdb_tables", `with recursive duckdb_tables as (select * from duckdb_tables) select database_name, schema_name, table_name from duckdb_tables`, cRel...),
		deny("cte_rec_self_quoted_case", `with recursive "Duckdb_Views" as (select * from DUCKDB_VIEWS) select sql from "Duckdb_Views"`, cRel...),
		deny("cte_rec_mutual", fmt.Sprintf(`with recursive a as (select * from b), b as (select * from "%s") select name from a limit 3`, rel), cRel...),
		deny("cte_rec_union_file_branch", fmt.Sprintf(`with recursive r(n) as (select 1 union all select n + 1 from r, "%s" where n < 2) select count(*) from r`, rel), cRel...),
		deny("cte_rec_union_port_view", `with recursive r(n) as (select 1 union all select n + 1 from r, memory.ports.sales__customers where n < 2) select count(*) from r`, cRel...),
		either("cte_named_like_path_is_a_cte", fmt.Sprintf(`with "%s" as (select 1 as x) select x from "%s"`, rel, rel), wantCount(const1), cDenied...),
		either("cte_rec_union_legit", `with recursive r(n) as (select 1 union all select n + 1 from r where n < 5) select count(*) from r`, func(s *secrets, a *answer) string {
			return wantCount(func(*secrets) int { return 5 })(s, a)
		}, cDenied...),

		// 2. System views and catalog table functions.
		deny("duckdb_views_view", "select sql from duckdb_views", cRel...),
		deny("duckdb_views_fn", "select sql from duckdb_views()", cRelFn...),
		deny("duckdb_views_system_qualified", "select sql from system.main.duckdb_views", cRel...),
		deny("duckdb_views_quoted_system", `select sql from "system"."main"."duckdb_views"`, cRel...),
		deny("duckdb_views_upper", "select sql from DUCKDB_VIEWS()", cRelFn...),
		deny("duckdb_tables_fn", "select * from duckdb_tables()", cRelFn...),
		deny("duckdb_databases_fn", "select database_name, path from duckdb_databases()", cRelFn...),
		deny("duckdb_schemas_fn", "select * from duckdb_schemas()", cRelFn...),
		deny("duckdb_columns_mask_key", "select * from duckdb_columns() where table_name = 'mask_key'", cRelFn...),
		deny("duckdb_settings_fn", "select name, value from duckdb_settings()", cRelFn...),
		deny("duckdb_functions_fn", "select function_name, macro_definition from duckdb_functions() where macro_definition is not null", cRelFn...),
		deny("duckdb_secrets_fn", "select * from duckdb_secrets()", cRelFn...),
		deny("duckdb_extensions_fn", "select * from duckdb_extensions()", cRelFn...),
		deny("duckdb_dependencies_fn", "select * from duckdb_dependencies()", cRelFn...),
		deny("duckdb_temporary_files_fn", "select * from duckdb_temporary_files()", cRelFn...),
		deny("duckdb_memory_fn", "select * from duckdb_memory()", cRelFn...),
		deny("which_secret_fn", "select * from which_secret('s3://x/y', 's3')", cRelFn...),
		deny("pragma_table_info_mask_key", "select * from pragma_table_info('memory.mg_secret.mask_key')", cRelFn...),
		deny("pragma_storage_info", "select * from pragma_storage_info('memory.mg_secret.mask_key')", cRelFn...),
		deny("pragma_show", "select * from pragma_show('memory.ports.sales__customers')", cRelFn...),
		deny("pragma_database_list_view", "select * from pragma_database_list", cRel...),
		deny("pragma_database_list_fn", "select * from pragma_database_list()", cRelFn...),
		deny("sqlite_master_view", "select sql from sqlite_master", cRel...),
		deny("pg_catalog_duckdb_tables_fn", "select * from pg_catalog.duckdb_tables()", cRelFn...),
		deny("from_first_duckdb_views", "from duckdb_views() select sql", cRelFn...),
		deny("test_all_types_fn", "select * from test_all_types()", cRelFn...),
		deny("system_information_schema", "select table_catalog, table_schema, table_name from system.information_schema.tables", cRel...),
		deny("memory_information_schema", "select table_catalog, table_schema, table_name from memory.information_schema.tables", cRel...),
		deny("mgpg_schema_direct", `select * from "mg$pg".pg_settings`, cRel...),
		deny("mgpg_memory_qualified", `select * from memory."mg$pg".pg_roles`, cRel...),
		deny("mgis_schema_direct", `select * from "mg$is".tables`, cRel...),
		deny("mglive_schema_direct", `select * from "mg$live".x`, cRel...),

		// 3. Qualified scalar functions reaching the engine.
		either("system_current_setting_allowed_dirs", "select system.main.current_setting('allowed_directories')", nil, cSetting...),
		either("system_current_setting_quoted", `select "system"."main"."current_setting"('allowed_directories')`, nil, cSetting...),
		either("system_current_setting_upper", "select SYSTEM.MAIN.CURRENT_SETTING('allowed_directories')", nil, cSetting...),
		either("system_current_setting_temp_dir", "select system.main.current_setting('temp_directory')", nil, cSetting...),
		either("system_current_setting_home_dir", "select system.main.current_setting('home_directory'), system.main.current_setting('extension_directory')", nil, cSetting...),
		either("system_current_setting_external_access", "select system.main.current_setting('enable_external_access')", noSettingValue, cSetting...),
		either("memory_current_setting", "select memory.main.current_setting('allowed_directories')", nil, cSetting...),
		either("pg_catalog_current_setting_allowed_dirs", "select pg_catalog.current_setting('allowed_directories')", nil, cSetting...),
		either("quoted_pg_catalog_current_setting", `select "pg_catalog".current_setting('allowed_directories')`, nil, cSetting...),
		either("current_setting_unqualified_allowed_dirs", "select current_setting('allowed_directories')", nil, cSetting...),
		either("system_current_database", "select system.main.current_database()", nil, cFunc...),
		either("memory_current_database", "select memory.main.current_database()", nil, cFunc...),
		either("quoted_pg_catalog_current_database", `select "pg_catalog".current_database()`, nil, append([]string{"42703"}, cFunc...)...),
		either("system_current_schema", "select system.main.current_schema(), system.main.current_schemas(true)", nil, cFunc...),
		either("system_getvariable_search_path", "select system.main.getvariable('mg_search_path')", nil, cFunc...),
		either("memory_session_attr_stand_in", "select memory.main.session_attr('region'), memory.main.in_group('stewards')", nil, cFunc...),
		either("quoted_pg_catalog_pg_get_viewdef", `select "pg_catalog".pg_get_viewdef(c.oid) from pg_catalog.pg_class c`, nil, cFunc...),
		either("quoted_pg_catalog_pg_get_viewdef_upper", `select "PG_CATALOG".PG_GET_VIEWDEF(c.oid) from pg_catalog.pg_class c`, nil, cFunc...),
		either("system_pg_get_viewdef", `select system.pg_catalog.pg_get_viewdef(oid) from pg_catalog.pg_class`, nil, cRelFn...),
		either("pg_get_viewdef_product", "select pg_get_viewdef('sales.customers'::regclass)", noneOf("read_csv", "regexp_replace"), cRelFn...),
		either("quoted_pg_catalog_pg_views", `select * from "pg_catalog"."pg_views"`, noneOf("read_csv", "regexp_replace"), cRel...),
		either("pg_catalog_pg_tables_upper", `select * from "PG_CATALOG".pg_tables`, nil, cRel...),
		deny("system_read_csv_fn", fmt.Sprintf("select * from system.main.read_csv('%s')", rel), cRelFn...),
		deny("quoted_system_read_text_fn", `select * from "system"."main"."read_text"('/etc/passwd')`, cRelFn...),
		deny("memory_read_blob_fn", fmt.Sprintf("select * from memory.main.read_blob('%s')", rel), cRelFn...),
		deny("system_query_fn", "select * from system.main.query('select * from memory.ports.sales__customers')", cRelFn...),
		deny("system_duckdb_tables_fn", "select * from system.main.duckdb_tables()", cRelFn...),

		// 4. Table functions over files; replacement scans.
		deny("read_csv_rel", fmt.Sprintf("select * from read_csv('%s')", rel), cRelFn...),
		deny("read_csv_abs", fmt.Sprintf("select * from read_csv('%s')", abs), cRelFn...),
		deny("read_csv_auto_passwd", "select * from read_csv_auto('/etc/passwd')", cRelFn...),
		deny("read_csv_list", fmt.Sprintf("select * from read_csv(['%s', '%s'])", rel, abs), cRelFn...),
		deny("read_csv_glob", fmt.Sprintf("select * from read_csv('%s')", glob), cRelFn...),
		deny("read_parquet_port", fmt.Sprintf("select * from read_parquet('%s')", ordersAbs), cRelFn...),
		deny("read_json_port", fmt.Sprintf("select * from read_json('%s')", shipRel), cRelFn...),
		deny("read_ndjson_port", fmt.Sprintf("select * from read_ndjson_auto('%s')", shipRel), cRelFn...),
		deny("read_text_port", fmt.Sprintf("select * from read_text('%s')", rel), cRelFn...),
		deny("read_text_passwd", "select * from read_text('/etc/passwd')", cRelFn...),
		deny("read_blob_port", fmt.Sprintf("select * from read_blob('%s')", abs), cRelFn...),
		deny("glob_fn", "select * from glob('testdata/mesh/*/data/*')", cRelFn...),
		deny("glob_fn_abs", fmt.Sprintf("select * from glob('%s/**')", s.root), cRelFn...),
		deny("parquet_metadata_fn", fmt.Sprintf("select * from parquet_metadata('%s')", ordersRel), cRelFn...),
		deny("parquet_schema_fn", fmt.Sprintf("select * from parquet_schema('%s')", ordersRel), cRelFn...),
		deny("parquet_kv_metadata_fn", fmt.Sprintf("select * from parquet_kv_metadata('%s')", ordersRel), cRelFn...),
		deny("sniff_csv_fn", fmt.Sprintf("select * from sniff_csv('%s')", rel), cRelFn...),
		deny("json_each_file", fmt.Sprintf("select * from json_each((select content from read_text('%s')))", shipRel), cRelFn...),
		deny("query_fn", "select * from query('select * from memory.ports.sales__customers')", cRelFn...),
		deny("query_table_fn", "select * from query_table('memory.ports.sales__customers')", cRelFn...),
		deny("query_table_mask_key_list", "select * from query_table(['memory.mg_secret.mask_key'])", cRelFn...),
		deny("scan_rel_string", fmt.Sprintf("select * from '%s'", rel), cRel...),
		deny("scan_abs_string", fmt.Sprintf("select * from '%s'", abs), cRel...),
		deny("scan_quoted_ident", fmt.Sprintf(`select * from "%s"`, rel), cRel...),
		deny("scan_from_first", fmt.Sprintf("from '%s'", ordersRel), cRel...),
		deny("scan_glob", fmt.Sprintf("select * from '%s'", glob), cRel...),
		deny("scan_in_join", fmt.Sprintf("select f.name from sales.orders o join '%s' f using (customer_id) limit 3", rel), cRel...),
		deny("scan_in_exists", fmt.Sprintf(`select count(*) from sales.customers c where exists (select 1 from "%s" f where f.customer_id = c.customer_id and f.name like 'A%%')`, rel), cRel...),
		deny("scan_in_lateral", fmt.Sprintf("select * from geo.countries g, lateral read_csv('%s') f limit 3", rel), cRelFn...),
		deny("scan_duckdb_port_file", fmt.Sprintf("select * from '%s'", supDB), cRel...),
		deny("scan_passwd", "select * from '/etc/passwd'", cRel...),

		// 5. Internal schemas and catalogs, other sessions.
		deny("port_view", "select * from memory.ports.sales__customers", cRel...),
		deny("port_view_schema_only", "select * from ports.sales__customers", cRel...),
		deny("port_view_quoted_case", `select * from "MEMORY"."PORTS"."SALES__CUSTOMERS"`, cRel...),
		deny("port_view_mixed_case", `select * from Memory.Ports."Sales__Customers"`, cRel...),
		deny("port_view_correlated", "select c.customer_id, (select p.name from memory.ports.sales__customers p where p.customer_id = c.customer_id + 1) from sales.customers c", cRel...),
		deny("port_view_lateral", "select * from sales.customers c, lateral (select name from ports.sales__customers p where p.customer_id = c.customer_id + 1) l", cRel...),
		deny("mask_key_table", "select * from memory.mg_secret.mask_key", cRel...),
		deny("mask_key_schema_only", "select * from mg_secret.mask_key", cRel...),
		deny("mask_key_quoted_upper", `select * from "memory"."mg_secret"."MASK_KEY"`, cRel...),
		deny("mask_key_scalar", "select sha256((select k from memory.mg_secret.mask_key) || 'x')", cRel...),
		deny("audit_records", "select * from memory.mg_audit.records", cRel...),
		deny("audit_records_schema_only", "select * from mg_audit.records", cRel...),
		deny("freshness_internal", "select * from mg_audit.freshness", cRel...),
		deny("remote_internal", "select * from memory.mg_remote.x", cRel...),
		deny("main_mg_settings", "select * from main.mg_settings", cRel...),
		deny("memory_main_table", "select * from memory.main.mg_settings", cRel...),
		deny("system_duckdb_tables_view", "select * from system.main.duckdb_tables", cRel...),
		deny("temp_catalog", "select * from temp.main.x", cRel...),
		deny("temp_information_schema", "select * from temp.information_schema.tables", cRel...),
		deny("sess_1_customers", "select name, email from sess_1.sales.customers", cRel...),
		deny("sess_2_customers", "select name, email from sess_2.sales.customers", cRel...),
		deny("sess_3_quoted", `select name, email from "sess_3"."sales"."customers"`, cRel...),
		deny("sess_1_settings", "select * from sess_1.main.mg_settings", cRel...),
		deny("sess_1_mgpg", `select * from sess_1."mg$pg".pg_settings`, cRel...),
		deny("port_database", "select * from port_supply__suppliers.main.suppliers", cRel...),
		deny("port_database_quoted", `select name from "port_supply__suppliers"."suppliers"`, cRel...),
		deny("ungranted_audit_product", "select * from meshgate.audit", cDenied...),
		deny("ungranted_audit_in_subquery", "select (select count(*) from meshgate.audit)", cDenied...),
		deny("catalog_qualified_product", "select * from mesh.sales.customers", cRel...),

		// 6. Error-message oracles: no hint names an internal object, no
		// error echoes a clear or filtered-out value.
		deny("did_you_mean_mask_key", "select * from mask_key", cRel...),
		deny("did_you_mean_sales_customer", "select * from sales.customer", cRel...),
		deny("did_you_mean_port_view", "select * from sales__customers", cRel...),
		deny("did_you_mean_records", "select * from records", cRel...),
		deny("did_you_mean_settings", "select * from mg_setting", cRel...),
		deny("did_you_mean_ports_schema", "select * from port.sales__customers", cSchema...),
		deny("did_you_mean_secret_schema", "select * from mg_secre.mask_key", cSchema...),
		deny("did_you_mean_function", "select session_atr('region')", cFunc...),
		deny("did_you_mean_current_user_macro", "select mg_current_use()", cFunc...),
		deny("did_you_mean_column", "select nam, emai from sales.customers", append([]string{"42703"}, cDenied...)...),
		deny("did_you_mean_table_fn", "select * from duckdb_viewz()", cRelFn...),
		deny("did_you_mean_catalog", "select * from memor.ports.sales__customers", cRel...),
		deny("did_you_mean_session_catalog", "select * from sess_.sales.customers", cRel...),
		deny("cast_email_int", "select cast(email as int) from sales.customers", cCast...),
		deny("cast_name_date", "select cast(name as date) from sales.customers", cCast...),
		deny("cast_supplier_name_int", "select name::int from supply.suppliers", cCast...),
		deny("error_fn_name", "select error(name || ' ' || email) from sales.customers", "P0001", "22023", "42501", "0A000"),
		answered("error_only_on_filtered_rows", "select count(*) from sales.customers where case when country_code = 'US' then cast(name as int) end = 1", wantCount(zero)),
		answered("error_fn_only_on_filtered_rows", "select count(*) from sales.customers where case when country_code not in ('DE','ES','FR','GB','IT','NL','PL','SE') then error('leak ' || customer_id) else true end", wantCount(euCount)),
		answered("division_only_on_filtered_rows", "select count(*) from sales.customers where 1 / case when country_code = 'US' then 0 else 1 end = 1", wantCount(euCount)),

		// 7. Queries over granted products: masked and filtered whatever the form.
		answered("star_customers", "select * from sales.customers", euOnly(0)),
		answered("quoted_product", `select * from "sales"."customers"`, euOnly(0)),
		answered("case_folded_product", "select * from SALES.CUSTOMERS", euOnly(0)),
		answered("cte_shadows_product_name", "with customers as (select 1 as x) select * from sales.customers", euOnly(0)),
		answered("cte_over_product", "with c as (select * from sales.customers) select customer_id, name, email from c", euOnly(0)),
		{name: "count_customers", sql: "select count(*) from sales.customers", kind: kQuery, allow: true, reads: true, noCols: true, check: wantCount(euCount)},
		answered("or_true_filter", "select count(*) from sales.customers where true or country_code = 'US'", wantCount(euCount)),
		answered("union_double", "select count(*) from (select * from sales.customers union all select * from sales.customers)", wantCount(twiceEU)),
		answered("non_eu_probe", "select count(*) from sales.customers where country_code = 'US'", wantCount(nonEUCount)),
		answered("like_probe_masked", "select count(*) from sales.customers where name like 'A%' or email like '%example.com'", wantCount(zero)),
		answered("join_orders_customers", "select c.customer_id, c.name, o.amount from sales.orders o join sales.customers c using (customer_id)", euOnly(0)),
		answered("lateral_legit", "select c.customer_id, l.n from sales.customers c, lateral (select count(*) n from sales.orders o where o.customer_id = c.customer_id) l", euOnly(0)),
		answered("correlated_exists_legit", "select c.customer_id from sales.customers c where exists (select 1 from sales.orders o where o.customer_id = c.customer_id)", euOnly(0)),
		answered("recursive_with_product", "with recursive r(n) as (select 1 union all select n + 1 from r where n < 3) select c.customer_id, r.n from sales.customers c, r", euOnly(0)),
		answered("supplier_names_hashed", "select supplier_id, name from supply.suppliers", nil),
		answered("window_over_product", "select customer_id, count(*) over (partition by country_code) from sales.customers", euOnly(0)),
		either("pg_class_lists_only_products", "select c.relname, n.nspname from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace",
			noneOf("ports", "sess_", "mg$", "__", "mask_key", "mg_secret", "memory", "audit"), cDenied...),
		either("information_schema_tables_only_products", "select table_catalog, table_schema, table_name from information_schema.tables",
			noneOf("ports", "sess_", "mg$", "__", "mask_key", "memory", "audit"), cDenied...),
		either("current_database_catalog", "select current_database(), current_catalog, current_schema()", nil, cDenied...),

		// 8. Plans: EXPLAIN ANALYZE on filtered products.
		{name: "explain_analyze_filtered", sql: "EXPLAIN ANALYZE SELECT * FROM sales.customers", kind: kStmt, codes: cDenied, allow: true, check: noHiddenCount},
		{name: "explain_analyze_count", sql: "EXPLAIN ANALYZE SELECT count(*) FROM sales.customers", kind: kStmt, codes: cDenied, allow: true, check: noHiddenCount},
		{name: "explain_analyze_join", sql: "EXPLAIN ANALYZE SELECT o.order_id FROM sales.orders o JOIN sales.customers c USING (customer_id)", kind: kStmt, codes: cDenied, allow: true, check: noHiddenCount},
		{name: "explain_analyze_subquery", sql: "EXPLAIN ANALYZE SELECT (SELECT count(*) FROM sales.customers)", kind: kStmt, codes: cDenied, allow: true, check: noHiddenCount},
		{name: "explain_analyze_cte_fwd", sql: fmt.Sprintf(`EXPLAIN ANALYZE with a as (select * from "%s"), "%s" as (select 1) select * from a`, rel, rel), kind: kStmt, codes: cRel},
		{name: "explain_cte_fwd", sql: fmt.Sprintf(`EXPLAIN with a as (select * from "%s"), "%s" as (select 1) select * from a`, rel, rel), kind: kStmt, codes: cRel},

		// 9. Settings.
		stmt("set_allowed_directories", "SET allowed_directories = '/'", cSet...),
		stmt("set_allowed_directories_list", "SET allowed_directories = ['/']", append([]string{"42601"}, cSet...)...),
		stmt("set_enable_external_access", "SET enable_external_access = true", cSet...),
		stmt("set_lock_configuration", "SET lock_configuration = false", cSet...),
		stmt("reset_lock_configuration", "RESET lock_configuration", cSet...),
		stmt("set_global_external_access", "SET GLOBAL enable_external_access = true", append([]string{"42601"}, cSet...)...),
		stmt("set_file_search_path", "SET file_search_path = 'testdata/mesh/sales/data'", cSet...),
		stmt("set_schema_memory_ports", "SET schema = 'memory.ports'", cSet...),
		stmt("set_catalog", "SET catalog = 'memory'", cSet...),
		stmt("set_temp_directory", "SET temp_directory = '/tmp/redteam'", cSet...),
		stmt("set_profiling_output", "SET profiling_output = '/tmp/redteam-profile.json'", cSet...),
		stmt("set_memory_limit", "SET memory_limit = '100GB'", cSet...),
		stmt("set_variable", "SET VARIABLE mg_search_path = ['memory.ports']", append([]string{"42601", "0A000"}, cSet...)...),
		stmt("set_disabled_filesystems", "SET disabled_filesystems = ''", cSet...),
		stmt("set_role_steward", "SET ROLE steward", cSet...),
		stmt("set_session_authorization", "SET SESSION AUTHORIZATION steward", cSet...),
		either("set_config_external_access", "select set_config('enable_external_access', 'true', false)", nil, append([]string{"0A000"}, cSet...)...),
		either("set_config_search_path_memory", "select set_config('search_path', 'memory.ports', false)", nil, append([]string{"0A000"}, cSet...)...),
		{name: "search_path_memory_then_read", sql: "SET search_path TO memory; SELECT * FROM ports.sales__customers", kind: kMulti, codes: cRel, after: "RESET search_path", needle: "SELECT * FROM ports.sales__customers"},
		{name: "search_path_ports_then_read", sql: "SET search_path TO ports, memory; SELECT * FROM sales__customers", kind: kMulti, codes: cRel, after: "RESET search_path", needle: "SELECT * FROM sales__customers"},
		{name: "search_path_secret_then_read", sql: "SET search_path TO mg_secret; SELECT * FROM mask_key", kind: kMulti, codes: cRel, after: "RESET search_path", needle: "SELECT * FROM mask_key"},
		{name: "search_path_sess_then_read", sql: "SET search_path TO sess_1; SELECT * FROM customers", kind: kMulti, codes: cRel, after: "RESET search_path", needle: "SELECT * FROM customers"},
		// A forward reference that DuckDB binds to the product view: masked, or refused.
		{name: "search_path_sales_then_fwd_cte", sql: `SET search_path TO sales; with a as (select customer_id, name, email from customers), customers as (select 1) select * from a`, kind: kMulti, codes: cDenied, allow: true, reads: true, check: euOnly(0), after: "RESET search_path", needle: "with a as (select customer_id, name, email from customers)"},
		{name: "search_path_sales_legit", sql: "SET search_path TO sales; SELECT * FROM customers", kind: kMulti, allow: true, reads: true, check: euOnly(0), after: "RESET search_path", needle: "SELECT * FROM customers"},

		// 10. Engine statements.
		stmt("attach_memory", "ATTACH ':memory:' AS x", cStmt...),
		stmt("attach_port_file", fmt.Sprintf("ATTACH '%s' AS s2 (READ_ONLY)", supDB), cStmt...),
		stmt("attach_tmp_file", "ATTACH '/tmp/redteam.db' AS t", cStmt...),
		stmt("detach_memory", "DETACH memory", cStmt...),
		stmt("detach_session", "DETACH DATABASE sess_1", cStmt...),
		stmt("use_memory", "USE memory", cStmt...),
		stmt("use_memory_ports", "USE memory.ports", cStmt...),
		stmt("use_other_session", "USE sess_1", cStmt...),
		stmt("use_system", "USE system", cStmt...),
		stmt("install_httpfs", "INSTALL httpfs", cStmt...),
		stmt("load_httpfs", "LOAD httpfs", cStmt...),
		stmt("load_file", "LOAD '/tmp/redteam.duckdb_extension'", cStmt...),
		stmt("force_install", "FORCE INSTALL httpfs", cStmt...),
		stmt("update_extensions", "UPDATE EXTENSIONS", cStmt...),
		stmt("copy_query_to_file", "COPY (SELECT * FROM sales.customers) TO '/tmp/redteam-leak.csv'", cStmt...),
		stmt("copy_table_to_file", "COPY sales.customers TO '/tmp/redteam-leak.parquet' (FORMAT parquet)", cStmt...),
		stmt("copy_from_file", "COPY sales.customers FROM '/etc/passwd'", cStmt...),
		stmt("sql_prepare_port", "PREPARE p1 AS SELECT * FROM memory.ports.sales__customers", cStmt...),
		stmt("sql_prepare_fwd_cte", fmt.Sprintf(`PREPARE p2 AS with a as (select * from "%s"), "%s" as (select 1) select * from a`, rel, rel), cStmt...),
		stmt("sql_execute", "EXECUTE p1", append([]string{"26000"}, cStmt...)...),
		stmt("call_duckdb_settings", "CALL duckdb_settings()", cStmt...),
		stmt("call_pragma_database_list", "CALL pragma_database_list()", cStmt...),
		stmt("call_query", "CALL query('select * from memory.mg_secret.mask_key')", cStmt...),
		stmt("pragma_database_list", "PRAGMA database_list", cStmt...),
		stmt("pragma_table_info", "PRAGMA table_info('memory.mg_secret.mask_key')", cStmt...),
		stmt("pragma_show_tables", "PRAGMA show_tables", cStmt...),
		stmt("pragma_enable_profiling", "PRAGMA enable_profiling", cStmt...),
		stmt("pragma_functions", "PRAGMA functions", cStmt...),
		stmt("export_database", "EXPORT DATABASE '/tmp/redteam-export'", cStmt...),
		stmt("import_database", "IMPORT DATABASE '/tmp/redteam-export'", cStmt...),
		stmt("create_macro_session_attr", "CREATE OR REPLACE MACRO memory.main.session_attr(k) AS 'US'", cStmt...),
		stmt("create_temp_table", "CREATE TEMP TABLE x AS SELECT * FROM sales.customers", cStmt...),
		stmt("create_view_over_port", "CREATE VIEW sales.x AS SELECT * FROM memory.ports.sales__customers", cStmt...),
		stmt("create_secret", "CREATE SECRET s (TYPE s3, KEY_ID 'x', SECRET 'y')", cStmt...),
		stmt("drop_product_view", "DROP VIEW sales.customers", cStmt...),
		stmt("insert_audit", "INSERT INTO memory.mg_audit.records SELECT * FROM memory.mg_audit.records", cStmt...),
		stmt("delete_audit", "DELETE FROM memory.mg_audit.records", cStmt...),
		stmt("describe_port_view", "DESCRIBE memory.ports.sales__customers", cStmt...),
		stmt("summarize_port_view", "SUMMARIZE memory.ports.sales__customers", cStmt...),
		stmt("show_tables", "SHOW TABLES", append([]string{"42704"}, cStmt...)...),
		stmt("show_all_tables", "SHOW ALL TABLES", append([]string{"42704"}, cStmt...)...),
		stmt("pivot_product", "PIVOT sales.customers ON country_code USING count(*)", cStmt...),
		stmt("checkpoint", "CHECKPOINT", cStmt...),
		stmt("vacuum", "VACUUM", cStmt...),

		// 11. COPY … TO STDOUT of internals.
		{name: "copy_port_view_stdout", sql: "COPY memory.ports.sales__customers TO STDOUT", kind: kCopy, codes: cRel},
		{name: "copy_audit_stdout", sql: "COPY meshgate.audit TO STDOUT", kind: kCopy, codes: cRel},
		{name: "copy_fwd_cte_stdout", sql: fmt.Sprintf(`COPY (with a as (select * from "%s"), "%s" as (select 1) select * from a) TO STDOUT`, rel, rel), kind: kCopy, codes: cRel},
		{name: "copy_duckdb_views_stdout", sql: "COPY (select sql from duckdb_views()) TO STDOUT", kind: kCopy, codes: cRelFn},
		{name: "copy_rec_self_stdout", sql: `COPY (with recursive duckdb_databases as (select * from duckdb_databases) select * from duckdb_databases) TO STDOUT (FORMAT csv)`, kind: kCopy, codes: cRel},

		// 12. Multi-statement strings and cursors.
		{name: "multi_port_view", sql: "select 1; select * from memory.ports.sales__customers", kind: kMulti, codes: cRel, needle: "select * from memory.ports.sales__customers"},
		{name: "multi_fwd_cte", sql: fmt.Sprintf(`select 1; with a as (select * from "%s"), "%s" as (select 1) select name from a`, rel, rel), kind: kMulti, codes: cRel, needle: `with a as (select * from "` + rel + `")`},
		{name: "multi_attach", sql: "select 1; ATTACH ':memory:' AS x", kind: kMulti, codes: cStmt, needle: "ATTACH ':memory:' AS x"},
		{name: "multi_comment_then_scan", sql: fmt.Sprintf("select 1 -- x\n; select * from '%s'", rel), kind: kMulti, codes: cRel, needle: fmt.Sprintf("select * from '%s'", rel)},
		{name: "multi_dollar_quote_then_scan", sql: fmt.Sprintf("select $$;$$; select * from read_text('%s')", rel), kind: kMulti, codes: cRelFn, needle: fmt.Sprintf("select * from read_text('%s')", rel)},
		{name: "multi_cursor_fwd_cte", sql: fmt.Sprintf(`begin; declare c cursor for with a as (select * from "%s"), "%s" as (select 1) select name, email from a; fetch all from c`, rel, rel), kind: kMulti, codes: cRel, after: "ROLLBACK", needle: "declare c cursor for"},
		{name: "multi_hold_cursor_rec_self", sql: `declare h cursor with hold for with recursive duckdb_views as (select * from duckdb_views) select sql from duckdb_views; fetch all from h`, kind: kMulti, codes: cRel, after: "CLOSE ALL", needle: "declare h cursor with hold for"},
	}
	return list
}
