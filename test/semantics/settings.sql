-- Settings clients set and read: planner and logging settings are accepted
-- and shown (without effect); the transaction's isolation level is the one
-- BEGIN names.

SHOW transaction_isolation;
SHOW default_transaction_isolation;
SHOW standard_conforming_strings;
SHOW DateStyle;
SHOW IntervalStyle;
SHOW integer_datetimes;
SHOW random_page_cost;
SHOW enable_hashjoin;
SHOW log_statement;
SET random_page_cost = 1.1;
SHOW random_page_cost;
SET enable_hashjoin = off;
SHOW enable_hashjoin;
SET effective_cache_size = '4GB';
SHOW effective_cache_size;
SET log_statement = 'all';
SHOW log_statement;
SET log_statement = 'everything';
SET enable_hashjoin = 'maybe';
RESET enable_hashjoin;
SHOW enable_hashjoin;
SELECT current_setting('transaction_isolation');
BEGIN ISOLATION LEVEL REPEATABLE READ;
SHOW transaction_isolation;
SELECT current_setting('transaction_isolation');
COMMIT;
SHOW transaction_isolation;
BEGIN;
SET TRANSACTION ISOLATION LEVEL SERIALIZABLE;
SHOW transaction_isolation;
ROLLBACK;
SHOW transaction_isolation;
SELECT pg_get_serial_sequence('sem.vals', 'id'), pg_get_serial_sequence(NULL, 'id');
-- refuse: 42P01
SELECT pg_get_serial_sequence('nonexistent_table', 'id') IS NULL;
