package policy_test

import (
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"unicode"

	_ "github.com/duckdb/duckdb-go/v2"
)

// scripts are names and numbers in many scripts, with what redact makes
// of them: upper- and title-case letters X, every other letter x, every
// digit 0, combining marks dropped; spaces, punctuation and symbols (the
// emoji) stay.
var scripts = []struct{ in, redacted string }{
	{"Zoë Müller-Łukasz 42", "Xxx Xxxxxx-Xxxxxx 00"},
	{"王小明", "xxx"},                      // CJK ideographs (Lo)
	{"山田 太郎 ０９０", "xx xx 000"},          // fullwidth digits
	{"محمد علي ٣٤", "xxxx xxx 00"},      // Arabic letters, Arabic-Indic digits
	{"שלום עליכם", "xxxx xxxxx"},        // Hebrew
	{"राम शर्मा १२३", "xx xxx 000"},     // Devanagari letters, vowel signs (Mc/Mn, dropped), digits
	{"김민준 ㄱ", "xxx x"},                  // Hangul
	{"สมชาย", "xxxxx"},                  // Thai (its vowel mark dropped)
	{"\u01c5emal Ⅻ ½ ²", "Xxxxx 0 0 0"}, // title case, letter-like numbers (Nl, No)
	{"e\u0301mile", "xxxxx"},            // decomposed accent
	{"😀 ok #7!", "😀 xx #0!"},            // symbols stay
	{"Ｆｕｌｌ１２", "Xxxx00"},                // fullwidth Latin
	{"", ""},
}

// maskedView runs the view a session of user gets over a table t(s) of
// the given values on plain DuckDB (the engine's SQL dialect and RE2).
func maskedView(t *testing.T, mask string, values []string) []sql.NullString {
	t.Helper()
	set := writeSet(t, `
grants:
  - id: everyone-reads
    products: ["*"]
masks:
  - id: m
    products: [x.t]
    columns: [s]
    mask: `+mask+"\n", nil)
	d := set.Decide(id("u", nil, nil), product("x.t", "n:INTEGER", "s:VARCHAR"))
	rows := make([]string, len(values)+1)
	for i, v := range values {
		rows[i] = fmt.Sprintf("(%d, '%s')", i, strings.ReplaceAll(v, "'", "''"))
	}
	rows[len(values)] = fmt.Sprintf("(%d, NULL)", len(values))
	from := "(VALUES " + strings.Join(rows, ", ") + ") AS t(n, s)"
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	q := d.ViewSQL(from, func(fn string) string { return fn })
	var typ string
	if err := db.QueryRow("SELECT typeof(s) FROM (" + q + ") LIMIT 1").Scan(&typ); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	if typ != "VARCHAR" {
		t.Errorf("mask %s changes the type to %s", mask, typ)
	}
	res, err := db.Query("SELECT s FROM (" + q + ") ORDER BY n")
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer res.Close()
	var out []sql.NullString
	for res.Next() {
		var s sql.NullString
		if err := res.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if err := res.Err(); err != nil {
		t.Fatal(err)
	}
	if len(out) != len(values)+1 {
		t.Fatalf("%d rows, want %d", len(out), len(values)+1)
	}
	if out[len(values)].Valid {
		t.Errorf("mask %s of NULL: %q, want NULL", mask, out[len(values)].String)
	}
	return out[:len(values)]
}

// TestRedactEveryScript: redact leaves no letter or digit of any script
// in clear (issue 11: only cased letters and ASCII digits were masked).
func TestRedactEveryScript(t *testing.T) {
	in := make([]string, len(scripts))
	for i, s := range scripts {
		in[i] = s.in
	}
	got := maskedView(t, "redact", in)
	for i, s := range scripts {
		if got[i].String != s.redacted {
			t.Errorf("redact(%q) = %q, want %q", s.in, got[i].String, s.redacted)
		}
		for _, r := range got[i].String {
			if (unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.IsMark(r)) && r != 'x' && r != 'X' && r != '0' {
				t.Errorf("redact(%q) = %q keeps %q in clear", s.in, got[i].String, r)
			}
		}
	}
}

// TestPartialEveryScript: a partial mask shows show_first/show_last
// characters (code points) and replaces every other one, whatever its
// script.
func TestPartialEveryScript(t *testing.T) {
	in := []string{"王小明", "محمد علي", "שלום", "राम", "Zoë", "١٢٣٤٥", "ab", "a"}
	want := []string{"王xx", "مxxxxxxx", "שxxx", "रxx", "Zxx", "١xxxx", "ax", "x"}
	got := maskedView(t, "{kind: partial, show_first: 1}", in)
	for i := range in {
		if got[i].String != want[i] {
			t.Errorf("partial show_first 1 (%q) = %q, want %q", in[i], got[i].String, want[i])
		}
	}
	want = []string{"xx明", "xxxxxxxي", "xxxם", "xxम", "xxë", "xxxx٥", "xb", "x"}
	got = maskedView(t, "{kind: partial, show_last: 1}", in)
	for i := range in {
		if got[i].String != want[i] {
			t.Errorf("partial show_last 1 (%q) = %q, want %q", in[i], got[i].String, want[i])
		}
	}
}
