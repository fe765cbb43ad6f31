package flight

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow/flight"
	"github.com/apache/arrow-go/v18/arrow/flight/flightsql"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// The Flight SQL calls meshgate does not offer answer Unimplemented with
// 0A000 and what to use instead (GetSqlInfo says Substrait is off).

func unsupported(what, instead string) error {
	return status.Errorf(codes.Unimplemented, "%s is not supported (SQLSTATE 0A000)\nHINT: %s", what, instead)
}

var (
	errSubstrait = unsupported("Substrait plans", "Send SQL: CommandStatementQuery or a prepared statement.")
	errPoll      = unsupported("PollFlightInfo", "Call GetFlightInfo; DoGet streams the result as DuckDB produces it.")
	errRenew     = unsupported("RenewFlightEndpoint", "Tickets do not expire on their own: redeem the ticket with DoGet on the same bearer token.")
)

func (s *Server) GetFlightInfoSubstraitPlan(context.Context, flightsql.StatementSubstraitPlan, *flight.FlightDescriptor) (*flight.FlightInfo, error) {
	return nil, errSubstrait
}

func (s *Server) GetSchemaSubstraitPlan(context.Context, flightsql.StatementSubstraitPlan, *flight.FlightDescriptor) (*flight.SchemaResult, error) {
	return nil, errSubstrait
}

func (s *Server) CreatePreparedSubstraitPlan(context.Context, flightsql.ActionCreatePreparedSubstraitPlanRequest) (flightsql.ActionCreatePreparedStatementResult, error) {
	return flightsql.ActionCreatePreparedStatementResult{}, errSubstrait
}

func (s *Server) DoPutCommandSubstraitPlan(context.Context, flightsql.StatementSubstraitPlan) (int64, error) {
	return 0, errSubstrait
}

func (s *Server) PollFlightInfo(context.Context, *flight.FlightDescriptor) (*flight.PollInfo, error) {
	return nil, errPoll
}

func (s *Server) PollFlightInfoStatement(context.Context, flightsql.StatementQuery, *flight.FlightDescriptor) (*flight.PollInfo, error) {
	return nil, errPoll
}

func (s *Server) PollFlightInfoSubstraitPlan(context.Context, flightsql.StatementSubstraitPlan, *flight.FlightDescriptor) (*flight.PollInfo, error) {
	return nil, errPoll
}

func (s *Server) PollFlightInfoPreparedStatement(context.Context, flightsql.PreparedStatementQuery, *flight.FlightDescriptor) (*flight.PollInfo, error) {
	return nil, errPoll
}

func (s *Server) RenewFlightEndpoint(context.Context, *flight.RenewFlightEndpointRequest) (*flight.FlightEndpoint, error) {
	return nil, errRenew
}
