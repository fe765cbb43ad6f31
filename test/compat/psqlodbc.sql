-- psqlODBC 13 (Debian's odbc-postgresql; Excel, Power BI and Qlik over
-- ODBC): postgresql-interfaces/psqlodbc info.c (PGAPI_Tables,
-- PGAPI_Columns, PGAPI_PrimaryKeys, PGAPI_ForeignKeys' conkey[i] over
-- generate_series, PGAPI_Statistics) and connection.c (the start-up
-- queries); with UseDeclareFetch=1 every statement runs inside a
-- SAVEPOINT (results.c).

-- SQLTables(NULL, "shop", "%", "TABLE")
SELECT NULL AS "TABLE_CAT", n.nspname AS "TABLE_SCHEM", c.relname AS "TABLE_NAME", CASE c.relkind WHEN 'r' THEN 'TABLE' WHEN 'p' THEN 'TABLE' WHEN 'v' THEN 'VIEW' WHEN 'f' THEN 'FOREIGN TABLE' WHEN 'm' THEN 'MATVIEW' ELSE '' END AS "TABLE_TYPE", d.description AS "REMARKS" FROM pg_catalog.pg_namespace n, pg_catalog.pg_class c LEFT JOIN pg_catalog.pg_description d ON d.objoid = c.oid AND d.objsubid = 0 WHERE c.relnamespace = n.oid AND c.relkind IN ('r', 'p') AND n.nspname LIKE 'shop' ESCAPE '\' AND c.relname LIKE '%' ESCAPE '\' AND n.nspname NOT IN ('pg_catalog', 'information_schema') ORDER BY n.nspname, c.relname;

-- SQLColumns(NULL, "shop", "orders", "%")
SELECT n.nspname, c.relname, a.attname, a.atttypid, t.typname, a.attnum, a.attlen, a.atttypmod, a.attnotnull, c.relhasrules, c.relkind, c.oid, pg_get_expr(d.adbin, d.adrelid), CASE t.typtype WHEN 'd' THEN t.typbasetype ELSE 0 END, t.typtypmod, c.relhasoids, '', c.relhassubclass FROM pg_catalog.pg_namespace n, pg_catalog.pg_class c, pg_catalog.pg_attribute a LEFT OUTER JOIN pg_catalog.pg_attrdef d ON a.atthasdef AND d.adrelid = a.attrelid AND d.adnum = a.attnum, pg_catalog.pg_type t WHERE c.relnamespace = n.oid AND c.oid = a.attrelid AND a.atttypid = t.oid AND a.attnum > 0 AND NOT a.attisdropped AND c.relname LIKE 'orders' AND n.nspname LIKE 'shop' ORDER BY n.nspname, c.relname, attnum;

-- SQLColumns as psqlODBC 13 sends it to PostgreSQL 12+ (no relhasoids)
-- compare: shape
-- types: differ
SELECT n.nspname, c.relname, a.attname, a.atttypid, t.typname, a.attnum, a.attlen, a.atttypmod, a.attnotnull, c.relhasrules, c.relkind, c.oid, pg_get_expr(d.adbin, d.adrelid), CASE t.typtype WHEN 'd' THEN t.typbasetype ELSE 0 END, t.typtypmod, 0, attidentity, c.relhassubclass FROM pg_catalog.pg_namespace n, pg_catalog.pg_class c, pg_catalog.pg_attribute a LEFT OUTER JOIN pg_catalog.pg_attrdef d ON a.atthasdef AND d.adrelid = a.attrelid AND d.adnum = a.attnum, pg_catalog.pg_type t WHERE c.relnamespace = n.oid AND c.oid = a.attrelid AND a.atttypid = t.oid AND a.attnum > 0 AND NOT a.attisdropped AND c.relname LIKE 'orders' AND n.nspname LIKE 'shop' ORDER BY n.nspname, c.relname, attnum;

-- SQLPrimaryKeys
SELECT ta.attname, ia.attnum, ic.relname, n.nspname, tc.relname FROM pg_catalog.pg_attribute ta, pg_catalog.pg_attribute ia, pg_catalog.pg_class tc, pg_catalog.pg_index i, pg_catalog.pg_namespace n, pg_catalog.pg_class ic WHERE tc.relname = 'orders' AND n.nspname = 'shop' AND tc.oid = i.indrelid AND n.oid = tc.relnamespace AND i.indisprimary = 't' AND ia.attrelid = i.indexrelid AND ta.attrelid = i.indrelid AND ta.attnum = i.indkey[ia.attnum-1] AND (NOT ta.attisdropped) AND (NOT ia.attisdropped) AND ic.oid = i.indexrelid ORDER BY ia.attnum;

-- SQLForeignKeys: the key columns by subscript over generate_series
SELECT c.conname, a.attname, i FROM pg_catalog.pg_constraint c, pg_catalog.pg_attribute a, generate_series(1, 32) i WHERE c.contype = 'f' AND a.attrelid = c.conrelid AND a.attnum = c.conkey[i] ORDER BY 1, 3;

-- connection start-up
-- compare: shape
SELECT version();
SET DateStyle = 'ISO';
SET extra_float_digits = 2;
SELECT oid, typbasetype FROM pg_type WHERE typname = 'lo';
SELECT pg_client_encoding();
