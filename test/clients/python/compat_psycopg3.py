"""psycopg 3 compatibility scenario of meshgate (test/clients/run.sh).

Debian's /usr/bin/python3 with python3-psycopg; connection from MG_HOST,
MG_PORT, MG_USER, MG_PASSWORD, MG_DB. psycopg 3 sends queries with the
extended protocol and server-side parameters, declaring the type of
numbers, booleans and dates it sends (int as int2/int4/int8 by value).
"""

import datetime
import decimal

import psycopg
from psycopg.types import TypeInfo

import mgcheck
from mgcheck import check, check_error, section

D = decimal.Decimal
ci = mgcheck.conninfo()
conn = psycopg.connect(**ci, sslmode="disable", autocommit=True, connect_timeout=10)
versions = f"psycopg {psycopg.__version__} (libpq {psycopg.pq.version()})"


def one(sql, params=None, **kw):
    cur = conn.execute(sql, params, **kw)
    row = cur.fetchone()
    return row, [(d.name, d.type_code) for d in cur.description]


@section("basics: queries, parameters against columns")
def _():
    check("orders", (2000,), conn.execute("SELECT count(*) FROM sales.orders").fetchone())
    check("where status = %s", (400,), conn.execute("SELECT count(*) FROM sales.orders WHERE status = %s", ["paid"]).fetchone())
    check("where order_id = %s", ("US",), conn.execute(
        "SELECT country_code FROM sales.orders WHERE order_id = %s", [100002]).fetchone())
    check("where order_date >= %s", (True,), conn.execute(
        "SELECT count(*) > 0 FROM sales.orders WHERE order_date >= %s", [datetime.date(2024, 1, 1)]).fetchone())


@section("select %s: the declared type, or text")
def _():
    check("int (declared int2)", ((5,), [("?column?", 21)]), one("SELECT %s", [5]))
    check("big int (declared int8)", ((9_000_000_000,), [("?column?", 20)]), one("SELECT %s", [9_000_000_000]))
    check("str (unknown → text)", (("x",), [("?column?", 25)]), one("SELECT %s", ["x"]))
    check("float", ((1.5,), [("?column?", 701)]), one("SELECT %s", [1.5]))
    check("bool", ((True,), [("?column?", 16)]), one("SELECT %s", [True]))
    check("date", ((datetime.date(2024, 1, 2),), [("?column?", 1082)]), one("SELECT %s", [datetime.date(2024, 1, 2)]))
    check("None", ((None,), [("?column?", 25)]), one("SELECT %s", [None]))
    check("named", ((3, "y"), [("a", 21), ("b", 25)]), one("SELECT %(n)s AS a, %(s)s AS b", {"n": 3, "s": "y"}))
    check("%s::int + 1", (42,), one("SELECT %s::int + 1", ["41"])[0])
    check("%s = 'x'", (True,), one("SELECT %s = 'x'", ["x"])[0])
    check("prepared (5 executions)", [(k,) for k in range(5)], [one("SELECT %s", [k], prepare=True)[0] for k in range(5)])
    check("binary", ((7,), [("?column?", 21)]), one("SELECT %s", [7], binary=True))


@section("TypeInfo.fetch (SQLAlchemy 2's psycopg dialect runs it on connect)")
def _():
    t = TypeInfo.fetch(conn, "int4")
    check("int4", (23, 1007), (t.oid, t.array_oid))
    t = TypeInfo.fetch(conn, "text")
    check("text", (25, 1009), (t.oid, t.array_oid))


@section("errors: answered at once, the connection goes on")
def _():
    check_error("unknown product", "42P01", lambda: conn.execute("SELECT * FROM nope.nothing WHERE x = %s", [1]))
    check_error("syntax", "42601", lambda: conn.execute("SELEKT %s", [1]))
    check_error("bad value", "22P02", lambda: conn.execute("SELECT %s::int", ["x"]))
    check_error("LISTEN", "0A000", lambda: conn.execute("LISTEN channel"))
    check("after errors", (1,), conn.execute("SELECT 1").fetchone())


@section("session commands: client_encoding, UNLISTEN, SHOW ssl")
def _():
    conn.execute("SET client_encoding = 'utf-8'")
    check("client_encoding", "UTF8", conn.info.parameter_status("client_encoding"))
    check("UNLISTEN *", "UNLISTEN", conn.execute("UNLISTEN *").statusmessage)
    check("SHOW ssl", ("off",), conn.execute("SHOW ssl").fetchone())


@section("transactions: nested blocks are savepoints")
def _():
    with psycopg.connect(**ci, sslmode="disable", connect_timeout=10) as c:
        c.read_only = True
        with c.transaction():
            c.execute("SET TimeZone = 'Asia/Tokyo'")
            try:
                with c.transaction():
                    c.execute("SET TimeZone = 'Europe/Paris'")
                    c.execute("SELECT * FROM nope.nothing")
            except psycopg.errors.UndefinedTable:
                pass
            check("rolled back to the savepoint", ("Asia/Tokyo",), c.execute("SHOW TimeZone").fetchone())
            with c.transaction():
                check("in a released savepoint", (20,), c.execute("SELECT count(*) FROM geo.countries").fetchone())
        check("committed", ("Asia/Tokyo",), c.execute("SHOW TimeZone").fetchone())


@section("server-side cursors: DECLARE over the extended protocol, Describe of the cursor, FETCH, scroll")
def _():
    with psycopg.connect(**ci, sslmode="disable", connect_timeout=10) as c:
        q = "SELECT order_id FROM sales.orders WHERE status = %s ORDER BY order_id"
        want = c.execute(q, ["paid"]).fetchall()
        with c.cursor(name="orders_cur") as cur:
            cur.itersize = 70
            cur.execute(q, ["paid"])
            check("description", [("order_id", 20)], [(d.name, d.type_code) for d in cur.description])
            check("fetchmany", want[:3], cur.fetchmany(3))
            check("iterated the rest", want[3:], list(cur))
        with c.cursor(name="scroll_cur", scrollable=True) as cur:
            cur.execute("SELECT i FROM generate_series(1, 10) AS t(i) ORDER BY i")
            check("fetchone", (1,), cur.fetchone())
            cur.scroll(4)
            check("scroll(4)", (6,), cur.fetchone())
            cur.scroll(-3)
            check("scroll(-3)", (4,), cur.fetchone())
            cur.scroll(0, mode="absolute")
            check("scroll absolute 0", [(1,), (2,)], cur.fetchmany(2))
        with c.cursor(name="noscroll_cur", scrollable=False) as cur:
            cur.execute("SELECT i FROM generate_series(1, 5) AS t(i) ORDER BY i")
            cur.fetchone()
            check_error("scroll back on NO SCROLL", "55000", lambda: cur.scroll(-1))
        c.rollback()


@section("COPY … TO STDOUT (FORMAT binary): copy.rows() with set_types")
def _():
    q = "SELECT order_id, amount, status, order_date FROM sales.orders ORDER BY order_id LIMIT 5"
    want = conn.execute(q).fetchall()
    with conn.cursor() as cur:
        with cur.copy(f"COPY ({q}) TO STDOUT (FORMAT binary)") as copy:
            copy.set_types(["int8", "numeric", "text", "date"])
            got = list(copy.rows())
        check("rows as the query's", want, got)
        check("rowcount", 5, cur.rowcount)
    with conn.cursor() as cur:
        with cur.copy("COPY (SELECT NULL::int4 AS a, 'é'::text AS b) TO STDOUT (FORMAT binary)") as copy:
            copy.set_types(["int4", "text"])
            check("NULL and UTF-8", [(None, "é")], list(copy.rows()))
    check_error("DELIMITER in binary mode", "42601",
                lambda: conn.execute("COPY (SELECT 1) TO STDOUT (FORMAT binary, DELIMITER ',')"))
    check_error("a raw file through binary COPY", "42501",
                lambda: conn.execute("COPY (SELECT * FROM read_csv('/etc/passwd')) TO STDOUT (FORMAT binary)"))
    check("connection goes on", (1,), conn.execute("SELECT 1").fetchone())


conn.close()
mgcheck.finish(versions)
