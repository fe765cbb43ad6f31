-- More families: errors and their SQLSTATEs, numeric edge cases, string
-- and aggregate functions, CASE and COALESCE typing, intervals.
SELECT 2147483647::int + 1;
SELECT (-32768)::int2 - 1::int2;
SELECT 9223372036854775807::int8 + 1;
SELECT 'abc'::int;
SELECT '2024-02-30'::date;
SELECT 1 / 0;
SELECT 5 % 0;
SELECT 1.5::float8 / 0;
SELECT 'x'::boolean;
SELECT 99999.999::numeric(5,2);
SELECT CAST(300 AS smallint) * 200::smallint;
SELECT abs(-5), abs(-5.5), abs(-2::int8), ceil(1.2), floor(-1.2), ceil(-1.5::float8), floor(2.5::float8);
SELECT round(2.5), round(-2.5), round(1.2345, 2), round(-1.2345, 3), trunc(1.999, 1), trunc(-1.999);
SELECT round(2.5::float8), round(3.5::float8), round(-2.5::float8), trunc(2.7::float8);
SELECT power(2, 10), sqrt(16::float8), cbrt(27::float8), exp(0::float8), ln(1::float8), log(100::float8);
SELECT greatest(1, 5, 3), least(1.5, 0.5), greatest('a', 'b'), least(DATE '2024-01-01', DATE '2023-12-31');
SELECT 0.1 + 0.2, 0.1::float8 + 0.2::float8, 1e-5::float8, 123456789.123456789::float8, 1.0e15::float8, 1.0e16::float8;
SELECT (-0.0)::float8, 'NaN'::float8 = 'NaN'::float8, 'Infinity'::float8 > 1e308;
SELECT 10::numeric(5,1), 1.005::numeric(4,2), -1.005::numeric(4,2), 0.5::numeric(1,0);
SELECT id, i2::int8 * i8, i8 % 7, -i8, abs(i8) FROM sem.vals;
SELECT string_agg(t, ',' ORDER BY id), count(t), count(*) FROM sem.vals;
SELECT array_agg(id ORDER BY id), array_agg(t ORDER BY id) FROM sem.vals;
SELECT id, CASE WHEN id > 2 THEN 'big' WHEN id > 1 THEN 'mid' END, CASE id WHEN 1 THEN 'one' ELSE 'other' END FROM sem.vals;
SELECT id, coalesce(t, 'none'), coalesce(i2, i8, 0), nullif(t, 'hello') FROM sem.vals;
SELECT id, t IS NULL, t IS NOT NULL, b IS TRUE, b IS NOT FALSE, b IS UNKNOWN FROM sem.vals;
SELECT id, NOT b, b AND true, b OR false FROM sem.vals;
SELECT concat('a', NULL, 'b'), concat_ws(',', 'a', NULL, 'b'), 'a' || NULL::text, length(''), upper(NULL);
SELECT substring('hello world' from 7), substring('hello' from 2 for 3), position('lo' in 'hello');
SELECT overlay('hello' placing 'XX' from 2);
SELECT trim('  x  '), trim(leading 'x' from 'xxaxx'), trim(trailing 'x' from 'xxaxx'), trim(both 'x' from 'xxaxx');
SELECT lpad('abc', 5, '-'), rpad('abc', 2), repeat('ab', 0), reverse(''), split_part('a.b.c', '.', 3), split_part('a.b', '.', 5);
SELECT chr(65), ascii('A'), md5(''), length('héllo'), octet_length('héllo'), upper('hello');
SELECT 'abc' < 'abd', 'B' < 'a', 'a' = 'a ', 'abc' LIKE 'a_c', 'ABC' ILIKE 'a%', 'a%c' LIKE 'a\%c';
SELECT INTERVAL '1 day' + INTERVAL '2 hours', INTERVAL '1 month' * 2, INTERVAL '3 days' - INTERVAL '1 day';
SELECT INTERVAL '1 day' > INTERVAL '23 hours', INTERVAL '30 days' = INTERVAL '1 month', -INTERVAL '1 day';
SELECT id, ts + INTERVAL '1 day 2 hours', d + INTERVAL '1 year', ts - INTERVAL '30 minutes' FROM sem.vals;
SELECT DATE '2024-01-31' + INTERVAL '1 month', DATE '2024-02-29' + INTERVAL '1 year', TIMESTAMP '2024-01-31 10:00' + INTERVAL '1 month';
SELECT age(TIMESTAMP '2024-03-01', TIMESTAMP '2024-01-15')::text;
-- refuse: 42883
SELECT justify_days(INTERVAL '35 days')::text;
-- refuse: 42883
SELECT make_interval(days => 3)::text;
SELECT id, date_trunc('month', ts)::text, date_trunc('day', d)::text FROM sem.vals;
SELECT id, to_char(ts, 'YYYY-MM-DD"T"HH24:MI:SS') FROM sem.vals;
SELECT count(DISTINCT t), count(DISTINCT b), min(t), max(t), min(b::int), max(d) FROM sem.vals;
SELECT bool_and(id > 0), bool_or(id > 3), sum(id), sum(i2), sum(f8), max(f8), min(f8) FROM sem.vals;
SELECT id, row_number() OVER (ORDER BY id), rank() OVER (ORDER BY b), lag(id) OVER (ORDER BY id), lead(t, 1, '-') OVER (ORDER BY id) FROM sem.vals;
SELECT id, count(*) OVER (), first_value(t) OVER (ORDER BY id), max(id) OVER (ORDER BY id) FROM sem.vals;
SELECT x FROM (VALUES (1), (2), (3)) v(x) WHERE x IN (SELECT id FROM sem.vals WHERE id < 3);
SELECT EXISTS (SELECT 1 FROM sem.vals WHERE id = 4), NOT EXISTS (SELECT 1 FROM sem.vals WHERE id = 9);
SELECT id FROM sem.vals WHERE id BETWEEN 2 AND 3 ORDER BY id;
SELECT id FROM sem.vals WHERE t IN ('hello', 'select') OR t IS NULL ORDER BY id;
SELECT id, t FROM sem.vals ORDER BY t NULLS FIRST, id LIMIT 2 OFFSET 1;
SELECT DISTINCT b FROM sem.vals;
SELECT id % 2 AS g, count(*) FROM sem.vals GROUP BY g HAVING count(*) > 1;
SELECT 1 UNION SELECT 2 UNION ALL SELECT 1;
SELECT 1 INTERSECT SELECT 1;
SELECT 1 EXCEPT SELECT 2;
WITH w AS (SELECT id, t FROM sem.vals WHERE id < 3) SELECT * FROM w ORDER BY id;
WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 5) SELECT sum(n) FROM r;
SELECT ARRAY[1, 2] = ARRAY[1, 2], ARRAY[1, 2] < ARRAY[1, 3], 2 = ANY(ARRAY[1, 2]), 3 = ALL(ARRAY[3, 3]);
SELECT id, ia[1], ia[2], ta[1], array_length(ia, 1) FROM sem.vals;
SELECT unnest(ARRAY[1, 2, 3]);
SELECT * FROM unnest(ARRAY['a', 'b']) AS u(x);
SELECT string_to_array('a,b,c', ','), array_to_string(ARRAY[1, NULL, 3], ',', '*'), array_to_string(ARRAY['x', 'y'], '-');
SELECT true::int, 1::boolean, 0::boolean, 'yes'::boolean, 'off'::boolean, 't'::boolean;
SELECT '12'::int + 1, '1.5'::float8 * 2, '2024-01-31'::date + 1, ' 42 '::int;
SELECT 1::int2, 1::int4, 1::int8, 1::float4, 1::numeric, 1::text, '1'::varchar;
SELECT 'a\b' LIKE 'a\\b', 'a_b' LIKE 'a\_b', 'axb' LIKE 'a\_b', 'a%' NOT LIKE 'a\%', 'A%' ILIKE 'a\%';
SELECT 'on'::boolean, 'of'::boolean, 'Y'::bool, ' n '::boolean, 'TRU'::boolean;
SELECT 'maybe'::boolean;
-- * over a join USING: the USING columns first, then each side's others
SELECT * FROM (SELECT t, id, b FROM sem.vals) a JOIN (SELECT i2, id FROM sem.vals) b USING (id) ORDER BY id;
SELECT * FROM (SELECT id, t, b FROM sem.vals) a LEFT JOIN (SELECT b, id, i8 FROM sem.vals WHERE id < 3) c USING (b, id) ORDER BY id;
SELECT *, 1 AS one FROM (SELECT id, t FROM sem.vals) a FULL JOIN (SELECT id + 1 AS id, d FROM sem.vals) z USING (id) ORDER BY id;
SELECT a.*, z.d FROM (SELECT id, t FROM sem.vals) a JOIN (SELECT id, d FROM sem.vals) z USING (id) ORDER BY id;
-- refuse: 0A000
SELECT * FROM (SELECT id, t FROM sem.vals) a NATURAL JOIN (SELECT id, d FROM sem.vals) z;
-- refuse: 0A000
SELECT * FROM (SELECT id, t FROM sem.vals) a JOIN (SELECT id, d FROM sem.vals) z USING (id) JOIN (SELECT id, b FROM sem.vals) y USING (id);
-- names PostgreSQL gives: VALUES columns column1…, TRUE ?column?
VALUES (1, 'a'), (2, 'b');
SELECT * FROM (VALUES (1, 'a')) t;
SELECT TRUE, FALSE, 't'::bool, '\x48'::bytea;
SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY id), percentile_disc(0.5) WITHIN GROUP (ORDER BY id) FROM sem.vals;
