package engine

import (
	"regexp"
	"strings"

	"github.com/duckdb/duckdb-go/v2/mapping"

	"github.com/meshgate/meshgate/sqlstate"
)

// internalNames matches names that must not reach a client: session
// catalogs (sess_12.) and internal port views (ports.sales__orders).
var (
	sessionPrefix = regexp.MustCompile(`"?sess_[0-9]+"?\.`)
	quotedValue   = regexp.MustCompile(`'[^']*'|"[^"\n]*"|Input: .*$|with value [^ ]+`)
	ownCode       = regexp.MustCompile(`\[([0-9A-Z]{5})\] `)
	portName      = regexp.MustCompile(`"?memory"?\.?"?ports"?\."?([a-z_][a-z0-9_]*)__([a-z_][a-z0-9_]*)"?`)
)

var (
	// DuckDB's suggestions ("Did you mean …?") search every catalog of the
	// engine, not the session's products.
	didYouMean = regexp.MustCompile(`(?m)(: )?Did you mean[^\n]*`)
	// What a suggestion or message must never name.
	internalMarker = regexp.MustCompile(`memory\.|"memory"|mg\$|mg_|sess_[0-9]|ports\.|"ports"|port_|system\.|temp\.|duckdb_|pragma_|information_schema\.|pg_catalog\.|main\.`)
	sessionName    = regexp.MustCompile(`"?sess_[0-9]+"?`)
	innerView      = regexp.MustCompile(`"?mg\$(p[0-9]+|real|shadow)"?\.?`)
	absolutePath   = regexp.MustCompile(`(?:/[A-Za-z0-9._@+\-]+){2,}/?`)
	attachedPort   = regexp.MustCompile(`"?port_([a-z_][a-z0-9_]*)__([a-z_][a-z0-9_]*)"?`)
	internalSchema = regexp.MustCompile(`"?(mg_secret|mg_audit)"?\.?`)
	maskKeyTable   = regexp.MustCompile(`"?mask_key"?`)
	internalIdent  = regexp.MustCompile(`"?\bmg_[a-z0-9_]+"?`)
)

// Sanitize removes the engine's internal names from text bound for a
// client (EXPLAIN output).
func Sanitize(text string) string { return sanitize(text) }

// sanitize removes internal catalog, schema, table, setting and file names
// from a DuckDB message.
func sanitize(msg string) string {
	msg = didYouMean.ReplaceAllStringFunc(msg, func(s string) string {
		if internalMarker.MatchString(s) {
			return ""
		}
		return s
	})
	msg = sessionPrefix.ReplaceAllString(msg, "")
	msg = sessionName.ReplaceAllString(msg, "")
	msg = innerView.ReplaceAllString(msg, "")
	msg = attachedPort.ReplaceAllString(msg, "$1.$2")
	msg = internalSchema.ReplaceAllString(msg, "")
	msg = maskKeyTable.ReplaceAllString(msg, "(masking key)")
	msg = internalIdent.ReplaceAllString(msg, "(internal)")
	msg = absolutePath.ReplaceAllString(msg, "(file)")
	msg = portName.ReplaceAllString(msg, "$1.$2")
	msg = strings.NewReplacer(`"mg$pgs".`, "pg_catalog.", `mg$pgs.`, "pg_catalog.", `"mg$iss".`, "information_schema.", `mg$iss.`, "information_schema.",
		`"mg$pg".`, "pg_catalog.", `mg$pg.`, "pg_catalog.", `"mg$is".`, "information_schema.", `mg$is.`, "information_schema.",
		`mg$pgs`, "pg_catalog", `mg$iss`, "information_schema", `mg$pg`, "pg_catalog", `mg$is`, "information_schema", `"memory".`, "", "memory.", "").Replace(msg)
	return msg
}

// duckError turns a DuckDB error message and type into a client error.
func duckError(msg string, typ mapping.ErrorType) *sqlstate.Error {
	code := sqlstate.InternalError
	switch typ {
	case mapping.ErrorTypeParser, mapping.ErrorTypeSyntax:
		code = sqlstate.SyntaxError
	case mapping.ErrorTypeCatalog:
		code = sqlstate.UndefinedTable
		if strings.Contains(msg, "Function") || strings.Contains(msg, "function") {
			code = sqlstate.UndefinedFunction
		}
	case mapping.ErrorTypeBinder:
		code = sqlstate.SyntaxError
		switch {
		case strings.Contains(msg, "Referenced column") || strings.Contains(msg, "not found in FROM clause") || strings.Contains(msg, "does not have a column"):
			code = sqlstate.UndefinedColumn
		case strings.Contains(msg, "ambiguous"):
			code = sqlstate.AmbiguousColumn
		case strings.Contains(msg, "No function matches") || strings.Contains(msg, "Could not choose a best candidate"):
			code = sqlstate.UndefinedFunction
		case strings.Contains(msg, "GROUP BY"):
			code = sqlstate.GroupingError
		case strings.Contains(msg, "Cannot mix") || strings.Contains(msg, "type"):
			code = sqlstate.DatatypeMismatch
		}
	case mapping.ErrorTypeConversion:
		code = sqlstate.InvalidTextRepresentation
		switch {
		case strings.Contains(msg, "field value out of range"):
			code = sqlstate.DatetimeFieldOverflow
		case strings.Contains(msg, "out of range"):
			code = sqlstate.NumericValueOutOfRange
		}
	case mapping.ErrorTypeOutOfRange:
		code = sqlstate.NumericValueOutOfRange
	case mapping.ErrorTypeDivideByZero:
		code = sqlstate.DivisionByZero
	case mapping.ErrorTypeInvalidInput:
		code = sqlstate.InvalidParameterValue
	case mapping.ErrorTypeInterrupt:
		code = sqlstate.QueryCanceled
	case mapping.ErrorTypePermission:
		code = sqlstate.InsufficientPrivilege
	case mapping.ErrorTypeNotImplemented:
		code = sqlstate.FeatureNotSupported
	case mapping.ErrorTypeOutOfMemory:
		code = sqlstate.OutOfMemory
	case mapping.ErrorTypeErrorIO, mapping.ErrorTypeHTTP:
		code = sqlstate.ConnectionFailure
	case mapping.ErrorTypeMismatchType, mapping.ErrorTypeInvalidType, mapping.ErrorTypeParameterNotResolved:
		code = sqlstate.DatatypeMismatch
	}
	msg = sanitize(msg)
	// Errors raised by the gateway's own SQL functions (error('[42704] …'))
	// carry their SQLSTATE in brackets.
	if m := ownCode.FindStringSubmatchIndex(msg); m != nil {
		code = msg[m[2]:m[3]]
		msg = msg[:m[0]] + msg[m[1]:]
	}
	// DuckDB prefixes messages with their class ("Binder Error: ") and may
	// append a caret diagram after a blank line; keep the sentence as the
	// message and the rest as detail.
	if i := strings.Index(msg, " Error: "); i >= 0 && i < 30 {
		msg = msg[i+len(" Error: "):]
	}
	e := &sqlstate.Error{Code: code}
	if head, rest, ok := strings.Cut(msg, "\n"); ok {
		e.Message = strings.TrimSpace(head)
		e.Detail = strings.TrimSpace(rest)
	} else {
		e.Message = strings.TrimSpace(msg)
	}
	if strings.HasPrefix(code, "22") {
		// Data errors quote the offending value, which may come from a
		// masked column or from a row a policy filters out (DuckDB may
		// evaluate a user's expression before the policy's filter): the
		// message never shows it. (The detail quotes only the user's SQL.)
		if hidden := quotedValue.ReplaceAllString(e.Message, "(value hidden)"); hidden != e.Message {
			e.Message = hidden
			e.Hint = "The value is not shown: it may come from a protected product."
		}
	}
	return e
}
