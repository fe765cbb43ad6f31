-- Metabase sync (the PostgreSQL driver): metabase/metabase
-- src/metabase/driver/postgres.clj (describe-fields-sql: the field sync,
-- whose table list comes from pg_class and whose regclass cast of the
-- computed quote_ident(schema) || '.' || quote_ident(table) string finds
-- the column comments; describe-database table list, the current-user
-- privilege check) and src/metabase/driver/sql_jdbc/sync/describe_database.clj.

-- describe-database: the tables Metabase lists
-- (pg_stat_user_tables is empty: no row estimates)
-- compare: shape
SELECT n.nspname AS schema, c.relname AS name, CASE c.relkind WHEN 'r' THEN 'TABLE' WHEN 'p' THEN 'PARTITIONED TABLE' WHEN 'v' THEN 'VIEW' WHEN 'f' THEN 'FOREIGN TABLE' WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE NULL END AS type, d.description AS description, stat.n_live_tup AS estimated_row_count FROM pg_catalog.pg_class c INNER JOIN pg_catalog.pg_namespace n ON c.relnamespace = n.oid LEFT JOIN pg_catalog.pg_description d ON c.oid = d.objoid AND d.objsubid = 0 AND d.classoid = 'pg_class'::regclass LEFT JOIN pg_stat_user_tables stat ON n.nspname = stat.schemaname AND c.relname = stat.relname WHERE c.relnamespace = n.oid AND n.nspname !~ '^information_schema|catalog_history|pg_' AND c.relkind IN ('r', 'p', 'v', 'f', 'm') AND n.nspname NOT IN ('information_schema') ORDER BY type, schema, name;

-- the privilege check of describe-database
SELECT t.table_schema AS schema, t.table_name AS table, pg_catalog.has_table_privilege(current_user, '"' || t.table_schema || '"' || '.' || '"' || t.table_name || '"', 'SELECT') AS select FROM information_schema.tables t WHERE t.table_schema NOT IN ('information_schema', 'pg_catalog') ORDER BY 1, 2;

-- describe-fields-sql: the field sync
SELECT c.column_name AS name, CASE WHEN c.udt_schema IN ('public', 'pg_catalog') THEN format('%s', c.udt_name) ELSE format('"%s"."%s"', c.udt_schema, c.udt_name) END AS "database-type", c.ordinal_position - 1 AS "database-position", c.table_schema AS "table-schema", c.table_name AS "table-name", pk.column_name IS NOT NULL AS "pk?", col_description(cast(cast(format('%I.%I', cast(c.table_schema AS text), cast(c.table_name AS text)) AS regclass) AS oid), c.ordinal_position) AS "field-comment", ((column_default IS NULL OR lower(column_default) = 'null') AND is_nullable = 'NO' AND NOT ((column_default IS NOT NULL AND column_default LIKE '%nextval(%') OR is_identity <> 'NO')) AS "database-required", ((column_default IS NOT NULL AND column_default LIKE '%nextval(%') OR is_identity <> 'NO') AS "database-is-auto-increment" FROM information_schema.columns c LEFT JOIN (SELECT tc.table_schema, tc.table_name, kc.column_name FROM information_schema.table_constraints tc INNER JOIN information_schema.key_column_usage kc ON tc.constraint_name = kc.constraint_name AND tc.table_schema = kc.table_schema AND tc.table_name = kc.table_name WHERE tc.constraint_type = 'PRIMARY KEY') pk ON c.table_schema = pk.table_schema AND c.table_name = pk.table_name AND c.column_name = pk.column_name WHERE c.table_schema !~ '^information_schema|catalog_history|pg_' AND c.table_schema IN ('shop') ORDER BY "table-schema", "table-name", "database-position";

-- the computed regclass of older releases' field sync
-- compare: shape
SELECT c.relname, (quote_ident(n.nspname) || '.' || quote_ident(c.relname))::regclass::oid AS table_oid FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'shop' ORDER BY 1;

-- the version and time-zone probes
-- (Etc/UTC in the PostgreSQL of the test)
-- compare: shape
SHOW TIMEZONE;
SELECT current_setting('server_version_num')::int >= 100000;
