-- avg of integers is an exact numeric to PostgreSQL's scale (numeric.c
-- select_div_scale); an unconstrained numeric here has 16 decimals, so
-- a smaller scale prints with more zeros (the same digits) and a larger one
-- is refused unless its extra digits are zeros.
-- compare: numeric
SELECT avg(x) FROM (VALUES (100000), (100001), (100001)) v(x);
-- compare: numeric
SELECT avg(x) FROM (VALUES (1), (1)) v(x);
-- compare: numeric
SELECT avg(x) FROM (VALUES (123456789), (2)) v(x);
-- compare: numeric
SELECT avg(x) FROM (VALUES (10000000000::bigint), (1::bigint), (2::bigint)) v(x);
SELECT avg(x) FROM (VALUES (-5), (-6)) v(x);
SELECT avg(x) FROM (VALUES (7), (8), (9)) v(x);
SELECT avg(x) FROM (VALUES (1::smallint), (2::smallint), (4::smallint)) v(x);
-- compare: numeric
SELECT avg(x) FROM (VALUES (1), (1), (0), (0)) v(x);
-- compare: numeric
SELECT avg(x) FROM (VALUES (99999), (99999)) v(x);
-- compare: numeric
SELECT avg(x) FROM (VALUES (123456789012::bigint), (1::bigint), (5::bigint)) v(x);
SELECT x % 3, avg(x) FROM (VALUES (1), (2), (3), (4), (5), (6), (7)) v(x) GROUP BY 1;
SELECT avg(id) + 1, avg(id) * 2 FROM sem.vals;
SELECT avg(x) FROM (VALUES (NULL::int), (NULL::int)) v(x);
-- known difference: a quotient of more than 16 decimals is rounded to 16
-- compare: shape
-- types: differ
SELECT avg(x) FROM (VALUES (1), (0), (0)) v(x);
-- compare: shape
-- types: differ
SELECT avg(x) FROM (VALUES (2), (0), (0)) v(x);
-- integers divide as integers, floats as floats
SELECT 1 / 2, 7 / 2, -7 / 2, 7 % 3, (-7) % 3;
SELECT id, id / 2, i2 / 2::int2, i8 / 3, f8 / 2, f8 / 4, 1.5::float8 / 2 FROM sem.vals;
SELECT 1::smallint / 2::smallint, 10::bigint / 4, INTERVAL '1 hour' * 3;
-- refuse: 42883
SELECT INTERVAL '1 day' / 2;
SELECT pg_typeof(7 / 2)::text, pg_typeof(1.5::float8 / 2)::text, pg_typeof(10::bigint / 4)::text;
-- known difference: avg of numerics is a double precision here
-- (PostgreSQL: an exact numeric)
-- compare: shape
-- types: differ
SELECT avg(n2) FROM sem.vals;
-- compare: shape
-- types: differ
SELECT id % 2, avg(n) FROM sem.vals GROUP BY 1;
-- compare: shape
-- types: differ
SELECT avg(x) FROM (VALUES (1.5::numeric(4,1)), (2.5)) v(x);
SELECT avg(n2::float8), avg(f8), pg_typeof(avg(id))::text FROM sem.vals;
-- known difference: numeric division is a double precision here
-- (PostgreSQL: an exact numeric); a float operand makes it a float
-- division in both
-- compare: shape
-- types: differ
SELECT 12.50 / 3;
-- compare: shape
-- types: differ
SELECT id, n2 / 2 FROM sem.vals;
-- compare: shape
-- types: differ
SELECT sum(n2) / count(*) FROM sem.vals;
-- a bigint sum (an integer here) divided is refused: it would truncate
-- refuse: 0A000
SELECT sum(i8) / 2 FROM sem.vals;
SELECT id, n2 / 2::float8, n2::float8 / 3, f8 / 2 FROM sem.vals;
SELECT 12.50 % 3, 7.5 * 2, 12.50 - 0.25, id + 0.5 FROM sem.vals;
-- ::numeric of an aggregate's value (DuckDB cannot choose a typed macro
-- overload for it): through a lambda, as round(avg(x)::numeric, 2) is written
-- compare: numeric
SELECT round(avg(i2)::numeric, 2), round(stddev(id)::numeric, 4), sum(id)::numeric, CAST(max(n2) AS numeric) FROM sem.vals;
-- compare: numeric
SELECT CAST(f8 AS numeric), f8::numeric, CAST(0.1::float8 * 3 AS numeric), 1.1::float8::numeric, CAST('1.50' AS numeric) FROM sem.vals ORDER BY id;
