package flight

import (
	"context"
	"errors"
	"strings"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/meshgate/meshgate/sqlstate"
)

// statusOf turns a gateway error into a gRPC status carrying the sentence
// and SQLSTATE a pgwire client gets ("… (SQLSTATE 42501)", then the hint).
func statusOf(err error) error {
	if err == nil {
		return nil
	}
	if _, ok := status.FromError(err); ok && sqlstate.As(err) == nil {
		return err
	}
	se := sqlstate.As(err)
	if se == nil {
		switch {
		case errors.Is(err, context.Canceled):
			return status.Error(codes.Canceled, "canceling statement due to user request (SQLSTATE 57014)")
		case errors.Is(err, context.DeadlineExceeded):
			return status.Error(codes.DeadlineExceeded, "canceling statement due to statement timeout (SQLSTATE 57014)")
		}
		return status.Error(codes.Internal, err.Error()+" (SQLSTATE XX000)")
	}
	msg := se.Error()
	if se.Hint != "" {
		msg += "\nHINT: " + se.Hint
	}
	return status.Error(codeOf(se.Code), msg)
}

// codeOf maps an SQLSTATE to the gRPC code a Flight client expects.
func codeOf(state string) codes.Code {
	switch state {
	case sqlstate.InsufficientPrivilege, sqlstate.ReadOnlyTransaction:
		return codes.PermissionDenied
	case sqlstate.FeatureNotSupported:
		return codes.Unimplemented
	case sqlstate.InvalidAuthorization, sqlstate.InvalidPassword:
		return codes.Unauthenticated
	case sqlstate.QueryCanceled:
		return codes.Canceled
	case sqlstate.TooManyConnections, sqlstate.OutOfMemory, sqlstate.ProgramLimitExceeded:
		return codes.ResourceExhausted
	case sqlstate.UndefinedTable, sqlstate.UndefinedObject:
		return codes.NotFound
	case sqlstate.InternalError:
		return codes.Internal
	case sqlstate.AdminShutdown, sqlstate.ConnectionFailure:
		return codes.Unavailable
	}
	switch {
	case strings.HasPrefix(state, "22"), strings.HasPrefix(state, "42"), strings.HasPrefix(state, "08"), strings.HasPrefix(state, "26"), strings.HasPrefix(state, "34"):
		return codes.InvalidArgument
	case strings.HasPrefix(state, "25"), strings.HasPrefix(state, "55"):
		return codes.FailedPrecondition
	}
	return codes.Unknown
}
