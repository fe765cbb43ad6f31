-- extract is a numeric (PostgreSQL 14+) of the field's scale; date_part a
-- double precision
SELECT extract(year from ts), extract(month from ts), extract(day from ts), extract(hour from ts), extract(minute from ts) FROM sem.vals;
SELECT id, extract(second from ts), extract(milliseconds from ts), extract(microseconds from ts) FROM sem.vals;
SELECT id, extract(epoch from ts), extract(epoch from d), extract(dow from d), extract(isodow from d), extract(doy from d) FROM sem.vals;
SELECT id, extract(quarter from d), extract(week from d), extract(isoyear from d), extract(century from d), extract(decade from d), extract(millennium from d) FROM sem.vals;
SELECT EXTRACT(YEAR FROM DATE '2024-01-31'), EXTRACT(EPOCH FROM TIMESTAMP '2024-02-29 23:59:59.5'), extract('day' from DATE '2024-01-31');
SELECT extract(epoch from INTERVAL '1 year 2 months 3 days 04:05:06.5'), extract(hour from INTERVAL '25 hours'), extract(month from INTERVAL '14 months');
SELECT extract(second from TIME '10:00:01.5'), extract(epoch from TIME '10:00:01.5'), extract(minute from TIME '10:20:00');
SELECT extract(year from ts) + 1, extract(second from ts) * 2, pg_typeof(extract(year from d))::text FROM sem.vals WHERE id = 1;
SELECT id FROM sem.vals WHERE extract(year from d) = 2024 ORDER BY id;
SELECT extract(year from d) AS y, count(*) FROM sem.vals GROUP BY 1;
SELECT extract(second from DATE '2024-01-31');
SELECT extract(hour from DATE '2024-01-31');
SELECT id, date_part('year', d), date_part('month', ts), date_part('second', ts), date_part('epoch', ts) FROM sem.vals;
SELECT date_part('day', DATE '2024-01-31'), date_part('dow', TIMESTAMP '2024-01-31 10:00:00'), date_part('milliseconds', TIMESTAMP '2024-01-31 10:00:01.5');
-- refuse: 0A000
SELECT extract(julian from DATE '2024-01-31');
-- refuse: 0A000
SELECT extract(timezone from now());
-- date arithmetic: date ± integer is a date, date ± interval a timestamp
-- (date - date is a bigint: README, known differences)
SELECT id, d + 1, d - 1, 7 + d, d + INTERVAL '1 day', d - INTERVAL '1 month', d + TIME '10:00' FROM sem.vals;
SELECT id, ts - TIMESTAMP '2024-01-01', ts + INTERVAL '1 hour', ts - INTERVAL '1 day' FROM sem.vals;
SELECT 5 - 3, -id, 1.5 - id, i2 - i2, i8 - 1 FROM sem.vals;
-- of an aggregate's value (DuckDB cannot choose a typed macro overload for
-- it: the planner calls the macro through a lambda)
SELECT extract(epoch FROM max(ts)), extract(second FROM max(ts)), extract(year FROM max(ts)), extract(day FROM min(d)) FROM sem.vals;
SELECT to_char(max(d), 'YYYY-MM'), to_char(min(ts), 'HH24:MI'), to_hex(max(id)), to_hex(id) FROM sem.vals GROUP BY id ORDER BY id;
