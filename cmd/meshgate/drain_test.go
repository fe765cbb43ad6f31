package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"regexp"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/flight/flightsql"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

var flightRE = regexp.MustCompile(`Arrow Flight SQL on grpc://(\S+)`)
var catalogRE = regexp.MustCompile(`Catalog \(web and API\): http://(\S+)/ `)

// address waits for serve to print a line matching re and returns its
// first group.
func (s *served) address(t *testing.T, re *regexp.Regexp) string {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if m := re.FindStringSubmatch(s.stdout.String()); m != nil {
			return m[1]
		}
	}
	t.Fatalf("serve printed no line matching %s: %s", re, s.stdout.String())
	return ""
}

// SIGTERM drains every front door, not only pgwire: a Flight result
// stream in progress finishes whole, while the HTTP catalog and Flight
// take no new connections.
func TestDrainFrontDoors(t *testing.T) {
	needDemo(t)
	s := startServe(t, demoMesh, "-flight", "127.0.0.1:0", "-http", "127.0.0.1:0", "-drain-timeout", "2m")
	flightAddr, catalogAddr := s.address(t, flightRE), s.address(t, catalogRE)
	if resp, err := http.Get("http://" + catalogAddr + "/api/v1/products"); err != nil {
		t.Fatal(err)
	} else {
		resp.Body.Close()
	}
	cl, err := flightsql.NewClient(flightAddr, nil, nil, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, err := cl.Client.AuthenticateBasicToken(context.Background(), "analyst", "analyst-demo")
	if err != nil {
		t.Fatal(err)
	}
	// The client holds the stream open: it reads one batch, then serve
	// gets SIGTERM, then it reads the rest.
	const n = 3_000_000
	info, err := cl.Execute(ctx, fmt.Sprintf("SELECT x FROM range(%d) t(x)", n))
	if err != nil {
		t.Fatal(err)
	}
	rd, err := cl.DoGet(ctx, info.Endpoint[0].Ticket)
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Release()
	if !rd.Next() {
		t.Fatalf("no first batch: %v", rd.Err())
	}
	rows := rd.RecordBatch().NumRows()
	stopped := make(chan int, 1)
	go func() { stopped <- s.stop(t) }()
	// The catalog stops accepting at once (its listener closes).
	refused := false
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline) && !refused; time.Sleep(20 * time.Millisecond) {
		c, err := net.DialTimeout("tcp", catalogAddr, time.Second)
		if err != nil {
			refused = true
			break
		}
		c.Close()
	}
	if !refused {
		t.Error("the HTTP catalog still accepts connections during the drain")
	}
	for rd.Next() {
		rows += rd.RecordBatch().NumRows()
	}
	if rd.Err() != nil || rows != n {
		t.Errorf("the Flight stream in flight during the drain: %d rows, %v (want %d)", rows, rd.Err(), n)
	}
	if _, err := cl.Execute(ctx, "SELECT 1"); err == nil {
		t.Error("Flight still runs new statements after the drain")
	}
	if code := <-stopped; code != 0 {
		t.Fatalf("serve exited %d: %s", code, s.stderr.String())
	}
}
