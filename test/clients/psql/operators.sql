-- PostgreSQL semantics that clients rely on (psql's and BI tools' catalog
-- queries, literals that drivers send). operators.expected is what
-- PostgreSQL 15 prints for this script. Two known differences are left out
-- (README, Known differences): 1/0 is NULL, not an error, and numeric
-- without a precision is DECIMAL(18,3).
SELECT 'pg_catalog' ~ '^pg_' AS match, 'pg_catalog' !~ '^pg_' AS no_match, 'abc' ~ 'b' AS partial;
SELECT 'Sales' ~* '^sal' AS icase, 'geo' !~* 'X' AS icase_no;
SELECT 'orders' LIKE 'ord%' AS "like", 'ORDERS' ILIKE 'ord%' AS "ilike", 'a_c' NOT LIKE 'a%d' AS not_like;
SELECT 7 / 2 AS int_div, -7 / 2 AS neg_div, 7 % 2 AS modulo;
SELECT '{a,"b,c",NULL}'::text[] AS t, '{1,2}'::int[] AS i;
SELECT '\x0102'::bytea AS b, octet_length('\x0102'::bytea) AS len;
SELECT 'done' AS end_of_script;
