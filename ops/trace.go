package ops

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/exporters/stdout/stdouttrace"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// Tracing says where spans go; tracing is off when both are empty.
type Tracing struct {
	OTLPEndpoint string // an OTLP/HTTP URL: http://collector:4318 (path /v1/traces by default)
	File         string // JSON lines, one span per line (stdouttrace)
	Version      string // service.version
}

// StartTracing installs the process's tracer provider. The returned
// function flushes and stops it (call it at exit); it is a no-op when
// tracing is off.
func StartTracing(ctx context.Context, t Tracing) (stop func(context.Context) error, err error) {
	noop := func(context.Context) error { return nil }
	if t.OTLPEndpoint == "" && t.File == "" {
		return noop, nil
	}
	var opts []sdktrace.TracerProviderOption
	var closers []func() error
	if t.OTLPEndpoint != "" {
		u, err := otlpURL(t.OTLPEndpoint)
		if err != nil {
			return noop, err
		}
		exp, err := otlptracehttp.New(ctx, otlptracehttp.WithEndpointURL(u))
		if err != nil {
			return noop, fmt.Errorf("-trace-otlp: %w", err)
		}
		opts = append(opts, sdktrace.WithBatcher(exp))
	}
	if t.File != "" {
		f, err := os.OpenFile(t.File, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o640)
		if err != nil {
			return noop, fmt.Errorf("-trace-file: %w", err)
		}
		exp, err := stdouttrace.New(stdouttrace.WithWriter(f))
		if err != nil {
			f.Close()
			return noop, fmt.Errorf("-trace-file: %w", err)
		}
		opts = append(opts, sdktrace.WithBatcher(exp))
		closers = append(closers, f.Close)
	}
	res := resource.NewSchemaless(attribute.String("service.name", "meshgate"), attribute.String("service.version", t.Version))
	tp := sdktrace.NewTracerProvider(append(opts, sdktrace.WithResource(res))...)
	otel.SetTracerProvider(tp)
	otel.SetTextMapPropagator(propagation.TraceContext{})
	return func(ctx context.Context) error {
		err := tp.Shutdown(ctx)
		for _, c := range closers {
			err = errors.Join(err, c())
		}
		return err
	}, nil
}

// otlpURL checks an OTLP/HTTP endpoint and gives it the traces path when
// it has none.
func otlpURL(endpoint string) (string, error) {
	u, err := url.Parse(endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("-trace-otlp %q: give an OTLP/HTTP URL such as http://127.0.0.1:4318", endpoint)
	}
	if u.Path == "" || u.Path == "/" {
		u.Path = "/v1/traces"
	}
	return u.String(), nil
}
