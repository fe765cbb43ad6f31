#!/usr/bin/env bash
# Installs what meshgate's tests need on a fresh Debian machine (as root):
# PostgreSQL 15 (psql and a server the tests compare with), and the client
# suite's pgjdbc, psycopg2 (+ pandas, SQLAlchemy), psycopg 3, asyncpg, pgcli,
# psqlODBC (unixODBC, pyodbc), node-postgres, postgres.js and knex,
# chromium for the web catalog, and HAProxy for the replicas test
# (test/replicas). Used by .ci/run and `make test-deps`.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends \
  postgresql-client-15 postgresql-15 ca-certificates haproxy >/dev/null
apt-get install -y -qq --no-install-recommends \
  default-jre-headless libpostgresql-jdbc-java \
  python3 python3-psycopg2 python3-pandas python3-sqlalchemy \
  python3-psycopg python3-asyncpg >/dev/null
# pgcli's completion refresh and psqlODBC (unixODBC, pyodbc) for the client suite.
apt-get install -y -qq --no-install-recommends \
  pgcli odbc-postgresql unixodbc python3-pyodbc >/dev/null
# Headless chromium for the web catalog's browser test (catalogweb).
apt-get install -y -qq --no-install-recommends chromium >/dev/null
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi
(cd test/clients/node && npm ci --no-audit --no-fund --loglevel=error)
