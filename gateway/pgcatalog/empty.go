package pgcatalog

import "strings"

// emptyRelation is a catalog relation with PostgreSQL's columns and no
// rows: meshgate has no indexes, constraints, functions, triggers,
// policies, publications or inheritance to show, but clients join these.
type emptyRelation struct {
	name string
	cols []string
}

func cols(spec string) []string { return strings.Split(spec, ", ") }

var emptyRelations = []emptyRelation{
	{"pg_index", cols("indexrelid UINTEGER, indrelid UINTEGER, indnatts SMALLINT, indnkeyatts SMALLINT, indisunique BOOLEAN, indnullsnotdistinct BOOLEAN, indisprimary BOOLEAN, indisexclusion BOOLEAN, indimmediate BOOLEAN, indisclustered BOOLEAN, indisvalid BOOLEAN, indcheckxmin BOOLEAN, indisready BOOLEAN, indislive BOOLEAN, indisreplident BOOLEAN, indkey int2vector, indcollation oidvector, indclass oidvector, indoption int2vector, indexprs VARCHAR, indpred VARCHAR")},
	{"pg_indexes", cols("schemaname name, tablename name, indexname name, tablespace VARCHAR, indexdef VARCHAR")},
	{"pg_constraint", cols("oid UINTEGER, conname name, connamespace UINTEGER, contype char, condeferrable BOOLEAN, condeferred BOOLEAN, convalidated BOOLEAN, conrelid UINTEGER, contypid UINTEGER, conindid UINTEGER, conparentid UINTEGER, confrelid UINTEGER, confupdtype char, confdeltype char, confmatchtype char, conislocal BOOLEAN, coninhcount INTEGER, connoinherit BOOLEAN, conkey SMALLINT[], confkey SMALLINT[], conpfeqop UINTEGER[], conppeqop UINTEGER[], conffeqop UINTEGER[], confdelsetcols SMALLINT[], conexclop UINTEGER[], conbin VARCHAR")},
	{"pg_proc", cols("oid UINTEGER, proname name, pronamespace UINTEGER, proowner UINTEGER, prolang UINTEGER, procost REAL, prorows REAL, provariadic UINTEGER, prosupport regproc, prokind char, prosecdef BOOLEAN, proleakproof BOOLEAN, proisstrict BOOLEAN, proretset BOOLEAN, provolatile char, proparallel char, pronargs SMALLINT, pronargdefaults SMALLINT, prorettype UINTEGER, proargtypes oidvector, proallargtypes UINTEGER[], proargmodes VARCHAR[], proargnames VARCHAR[], proargdefaults VARCHAR, protrftypes UINTEGER[], prosrc VARCHAR, probin VARCHAR, prosqlbody VARCHAR, proconfig VARCHAR[], proacl VARCHAR[]")},
	{"pg_attrdef", cols("oid UINTEGER, adrelid UINTEGER, adnum SMALLINT, adbin VARCHAR")},
	{"pg_inherits", cols("inhrelid UINTEGER, inhparent UINTEGER, inhseqno INTEGER, inhdetachpending BOOLEAN")},
	{"pg_enum", cols("oid UINTEGER, enumtypid UINTEGER, enumsortorder REAL, enumlabel name")},
	{"pg_views", cols("schemaname name, viewname name, viewowner name, definition VARCHAR")},
	{"pg_matviews", cols("schemaname name, matviewname name, matviewowner name, tablespace VARCHAR, hasindexes BOOLEAN, ispopulated BOOLEAN, definition VARCHAR")},
	{"pg_policy", cols("oid UINTEGER, polname name, polrelid UINTEGER, polcmd char, polpermissive BOOLEAN, polroles UINTEGER[], polqual VARCHAR, polwithcheck VARCHAR")},
	{"pg_policies", cols("schemaname name, tablename name, policyname name, permissive VARCHAR, roles VARCHAR[], cmd VARCHAR, qual VARCHAR, with_check VARCHAR")},
	{"pg_statistic_ext", cols("oid UINTEGER, stxrelid UINTEGER, stxname name, stxnamespace UINTEGER, stxowner UINTEGER, stxstattarget INTEGER, stxkeys int2vector, stxkind VARCHAR[], stxexprs VARCHAR")},
	{"pg_publication", cols("oid UINTEGER, pubname name, pubowner UINTEGER, puballtables BOOLEAN, pubinsert BOOLEAN, pubupdate BOOLEAN, pubdelete BOOLEAN, pubtruncate BOOLEAN, pubviaroot BOOLEAN")},
	{"pg_publication_rel", cols("oid UINTEGER, prpubid UINTEGER, prrelid UINTEGER, prqual VARCHAR, prattrs SMALLINT[]")},
	{"pg_publication_namespace", cols("oid UINTEGER, pnpubid UINTEGER, pnnspid UINTEGER")},
	{"pg_publication_tables", cols("pubname name, schemaname name, tablename name, attnames VARCHAR[], rowfilter VARCHAR")},
	{"pg_subscription", cols("oid UINTEGER, subdbid UINTEGER, subname name, subowner UINTEGER, subenabled BOOLEAN")},
	{"pg_trigger", cols("oid UINTEGER, tgrelid UINTEGER, tgparentid UINTEGER, tgname name, tgfoid UINTEGER, tgtype SMALLINT, tgenabled char, tgisinternal BOOLEAN, tgconstrrelid UINTEGER, tgconstrindid UINTEGER, tgconstraint UINTEGER, tgdeferrable BOOLEAN, tginitdeferred BOOLEAN, tgnargs SMALLINT, tgattr SMALLINT[], tgargs VARCHAR, tgqual VARCHAR, tgoldtable VARCHAR, tgnewtable VARCHAR")},
	{"pg_rewrite", cols("oid UINTEGER, rulename name, ev_class UINTEGER, ev_type char, ev_enabled char, is_instead BOOLEAN, ev_qual VARCHAR, ev_action VARCHAR")},
	{"pg_foreign_table", cols("ftrelid UINTEGER, ftserver UINTEGER, ftoptions VARCHAR[]")},
	{"pg_foreign_server", cols("oid UINTEGER, srvname name, srvowner UINTEGER, srvfdw UINTEGER, srvtype VARCHAR, srvversion VARCHAR, srvacl VARCHAR[], srvoptions VARCHAR[]")},
	{"pg_foreign_data_wrapper", cols("oid UINTEGER, fdwname name, fdwowner UINTEGER, fdwhandler UINTEGER, fdwvalidator UINTEGER, fdwacl VARCHAR[], fdwoptions VARCHAR[]")},
	{"pg_partitioned_table", cols("partrelid UINTEGER, partstrat char, partnatts SMALLINT, partdefid UINTEGER, partattrs int2vector, partclass oidvector, partcollation oidvector, partexprs VARCHAR")},
	{"pg_extension", cols("oid UINTEGER, extname name, extowner UINTEGER, extnamespace UINTEGER, extrelocatable BOOLEAN, extversion VARCHAR, extconfig UINTEGER[], extcondition VARCHAR[]")},
	{"pg_cursors", cols("name VARCHAR, statement VARCHAR, is_holdable BOOLEAN, is_binary BOOLEAN, is_scrollable BOOLEAN, creation_time TIMESTAMPTZ")},
	{"pg_prepared_statements", cols("name VARCHAR, statement VARCHAR, prepare_time TIMESTAMPTZ, parameter_types VARCHAR[], from_sql BOOLEAN, generic_plans BIGINT, custom_plans BIGINT")},
	{"pg_locks", cols("locktype VARCHAR, database UINTEGER, relation UINTEGER, page INTEGER, tuple SMALLINT, virtualxid VARCHAR, transactionid BIGINT, classid UINTEGER, objid UINTEGER, objsubid SMALLINT, virtualtransaction VARCHAR, pid INTEGER, mode VARCHAR, granted BOOLEAN, fastpath BOOLEAN, waitstart TIMESTAMPTZ")},
	{"pg_stat_user_tables", cols("relid UINTEGER, schemaname name, relname name, seq_scan BIGINT, seq_tup_read BIGINT, idx_scan BIGINT, idx_tup_fetch BIGINT, n_tup_ins BIGINT, n_tup_upd BIGINT, n_tup_del BIGINT, n_tup_hot_upd BIGINT, n_live_tup BIGINT, n_dead_tup BIGINT, n_mod_since_analyze BIGINT, n_ins_since_vacuum BIGINT, last_vacuum TIMESTAMPTZ, last_autovacuum TIMESTAMPTZ, last_analyze TIMESTAMPTZ, last_autoanalyze TIMESTAMPTZ, vacuum_count BIGINT, autovacuum_count BIGINT, analyze_count BIGINT, autoanalyze_count BIGINT")},
	{"pg_sequence", cols("seqrelid UINTEGER, seqtypid UINTEGER, seqstart BIGINT, seqincrement BIGINT, seqmax BIGINT, seqmin BIGINT, seqcache BIGINT, seqcycle BOOLEAN")},
	{"pg_sequences", cols("schemaname name, sequencename name, sequenceowner name, data_type VARCHAR, start_value BIGINT, min_value BIGINT, max_value BIGINT, increment_by BIGINT, cycle BOOLEAN, cache_size BIGINT, last_value BIGINT")},
	{"pg_depend", cols("classid UINTEGER, objid UINTEGER, objsubid INTEGER, refclassid UINTEGER, refobjid UINTEGER, refobjsubid INTEGER, deptype char")},
	{"pg_event_trigger", cols("oid UINTEGER, evtname name, evtevent VARCHAR, evtowner UINTEGER, evtfoid UINTEGER, evtenabled char, evttags VARCHAR[]")},
	{"pg_operator", cols("oid UINTEGER, oprname name, oprnamespace UINTEGER, oprowner UINTEGER, oprkind char, oprcanmerge BOOLEAN, oprcanhash BOOLEAN, oprleft UINTEGER, oprright UINTEGER, oprresult UINTEGER, oprcom UINTEGER, oprnegate UINTEGER, oprcode VARCHAR, oprrest VARCHAR, oprjoin VARCHAR")},
	{"pg_opclass", cols("oid UINTEGER, opcmethod UINTEGER, opcname name, opcnamespace UINTEGER, opcowner UINTEGER, opcfamily UINTEGER, opcintype UINTEGER, opcdefault BOOLEAN, opckeytype UINTEGER")},
	{"pg_range", cols("rngtypid UINTEGER, rngsubtype UINTEGER, rngmultitypid UINTEGER, rngcollation UINTEGER, rngsubopc UINTEGER, rngcanonical VARCHAR, rngsubdiff VARCHAR")},
	{"pg_cast", cols("oid UINTEGER, castsource UINTEGER, casttarget UINTEGER, castfunc UINTEGER, castcontext char, castmethod char")},
	{"pg_conversion", cols("oid UINTEGER, conname name, connamespace UINTEGER, conowner UINTEGER, conforencoding INTEGER, contoencoding INTEGER, conproc VARCHAR, condefault BOOLEAN")},
	{"pg_init_privs", cols("objoid UINTEGER, classoid UINTEGER, objsubid INTEGER, privtype VARCHAR, initprivs VARCHAR[]")},
	{"pg_seclabel", cols("objoid UINTEGER, classoid UINTEGER, objsubid INTEGER, provider VARCHAR, label VARCHAR")},
	{"pg_statistic", cols("starelid UINTEGER, staattnum SMALLINT, stainherit BOOLEAN, stanullfrac REAL, stawidth INTEGER, stadistinct REAL")},
	{"pg_stats", cols("schemaname name, tablename name, attname name, inherited BOOLEAN, null_frac REAL, avg_width INTEGER, n_distinct REAL")},
	{"pg_stat_statements", cols("userid UINTEGER, dbid UINTEGER, queryid BIGINT, query VARCHAR, calls BIGINT, total_exec_time DOUBLE")},
	{"pg_largeobject_metadata", cols("oid UINTEGER, lomowner UINTEGER, lomacl VARCHAR[]")},
	{"pg_ts_config", cols("oid UINTEGER, cfgname name, cfgnamespace UINTEGER, cfgowner UINTEGER, cfgparser UINTEGER")},
	{"pg_transform", cols("oid UINTEGER, trftype UINTEGER, trflang UINTEGER, trffromsql VARCHAR, trftosql VARCHAR")},
	{"pg_aggregate", cols("aggfnoid regproc, aggkind char, aggnumdirectargs SMALLINT, aggtransfn regproc, aggfinalfn regproc")},
	{"pg_user_mappings", cols("umid UINTEGER, srvid UINTEGER, srvname name, umuser UINTEGER, usename name, umoptions VARCHAR[]")},
	{"pg_replication_slots", cols("slot_name name, plugin VARCHAR, slot_type VARCHAR, datoid UINTEGER, database VARCHAR, temporary BOOLEAN, active BOOLEAN")},
}

var emptyInfoSchema = []emptyRelation{
	{"views", cols("table_catalog name, table_schema name, table_name name, view_definition varchar, check_option varchar, is_updatable varchar, is_insertable_into varchar, is_trigger_updatable varchar, is_trigger_deletable varchar, is_trigger_insertable_into varchar")},
	{"table_constraints", cols("constraint_catalog name, constraint_schema name, constraint_name name, table_catalog name, table_schema name, table_name name, constraint_type varchar, is_deferrable varchar, initially_deferred varchar, enforced varchar, nulls_distinct varchar")},
	{"key_column_usage", cols("constraint_catalog name, constraint_schema name, constraint_name name, table_catalog name, table_schema name, table_name name, column_name name, ordinal_position INTEGER, position_in_unique_constraint INTEGER")},
	{"referential_constraints", cols("constraint_catalog name, constraint_schema name, constraint_name name, unique_constraint_catalog name, unique_constraint_schema name, unique_constraint_name name, match_option varchar, update_rule varchar, delete_rule varchar")},
	{"constraint_column_usage", cols("table_catalog name, table_schema name, table_name name, column_name name, constraint_catalog name, constraint_schema name, constraint_name name")},
	{"check_constraints", cols("constraint_catalog name, constraint_schema name, constraint_name name, check_clause varchar")},
	{"routines", cols("specific_catalog name, specific_schema name, specific_name name, routine_catalog name, routine_schema name, routine_name name, routine_type varchar, data_type varchar, type_udt_name name, routine_definition varchar, external_language varchar")},
	{"parameters", cols("specific_catalog name, specific_schema name, specific_name name, ordinal_position INTEGER, parameter_mode varchar, parameter_name name, data_type varchar, udt_name name")},
	{"sequences", cols("sequence_catalog name, sequence_schema name, sequence_name name, data_type varchar, numeric_precision INTEGER, numeric_precision_radix INTEGER, numeric_scale INTEGER, start_value varchar, minimum_value varchar, maximum_value varchar, increment varchar, cycle_option varchar")},
	{"triggers", cols("trigger_catalog name, trigger_schema name, trigger_name name, event_manipulation varchar, event_object_catalog name, event_object_schema name, event_object_table varchar, action_statement varchar, action_orientation varchar, action_timing varchar")},
	{"column_privileges", cols("grantor name, grantee name, table_catalog name, table_schema name, table_name name, column_name name, privilege_type varchar, is_grantable varchar")},
	{"enabled_roles", cols("role_name name")},
	{"character_sets", cols("character_set_catalog name, character_set_schema name, character_set_name name, character_repertoire varchar, form_of_use varchar, default_collate_catalog name, default_collate_schema name, default_collate_name name")},
	{"domains", cols("domain_catalog name, domain_schema name, domain_name name, data_type varchar")},
	{"element_types", cols("object_catalog name, object_schema name, object_name name, object_type varchar, collection_type_identifier varchar, data_type varchar")},
}
