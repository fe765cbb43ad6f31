package pgwire

import (
	"context"
	"net"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"
)

// The interfaces in this file are what the wire layer consumes. The gateway
// package implements them; pgwire knows nothing of SQL beyond them.

// Startup is what a client announced in its StartupMessage.
type Startup struct {
	User            string
	Database        string
	ApplicationName string
	Options         string            // the raw "options" parameter (e.g. "-c search_path=sales")
	Params          map[string]string // every parameter, including the ones above
	RemoteAddr      net.Addr
	TLS             bool // the connection is encrypted with TLS
	ServerTLS       bool // the server accepts TLS connections (PostgreSQL's ssl setting)
	// Identity is what the Authenticator recorded with
	// AuthConn.SetIdentity; nil without an Authenticator.
	Identity any
	// ProcessID is the backend process ID the client will be given in
	// BackendKeyData.
	ProcessID uint32
}

// Handler admits connections: it turns a startup packet into a session.
type Handler interface {
	// Open admits the client or refuses it with a *sqlstate.Error (28000…).
	Open(ctx context.Context, s Startup) (Session, error)
}

// Param is one run-time parameter reported with ParameterStatus.
type Param struct{ Name, Value string }

// Field describes one result column, as in RowDescription.
type Field struct {
	Name         string
	TableOID     uint32
	ColumnAttr   int16
	TypeOID      uint32
	TypeSize     int16
	TypeModifier int32
}

// Session is one client's SQL session.
type Session interface {
	// ParameterStatus lists the run-time parameters to report after
	// authentication, in order.
	ParameterStatus() []Param
	// Parse turns query text into statements, one per SQL statement in the
	// text (simple protocol may hold several; an empty query yields none).
	// paramOIDs are the types the client declared in Parse (0 = infer).
	Parse(ctx context.Context, sql string, paramOIDs []uint32) ([]Statement, error)
	// TxStatus is the transaction status for ReadyForQuery: 'I', 'T' or 'E'.
	TxStatus() byte
	// Fail tells the session that an error was reported to the client, so an
	// open transaction block becomes failed ('E').
	Fail()
	// TimeZone is the session's TimeZone setting, used to print
	// timestamptz values; nil means UTC.
	TimeZone() *time.Location
	// Close ends the session and frees what it holds.
	Close()
}

// Refuser is implemented by sessions that record every refused statement:
// the protocol layer reports the statements it refuses itself (a Parse of
// several commands, a duplicate statement name).
type Refuser interface {
	Refused(sql string, err error)
}

// Statement is a parsed, checked, prepared statement.
type Statement interface {
	// SQL is the statement's text.
	SQL() string
	// ParamOIDs are the parameter types (never 0: unknown becomes text, 25).
	ParamOIDs() []uint32
	// Fields describes the result columns; nil when the statement returns
	// no rows (NoData).
	Fields() []Field
	// Bind supplies parameter values (nil = SQL NULL) in the given formats
	// (0 text, 1 binary; one code applies to all, none means text).
	Bind(ctx context.Context, values [][]byte, formats []int16) (Portal, error)
	// Close frees the statement.
	Close()
}

// Portal is a bound statement ready to execute.
type Portal interface {
	// Fields describes the result columns; nil when there are none.
	Fields() []Field
	// Execute runs the statement. It is called once per portal; the wire
	// layer pulls rows from Result.Records for as long as the client asks
	// (Execute with a row limit suspends the portal between calls). ctx is
	// canceled by a CancelRequest and must interrupt the query.
	Execute(ctx context.Context) (*Result, error)
	// Close frees the portal and anything still running under it.
	Close()
}

// Result is what executing a statement produced.
type Result struct {
	// Records streams the rows; nil for statements without rows. The wire
	// layer releases it.
	Records array.RecordReader
	// Command is the command tag's verb: "SELECT", "SET", "BEGIN", "SHOW"…
	Command string
	// Counted appends the number of rows sent to the tag ("SELECT 3").
	Counted bool
	// Notices are sent before the rows (e.g. a WARNING for BEGIN inside a
	// transaction block).
	Notices []Notice
	// Changed lists run-time parameters whose values changed (resent as
	// ParameterStatus after the command completes).
	Changed []Param
	// Copy, when set, sends the rows as COPY ... TO STDOUT instead of
	// DataRows, in the given format.
	Copy *CopyFormat
}

// Notice is a NoticeResponse.
type Notice struct {
	Severity string // WARNING, NOTICE…
	Code     string
	Message  string
}

// CopyFormat describes COPY TO STDOUT output.
type CopyFormat struct {
	Binary    bool // PostgreSQL's binary COPY format; the other fields do not apply
	CSV       bool
	Header    bool
	Delimiter byte // '\t' for text, ',' for csv unless given
	Null      string
}

// One cursor namespace, as in PostgreSQL: an SQL cursor (DECLARE) is a
// portal the protocol can Describe, Execute and Close, and a portal a
// client bound is a cursor SQL can FETCH, MOVE and CLOSE. The two optional
// interfaces below let the session and the wire layer reach each other's.

// CursorSession is implemented by a Session with SQL cursors.
type CursorSession interface {
	// Cursor returns the SQL cursor called name; nil when there is none.
	Cursor(name string) Cursor
	// CloseCursor closes it (Close of a portal by that name); false when
	// there is none.
	CloseCursor(name string) bool
}

// Cursor is an SQL cursor seen as a portal.
type Cursor interface {
	// Fields describes its rows.
	Fields() []Field
	// Fetch returns its next n rows (n <= 0: all the rest), moving it on.
	Fetch(ctx context.Context, n int64) (array.RecordReader, error)
}

// PortalUser is implemented by a Session that reaches the connection's
// protocol portals by name. The wire layer calls SetPortals once, right
// after Open.
type PortalUser interface {
	SetPortals(Portals)
}

// Portals are the connection's protocol portals, for the session.
type Portals interface {
	// PortalFields describes the named portal's rows; ok is false when
	// there is no such portal.
	PortalFields(name string) (fields []Field, ok bool)
	// FetchPortal takes up to n rows (n < 0: all the rest) from the named
	// portal, running it first if it has not run yet; the rows it takes
	// are gone for a later Execute, as in PostgreSQL.
	FetchPortal(ctx context.Context, name string, n int64) (array.RecordReader, error)
	// ClosePortal closes the named portal; false when there is none.
	ClosePortal(name string) bool
}
