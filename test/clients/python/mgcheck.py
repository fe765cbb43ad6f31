"""Check helpers shared by the psycopg 3 and asyncpg scenarios.

A failed check is reported and the scenario goes on; finish() prints the
totals and exits 1 when any check failed.
"""

import os
import sys
import traceback

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


def sqlstate(e):
    return getattr(e, "sqlstate", None) or getattr(e, "pgcode", None)


def check_error(what, code, fn):
    """fn() must raise a server error with SQLSTATE code."""
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - the error is what is checked
        check(what + " SQLSTATE", code, sqlstate(e))
        return
    check_true(what, False, "no error")


def report(name, before, e=None):
    global failed
    if e is not None:
        failed += 1
        code = sqlstate(e)
        print(f"FAIL {name}: {type(e).__name__}: {str(e).strip()}" + (f" (SQLSTATE {code})" if code else ""))
        traceback.print_exc(limit=3, file=sys.stdout)
    print(("ok   " if failed == before else "FAIL ") + name)


def section(name):
    """Runs the decorated function at once as one named section."""
    def deco(fn):
        before = failed
        try:
            fn()
        except Exception as e:  # noqa: BLE001 - report and go on
            report(name, before, e)
            return fn
        report(name, before)
        return fn

    return deco


def conninfo():
    return dict(host=os.environ["MG_HOST"], port=int(os.environ["MG_PORT"]), user=os.environ["MG_USER"],
                password=os.environ["MG_PASSWORD"], dbname=os.environ["MG_DB"])


def finish(versions):
    print(f"{versions}: {ok} checks ok, {failed} failed")
    sys.exit(1 if failed else 0)
