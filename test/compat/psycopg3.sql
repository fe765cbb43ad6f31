-- psycopg 3 (3.1, Debian's python3-psycopg): psycopg/psycopg
-- psycopg/psycopg/_typeinfo.py (TypeInfo._get_info_query, the query of
-- TypeInfo.fetch, which SQLAlchemy 2's postgresql+psycopg dialect runs on
-- its first connection for hstore) and psycopg/psycopg/types/range.py,
-- composite.py (RangeInfo, CompositeInfo). %(name)s bound as text.

SELECT typname AS name, oid, typarray AS array_oid, oid::regtype::text AS regtype, typdelim AS delimiter FROM pg_type t WHERE t.oid = to_regtype('int4') ORDER BY t.oid;
SELECT typname AS name, oid, typarray AS array_oid, oid::regtype::text AS regtype, typdelim AS delimiter FROM pg_type t WHERE t.oid = to_regtype('numeric') ORDER BY t.oid;
SELECT typname AS name, oid, typarray AS array_oid, oid::regtype::text AS regtype, typdelim AS delimiter FROM pg_type t WHERE t.oid = to_regtype('hstore') ORDER BY t.oid;
-- (no range types here)
-- compare: columns
SELECT t.typname AS name, t.oid AS oid, t.typarray AS array_oid, t.oid::regtype::text AS regtype, r.rngsubtype AS subtype_oid FROM pg_type t JOIN pg_range r ON t.oid = r.rngtypid WHERE t.oid = to_regtype('int4range');
-- (no composite types here)
-- compare: columns
-- (array_agg of names is text[] here)
-- types: differ
SELECT t.typname AS name, t.oid AS oid, t.typarray AS array_oid, t.oid::regtype::text AS regtype, coalesce(a.fnames, '{}') AS field_names, coalesce(a.ftypes, '{}') AS field_types FROM pg_type t LEFT JOIN (SELECT attrelid, array_agg(attname) AS fnames, array_agg(atttypid) AS ftypes FROM (SELECT a.attrelid, a.attname, a.atttypid FROM pg_attribute a JOIN pg_type t ON t.typrelid = a.attrelid WHERE t.oid = to_regtype('shop.orders') AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum) x GROUP BY attrelid) a ON a.attrelid = t.typrelid WHERE t.oid = to_regtype('shop.orders');
-- compare: shape
SHOW server_version;
SELECT current_setting('standard_conforming_strings');
