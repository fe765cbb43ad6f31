package planner

import (
	"strings"
)

// tokenKind classifies lexical tokens of PostgreSQL/DuckDB SQL.
type tokenKind int

const (
	tokWord   tokenKind = iota // identifier or keyword (unquoted)
	tokQIdent                  // "quoted identifier"
	tokString                  // 'string', E'string', $$string$$
	tokNumber
	tokParam // $1
	tokPunct // operators and punctuation, one token per character except ::
	tokSemicolon
)

// token is one lexical token; Text is the source text, Value the
// unquoted/unescaped value for strings and quoted identifiers and the
// lowercased word for tokWord.
type token struct {
	Kind  tokenKind
	Text  string
	Value string
	Pos   int
}

// lexError reports unterminated quotes or comments.
type lexError struct {
	Msg string
	Pos int
}

func (e *lexError) Error() string { return e.Msg }

// lex tokenizes sql, skipping whitespace and comments.
func lex(sql string) ([]token, error) {
	var toks []token
	i := 0
	n := len(sql)
	for i < n {
		c := sql[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			i++
		case c == '-' && i+1 < n && sql[i+1] == '-':
			for i < n && sql[i] != '\n' {
				i++
			}
		case c == '/' && i+1 < n && sql[i+1] == '*':
			depth := 0
			start := i
			for i < n {
				if i+1 < n && sql[i] == '/' && sql[i+1] == '*' {
					depth++
					i += 2
				} else if i+1 < n && sql[i] == '*' && sql[i+1] == '/' {
					depth--
					i += 2
					if depth == 0 {
						break
					}
				} else {
					i++
				}
			}
			if depth != 0 {
				return nil, &lexError{"unterminated /* comment", start}
			}
		case c == '\'' || ((c == 'E' || c == 'e') && i+1 < n && sql[i+1] == '\''):
			start := i
			escapes := c != '\''
			if escapes {
				i++
			}
			v, end, ok := scanString(sql, i+1, escapes)
			if !ok {
				return nil, &lexError{"unterminated quoted string", start}
			}
			i = end
			toks = append(toks, token{Kind: tokString, Text: sql[start:i], Value: v, Pos: start})
		case c == '"':
			start := i
			var b strings.Builder
			i++
			closed := false
			for i < n {
				if sql[i] == '"' {
					if i+1 < n && sql[i+1] == '"' {
						b.WriteByte('"')
						i += 2
						continue
					}
					i++
					closed = true
					break
				}
				b.WriteByte(sql[i])
				i++
			}
			if !closed {
				return nil, &lexError{"unterminated quoted identifier", start}
			}
			toks = append(toks, token{Kind: tokQIdent, Text: sql[start:i], Value: b.String(), Pos: start})
		case c == '$':
			start := i
			j := i + 1
			for j < n && isDigit(sql[j]) {
				j++
			}
			if j > i+1 {
				i = j
				toks = append(toks, token{Kind: tokParam, Text: sql[start:i], Value: sql[start+1 : i], Pos: start})
				continue
			}
			// dollar quote: $tag$ ... $tag$
			j = i + 1
			for j < n && (isIdentChar(sql[j])) {
				j++
			}
			if j < n && sql[j] == '$' {
				tag := sql[i : j+1]
				end := strings.Index(sql[j+1:], tag)
				if end < 0 {
					return nil, &lexError{"unterminated dollar-quoted string", start}
				}
				val := sql[j+1 : j+1+end]
				i = j + 1 + end + len(tag)
				toks = append(toks, token{Kind: tokString, Text: sql[start:i], Value: val, Pos: start})
				continue
			}
			i++
			toks = append(toks, token{Kind: tokPunct, Text: "$", Value: "$", Pos: start})
		case isIdentStart(c):
			start := i
			for i < n && isIdentChar(sql[i]) {
				i++
			}
			w := sql[start:i]
			toks = append(toks, token{Kind: tokWord, Text: w, Value: strings.ToLower(w), Pos: start})
		case isDigit(c) || (c == '.' && i+1 < n && isDigit(sql[i+1])):
			start := i
			for i < n && (isDigit(sql[i]) || sql[i] == '.' || sql[i] == '_' || sql[i] == 'e' || sql[i] == 'E' ||
				((sql[i] == '+' || sql[i] == '-') && (sql[i-1] == 'e' || sql[i-1] == 'E'))) {
				i++
			}
			toks = append(toks, token{Kind: tokNumber, Text: sql[start:i], Value: sql[start:i], Pos: start})
		case c == ';':
			toks = append(toks, token{Kind: tokSemicolon, Text: ";", Value: ";", Pos: i})
			i++
		case c == ':' && i+1 < n && sql[i+1] == ':':
			toks = append(toks, token{Kind: tokPunct, Text: "::", Value: "::", Pos: i})
			i += 2
		default:
			toks = append(toks, token{Kind: tokPunct, Text: string(c), Value: string(c), Pos: i})
			i++
		}
	}
	return toks, nil
}

// scanString reads a single-quoted string body starting after the opening
// quote; escapes enables E” backslash escapes.
func scanString(sql string, i int, escapes bool) (string, int, bool) {
	var b strings.Builder
	n := len(sql)
	for i < n {
		c := sql[i]
		switch {
		case c == '\'':
			if i+1 < n && sql[i+1] == '\'' {
				b.WriteByte('\'')
				i += 2
				continue
			}
			return b.String(), i + 1, true
		case escapes && c == '\\' && i+1 < n:
			i++
			switch sql[i] {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case 'r':
				b.WriteByte('\r')
			case 'b':
				b.WriteByte('\b')
			case 'f':
				b.WriteByte('\f')
			default:
				b.WriteByte(sql[i])
			}
			i++
		default:
			b.WriteByte(c)
			i++
		}
	}
	return "", n, false
}

func isDigit(c byte) bool      { return c >= '0' && c <= '9' }
func isIdentStart(c byte) bool { return c == '_' || (c|0x20 >= 'a' && c|0x20 <= 'z') || c >= 0x80 }
func isIdentChar(c byte) bool  { return isIdentStart(c) || isDigit(c) }

// Split cuts a query string into statements at top-level semicolons,
// returning each statement's text trimmed; empty statements are dropped.
func Split(sql string) ([]string, error) {
	toks, err := lex(sql)
	if err != nil {
		return nil, syntaxError(err.Error(), sql, err.(*lexError).Pos)
	}
	var out []string
	start := -1
	for _, t := range toks {
		if t.Kind == tokSemicolon {
			if start >= 0 {
				out = append(out, strings.TrimSpace(sql[start:t.Pos]))
			}
			start = -1
			continue
		}
		if start < 0 {
			start = t.Pos
		}
	}
	if start >= 0 {
		out = append(out, strings.TrimSpace(sql[start:]))
	}
	return out, nil
}

// RewriteWords returns sql with its unquoted words (not inside strings,
// quoted identifiers or comments) rewritten by fn, which gets the
// lowercased word and returns its replacement, whether an empty argument
// list right after it ("()") is part of what it replaces, and ok=false
// to keep the word. It is the lexer of every statement, for SQL the
// policy writes (mask and filter expressions). Text that does not lex
// (an unterminated quote or comment) is an error.
func RewriteWords(sql string, fn func(word string) (repl string, eatParens, ok bool)) (string, error) {
	toks, err := lex(sql)
	if err != nil {
		return "", err
	}
	var edits []edit
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if t.Kind != tokWord {
			continue
		}
		repl, eat, ok := fn(t.Value)
		if !ok {
			continue
		}
		end := tokEnd(t)
		if eat && i+2 < len(toks) && isPunct(toks[i+1], "(") && isPunct(toks[i+2], ")") {
			end = tokEnd(toks[i+2])
			i += 2
		}
		edits = append(edits, edit{start: t.Pos, end: end, repl: repl})
	}
	return applyEdits(sql, edits), nil
}
