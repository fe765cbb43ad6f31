#!/usr/bin/env bash
# The README's commands on a fresh clone: git clone the committed branch
# into an empty directory, `make run` in the background until it prints how
# to connect, connect with psql as the README says, stop it (SIGTERM drains).
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$tmp"' EXIT
git clone -q "$src" "$tmp/meshgate"
cd "$tmp/meshgate"
port=$((20000 + RANDOM % 20000))
make run LISTEN=127.0.0.1:$port OPS=127.0.0.1:$((port + 1)) >"$tmp/run.out" 2>&1 &
pid=$!
for _ in $(seq 1 600); do
  grep -q 'Connect with' "$tmp/run.out" && break
  kill -0 "$pid" 2>/dev/null || { cat "$tmp/run.out"; echo "make run exited"; exit 1; }
  sleep 0.5
done
grep -q 'Connect with' "$tmp/run.out" || { cat "$tmp/run.out"; echo "make run did not print how to connect"; exit 1; }
got=$(PGPASSWORD=analyst-demo psql -At "host=127.0.0.1 port=$port user=analyst dbname=mesh sslmode=require" \
  -c "select count(*) from sales.orders o join geo.countries d using (country_code)")
[ "$got" -gt 0 ] || { echo "psql answered $got"; exit 1; }
kill -TERM $(pgrep -P "$pid" meshgate || echo "$pid")
wait "$pid" || true
echo "fresh clone: 1 passed, 0 failed"
