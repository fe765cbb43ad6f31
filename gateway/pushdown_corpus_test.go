package gateway_test

import "fmt"

// pushCorpus generates the differential test's queries over the edge
// tables (NULL keys, decimal and date extremes, an empty table) and the
// small TPC-H: outer joins with conditions on either side, HAVING,
// DISTINCT, LIMIT at ties (only an order-independent summary of the
// limited rows is compared), decimal and date arithmetic, subqueries
// with NULLs, set operations and CTEs.
func pushCorpus() []string {
	var out []string
	add := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	for _, right := range []string{"edge_b", "edge_empty"} {
		for _, join := range []string{"JOIN", "LEFT JOIN", "RIGHT JOIN", "FULL JOIN"} {
			for _, where := range []string{"", "WHERE b.k IS NULL", "WHERE a.amt > 0", "WHERE b.s LIKE 'a%'", "WHERE coalesce(b.k, -1) < 3 OR a.k IS NULL"} {
				for _, sel := range []string{"count(*)", "count(b.id), sum(a.amt), max(b.d)", "a.id, b.id, b.s"} {
					add("SELECT %s FROM edge_a AS a %s %s AS b ON a.k = b.k %s", sel, join, right, where)
				}
			}
		}
	}
	for _, t := range []string{"edge_a", "edge_b", "edge_empty"} {
		for n := 0; n < 5; n++ {
			add("SELECT k, count(*), sum(amt), min(s), max(d), avg(f) FROM %s GROUP BY k HAVING count(*) > %d", t, n)
		}
		add("SELECT DISTINCT k FROM %s", t)
		add("SELECT DISTINCT s, b FROM %s", t)
		add("SELECT count(DISTINCT s), count(DISTINCT k), count(s), count(*) FROM %s", t)
		add("SELECT b, count(*), sum(f) FROM %s GROUP BY b", t)
		add("SELECT count(*) FROM %s WHERE b", t)
		add("SELECT count(*) FROM %s WHERE NOT b OR b IS NULL", t)
		add("SELECT max(k), min(amt), sum(k) FROM %s", t)
	}
	for _, n := range []int{1, 5, 10, 30} {
		for _, dir := range []string{"", "DESC", "NULLS FIRST", "DESC NULLS LAST"} {
			add("SELECT count(*), sum(k), count(k) FROM (SELECT k FROM edge_a ORDER BY k %s LIMIT %d) AS t", dir, n)
		}
		add("SELECT k, id FROM edge_a ORDER BY k, id LIMIT %d OFFSET %d", n, n/2)
	}
	for _, q := range []string{
		"SELECT id, amt * 2, amt + 0.0001, amt - 1, -amt FROM edge_a WHERE amt BETWEEN -100000 AND 100000",
		"SELECT sum(amt), min(amt), max(amt), count(amt) FROM edge_a",
		"SELECT id, amt / 3 FROM edge_a",
		"SELECT id, k / 2, k / 3 * 3, -k / 2, (k + 1) / 2 FROM edge_a",
		"SELECT k / 2 AS h, count(*) FROM edge_a GROUP BY k / 2",
		"SELECT id FROM edge_a WHERE k / 2 = 1",
		"SELECT id FROM edge_a WHERE amt BETWEEN -1 AND 2.5",
		"SELECT id, amt FROM edge_a WHERE amt > 99999999999999.9998 OR amt < -99999999999999.9998",
		"SELECT amt, count(*) FROM edge_a GROUP BY amt",
		"SELECT id, amt * amt FROM edge_a WHERE amt BETWEEN -100 AND 100",
		"SELECT id, CAST(amt AS DECIMAL(10,1)) FROM edge_a WHERE amt BETWEEN -100 AND 100",
		"SELECT id, d + 1, d - INTERVAL '1' MONTH, d + INTERVAL '1 month', d + INTERVAL '1' YEAR FROM edge_a",
		"SELECT id, extract(year FROM d), extract(month FROM d), extract(day FROM d) FROM edge_a",
		"SELECT id FROM edge_a WHERE d < DATE '2000-03-01'",
		"SELECT id FROM edge_a WHERE d = DATE '2000-02-29'",
		"SELECT max(d), min(d), count(d) FROM edge_b",
		"SELECT d, count(*) FROM edge_a GROUP BY d",
		"SELECT id, ts FROM edge_a WHERE ts >= TIMESTAMP '2000-01-01 00:00:00'",
		"SELECT max(ts), min(ts) FROM edge_b",
		"SELECT id, s FROM edge_a WHERE s < 'b'",
		"SELECT id, s FROM edge_a WHERE s > 'Z'",
		"SELECT min(s), max(s) FROM edge_a",
		"SELECT id FROM edge_a WHERE s LIKE 'a_b'",
		"SELECT id FROM edge_a WHERE s LIKE '%b'",
		"SELECT id FROM edge_a WHERE s NOT LIKE 'a%'",
		"SELECT id, substring(s FROM 1 FOR 1) FROM edge_a",
		"SELECT id, f * 2, f + 0.5, f - amt FROM edge_a",
		"SELECT sum(f), avg(f), min(f), max(f) FROM edge_b",
		"SELECT id, nullif(k, 3), coalesce(k, 99), coalesce(s, 'none') FROM edge_a",
		"SELECT CASE WHEN k < 3 THEN 'low' WHEN k IS NULL THEN 'none' ELSE 'high' END AS c, count(*) FROM edge_a GROUP BY 1",
		"SELECT count(*) FROM edge_a WHERE k IN (SELECT k FROM edge_b)",
		"SELECT count(*) FROM edge_a WHERE k NOT IN (SELECT k FROM edge_b)",
		"SELECT count(*) FROM edge_a WHERE k NOT IN (SELECT k FROM edge_b WHERE k IS NOT NULL)",
		"SELECT count(*) FROM edge_a WHERE k NOT IN (SELECT k FROM edge_empty)",
		"SELECT count(*) FROM edge_a WHERE k IN (1, 2, NULL)",
		"SELECT count(*) FROM edge_a WHERE k NOT IN (1, 2)",
		"SELECT count(*) FROM edge_a WHERE EXISTS (SELECT 1 FROM edge_b WHERE edge_b.k = edge_a.k)",
		"SELECT count(*) FROM edge_a WHERE NOT EXISTS (SELECT 1 FROM edge_b WHERE edge_b.k = edge_a.k)",
		"SELECT count(*) FROM edge_a WHERE NOT EXISTS (SELECT 1 FROM edge_empty)",
		"SELECT id FROM edge_a WHERE amt > (SELECT avg(amt) FROM edge_b)",
		"SELECT id, (SELECT max(k) FROM edge_empty) FROM edge_a",
		"SELECT id FROM edge_a WHERE k = (SELECT max(k) FROM edge_b)",
		"SELECT k FROM edge_a UNION SELECT k FROM edge_b",
		"SELECT k FROM edge_a UNION ALL SELECT k FROM edge_b",
		"SELECT k FROM edge_a EXCEPT SELECT k FROM edge_b",
		"SELECT k FROM edge_a INTERSECT SELECT k FROM edge_b",
		"SELECT s FROM edge_a UNION SELECT s FROM edge_empty",
		"SELECT s FROM edge_a EXCEPT SELECT s FROM edge_empty",
		"SELECT s FROM edge_a INTERSECT SELECT s FROM edge_empty",
		"WITH x AS (SELECT k, count(*) AS n FROM edge_a GROUP BY k) SELECT * FROM x WHERE n > 3",
		"WITH x (kk, n) AS (SELECT k, count(*) FROM edge_a GROUP BY k), y AS (SELECT kk FROM x WHERE n > 1) SELECT count(*) FROM y JOIN edge_b ON y.kk = edge_b.k",
		"SELECT a.id, b.id FROM edge_a a JOIN edge_b b USING (k) WHERE a.id < 10",
		"SELECT count(*) FROM edge_a a, edge_b b WHERE a.k = b.k AND a.d > b.d",
		"SELECT count(*) FROM edge_a CROSS JOIN edge_empty",
		"SELECT * FROM edge_empty",
		"SELECT count(*), sum(amt) FROM edge_empty",
		"SELECT * FROM edge_a WHERE id <= 5",
		"SELECT t.* FROM (SELECT id, k FROM edge_b) AS t WHERE t.k > 2",
		"SELECT k, sum(amt) AS total FROM edge_a GROUP BY k ORDER BY total DESC NULLS LAST",
	} {
		add("%s", q)
	}
	for y := 1992; y <= 1998; y++ {
		add("SELECT o_orderpriority, count(*) FROM orders WHERE o_orderdate >= DATE '%d-01-01' AND o_orderdate < DATE '%d-01-01' + INTERVAL '1' YEAR GROUP BY o_orderpriority ORDER BY o_orderpriority", y, y)
	}
	for _, seg := range []string{"AUTOMOBILE", "BUILDING", "FURNITURE", "MACHINERY", "HOUSEHOLD"} {
		add("SELECT c_nationkey, count(DISTINCT o_orderkey), sum(o_totalprice) FROM customer JOIN orders ON c_custkey = o_custkey WHERE c_mktsegment = '%s' GROUP BY c_nationkey HAVING sum(o_totalprice) > 1000", seg)
		add("SELECT count(*) FROM customer LEFT JOIN orders ON c_custkey = o_custkey AND o_orderstatus = 'F' WHERE c_mktsegment = '%s' AND o_orderkey IS NULL", seg)
	}
	for _, pat := range []string{"%special%requests%", "%express%", "Customer%", "%final"} {
		add("SELECT c_count, count(*) AS custdist FROM (SELECT c_custkey, count(o_orderkey) FROM customer LEFT OUTER JOIN orders ON c_custkey = o_custkey AND o_comment NOT LIKE '%s' GROUP BY c_custkey) AS c_orders (c_custkey, c_count) GROUP BY c_count", pat)
	}
	return out
}
