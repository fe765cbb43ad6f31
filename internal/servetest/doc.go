// Package servetest starts the real meshgate binary (bin/meshgate, built by
// `make build`) for tests of its front doors: the demo mesh, users and
// policies, a throw-away certificate, a mask key, an audit file, a pgwire
// port and a Flight SQL port, stopped when the test ends.
package servetest
