package sqlstate

import (
	"errors"
	"fmt"
)

// Codes used by meshgate, named as in PostgreSQL's errcodes.txt.
const (
	SuccessfulCompletion          = "00000"
	Warning                       = "01000"
	NoActiveTransaction           = "25P01"
	ActiveTransaction             = "25001"
	InFailedTransaction           = "25P02"
	ReadOnlyTransaction           = "25006"
	ConnectionException           = "08000"
	ConnectionFailure             = "08006"
	UnableToConnect               = "08001"
	ProtocolViolation             = "08P01"
	FeatureNotSupported           = "0A000"
	InvalidAuthorization          = "28000"
	InvalidPassword               = "28P01"
	DataException                 = "22000"
	DivisionByZero                = "22012"
	NumericValueOutOfRange        = "22003"
	ArraySubscriptError           = "2202E"
	InvalidTextRepresentation     = "22P02"
	InvalidBinaryRepresentation   = "22P03"
	InvalidDatetimeFormat         = "22007"
	DatetimeFieldOverflow         = "22008"
	StringDataRightTruncation     = "22001"
	CharacterNotInRepertoire      = "22021"
	InvalidParameterValue         = "22023"
	InvalidCursorName             = "34000"
	InvalidSQLStatementName       = "26000"
	DuplicateCursor               = "42P03"
	DuplicatePreparedStatement    = "42P05"
	SyntaxError                   = "42601"
	InsufficientPrivilege         = "42501"
	UndefinedTable                = "42P01"
	UndefinedColumn               = "42703"
	UndefinedFunction             = "42883"
	UndefinedObject               = "42704"
	UndefinedParameter            = "42P02"
	AmbiguousColumn               = "42702"
	DatatypeMismatch              = "42804"
	IndeterminateDatatype         = "42P18"
	GroupingError                 = "42803"
	InvalidColumnReference        = "42P10"
	CannotCoerce                  = "42846"
	QueryCanceled                 = "57014"
	AdminShutdown                 = "57P01"
	TooManyConnections            = "53300"
	OutOfMemory                   = "53200"
	ProgramLimitExceeded          = "54000"
	ConfigFileError               = "F0000"
	InternalError                 = "XX000"
	IdleSessionTimeout            = "57P05"
	ObjectNotInPrerequisiteState  = "55000"
	CantChangeRuntimeParam        = "55P02"
	InvalidCatalogName            = "3D000"
	InvalidSavepointSpecification = "3B001"
	IdleInTransactionTimeout      = "25P03"
	IOError                       = "58030"
)

// Error is an error with a SQLSTATE, the form in which clients see it.
type Error struct {
	Code     string
	Message  string
	Detail   string
	Hint     string
	Severity string // ERROR when empty; FATAL for errors that end the session
	cause    error
}

// Error implements error.
func (e *Error) Error() string {
	if e.Detail != "" {
		return fmt.Sprintf("%s (SQLSTATE %s): %s", e.Message, e.Code, e.Detail)
	}
	return fmt.Sprintf("%s (SQLSTATE %s)", e.Message, e.Code)
}

// Unwrap returns the underlying cause, if any.
func (e *Error) Unwrap() error { return e.cause }

// New returns an error with the given code and formatted message.
func New(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Wrap returns an error with the given code whose cause is err (for %w
// chains and logs); the client sees only msg.
func Wrap(err error, code, msg string) *Error {
	return &Error{Code: code, Message: msg, cause: err}
}

// WithDetail sets the detail and returns e.
func (e *Error) WithDetail(format string, args ...any) *Error {
	e.Detail = fmt.Sprintf(format, args...)
	return e
}

// WithHint sets the hint and returns e.
func (e *Error) WithHint(format string, args ...any) *Error {
	e.Hint = fmt.Sprintf(format, args...)
	return e
}

// Fatal marks e as ending the session.
func (e *Error) Fatal() *Error {
	e.Severity = "FATAL"
	return e
}

// As returns the *Error in err's chain, or nil.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}

// CodeOf returns the SQLSTATE of err, XX000 when it has none.
func CodeOf(err error) string {
	if e := As(err); e != nil {
		return e.Code
	}
	return InternalError
}
