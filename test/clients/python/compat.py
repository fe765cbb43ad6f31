"""psycopg2 / pandas / SQLAlchemy compatibility scenario of meshgate.

Run by test/clients/run.sh with Debian's /usr/bin/python3 (python3-psycopg2,
python3-pandas, python3-sqlalchemy); connection from MG_HOST, MG_PORT,
MG_USER, MG_PASSWORD, MG_DB. Every check compares concrete values of the
demo mesh; a failed check is reported and the scenario goes on; exit
status 1 when any check failed.
"""

import datetime
import decimal
import os
import sys
import traceback
import uuid

import psycopg2
import psycopg2.extras

D = decimal.Decimal
ok = 0
failed = 0


def check(what, want, got):
    global ok, failed
    if want == got and type(want) is type(got):
        ok += 1
    else:
        failed += 1
        print(f"FAIL {what}: want {want!r} ({type(want).__name__}) got {got!r} ({type(got).__name__})")


def check_true(what, cond, detail=""):
    global ok, failed
    if cond:
        ok += 1
    else:
        failed += 1
        print(f"FAIL {what}: {detail}")


def section(name):
    def deco(fn):
        global failed
        before = failed
        try:
            fn()
        except Exception as e:  # noqa: BLE001 - report and go on
            failed += 1
            code = getattr(e, "pgcode", None)
            print(f"FAIL {name}: {type(e).__name__}: {str(e).strip()}" + (f" (SQLSTATE {code})" if code else ""))
            traceback.print_exc(limit=3, file=sys.stdout)
        print(("ok   " if failed == before else "FAIL ") + name)
        return fn

    return deco


dsn = dict(
    host=os.environ["MG_HOST"],
    port=int(os.environ["MG_PORT"]),
    user=os.environ["MG_USER"],
    password=os.environ.get("MG_PASSWORD", ""),
    dbname=os.environ["MG_DB"],
    sslmode="prefer",
    application_name="meshgate-compat",
)
psycopg2.extras.register_uuid()
conn = psycopg2.connect(**dsn)
conn.autocommit = True
UTC = datetime.timezone.utc
versions = f"psycopg2 {psycopg2.__version__.split()[0]}"


@section("server version and settings")
def _():
    check("server_version", 150004, conn.server_version)
    check("encoding", "UTF8", conn.encoding)
    with conn.cursor() as cur:
        cur.execute("SHOW TimeZone")
        check("TimeZone", ("UTC",), cur.fetchone())
        cur.execute("SELECT current_user, current_database()")
        check("current_user, current_database()", ("analyst", "mesh"), cur.fetchone())


@section("parameters of every common type")
def _():
    with conn.cursor() as cur:
        params = dict(
            i=9_000_000_000,
            s="é 'quoted' %s",
            n=D("1234.56"),
            d=datetime.date(2024, 2, 29),
            ts=datetime.datetime(2024, 3, 1, 12, 30, 15, 123456),
            tz=datetime.datetime(2024, 3, 1, 12, 30, 15, tzinfo=UTC),
            b=True,
            nul=None,
            f=0.25,
            arr=[1, 2, 3],
            u=uuid.UUID("73e1a8b0-5c8f-4f22-a623-827cd3881947"),
        )
        cur.execute(
            "SELECT %(i)s::int8, %(s)s::text, %(n)s::numeric, %(d)s::date, %(ts)s::timestamp, "
            "%(tz)s::timestamptz, %(b)s::boolean, %(nul)s::text, %(f)s::float8, %(arr)s::int[], %(u)s::uuid",
            params,
        )
        row = cur.fetchone()
        for k, got in zip(params, row):
            check(f"param {k}", params[k], got)
        cur.execute(
            "SELECT order_id, amount, status FROM sales.orders WHERE customer_id = %s AND order_date < %s ORDER BY order_id LIMIT 2",
            (38, datetime.date(2024, 1, 1)),
        )
        rows = cur.fetchall()
        check("orders of customer 38", 2, len(rows))
        check("first order of customer 38", (100002, D("82.17"), "paid"), rows[0])
        cur.execute("SELECT name FROM geo.countries WHERE country_code IN %s ORDER BY 1", (("DE", "FR", "XX"),))
        check("IN tuple", [("France",), ("Germany",)], cur.fetchall())


@section("result types from the products")
def _():
    with conn.cursor() as cur:
        cur.execute("SELECT order_id, customer_id, country_code, order_date, amount, status, created_at FROM sales.orders WHERE order_id = 100002")
        check(
            "sales.orders row",
            (100002, 38, "US", datetime.date(2023, 1, 30), D("82.17"), "paid", datetime.datetime(2023, 1, 30, 1, 0, 7, tzinfo=UTC)),
            cur.fetchone(),
        )
        check("description names", ["order_id", "customer_id", "country_code", "order_date", "amount", "status", "created_at"],
              [c.name for c in cur.description])
        check("description type OIDs", [20, 20, 25, 1082, 1700, 25, 1184], [c.type_code for c in cur.description])
        # RowDescription's table OID and column number (used by drivers for
        # ResultSetMetaData.getTableName / isNullable, editable grids, …)
        cur2 = conn.cursor()
        cur2.execute("SELECT 'sales.orders'::regclass::oid")
        orders_oid = cur2.fetchone()[0]
        check("description table_oid, table_column", [(orders_oid, 1), (orders_oid, 5)],
              [(c.table_oid, c.table_column) for c in cur.description][0:5:4])
        cur.execute("SELECT supplier_id, rating, active, categories FROM supply.suppliers WHERE supplier_id = 2")
        check("supply.suppliers row", (2, D("4.9"), True, ["home", "garden", "toys"]), cur.fetchone())
        cur.execute("SELECT tracking_id, weight_kg, shipped_at FROM supply.shipments WHERE shipment_id = 500001")
        check("supply.shipments row",
              (uuid.UUID("73e1a8b0-5c8f-4f22-a623-827cd3881947"), 14.08, datetime.datetime(2023, 3, 30, 3, 0, 21, tzinfo=UTC)),
              cur.fetchone())
        cur.execute("SELECT sku, quantity, unit_cost, updated_at FROM supply.inventory ORDER BY sku LIMIT 1")
        check("supply.inventory row", ("SKU-010000", 0, D("1.00"), datetime.datetime(2024, 12, 1, 0, 0)), cur.fetchone())
        cur.execute("SELECT main_languages FROM geo.regions WHERE region_code = 'LATAM'")
        check("geo.regions text[]", (["Spanish", "Portuguese"],), cur.fetchone())
        cur.execute("""SELECT '{"a": [1, 2], "b": null}'::json AS j, 1::smallint, 2.5::real, NULL::int, false,
                       '1 day 02:00:00'::interval, '12:34:56'::time, '\\x0102'::bytea""")
        row = cur.fetchone()
        check("json", {"a": [1, 2], "b": None}, row[0])
        check("smallint", 1, row[1])
        check("real", 2.5, row[2])
        check("NULL", None, row[3])
        check("false", False, row[4])
        check("interval", datetime.timedelta(days=1, hours=2), row[5])
        check("time", datetime.time(12, 34, 56), row[6])
        check("bytea", b"\x01\x02", bytes(row[7]))


@section("server-side named cursor over sales.orders (itersize 150)")
def _():
    conn.autocommit = False
    try:
        with conn.cursor(name="orders_cur") as cur:
            cur.itersize = 150
            cur.execute("SELECT order_id, amount, created_at FROM sales.orders ORDER BY order_id")
            n = 0
            ids = 0
            total = D(0)
            last = None
            for order_id, amount, created_at in cur:
                n += 1
                ids += order_id
                total += amount
                last = (order_id, created_at.tzinfo is not None)
            check("rows", 2000, n)
            check("sum(order_id)", 202001000, ids)
            check("sum(amount)", D("702765.05"), total)
            check("last row", (102000, True), last)
        with conn.cursor(name="scroll_cur") as cur:
            cur.execute("SELECT order_id FROM sales.orders ORDER BY order_id")
            check("fetchmany(3)", [(100001,), (100002,), (100003,)], cur.fetchmany(3))
            cur.scroll(10)
            check("after scroll(10)", (100014,), cur.fetchone())
        conn.commit()
    finally:
        conn.autocommit = True


@section("copy_expert COPY (query) TO STDOUT WITH CSV HEADER")
def _():
    import io

    buf = io.StringIO()
    with conn.cursor() as cur:
        cur.copy_expert(
            "COPY (SELECT region_code, name, headquarters, main_languages FROM geo.regions ORDER BY 1) TO STDOUT WITH CSV HEADER", buf
        )
    check(
        "csv",
        "region_code,name,headquarters,main_languages\n"
        'APAC,Asia-Pacific,Singapore,"{English,Mandarin,Hindi,Japanese}"\n'
        'EU,Europe,Brussels,"{English,German,French,Spanish}"\n'
        'LATAM,Latin America,São Paulo,"{Spanish,Portuguese}"\n'
        'MEA,Middle East and Africa,Dubai,"{Arabic,English,French,Swahili}"\n'
        'NA,North America,Toronto,"{English,Spanish,French}"\n',
        buf.getvalue(),
    )
    buf = io.StringIO()
    with conn.cursor() as cur:
        cur.copy_expert("COPY (SELECT order_id, amount, created_at FROM sales.orders ORDER BY order_id LIMIT 2) TO STDOUT", buf)
    check("text format", "100001\t30.00\t2023-01-01 00:00:00+00\n100002\t82.17\t2023-01-30 01:00:07+00\n", buf.getvalue())


@section("errors: pgcode, and the connection survives")
def _():
    with conn.cursor() as cur:
        try:
            cur.execute("SELECT * FROM sales.nonexistent")
            check_true("unknown product fails", False, "no error")
        except psycopg2.errors.UndefinedTable as e:
            check("pgcode", "42P01", e.pgcode)
        try:
            cur.execute("SELEC 1")
            check_true("syntax error fails", False, "no error")
        except psycopg2.errors.SyntaxError as e:
            check("syntax error pgcode", "42601", e.pgcode)
        try:
            cur.execute("INSERT INTO sales.orders (order_id) VALUES (1)")
            check_true("INSERT fails", False, "no error")
        except psycopg2.errors.FeatureNotSupported as e:
            check("INSERT pgcode", "0A000", e.pgcode)
        cur.execute("SELECT count(*) FROM geo.countries")
        check("after errors", (20,), cur.fetchone())


@section("pandas read_sql: cross-domain revenue")
def _():
    global versions
    import warnings

    import pandas as pd

    versions += f", pandas {pd.__version__}"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pandas warns about DBAPI2 connections other than sqlite3
        df = pd.read_sql(
            "SELECT c.name, sum(o.amount) AS revenue, count(*) AS orders FROM sales.orders o JOIN geo.countries c USING (country_code) "
            "WHERE o.order_date >= %(since)s GROUP BY 1 ORDER BY 2 DESC",
            conn,
            params={"since": datetime.date(2023, 1, 1)},
        )
    check("columns", ["name", "revenue", "orders"], list(df.columns))
    check("rows (countries with orders)", 15, len(df))
    # read_sql's coerce_float (default) turns Decimals into float64
    check("top", ["United States", 132066.25, 381], [df.iloc[0]["name"], float(df.iloc[0]["revenue"]), int(df.iloc[0]["orders"])])
    check("second", "United Kingdom", df.iloc[1]["name"])
    check("total revenue", "702765.05", f"{df['revenue'].sum():.2f}")
    check("total orders", 2000, int(df["orders"].sum()))
    check("dtypes", ["object", "float64", "int64"], [str(t) for t in df.dtypes])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        df = pd.read_sql("SELECT order_id, order_date, created_at FROM sales.orders ORDER BY order_id LIMIT 3", conn)
    check("created_at dtype", "datetime64[ns, UTC]", str(df["created_at"].dtype))
    check("first created_at", "2023-01-01 00:00:00+00:00", str(df["created_at"][0]))


@section("SQLAlchemy engine + inspect")
def _():
    global versions
    import sqlalchemy as sa

    versions += f", SQLAlchemy {sa.__version__}"
    url = sa.engine.URL.create(
        "postgresql+psycopg2",
        username=dsn["user"],
        password=dsn["password"] or None,
        host=dsn["host"],
        port=dsn["port"],
        database=dsn["dbname"],
        query={"sslmode": "prefer"},
    )
    engine = sa.create_engine(url)
    try:
        with engine.connect() as c:
            check("engine query", [("United States", D("132066.25"))], [tuple(r) for r in c.execute(sa.text(
                "SELECT c.name, sum(o.amount) FROM sales.orders o JOIN geo.countries c USING (country_code) "
                "WHERE c.country_code = :cc GROUP BY 1"), {"cc": "US"})])
        insp = sa.inspect(engine)

        def attempt(name, fn):
            try:
                fn()
            except Exception as e:  # noqa: BLE001 - report each inspector call
                check_true(name, False, f"{type(e).__name__}: {str(e.orig if hasattr(e, 'orig') else e).strip().splitlines()[0]}")

        attempt("get_schema_names", lambda: check_true(
            "get_schema_names has geo, sales, supply", {"geo", "sales", "supply"} <= set(insp.get_schema_names()), insp.get_schema_names()))
        attempt("get_table_names", lambda: check(
            "get_table_names(schema='sales')", ["customers", "orders", "revenue_by_country"], sorted(insp.get_table_names(schema="sales"))))
        attempt("get_view_names", lambda: check("get_view_names(schema='sales')", [], insp.get_view_names(schema="sales")))
        attempt("has_table", lambda: (check("has_table(orders, sales)", True, insp.has_table("orders", schema="sales")),
                                      check("has_table(nope, sales)", False, insp.has_table("nope", schema="sales"))))
        attempt("get_columns(orders)", lambda: check("get_columns", [
            ("order_id", "BIGINT", False),
            ("customer_id", "BIGINT", False),
            ("country_code", "TEXT", False),
            ("order_date", "DATE", False),
            ("amount", "NUMERIC(12, 2)", False),
            ("status", "TEXT", False),
            ("created_at", "TIMESTAMP", False),
        ], [(c["name"], str(c["type"]), c["nullable"]) for c in insp.get_columns("orders", schema="sales")]))
        attempt("get_columns(countries) comment", lambda: check("column comment", "Population estimate, 2023.", {
            c["name"]: c.get("comment") for c in insp.get_columns("countries", schema="geo")}.get("population")))
        attempt("get_pk_constraint", lambda: check(
            "get_pk_constraint", [], insp.get_pk_constraint("orders", schema="sales")["constrained_columns"]))
        attempt("get_foreign_keys", lambda: check("get_foreign_keys", [], insp.get_foreign_keys("orders", schema="sales")))
        attempt("get_indexes", lambda: check("get_indexes", [], insp.get_indexes("orders", schema="sales")))
        attempt("get_unique_constraints", lambda: check(
            "get_unique_constraints", [], insp.get_unique_constraints("orders", schema="sales")))
        attempt("get_table_comment", lambda: check("get_table_comment", "One row per customer order", (
            insp.get_table_comment("orders", schema="sales")["text"] or "")[:26]))

        def reflect():
            orders = sa.Table("orders", sa.MetaData(), schema="sales", autoload_with=engine)
            with engine.connect() as c:
                q = sa.select(sa.func.count(), sa.func.sum(orders.c.amount)).where(orders.c.status == "paid")
                check("reflected Table query", (400, D("139565.25")), tuple(c.execute(q).one()))

        attempt("Table(autoload_with=engine)", reflect)
    finally:
        engine.dispose()


conn.close()
print(f"{versions}: {ok} checks ok, {failed} failed")
sys.exit(1 if failed else 0)
