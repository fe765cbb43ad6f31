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
//	    type: parquet                # required: parquet | csv | json | duckdb
//	    location: data/orders.parquet  # required, relative to the descriptor's folder
//	    options: {}                  # per type, see below
//	    description: ...             # optional
//	schema:                          # required, at least one column
//	  - name: order_id               # required, unique
//	    type: bigint                 # required SQL type, see CanonicalType
//	    description: Order number.   # optional
//	    required: true               # optional, default false: the column holds no NULLs
//	    classification: public       # optional: public | internal | confidential | pii (default internal)
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
//   - postgres, http and gateway ports are planned and reported as "not
//     supported yet".
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
