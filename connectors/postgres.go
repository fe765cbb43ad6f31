package connectors

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgconn/ctxwatch"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/meshgate/meshgate/planner/catalog"
	"github.com/meshgate/meshgate/sqlstate"
)

// Defaults of postgres ports.
const (
	DefaultPoolMax        = 4
	DefaultConnectTimeout = 10 * time.Second
)

// pgConnector reads one PostgreSQL table (or view) through a pool.
type pgConnector struct {
	p      *catalog.Product
	port   *catalog.Port
	pool   *pgxpool.Pool
	schema string
	table  string
	addr   string // host:port, for messages
	source string // what answers at addr, for messages ("PostgreSQL at host:port")
	mem    memory.Allocator
	// delegate is set for type: gateway ports (gateway.go): a scan with an
	// Identity opens its own connection carrying a signed assertion.
	delegate *delegator
}

func openPostgres(_ context.Context, p *catalog.Product, port *catalog.Port, secrets Secrets) (Connector, error) {
	o := port.Options
	for _, k := range []string{"host", "database", "table", "user"} {
		if o[k] == "" {
			return nil, configError(p, port, "option %s is required", k)
		}
	}
	if _, err := ArrowSchema(p.Columns); err != nil {
		return nil, sqlstate.New(sqlstate.FeatureNotSupported, "%s: %v", portName(p, port), err)
	}
	pgPort := o["port"]
	if pgPort == "" {
		pgPort = "5432"
	}
	kv := []string{
		"host=" + kvQuote(o["host"]),
		"port=" + kvQuote(pgPort),
		"dbname=" + kvQuote(o["database"]),
		"user=" + kvQuote(o["user"]),
		"application_name=meshgate",
	}
	if ref := o["password_secret"]; ref != "" {
		pw, err := resolveRef(secrets, p, ref)
		if err != nil {
			return nil, configError(p, port, "password_secret: %v", err)
		}
		kv = append(kv, "password="+kvQuote(pw))
	}
	if m := o["sslmode"]; m != "" {
		kv = append(kv, "sslmode="+kvQuote(m))
	}
	if ca := o["sslrootcert"]; ca != "" {
		if !filepath.IsAbs(ca) {
			ca = filepath.Join(filepath.Dir(p.File), ca)
		}
		kv = append(kv, "sslrootcert="+kvQuote(ca))
	}
	cfg, err := pgxpool.ParseConfig(strings.Join(kv, " "))
	if err != nil {
		// The message of a parse error could quote the connection string:
		// do not pass it on.
		return nil, configError(p, port, "the connection options are invalid")
	}
	if o["password_secret"] == "" {
		cfg.ConnConfig.Password = "" // not from PGPASSWORD or ~/.pgpass of the gateway's account
	}
	cfg.MaxConns = DefaultPoolMax
	if v := o["pool_max"]; v != "" {
		n, _ := strconv.Atoi(v)
		cfg.MaxConns = int32(max(n, 1))
	}
	cfg.ConnConfig.ConnectTimeout = DefaultConnectTimeout
	if v := o["connect_timeout"]; v != "" {
		if d, err := time.ParseDuration(v); err == nil {
			cfg.ConnConfig.ConnectTimeout = d
		}
	}
	cfg.MaxConnIdleTime = 5 * time.Minute
	// A canceled context sends a cancel request to the server, so the
	// source query really stops; the socket deadline is the last resort.
	cfg.ConnConfig.BuildContextWatcherHandler = func(pc *pgconn.PgConn) ctxwatch.Handler {
		return &pgconn.CancelRequestContextWatcherHandler{Conn: pc, DeadlineDelay: 3 * time.Second}
	}
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		return nil, configError(p, port, "cannot create the connection pool: %v", err)
	}
	schema, table := port.PostgresTable()
	return &pgConnector{p: p, port: port, pool: pool, schema: schema, table: table,
		addr: net.JoinHostPort(o["host"], pgPort), source: "PostgreSQL at " + net.JoinHostPort(o["host"], pgPort), mem: memory.DefaultAllocator}, nil
}

// kvQuote quotes a value of a libpq keyword/value connection string.
func kvQuote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

func (c *pgConnector) Close() { c.pool.Close() }

func (c *pgConnector) name() string { return portName(c.p, c.port) }

// tableName is the quoted, schema-qualified source table.
func (c *pgConnector) tableName() string {
	return pgx.Identifier{c.schema, c.table}.Sanitize()
}

// acquire gets a connection, mapping failures to 08001 (or 57014 when
// the caller canceled).
func (c *pgConnector) acquire(ctx context.Context) (*pgxpool.Conn, error) {
	conn, err := c.pool.Acquire(ctx)
	if err == nil {
		return conn, nil
	}
	return nil, c.connectError(ctx, err)
}

// connectError maps a failure to connect to 08001 (08004 when the source
// refused the login, 57014 when the caller canceled).
func (c *pgConnector) connectError(ctx context.Context, err error) error {
	if errors.Is(ctx.Err(), context.Canceled) {
		return sqlstate.Wrap(err, sqlstate.QueryCanceled, fmt.Sprintf("connecting to %s was canceled", c.name()))
	}
	reason := connectReason(err)
	if errors.Is(err, context.DeadlineExceeded) || ctx.Err() != nil {
		reason = "timed out"
	}
	code := sqlstate.UnableToConnect
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && strings.HasPrefix(pgErr.Code, "28") {
		code = "08004" // sqlserver_rejected_establishment_of_sqlconnection
	}
	return sqlstate.Wrap(err, code, fmt.Sprintf("cannot connect to %s (%s): %s", c.name(), c.source, reason)).
		WithHint("the source of this port is unavailable; other products are not affected")
}

// connectReason is the cause of a connection failure without the
// connection details pgconn puts in front of it.
func connectReason(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Message
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) && opErr.Err != nil {
		return opErr.Err.Error()
	}
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) {
		if u := errors.Unwrap(ce); u != nil {
			return u.Error()
		}
	}
	return err.Error()
}

var undefinedColumnRE = regexp.MustCompile(`column "((?:[^"]|"")*)" does not exist`)

// queryError maps an error of a running (or preparing) source query.
func (c *pgConnector) queryError(ctx context.Context, err error, cols []catalog.Column) error {
	if err == nil {
		return nil
	}
	if sqlstate.As(err) != nil {
		return err
	}
	var pgErr *pgconn.PgError
	isPg := errors.As(err, &pgErr)
	if ctx.Err() != nil || (isPg && pgErr.Code == "57014") || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		what := "was canceled"
		if errors.Is(ctx.Err(), context.DeadlineExceeded) || errors.Is(err, context.DeadlineExceeded) {
			what = "timed out and was canceled"
		} else if ctx.Err() == nil && isPg {
			what = "was canceled by the source (statement_timeout or an administrator)"
		}
		return sqlstate.Wrap(err, sqlstate.QueryCanceled, fmt.Sprintf("the query on %s %s", c.name(), what))
	}
	if isPg {
		switch {
		case pgErr.Code == "42703":
			src := ""
			if m := undefinedColumnRE.FindStringSubmatch(pgErr.Message); m != nil {
				src = strings.ReplaceAll(m[1], `""`, `"`)
			}
			col := src
			for _, dc := range cols {
				if c.port.SourceName(dc.Name) == src {
					col = dc.Name
					return drift(c.p, c.port, DriftError{Column: col, Declared: dc.Type},
						fmt.Sprintf("column %q is declared %s but the source table %s has no column %q", col, dc.Type, c.schema+"."+c.table, src))
				}
			}
			return drift(c.p, c.port, DriftError{Column: col, Declared: "?"}, fmt.Sprintf("the source table %s.%s lacks a column: %s", c.schema, c.table, pgErr.Message))
		case pgErr.Code == "42P01" || pgErr.Code == "3F000":
			return sqlstate.Wrap(err, sqlstate.UndefinedTable, fmt.Sprintf("%s: the source table %s.%s does not exist", c.name(), c.schema, c.table))
		case pgErr.Code == "42501":
			return sqlstate.Wrap(err, sqlstate.InsufficientPrivilege, fmt.Sprintf("%s: the source refuses to let meshgate read %s.%s: %s", c.name(), c.schema, c.table, pgErr.Message))
		case strings.HasPrefix(pgErr.Code, "57P") || strings.HasPrefix(pgErr.Code, "08"):
			return sqlstate.Wrap(err, sqlstate.ConnectionFailure, fmt.Sprintf("connection to %s lost: %s", c.name(), pgErr.Message))
		}
		e := sqlstate.Wrap(err, pgErr.Code, fmt.Sprintf("%s: the source failed: %s", c.name(), pgErr.Message))
		if pgErr.Detail != "" {
			e.Detail = pgErr.Detail
		}
		return e
	}
	var ve *valueError
	if errors.As(err, &ve) {
		return sqlstate.Wrap(err, ve.code, fmt.Sprintf("%s: %s", c.name(), ve.msg))
	}
	var ne net.Error
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.As(err, &ne) || strings.Contains(err.Error(), "conn closed") {
		return sqlstate.Wrap(err, sqlstate.ConnectionFailure, fmt.Sprintf("connection to %s lost: %s", c.name(), connectReason(err)))
	}
	return sqlstate.Wrap(err, sqlstate.ConnectionFailure, fmt.Sprintf("%s: reading the source failed: %v", c.name(), err))
}

// Describe reads the columns of the source table from pg_attribute, in
// canonical types (an unconstrained numeric is "DECIMAL", a type meshgate
// cannot read is PostgreSQL's own name in capitals). Source columns named
// by options.columns are reported under their declared names.
func (c *pgConnector) Describe(ctx context.Context) ([]catalog.Column, error) {
	conn, err := c.acquire(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Release()
	const q = `SELECT a.attname, a.atttypid, a.atttypmod, a.attnotnull, format_type(a.atttypid, a.atttypmod)
		FROM pg_catalog.pg_attribute a
		JOIN pg_catalog.pg_class t ON t.oid = a.attrelid
		JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace
		WHERE n.nspname = $1 AND t.relname = $2 AND a.attnum > 0 AND NOT a.attisdropped
		ORDER BY a.attnum`
	rows, err := conn.Query(ctx, q, c.schema, c.table)
	if err != nil {
		return nil, c.queryError(ctx, err, nil)
	}
	back := map[string]string{}
	for _, dc := range c.p.Columns {
		back[c.port.SourceName(dc.Name)] = dc.Name
	}
	var out []catalog.Column
	for rows.Next() {
		var name, ftype string
		var oid uint32
		var typmod int32
		var notNull bool
		if err := rows.Scan(&name, &oid, &typmod, &notNull, &ftype); err != nil {
			rows.Close()
			return nil, c.queryError(ctx, err, nil)
		}
		t := pgCanonical(oid, typmod)
		if t == "" {
			t = strings.ToUpper(ftype)
		}
		if d, ok := back[name]; ok {
			name = d
		}
		out = append(out, catalog.Column{Name: name, Type: t, Required: notNull})
	}
	if err := rows.Err(); err != nil {
		return nil, c.queryError(ctx, err, nil)
	}
	if len(out) == 0 {
		return nil, sqlstate.New(sqlstate.UndefinedTable, "%s: the source table %s.%s does not exist", c.name(), c.schema, c.table)
	}
	return out, nil
}

// Scan implements Connector. The source query is
//
//	SELECT "col", ... FROM "schema"."table" WHERE <pushed predicates> LIMIT $n
//
// with identifiers quoted by pgx.Identifier and every value a $n
// parameter. It is prepared first: the RowDescription gives the source
// types, which are checked against the declared ones (contract drift),
// then executed with binary results that are decoded per OID into Arrow
// builders, BatchRows rows per batch, as the reader is consumed.
func (c *pgConnector) Scan(ctx context.Context, req Request) (array.RecordReader, error) {
	cols, err := requested(c.p, c.port, req.Columns)
	if err != nil {
		return nil, err
	}
	schema, err := ArrowSchema(cols)
	if err != nil {
		return nil, sqlstate.New(sqlstate.FeatureNotSupported, "%s: %v", c.name(), err)
	}
	query, params := c.buildQuery(cols, req)
	pc, release, err := c.connFor(ctx, req.Identity)
	if err != nil {
		return nil, err
	}
	return c.run(ctx, pc, release, query, params, cols, schema, false)
}

// run prepares query on pc, checks the RowDescription against cols
// (contract drift; with pushed, a mismatch is ErrPushRefused) and starts
// it with binary results decoded into schema. release returns pc.
func (c *pgConnector) run(ctx context.Context, pc *pgconn.PgConn, release func(), query string, params [][]byte, cols []catalog.Column, schema *arrow.Schema, pushed bool) (array.RecordReader, error) {
	ok := false
	defer func() {
		if !ok {
			release()
		}
	}()
	sd, err := pc.Prepare(ctx, "", query, nil)
	if err != nil {
		var pgErr *pgconn.PgError
		if pushed && errors.As(err, &pgErr) && !strings.HasPrefix(pgErr.Code, "08") && !strings.HasPrefix(pgErr.Code, "57") {
			return nil, fmt.Errorf("%w: %s: %s", ErrPushRefused, pgErr.Code, pgErr.Message)
		}
		return nil, c.queryError(ctx, err, cols)
	}
	if pushed && len(sd.Fields) != len(cols) {
		return nil, fmt.Errorf("%w: %d columns for %d", ErrPushRefused, len(sd.Fields), len(cols))
	}
	if len(sd.Fields) != len(cols) {
		return nil, sqlstate.New(sqlstate.InternalError, "%s: the source answered %d columns for %d requested", c.name(), len(sd.Fields), len(cols))
	}
	rb := array.NewRecordBuilder(c.mem, schema)
	decs := make([]pgDecoder, len(cols))
	for i, col := range cols {
		f := sd.Fields[i]
		actual := pgCanonical(f.DataTypeOID, f.TypeModifier)
		if pushed && (actual == "" || !catalog.RemoteCompatible(col.Type, actual)) {
			rb.Release()
			return nil, fmt.Errorf("%w: column %d is %s, not %s", ErrPushRefused, i+1, actual, col.Type)
		}
		if actual == "" || !catalog.RemoteCompatible(col.Type, actual) {
			if actual == "" {
				actual = c.typeName(ctx, pc, f.DataTypeOID, f.TypeModifier)
			}
			rb.Release()
			return nil, drift(c.p, c.port, DriftError{Column: col.Name, Declared: col.Type, Actual: actual},
				fmt.Sprintf("column %q is declared %s but the source has %s", col.Name, col.Type, actual))
		}
		if decs[i], err = newPGDecoder(col.Type, f.DataTypeOID, rb.Field(i)); err != nil {
			rb.Release()
			return nil, sqlstate.New(sqlstate.FeatureNotSupported, "%s: column %s: %v", c.name(), col.Name, err)
		}
	}
	qctx, cancel := context.WithCancel(ctx)
	rr := pc.ExecPrepared(qctx, "", params, nil, []int16{1})
	ok = true
	r := &pgReader{c: c, ctx: ctx, cancel: cancel, release: release, rr: rr, rb: rb, decs: decs, cols: cols, schema: schema}
	r.refs.Store(1)
	return r, nil
}

// typeName asks the source for the name of a type meshgate cannot read.
func (c *pgConnector) typeName(ctx context.Context, pc *pgconn.PgConn, oid uint32, typmod int32) string {
	res := pc.ExecParams(ctx, "SELECT format_type($1::oid, $2::int4)", [][]byte{[]byte(strconv.FormatUint(uint64(oid), 10)), []byte(strconv.Itoa(int(typmod)))}, nil, nil, nil).Read()
	if res.Err == nil && len(res.Rows) == 1 && len(res.Rows[0]) == 1 {
		return strings.ToUpper(string(res.Rows[0][0]))
	}
	return fmt.Sprintf("the type with OID %d", oid)
}

// pgReader streams the result of one source query.
type pgReader struct {
	c       *pgConnector
	ctx     context.Context
	cancel  context.CancelFunc
	release func() // returns the connection to the pool (or closes a delegated one)
	rr      *pgconn.ResultReader
	rb      *array.RecordBuilder
	decs    []pgDecoder
	cols    []catalog.Column
	schema  *arrow.Schema
	refs    atomic.Int64
	cur     arrow.RecordBatch
	err     error
	done    bool
	rows    int64
	once    sync.Once
}

func (r *pgReader) Retain()               { r.refs.Add(1) }
func (r *pgReader) Schema() *arrow.Schema { return r.schema }
func (r *pgReader) Err() error            { return r.err }

func (r *pgReader) RecordBatch() arrow.RecordBatch { return r.cur }

// Record is the deprecated name of RecordBatch.
func (r *pgReader) Record() arrow.RecordBatch { return r.cur }

func (r *pgReader) Release() {
	if r.refs.Add(-1) == 0 {
		if r.cur != nil {
			r.cur.Release()
			r.cur = nil
		}
		r.finish()
		r.rb.Release()
	}
}

// finish ends the source query (canceling it when it has not completed)
// and returns the connection to the pool.
func (r *pgReader) finish() error {
	var err error
	r.once.Do(func() {
		r.done = true
		r.cancel() // the result is not complete: stop the source query
		_, err = r.rr.Close()
		r.cancel()
		r.release()
	})
	return err
}

func (r *pgReader) fail(err error) bool {
	r.finish()
	r.err = r.c.queryError(r.ctx, err, r.cols)
	return false
}

func (r *pgReader) Next() bool {
	if r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
	if r.done || r.err != nil {
		return false
	}
	n := 0
	for n < BatchRows && r.rr.NextRow() {
		vals := r.rr.Values()
		for i, d := range r.decs {
			if err := d(vals[i]); err != nil {
				var ve *valueError
				if errors.As(err, &ve) {
					err = &valueError{code: ve.code, msg: fmt.Sprintf("column %s, row %d: %s", r.cols[i].Name, r.rows+int64(n)+1, ve.msg)}
				}
				r.discard()
				return r.fail(err)
			}
		}
		n++
	}
	if n < BatchRows {
		// The result is complete (or failed).
		r.once.Do(func() {
			r.done = true
			_, r.err = r.rr.Close()
			r.cancel()
			r.release()
		})
		if r.err != nil {
			r.discard()
			r.err = r.c.queryError(r.ctx, r.err, r.cols)
			return false
		}
		if n == 0 {
			return false
		}
	}
	r.rows += int64(n)
	if len(r.decs) == 0 {
		r.cur = array.NewRecordBatch(r.schema, nil, int64(n))
	} else {
		r.cur = r.rb.NewRecordBatch()
	}
	return true
}

// discard drops a partly built batch.
func (r *pgReader) discard() {
	discardBuilder(r.rb)
}
