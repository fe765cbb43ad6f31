package flight

import (
	"context"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/flight"
	"github.com/apache/arrow-go/v18/arrow/flight/flightsql"
	"github.com/apache/arrow-go/v18/arrow/flight/flightsql/schema_ref"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/meshgate/meshgate/internal/sqlquote"
)

// The catalog calls run the session's own information_schema queries, so
// a Flight client sees what SQL shows the same user and nothing more.

// catalogRows runs a catalog query on the call's session and reads its
// rows as text (nil = NULL).
func (s *Server) catalogRows(ctx context.Context, sql string, params ...*string) ([][]*string, error) {
	t := fromContext(ctx)
	if err := t.acquire(ctx); err != nil {
		return nil, err
	}
	defer t.release()
	rows, err := t.sess.Query(ctx, sql, params)
	if err != nil {
		return nil, statusOf(err)
	}
	defer rows.Records.Release()
	var out [][]*string
	for rows.Records.Next() {
		rec := rows.Records.RecordBatch()
		for i := 0; i < int(rec.NumRows()); i++ {
			row := make([]*string, rec.NumCols())
			for j := range row {
				if c := rec.Column(j); !c.IsNull(i) {
					v := strings.Clone(c.ValueStr(i)) // the batch's memory goes with it
					row[j] = &v
				}
			}
			out = append(out, row)
		}
	}
	return out, statusOf(rows.Records.Err())
}

// stringRecords is a one-batch stream of the rows in a schema of string
// columns, plus any further columns filled by extra.
func (s *Server) stringRecords(sc *arrow.Schema, rows [][]*string, extra func(b *array.RecordBuilder, row int)) (*arrow.Schema, <-chan flight.StreamChunk) {
	b := array.NewRecordBuilder(s.mem, sc)
	defer b.Release()
	for r, row := range rows {
		for j, v := range row {
			sb := b.Field(j).(*array.StringBuilder)
			if v == nil {
				sb.AppendNull()
			} else {
				sb.Append(*v)
			}
		}
		if extra != nil {
			extra(b, r)
		}
	}
	rec := b.NewRecordBatch()
	ch := make(chan flight.StreamChunk, 1)
	ch <- flight.StreamChunk{Data: rec}
	close(ch)
	return sc, ch
}

func metaInfo(sc *arrow.Schema, desc *flight.FlightDescriptor) *flight.FlightInfo {
	return flightInfo(sc, desc, desc.GetCmd())
}

func (s *Server) GetFlightInfoCatalogs(_ context.Context, desc *flight.FlightDescriptor) (*flight.FlightInfo, error) {
	return metaInfo(schema_ref.Catalogs, desc), nil
}

func (s *Server) DoGetCatalogs(ctx context.Context) (*arrow.Schema, <-chan flight.StreamChunk, error) {
	rows, err := s.catalogRows(ctx, "SELECT DISTINCT catalog_name FROM information_schema.schemata ORDER BY 1")
	if err != nil {
		return nil, nil, err
	}
	sc, ch := s.stringRecords(schema_ref.Catalogs, rows, nil)
	return sc, ch, nil
}

func (s *Server) GetFlightInfoSchemas(_ context.Context, _ flightsql.GetDBSchemas, desc *flight.FlightDescriptor) (*flight.FlightInfo, error) {
	return metaInfo(schema_ref.DBSchemas, desc), nil
}

func (s *Server) DoGetDBSchemas(ctx context.Context, cmd flightsql.GetDBSchemas) (*arrow.Schema, <-chan flight.StreamChunk, error) {
	rows, err := s.catalogRows(ctx, `SELECT catalog_name, schema_name FROM information_schema.schemata
		WHERE ($1::text IS NULL OR catalog_name = $1) AND ($2::text IS NULL OR schema_name LIKE $2)
		ORDER BY 1, 2`, cmd.GetCatalog(), cmd.GetDBSchemaFilterPattern())
	if err != nil {
		return nil, nil, err
	}
	sc, ch := s.stringRecords(schema_ref.DBSchemas, rows, nil)
	return sc, ch, nil
}

func (s *Server) GetFlightInfoTables(_ context.Context, cmd flightsql.GetTables, desc *flight.FlightDescriptor) (*flight.FlightInfo, error) {
	if cmd.GetIncludeSchema() {
		return metaInfo(schema_ref.TablesWithIncludedSchema, desc), nil
	}
	return metaInfo(schema_ref.Tables, desc), nil
}

func (s *Server) DoGetTables(ctx context.Context, cmd flightsql.GetTables) (*arrow.Schema, <-chan flight.StreamChunk, error) {
	all, err := s.catalogRows(ctx, `SELECT table_catalog, table_schema, table_name, table_type FROM information_schema.tables
		WHERE ($1::text IS NULL OR table_catalog = $1) AND ($2::text IS NULL OR table_schema LIKE $2)
		AND ($3::text IS NULL OR table_name LIKE $3)
		ORDER BY 1, 2, 3`, cmd.GetCatalog(), cmd.GetDBSchemaFilterPattern(), cmd.GetTableNameFilterPattern())
	if err != nil {
		return nil, nil, err
	}
	rows := all
	if types := cmd.GetTableTypes(); len(types) > 0 {
		rows = nil
		for _, r := range all {
			if r[3] != nil && slices.Contains(types, *r[3]) {
				rows = append(rows, r)
			}
		}
	}
	if !cmd.GetIncludeSchema() {
		sc, ch := s.stringRecords(schema_ref.Tables, rows, nil)
		return sc, ch, nil
	}
	// Each table's Arrow schema is its SELECT * planned (not run) on the
	// session: the columns the user may read, masked ones with their
	// masked type, as a query would return them.
	schemas := make([][]byte, len(rows))
	for i, r := range rows {
		schemas[i], err = s.tableSchema(ctx, *r[1], *r[2])
		if err != nil {
			return nil, nil, err
		}
	}
	sc, ch := s.stringRecords(schema_ref.TablesWithIncludedSchema, rows, func(b *array.RecordBuilder, row int) {
		b.Field(4).(*array.BinaryBuilder).Append(schemas[row])
	})
	return sc, ch, nil
}

func (s *Server) tableSchema(ctx context.Context, schema, table string) ([]byte, error) {
	t, p, err := s.prepare(ctx, "SELECT * FROM "+sqlquote.Ident(schema)+"."+sqlquote.Ident(table))
	if err != nil {
		return nil, err
	}
	sc := p.Schema()
	t.closeLater(p)
	if sc == nil {
		return nil, status.Errorf(codes.Internal, "no schema for %s.%s", schema, table)
	}
	return flight.SerializeSchema(sc, s.mem), nil
}

func (s *Server) GetFlightInfoTableTypes(_ context.Context, desc *flight.FlightDescriptor) (*flight.FlightInfo, error) {
	return metaInfo(schema_ref.TableTypes, desc), nil
}

func (s *Server) DoGetTableTypes(ctx context.Context) (*arrow.Schema, <-chan flight.StreamChunk, error) {
	rows, err := s.catalogRows(ctx, "SELECT DISTINCT table_type FROM information_schema.tables ORDER BY 1")
	if err != nil {
		return nil, nil, err
	}
	sc, ch := s.stringRecords(schema_ref.TableTypes, rows, nil)
	return sc, ch, nil
}
