-- Casts to text and varchar: PostgreSQL's text forms, typed as
-- PostgreSQL types them (varchar, varchar(n) with its type modifier).
SELECT 1.5::float8::varchar, 1e10::float8::varchar, 1e20::float8::varchar, 'NaN'::float8::varchar, '-Infinity'::float8::varchar;
SELECT true::varchar, false::varchar, CAST(true AS varchar(3)), DATE '2024-01-31'::varchar, TIMESTAMP '2024-01-31 10:00:00.5'::varchar;
SELECT '\x00ff'::bytea::varchar, CAST('\x41'::bytea AS varchar), 12.50::numeric(5,2)::varchar, 7::varchar, (-7)::int8::varchar(1);
SELECT 'hello'::varchar, 'hello'::varchar(3), CAST('hello' AS varchar(10)), CAST('hello' AS character varying);
SELECT length('hello'::varchar), 'hello'::varchar || '!', upper('abc'::varchar(2));
SELECT id, t::varchar, t::varchar(2), CAST(t AS varchar(1)) FROM sem.vals;
SELECT id, f8::varchar, b::varchar, d::varchar, ts::varchar, bin::varchar, n2::varchar FROM sem.vals;
SELECT id, ia::varchar, ta::varchar, iaa::varchar FROM sem.vals;
SELECT id, coalesce(ia::varchar, '-'), length(ta::varchar) FROM sem.vals;
SELECT ARRAY[1, 2, NULL]::varchar, ARRAY['a', 'b c', '', 'NULL', 'x"y', 'a,b', 'back\slash']::varchar;
SELECT ARRAY[1.5::float8, 2, 1e20]::text, ARRAY[true, false, NULL]::text, ARRAY[DATE '2024-01-31']::text;
SELECT ARRAY[TIMESTAMP '2024-01-31 10:00:00', NULL]::text, ARRAY[12.50::numeric(5,2), 1.25]::text;
SELECT ARRAY[[1, 2], [3, 4]]::text, ARRAY[['a', 'b'], ['c d', NULL]]::text, '{}'::integer[]::text;
SELECT ARRAY[1, 2]::varchar(3), CAST(ARRAY['x'] AS varchar);
-- intervals in IntervalStyle postgres
SELECT INTERVAL '1 month'::text, INTERVAL '1 day'::text, INTERVAL '-1 day'::text, INTERVAL '25 hours'::text;
SELECT INTERVAL '1 year 2 months -3 days 04:05:06.5'::text, INTERVAL '0 seconds'::varchar, INTERVAL '-14 months'::text;
SELECT INTERVAL '1 day -00:00:01'::text, INTERVAL '-1 day -02:00:00'::text, INTERVAL '1 month 1 day 1 second'::varchar;
SELECT INTERVAL '3.000001 seconds'::text, INTERVAL '-3 years 1 month'::text, INTERVAL '90 minutes'::text, INTERVAL '2 years'::text;
SELECT (DATE '2024-03-01' - DATE '2024-01-31')::text, (TIMESTAMP '2024-03-01 10:00' - TIMESTAMP '2024-01-31 08:30')::text;
SELECT id, (ts - TIMESTAMP '2024-01-01')::text FROM sem.vals;
SELECT format('%s', ARRAY[1, 2]), format('%s|%s', INTERVAL '1 day', true), concat('x', 1.5::float8::varchar);
-- a column's text form through a subquery and in a predicate
SELECT s FROM (SELECT f8::text AS s FROM sem.vals) v WHERE s IS NOT NULL;
SELECT id FROM sem.vals WHERE ia::varchar = '{1,2,3}';
SELECT id FROM sem.vals WHERE b::varchar = 'true';
-- composites and deeper arrays have no PostgreSQL text form here
-- refuse: 0A000
SELECT ARRAY[[[1]]]::text;
-- refuse: 0A000
SELECT ARRAY['\x00'::bytea]::varchar;
-- refuse: 0A000
SELECT ARRAY[INTERVAL '1 day']::text;
-- result type modifiers: numeric(p,s) columns and casts keep theirs,
-- expressions have none; varchar(n) and character(n) columns are typed so
SELECT n2, n2 + 1, -n2, abs(n2), sum(n2) OVER (), n2::numeric(12,3), CAST(n2 AS numeric(6,1)) FROM sem.vals;
-- compare: numeric
SELECT n, n::numeric, n * 2, round(n, 2) FROM sem.vals;
SELECT max(n2), min(n2), sum(n2) FROM sem.vals;
-- compare: numeric
SELECT id, mean, total FROM sem.stats;
SELECT v, id FROM sem.chars;
SELECT * FROM sem.chars WHERE id = 3;
SELECT cc FROM sem.codes;
SELECT * FROM sem.codes;
SELECT v || '', upper(v) FROM sem.chars;
SELECT x.v FROM sem.chars x WHERE x.id = 1;
SELECT 1.50::numeric(4,2), 1.5::numeric, CAST(2 AS numeric(10,0)), 3::numeric(5,2) * 2;
-- bit strings: DuckDB's BIT has no length (255::bit(8) would be 32 bits)
-- refuse: 0A000
SELECT 255::bit(8)::text;
-- refuse: 0A000
SELECT CAST('101' AS bit varying);
-- refuse: 0A000
SELECT B'101'::varbit;
SELECT 1 AS bit;
-- float is double precision; float(p) real up to 24 bits, double up to 53
SELECT 0.1::float * 3, CAST(0.1 AS float) * 3, 0.1::float(30) * 3, pg_typeof(1::float)::text, pg_typeof(1::float(3))::text, pg_typeof(CAST(1 AS float(53)))::text;
SELECT '{1,2}'::int[], '{a}'::text[], '{}'::json, '[1]'::json;
SELECT 'NaN'::FLOAT, '-Infinity'::float, '{1.5,2}'::float[], id, f8::float FROM sem.vals ORDER BY id;
