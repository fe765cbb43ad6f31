"""psqlODBC scenario of meshgate (test/clients/run.sh): unixODBC with
Debian's odbc-postgresql 13 ("PostgreSQL Unicode") through python3-pyodbc,
as Excel, Power BI and Qlik reach PostgreSQL over ODBC.

UseDeclareFetch=1 (what those tools set for large results): every SELECT
becomes DECLARE … CURSOR and FETCH 50 at a time inside a transaction, and
each statement runs under a SAVEPOINT that psqlODBC releases, or rolls
back to on an error (statement-level rollback) — so an error leaves the
transaction usable. The answers, and those of the ODBC catalog functions
(SQLTables, SQLColumns, SQLPrimaryKeys, SQLStatistics), are compared with
what psycopg2 (libpq, as psql) reads for the same user.
"""

import decimal

import psycopg2
import pyodbc

import mgcheck
from mgcheck import check, check_true, section

ci = mgcheck.conninfo()
odbc = pyodbc.connect(
    "DRIVER={PostgreSQL Unicode};SERVER=%s;PORT=%d;DATABASE=%s;UID=%s;PWD=%s;SSLmode=disable;"
    "UseDeclareFetch=1;Fetch=50;ReadOnly=1" % (ci["host"], ci["port"], ci["dbname"], ci["user"], ci["password"]),
    autocommit=False, timeout=10)
ref = psycopg2.connect(**ci, sslmode="disable")
ref.autocommit = True


def reference(sql, params=None):
    cur = ref.cursor()
    cur.execute(sql, params)
    return [tuple(r) for r in cur.fetchall()]


def rows(sql, *params):
    cur = odbc.cursor()
    cur.execute(sql, *params)
    return [tuple(r) for r in cur.fetchall()]


@section("results fetched 50 rows at a time through a cursor")
def _():
    sql = "SELECT order_id, customer_id, country_code, amount, status FROM sales.orders ORDER BY order_id"
    got = rows(sql)
    check("orders (2000 rows, 40 FETCHes)", reference(sql), got)
    sql = "SELECT customer_id, name, email, country_code FROM sales.customers ORDER BY customer_id"
    check("customers, masked as for psycopg2", reference(sql), rows(sql))
    check("parameters", reference("SELECT count(*) FROM sales.orders WHERE country_code = %s AND amount > %s", ("DE", decimal.Decimal("100"))),
          rows("SELECT count(*) FROM sales.orders WHERE country_code = ? AND amount > ?", "DE", decimal.Decimal("100")))


@section("an error rolls back to the statement's savepoint; the transaction goes on")
def _():
    cur = odbc.cursor()
    try:
        cur.execute("SELECT * FROM meshgate.audit")
        check_true("ungranted product refused", False, "no error")
    except pyodbc.Error as e:
        check_true("ungranted product refused", "permission denied" in str(e), str(e))
    check("next statement in the same transaction", [(2000,)], rows("SELECT count(*) FROM sales.orders"))
    odbc.commit()
    check("after commit", [(1,)], rows("SELECT 1"))
    odbc.rollback()


@section("catalog functions")
def _():
    cur = odbc.cursor()
    want = sorted(r[0] for r in reference("SELECT table_name FROM information_schema.tables WHERE table_schema = 'sales'"))
    check("SQLTables(schema=sales)", want, sorted(r.table_name for r in cur.tables(schema="sales", tableType="TABLE")))
    want = reference("SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'sales' AND table_name = 'orders' ORDER BY ordinal_position")
    got = [(r.column_name, r.type_name) for r in cur.columns(schema="sales", table="orders")]
    check("SQLColumns(sales.orders) names", [w[0] for w in want], [g[0] for g in got])
    check_true("SQLColumns(sales.orders) types", all(g[1] for g in got), got)
    check("SQLPrimaryKeys (none)", [], list(cur.primaryKeys("orders", schema="sales")))
    check("SQLStatistics (no indexes)", [], [r for r in cur.statistics("orders", schema="sales") if r.index_name])
    check("SQLTables does not list an ungranted product", [], [r for r in cur.tables(schema="meshgate", table="audit")])
    odbc.rollback()


mgcheck.finish(f"psqlODBC {odbc.getinfo(pyodbc.SQL_DRIVER_VER)} (unixODBC, pyodbc {pyodbc.version}, UseDeclareFetch=1)")
