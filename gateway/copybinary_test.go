package gateway_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/meshgate/meshgate/connectors/pgtest"
)

// TestE2ECopyBinaryAsPostgreSQL sends COPY … TO STDOUT (FORMAT binary) to
// meshgate and to a real PostgreSQL 15 and compares the streams byte for
// byte and CopyData by CopyData (header, per-row field counts, lengths,
// NULLs, values, trailer, and how they are framed: psycopg 3 expects the
// header in the first row's message), the
// command tags, and the errors for options binary mode refuses.
func TestE2ECopyBinaryAsPostgreSQL(t *testing.T) {
	pg := pgtest.Shared(t).Conn(t)
	s := startGateway(t)
	mg := s.connect(t, "")
	copyOut := func(c *pgx.Conn, sql string) (string, [][]byte, string) {
		var msgs copyMessages
		tag, err := c.PgConn().CopyTo(ctxT(t), &msgs, sql)
		var pe *pgconn.PgError
		if errors.As(err, &pe) {
			return "", nil, pe.Code
		}
		if err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		return tag.String(), msgs, ""
	}
	for _, sql := range []string{
		`COPY (SELECT 1 AS a, 'x' AS b) TO STDOUT (FORMAT binary)`,
		`COPY (SELECT i::int4 AS i, i::int8 * 1000000000 AS big, (i % 2 = 0) AS even, CASE WHEN i % 3 = 0 THEN NULL ELSE 'row ' || i::text END AS label,
		        (DATE '2024-01-31' + i) AS d, (TIMESTAMP '2024-01-02 03:04:05.123456' + i * INTERVAL '1 hour') AS ts, i::float8 / 4 AS f, i::int2 AS small,
		        (i * 1.25 - 20)::numeric(10,2) AS amount
		      FROM generate_series(1, 50) AS t(i) ORDER BY i) TO STDOUT (FORMAT binary)`,
		`COPY (SELECT 1 AS a WHERE false) TO STDOUT (FORMAT binary)`,
		`COPY (SELECT NULL::text AS a, ''::text AS b) TO STDOUT WITH (FORMAT 'binary')`,
		`COPY (SELECT 1 AS a) TO STDOUT WITH BINARY`,
		`COPY (SELECT 1 AS a) TO STDOUT (FORMAT binary, DELIMITER ',')`,
		`COPY (SELECT 1 AS a) TO STDOUT (FORMAT binary, NULL 'x')`,
		`COPY (SELECT 1 AS a) TO STDOUT (FORMAT binary, HEADER)`,
	} {
		wantTag, want, wantErr := copyOut(pg, sql)
		gotTag, got, gotErr := copyOut(mg, sql)
		if gotErr != wantErr || gotTag != wantTag || !equalMessages(got, want) {
			t.Errorf("%s\nmeshgate   %q %q err %q\nPostgreSQL %q %q err %q", sql, gotTag, got, gotErr, wantTag, want, wantErr)
		}
	}
	stillWorks(t, mg)
}

// copyMessages records each CopyData payload pgx hands its writer.
type copyMessages [][]byte

func (m *copyMessages) Write(p []byte) (int, error) {
	*m = append(*m, bytes.Clone(p))
	return len(p), nil
}

func equalMessages(a, b [][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !bytes.Equal(a[i], b[i]) {
			return false
		}
	}
	return true
}
