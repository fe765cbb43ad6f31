-- meshgate psql end-to-end: the happy path. Run with ON_ERROR_STOP=1;
-- the output must equal core.expected byte for byte.
\pset null '(null)'

-- Products by address, and every type PostgreSQL clients meet.
SELECT count(*) FROM sales.orders;
SELECT order_id, customer_id, country_code, order_date, amount, status, created_at
FROM sales.orders ORDER BY order_id LIMIT 5;
SELECT country_code, name, region_code, population FROM geo.countries ORDER BY country_code LIMIT 5;
SELECT region_code, name, main_languages FROM geo.regions ORDER BY region_code;

SELECT true AS b, (-5)::smallint AS i2, 123456 AS i4, 9000000000 AS i8,
       1.5::real AS f4, 0.1::double AS f8, 12.30::decimal(10,2) AS num,
       12345678901234567890123456789012345678::decimal(38,0) AS big;
SELECT 'héllo'::text AS t, '\xDE\xAD\xBE\xEF'::blob AS bytes, DATE '2024-01-02' AS d,
       TIME '03:04:05.123456' AS tm, TIMESTAMP '2024-01-02 03:04:05.5' AS ts,
       TIMESTAMPTZ '2024-01-02 03:04:05+00' AS tstz;
SELECT INTERVAL '1 year 2 months 3 days 04:05:06' AS iv, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid AS u,
       '{"k":[1,2]}'::json AS j;
SELECT [1, 2, NULL]::INTEGER[] AS ints, ['a b', NULL, 'x"y', '']::VARCHAR[] AS texts,
       [DATE '2024-01-01']::DATE[] AS dates, []::INTEGER[] AS empty;
SELECT NULL::integer AS n1, NULL::varchar AS n2, NULL::date AS n3, NULL::integer[] AS n4;

-- Cross-domain join.
SELECT c.name, sum(o.amount) AS revenue, count(*) AS orders
FROM sales.orders o JOIN geo.countries c USING (country_code)
GROUP BY 1 ORDER BY 2 DESC LIMIT 5;

-- Version pinning.
SELECT count(*) AS pinned FROM sales.orders_v1;

-- search_path and multi-statement queries.
SET search_path TO sales, geo;
SHOW search_path;
SELECT count(*) FROM orders \; SELECT count(*) FROM countries;
RESET search_path;

-- Session settings.
SHOW transaction isolation level;
SHOW TimeZone;
SET TimeZone = 'Europe/Paris';
SELECT TIMESTAMPTZ '2024-01-02 03:04:05+00' AS winter, TIMESTAMPTZ '2024-07-02 03:04:05+00' AS summer;
SET TIME ZONE 'UTC';
SET extra_float_digits = 3;
SHOW extra_float_digits;
SET application_name = 'psql-e2e';
SHOW application_name;
SHOW server_version;

-- Transactions and cursors.
BEGIN;
DECLARE c CURSOR FOR SELECT order_id, status FROM sales.orders ORDER BY order_id;
FETCH FORWARD 5 FROM c;
MOVE 3 IN c;
FETCH 2 FROM c;
CLOSE c;
COMMIT;
START TRANSACTION READ ONLY;
SELECT 1 AS in_block;
ROLLBACK;
DISCARD ALL;
SHOW application_name;

-- COPY to the client.
COPY (SELECT order_id, country_code, amount, status FROM sales.orders ORDER BY order_id LIMIT 3) TO STDOUT WITH (FORMAT csv, HEADER);
COPY (SELECT 1 AS a, NULL::varchar AS b, 'tab	here' AS c) TO STDOUT;
\copy (SELECT country_code, name FROM geo.countries ORDER BY 1 LIMIT 2) TO STDOUT WITH (FORMAT csv)

-- \gset round-trips a value into a variable.
SELECT max(order_id) AS last_id FROM sales.orders \gset
SELECT :last_id - 100000 AS orders_counted;

