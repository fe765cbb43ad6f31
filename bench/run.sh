#!/usr/bin/env bash
# bench/run.sh SF ROWS — meshgate benchmark harness (make bench).
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
# SF is the TPC-H scale factor of a later part; it is accepted and ignored.
# Environment: RUNS (default 3), MESHGATE (default bin/meshgate),
# PGBIN (default /usr/lib/postgresql/15/bin), SKIP_PG=1, SKIP_MICRO=1,
# BENCH_NOTE (extra sentence for BENCHMARKS.md), NO_MD=1 (do not write it).
set -euo pipefail

SF=${1:-1}
ROWS=${2:-10000000}
RUNS=${RUNS:-3}
cd "$(dirname "$0")/.."
ROOT=$PWD
MESHGATE=${MESHGATE:-bin/meshgate}
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
TAGS=duckdb_arrow
WIDE_DIR=bench/data/wide
PARQUET=$ROOT/$WIDE_DIR/bench/data/wide.parquet

T0=$(date +%s)
step() { printf '\n==> [%s +%ss] %s\n' "$(date +%H:%M:%S)" "$(($(date +%s) - T0))" "$*"; }
die() { echo "bench: $*" >&2; exit 1; }

[[ $ROWS =~ ^[0-9]+$ && $ROWS -gt 0 ]] || die "ROWS must be a positive integer (got '$ROWS')"

TMP=$(mktemp -d /tmp/meshgate-bench.XXXXXX)
MG_PID=""
PG_DIR=""
PG_STARTED=""
if [[ $(id -u) == 0 ]]; then AS_PG=(runuser -u postgres --); else AS_PG=(); fi

cleanup() {
	local rc=$?
	trap - EXIT INT TERM
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
		echo "bench: failed (exit $rc); logs kept in $TMP" >&2
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

RESULTS=$TMP/results.txt
: >"$RESULTS"
LOAD=$(cut -d' ' -f1-3 /proc/loadavg)

echo "meshgate benchmark: SF=$SF ROWS=$ROWS RUNS=$RUNS ($(nproc) cores, load average $LOAD)"
echo "note: TPC-H (SF=$SF) is not part of this run yet; only wire throughput is measured."

step "building the helpers (bench/wire, bench/duckdirect, bench/export, bench/report)"
go build -o "$TMP/wire" ./bench/wire
go build -o "$TMP/report" ./bench/report
go build -tags $TAGS -o "$TMP/duckdirect" ./bench/duckdirect
go build -tags $TAGS -o "$TMP/export" ./bench/export
if [[ ! -x $MESHGATE ]]; then
	echo "building $MESHGATE"
	go build -tags $TAGS -o "$MESHGATE" ./cmd/meshgate
fi

step "generating bench.wide ($ROWS rows) in $WIDE_DIR"
go run -tags $TAGS ./testdata/gen -bench-rows "$ROWS" -bench-out "$WIDE_DIR"
ls -lh "$PARQUET" | awk '{print "parquet: " $5 " " $NF}'

# ---------------------------------------------------------------- meshgate
step "meshgate: starting the gateway"
MG_PORT=$(free_port) || die "no free port"
"$MESHGATE" serve -mesh "testdata/mesh,$WIDE_DIR" -users testdata/users.yaml \
	-listen "127.0.0.1:$MG_PORT" >"$TMP/meshgate.log" 2>&1 &
MG_PID=$!
wait_port "$MG_PORT" "$MG_PID" "$TMP/meshgate.log"
echo "meshgate pid $MG_PID listening on 127.0.0.1:$MG_PORT"

step "meshgate: SELECT * FROM bench.wide, text and binary, $RUNS runs each"
"$TMP/wire" -conn "postgres://analyst@127.0.0.1:$MG_PORT/mesh?sslmode=disable" \
	-table bench.wide -system meshgate -runs "$RUNS" -pid "$MG_PID" | tee -a "$RESULTS" | { grep -v '^R[ES]' || true; }
kill "$MG_PID" 2>/dev/null || true
wait "$MG_PID" 2>/dev/null || true
MG_PID=""

# -------------------------------------------------------------- PostgreSQL
PG_LABEL="PostgreSQL 15"
if [[ ${SKIP_PG:-} == 1 ]]; then
	step "PostgreSQL: skipped (SKIP_PG=1)"
elif [[ ! -x $PGBIN/initdb ]]; then
	step "PostgreSQL: skipped ($PGBIN/initdb not found)"
else
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
		-o "-p $PG_PORT -c listen_addresses=127.0.0.1 -c unix_socket_directories=$PG_DIR -c shared_buffers=256MB -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
		start >/dev/null || { cat "$PG_DIR/postgres.log" >&2; die "PostgreSQL did not start"; }
	echo "PostgreSQL listening on 127.0.0.1:$PG_PORT (data in $PG_DIR)"
	PSQL=("$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 "host=127.0.0.1 port=$PG_PORT user=postgres dbname=postgres")

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
	"${AS_PG[@]}" "$PGBIN/pg_ctl" -D "$PG_DIR/data" stop -m fast -w >/dev/null || true
	PG_STARTED=""
	cd "$ROOT"
fi

# ----------------------------------------------------------- DuckDB direct
step "DuckDB direct: read_parquet into Arrow (engine ceiling), $RUNS runs"
"$TMP/duckdirect" -parquet "$PARQUET" -runs "$RUNS" | tee -a "$RESULTS" | { grep -v '^RESULT' || true; }

# ------------------------------------------------------- micro-benchmarks
MICRO=""
if [[ ${SKIP_MICRO:-} != 1 ]]; then
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
"$TMP/report" -results "$RESULTS" -micro "$MICRO" -rows "$ROWS" -cmd "./bench/run.sh $SF $ROWS" \
	-load "$LOAD" -pg-version "$PG_LABEL" -note "${BENCH_NOTE:-}" "${MD_ARG[@]}"
step "done in $(($(date +%s) - T0)) s"
