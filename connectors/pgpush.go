package connectors

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/jackc/pgx/v5"

	"github.com/meshgate/meshgate/planner/catalog"
	"github.com/meshgate/meshgate/sqlstate"
)

// ErrPushRefused is the cause of a pushed statement the source did not
// accept as written (it did not parse, bind or type as expected): the
// statement runs without subtree pushdown instead.
var ErrPushRefused = errors.New("the source does not accept the pushed statement")

// Pusher is a connector that runs whole statements at its source
// (subtree pushdown, planner/pgpush.go). Only postgres ports are Pushers.
type Pusher interface {
	// PushTarget identifies the source and the credentials meshgate
	// reads it with: products whose targets are equal can be joined at
	// the source.
	PushTarget() string
	// PushSource checks that the source can answer pushed statements the
	// way DuckDB would (asked again before every execution, so contract
	// drift is never hidden by a pushed statement) and returns the raw
	// relation of the product: its declared columns under their declared
	// names, read from the source table.
	PushSource(ctx context.Context) (string, error)
	// Push prepares sql at the source, checks that its columns have the
	// types of cols and streams its rows decoded into them. A statement
	// the source refuses to prepare is ErrPushRefused.
	Push(ctx context.Context, sql string, params []*string, cols []catalog.Column) (array.RecordReader, error)
}

// pushableTypes are the declared types whose PostgreSQL operations equal
// DuckDB's for the pushed allow-list.
var pushableTypes = map[string]bool{"BOOLEAN": true, "SMALLINT": true, "INTEGER": true, "BIGINT": true, "DOUBLE": true,
	"VARCHAR": true, "DATE": true, "TIMESTAMP": true}

func (c *pgConnector) PushTarget() string {
	if c.delegate != nil || c.port.Type != "postgres" {
		return ""
	}
	o := c.port.Options
	return strings.Join([]string{o["host"], o["port"], o["database"], o["user"], o["password_secret"], o["sslmode"], o["sslrootcert"]}, "\x00")
}

func (c *pgConnector) PushSource(ctx context.Context) (string, error) {
	if c.PushTarget() == "" {
		return "", fmt.Errorf("%w: not a postgres port", ErrPushRefused)
	}
	actual, err := c.Describe(ctx)
	if err != nil {
		return "", err
	}
	types := map[string]string{}
	for _, a := range actual {
		types[a.Name] = a.Type
	}
	cols := make([]string, len(c.p.Columns))
	for i, col := range c.p.Columns {
		if !pushableTypes[col.Type] && !strings.HasPrefix(col.Type, "DECIMAL(") {
			return "", fmt.Errorf("%w: column %s is %s", ErrPushRefused, col.Name, col.Type)
		}
		if types[col.Name] != col.Type {
			return "", fmt.Errorf("%w: column %s is %s at the source, declared %s", ErrPushRefused, col.Name, types[col.Name], col.Type)
		}
		if col.Name != strings.ToLower(col.Name) {
			return "", fmt.Errorf("%w: column name %s is not lower case", ErrPushRefused, col.Name)
		}
		cols[i] = pgx.Identifier{c.port.SourceName(col.Name)}.Sanitize() + " AS " + pgx.Identifier{col.Name}.Sanitize()
	}
	// Text must compare, sort and match byte by byte, as in DuckDB: the
	// database's collation is C (or POSIX), no column has another, and
	// none is char(n) (which ignores trailing spaces).
	conn, err := c.acquire(ctx)
	if err != nil {
		return "", err
	}
	defer conn.Release()
	var collate string
	var odd int
	err = conn.QueryRow(ctx, `SELECT d.datcollate, (SELECT count(*) FROM pg_catalog.pg_attribute a
		WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped
		AND (a.atttypid = 1042 OR a.attcollation NOT IN (0, 100, 950, 951)))
		FROM pg_catalog.pg_database d WHERE d.datname = current_database()`, c.tableName()).Scan(&collate, &odd)
	if err != nil {
		return "", c.queryError(ctx, err, nil)
	}
	if collate != "C" && collate != "POSIX" {
		return "", fmt.Errorf("%w: the database's collation is %s, not C", ErrPushRefused, collate)
	}
	if odd > 0 {
		return "", fmt.Errorf("%w: %s has char(n) or collated columns", ErrPushRefused, c.tableName())
	}
	return "(SELECT " + strings.Join(cols, ", ") + " FROM " + c.tableName() + ")", nil
}

func (c *pgConnector) Push(ctx context.Context, sql string, params []*string, cols []catalog.Column) (array.RecordReader, error) {
	schema, err := ArrowSchema(cols)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrPushRefused, err)
	}
	pc, release, err := c.connFor(ctx, nil)
	if err != nil {
		return nil, err
	}
	values := make([][]byte, len(params))
	for i, p := range params {
		if p != nil {
			values[i] = []byte(*p)
		}
	}
	rr, err := c.run(ctx, pc, release, sql, values, cols, schema, true)
	if err != nil && !errors.Is(err, ErrPushRefused) && sqlstate.As(err) == nil {
		err = c.queryError(ctx, err, nil)
	}
	return rr, err
}
