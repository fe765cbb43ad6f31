package main

import (
	"context"
	"crypto/tls"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"time"

	"github.com/meshgate/meshgate/flight"
	"github.com/meshgate/meshgate/gateway"
)

// flightFlags are the Arrow Flight SQL front door's serve flags.
type flightFlags struct {
	listen    *string
	tokenIdle *time.Duration
	tokenTTL  *time.Duration
}

func newFlightFlags(fs *flag.FlagSet) flightFlags {
	return flightFlags{
		listen:    fs.String("flight", "", "address for the Arrow Flight SQL endpoint, e.g. 127.0.0.1:15433 (TLS with -tls-cert; empty: off)"),
		tokenIdle: fs.Duration("flight-token-idle", 15*time.Minute, "a Flight bearer token unused this long expires"),
		tokenTTL:  fs.Duration("flight-token-ttl", 8*time.Hour, "a Flight bearer token expires this long after its handshake"),
	}
}

// start serves Flight SQL until ctx ends; it prints how to connect. wait
// returns when the endpoint has stopped; drain is its SIGTERM drain (nil
// without -flight).
func (f flightFlags) start(ctx context.Context, gw *gateway.Gateway, cfg *tls.Config, log *slog.Logger, stdout io.Writer) (wait func(), drain func(context.Context) error, err error) {
	if *f.listen == "" {
		return func() {}, nil, nil
	}
	ln, err := net.Listen("tcp", *f.listen)
	if err != nil {
		return nil, nil, fmt.Errorf("-flight: %w", err)
	}
	srv := flight.New(gw, flight.Config{TokenIdle: *f.tokenIdle, TokenTTL: *f.tokenTTL, TLS: cfg, Logger: log})
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(ctx, ln); err != nil {
			log.Error("flight endpoint stopped", "err", err)
		}
	}()
	scheme := "grpc"
	if cfg != nil {
		scheme = "grpc+tls"
	}
	log.Info("flight sql serving", "listen", ln.Addr().String(), "tls", cfg != nil)
	fmt.Fprintf(stdout, "Arrow Flight SQL on %s://%s (HTTP Basic handshake with the same users, e.g. ADBC uri=%s://%s username=analyst password=analyst-demo)\n",
		scheme, ln.Addr(), scheme, ln.Addr())
	return func() { <-done }, srv.Shutdown, nil
}
