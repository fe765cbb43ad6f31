# meshgate — build, run, test, benchmark.
GO      ?= go
TAGS    := duckdb_arrow
BIN     := bin/meshgate
LISTEN  ?= 127.0.0.1:15432
HTTP    ?= 127.0.0.1:15480
FLIGHT  ?= 127.0.0.1:15433
OPS     ?= 127.0.0.1:15490
SF      ?= 1
ROWS    ?= 10000000
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
GOFILES := $(shell find . -name '*.go' -not -path './.cache/*')

.PHONY: all build demo run test check-test-deps test-deps test-race test-fresh test-go test-psql test-clients test-compat test-fuzz bench bench-quality bench-catalog bench-flight bench-replicas bench-pushdown bench-aggregate bench-dashboard bench-duckdb-versions lint clean

all: build

build: $(BIN)

$(BIN): $(GOFILES) go.mod go.sum
	$(GO) build -tags $(TAGS) -o $(BIN) ./cmd/meshgate

# The demo mesh's binary files (Parquet, DuckDB) are generated, never committed.
demo: testdata/mesh/.generated

testdata/mesh/.generated: testdata/gen/main.go testdata/gen/mesh.sql
	$(GO) run -tags $(TAGS) ./testdata/gen -mesh testdata/mesh
	touch $@

# A throw-away certificate so sslmode=require works out of the box
# (generated once, git-ignored; sslrootcert=testdata/certs/ca.crt for verify-full).
CERTS   := testdata/certs

run: build demo $(CERTS)/server.crt
	./$(BIN) serve -mesh testdata/mesh -users testdata/users.yaml -policies testdata/policies -listen $(LISTEN) -ops $(OPS) -http $(HTTP) -flight $(FLIGHT) \
		-tls-cert $(CERTS)/server.crt -tls-key $(CERTS)/server.key

$(CERTS)/server.crt: | $(BIN)
	./$(BIN) cert -out $(CERTS) -host 127.0.0.1,localhost

test: build demo check-test-deps test-go test-psql test-clients test-fuzz

# The client tools the tests run: installed when missing if root, else
# make test fails with the one command to run (scripts/check-test-deps.sh).
check-test-deps:
	@./scripts/check-test-deps.sh

# Installs every test dependency (apt, npm) on a fresh Debian machine, as root.
test-deps:
	./scripts/install-test-deps.sh

# The README's commands on a fresh clone of the committed branch.
test-fresh:
	./test/fresh/run.sh

# The concurrent packages under the race detector (.ci/run runs it).
test-race: demo
	$(GO) test -tags $(TAGS) -race -count=1 -timeout 10m ./gateway/pgwire ./connectors ./auth/audit ./gateway

test-go:
	$(GO) vet -tags $(TAGS) ./...
	$(GO) test -tags $(TAGS) -count=1 -timeout 15m ./... ./testdata/gen

test-psql: build demo
	./test/psql/run.sh ./$(BIN)

# psql, pgjdbc, psycopg2 (+ pandas, SQLAlchemy), psycopg 3, asyncpg and node-postgres scenarios;
# .ci/run installs the clients (test/clients/run.sh says what is missing).
test-clients: build demo
	./test/clients/run.sh ./$(BIN)

# The compatibility corpus (test/compat: the introspection SQL of BI tools
# and drivers) against PostgreSQL 15, with the counts per tool (README).
test-compat: demo
	bash -o pipefail -c "$(GO) test -tags $(TAGS) -count=1 -run 'TestCompatibilityCorpus\$$' -v ./gateway | grep -v '^    --- PASS\|^=== RUN'"

# A short run of every fuzz target: a fixed number of inputs each (a time
# limit can end a run mid-input, which go test reports as a failure). Longer
# runs: make test-fuzz FUZZN=1000000. Seeds live in the packages' testdata/fuzz.
FUZZN ?= 1
FUZZ_TARGETS := FuzzConnection:./gateway/pgwire:2000 FuzzDecodeParam:./gateway/pgwire:2000 \
	FuzzSplitClassify:./planner:5000 FuzzLoad:./planner/catalog:50 FuzzLoadFile:./auth/policy:1000 \
	FuzzLoadDirectory:./auth:1000 FuzzHTTPPort:./connectors:200 FuzzOracle:./test/redteam:20

test-fuzz: build demo
	@for t in $(FUZZ_TARGETS); do \
		name=$${t%%:*}; rest=$${t#*:}; pkg=$${rest%%:*}; n=$$(( $${rest#*:} * $(FUZZN) )); \
		echo "fuzz $$name ($$pkg, $$n inputs)"; \
		$(GO) test -tags $(TAGS) -run XXX -fuzz "^$$name\$$" -fuzztime $${n}x -parallel 1 $$pkg >/tmp/meshgate-fuzz.log 2>&1 || { cat /tmp/meshgate-fuzz.log; exit 1; }; \
	done

bench: build demo
	./bench/run.sh $(SF) $(ROWS)

# All quality rules of the ROWS-row bench.wide product in one pass vs the
# same aggregates in DuckDB on the file (BENCHMARKS.md "Quality checks").
bench-quality:
	$(GO) run -tags $(TAGS) ./testdata/gen -bench-rows $(ROWS) -bench-out bench/data/wide
	$(GO) run -tags $(TAGS) ./bench/quality -parquet bench/data/wide/bench/data/wide.parquet -md BENCHMARKS.md

# A live aggregate product (type: sql port) over TPC-H SF vs the same SQL by
# hand over its inputs, both through the gateway (BENCHMARKS.md "Aggregate products").
bench-aggregate:
	$(GO) run -tags $(TAGS) ./bench/tpch gen -sf $(SF) -dir bench/data/tpch/sf$(SF)
	$(GO) run -tags $(TAGS) ./bench/aggregate -dir bench/data/tpch/sf$(SF)

# The catalog's search and product page on a generated mesh of 5,000 products.
bench-catalog: demo
	$(GO) run -tags $(TAGS) ./bench/catalog -products 5000

# Only the wire part: pgwire text and binary, Arrow Flight SQL and the
# DuckDB ceiling on ROWS rows of bench.wide (no TPC-H, no PostgreSQL).
# TPC-H live with statement pushdown off, then on (rows fetched per query
# from the ports' metrics); no snapshot, concurrency or wire parts.
bench-pushdown: build demo
	TPCH_MODES="live-nopush live" SKIP_CONC=1 SKIP_WIRE=1 SKIP_MICRO=1 NO_MD=1 TPCH_RUNS=1 TPCH_PG_RUNS=1 ./bench/run.sh $(SF) $(ROWS)

bench-flight: build demo
	SKIP_TPCH=1 SKIP_PG=1 SKIP_MICRO=1 NO_MD=1 ./bench/run.sh $(SF) $(ROWS)

# q/s and logins/s of 1 and 3 replicas behind HAProxy (pgbench through the
# balancer), and how long a policy rewrite takes to reach every replica under load.
REPLICA_SECONDS ?= 20
REPLICA_CLIENTS ?= 30
bench-replicas: build demo
	./bench/replicas/run.sh $(REPLICA_SECONDS) $(REPLICA_CLIENTS)

# The dashboard workload only (issue 18): meshgate with the result cache
# on and off against PostgreSQL on TPC-H SF (DASH_SECONDS, DASH_LEVELS).
bench-dashboard: build demo
	DASH_ONLY=1 SKIP_WIRE=1 ./bench/run.sh $(SF) $(ROWS)

# Embedded DuckDB alone, duckdb-go as in go.mod against DUCKDB_OTHER (issue 18's
# DuckDB 2.0 question): TPC-H SF and a Parquet → Arrow scan of 3 M rows.
DUCKDB_OTHER ?= v2.20000.0
bench-duckdb-versions:
	$(GO) run -tags $(TAGS) ./bench/tpch gen -sf $(SF) -dir bench/data/tpch/sf$(SF)
	$(GO) run -tags $(TAGS) ./testdata/gen -bench-rows 3000000 -bench-out bench/data/wide
	./bench/duckversions/run.sh $(SF) $(DUCKDB_OTHER)

lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (gofmt -l $$(git ls-files '*.go'); echo 'gofmt: files above need formatting'; exit 1)
	$(GO) vet -tags $(TAGS) ./...
	$(GO) run $(STATICCHECK) -tags $(TAGS) ./...

clean:
	rm -rf bin testdata/mesh/.generated
	find testdata/mesh -name '*.parquet' -o -name '*.duckdb' | xargs rm -f
