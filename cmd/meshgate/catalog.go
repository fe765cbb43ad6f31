package main

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"log/slog"
	"net"

	"github.com/meshgate/meshgate/catalogweb"
	"github.com/meshgate/meshgate/gateway"
)

// serveCatalog starts the catalog's HTTP listener (catalogweb) on addr,
// with TLS when the SQL side has it, until ctx ends.
// serveCatalog serves the HTTP catalog until ctx ends; it returns the
// catalog's drain and wait, which returns once the catalog has stopped
// and closed its sessions.
func serveCatalog(ctx context.Context, addr string, gw *gateway.Gateway, tlsConf *tls.Config, sqlAddr, database string, stdout io.Writer, log *slog.Logger) (drain func(context.Context) error, wait func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, nil, fmt.Errorf("-http: %w", err)
	}
	cs, err := catalogweb.New(gw, catalogweb.Config{Database: database, TLS: tlsConf != nil, Logger: log})
	if err != nil {
		ln.Close()
		return nil, nil, err
	}
	cs.SQLAddress(sqlAddr)
	scheme := "http"
	if tlsConf != nil {
		c := tlsConf.Clone()
		c.NextProtos = []string{"h2", "http/1.1"}
		ln = tls.NewListener(ln, c)
		scheme = "https"
	}
	fmt.Fprintf(stdout, "Catalog (web and API): %s://%s/  (API: %s://%s/api/v1/openapi.json)\n", scheme, ln.Addr(), scheme, ln.Addr())
	log.Info("catalog serving", "listen", ln.Addr().String(), "tls", tlsConf != nil)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := cs.Serve(ctx, ln); err != nil {
			log.Error("catalog listener stopped", "err", err)
		}
	}()
	return cs.Shutdown, func() { <-done }, nil
}
