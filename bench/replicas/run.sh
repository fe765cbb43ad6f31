#!/usr/bin/env bash
# bench/replicas/run.sh [SECONDS] [CLIENTS] — q/s of 1 and of 3 meshgate
# replicas behind HAProxy (make bench-replicas; docs/scale-out.md).
#
# For N in REPLICAS (default "1 3"): starts N `meshgate serve` processes on
# the demo mesh, users and policy (each -threads THREADS, default 1,
# -replica-id i, the others as -peers, one shared -state-dir), a real
# HAProxy in TCP mode (balance roundrobin, health checks on each
# replica's /readyz), and runs pgbench (PostgreSQL 15's) through the
# balancer: CLIENTS (default 30) persistent connections as the demo
# analyst for SECONDS (default 20, logins included: pgbench reports tps
# without the initial connection time), each running
#   SELECT count(*) FROM sales.customers WHERE country_code = 'DE'
# (a policy-filtered aggregate, the row filter and mask applied) with the
# simple protocol. Halfway through each run it appends a row filter to
# its copy of the policy and times how long until every replica reports
# the new version (ops /metrics meshgate_policy_info): the reload's
# latency under load. Then LOGIN_CLIENTS (default 8) clients log in anew
# for every query (pgbench -C) for LOGIN_SECONDS (default 10): logins/s,
# each a SCRAM exchange and a session catalog. Prints the rates per N and
# the ratios. Every process it starts is stopped by its own PID on exit.
#
# Environment: MESHGATE (default bin/meshgate), PGBIN (default
# /usr/lib/postgresql/15/bin), HAPROXY (default: haproxy on PATH or
# /usr/sbin/haproxy), BASE_PORT (default 26400: replicas on BASE_PORT+i,
# ops on BASE_PORT+100+i, the balancer on BASE_PORT), REPLICAS, THREADS.
set -euo pipefail
cd "$(dirname "$0")/../.."
SECONDS_RUN=${1:-20}
CLIENTS=${2:-30}
LOGIN_SECONDS=${LOGIN_SECONDS:-10}
LOGIN_CLIENTS=${LOGIN_CLIENTS:-8}
MESHGATE=${MESHGATE:-bin/meshgate}
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
HAPROXY=${HAPROXY:-$(command -v haproxy || echo /usr/sbin/haproxy)}
BASE_PORT=${BASE_PORT:-26400}
REPLICAS=${REPLICAS:-1 3}
THREADS=${THREADS:-1}
for f in "$MESHGATE" "$PGBIN/pgbench" "$HAPROXY"; do
  [ -x "$f" ] || { echo "bench/replicas: $f is missing (make build; sudo ./scripts/install-test-deps.sh)" >&2; exit 1; }
done
[ -e testdata/mesh/.generated ] || { echo "bench/replicas: run make demo first" >&2; exit 1; }

work=$(mktemp -d)
pids=()
stop() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  pids=()
}
trap 'stop; rm -rf "$work"' EXIT
echo "SELECT count(*) FROM sales.customers WHERE country_code = 'DE';" > "$work/query.sql"

# reload_latency N: after half the run, rewrite the policy and print how
# long until all N replicas report the new version.
version_of() { curl -fs "http://127.0.0.1:$1/metrics" | sed -n 's/^meshgate_policy_info{version="\([^"]*\)"} 1$/\1/p'; }
reload_latency() {
  local n=$1 i before start now done
  sleep "$(awk -v s="$SECONDS_RUN" 'BEGIN { print s / 2 }')"
  before=$(version_of $((BASE_PORT + 101)))
  start=$(date +%s.%N)
  printf '\n  - id: bench-reload\n    subjects: {groups: [analysts]}\n    products: [sales.customers]\n    filter: "country_code <> '"'"'DE'"'"'"\n' >>"$work/policies/domains/sales.yaml"
  for _ in $(seq 1 1200); do
    done=0
    for i in $(seq 1 "$n"); do [ "$(version_of $((BASE_PORT + 100 + i)))" != "$before" ] && done=$((done + 1)); done
    if [ "$done" = "$n" ]; then
      now=$(date +%s.%N)
      awk -v a="$start" -v b="$now" -v n="$n" 'BEGIN { printf "  policy rewrite in force on all %d replica(s) after %.2f s (under the load)\n", n, b - a }'
      return
    fi
    sleep 0.05
  done
  echo "  policy rewrite not in force on all $n replica(s) after 60 s"
}

declare -A tps logins
for n in $REPLICAS; do
  rm -rf "$work/policies" && cp -r testdata/policies "$work/policies"
  peers_of() {
    local out=() j
    for j in $(seq 1 "$n"); do [ "$j" = "$1" ] || out+=("127.0.0.1:$((BASE_PORT + j))"); done
    (IFS=,; echo "${out[*]}")
  }
  for i in $(seq 1 "$n"); do
    "$MESHGATE" serve -mesh testdata/mesh -users testdata/users.yaml -policies "$work/policies" \
      -listen "127.0.0.1:$((BASE_PORT + i))" -ops "127.0.0.1:$((BASE_PORT + 100 + i))" \
      -replica-id "$i" -peers "$(peers_of "$i")" -state-dir "$work/state" -threads "$THREADS" \
      -audit-file "$work/audit-$i.jsonl" -check-interval 1h -log-level warn >"$work/replica-$i.log" 2>&1 &
    pids+=($!)
  done
  {
    printf 'global\n  maxconn 2000\ndefaults\n  mode tcp\n  timeout connect 2s\n  timeout client 5m\n  timeout server 5m\n'
    printf 'frontend pg\n  bind 127.0.0.1:%d\n  default_backend meshgate\n' "$BASE_PORT"
    printf 'backend meshgate\n  balance roundrobin\n  option httpchk GET /readyz\n'
    for i in $(seq 1 "$n"); do
      printf '  server r%d 127.0.0.1:%d check port %d inter 1s\n' "$i" "$((BASE_PORT + i))" "$((BASE_PORT + 100 + i))"
    done
  } >"$work/haproxy.cfg"
  for i in $(seq 1 "$n"); do
    for _ in $(seq 1 300); do
      curl -fs "http://127.0.0.1:$((BASE_PORT + 100 + i))/readyz" >/dev/null 2>&1 && break
      sleep 0.2
    done
    curl -fs "http://127.0.0.1:$((BASE_PORT + 100 + i))/readyz" >/dev/null || { echo "replica $i did not get ready:"; cat "$work/replica-$i.log"; exit 1; }
  done
  "$HAPROXY" -db -f "$work/haproxy.cfg" >"$work/haproxy.log" 2>&1 &
  pids+=($!)
  sleep 2 # the first health checks mark every server up
  reload_latency "$n" >"$work/reload.txt" &
  reloader=$!
  out=$(PGPASSWORD=analyst-demo "$PGBIN/pgbench" -n -h 127.0.0.1 -p "$BASE_PORT" -U analyst -c "$CLIENTS" -j 2 \
    -T "$SECONDS_RUN" -f "$work/query.sql" mesh 2>&1) || { echo "$out"; exit 1; }
  tps[$n]=$(echo "$out" | sed -n 's/^tps = \([0-9.]*\).*/\1/p' | head -1)
  [ -n "${tps[$n]}" ] || { echo "$out"; exit 1; }
  fails=$(echo "$out" | sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p')
  wait "$reloader" || true
  echo "replicas=$n clients=$CLIENTS seconds=$SECONDS_RUN threads/replica=$THREADS: ${tps[$n]} q/s (failed: ${fails:-0})"
  cat "$work/reload.txt"
  out=$(PGPASSWORD=analyst-demo "$PGBIN/pgbench" -n -C -h 127.0.0.1 -p "$BASE_PORT" -U analyst -c "$LOGIN_CLIENTS" -j 2 \
    -T "$LOGIN_SECONDS" -f "$work/query.sql" mesh 2>&1) || { echo "$out"; exit 1; }
  logins[$n]=$(echo "$out" | sed -n 's/^tps = \([0-9.]*\).*/\1/p' | head -1)
  [ -n "${logins[$n]}" ] || { echo "$out"; exit 1; }
  echo "replicas=$n clients=$LOGIN_CLIENTS seconds=$LOGIN_SECONDS, a new session per query: ${logins[$n]} logins/s"
  stop
done
set -- $REPLICAS
if [ $# -ge 2 ] && [ -n "${tps[$1]:-}" ] && [ -n "${tps[${!#}]:-}" ]; then
  awk -v a="${tps[$1]}" -v b="${tps[${!#}]}" -v c="${logins[$1]}" -v d="${logins[${!#}]}" -v n1="$1" -v n2="${!#}" \
    'BEGIN { printf "scaling %s -> %s replicas: queries x%.2f, logins x%.2f (%d cores on this machine)\n", n1, n2, b / a, d / c, '"$(nproc)"' }'
fi
