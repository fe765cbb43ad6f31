#!/usr/bin/env bash
# make test's first step: the client tools the tests run must be present.
# Missing ones are installed when running as root; otherwise this prints
# the one command that installs them and fails (no test is skipped).
set -euo pipefail
cd "$(dirname "$0")/.."
missing=()
command -v psql >/dev/null || missing+=(psql)
[ -x /usr/lib/postgresql/15/bin/postgres ] || missing+=(postgresql-15)
command -v java >/dev/null || missing+=(java)
[ -e /usr/share/java/postgresql.jar ] || missing+=(pgjdbc)
/usr/bin/python3 -c 'import psycopg2, pandas, sqlalchemy, psycopg, asyncpg, pgcli, pyodbc' 2>/dev/null || missing+=(python-clients)
odbcinst -q -d -n 'PostgreSQL Unicode' >/dev/null 2>&1 || missing+=(psqlodbc)
command -v node >/dev/null || missing+=(node)
[ -d test/clients/node/node_modules/pg ] && [ -d test/clients/node/node_modules/postgres ] && [ -d test/clients/node/node_modules/knex ] || missing+=(node-clients)
command -v chromium >/dev/null || missing+=(chromium)
command -v haproxy >/dev/null || [ -x /usr/sbin/haproxy ] || missing+=(haproxy)
[ ${#missing[@]} -eq 0 ] && exit 0
echo "test clients missing: ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then
  exec ./scripts/install-test-deps.sh
fi
echo "install them with: sudo ./scripts/install-test-deps.sh   (or: sudo make test-deps)" >&2
exit 1
