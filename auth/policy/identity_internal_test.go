package policy

import "testing"

// identityCalls rewrites the identity functions and nothing that only looks
// like them: strings, quoted identifiers, comments and dollar-quoted text
// are kept as written.
func TestIdentityCallsUseTheLexer(t *testing.T) {
	q := func(s string) string { return "sess.main." + s }
	for _, c := range []struct{ in, want string }{
		{"owner = current_user", "owner = sess.main.mg_current_user()"},
		{"owner = CURRENT_USER()", "owner = sess.main.mg_current_user()"},
		{"owner = session_user ( )", "owner = sess.main.mg_current_user()"},
		{"region = session_attr('region')", "region = sess.main.session_attr('region')"},
		{"in_group('stewards') OR x", "sess.main.in_group('stewards') OR x"},
		{"note = 'current_user'", "note = 'current_user'"},
		{`"current_user" = 1`, `"current_user" = 1`},
		{"x = 1 -- current_user\n", "x = 1 -- current_user\n"},
		{"x = 1 /* in_group( */", "x = 1 /* in_group( */"},
		{"x = $$session_attr$$", "x = $$session_attr$$"},
		{"my_current_user = 1", "my_current_user = 1"},
		{"x = 'unterminated", "x = 'unterminated"},
	} {
		if got := identityCalls(c.in, q); got != c.want {
			t.Errorf("identityCalls(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
