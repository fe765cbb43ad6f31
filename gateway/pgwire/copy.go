package pgwire

import (
	"context"

	"github.com/jackc/pgx/v5/pgproto3"
)

// sendCopy sends a result as COPY ... TO STDOUT: CopyOutResponse, one
// CopyData per row, CopyDone. The caller sends CommandComplete "COPY n".
func (c *conn) sendCopy(ctx context.Context, rows *rowStream, f *CopyFormat) (int64, error) {
	if f.Binary {
		return c.sendCopyBinary(ctx, rows)
	}
	cf := *f
	if cf.Delimiter == 0 {
		cf.Delimiter = '\t'
		if cf.CSV {
			cf.Delimiter = ','
		}
	}
	if !cf.CSV && cf.Null == "" {
		cf.Null = `\N`
	}
	ncols := 0
	if rows != nil {
		ncols = rows.reader.Schema().NumFields()
	}
	c.w.msg(&pgproto3.CopyOutResponse{OverallFormat: 0, ColumnFormatCodes: make([]uint16, ncols)})
	var n int64
	if rows != nil {
		rows.formats = nil // COPY's text forms
		var scratch []byte
		if cf.CSV && cf.Header {
			start := c.copyDataStart()
			for j, fld := range rows.reader.Schema().Fields() {
				if j > 0 {
					c.w.buf = append(c.w.buf, cf.Delimiter)
				}
				p := len(c.w.buf)
				c.w.buf = append(c.w.buf, fld.Name...)
				c.w.buf, scratch = csvQuoteTail(c.w.buf, p, &cf, scratch)
			}
			c.copyDataEnd(start)
		}
		var err error
		n, err = c.copyEachRow(ctx, rows, func() {
			start := c.copyDataStart()
			for j := range rows.cols {
				if j > 0 {
					c.w.buf = append(c.w.buf, cf.Delimiter)
				}
				col := &rows.cols[j]
				if col.isNull(rows.row) {
					c.w.buf = append(c.w.buf, cf.Null...)
					continue
				}
				p := len(c.w.buf)
				c.w.buf = col.app(c.w.buf, rows.row)
				if cf.CSV {
					c.w.buf, scratch = csvQuoteTail(c.w.buf, p, &cf, scratch)
				} else {
					c.w.buf, scratch = copyEscapeTail(c.w.buf, p, cf.Delimiter, scratch)
				}
			}
			c.copyDataEnd(start)
		})
		if err != nil {
			return n, err
		}
	}
	c.w.msg(&pgproto3.CopyDone{})
	return n, nil
}

func (c *conn) copyDataStart() int {
	start := len(c.w.buf)
	c.w.buf = append(c.w.buf, 'd', 0, 0, 0, 0)
	return start
}

func (c *conn) copyDataEnd(start int) {
	c.w.buf = append(c.w.buf, '\n')
	c.copyBinaryEnd(start)
}

// copyEscapeTail applies COPY TEXT escaping to dst[p:] (backslash, the
// delimiter, and control characters).
func copyEscapeTail(dst []byte, p int, delim byte, scratch []byte) ([]byte, []byte) {
	needs := false
	for _, ch := range dst[p:] {
		if ch == '\\' || ch == delim || ch < 0x20 {
			needs = true
			break
		}
	}
	if !needs {
		return dst, scratch
	}
	scratch = append(scratch[:0], dst[p:]...)
	dst = dst[:p]
	for _, ch := range scratch {
		switch ch {
		case '\\':
			dst = append(dst, '\\', '\\')
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		case '\b':
			dst = append(dst, '\\', 'b')
		case '\f':
			dst = append(dst, '\\', 'f')
		case '\v':
			dst = append(dst, '\\', 'v')
		default:
			if ch == delim {
				dst = append(dst, '\\')
			}
			dst = append(dst, ch)
		}
	}
	return dst, scratch
}

// csvQuoteTail quotes dst[p:] as a CSV field when PostgreSQL would: when it
// contains the delimiter, a quote, CR or LF, equals the NULL string, or is
// the end-of-data marker \. .
func csvQuoteTail(dst []byte, p int, cf *CopyFormat, scratch []byte) ([]byte, []byte) {
	v := dst[p:]
	needs := string(v) == cf.Null || string(v) == `\.`
	if !needs {
		for _, ch := range v {
			if ch == cf.Delimiter || ch == '"' || ch == '\n' || ch == '\r' {
				needs = true
				break
			}
		}
	}
	if !needs {
		return dst, scratch
	}
	scratch = append(scratch[:0], v...)
	dst = append(dst[:p], '"')
	for _, ch := range scratch {
		if ch == '"' {
			dst = append(dst, '"')
		}
		dst = append(dst, ch)
	}
	return append(dst, '"'), scratch
}

// copyBinaryHeader is the signature, flags and header extension length of
// PostgreSQL's binary COPY format.
var copyBinaryHeader = []byte("PGCOPY\n\xff\r\n\x00\x00\x00\x00\x00\x00\x00\x00\x00")

// sendCopyBinary sends a result in PostgreSQL's binary COPY format: the
// header, then per row the field count and each field as in a binary
// DataRow (length, -1 for NULL, and the value's binary form), then the
// trailer -1. Framed as PostgreSQL's copyto.c frames it, which clients
// such as psycopg 3 rely on: the header travels in the first row's
// CopyData (in the trailer's when there is no row), every other row and
// the trailer in a CopyData of its own.
func (c *conn) sendCopyBinary(ctx context.Context, rows *rowStream) (int64, error) {
	ncols := 0
	if rows != nil {
		ncols = rows.reader.Schema().NumFields()
	}
	codes := make([]uint16, ncols)
	for j := range codes {
		codes[j] = 1
	}
	c.w.msg(&pgproto3.CopyOutResponse{OverallFormat: 1, ColumnFormatCodes: codes})
	header := copyBinaryHeader
	var n int64
	if rows != nil {
		rows.formats = []int16{1}
		var err error
		n, err = c.copyEachRow(ctx, rows, func() {
			start := c.copyDataStart()
			c.w.buf = append(c.w.buf, header...)
			header = nil
			c.w.buf = append(c.w.buf, byte(len(rows.cols)>>8), byte(len(rows.cols)))
			for k := range rows.cols {
				c.w.buf = rows.cols[k].appendValue(c.w.buf, rows.row)
			}
			c.copyBinaryEnd(start)
		})
		if err != nil {
			return n, err
		}
	}
	start := c.copyDataStart()
	c.w.buf = append(c.w.buf, header...)
	c.w.buf = append(c.w.buf, 0xff, 0xff)
	c.copyBinaryEnd(start)
	c.w.msg(&pgproto3.CopyDone{})
	return n, nil
}

// copyBinaryEnd ends a binary CopyData (no line end).
func (c *conn) copyBinaryEnd(start int) {
	be.PutUint32(c.w.buf[start+1:], uint32(len(c.w.buf)-start-1))
}

// copyEachRow has row append the current row of rows (rows.row) as a
// CopyData, for every row, flushing as the write buffer fills; it answers
// the number of rows.
func (c *conn) copyEachRow(ctx context.Context, rows *rowStream, row func()) (int64, error) {
	var n int64
	for {
		ok, err := rows.advance(ctx)
		if err != nil || !ok {
			return n, err
		}
		for ; rows.row < rows.nrows; rows.row++ {
			row()
			n++
			if err := c.w.maybeFlush(); err != nil {
				return n, err
			}
		}
	}
}
