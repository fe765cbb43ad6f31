-- to_char of numbers: 9, 0, group and decimal separators, FM (PostgreSQL's formatting.c)
SELECT '[' || to_char(0.5, '9.99') || ']', '[' || to_char(0, '999') || ']', '[' || to_char(0, '9.99') || ']', '[' || to_char(-0.5, '9.99') || ']', '[' || to_char(0.5, '0.99') || ']';
SELECT '[' || to_char(12345, '9,999') || ']', '[' || to_char(12, '9,999') || ']', '[' || to_char(-12, '0,999') || ']', '[' || to_char(1234.567, '9999.99') || ']', '[' || to_char(-1234.567, 'FM9999.99') || ']', '[' || to_char(1, 'FM9.99') || ']', '[' || to_char(1.5, 'FM9.90') || ']', '[' || to_char(12345.5, '999.9') || ']';
SELECT '[' || to_char(5, '0999') || ']', '[' || to_char(-5, '999') || ']', '[' || to_char(1234.5::float8, '9999.99') || ']', '[' || to_char(2.675::float8, '9.99') || ']', '[' || to_char(2.675, '9.99') || ']', '[' || to_char(-0.001, '9.99') || ']', '[' || to_char(0, 'FM999') || ']', '[' || to_char(0.5, 'FM9.99') || ']';
SELECT '[' || to_char(1234, '9G999') || ']', '[' || to_char(1.5, '9D99') || ']', '[' || to_char(100, '999') || ']', '[' || to_char(1e20, '999') || ']', '[' || to_char(99.99, '99.9') || ']', '[' || to_char(9.99, '9.9') || ']';
SELECT '[' || to_char(-0.001::float8, '9.99') || ']', '[' || to_char(-0.001, '9.99') || ']', '[' || to_char(1e20::float8, '999') || ']', '[' || to_char(123.456::float8, '999.9') || ']', '[' || to_char(-5::int, 'FM999') || ']', '[' || to_char(5, 'FM0999') || ']', '[' || to_char(1234.5, '9,999.99') || ']',  '[' || to_char(0.25, '0.9') || ']', '[' || to_char(0.35::float8, '0.9') || ']';
SELECT to_char(1234.56, '9999.99'), to_char(42, '000'), to_char(NULL::int, '999'), to_char(-1234567.891, '9,999,999.99'), to_char(1234567, 'FM9,999,999'), to_char(7, '9.'), to_char(7.5, 'FM9.'), to_char(-7, '0.0');
SELECT to_char(x, '99,990.00') FROM (VALUES (0), (1), (-12.345), (98765.4321), (123456)) t(x) ORDER BY x;
SELECT to_char(x, 'FM999,990.09') FROM (VALUES (0.0), (1.5), (-12.345), (98765.4001)) t(x) ORDER BY x;
SELECT to_char(1234.5::real, '9999.9'), to_char(12::smallint, '999'), to_char(9223372036854775807, '9999999999999999999');
SELECT '[' || to_char(0, '9.') || ']', '[' || to_char(0.4, '9.') || ']', '[' || to_char(0, 'FM9.') || ']', '[' || to_char(-0.4, '9.') || ']', '[' || to_char(0, '0.') || ']';
SELECT to_char(id, '999'), to_char(n2, 'FM999,999,990.00'), to_char(f8, '9999999999.99'), to_char(i8, '99999999999') FROM (VALUES (1, 12.50, 1.5::float8, 10000000000), (2, -0.01, -0.25::float8, -1)) t(id, n2, f8, i8) ORDER BY id;
SELECT to_char(DATE '2024-01-31', 'YYYY-MM-DD'), to_char(TIMESTAMP '2024-01-31 10:00:00', 'HH24:MI');
SELECT id, to_char(n2, 'FM999,990.00'), to_char(f8, '99999999999.999'), to_char(i8, '99,999,999,999'), to_char(n, '999999999999999999.9999') FROM sem.vals ORDER BY id;
-- refuse: 0A000
SELECT to_char(1.5, 'S999');
-- refuse: 0A000
SELECT to_char(1.5, '999MI');
-- refuse: 0A000
SELECT to_char(DATE '2024-01-31', '9999');
