package flight

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow/flight"
	pb "github.com/apache/arrow-go/v18/arrow/flight/gen/flight"

	"github.com/meshgate/meshgate/internal/sqlquote"
)

// Session options (ADBC's current catalog and schema) are the session's
// own settings: "schema" sets search_path as SET search_path does, so the
// same names resolve for the statements after it; "catalog" can only be
// the database the session is in. Other options are refused by name.

// SetSessionOptions sets "schema" (and accepts "catalog" when it names the
// session's database); each refused option is reported in the result.
func (s *Server) SetSessionOptions(ctx context.Context, req *flight.SetSessionOptionsRequest) (*flight.SetSessionOptionsResult, error) {
	res := &flight.SetSessionOptionsResult{Errors: map[string]*flight.SetSessionOptionsResultError{}}
	refuse := func(name string, why pb.SetSessionOptionsResult_ErrorValue) {
		res.Errors[name] = &flight.SetSessionOptionsResultError{Value: why}
	}
	for name, v := range req.GetSessionOptions() {
		sv, isString := v.GetOptionValue().(*pb.SessionOptionValue_StringValue)
		switch {
		case name != "schema" && name != "catalog":
			refuse(name, flight.SetSessionOptionsResultErrorInvalidName)
		case !isString:
			refuse(name, flight.SetSessionOptionsResultErrorInvalidValue)
		case name == "catalog":
			rows, err := s.catalogRows(ctx, "SELECT current_database()")
			if err != nil {
				return nil, err
			}
			if len(rows) != 1 || rows[0][0] == nil || *rows[0][0] != sv.StringValue {
				refuse(name, flight.SetSessionOptionsResultErrorInvalidValue)
			}
		default:
			if _, err := s.update(ctx, "SET search_path TO "+sqlquote.Ident(sv.StringValue)); err != nil {
				return nil, err
			}
		}
	}
	return res, nil
}

// GetSessionOptions answers the session's catalog and schema.
func (s *Server) GetSessionOptions(ctx context.Context, _ *flight.GetSessionOptionsRequest) (*flight.GetSessionOptionsResult, error) {
	rows, err := s.catalogRows(ctx, "SELECT current_database(), current_schema()")
	if err != nil {
		return nil, err
	}
	opts := map[string]*flight.SessionOptionValue{}
	if len(rows) == 1 {
		for i, name := range []string{"catalog", "schema"} {
			if v := rows[0][i]; v != nil {
				opts[name] = &flight.SessionOptionValue{OptionValue: &pb.SessionOptionValue_StringValue{StringValue: *v}}
			}
		}
	}
	return &flight.GetSessionOptionsResult{SessionOptions: opts}, nil
}
