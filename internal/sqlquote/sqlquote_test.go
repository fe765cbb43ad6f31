package sqlquote

import "testing"

func TestQuote(t *testing.T) {
	for _, c := range []struct{ in, ident, lit string }{
		{"a", `"a"`, `'a'`},
		{`x"y`, `"x""y"`, `'x"y'`},
		{"it's", `"it's"`, `'it''s'`},
		{"", `""`, `''`},
	} {
		if got := Ident(c.in); got != c.ident {
			t.Errorf("Ident(%q) = %s, want %s", c.in, got, c.ident)
		}
		if got := Literal(c.in); got != c.lit {
			t.Errorf("Literal(%q) = %s, want %s", c.in, got, c.lit)
		}
	}
}
