// Package catalog loads and strictly validates the data product
// descriptors of a mesh directory, and reads the real schema of their
// output ports so that drift from the declared schema can be reported.
//
// # Layout
//
// One YAML descriptor per product at <mesh>/<domain>/<product>.yaml (or
// .yml). The folder is the domain and the file name is the product: the
// address sales.orders (in SQL the table sales.orders) lives in
// sales/orders.yaml. Data files usually sit next to it, e.g.
// sales/data/orders.parquet. Hidden folders and files at other depths are
// ignored.
//
// # Descriptor format (apiVersion meshgate/v1)
//
// Field names follow the Open Data Product Standard (apiVersion, kind, id,
// domain, name, version, status, outputPorts) and, for columns, the Open
// Data Contract Standard (name, description, required, classification).
//
//	apiVersion: meshgate/v1          # required, exactly this
//	kind: DataProduct                # required, exactly this
//	id: sales.orders                 # required: domain.product, matching folder and file
//	domain: sales                    # required: the folder name
//	name: orders                     # required: the file name
//	version: 1.4.0                   # required: semantic version (semver.org), quoted if YAML would read a number
//	status: active                   # required: proposed | active | deprecated | retired
//	type: source-aligned             # required: source-aligned | aggregate | consumer-aligned
//	description: One row per order.  # required
//	owner: {team: Sales Engineering, contact: sales-data@example.com}   # both required
//	tags: [orders]                   # optional list of text
//	customProperties: {...}          # optional, free form, ignored by meshgate
//	outputPorts:                     # required, at least one; the first is the one served
//	  - name: files                  # required name, unique in the product
//	    type: parquet                # required: parquet | csv | json | duckdb | postgres | http | gateway | sql
//	    location: data/orders.parquet  # required, relative to the descriptor's folder (http: the URL; gateway: host:port; postgres, sql: none)
//	    query: SELECT …              # sql ports only: the SELECT that defines the product
//	    options: {}                  # per type, see below
//	    description: ...             # optional
//	schema:                          # required, at least one column
//	  - name: order_id               # required, unique
//	    type: bigint                 # required SQL type, see CanonicalType
//	    description: Order number.   # optional
//	    required: true               # optional, default false: the column holds no NULLs
//	    classification: public       # optional: public | internal | confidential | pii (default internal; sql ports: from the inputs)
//	    declassification: {rule: counts, justification: …}   # sql ports only: a federation rule allowing a lower classification
//
// Port types and options:
//
//   - parquet: no options. location may be a glob (data/*.parquet).
//   - csv: delimiter (one character, or \t; default ","), header (true or
//     false; default true), quote (default "), escape (default "), null
//     (the text that means NULL; default empty). Columns are read by
//     position, in the declared order, with the declared types. Globs allowed.
//   - json: newline-delimited JSON, one object per line; no options; keys
//     are matched by name. Globs allowed.
//   - duckdb: a DuckDB database file, attached read-only. Options table
//     (required) and schema (default main).
//   - postgres: a PostgreSQL table or view, read by package connectors.
//     No location. Options host, database, table and user (required),
//     port (default 5432), schema (default public), password_secret,
//     sslmode (disable|allow|prefer|require|verify-ca|verify-full),
//     pool_max (default 4), connect_timeout (default 10s), and columns, a
//     mapping from declared columns to source column names whose names
//     are not valid product column names ({customer_id: "Customer ID"}).
//   - http: a domain API serving a JSON array, NDJSON or an Arrow IPC
//     stream; location is its http(s) URL (without credentials). Options
//     format (json|ndjson|arrow; default from the Content-Type),
//     token_secret (a bearer token), header_name with header_secret (a
//     header carrying a secret), pagination (none|link|next_field: RFC
//     8288 Link rel="next" headers, or a field of the body object named
//     by next_field, default next; the rows are then in data_field,
//     default data), max_pages (default 1000), max_bytes (default 1GB;
//     bytes or 64MB), strict (default true: a field the schema does not
//     declare is an error), timeout, filters (a mapping from declared
//     columns to the query parameters the API accepts for "column =
//     value") and columns (declared column → JSON field name).
//   - gateway: a product of another meshgate (a domain gateway) read over
//     its PostgreSQL wire door as the postgres type reads a table;
//     location is host:port. Options product (domain.product on the
//     remote, required), user (the service account, required),
//     password_secret, audience (the remote gateway's name in its
//     trusted_gateways entry, required), database (default mesh),
//     sslmode (default verify-full), sslrootcert (the CA file, relative
//     to the descriptor), pool_max, connect_timeout, columns. With serve
//     -delegation-key each live scan asserts the end user (package
//     auth/delegation), so the remote gateway applies its own policy for
//     that user.
//   - Every remote type (postgres, http, gateway) takes mode (live|snapshot; default live), refresh
//     (the snapshot interval; only with mode snapshot; default 5m),
//     max_staleness (a snapshot older than this is not served; default
//     none) and on_stale (fail|live: what to do then; default fail); see
//     Port.Freshness.
//   - sql: a product derived from other products (aggregate and
//     consumer-aligned products): query is one read-only SELECT (CTEs,
//     joins, aggregates, window functions) over products by address, any
//     domain, optionally pinned (sales.orders_v1); no location. Options
//     mode (live: a view planned into each consumer's statement, so its
//     filters reach the inputs' scans; snapshot: materialised like a
//     remote snapshot, refreshed every refresh and whenever an input's
//     snapshot refreshes), refresh, max_staleness, on_stale. The engine
//     checks the query when the mesh is served (sqlport.go,
//     engine/aggregate.go): writes, table functions, files, catalog or
//     internal relations, unknown inputs, a wrong pinned major version,
//     cycles (naming the chain) and a declared schema that differs from
//     the query's output (names, types, order) are problems with the
//     query's or the column's line. A column's classification is the
//     strictest of the input columns it is derived from (column lineage);
//     declaring it less strict needs a declassification that a rule of
//     the federation policy allows (auth/policy).
//   - Credentials never appear inline: password_secret, token_secret and
//     header_secret hold a reference, env:NAME (an environment variable
//     of the gateway) or file:PATH#key (a YAML mapping or .env-style
//     KEY=VALUE file, PATH relative to the descriptor). An inline
//     password, token or header_value option is refused.
//
// # Quality rules and service levels (quality.go, quality_load.go)
//
// With the Open Data Contract Standard v3's names, so a domain can bring
// the contract it has:
//
//	schema:
//	  - name: order_id
//	    type: bigint
//	    primaryKey: true             # adds rules order_id_primary_key (duplicateValues = 0) and …_not_null (nullValues = 0)
//	    unique: true                 # adds rule order_id_unique (duplicateValues = 0)
//	  - name: status
//	    type: varchar
//	    logicalTypeOptions: {pattern: '[a-z]+'}   # also minimum, maximum (numbers; quoted dates for date/time columns)
//	    quality:                     # the column's rules
//	      - name: status_known       # optional, unique in the product; default column_metric (status_invalid_values)
//	        metric: invalidValues    # nullValues | missingValues | invalidValues | duplicateValues (rowCount: product level)
//	        validValues: [placed, paid]  # invalidValues: validValues, or pattern/minimum/maximum here, under arguments, or from logicalTypeOptions
//	        mustBe: 0                # exactly one of mustBe, mustNotBe, mustBeGreaterThan, mustBeGreaterOrEqualTo,
//	                                 # mustBeLessThan, mustBeLessOrEqualTo, mustBeBetween: [a, b], mustNotBeBetween: [a, b]
//	        unit: rows               # rows (default) | percent (of all rows)
//	        severity: error          # error (default) | warning
//	        dimension: conformity    # accuracy | completeness | conformity | consistency | coverage | timeliness | uniqueness
//	        description: ...
//	        schedule: 5m             # optional check interval (a duration; cron is not supported)
//	quality:                         # the product's rules: rowCount and sql
//	  - {metric: rowCount, mustBeGreaterThan: 0}
//	  - {name: few_refunds, type: sql, query: "SELECT count(*) FROM sales.orders WHERE amount < 0", mustBeLessThan: 10}
//	slaProperties:
//	  - {property: freshness, value: 1, unit: d, element: orders.created_at}   # or latency (the newer name)
//	  - {property: retention, value: 5, unit: y, element: created_at}
//	  - {property: frequency, value: 1, unit: d}
//	on_failure: block                # warn (default: the gateway's -on-failure) | block
//
// missingValues counts NULL and the listed values (default: NULL and the empty text,
// compared as text); duplicateValues is count(c) − count(DISTINCT c);
// invalidValues counts non-NULL values outside validValues (compared as
// text), not fully matching pattern, or below minimum / above maximum. A
// sql rule's query returns one number and may read only its own product
// (package quality checks it like a user query). Freshness is now − max
// of the element, retention now − min, in the SLA's unit (s, m, h, d, w,
// y or their long names). Other ODCS SLA properties (availability,
// throughput, …) are kept but not checked. Every mistake is a problem
// with its line: unknown metric or dimension, a threshold that is not a
// number or a Between that is not two, a percentage above 100, minimum on
// a text column, a pattern that is not a regular expression, an SLA
// element that is not a date or timestamp column, freshness and latency
// both given, rule names given twice.
//
// Names of domains, products, ports and columns are lowercase SQL
// identifiers, [a-z_][a-z0-9_]* of at most 63 characters, and not a
// reserved SQL word, so SQL never has to quote them.
//
// Types accept the PostgreSQL and DuckDB spellings (int, int4, int8,
// float4, float8, numeric(p,s), text, character varying(n), bytea,
// timestamp with time zone, timestamptz, ...) and lists (text[]); they are
// normalised to DuckDB's spelling (CanonicalType), which is what
// Column.Type holds.
//
// # Validation
//
// Load reports every problem it finds, not only the first, each as a
// sentence with the descriptor's file and line: YAML syntax errors,
// unknown keys (with the closest known key suggested), duplicate keys,
// missing required keys, values of the wrong type, invalid semantic
// versions, invalid enum values, an id, domain or name that does not match
// the file's location, the same address in two files, invalid or
// duplicate names, unknown SQL types, unknown port options, a duckdb port
// without a table, and port locations that are absolute, leave the mesh
// directory (also through a symbolic link), match no file or do not exist.
// Invalid products are left out of the Mesh.
//
// # Ports and the engine
//
// ScanSQL gives the DuckDB table expression that scans a file port; with
// the product it passes the declared columns to read_csv/read_json, so
// the engine's types never depend on sniffing. duckdb ports are attached
// by the engine (Port.DuckDBTable). PortSchema reads what a port really
// holds (without the declared columns) and CompareSchema names every
// difference from the declaration; `meshgate validate` uses both.
//
// # Versions
//
// A product carries a semantic version; Product.MajorVersion gives the
// major part, which is what an address can pin.
package catalog
