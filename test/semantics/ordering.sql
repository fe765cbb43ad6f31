-- NULL ordering: last ascending, first descending, as PostgreSQL.

-- compare: order
SELECT id, t FROM sem.vals ORDER BY t;
-- compare: order
SELECT id, t FROM sem.vals ORDER BY t DESC;
-- compare: order
SELECT id, i2 FROM sem.vals ORDER BY i2 NULLS FIRST;
-- compare: order
SELECT id, i2 FROM sem.vals ORDER BY i2 DESC NULLS LAST;
-- compare: order
SELECT x FROM (VALUES (1), (NULL), (3), (2)) v(x) ORDER BY x DESC;
-- compare: order
SELECT id, row_number() OVER (ORDER BY i2 DESC) FROM sem.vals ORDER BY id;
-- compare: order
SELECT array_agg(i2 ORDER BY i2 DESC) FROM sem.vals;
-- compare: order
SELECT string_agg(t, ',' ORDER BY t) FROM sem.vals;
-- compare: order
SELECT id, i8 FROM sem.vals ORDER BY i8 DESC LIMIT 2;
