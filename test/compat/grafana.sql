-- Grafana's PostgreSQL data source (query editor metadata): grafana/grafana
-- public/app/plugins/datasource/postgres/meta_query.ts (buildSchemaConstraint,
-- buildTableQuery, buildColumnQuery, buildDatatypeQuery) and
-- public/app/plugins/datasource/postgres/datasource.ts (the version and
-- TimescaleDB checks of the configuration page).

SELECT current_setting('server_version_num')::int/100 AS version;
SELECT extversion FROM pg_extension WHERE extname = 'timescaledb';

-- the table list (string_to_array as a table source, its elements by subscript)
SELECT CASE WHEN quote_ident(table_schema) IN (SELECT CASE WHEN trim(s[i]) = '"$user"' THEN user ELSE trim(s[i]) END FROM generate_series(array_lower(string_to_array(current_setting('search_path'),','),1), array_upper(string_to_array(current_setting('search_path'),','),1)) AS i, string_to_array(current_setting('search_path'),',') s) THEN quote_ident(table_name) ELSE quote_ident(table_schema) || '.' || quote_ident(table_name) END AS "table" FROM information_schema.tables WHERE quote_ident(table_schema) NOT IN ('information_schema', 'pg_catalog', '_timescaledb_cache', '_timescaledb_catalog', '_timescaledb_internal', '_timescaledb_config', 'timescaledb_information', 'timescaledb_experimental') ORDER BY CASE WHEN quote_ident(table_schema) IN (SELECT CASE WHEN trim(s[i]) = '"$user"' THEN user ELSE trim(s[i]) END FROM generate_series(array_lower(string_to_array(current_setting('search_path'),','),1), array_upper(string_to_array(current_setting('search_path'),','),1)) AS i, string_to_array(current_setting('search_path'),',') s) THEN 0 ELSE 1 END, 1;

-- the column list of a schema-qualified table
SELECT quote_ident(column_name) AS "column", data_type AS "type" FROM information_schema.columns WHERE table_schema = 'shop' AND table_name = 'orders' ORDER BY ordinal_position;

-- the time column suggestion
SELECT quote_ident(column_name) AS "column", data_type AS "type" FROM information_schema.columns WHERE table_schema = 'shop' AND table_name = 'orders' AND data_type IN ('timestamp without time zone', 'timestamp with time zone', 'bigint', 'integer', 'double precision', 'real') ORDER BY ordinal_position;

-- the data type of a column
SELECT udt_name FROM information_schema.columns WHERE table_schema = 'shop' AND table_name = 'orders' AND column_name = 'amount';
