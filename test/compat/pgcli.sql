-- pgcli 3.5 (Debian's pgcli) completion refresh: dbcli/pgcli
-- pgcli/pgexecute.py (schemata, _relations → tables, views; columns,
-- functions, datatypes, casing, databases) and pgcli/pgcompleter.py.

-- schemata
-- (PostgreSQL's own schemas: pg_toast…)
-- compare: columns
SELECT nspname FROM pg_catalog.pg_namespace ORDER BY 1;

-- _relations(kinds=['r', 'p', 'f'])
-- (PostgreSQL's own relations)
-- compare: columns
SELECT n.nspname schema_name, c.relname table_name FROM pg_catalog.pg_class c LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = ANY(ARRAY['r','p','f']) ORDER BY 1, 2;

-- _columns(kinds=['r', 'p', 'f'])
SELECT nsp.nspname schema_name, cls.relname table_name, att.attname column_name, att.atttypid::regtype::text type_name, att.atthasdef AS has_default, pg_catalog.pg_get_expr(def.adbin, def.adrelid, true) AS default FROM pg_catalog.pg_attribute att INNER JOIN pg_catalog.pg_class cls ON att.attrelid = cls.oid INNER JOIN pg_catalog.pg_namespace nsp ON cls.relnamespace = nsp.oid LEFT OUTER JOIN pg_attrdef def ON def.adrelid = att.attrelid AND def.adnum = att.attnum WHERE cls.relkind = ANY(ARRAY['r','p','f']) AND NOT att.attisdropped AND att.attnum > 0 AND nsp.nspname = 'shop' ORDER BY 1, 2, att.attnum;

-- functions (proallargtypes::regtype[] and proargtypes::regtype[])
-- compare: columns
-- ("char"[] proargmodes is text[] here)
-- types: differ
SELECT n.nspname schema_name, p.proname func_name, p.proargnames, COALESCE(proallargtypes::regtype[], proargtypes::regtype[])::text[], p.proargmodes, prorettype::regtype::text return_type, p.prokind = 'a' is_aggregate, p.prokind = 'w' is_window, p.proretset is_set_returning, d.deptype = 'e' is_extension, pg_get_expr(proargdefaults, 0) AS arg_defaults FROM pg_catalog.pg_proc p INNER JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace LEFT JOIN pg_depend d ON d.objid = p.oid and d.deptype = 'e' WHERE p.prorettype::regtype != 'trigger'::regtype ORDER BY 1, 2;

-- datatypes
SELECT n.nspname schema_name, t.typname type_name FROM pg_catalog.pg_type t INNER JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace WHERE (t.typrelid = 0 OR (SELECT c.relkind = 'c' FROM pg_catalog.pg_class c WHERE c.oid = t.typrelid)) AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_type el WHERE el.oid = t.typelem AND el.typarray = t.oid) AND n.nspname <> 'pg_catalog' AND n.nspname <> 'information_schema' ORDER BY 1, 2;

-- databases (PostgreSQL's cluster holds several)
-- compare: columns
SELECT d.datname FROM pg_catalog.pg_database d ORDER BY 1;

-- casing and the keyword list
SELECT word FROM pg_get_keywords() WHERE word = 'select';
SELECT current_catalog, current_database();
