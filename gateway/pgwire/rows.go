package pgwire

import (
	"context"
	"fmt"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/jackc/pgx/v5/pgproto3"
)

// rowStream is a result being sent: the reader, the record batch being
// encoded and the position in it. A suspended portal keeps its rowStream
// between Executes.
type rowStream struct {
	reader  array.RecordReader
	formats []int16 // result format codes as bound (none, one, or per column)
	opts    encodeOptions

	rec   arrow.RecordBatch
	row   int
	nrows int
	cols  []column
}

func newRowStream(r array.RecordReader, formats []int16, o encodeOptions) *rowStream {
	return &rowStream{reader: r, formats: formats, opts: o}
}

// formatFor returns the format code of column j given Bind's result
// format codes.
func formatFor(codes []int16, j int) int16 {
	switch {
	case len(codes) == 0:
		return 0
	case len(codes) == 1:
		return codes[0]
	case j < len(codes):
		return codes[j]
	}
	return 0
}

// advance makes the stream point at a row, pulling record batches as
// needed. It returns false at the end of the result.
func (s *rowStream) advance(ctx context.Context) (bool, error) {
	for s.rec == nil || s.row >= s.nrows {
		if s.rec != nil {
			s.rec.Release()
			s.rec = nil
		}
		if err := ctx.Err(); err != nil {
			return false, err
		}
		if !s.reader.Next() {
			if err := s.reader.Err(); err != nil {
				return false, fmt.Errorf("pgwire: read result: %w", err)
			}
			return false, nil
		}
		rec := s.reader.RecordBatch()
		rec.Retain()
		s.rec, s.row, s.nrows = rec, 0, int(rec.NumRows())
		s.cols = s.cols[:0]
		sc := rec.Schema()
		for j, arr := range rec.Columns() {
			if formatFor(s.formats, j) == 1 {
				s.cols = append(s.cols, binaryColumn(arr, sc.Field(j), s.opts))
			} else {
				s.cols = append(s.cols, textColumn(arr, sc.Field(j), s.opts))
			}
		}
	}
	return true, nil
}

// close releases the current batch and the reader.
func (s *rowStream) close() {
	if s.rec != nil {
		s.rec.Release()
		s.rec = nil
	}
	if s.reader != nil {
		s.reader.Release()
		s.reader = nil
	}
}

// appendDataRow appends the DataRow message for row i of cols.
func appendDataRow(dst []byte, cols []column, i int) []byte {
	start := len(dst)
	dst = append(dst, 'D', 0, 0, 0, 0, byte(len(cols)>>8), byte(len(cols)))
	for k := range cols {
		dst = cols[k].appendValue(dst, i)
	}
	be.PutUint32(dst[start+1:], uint32(len(dst)-start-1))
	return dst
}

// sendRows sends DataRows from s until the result ends or, when
// maxRows > 0, maxRows rows were sent while more remain (suspended).
func (c *conn) sendRows(ctx context.Context, s *rowStream, maxRows int64) (n int64, suspended bool, err error) {
	for {
		ok, err := s.advance(ctx)
		if err != nil || !ok {
			return n, false, err
		}
		if maxRows > 0 && n >= maxRows {
			return n, true, nil
		}
		end := s.nrows
		if maxRows > 0 && int64(end-s.row) > maxRows-n {
			end = s.row + int(maxRows-n)
		}
		n += int64(end - s.row)
		w := &c.w
		for ; s.row < end; s.row++ {
			w.buf = appendDataRow(w.buf, s.cols, s.row)
			if len(w.buf) >= flushThreshold {
				if err := w.flush(); err != nil {
					return n, false, err
				}
			}
		}
	}
}

// rowDescription builds RowDescription for fields in the given formats.
func rowDescription(fields []Field, formats []int16) *pgproto3.RowDescription {
	rd := &pgproto3.RowDescription{Fields: make([]pgproto3.FieldDescription, len(fields))}
	for j, f := range fields {
		rd.Fields[j] = pgproto3.FieldDescription{
			Name:                 []byte(f.Name),
			TableOID:             f.TableOID,
			TableAttributeNumber: uint16(f.ColumnAttr),
			DataTypeOID:          f.TypeOID,
			DataTypeSize:         f.TypeSize,
			TypeModifier:         f.TypeModifier,
			Format:               formatFor(formats, j),
		}
	}
	return rd
}

// commandTag is the CommandComplete tag of res after n rows.
func commandTag(res *Result, n int64) []byte {
	if res.Copy != nil {
		return strconv.AppendInt([]byte("COPY "), n, 10)
	}
	tag := []byte(res.Command)
	if res.Counted {
		tag = append(tag, ' ')
		tag = strconv.AppendInt(tag, n, 10)
	}
	return tag
}
