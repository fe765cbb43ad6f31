// Package delegation signs and verifies identity assertions: a federation
// gateway speaking to a domain gateway on behalf of an end user sends a
// short-lived, Ed25519-signed statement of who that user is (name, groups,
// attributes), for which gateway it is meant (audience), until when it
// holds (expiry), which statement it belongs to (statement id, shared by
// both gateways' audit records) and a nonce. The domain gateway admits the
// session as that user only when a trusted gateway entry (public key, the
// service account allowed to delegate, the users or groups it may speak
// for) accepts the assertion; forged, expired, replayed, wrong-audience
// and out-of-scope assertions are refused with 28000 and a sentence that
// never repeats the assertion itself.
//
// The wire form is base64url(JSON claims) "." base64url(signature over the
// first part). It is a secret for its short life: callers must never log
// or audit it.
package delegation
