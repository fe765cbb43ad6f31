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
// Results leave the engine as Arrow record batches streamed chunk by chunk
// (DuckDB's streaming result), so a large result never sits in memory whole.
// Cancelling the context of a query interrupts it inside DuckDB.
//
// The engine does not own the wire, SQL classification or policy.
package engine
