#!/usr/bin/env bash
# bench/run.sh SF ROWS — meshgate benchmark harness (make bench).
#
# Four parts, each writing its marked section of BENCHMARKS.md:
#
# TPC-H (SF): generates TPC-H at scale factor SF with go-tpc's dbgen port
# (bench/tpch gen; cached in bench/data/tpch/sfSF) and lays it out as a mesh:
# sales (customer, orders) on postgres ports, supply (lineitem, partsupp) in
# Parquet, catalog (part, supplier) and geo (nation, region) in CSV. Loads
# all tables into a throw-away PostgreSQL 15 (database tpch, a schema per
# domain, keys and indexes, ANALYZEd) that also serves the sales ports, and
# runs the 22 queries through meshgate (sales ports live, then snapshot),
# on DuckDB in-process over the same files and on PostgreSQL; every
# meshgate result must equal PostgreSQL's (bench/tpch check), or the run
# fails. If meshgate cannot read the postgres ports, sales is served from
# Parquet instead and BENCHMARKS.md says so.
# Concurrency: 1, 8, 32, 128 clients running point lookups and small
# aggregates on sales.orders for CONC_SECONDS each (meshgate, PostgreSQL).
# Overhead: SELECT 1 and SELECT * FROM geo.nation, meshgate vs DuckDB
# in-process (and PostgreSQL).
# Dashboard (issue 18): DASH_LEVELS clients refreshing ten aggregate tiles
# over the TPC-H products and reconnecting with pgjdbc's connect
# statements (bench/tpch dash), for DASH_SECONDS each: meshgate (sales as
# snapshots) with the result cache on, then off (-result-cache-mb 0), and
# PostgreSQL. DASH_ONLY=1 runs only this part of TPC-H (make
# bench-dashboard); SKIP_DASH=1 leaves it out.
#
# Wire throughput: streams SELECT * of a ROWS-row table (id bigint, value
# double, name text, day date) to a pgx client from
#   1. meshgate serving the generated Parquet product bench.wide,
#   2. a throw-away PostgreSQL 15 holding the same rows in a regular table,
#   3. embedded DuckDB reading the Parquet file into Arrow (engine ceiling),
# in text (simple protocol) and binary (extended protocol) modes, plus
# meshgate's peak RSS; then runs the pgwire DataRow micro-benchmarks and
# writes the "Wire throughput" section of BENCHMARKS.md.
#
# SF is a whole number (go-tpc's dbgen takes an integer scale factor).
# Environment: RUNS (wire runs, default 3), TPCH_RUNS (default 3),
# TPCH_PG_RUNS (default 2), CONC_SECONDS (default 10), CONC_LEVELS
# (default 1,8,32,128), OVERHEAD_N (default 2000), MESHGATE (default
# bin/meshgate), PGBIN (default /usr/lib/postgresql/15/bin), SKIP_PG=1
# (no PostgreSQL: wire only), SKIP_WIRE=1, SKIP_TPCH=1, SKIP_MICRO=1,
# SALES_PORT=parquet (skip the postgres ports), BENCH_NOTE (extra sentence
# for BENCHMARKS.md), NO_MD=1 (do not write it), PROFILE=dir (each meshgate
# writes a CPU profile, dir/<its log's name>.pprof, for go tool pprof),
# TPCH_MODES (default "live snapshot"; live-nopush is live with serve
# -pushdown=false), SKIP_CONC=1 (no concurrency and overhead runs).
#
# meshgate is served with a generated policy directory granting the bench
# user every product, a users file admitting it from 127.0.0.1 with
# method trust (benchmark only), and -audit-file in the temporary directory.
set -euo pipefail

SF=${1:-1}
ROWS=${2:-10000000}
RUNS=${RUNS:-3}
TPCH_RUNS=${TPCH_RUNS:-3}
TPCH_PG_RUNS=${TPCH_PG_RUNS:-2}
CONC_SECONDS=${CONC_SECONDS:-10}
CONC_LEVELS=${CONC_LEVELS:-1,8,32,128}
OVERHEAD_N=${OVERHEAD_N:-2000}
DASH_SECONDS=${DASH_SECONDS:-10}
DASH_LEVELS=${DASH_LEVELS:-$CONC_LEVELS}
SALES_PORT=${SALES_PORT:-postgres}
cd "$(dirname "$0")/.."
ROOT=$PWD
MESHGATE=${MESHGATE:-bin/meshgate}
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
TAGS=duckdb_arrow
WIDE_DIR=bench/data/wide
PARQUET=$ROOT/$WIDE_DIR/bench/data/wide.parquet
TPCH_DIR=$ROOT/bench/data/tpch/sf$SF
QUERIES=${QUERIES:-/work/shared/bench/tpch/queries}

T0=$(date +%s)
step() { printf '\n==> [%s +%ss] %s\n' "$(date +%H:%M:%S)" "$(($(date +%s) - T0))" "$*"; }
die() { echo "bench: $*" >&2; exit 1; }

[[ $ROWS =~ ^[0-9]+$ && $ROWS -gt 0 ]] || die "ROWS must be a positive integer (got '$ROWS')"
[[ $SF =~ ^[0-9]+$ && $SF -gt 0 ]] || die "SF must be a positive whole number (go-tpc's dbgen takes an integer scale factor; got '$SF')"

TMP=$(mktemp -d /tmp/meshgate-bench.XXXXXX)
MG_PID=""
PG_DIR=""
PG_STARTED=""
BG_PIDS=()
if [[ $(id -u) == 0 ]]; then AS_PG=(runuser -u postgres --); else AS_PG=(); fi

cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	for p in "${BG_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	if [[ -n $MG_PID ]] && kill -0 "$MG_PID" 2>/dev/null; then
		kill "$MG_PID" 2>/dev/null || true
		wait "$MG_PID" 2>/dev/null || true
	fi
	cd / # the postgres user may not be allowed into the repository
	if [[ -n $PG_STARTED ]]; then
		"${AS_PG[@]}" "$PGBIN/pg_ctl" -D "$PG_DIR/data" stop -m immediate -w >/dev/null 2>&1 || true
	fi
	[[ -n $PG_DIR ]] && rm -rf "$PG_DIR"
	if [[ $rc != 0 ]]; then
		echo "bench: failed (exit $rc); logs and results kept in $TMP" >&2
	else
		rm -rf "$TMP"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# free_port prints a loopback TCP port nothing listens on.
free_port() {
	local p
	for _ in $(seq 200); do
		p=$((20000 + RANDOM % 40000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return 0
		fi
	done
	return 1
}

# wait_port PORT PID LOG waits until PORT accepts connections, PID alive.
wait_port() {
	local port=$1 pid=$2 log=$3
	for _ in $(seq 600); do
		if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
		if ! kill -0 "$pid" 2>/dev/null; then
			cat "$log" >&2
			die "process $pid exited before listening on $port"
		fi
		sleep 0.1
	done
	cat "$log" >&2
	die "nothing listens on $port after 60 s"
}

# The bench policy: user bench (group bench) reads every product and logs
# in from 127.0.0.1 without a password (trust: benchmark only).
POLICIES=$TMP/policies
mkdir -p "$POLICIES"
cat >"$POLICIES/federation.yaml" <<'YAML'
apiVersion: meshgate/v1
kind: FederationPolicy
description: Benchmark policy written by bench/run.sh; the bench user reads every product.
grants:
  - id: bench-reads-everything
    subjects: {groups: [bench]}
    products: ["*"]
YAML
cat >"$TMP/users.yaml" <<'YAML'
apiVersion: meshgate/v1
kind: Users
users:
  - name: bench
    groups: [bench]
access:
  - {type: host, address: [127.0.0.1], users: [bench], databases: [all], method: trust}
YAML

# start_meshgate MESHDIRS LOG starts the gateway (MG_PID, MG_PORT, MG_URL).
start_meshgate() {
	MG_PORT=$(free_port) || die "no free port"
	local prof=()
	[[ -n ${PROFILE:-} ]] && mkdir -p "$PROFILE" && prof=(-cpuprofile "$PROFILE/$(basename "$2" .log).pprof")
	MG_OPS_PORT=$(free_port) || die "no free port"
	"$MESHGATE" serve "${prof[@]}" -mesh "$1" -users "$TMP/users.yaml" -policies "$POLICIES" \
		-audit-file "$TMP/audit/audit.jsonl" -max-connections 400 -ops "127.0.0.1:$MG_OPS_PORT" \
		-listen "127.0.0.1:$MG_PORT" "${MG_FLIGHT_ARGS[@]}" "${MG_EXTRA_ARGS[@]}" >"$2" 2>&1 &
	MG_PID=$!
	wait_port "$MG_PORT" "$MG_PID" "$2"
	MG_URL="postgres://bench@127.0.0.1:$MG_PORT/mesh?sslmode=disable"
	echo "meshgate pid $MG_PID listening on 127.0.0.1:$MG_PORT"
}
stop_meshgate() {
	if [[ -n $MG_PID ]]; then
		kill "$MG_PID" 2>/dev/null || true
		wait "$MG_PID" 2>/dev/null || true
		MG_PID=""
	fi
}
# vmhwm PID prints the peak RSS of PID in MB.
vmhwm() { awk '/^VmHWM/ {printf "%.0f", $2 / 1024}' "/proc/$1/status" 2>/dev/null || echo "?"; }

MG_FLIGHT_ARGS=()
MG_EXTRA_ARGS=()
# port_rows prints the rows meshgate fetched from remote ports so far.
port_rows() { curl -s "http://127.0.0.1:$MG_OPS_PORT/metrics" | awk '/^meshgate_port_rows_fetched_total/ {n += $2} END {printf "%d", n}'; }
RESULTS=$TMP/results.txt
: >"$RESULTS"
OUT=$TMP/results
mkdir -p "$OUT"
LOAD=$(cut -d' ' -f1-3 /proc/loadavg)
HAVE_PG=1
if [[ ${SKIP_PG:-} == 1 || ! -x $PGBIN/initdb ]]; then HAVE_PG=""; fi
DO_WIRE=1
[[ ${SKIP_WIRE:-} == 1 ]] && DO_WIRE=""
DO_TPCH=1
[[ ${SKIP_TPCH:-} == 1 ]] && DO_TPCH=""
if [[ -n $DO_TPCH && -z $HAVE_PG ]]; then
	echo "note: TPC-H, concurrency and overhead need PostgreSQL ($PGBIN/initdb, no SKIP_PG=1) as the reference; skipped"
	DO_TPCH=""
fi

echo "meshgate benchmark: SF=$SF ROWS=$ROWS RUNS=$RUNS TPCH_RUNS=$TPCH_RUNS TPCH_PG_RUNS=$TPCH_PG_RUNS ($(nproc) cores, load average $LOAD)"

step "building the helpers (bench/wire, bench/duckdirect, bench/export, bench/report, bench/tpch)"
go build -o "$TMP/wire" ./bench/wire
go build -o "$TMP/flight" ./bench/flight
go build -o "$TMP/report" ./bench/report
go build -tags $TAGS -o "$TMP/duckdirect" ./bench/duckdirect
go build -tags $TAGS -o "$TMP/export" ./bench/export
go build -tags $TAGS -o "$TMP/tpch" ./bench/tpch
if [[ ! -x $MESHGATE ]]; then
	echo "building $MESHGATE"
	go build -tags $TAGS -o "$MESHGATE" ./cmd/meshgate
fi

if [[ -n $DO_WIRE ]]; then
	step "generating bench.wide ($ROWS rows) in $WIDE_DIR"
	go run -tags $TAGS ./testdata/gen -bench-rows "$ROWS" -bench-out "$WIDE_DIR"
	ls -lh "$PARQUET" | awk '{print "parquet: " $5 " " $NF}'
fi
GEN_NOTE=""
if [[ -n $DO_TPCH ]]; then
	step "generating TPC-H SF$SF in ${TPCH_DIR#$ROOT/} (go-tpc dbgen → .tbl → DuckDB → Parquet/CSV)"
	t=$(date +%s)
	"$TMP/tpch" gen -sf "$SF" -dir "$TPCH_DIR" | { grep -v '^generat' || true; }
	GEN_NOTE="data generated in $(($(date +%s) - t)) s (0 = cached from an earlier run)"
	du -sh "$TPCH_DIR/mesh" "$TPCH_DIR/tpch.duckdb" | awk '{print "size: " $1 " " $2}'
fi

# -------------------------------------------------------------- PostgreSQL
PG_LABEL="PostgreSQL 15"
if [[ -n $HAVE_PG ]]; then
	PG_LABEL="PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}')"
	step "PostgreSQL: initdb and start ($PG_LABEL)"
	PG_DIR=$(mktemp -d /tmp/meshgate-bench-pg.XXXXXX)
	chmod 755 "$PG_DIR"
	[[ $(id -u) == 0 ]] && chown postgres:postgres "$PG_DIR"
	cd "$PG_DIR" # the postgres user may not be allowed into the repository
	"${AS_PG[@]}" "$PGBIN/initdb" -D "$PG_DIR/data" -U postgres -A trust -E UTF8 --locale=C --no-sync >"$TMP/initdb.log" 2>&1 ||
		{ cat "$TMP/initdb.log" >&2; die "initdb failed"; }
	PG_PORT=$(free_port) || die "no free port"
	PG_STARTED=1
	"${AS_PG[@]}" "$PGBIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/postgres.log" -w -t 60 \
		-o "-p $PG_PORT -c listen_addresses=127.0.0.1 -c unix_socket_directories=$PG_DIR -c shared_buffers=256MB -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300 -c max_wal_size=4GB" \
		start >/dev/null || { cat "$PG_DIR/postgres.log" >&2; die "PostgreSQL did not start"; }
	echo "PostgreSQL listening on 127.0.0.1:$PG_PORT (data in $PG_DIR)"
	PSQL=("$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 "host=127.0.0.1 port=$PG_PORT user=postgres dbname=postgres")
	PSQL_TPCH=("$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 "host=127.0.0.1 port=$PG_PORT user=postgres dbname=tpch")
	PG_URL="postgres://postgres@127.0.0.1:$PG_PORT/tpch?sslmode=disable"
	cd "$ROOT"
fi

# ============================================================ wire throughput
if [[ -n $DO_WIRE ]]; then
	step "meshgate: starting the gateway on bench.wide"
	start_meshgate "$WIDE_DIR" "$TMP/meshgate-wire.log"

	step "meshgate: SELECT * FROM bench.wide, text and binary, $RUNS runs each"
	"$TMP/wire" -conn "$MG_URL" \
		-table bench.wide -system meshgate -runs "$RUNS" -pid "$MG_PID" | tee -a "$RESULTS" | { grep -v '^R[ES]' || true; }
	stop_meshgate

	step "meshgate: SELECT * FROM bench.wide through Arrow Flight SQL, $RUNS runs (a fresh gateway, for its own peak RSS)"
	FLIGHT_PORT=$(free_port) || die "no free port"
	MG_FLIGHT_ARGS=(-flight "127.0.0.1:$FLIGHT_PORT")
	start_meshgate "$WIDE_DIR" "$TMP/meshgate-flight.log"
	wait_port "$FLIGHT_PORT" "$MG_PID" "$TMP/meshgate-flight.log"
	"$TMP/flight" -addr "127.0.0.1:$FLIGHT_PORT" -table bench.wide -runs "$RUNS" -pid "$MG_PID" | tee -a "$RESULTS" | { grep -v '^R[ES]' || true; }
	stop_meshgate
	MG_FLIGHT_ARGS=()

	if [[ -n $HAVE_PG ]]; then
		step "PostgreSQL: exporting the parquet to CSV and loading it (COPY, VACUUM ANALYZE)"
		"$TMP/export" -parquet "$PARQUET" -csv "$PG_DIR/wide.csv"
		[[ $(id -u) == 0 ]] && chown postgres:postgres "$PG_DIR/wide.csv"
		t=$(date +%s)
		"${PSQL[@]}" <<-SQL
			BEGIN;
			CREATE TABLE wide (id bigint, value float8, name text, day date);
			COPY wide FROM '$PG_DIR/wide.csv' (FORMAT csv, FREEZE);
			COMMIT;
			VACUUM ANALYZE wide;
		SQL
		rm -f "$PG_DIR/wide.csv"
		echo "loaded $("${PSQL[@]}" -tAc 'SELECT count(*) FROM wide') rows ($("${PSQL[@]}" -tAc "SELECT pg_size_pretty(pg_table_size('wide'))")) in $(($(date +%s) - t)) s"

		step "PostgreSQL: SELECT * FROM wide, text and binary, $RUNS runs each"
		"$TMP/wire" -conn "postgres://postgres@127.0.0.1:$PG_PORT/postgres?sslmode=disable" \
			-table wide -system postgresql -runs "$RUNS" | tee -a "$RESULTS" | { grep -v '^R[ES]' || true; }
		"${PSQL[@]}" -c 'DROP TABLE wide'
	else
		step "PostgreSQL: skipped (SKIP_PG=1 or $PGBIN/initdb not found)"
	fi

	step "DuckDB direct: read_parquet into Arrow (engine ceiling), $RUNS runs"
	"$TMP/duckdirect" -parquet "$PARQUET" -runs "$RUNS" | tee -a "$RESULTS" | { grep -v '^RESULT' || true; }
fi

# ====================================================================== TPC-H
CHECK_FAILED=""
SALES_NOTE=""
MG_RSS_NOTE=""
if [[ -n $DO_TPCH ]]; then
	step "PostgreSQL: loading TPC-H SF$SF into database tpch (\\copy in parallel, keys, indexes, VACUUM ANALYZE)"
	t=$(date +%s)
	"${PSQL[@]}" -c 'CREATE DATABASE tpch'
	"$TMP/tpch" pgsql -dir "$TPCH_DIR" -part schema | "${PSQL_TPCH[@]}"
	pids=()
	for tb in $("$TMP/tpch" pgsql -part tables); do
		{ "$TMP/tpch" pgsql -dir "$TPCH_DIR" -part "load:$tb" | "${PSQL_TPCH[@]}" &&
			"$TMP/tpch" pgsql -dir "$TPCH_DIR" -part "index:$tb" | "${PSQL_TPCH[@]}"; } >"$TMP/pgload-$tb.log" 2>&1 &
		pids+=($!)
		BG_PIDS+=($!)
	done
	for p in "${pids[@]}"; do wait "$p" || { cat "$TMP"/pgload-*.log >&2; die "loading TPC-H into PostgreSQL failed"; }; done
	BG_PIDS=()
	PG_LOAD_S=$(($(date +%s) - t))
	echo "loaded in $PG_LOAD_S s: $("${PSQL_TPCH[@]}" -tAc "SELECT pg_size_pretty(pg_database_size('tpch'))")"
	GEN_NOTE="$GEN_NOTE; PostgreSQL load with keys and indexes $PG_LOAD_S s"

	if [[ -z ${DASH_ONLY:-} ]]; then
	step "TPC-H on PostgreSQL (reference), $TPCH_PG_RUNS run(s) per query"
	"$TMP/tpch" query -conn "$PG_URL" -system postgresql -runs "$TPCH_PG_RUNS" -queries "$QUERIES" -out "$OUT/tpch-postgresql.json"

	step "TPC-H on DuckDB direct (in-process, same files), $TPCH_RUNS runs per query"
	"$TMP/tpch" query -duckdb "$TPCH_DIR/tpch.duckdb" -system duckdb -runs "$TPCH_RUNS" -queries "$QUERIES" -out "$OUT/tpch-duckdb.json"

	read -r -a MODES <<<"${TPCH_MODES:-live snapshot}"
	if [[ $SALES_PORT == postgres ]]; then
		# Can this meshgate read the postgres ports at all?
		"$TMP/tpch" mesh -dir "$TPCH_DIR" -sf "$SF" -sales postgres -mode live -pg-port "$PG_PORT"
		if ! "$MESHGATE" validate "$TPCH_DIR/mesh" >"$TMP/validate.log" 2>&1; then
			SALES_NOTE="\`meshgate validate\` rejected the postgres ports: $(grep -m1 -i 'sales' "$TMP/validate.log" || head -1 "$TMP/validate.log")"
			SALES_PORT=parquet
		fi
	else
		SALES_NOTE="SALES_PORT=parquet was set"
	fi
	if [[ $SALES_PORT == parquet ]]; then
		echo "note: sales is served from Parquet: $SALES_NOTE"
		MODES=(parquet)
	fi
	for mode in "${MODES[@]}"; do
		label=meshgate-$mode
		[[ $mode == parquet ]] && label=meshgate-snapshot
		MG_EXTRA_ARGS=()
		if [[ $mode == parquet ]]; then
			"$TMP/tpch" mesh -dir "$TPCH_DIR" -sf "$SF" -sales parquet
		else
			[[ $mode == live-nopush ]] && MG_EXTRA_ARGS=(-pushdown=false)
			"$TMP/tpch" mesh -dir "$TPCH_DIR" -sf "$SF" -sales postgres -mode "${mode%-nopush}" -pg-port "$PG_PORT"
		fi
		step "meshgate ($mode): starting the gateway on the TPC-H mesh"
		start_meshgate "$TPCH_DIR/mesh" "$TMP/meshgate-$mode.log"
		if ! "$PGBIN/psql" -X -tAc 'SELECT count(*) FROM sales.orders' "$MG_URL" >"$TMP/probe-$mode.log" 2>&1; then
			cat "$TMP/probe-$mode.log"
			if [[ $mode == live ]]; then
				SALES_NOTE="meshgate could not read the postgres port sales.orders: $(head -1 "$TMP/probe-$mode.log")"
				echo "note: falling back to Parquet for sales: $SALES_NOTE"
				stop_meshgate
				SALES_PORT=parquet
				"$TMP/tpch" mesh -dir "$TPCH_DIR" -sf "$SF" -sales parquet
				mode=parquet
				label=meshgate-snapshot
				start_meshgate "$TPCH_DIR/mesh" "$TMP/meshgate-$mode.log"
			fi
		else
			echo "sales.orders through meshgate: $(cat "$TMP/probe-$mode.log") rows"
		fi
		step "TPC-H through meshgate ($mode), $TPCH_RUNS runs per query"
		"$TMP/tpch" query -conn "$MG_URL" -system "$label" -runs "$TPCH_RUNS" -queries "$QUERIES" -out "$OUT/tpch-$label.json"
		"$TMP/tpch" check -ref "$OUT/tpch-postgresql.json" -got "$OUT/tpch-$label.json" -out "$OUT/check-$label.json" || CHECK_FAILED=1
		MG_RSS_NOTE="$MG_RSS_NOTE meshgate ($mode) peak RSS after TPC-H: $(vmhwm "$MG_PID") MB."
		if [[ $mode == live* ]]; then
			step "rows fetched from the postgres ports per query ($mode)"
			for qf in "$QUERIES"/q*.sql; do
				before=$(port_rows)
				"$PGBIN/psql" -X -q -o /dev/null -c "SET search_path TO sales, supply, catalog, geo" -c "$(cat "$qf")" "$MG_URL" || true
				echo "  rows-fetched $label $(basename "$qf" .sql) $(($(port_rows) - before))"
			done
		fi
		if [[ ${SKIP_CONC:-} == 1 ]]; then
			stop_meshgate
			[[ $mode == parquet ]] && break
			continue
		fi
		step "concurrency through meshgate ($mode): $CONC_LEVELS clients, $CONC_SECONDS s each"
		"$TMP/tpch" conc -conn "$MG_URL" -system "meshgate ($mode)" -sf "$SF" -levels "$CONC_LEVELS" -duration "${CONC_SECONDS}s" -out "$OUT/conc-$label.json"
		if [[ $mode != live ]]; then
			step "overhead through meshgate ($mode): $OVERHEAD_N runs per query"
			"$TMP/tpch" overhead -conn "$MG_URL" -system "meshgate ($mode)" -n "$OVERHEAD_N" -out "$OUT/overhead.json"
		fi
		stop_meshgate
		[[ $mode == parquet ]] && break
	done

	if [[ ${SKIP_CONC:-} != 1 ]]; then
		step "concurrency on PostgreSQL: $CONC_LEVELS clients, $CONC_SECONDS s each"
		"$TMP/tpch" conc -conn "$PG_URL" -system "$PG_LABEL" -sf "$SF" -levels "$CONC_LEVELS" -duration "${CONC_SECONDS}s" -out "$OUT/conc-postgresql.json"
		step "overhead on DuckDB in-process and PostgreSQL: $OVERHEAD_N runs per query"
		"$TMP/tpch" overhead -duckdb "$TPCH_DIR/tpch.duckdb" -system "DuckDB in-process" -n "$OVERHEAD_N" -out "$OUT/overhead.json"
		"$TMP/tpch" overhead -conn "$PG_URL" -system "$PG_LABEL" -n "$OVERHEAD_N" -out "$OUT/overhead.json"
	fi
	fi # DASH_ONLY

	if [[ ${SKIP_DASH:-} != 1 ]]; then
		if [[ $SALES_PORT == postgres ]]; then
			"$TMP/tpch" mesh -dir "$TPCH_DIR" -sf "$SF" -sales postgres -mode snapshot -pg-port "$PG_PORT"
		else
			"$TMP/tpch" mesh -dir "$TPCH_DIR" -sf "$SF" -sales parquet
		fi
		for cache in on off; do
			MG_EXTRA_ARGS=()
			[[ $cache == off ]] && MG_EXTRA_ARGS=(-result-cache-mb 0)
			step "dashboard through meshgate (result cache $cache): $DASH_LEVELS clients, $DASH_SECONDS s each"
			start_meshgate "$TPCH_DIR/mesh" "$TMP/meshgate-dash-$cache.log"
			"$PGBIN/psql" -X -tAc 'SELECT count(*) FROM sales.orders, (SELECT count(*) FROM sales.customer)' "$MG_URL" >/dev/null # loads the snapshots
			"$TMP/tpch" dash -conn "$MG_URL" -system "meshgate, cache $cache" -levels "$DASH_LEVELS" -duration "${DASH_SECONDS}s" -out "$OUT/dash-cache-$cache.json"
			stop_meshgate
		done
		MG_EXTRA_ARGS=()
		step "dashboard on PostgreSQL: $DASH_LEVELS clients, $DASH_SECONDS s each"
		"$TMP/tpch" dash -conn "$PG_URL" -system "$PG_LABEL" -levels "$DASH_LEVELS" -duration "${DASH_SECONDS}s" -out "$OUT/dash-postgresql.json"
	fi
fi

if [[ -n $PG_STARTED ]]; then
	cd /
	"${AS_PG[@]}" "$PGBIN/pg_ctl" -D "$PG_DIR/data" stop -m fast -w >/dev/null || true
	PG_STARTED=""
	cd "$ROOT"
fi

# ------------------------------------------------------- micro-benchmarks
MICRO=""
if [[ -n $DO_WIRE && ${SKIP_MICRO:-} != 1 ]]; then
	step "pgwire DataRow micro-benchmarks (go test -bench, 60 s limit)"
	if timeout 60 go test -tags $TAGS -run '^$' -bench . -benchtime 2x ./gateway/pgwire/ >"$TMP/micro.txt" 2>&1; then
		MICRO=$TMP/micro.txt
		grep -c '^Benchmark' "$MICRO" | sed 's/$/ micro-benchmarks run/'
	else
		echo "micro-benchmarks failed or took over 60 s; left out (see below)"
		tail -5 "$TMP/micro.txt" || true
	fi
fi

# ------------------------------------------------------------------ report
step "report"
MD_ARG=(-md BENCHMARKS.md)
[[ ${NO_MD:-} == 1 ]] && MD_ARG=(-md '')
if [[ -n $DO_WIRE ]]; then
	"$TMP/report" -results "$RESULTS" -micro "$MICRO" -rows "$ROWS" -cmd "./bench/run.sh $SF $ROWS" \
		-load "$LOAD" -pg-version "$PG_LABEL" -note "${BENCH_NOTE:-}" "${MD_ARG[@]}"
fi
if [[ -n $DO_TPCH && ${SKIP_DASH:-} != 1 ]]; then
	"$TMP/tpch" dashreport -dir "$OUT" -cmd "DASH_ONLY=${DASH_ONLY:-} DASH_SECONDS=$DASH_SECONDS ./bench/run.sh $SF $ROWS" \
		-note "TPC-H SF$SF; load average before the run: $LOAD. ${BENCH_NOTE:-}" "${MD_ARG[@]}"
fi
if [[ -n $DO_TPCH && -z ${DASH_ONLY:-} ]]; then
	"$TMP/tpch" report -dir "$OUT" -sf "$SF" -cmd "./bench/run.sh $SF $ROWS" -load "$LOAD" -pg-version "$PG_LABEL" \
		-sales "$SALES_PORT" -sales-note "$SALES_NOTE" -gen-note "$GEN_NOTE" \
		-note "$(echo "$MG_RSS_NOTE ${BENCH_NOTE:-}" | sed 's/^ *//')" "${MD_ARG[@]}"
fi
if [[ -n $CHECK_FAILED ]]; then
	die "TPC-H: meshgate's results differ from PostgreSQL's or queries failed (CHECK FAILED lines above; results in $OUT)"
fi
step "done in $(($(date +%s) - T0)) s"
