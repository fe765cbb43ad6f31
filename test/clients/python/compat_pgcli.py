"""pgcli completion-refresh scenario of meshgate (test/clients/run.sh).

Debian's pgcli 3.5 (python3 with psycopg 3): every refresher pgcli runs in
its background thread after connecting (schemata, tables, views, types,
databases, casing, functions — pgcli/completion_refresher.py) runs here
against meshgate through pgcli's own PGExecute, into a real PGCompleter.
What the completer learnt is compared with what psycopg2 (libpq, as psql)
reads from information_schema for the same user, and a completion of a
real statement is asked for.
"""

import os
import tempfile

import psycopg2
from pgcli.completion_refresher import CompletionRefresher
from pgcli.pgcompleter import PGCompleter
from pgcli.pgexecute import PGExecute
from prompt_toolkit.document import Document

import mgcheck
from mgcheck import check, check_true, section

ci = mgcheck.conninfo()
executor = PGExecute(ci["dbname"], ci["user"], ci["password"], ci["host"], ci["port"], None, sslmode="disable")
ref = psycopg2.connect(**ci, sslmode="disable")
ref.autocommit = True
# pgcli's defaults: a casing file is read, not generated (generating it
# runs pgexecute.casing(), whose GROUP BY over regexp_split_to_table is
# not supported: README, Known differences).
casing = os.path.join(tempfile.mkdtemp(), "casing")
completer = PGCompleter(settings={"casing_file": casing, "generate_casing_file": False})


def reference(sql):
    cur = ref.cursor()
    cur.execute(sql)
    return cur.fetchall()


@section("every completion refresher runs")
def _():
    for name, refresh in CompletionRefresher.refreshers.items():
        try:
            refresh(completer, executor)
            check_true(f"refresher {name}", True)
        except Exception as e:  # noqa: BLE001 - which refresher failed is the check
            check_true(f"refresher {name}", False, f"{type(e).__name__}: {e}")


@section("schemata, tables and columns are the session's, as information_schema says")
def _():
    want_schemas = sorted(r[0] for r in reference("SELECT schema_name FROM information_schema.schemata"))
    check("schemata", want_schemas, sorted(completer.dbmetadata["tables"].keys()))
    want = {}
    for schema, table, column in reference("SELECT table_schema, table_name, column_name FROM information_schema.columns WHERE table_schema NOT IN ('pg_catalog', 'information_schema')"):
        want.setdefault((schema, table), set()).add(column)
    got = {}
    for schema, tables in completer.dbmetadata["tables"].items():
        for table, columns in tables.items():
            if schema in ("pg_catalog", "information_schema"):
                continue
            # pgcli quotes names that are keywords or function names ("position").
            got[(schema, table)] = {c.strip('"') for c in columns if c != "*"}
    check("tables", sorted(want), sorted(got))
    for key in want:
        check(f"columns of {key[0]}.{key[1]}", sorted(want[key]), sorted(got.get(key, ())))
    check("search_path", executor.search_path(), completer.search_path)
    check("databases", ["mesh"], completer.databases)


@section("types")
def _():
    types = executor.datatypes()
    check("datatypes (no user types)", [], list(types))


@section("completion of a statement over a product")
def _():
    doc = Document(text="SELECT  FROM sales.orders", cursor_position=len("SELECT "))
    names = {c.text for c in completer.get_completions(doc, None)}
    for column in ("order_id", "customer_id", "amount"):
        check_true(f"completes {column}", column in names, sorted(names)[:20])
    doc = Document(text="SELECT * FROM sales.", cursor_position=len("SELECT * FROM sales."))
    names = {c.text for c in completer.get_completions(doc, None)}
    check_true("completes sales.orders", "orders" in names, sorted(names))
    check_true("no ungranted product", "audit" not in {c.text for c in completer.get_completions(
        Document(text="SELECT * FROM meshgate.", cursor_position=len("SELECT * FROM meshgate.")), None)}, "")


mgcheck.finish("pgcli 3.5 (PGExecute, CompletionRefresher, PGCompleter)")
