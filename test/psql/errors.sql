-- meshgate psql end-to-end: errors. Run WITHOUT ON_ERROR_STOP, with
-- VERBOSITY verbose so each error shows its SQLSTATE; the output (stdout
-- and stderr) must equal errors.expected. After every error the session
-- goes on.
\set VERBOSITY verbose
\set SHOW_CONTEXT never

-- Syntax and names.
SELEC 1;
SELECT * FROM sales.nope;
SELECT * FROM orders;
SELECT nocol FROM sales.orders;
SELECT * FROM sales.orders_v2;
SELECT 'x'::integer;
SELECT 300::tinyint;
SELECT 1 AS still_alive;

-- Writes are refused.
INSERT INTO sales.orders VALUES (1);
UPDATE sales.orders SET amount = 0;
DELETE FROM sales.orders;
CREATE TABLE t AS SELECT 1;
DROP TABLE sales.orders;

-- Reaching around the products is refused.
ATTACH ':memory:' AS x;
INSTALL httpfs;
LOAD httpfs;
PRAGMA database_list;
COPY (SELECT 1) TO '/tmp/meshgate-psql-e2e.csv';
SELECT * FROM read_csv('/etc/passwd');
SELECT * FROM read_parquet('testdata/mesh/sales/data/orders.parquet');
SELECT * FROM glob('*');
SELECT * FROM 'testdata/mesh/sales/data/orders.parquet';
SELECT * FROM memory.ports.sales__orders;
SELECT * FROM sess_1.sales.orders;
SELECT * FROM duckdb_databases();
SELECT * FROM duckdb_settings();
SELECT * FROM query('select 1');
SET enable_external_access = true;
SET no_such_setting = 1;
SHOW no_such_setting;
SELECT 2 AS still_alive;

-- Transactions: warnings, the failed state and recovery.
COMMIT;
BEGIN;
BEGIN;
SELECT 'x'::integer;
SELECT 1;
ROLLBACK;
SELECT 3 AS recovered;
FETCH 1 FROM nocursor;
DECLARE c CURSOR FOR SELECT 1;

-- statement_timeout.
SET statement_timeout = '200ms';
SELECT count(*) FROM range(100000000000);
RESET statement_timeout;
SELECT 4 AS still_alive;
