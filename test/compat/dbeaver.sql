-- DBeaver's PostgreSQL navigator: dbeaver/dbeaver
-- plugins/org.jkiss.dbeaver.ext.postgresql/src/org/jkiss/dbeaver/ext/postgresql/model/
-- PostgreDatabase.java (schema cache), PostgreSchema.java (TableCache:
-- the tables of a schema), PostgreTableBase.java / PostgreTableColumn
-- (AttributeCache: the columns), PostgreDataSource.java (connection
-- start-up probes) and PostgreServerExtensionBase (extensions).

-- the schema cache
-- compare: shape
-- types: differ
SELECT n.oid, n.*, d.description FROM pg_catalog.pg_namespace n LEFT OUTER JOIN pg_catalog.pg_description d ON d.objoid = n.oid AND d.objsubid = 0 AND d.classoid = 'pg_namespace'::regclass WHERE nspname NOT LIKE 'pg_toast%' AND nspname NOT LIKE 'pg_temp%' ORDER BY nspname;

-- the table cache of schema shop
-- compare: shape
SELECT c.oid, c.relname, c.relkind, c.relnamespace, d.description, pg_catalog.pg_get_expr(c.relpartbound, c.oid) AS partition_expr, pg_catalog.pg_get_partkeydef(c.oid) AS partition_key FROM pg_catalog.pg_class c LEFT OUTER JOIN pg_catalog.pg_description d ON d.objoid = c.oid AND d.objsubid = 0 AND d.classoid = 'pg_class'::regclass WHERE c.relnamespace = (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = 'shop') AND c.relkind NOT IN ('i', 'I', 'c') ORDER BY c.oid;

-- the attribute cache of shop.orders
-- compare: shape
-- types: differ
SELECT c.relname, a.*, pg_catalog.pg_get_expr(ad.adbin, ad.adrelid, true) AS def_value, dsc.description, dep.objid FROM pg_catalog.pg_attribute a INNER JOIN pg_catalog.pg_class c ON (a.attrelid = c.oid) LEFT OUTER JOIN pg_catalog.pg_attrdef ad ON (a.attrelid = ad.adrelid AND a.attnum = ad.adnum) LEFT OUTER JOIN pg_catalog.pg_description dsc ON (c.oid = dsc.objoid AND a.attnum = dsc.objsubid) LEFT OUTER JOIN pg_depend dep ON dep.refobjid = a.attrelid AND dep.deptype = 'i' AND dep.refobjsubid = a.attnum AND dep.classid = dep.refclassid WHERE NOT a.attisdropped AND c.relkind NOT IN ('i', 'I', 'c') AND c.oid = 'shop.orders'::regclass AND a.attnum > 0 ORDER BY a.attnum;

-- the extensions of the database (psql \dx, DBeaver's extension list)
SELECT e.extname, e.extversion, n.nspname FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'plpgsql_nonexistent';

-- the index tab's statistics
SELECT i.indexrelid, pg_catalog.pg_stat_get_numscans(i.indexrelid) AS scans FROM pg_catalog.pg_index i WHERE i.indrelid = 'shop.orders'::regclass;

-- start-up probes
-- (session_user is the login role: postgres in the PostgreSQL of the test)
-- compare: shape
SELECT current_schema(), session_user;
-- compare: shape
-- types: differ
SELECT db.oid, db.* FROM pg_catalog.pg_database db WHERE datname = current_database();
SELECT string_agg(word, ',') FROM pg_catalog.pg_get_keywords() WHERE word <> ALL ('{a,abs,absolute,action,ada,add,admin,after,all,allocate,alter,always,and,any,are,array,as,asc,asensitive,assertion,assignment,asymmetric,at,atomic,attribute,attributes,authorization,avg}'::text[]) AND word = 'zone';
