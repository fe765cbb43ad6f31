-- Integer, float and numeric arithmetic: division by zero is an error
-- (22012) in PostgreSQL, never NULL; overflow is 22003; integer division
-- truncates towards zero.

SELECT 1/0;
SELECT 1::int / 0;
SELECT 1.5::float8 / 0;
SELECT 5 % 0;
SELECT 1.0 / 0;
SELECT mod(5, 0);
SELECT NULL::int / 0, 1 / NULL::int, NULL::int % 0;
SELECT id, i8 / i2, i8 % i2 FROM sem.vals ORDER BY id;
SELECT id, 100 / (id - 1) FROM sem.vals WHERE id > 1;
SELECT id, 100 / (id - 1) FROM sem.vals;
SELECT 7/2, -7/2, 7%3, -7%3, 7/-2;
SELECT 2147483647 + 1;
SELECT 2147483647::int4 * 2;
SELECT 9223372036854775807 + 1;
SELECT 32767::int2 + 1::int2;
SELECT (-2147483648)::int4 / -1;
SELECT div(7, 2), div(-7, 2), div(9, 3);
SELECT div(7, 0);
SELECT width_bucket(5.35, 0.024, 10.06, 5), width_bucket(-1, 0, 10, 5), width_bucket(10, 0, 10, 5), width_bucket(3, 10, 0, 5);
SELECT width_bucket(1, 0, 10, 0);
SELECT id, width_bucket(id, 0, 5, 5) FROM sem.vals ORDER BY id;
SELECT round(2.5), round(-2.5), round(2.5::float8), round(3.5::float8), round(-2.5::float8), round(3.14159, 2), trunc(3.9), ceil(3.1), floor(-3.1);
SELECT round(0.5::float8), round(1.5::float8), round(2.4::float8), round(2.6::float8), round(-0.5::float8);
SELECT id, round(f8), round(n2) FROM sem.vals ORDER BY id;
SELECT abs(-5), mod(7, 3), mod(-7, 3), power(2, 10), sqrt(2), cbrt(27);
SELECT to_hex(255), to_hex(-1), to_hex(0), to_hex(2147483647), to_hex(9223372036854775807), to_hex(-1::bigint);
SELECT greatest(1, 2, 3), least(1, 2, 3), greatest('a', 'b');
SELECT coalesce(NULL, 1), nullif(1, 1), nullif(1, 2);
SELECT '1.5'::float8, '1e-5'::float8, 0.1::float8 + 0.2::float8, 10::float8 / 3;
SELECT 'NaN'::float8, 'Infinity'::float8, '-Infinity'::float8;
SELECT '123'::int, ' 123 '::int;
SELECT 'abc'::int;
SELECT 3000000000::int;
SELECT 1.5::int, 2.5::int, -1.5::int;

-- avg over integers is an exact numeric (16 decimals)
SELECT avg(id) FROM sem.vals;
-- compare: numeric
SELECT avg(i2), avg(i8) FROM sem.vals;
SELECT avg(x) FROM (VALUES (1), (2)) v(x);
SELECT avg(x) FROM (VALUES (1), (2), (2)) v(x);
SELECT avg(x) FROM (VALUES (-1), (-2)) v(x);
SELECT avg(x) FROM (VALUES (NULL::int)) v(x);
SELECT id % 2, avg(id) FROM sem.vals GROUP BY 1;
SELECT avg(f8) FROM sem.vals;
SELECT pg_typeof(avg(id))::text, pg_typeof(count(*))::text, pg_typeof(avg(f8))::text FROM sem.vals;

-- sum of int2/int4 is int8, of int8 numeric
SELECT sum(id), sum(i2), sum(i8), sum(f8), sum(n2) FROM sem.vals;
SELECT id % 2, sum(id), sum(i2) FROM sem.vals GROUP BY 1;
SELECT pg_typeof(sum(id))::text, pg_typeof(sum(i8))::text FROM sem.vals;
SELECT sum(x) FROM (VALUES (2147483647), (1)) v(x);
