// Package replicas tests several `meshgate serve` processes (the real
// bin/meshgate) on the same mesh, policy and users files as one gateway:
// three replicas behind a real HAProxy (TCP mode, roundrobin) under 50
// concurrent pgx clients with a policy rewrite mid-run and a cancel
// through the balancer; a draining replica leaving the balancer; and a
// delegation assertion replayed on another replica. The q/s measurement
// of 1 and 3 replicas behind HAProxy is bench/replicas (make
// bench-replicas, docs/scale-out.md).
package replicas
