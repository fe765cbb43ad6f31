// Package quality checks data products against their contracts: the
// quality rules and service levels of their descriptors (package catalog
// reads them, with the Open Data Contract Standard's field names).
//
// Compile turns every library rule of a product (nullValues,
// missingValues, invalidValues, duplicateValues, rowCount) and its
// freshness and retention SLAs into one aggregate query over the product,
// so a check reads the port once. A sql rule is its own query, which must
// return one number and may read only its own product.
//
// Runner.Check runs a product's queries the way a user's query runs: in
// an engine session whose only view is the product, through the planner's
// read check (planner.CheckRead, which refuses anything but a read of
// that product) and the engine's bound-plan verification, with a timeout.
// A rule that cannot run (port down, SQL error, timeout) has status
// error and the reason, never pass.
//
// Tracker keeps the results: a bounded history (the last 100 runs of each
// rule, published as meshgate.quality) and each product's health (healthy,
// warning, failing, stale, unreachable, unchecked; published as
// meshgate.health), read by the gateway for the notice, the block and the
// audit record of every query. Scheduler runs the checks in the
// background with bounded concurrency.
//
//	compile.go   the one scan of a product's rules
//	run.go       Runner: one product's check
//	health.go    Tracker: history, health, its tables
//	schedule.go  Scheduler: checks while serving
package quality
