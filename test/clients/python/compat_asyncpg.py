"""asyncpg compatibility scenario of meshgate (test/clients/run.sh).

Debian's /usr/bin/python3 with python3-asyncpg; connection from MG_HOST,
MG_PORT, MG_USER, MG_PASSWORD, MG_DB. asyncpg speaks only the extended
protocol: Parse/Describe/Flush and wait, then Bind/Execute/Sync. Every
await has a timeout, so a reply the server never sends fails the check
instead of hanging the suite.
"""

import asyncio
import datetime
import decimal

import asyncpg

import mgcheck
from mgcheck import check, check_true

D = decimal.Decimal
T = 20  # seconds any single round trip may take


async def section(name, fn):
    before = mgcheck.failed
    try:
        await asyncio.wait_for(fn(), 4 * T)
    except asyncio.TimeoutError as e:
        mgcheck.report(name + " (timed out: the server left the client waiting)", before, e)
        return
    except Exception as e:  # noqa: BLE001 - report and go on
        mgcheck.report(name, before, e)
        return
    mgcheck.report(name, before)


async def check_error(what, code, coro):
    try:
        await asyncio.wait_for(coro, T)
    except asyncio.TimeoutError:
        check_true(what, False, "no answer: the error was never sent")
        return
    except Exception as e:  # noqa: BLE001 - the error is what is checked
        check(what + " SQLSTATE", code, mgcheck.sqlstate(e))
        return
    check_true(what, False, "no error")


async def main():
    ci = mgcheck.conninfo()
    args = dict(host=ci["host"], port=ci["port"], user=ci["user"], password=ci["password"], database=ci["dbname"],
                ssl=False, timeout=T, command_timeout=T)
    # asyncpg sends client_encoding='utf-8' (quoted) in the startup packet.
    conn = await asyncpg.connect(**args)
    versions = f"asyncpg {asyncpg.__version__}, server {conn.get_server_version()}"

    async def basics():
        check("fetchval", 1, await conn.fetchval("SELECT 1"))
        check("orders", 2000, await conn.fetchval("SELECT count(*) FROM sales.orders"))
        row = await conn.fetchrow("SELECT order_id, amount, order_date, status FROM sales.orders WHERE order_id = $1", 100002)
        check("row", (100002, D("82.17"), datetime.date(2023, 1, 30), "paid"), tuple(row))

    await section("connect (client_encoding='utf-8'), queries, parameters", basics)

    async def errors_without_sync():
        # Each fails at Parse/Describe, before any Sync: the error must
        # arrive at once, and the connection goes on.
        await check_error("unknown product", "42P01", conn.fetch("SELECT * FROM nope.nothing"))
        await check_error("syntax error", "42601", conn.fetch("SELEKT 1"))
        await check_error("unknown column", "42703", conn.fetch("SELECT nocol FROM sales.orders WHERE order_id = $1", 1))
        await check_error("write refused", "0A000", conn.execute("DELETE FROM sales.orders"))
        await check_error("prepare of an unknown product", "42P01", conn.prepare("SELECT * FROM sales.nope WHERE x = $1"))
        await check_error("bad value", "22P02", conn.fetch("SELECT 'x'::int WHERE $1", True))
        check("after the errors", 7, await conn.fetchval("SELECT 3 + 4"))

    await section("errors at Parse/Describe are answered at once (no Sync)", errors_without_sync)

    async def untyped_parameters():
        check("select $1 (text)", "x", await conn.fetchval("SELECT $1", "x"))
        check("select $1 || $2", "ab", await conn.fetchval("SELECT $1 || $2", "a", "b"))
        check("select $1::int + 1", 42, await conn.fetchval("SELECT $1::int + 1", 41))
        check("select $1 = 'x'", True, await conn.fetchval("SELECT $1 = 'x'", "x"))
        check("where status = $1", 400, await conn.fetchval("SELECT count(*) FROM sales.orders WHERE status = $1", "paid"))
        stmt = await conn.prepare("SELECT $1 AS a, $2::date AS d")
        check("parameter types", ["text", "date"], [t.name for t in stmt.get_parameters()])
        check("result types", ["text", "date"], [a.type.name for a in stmt.get_attributes()])
        check("prepared fetch", ("v", datetime.date(2024, 5, 6)), tuple(await stmt.fetchrow("v", datetime.date(2024, 5, 6))))

    await section("untyped parameters are text, as in PostgreSQL", untyped_parameters)

    async def transactions():
        async with conn.transaction(readonly=True):
            check("in transaction", 20, await conn.fetchval("SELECT count(*) FROM geo.countries"))
            # A nested transaction is a SAVEPOINT; its failure rolls back to it.
            try:
                async with conn.transaction():
                    await conn.execute("SET LOCAL TimeZone = 'Asia/Tokyo'")
                    check("inner TimeZone", "Asia/Tokyo", await conn.fetchval("SHOW TimeZone"))
                    await conn.fetch("SELECT * FROM nope.nothing")
            except asyncpg.UndefinedTableError:
                pass
            check("after ROLLBACK TO SAVEPOINT", "UTC", await conn.fetchval("SHOW TimeZone"))
            async with conn.transaction():
                check("released savepoint", 1, await conn.fetchval("SELECT 1"))
        check("committed", False, conn.is_in_transaction())

    await section("transactions: readonly, nested (savepoints)", transactions)

    async def cursors():
        async with conn.transaction():
            got = [r[0] async for r in conn.cursor("SELECT order_id FROM sales.orders ORDER BY order_id LIMIT 250", prefetch=100)]
            check("cursor iteration", (250, 100001, 100250), (len(got), got[0], got[-1]))
            cur = await conn.cursor("SELECT order_id FROM sales.orders ORDER BY order_id")
            check("cursor.fetch", [100001, 100002], [r[0] for r in await cur.fetch(2)])
            check("cursor.fetchrow", 100003, (await cur.fetchrow())[0])
            check("cursor.fetch again", [100004, 100005, 100006], [r[0] for r in await cur.fetch(3)])
            # forward() is MOVE on the protocol portal: one cursor namespace.
            check("cursor.forward", 3, await cur.forward(3))
            check("cursor.fetchrow after forward", 100010, (await cur.fetchrow())[0])

    await section("cursors (portals with a row limit)", cursors)

    async def pool():
        # Releasing a pooled connection resets it:
        # SELECT pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL.
        async with asyncpg.create_pool(min_size=1, max_size=2, **args) as p:
            for k in range(3):
                async with p.acquire() as c:
                    check(f"reset by release #{k}", "", await c.fetchval("SHOW application_name"))
                    await c.execute("SET application_name = 'pooled'")
                    check(f"pooled query #{k}", 20, await c.fetchval("SELECT count(*) FROM geo.countries"))
            check("pool fetchval", 5, await p.fetchval("SELECT 2 + 3"))

    await section("create_pool: acquire, release (reset with UNLISTEN *)", pool)

    await conn.close()
    mgcheck.finish(versions)


asyncio.run(main())
