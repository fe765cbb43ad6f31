// Package engine owns the embedded DuckDB instance that executes every query.
//
// At start it opens one in-memory DuckDB, defines one internal view per
// product over the product's port (memory.ports."domain__product", scanning
// Parquet/CSV/JSON natively or an attached read-only DuckDB file), checks
// each port's real schema against its descriptor, and then locks DuckDB down
// (ARCHITECTURE.md fact 2): allowed_directories, no external access, no
// extension loading, locked configuration.
//
// Each client session gets its own attached in-memory catalog (sess_N) with
// one schema per domain and one view per product the session may read, so
// user SQL such as `SELECT * FROM sales.orders` runs unmodified. The planner
// makes sure user SQL never names anything but those views.
//
// The engine does not trust the planner for that (plan.go, shadow.go): each
// product view reads its policy-shaped definition through an unqualified
// name that the caller's search path resolves either to the real definition
// or to an empty shadow table of the same columns. Before a statement is
// prepared, DuckDB plans it in that shadow (json_serialize_plan); every scan
// in the plan must be a shadow table (a product read, inside its policy
// view when executed), a client-catalog table or a value-generating table
// function, and no engine-internal function may be called — anything else
// refuses the statement with 42501. The plan also gives the audit what the
// statement really read, product by product and column by column.
//
// Products of type: sql ports (aggregate.go, definer.go, lineage.go) are
// defined after every other port, inputs first: the query's table names
// are rewritten in DuckDB's syntax tree to the owning domain's definer
// catalog "mg$def_D", whose views are the inputs as the domain may read
// them (installed from the policy by the gateway, SetDefiners; empty until
// then). The product's port view selects from that query (live) or from a
// snapshot of it. A session's view of the product is like any product's,
// so its shadow plan shows the product only; nothing else reaches the
// definer catalog. Column lineage (planner.Lineage) is meshgate.lineage,
// consumption from the audit meshgate.usage.
//
// Results leave the engine as Arrow record batches streamed chunk by chunk
// (DuckDB's streaming result), so a large result never sits in memory whole.
// Cancelling the context of a query interrupts it inside DuckDB.
//
// A closed session's catalog is kept for the next session opened with the
// same key (pool.go: the gateway's key is the policy and the user's
// identity), which resets its per-session rows instead of building it.
// Whether a verified statement's answer depends only on the rows it reads
// is judged from its bound plan and DuckDB's function list
// (determinism.go), for the gateway's result cache.
//
// The engine does not own the wire, SQL classification or policy.
package engine
