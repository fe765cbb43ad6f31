package flight

import (
	"context"
	"fmt"
)

// Shutdown drains the endpoint (serve's SIGTERM): it accepts no new
// connections or calls, lets the calls in progress — a result stream
// included — finish until ctx ends, then cancels the rest.
func (s *Server) Shutdown(ctx context.Context) error {
	g := s.grpc.Load()
	if g == nil {
		return nil
	}
	done := make(chan struct{})
	go func() { g.GracefulStop(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		g.Stop()
		<-done
		return fmt.Errorf("flight: calls still running when the drain ended were canceled: %w", ctx.Err())
	}
}
