#!/usr/bin/env bash
# Client compatibility suite of meshgate: starts the given meshgate binary on
# a free loopback port over the demo mesh and runs one scripted scenario per
# PostgreSQL client, each checking concrete values:
#
#   psql           test/clients/psql/       (psql 15, output compared with *.expected)
#   pgjdbc         test/clients/jdbc/Compat.java   (java + /usr/share/java/postgresql.jar)
#   psycopg2       test/clients/python/compat.py   (Debian's /usr/bin/python3 with
#                  python3-psycopg2, python3-pandas, python3-sqlalchemy)
#   node-postgres  test/clients/node/compat.js     (node + pg from npm: npm ci in test/clients/node)
#   asyncpg        test/clients/python/compat_asyncpg.py   (python3-asyncpg, create_pool included)
#   psycopg3       test/clients/python/compat_psycopg3.py  (python3-psycopg)
#   pgcli          test/clients/python/compat_pgcli.py     (pgcli: its completion refresh)
#   odbc           test/clients/python/compat_pyodbc.py    (odbc-postgresql, unixodbc,
#                  python3-pyodbc: psqlODBC with UseDeclareFetch=1)
#   postgresjs     test/clients/node/compat_postgresjs.js postgresjs  (postgres from npm)
#   knex           test/clients/node/compat_postgresjs.js knex        (knex from npm, over pg)
#   (lib/pq is a Go test: go test -tags duckdb_arrow ./test/clients/libpq)
#
#   ./test/clients/run.sh ./bin/meshgate                 (make test-clients)
#   UPDATE=1 ./test/clients/run.sh ./bin/meshgate        rewrites the psql .expected files
#   ./test/clients/run.sh ./bin/meshgate jdbc python     runs only these scenarios
#
# Environment: MESHGATE_USERS (users file, default testdata/users.yaml),
# MESHGATE_USER / MESHGATE_PASSWORD (default analyst / analyst-demo; the
# password is sent only when the server asks for one), COMPAT_PYTHON
# (default /usr/bin/python3), COMPAT_JDBC_JAR (default /usr/share/java/postgresql.jar).
#
# A scenario whose client is not installed fails, saying what to install.
# Prints one line per scenario and "N passed, M failed"; exit status 0 when
# every scenario passed.
set -u -o pipefail

if [ $# -lt 1 ]; then
	echo "usage: $0 path/to/meshgate [scenario…]" >&2
	exit 2
fi
bin=$1
shift
case $bin in /*) ;; *) bin=$PWD/$bin ;; esac
if [ ! -x "$bin" ]; then
	echo "$0: $bin is not an executable (run make build)" >&2
	exit 2
fi
cd "$(dirname "$0")/../.." || exit 2 # the repository root
root=$PWD
here=$root/test/clients
if [ ! -f testdata/mesh/sales/data/orders.parquet ]; then
	echo "$0: the demo mesh is not generated: run make demo" >&2
	exit 2
fi
users=${MESHGATE_USERS:-testdata/users.yaml}
user=${MESHGATE_USER:-analyst}
password=${MESHGATE_PASSWORD:-analyst-demo}
scenarios=("$@")
if [ ${#scenarios[@]} -eq 0 ]; then
	scenarios=(psql jdbc python node asyncpg psycopg3 pgcli odbc postgresjs knex)
fi

# A clean client environment: no psqlrc, no PG* variables changing the session.
for v in $(compgen -e); do
	case $v in PG*) unset "$v" ;; esac
done
export PGCONNECT_TIMEOUT=10 PGCLIENTENCODING=UTF8 LC_ALL=C.UTF-8 LANG=C.UTF-8 PAGER=cat TZ=UTC PYTHONDONTWRITEBYTECODE=1

tmp=$(mktemp -d)
server_pid=
cleanup() {
	if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
		kill "$server_pid" 2>/dev/null
		wait "$server_pid" 2>/dev/null
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
port=
for _ in $(seq 50); do
	p=$((20000 + RANDOM % 40000))
	if ! port_open "$p"; then
		port=$p
		break
	fi
done
if [ -z "$port" ]; then
	echo "$0: no free port found" >&2
	exit 1
fi

"$bin" serve -mesh testdata/mesh -users "$users" -policies testdata/policies -listen "127.0.0.1:$port" -ops "" >"$tmp/server.out" 2>"$tmp/server.log" &
server_pid=$!
for _ in $(seq 300); do
	if ! kill -0 "$server_pid" 2>/dev/null; then
		echo "$0: meshgate exited at start:" >&2
		cat "$tmp/server.out" "$tmp/server.log" >&2
		exit 1
	fi
	if port_open "$port"; then
		break
	fi
	sleep 0.1
done
if ! port_open "$port"; then
	echo "$0: meshgate does not accept connections on port $port after 30s" >&2
	cat "$tmp/server.log" >&2
	exit 1
fi
echo "meshgate serving on 127.0.0.1:$port"

# What every scenario gets.
export MG_HOST=127.0.0.1 MG_PORT=$port MG_USER=$user MG_PASSWORD=$password MG_DB=mesh MG_TMP=$tmp
export PGPASSWORD=$password

passed=0
failed=0
# run NAME COMMAND…: runs one scenario, its output kept in $tmp/NAME.log and
# shown on failure.
run() {
	local name=$1
	shift
	local t0=$SECONDS
	"$@" >"$tmp/$name.log" 2>&1
	local rc=$?
	if [ $rc -eq 0 ]; then
		passed=$((passed + 1))
		echo "ok   $name ($((SECONDS - t0))s) $(tail -1 "$tmp/$name.log")"
	else
		failed=$((failed + 1))
		echo "FAIL $name (exit $rc):"
		sed 's/^/     /' "$tmp/$name.log"
	fi
}
# missing NAME MESSAGE: a scenario whose client is not installed.
missing() {
	failed=$((failed + 1))
	echo "FAIL $1: $2"
}

for s in "${scenarios[@]}"; do
	case $s in
	psql)
		if ! command -v psql >/dev/null; then
			missing psql "psql is not installed (apt-get install postgresql-client-15)"
		else
			run psql "$here/psql/run-psql.sh"
		fi
		;;
	jdbc)
		jar=${COMPAT_JDBC_JAR:-/usr/share/java/postgresql.jar}
		if ! command -v java >/dev/null; then
			missing jdbc "java is not installed (apt-get install default-jre-headless)"
		elif [ ! -f "$jar" ]; then
			missing jdbc "pgjdbc is not installed: no $jar (apt-get install libpostgresql-jdbc-java)"
		else
			run jdbc java -cp "$jar" "$here/jdbc/Compat.java" \
				"jdbc:postgresql://127.0.0.1:$port/mesh?user=$user&password=$password&sslmode=prefer&ApplicationName=meshgate-compat"
		fi
		;;
	python)
		py=${COMPAT_PYTHON:-/usr/bin/python3}
		if [ ! -x "$py" ]; then
			missing python "$py is not installed (apt-get install python3 python3-psycopg2 python3-pandas python3-sqlalchemy)"
		elif ! "$py" -c 'import psycopg2, pandas, sqlalchemy' 2>"$tmp/pyimport"; then
			missing python "$(tail -1 "$tmp/pyimport") (apt-get install python3-psycopg2 python3-pandas python3-sqlalchemy)"
		else
			run python "$py" "$here/python/compat.py"
		fi
		;;
	node)
		if ! command -v node >/dev/null; then
			missing node "node is not installed (apt-get install nodejs npm)"
		elif [ ! -f "$here/node/node_modules/pg/package.json" ]; then
			missing node "node-postgres is not installed (cd test/clients/node && npm ci)"
		else
			run node node "$here/node/compat.js"
		fi
		;;
	asyncpg | psycopg3)
		py=${COMPAT_PYTHON:-/usr/bin/python3}
		mod=asyncpg pkg=python3-asyncpg
		if [ "$s" = psycopg3 ]; then mod=psycopg pkg=python3-psycopg; fi
		if [ ! -x "$py" ]; then
			missing "$s" "$py is not installed (apt-get install python3 $pkg)"
		elif ! "$py" -c "import $mod" 2>"$tmp/pyimport"; then
			missing "$s" "$(tail -1 "$tmp/pyimport") (apt-get install $pkg)"
		else
			run "$s" "$py" "$here/python/compat_$s.py"
		fi
		;;
	postgresjs | knex)
		mod=postgres
		if [ "$s" = knex ]; then mod=knex; fi
		if ! command -v node >/dev/null; then
			missing "$s" "node is not installed (apt-get install nodejs npm)"
		elif [ ! -f "$here/node/node_modules/$mod/package.json" ] || [ ! -f "$here/node/node_modules/pg/package.json" ]; then
			missing "$s" "$mod is not installed (cd test/clients/node && npm ci)"
		else
			run "$s" node "$here/node/compat_postgresjs.js" "$s"
		fi
		;;
	pgcli | odbc)
		py=${COMPAT_PYTHON:-/usr/bin/python3}
		mod=pgcli pkg=pgcli script=compat_pgcli.py
		if [ "$s" = odbc ]; then mod=pyodbc pkg="odbc-postgresql unixodbc python3-pyodbc" script=compat_pyodbc.py; fi
		if [ ! -x "$py" ]; then
			missing "$s" "$py is not installed (apt-get install python3 $pkg)"
		elif ! "$py" -c "import $mod, psycopg2" 2>"$tmp/pyimport"; then
			missing "$s" "$(tail -1 "$tmp/pyimport") (apt-get install $pkg python3-psycopg2)"
		elif [ "$s" = odbc ] && ! odbcinst -q -d -n "PostgreSQL Unicode" >/dev/null 2>&1; then
			missing odbc "the psqlODBC driver is not registered with unixODBC (apt-get install odbc-postgresql unixodbc)"
		else
			run "$s" "$py" "$here/python/$script"
		fi
		;;
	*)
		missing "$s" "unknown scenario (psql, jdbc, python, node, asyncpg, psycopg3, pgcli, odbc, postgresjs, knex)"
		;;
	esac
done

if ! kill -0 "$server_pid" 2>/dev/null; then
	failed=$((failed + 1))
	echo "FAIL server: meshgate exited during the suite:"
	tail -20 "$tmp/server.log"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
