#!/usr/bin/env bash
# bench/duckversions/run.sh SF [OTHER] — TPC-H SF and a Parquet → Arrow scan
# of bench.wide on embedded DuckDB, duckdb-go as in go.mod against OTHER
# (default v2.20000.0, DuckDB 2.0), ROUNDS alternating rounds (default 3).
# Needs the generated data: bench/tpch gen and testdata/gen -bench-rows (the
# Makefile target bench-duckdb-versions makes both).
set -euo pipefail
SF=${1:-1}
OTHER=${2:-v2.20000.0}
ROUNDS=${ROUNDS:-3}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
CUR=$(cd "$ROOT" && go list -m -f '{{.Version}}' github.com/duckdb/duckdb-go/v2)
(cd "$ROOT" && go build -tags duckdb_arrow -o "$TMP/cur" ./bench/duckversions)
mkdir "$TMP/m" && cp "$ROOT/bench/duckversions/main.go" "$TMP/m/"
(cd "$TMP/m" && go mod init duckversions >/dev/null 2>&1 && go get "github.com/duckdb/duckdb-go/v2@$OTHER" >/dev/null && go mod tidy >/dev/null && go build -tags duckdb_arrow -o "$TMP/other" .)
MESH=$ROOT/bench/data/tpch/sf$SF/mesh
WIDE=$ROOT/bench/data/wide/bench/data/wide.parquet
for r in $(seq "$ROUNDS"); do
	"$TMP/cur" -mesh "$MESH" -wide "$WIDE" >"$TMP/cur.$r"
	"$TMP/other" -mesh "$MESH" -wide "$WIDE" >"$TMP/other.$r"
done
echo "duckdb-go $CUR against $OTHER, TPC-H SF $SF, $ROUNDS rounds; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '| query | %s wall s | %s wall s | ratio |\n|---|---:|---:|---:|\n' "$CUR" "$OTHER"
best() { grep -h "^$1 " "$TMP"/$2.* | awk '{print $3}' | sort -n | head -1; }
for q in $(grep -h '^q' "$TMP/cur.1" | awk '{print $1}'); do
	a=$(best "$q" cur) b=$(best "$q" other)
	printf '| %s | %s | %s | %.2f× |\n' "${q%.sql}" "$a" "$b" "$(echo "$b / $a" | bc -l)"
done
for s in cur other; do
	echo "$s: $(grep -h GEOMEAN "$TMP"/$s.* | sort -k3 -n | head -1)"
	echo "$s: $(grep -h ARROW "$TMP"/$s.* | sort -k6 -n | head -1)"
done
