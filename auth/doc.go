// Package auth owns who may do what in meshgate: identities (users, their
// SCRAM-SHA-256 verifiers, groups and attributes), the access rules that
// choose how each may log in, limits and the login throttle. Its rooms
// below hold the policy model (auth/policy: grants, column masks, row
// filters, compiled once and evaluated per session) and the audit trail
// (auth/audit: one record per statement, on every front door).
//
// Every front door logs in through the same decision (gateway/authn.go,
// gateway/frontdoor.go): pgwire proves the password with a SCRAM exchange,
// the HTTP catalog and Flight SQL check a received password against the
// same verifier (Verifier.CheckPassword).
//
// # Users file
//
// The directory of users is a YAML file (see testdata/users.yaml):
//
//	apiVersion: meshgate/v1
//	kind: Users
//	users:
//	  - name: analyst                 # login name: [a-z_][a-z0-9_.-]*, unique
//	    groups: [analysts]            # optional; names [a-z_][a-z0-9_-]*
//	    attributes: {region: EU}      # optional; keys [a-z_][a-z0-9_]*, text values
//	    password: SCRAM-SHA-256$4096:<salt>$<StoredKey>:<ServerKey>   # optional
//
// Attributes are what policies refer to (a row filter such as
// region = ${{USER.region}} binds the caller's attribute as a value).
// password, when present, must be a SCRAM-SHA-256 verifier in the
// PostgreSQL format (never a clear-text password); a user without one can
// only log in through a method that does not need a password.
//
// A user may also carry limits (connection_limit, statement_timeout,
// max_statement_timeout, idle_session_timeout; limits.go), and the file an
// access section of pg_hba.conf-style rules choosing the authentication
// method by connection type, client address, user or +group and database
// (access.go; default: scram-sha-256 for everyone). scram.go is the server
// side of SCRAM-SHA-256 and PostgreSQL's verifier format, throttle.go the
// per-address login failure delay, tlscert.go throw-away certificates.
//
// LoadDirectory is strict (internal/strictyaml): an unknown key (with the
// closest known key suggested), a key given twice anywhere (both lines
// named), a duplicate user, an invalid name or a value of the wrong
// type is reported with its file and line, and every problem is reported,
// not only the first.
package auth
