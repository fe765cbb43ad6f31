package flight

import (
	"context"
	"crypto/tls"
	"log/slog"
	"net"
	"sync/atomic"
	"time"

	"github.com/apache/arrow-go/v18/arrow/flight"
	"github.com/apache/arrow-go/v18/arrow/flight/flightsql"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"

	"github.com/meshgate/meshgate/gateway"
)

// Config sets the Flight SQL front door's lifetimes and transport.
type Config struct {
	TokenIdle time.Duration // a token unused this long expires (default 15m)
	TokenTTL  time.Duration // a token expires this long after its handshake (default 8h)
	TLS       *tls.Config   // nil: plaintext gRPC
	Logger    *slog.Logger
}

// Server is the Flight SQL service over a gateway.
type Server struct {
	flightsql.BaseServer
	gw     *gateway.Gateway
	cfg    Config
	log    *slog.Logger
	tokens *tokens
	mem    memory.Allocator
	grpc   atomic.Pointer[grpc.Server] // while serving; drain.go
}

// New makes the Flight SQL service for gw.
func New(gw *gateway.Gateway, cfg Config) *Server {
	if cfg.TokenIdle <= 0 {
		cfg.TokenIdle = 15 * time.Minute
	}
	if cfg.TokenTTL <= 0 {
		cfg.TokenTTL = 8 * time.Hour
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	s := &Server{gw: gw, cfg: cfg, log: cfg.Logger, mem: memory.DefaultAllocator,
		tokens: &tokens{idle: cfg.TokenIdle, ttl: cfg.TokenTTL, byID: map[string]*token{}}}
	s.Alloc = s.mem
	s.registerSqlInfo()
	return s
}

// Serve answers Flight SQL on ln until ctx ends; then it stops, closing
// every token's session.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	opts := []grpc.ServerOption{
		grpc.ChainUnaryInterceptor(s.unaryInterceptor),
		grpc.ChainStreamInterceptor(s.streamInterceptor),
		grpc.MaxRecvMsgSize(64 << 20),
		// Large flow-control windows: with gRPC's 64 KB default a stream
		// of result batches waits on window updates over loopback.
		grpc.InitialWindowSize(16 << 20),
		grpc.InitialConnWindowSize(16 << 20),
		grpc.WriteBufferSize(1 << 20),
	}
	if s.cfg.TLS != nil {
		opts = append(opts, grpc.Creds(credentials.NewTLS(s.cfg.TLS)))
	}
	g := grpc.NewServer(opts...)
	s.grpc.Store(g)
	flight.RegisterFlightServiceServer(g, flightsql.NewFlightServer(s))
	done := make(chan struct{})
	go func() {
		tick := time.NewTicker(min(s.cfg.TokenIdle, s.cfg.TokenTTL) / 4)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				g.Stop()
				return
			case <-done:
				return
			case now := <-tick.C:
				s.tokens.expire(now)
			}
		}
	}()
	err := g.Serve(ln)
	close(done)
	s.tokens.closeAll()
	if ctx.Err() != nil {
		return nil
	}
	return err
}
