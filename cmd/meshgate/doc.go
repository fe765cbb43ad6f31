// Command meshgate is the gateway's command line: serve a mesh over the
// PostgreSQL wire protocol, validate a mesh's descriptors and ports, print
// the version. It wires the rooms together and holds no logic of its own.
package main
