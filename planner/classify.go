package planner

import (
	"fmt"
	"strings"

	"github.com/meshgate/meshgate/internal/sqlquote"
	"github.com/meshgate/meshgate/sqlstate"
)

// Kind is what a statement is, as far as the gateway is concerned.
type Kind int

// Statement kinds.
const (
	KindRead       Kind = iota // SELECT, WITH, VALUES, TABLE, FROM, EXPLAIN: runs in DuckDB
	KindSet                    // SET name = value, SET SESSION CHARACTERISTICS…
	KindReset                  // RESET name | RESET ALL
	KindShow                   // SHOW name | SHOW ALL
	KindBegin                  // BEGIN, START TRANSACTION
	KindCommit                 // COMMIT, END
	KindRollback               // ROLLBACK, ABORT
	KindDiscard                // DISCARD ALL…
	KindDeallocate             // DEALLOCATE [PREPARE] name | ALL
	KindCopyOut                // COPY (query) TO STDOUT …
	KindDeclare                // DECLARE name CURSOR FOR query
	KindFetch                  // FETCH / MOVE
	KindClose                  // CLOSE name | ALL
	KindSavepoint              // SAVEPOINT name
	KindRelease                // RELEASE [SAVEPOINT] name
	KindRollbackTo             // ROLLBACK [WORK|TRANSACTION] TO [SAVEPOINT] name
	KindUnlisten               // UNLISTEN channel | *
)

// Statement is one classified statement.
type Statement struct {
	Kind Kind
	// SQL is the statement text as the client sent it.
	SQL string
	// Query is the read query to run: SQL itself for KindRead, the inner
	// query for COPY and DECLARE.
	Query string
	// Explain is set when the read statement is EXPLAIN [ANALYZE] …;
	// Query then holds the explained statement for checking and SQL the
	// whole EXPLAIN.
	Explain bool
	// Analyze is set for EXPLAIN ANALYZE (or ANALYSE): the statement runs
	// and its plan shows real row counts.
	Analyze bool
	// Name is the lowercased setting (SET/SHOW/RESET, "all" for ALL), the
	// prepared statement (DEALLOCATE), the cursor (DECLARE/FETCH/CLOSE),
	// the savepoint (SAVEPOINT/RELEASE/ROLLBACK TO) or the channel
	// (UNLISTEN, "*" for all).
	Name string
	// Values are a SET's values, unquoted (DEFAULT → nil with Default set).
	Values  []string
	Default bool
	// Local is SET LOCAL.
	Local bool
	// SetConfig marks SELECT set_config(name, value, is_local), a SET that
	// answers with the new value as a row.
	SetConfig bool
	// Copy describes a COPY … TO STDOUT.
	Copy *CopyOptions
	// Fetch describes a FETCH or MOVE.
	Fetch *FetchOptions
	// Hold is DECLARE … WITH HOLD; Scroll is DECLARE … SCROLL CURSOR (a
	// cursor that can move backward).
	Hold   bool
	Scroll bool
	// Start is set when BEGIN was written START TRANSACTION, which
	// PostgreSQL tags "START TRANSACTION".
	Start bool
	// Isolation is the isolation level BEGIN, SET TRANSACTION or SET
	// SESSION CHARACTERISTICS names ("repeatable read"), "" for none.
	Isolation string
}

// CopyOptions are the options of COPY (query) TO STDOUT.
type CopyOptions struct {
	Format    string // text | csv | binary
	Header    bool
	Delimiter string
	Null      string
	HasNull   bool
}

// FetchOptions describe FETCH/MOVE [direction] [count] [FROM|IN] cursor.
// Every direction is one of four: NEXT is FORWARD 1, PRIOR BACKWARD 1,
// FIRST ABSOLUTE 1, LAST ABSOLUTE -1, a negative count turns FORWARD into
// BACKWARD and back.
type FetchOptions struct {
	Move  bool
	Dir   FetchDir
	Count int64 // rows for FORWARD and BACKWARD (-1 means ALL); the row for ABSOLUTE, the offset for RELATIVE
}

// FetchDir is a FETCH direction.
type FetchDir int

// FETCH directions.
const (
	FetchForward FetchDir = iota
	FetchBackward
	FetchAbsolute
	FetchRelative
)

// Classify parses the outline of one statement (from Split). Statements
// meshgate never runs are refused here with a sentence saying why.
func Classify(sql string) (*Statement, error) {
	toks, err := lex(sql)
	if err != nil {
		return nil, syntaxError(err.Error(), sql, err.(*lexError).Pos)
	}
	if len(toks) == 0 {
		return nil, sqlstate.New(sqlstate.SyntaxError, "empty statement")
	}
	st := &Statement{SQL: sql}
	p := &parser{toks: toks, sql: sql}
	first := toks[0]
	if first.Kind == tokPunct && first.Value == "(" {
		st.Kind, st.Query = KindRead, sql
		return st, nil
	}
	if first.Kind != tokWord {
		return nil, syntaxError(fmt.Sprintf("syntax error at or near %q", first.Text), sql, first.Pos)
	}
	switch first.Value {
	case "select", "with", "values", "table", "from":
		st.Kind, st.Query = KindRead, sql
		if set := setConfigCall(toks); set != nil {
			set.SQL = sql
			return set, nil
		}
	case "explain":
		p.next()
		for p.peekWord("analyze") || p.peekWord("analyse") || p.peekWord("verbose") {
			if !p.peekWord("verbose") {
				st.Analyze = true
			}
			p.next()
		}
		if p.peek().Kind == tokPunct && p.peek().Value == "(" {
			return nil, sqlstate.New(sqlstate.FeatureNotSupported, "EXPLAIN options in parentheses are not supported").
				WithHint("Use EXPLAIN or EXPLAIN ANALYZE.")
		}
		if p.done() {
			return nil, syntaxError("syntax error at end of input", sql, len(sql))
		}
		inner := sql[p.peek().Pos:]
		innerSt, err := Classify(inner)
		if err != nil {
			return nil, err
		}
		if innerSt.Kind != KindRead || innerSt.Explain {
			return nil, sqlstate.New(sqlstate.FeatureNotSupported, "EXPLAIN is supported for queries only")
		}
		st.Kind, st.Query, st.Explain = KindRead, inner, true
	case "set":
		return st, p.parseSet(st)
	case "reset":
		p.next()
		name, err := p.settingName()
		if err != nil {
			return nil, err
		}
		st.Kind, st.Name = KindReset, name
		return st, p.end()
	case "show":
		p.next()
		name, err := p.showName()
		if err != nil {
			return nil, err
		}
		st.Kind, st.Name = KindShow, name
		return st, p.end()
	case "begin", "start":
		p.next()
		if first.Value == "start" && !p.acceptWord("transaction") {
			return nil, syntaxError("syntax error: expected START TRANSACTION", sql, p.pos())
		}
		if first.Value == "begin" {
			_ = p.acceptWord("work") || p.acceptWord("transaction")
		}
		if err := p.transactionModes(st); err != nil {
			return nil, err
		}
		st.Kind, st.Start = KindBegin, first.Value == "start"
	case "commit", "end":
		p.next()
		_ = p.acceptWord("work") || p.acceptWord("transaction")
		if p.acceptWord("and") {
			return nil, sqlstate.New(sqlstate.FeatureNotSupported, "COMMIT AND CHAIN is not supported")
		}
		st.Kind = KindCommit
		return st, p.end()
	case "rollback", "abort":
		p.next()
		_ = p.acceptWord("work") || p.acceptWord("transaction")
		if first.Value == "rollback" && p.acceptWord("to") {
			p.acceptWord("savepoint")
			name, err := p.ident("a savepoint name")
			if err != nil {
				return nil, err
			}
			st.Kind, st.Name = KindRollbackTo, name
			return st, p.end()
		}
		if p.peekWord("and") {
			return nil, sqlstate.New(sqlstate.FeatureNotSupported, "ROLLBACK AND CHAIN is not supported")
		}
		st.Kind = KindRollback
		return st, p.end()
	case "savepoint":
		p.next()
		name, err := p.ident("a savepoint name")
		if err != nil {
			return nil, err
		}
		st.Kind, st.Name = KindSavepoint, name
		return st, p.end()
	case "release":
		p.next()
		p.acceptWord("savepoint")
		name, err := p.ident("a savepoint name")
		if err != nil {
			return nil, err
		}
		st.Kind, st.Name = KindRelease, name
		return st, p.end()
	case "unlisten":
		p.next()
		if p.acceptPunct("*") {
			st.Kind, st.Name = KindUnlisten, "*"
			return st, p.end()
		}
		name, err := p.ident("a channel name or *")
		if err != nil {
			return nil, err
		}
		st.Kind, st.Name = KindUnlisten, name
		return st, p.end()
	case "listen", "notify":
		return nil, sqlstate.New(sqlstate.FeatureNotSupported,
			"%s is not supported: meshgate has no notification channels", strings.ToUpper(first.Value)).
			WithHint("Nothing can NOTIFY through meshgate; UNLISTEN is accepted and does nothing.")
	case "discard":
		p.next()
		t := p.next()
		if t.Kind != tokWord || !oneOf(t.Value, "all", "plans", "sequences", "temp", "temporary") {
			return nil, syntaxError("syntax error: expected DISCARD ALL, PLANS, SEQUENCES or TEMP", sql, t.Pos)
		}
		st.Kind, st.Name = KindDiscard, t.Value
		return st, p.end()
	case "deallocate":
		p.next()
		p.acceptWord("prepare")
		t := p.next()
		if t.Kind != tokWord && t.Kind != tokQIdent {
			return nil, syntaxError("syntax error: expected a prepared statement name or ALL", sql, t.Pos)
		}
		st.Kind, st.Name = KindDeallocate, t.Value
		return st, p.end()
	case "copy":
		return st, p.parseCopy(st)
	case "declare":
		return st, p.parseDeclare(st)
	case "fetch", "move":
		return st, p.parseFetch(st)
	case "close":
		p.next()
		t := p.next()
		if t.Kind != tokWord && t.Kind != tokQIdent {
			return nil, syntaxError("syntax error: expected a cursor name or ALL", sql, t.Pos)
		}
		st.Kind, st.Name = KindClose, t.Value
		return st, p.end()
	case "insert", "update", "delete", "merge", "upsert", "truncate", "create", "drop", "alter", "comment",
		"grant", "revoke", "vacuum", "analyze", "checkpoint", "force", "reindex", "cluster", "refresh", "lock",
		"security", "reassign", "import", "export":
		return nil, sqlstate.New(sqlstate.FeatureNotSupported,
			"%s is not supported: meshgate serves data products read-only", strings.ToUpper(first.Value)).
			WithHint("Data products change through their owning domain's pipelines, not through the gateway.")
	case "attach", "detach", "install", "load", "pragma", "use", "call", "summarize", "describe", "pivot", "unpivot",
		"prepare", "execute", "do":
		return nil, sqlstate.New(sqlstate.InsufficientPrivilege,
			"%s is not allowed through meshgate: sessions may only read the data products they are granted", strings.ToUpper(first.Value)).
			WithHint("%s", hintFor(first.Value))
	default:
		return nil, syntaxError(fmt.Sprintf("syntax error at or near %q", first.Text), sql, first.Pos)
	}
	return st, nil
}

func hintFor(word string) string {
	switch word {
	case "describe", "summarize":
		return `Use \d in psql, or query information_schema.columns.`
	case "prepare", "execute":
		return "Use your driver's prepared statements (the extended query protocol)."
	case "use":
		return "Use SET search_path TO domain[, …]."
	}
	return "Query products by address, e.g. SELECT * FROM sales.orders."
}

func oneOf(s string, list ...string) bool {
	for _, l := range list {
		if s == l {
			return true
		}
	}
	return false
}

// syntaxError builds a 42601 error with the position in the detail.
func syntaxError(msg, sql string, pos int) *sqlstate.Error {
	_ = sql
	e := sqlstate.New(sqlstate.SyntaxError, "%s", msg)
	if pos >= 0 {
		e.Detail = fmt.Sprintf("at character %d", pos+1)
	}
	return e
}

// parser walks the tokens of one statement.
type parser struct {
	toks []token
	i    int
	sql  string
}

func (p *parser) done() bool { return p.i >= len(p.toks) }

func (p *parser) peek() token {
	if p.done() {
		return token{Kind: tokSemicolon, Pos: len(p.sql)}
	}
	return p.toks[p.i]
}

func (p *parser) next() token {
	t := p.peek()
	if !p.done() {
		p.i++
	}
	return t
}

func (p *parser) pos() int { return p.peek().Pos }

func (p *parser) peekWord(w string) bool {
	t := p.peek()
	return t.Kind == tokWord && t.Value == w
}

func (p *parser) acceptWord(w string) bool {
	if p.peekWord(w) {
		p.i++
		return true
	}
	return false
}

func (p *parser) acceptPunct(s string) bool {
	t := p.peek()
	if t.Kind == tokPunct && t.Value == s {
		p.i++
		return true
	}
	return false
}

func (p *parser) end() error {
	if !p.done() {
		t := p.peek()
		return syntaxError(fmt.Sprintf("syntax error at or near %q", t.Text), p.sql, t.Pos)
	}
	return nil
}

// ident reads one identifier: lowercased unless quoted.
func (p *parser) ident(what string) (string, error) {
	t := p.next()
	if t.Kind != tokWord && t.Kind != tokQIdent {
		return "", syntaxError(fmt.Sprintf("syntax error: expected %s", what), p.sql, t.Pos)
	}
	return t.Value, nil
}

// settingName reads a (possibly dotted) setting name or ALL.
func (p *parser) settingName() (string, error) {
	t := p.next()
	if t.Kind != tokWord && t.Kind != tokQIdent {
		return "", syntaxError("syntax error: expected a setting name", p.sql, t.Pos)
	}
	name := strings.ToLower(t.Value)
	for p.acceptPunct(".") {
		t = p.next()
		if t.Kind != tokWord && t.Kind != tokQIdent {
			return "", syntaxError("syntax error: expected a setting name", p.sql, t.Pos)
		}
		name += "." + strings.ToLower(t.Value)
	}
	return name, nil
}

// showName reads what SHOW names, folding the multi-word forms.
func (p *parser) showName() (string, error) {
	switch {
	case p.acceptWord("transaction"):
		if p.acceptWord("isolation") && p.acceptWord("level") {
			return "transaction_isolation", nil
		}
		return "", syntaxError("syntax error: expected SHOW TRANSACTION ISOLATION LEVEL", p.sql, p.pos())
	case p.peekWord("time"):
		p.next()
		if p.acceptWord("zone") {
			return "timezone", nil
		}
		return "", syntaxError("syntax error: expected SHOW TIME ZONE", p.sql, p.pos())
	case p.peekWord("session"):
		p.next()
		if p.acceptWord("authorization") {
			return "session_authorization", nil
		}
		return "", syntaxError("syntax error: expected SHOW SESSION AUTHORIZATION", p.sql, p.pos())
	}
	return p.settingName()
}

// parseSet parses SET [SESSION|LOCAL] name {TO|=} value[, …] and the
// special forms clients send.
func (p *parser) parseSet(st *Statement) error {
	p.next()
	st.Kind = KindSet
	if p.acceptWord("local") {
		st.Local = true
	} else {
		p.acceptWord("session")
	}
	switch {
	case p.peekWord("characteristics"):
		p.next()
		if !(p.acceptWord("as") && p.acceptWord("transaction")) {
			return syntaxError("syntax error: expected SET SESSION CHARACTERISTICS AS TRANSACTION", p.sql, p.pos())
		}
		st.Name = "session_characteristics"
		return p.transactionModes(st)
	case p.peekWord("transaction"):
		p.next()
		st.Name = "transaction"
		return p.transactionModes(st)
	case p.peekWord("time"):
		p.next()
		if !p.acceptWord("zone") {
			return syntaxError("syntax error: expected SET TIME ZONE", p.sql, p.pos())
		}
		st.Name = "timezone"
	case p.peekWord("names"):
		p.next()
		st.Name = "client_encoding"
	case p.peekWord("role"), p.peekWord("authorization"):
		return sqlstate.New(sqlstate.InsufficientPrivilege, "changing the session's role is not allowed through meshgate").
			WithHint("Connect as the user whose grants you need.")
	default:
		name, err := p.settingName()
		if err != nil {
			return err
		}
		st.Name = name
		if !p.acceptWord("to") && !p.acceptPunct("=") {
			return syntaxError(fmt.Sprintf("syntax error: expected TO or = after SET %s", name), p.sql, p.pos())
		}
	}
	if p.acceptWord("default") {
		st.Default = true
		return p.end()
	}
	if st.Name == "timezone" && p.acceptWord("local") {
		st.Default = true
		return p.end()
	}
	for {
		v, err := p.setValue()
		if err != nil {
			return err
		}
		st.Values = append(st.Values, v)
		if !p.acceptPunct(",") {
			break
		}
	}
	return p.end()
}

// setValue reads one value: a word, quoted identifier, string or signed number.
func (p *parser) setValue() (string, error) {
	t := p.next()
	switch t.Kind {
	case tokWord, tokQIdent, tokString, tokNumber:
		return t.Value, nil
	case tokPunct:
		if t.Value == "-" || t.Value == "+" {
			n := p.next()
			if n.Kind == tokNumber {
				if t.Value == "-" {
					return "-" + n.Value, nil
				}
				return n.Value, nil
			}
		}
	}
	return "", syntaxError(fmt.Sprintf("syntax error at or near %q", t.Text), p.sql, t.Pos)
}

// transactionModes accepts ISOLATION LEVEL …, READ ONLY|WRITE, [NOT]
// DEFERRABLE, comma separated. READ WRITE is refused.
func (p *parser) transactionModes(st *Statement) error {
	for !p.done() {
		switch {
		case p.acceptWord("isolation"):
			if !p.acceptWord("level") {
				return syntaxError("syntax error: expected ISOLATION LEVEL", p.sql, p.pos())
			}
			switch {
			case p.acceptWord("serializable"):
				st.Isolation = "serializable"
			case p.acceptWord("repeatable"):
				if !p.acceptWord("read") {
					return syntaxError("syntax error: expected REPEATABLE READ", p.sql, p.pos())
				}
				st.Isolation = "repeatable read"
			case p.acceptWord("read"):
				switch {
				case p.acceptWord("committed"):
					st.Isolation = "read committed"
				case p.acceptWord("uncommitted"):
					st.Isolation = "read uncommitted"
				default:
					return syntaxError("syntax error: expected READ COMMITTED or READ UNCOMMITTED", p.sql, p.pos())
				}
			default:
				return syntaxError("syntax error: unknown isolation level", p.sql, p.pos())
			}
		case p.acceptWord("read"):
			if p.acceptWord("write") {
				// Accepted: clients send it by default; writes are refused
				// statement by statement anyway.
				continue
			}
			if !p.acceptWord("only") {
				return syntaxError("syntax error: expected READ ONLY or READ WRITE", p.sql, p.pos())
			}
		case p.acceptWord("not"):
			if !p.acceptWord("deferrable") {
				return syntaxError("syntax error: expected NOT DEFERRABLE", p.sql, p.pos())
			}
		case p.acceptWord("deferrable"):
		case p.acceptPunct(","):
		default:
			t := p.peek()
			return syntaxError(fmt.Sprintf("syntax error at or near %q", t.Text), p.sql, t.Pos)
		}
	}
	return nil
}

// parseCopy accepts COPY (query) TO STDOUT [WITH] [(options)|CSV [HEADER]…].
func (p *parser) parseCopy(st *Statement) error {
	p.next()
	if !p.acceptPunct("(") {
		// COPY domain.product [(columns)] TO STDOUT reads like the query.
		var name []string
		for {
			t := p.next()
			if t.Kind != tokWord && t.Kind != tokQIdent {
				return syntaxError("syntax error: expected a product or (query) after COPY", p.sql, t.Pos)
			}
			name = append(name, sqlquote.Ident(t.Value))
			if !p.acceptPunct(".") {
				break
			}
		}
		cols := "*"
		if p.acceptPunct("(") {
			var list []string
			for !p.acceptPunct(")") {
				t := p.next()
				if t.Kind != tokWord && t.Kind != tokQIdent {
					return syntaxError("syntax error: expected a column name", p.sql, t.Pos)
				}
				list = append(list, sqlquote.Ident(t.Value))
				p.acceptPunct(",")
			}
			cols = strings.Join(list, ", ")
		}
		if p.peekWord("from") {
			return sqlstate.New(sqlstate.FeatureNotSupported, "COPY FROM is not supported: meshgate serves data products read-only")
		}
		return p.copyTarget(st, "SELECT "+cols+" FROM "+strings.Join(name, "."))
	}
	start := p.pos()
	depth := 1
	end := -1
	for !p.done() {
		t := p.next()
		if t.Kind == tokPunct && t.Value == "(" {
			depth++
		} else if t.Kind == tokPunct && t.Value == ")" {
			depth--
			if depth == 0 {
				end = t.Pos
				break
			}
		}
	}
	if end < 0 {
		return syntaxError("syntax error: unbalanced parentheses in COPY", p.sql, len(p.sql))
	}
	query := strings.TrimSpace(p.sql[start:end])
	inner, err := Classify(query)
	if err != nil {
		return err
	}
	if inner.Kind != KindRead || inner.Explain {
		return sqlstate.New(sqlstate.FeatureNotSupported, "COPY supports a query only")
	}
	return p.copyTarget(st, query)
}

// copyTarget parses TO STDOUT [WITH] options after COPY's source.
func (p *parser) copyTarget(st *Statement, query string) error {
	st.Query = query
	if !p.acceptWord("to") {
		if p.peekWord("from") {
			return sqlstate.New(sqlstate.FeatureNotSupported, "COPY FROM is not supported: meshgate serves data products read-only")
		}
		return syntaxError("syntax error: expected TO STDOUT", p.sql, p.pos())
	}
	if !p.acceptWord("stdout") {
		return sqlstate.New(sqlstate.InsufficientPrivilege, "COPY to a file or program is not allowed through meshgate; use COPY … TO STDOUT").
			WithHint(`psql's \copy writes the file on the client side.`)
	}
	st.Kind = KindCopyOut
	st.Copy = &CopyOptions{Format: "text"}
	p.acceptWord("with")
	if p.acceptPunct("(") {
		for !p.acceptPunct(")") {
			if p.done() {
				return syntaxError("syntax error: unterminated COPY options", p.sql, len(p.sql))
			}
			if err := p.copyOption(st.Copy, true); err != nil {
				return err
			}
			p.acceptPunct(",")
		}
	} else {
		for !p.done() {
			if err := p.copyOption(st.Copy, false); err != nil {
				return err
			}
		}
	}
	if st.Copy.Format == "binary" {
		// As PostgreSQL's copy.c: the text options mean nothing in binary.
		switch {
		case st.Copy.Delimiter != "":
			return sqlstate.New(sqlstate.SyntaxError, "cannot specify DELIMITER in BINARY mode")
		case st.Copy.HasNull:
			return sqlstate.New(sqlstate.SyntaxError, "cannot specify NULL in BINARY mode")
		case st.Copy.Header:
			return sqlstate.New(sqlstate.FeatureNotSupported, "cannot specify HEADER in BINARY mode")
		}
	}
	return p.end()
}

func (p *parser) copyOption(o *CopyOptions, modern bool) error {
	t := p.next()
	if t.Kind != tokWord {
		return syntaxError(fmt.Sprintf("syntax error at or near %q", t.Text), p.sql, t.Pos)
	}
	value := func() (string, bool) {
		v := p.peek()
		if v.Kind == tokString || v.Kind == tokWord || v.Kind == tokNumber {
			if modern && v.Kind == tokWord && oneOf(v.Value, "true", "false", "on", "off") {
				p.next()
				return v.Value, true
			}
			if v.Kind != tokWord || modern {
				p.next()
				return v.Value, true
			}
		}
		return "", false
	}
	switch t.Value {
	case "format":
		v, ok := value()
		if !ok {
			return syntaxError("syntax error: FORMAT needs a value", p.sql, p.pos())
		}
		o.Format = strings.ToLower(v)
	case "csv", "binary", "text":
		o.Format = t.Value
	case "header":
		o.Header = true
		if modern {
			if v, ok := value(); ok {
				o.Header = oneOf(strings.ToLower(v), "true", "on", "1")
			}
		}
	case "delimiter":
		p.acceptWord("as")
		v, ok := value()
		if !ok || len(v) != 1 {
			return sqlstate.New(sqlstate.InvalidParameterValue, "COPY delimiter must be a single one-byte character")
		}
		o.Delimiter = v
	case "null":
		p.acceptWord("as")
		v, ok := value()
		if !ok {
			return syntaxError("syntax error: NULL needs a string", p.sql, p.pos())
		}
		o.Null, o.HasNull = v, true
	default:
		return sqlstate.New(sqlstate.FeatureNotSupported, "COPY option %s is not supported", strings.ToUpper(t.Value))
	}
	if o.Format != "text" && o.Format != "csv" && o.Format != "binary" {
		return sqlstate.New(sqlstate.InvalidParameterValue, "COPY format %q not recognized", o.Format)
	}
	return nil
}

// parseDeclare accepts DECLARE name [BINARY] [INSENSITIVE] [[NO] SCROLL]
// CURSOR [{WITH|WITHOUT} HOLD] FOR query.
func (p *parser) parseDeclare(st *Statement) error {
	p.next()
	t := p.next()
	if t.Kind != tokWord && t.Kind != tokQIdent {
		return syntaxError("syntax error: expected a cursor name", p.sql, t.Pos)
	}
	st.Kind, st.Name = KindDeclare, t.Value
	for !p.peekWord("cursor") {
		switch {
		case p.acceptWord("binary"):
			return sqlstate.New(sqlstate.FeatureNotSupported, "binary cursors are not supported")
		case p.acceptWord("scroll"):
			st.Scroll = true
		case p.acceptWord("insensitive"), p.acceptWord("asensitive"):
		case p.acceptWord("no"):
			if !p.acceptWord("scroll") {
				return syntaxError("syntax error: expected NO SCROLL", p.sql, p.pos())
			}
		default:
			return syntaxError("syntax error: expected CURSOR", p.sql, p.pos())
		}
	}
	p.next()
	if p.acceptWord("with") {
		if !p.acceptWord("hold") {
			return syntaxError("syntax error: expected WITH HOLD", p.sql, p.pos())
		}
		st.Hold = true
	} else if p.acceptWord("without") {
		if !p.acceptWord("hold") {
			return syntaxError("syntax error: expected WITHOUT HOLD", p.sql, p.pos())
		}
	}
	if !p.acceptWord("for") || p.done() {
		return syntaxError("syntax error: expected FOR query", p.sql, p.pos())
	}
	st.Query = strings.TrimSpace(p.sql[p.pos():])
	inner, err := Classify(st.Query)
	if err != nil {
		return err
	}
	if inner.Kind != KindRead || inner.Explain {
		return sqlstate.New(sqlstate.FeatureNotSupported, "a cursor can be declared for a query only")
	}
	return nil
}

// parseFetch accepts FETCH|MOVE [direction] [FROM|IN] name, direction
// being NEXT, PRIOR, FIRST, LAST, ABSOLUTE n, RELATIVE n, n, ALL,
// FORWARD [n|ALL] or BACKWARD [n|ALL] (n a signed integer).
func (p *parser) parseFetch(st *Statement) error {
	verb := p.next()
	st.Kind = KindFetch
	f := &FetchOptions{Move: verb.Value == "move", Count: 1}
	st.Fetch = f
	// count reads an optional signed integer (or ALL when all is set).
	count := func(all bool) (n int64, ok bool, err error) {
		t := p.peek()
		if all && t.Kind == tokWord && t.Value == "all" {
			p.next()
			return -1, true, nil
		}
		neg := false
		if t.Kind == tokPunct && (t.Value == "-" || t.Value == "+") {
			if p.i+1 >= len(p.toks) || p.toks[p.i+1].Kind != tokNumber {
				return 0, false, nil
			}
			neg = t.Value == "-"
			p.next()
			t = p.peek()
		}
		if t.Kind != tokNumber {
			return 0, false, nil
		}
		p.next()
		if _, err := fmt.Sscan(t.Value, &n); err != nil || n < 0 || strings.ContainsAny(t.Value, ".eE") {
			return 0, false, syntaxError(fmt.Sprintf("invalid row count %q", t.Value), p.sql, t.Pos)
		}
		if neg {
			n = -n
		}
		return n, true, nil
	}
	// rows sets a FORWARD/BACKWARD count; a negative one (not ALL)
	// reverses the direction, as in PostgreSQL.
	rows := func(dir FetchDir, n int64, all bool) {
		f.Dir, f.Count = dir, n
		if n < 0 && !all {
			f.Count = -n
			f.Dir = FetchBackward + FetchForward - dir
		}
	}
	position := func(dir FetchDir) error {
		n, ok, err := count(false)
		if err != nil {
			return err
		}
		if !ok {
			return syntaxError(fmt.Sprintf("syntax error: %s needs a row number", strings.ToUpper(p.toks[p.i-1].Value)), p.sql, p.pos())
		}
		f.Dir, f.Count = dir, n
		return nil
	}
	switch {
	case p.acceptWord("next"):
	case p.acceptWord("prior"):
		f.Dir = FetchBackward
	case p.acceptWord("first"):
		f.Dir = FetchAbsolute
	case p.acceptWord("last"):
		f.Dir, f.Count = FetchAbsolute, -1
	case p.acceptWord("absolute"):
		if err := position(FetchAbsolute); err != nil {
			return err
		}
	case p.acceptWord("relative"):
		if err := position(FetchRelative); err != nil {
			return err
		}
	case p.peekWord("forward"), p.peekWord("backward"):
		dir := FetchForward
		if p.next().Value == "backward" {
			dir = FetchBackward
		}
		n, ok, err := count(true)
		if err != nil {
			return err
		}
		if !ok {
			n = 1
		}
		rows(dir, n, isWord(p.toks[p.i-1], "all"))
	default:
		n, ok, err := count(true)
		if err != nil {
			return err
		}
		if ok {
			rows(FetchForward, n, isWord(p.toks[p.i-1], "all"))
		}
	}
	_ = p.acceptWord("from") || p.acceptWord("in")
	t := p.next()
	if t.Kind != tokWord && t.Kind != tokQIdent {
		return syntaxError("syntax error: expected a cursor name", p.sql, t.Pos)
	}
	st.Name = t.Value
	return p.end()
}

// setConfigCall recognises SELECT [pg_catalog.]set_config('name', 'value',
// true|false) — how pg_dump, psql scripts and some drivers change a
// setting — and turns it into a SET.
func setConfigCall(toks []token) *Statement {
	i := 1
	if i+1 < len(toks) && isWord(toks[i], "pg_catalog") && isPunct(toks[i+1], ".") {
		i += 2
	}
	// set_config ( 'name' , 'value' , bool ) [;]
	if len(toks) != i+8 || !isWord(toks[i], "set_config") || !isPunct(toks[i+1], "(") ||
		toks[i+2].Kind != tokString || !isPunct(toks[i+3], ",") || toks[i+4].Kind != tokString ||
		!isPunct(toks[i+5], ",") || toks[i+6].Kind != tokWord || !isPunct(toks[i+7], ")") {
		return nil
	}
	local := toks[i+6].Value
	if local != "true" && local != "false" {
		return nil
	}
	return &Statement{Kind: KindSet, Name: strings.ToLower(toks[i+2].Value), Values: []string{toks[i+4].Value}, Local: local == "true", SetConfig: true}
}

var kindNames = [...]string{
	KindRead: "read", KindSet: "set", KindReset: "reset", KindShow: "show", KindBegin: "begin",
	KindCommit: "commit", KindRollback: "rollback", KindDiscard: "discard", KindDeallocate: "deallocate",
	KindCopyOut: "copy", KindDeclare: "declare", KindFetch: "fetch", KindClose: "close",
	KindSavepoint: "savepoint", KindRelease: "release", KindRollbackTo: "rollback_to", KindUnlisten: "unlisten",
}

// String names the kind ("read", "set", "rollback_to"…).
func (k Kind) String() string {
	if k >= 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", int(k))
}

// Family is the kind's group as audit records and metrics name it: read,
// copy, cursor, transaction or session (settings and the rest).
func (k Kind) Family() string {
	switch k {
	case KindRead:
		return "read"
	case KindCopyOut:
		return "copy"
	case KindDeclare, KindFetch, KindClose:
		return "cursor"
	case KindBegin, KindCommit, KindRollback, KindSavepoint, KindRelease, KindRollbackTo:
		return "transaction"
	}
	return "session"
}
