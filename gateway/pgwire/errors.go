package pgwire

import (
	"context"
	"errors"
	"log/slog"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/meshgate/meshgate/sqlstate"
)

// errCanceled is what a client sees for any error of a statement it
// canceled, whatever the underlying error said.
func errCanceled() *sqlstate.Error {
	return sqlstate.New(sqlstate.QueryCanceled, "canceling statement due to user request")
}

// protocolError is a malformed message or protocol-state error; at the
// connection level it is fatal.
func protocolError(format string, args ...any) *sqlstate.Error {
	return sqlstate.New(sqlstate.ProtocolViolation, format, args...)
}

// errorResponse maps err to the ErrorResponse the client sees. Errors that
// are not *sqlstate.Error become XX000 "internal error"; their text is
// logged, never sent. fatal forces severity FATAL.
func errorResponse(log *slog.Logger, err error, fatal bool) *pgproto3.ErrorResponse {
	e := sqlstate.As(err)
	if e == nil {
		if !errors.Is(err, context.Canceled) {
			log.Error("pgwire: internal error", "err", err)
		}
		e = &sqlstate.Error{Code: sqlstate.InternalError, Message: "internal error"}
	}
	sev := e.Severity
	if sev == "" {
		sev = "ERROR"
	}
	if fatal {
		sev = "FATAL"
	}
	return &pgproto3.ErrorResponse{
		Severity:            sev,
		SeverityUnlocalized: sev,
		Code:                e.Code,
		Message:             e.Message,
		Detail:              e.Detail,
		Hint:                e.Hint,
	}
}

// noticeResponse maps a Notice to a NoticeResponse.
func noticeResponse(n Notice) *pgproto3.NoticeResponse {
	sev := n.Severity
	if sev == "" {
		sev = "NOTICE"
	}
	code := n.Code
	if code == "" {
		code = sqlstate.SuccessfulCompletion
	}
	return &pgproto3.NoticeResponse{Severity: sev, SeverityUnlocalized: sev, Code: code, Message: n.Message}
}
