package flight

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/flight"
	"github.com/apache/arrow-go/v18/arrow/flight/flightsql"
	"github.com/apache/arrow-go/v18/arrow/flight/flightsql/schema_ref"

	"github.com/meshgate/meshgate/planner/catalog"
)

// The key calls answer from the product descriptors' primaryKey columns,
// for the tables the session's information_schema shows and only when
// every key column is one the session may read (a key with a withheld
// column is not shown at all: half a key would mislead, and the name of a
// withheld column is not the caller's to see). Descriptors declare no
// foreign keys, so the imported and exported keys and cross references
// are empty. An ungranted table and an unknown one look the same: no key.

// primaryKeys are the session's visible tables matching ref with their
// primary-key columns: rows of catalog, schema, table, column.
func (s *Server) primaryKeys(ctx context.Context, ref flightsql.TableRef) ([][]*string, error) {
	cols, err := s.catalogRows(ctx, `SELECT table_catalog, table_schema, table_name, column_name FROM information_schema.columns
		WHERE ($1::text IS NULL OR table_catalog = $1) AND ($2::text IS NULL OR table_schema = $2) AND table_name = $3
		ORDER BY 1, 2, 3, ordinal_position`, ref.Catalog, ref.DBSchema, &ref.Table)
	if err != nil {
		return nil, err
	}
	visible := map[catalog.Address]map[string][]*string{}
	var tables []catalog.Address // in the query's order
	for _, c := range cols {
		a := catalog.Address{Domain: *c[1], Name: *c[2]}
		if visible[a] == nil {
			visible[a] = map[string][]*string{}
			tables = append(tables, a)
		}
		visible[a][*c[3]] = c
	}
	products := map[catalog.Address]*catalog.Product{}
	for _, p := range s.gw.Products() {
		products[p.Address] = p
	}
	var out [][]*string
	for _, a := range tables {
		p, seen := products[a], visible[a]
		if p == nil {
			continue // not a product (the client catalog, meshgate.*)
		}
		var key [][]*string
		for _, c := range p.Columns {
			if !c.PrimaryKey {
				continue
			}
			row := seen[c.Name]
			if row == nil {
				key = nil // a key column the session may not read
				break
			}
			key = append(key, row)
		}
		out = append(out, key...)
	}
	return out, nil
}

func (s *Server) GetFlightInfoPrimaryKeys(_ context.Context, _ flightsql.TableRef, desc *flight.FlightDescriptor) (*flight.FlightInfo, error) {
	return metaInfo(schema_ref.PrimaryKeys, desc), nil
}

// DoGetPrimaryKeys lists the key columns in key order, named as
// PostgreSQL names a primary key constraint (<table>_pkey).
func (s *Server) DoGetPrimaryKeys(ctx context.Context, ref flightsql.TableRef) (*arrow.Schema, <-chan flight.StreamChunk, error) {
	rows, err := s.primaryKeys(ctx, ref)
	if err != nil {
		return nil, nil, err
	}
	var seq int32
	sc, ch := s.stringRecords(schema_ref.PrimaryKeys, rows, func(b *array.RecordBuilder, row int) {
		if row == 0 || *rows[row-1][2] != *rows[row][2] || *rows[row-1][1] != *rows[row][1] {
			seq = 0
		}
		seq++
		b.Field(4).(*array.Int32Builder).Append(seq)
		b.Field(5).(*array.StringBuilder).Append(*rows[row][2] + "_pkey")
	})
	return sc, ch, nil
}

func (s *Server) GetFlightInfoExportedKeys(_ context.Context, _ flightsql.TableRef, desc *flight.FlightDescriptor) (*flight.FlightInfo, error) {
	return metaInfo(schema_ref.ExportedKeys, desc), nil
}

func (s *Server) DoGetExportedKeys(context.Context, flightsql.TableRef) (*arrow.Schema, <-chan flight.StreamChunk, error) {
	sc, ch := s.stringRecords(schema_ref.ExportedKeys, nil, nil)
	return sc, ch, nil
}

func (s *Server) GetFlightInfoImportedKeys(_ context.Context, _ flightsql.TableRef, desc *flight.FlightDescriptor) (*flight.FlightInfo, error) {
	return metaInfo(schema_ref.ImportedKeys, desc), nil
}

func (s *Server) DoGetImportedKeys(context.Context, flightsql.TableRef) (*arrow.Schema, <-chan flight.StreamChunk, error) {
	sc, ch := s.stringRecords(schema_ref.ImportedKeys, nil, nil)
	return sc, ch, nil
}

func (s *Server) GetFlightInfoCrossReference(_ context.Context, _ flightsql.CrossTableRef, desc *flight.FlightDescriptor) (*flight.FlightInfo, error) {
	return metaInfo(schema_ref.CrossReference, desc), nil
}

func (s *Server) DoGetCrossReference(context.Context, flightsql.CrossTableRef) (*arrow.Schema, <-chan flight.StreamChunk, error) {
	sc, ch := s.stringRecords(schema_ref.CrossReference, nil, nil)
	return sc, ch, nil
}
