// Package ops is what a platform team runs meshgate with: Prometheus
// metrics (metrics.go, collectors.go), the health and readiness endpoints
// (health.go) and the ops HTTP listener that serves them (server.go), and
// OpenTelemetry tracing (trace.go).
//
// The gateway reports through gateway.Recorder, so only this package
// imports Prometheus. Label values are bounded: statement kinds, front
// doors, SQLSTATE classes, refusal reasons, the mesh's product addresses;
// never SQL text, and user names only when Options.UserLabels is set
// (meshgate serve -metrics-user-labels). Values that other parts own are
// read at scrape time from functions (pgwire.Server.Stats, audit.Log.Stats,
// the snapshot states), and two hooks wait for parts other engineers
// build: SetCacheStats (the result cache) and SetHealth (product health).
package ops
