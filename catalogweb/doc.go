// Package catalogweb is meshgate's discovery front door: an HTTP listener
// serving the catalog API (JSON, /api/v1, described by the OpenAPI 3
// document at /api/v1/openapi.json) and the web catalog (server-rendered
// html/template pages, assets embedded, usable without JavaScript).
//
// It decides nothing itself. Logins go through gateway.Login (the users
// file's SCRAM verifiers, the access rules, the failure throttle); what a
// caller may discover is gateway.Discover (the federation policy's
// discovery.ungranted setting: ungranted products listed with metadata
// only, or hidden); each product's access is policy.Access, the explanation
// `meshgate explain-access` prints; sample rows are read through
// gateway.Session.Query as the caller, so they are masked, filtered,
// verified and audited exactly as over psql. Every API call is audited too
// (gateway.AuditCall: kind api, protocol http).
//
// Authentication: HTTP Basic for the API, accepted over TLS or from a
// loopback address only; a login form for the browser that sets a session
// cookie (HttpOnly, Secure under TLS, SameSite=Strict) naming a
// server-side session that expires. Forms carry a CSRF token (a
// double-submit cookie before login, the session's token after) and a
// cross-origin Origin header is refused.
//
// Files: server.go (listener, routes, input checks, errors),
// auth.go (Basic, the login form, sessions), search.go (the search index,
// filters and paging), api.go (the JSON API), web.go and templates/ (the
// pages), assets/ (CSS, a little JS), openapi.json.
package catalogweb
