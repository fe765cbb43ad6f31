-- Dates and times: to_char, to_date, to_timestamp with PostgreSQL's
-- patterns (any other pattern letter is 0A000), date_trunc of a date,
-- generate_series with PostgreSQL's types.

SELECT to_char(DATE '2024-01-31', 'YYYY-MM-DD');
SELECT to_char(TIMESTAMP '2024-01-31 13:05:09', 'YYYY-MM-DD HH24:MI:SS');
SELECT to_char(TIMESTAMP '2024-01-31 13:05:09', 'DD Mon YYYY HH12:MI AM');
SELECT to_char(TIMESTAMP '2024-01-31 13:05:09', 'Day, Month DD');
SELECT to_char(TIMESTAMP '2024-07-04 00:00:00.123456', 'FMDay FMMonth FMDD, HH12 am, MS US');
SELECT to_char(TIMESTAMP '2024-01-05 09:05:01', 'FMHH24:FMMI:FMSS FMDD/FMMM yy');
SELECT to_char(ts, 'YYYY'), to_char(d, 'Q D DDD') FROM sem.vals;
SELECT to_char(NULL::date, 'YYYY'), to_char(DATE '2024-01-31', '"Year" YYYY "%d"');
SELECT to_char(1234.5, '9999.99');
SELECT to_char(42, '000');
-- refuse: 0A000
SELECT to_char(DATE '2024-01-31', 'WW');
-- refuse: 0A000
SELECT to_char(TIMESTAMP '2024-01-31 10:00:00', 'SSSS');
-- refuse: 0A000
SELECT to_char(d, t) FROM sem.vals;
SELECT to_date('2024-01-31', 'YYYY-MM-DD'), to_date('31/01/2024', 'DD/MM/YYYY'), to_date('20240131', 'YYYYMMDD');
SELECT to_timestamp('2024-01-31 10:00:00', 'YYYY-MM-DD HH24:MI:SS'), to_timestamp('31.01.2024 02:30 PM', 'DD.MM.YYYY HH12:MI AM');
SELECT to_timestamp(0), to_timestamp(1706695200);
-- refuse: 0A000
SELECT to_date('2024 5', 'YYYY W');
-- refuse: 0A000
SELECT to_date(t, t) FROM sem.vals;
SELECT date_trunc('month', DATE '2024-01-31'), date_trunc('year', DATE '2024-05-31'), date_trunc('month', TIMESTAMP '2024-01-31 10:00:00');
SELECT id, date_trunc('month', d) FROM sem.vals;
SELECT DATE '2024-01-31' + 1, DATE '2024-01-31' + INTERVAL '1 month', make_date(2024, 1, 31), make_timestamp(2024, 1, 31, 10, 0, 0);
SELECT INTERVAL '1 day 2 hours', INTERVAL '90 minutes';
SELECT age(TIMESTAMP '2024-01-31', TIMESTAMP '2023-01-01');

-- generate_series: a set of int4 over integers, int8 over bigints,
-- timestamptz over dates, timestamp over timestamps
SELECT * FROM generate_series(1, 3);
SELECT generate_series(1, 3);
SELECT generate_series(1::bigint, 3::bigint);
SELECT generate_series(1, 10, 3), generate_series(5, 1, -2);
SELECT * FROM generate_series('2024-01-01'::date, '2024-01-03'::date, '1 day'::interval);
SELECT * FROM generate_series('2024-01-01'::timestamp, '2024-01-02'::timestamp, '12 hours');
SELECT g FROM generate_series(1, 3) g;
SELECT g.x FROM generate_series(2, 4) AS g(x);
SELECT s, s * 2 FROM generate_series(1, 4) s WHERE s > 2;
SELECT id, generate_series(1, id) FROM sem.vals;
SELECT count(*), min(x), max(x) FROM generate_series(1, 1000) AS t(x);
SELECT generate_series(1, 3, 0);
SELECT * FROM generate_series(1, 0);
