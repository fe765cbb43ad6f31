// Command flight measures SELECT * of a table through meshgate's Arrow
// Flight SQL endpoint with arrow-go's Flight SQL client, counted as Arrow
// rows (bench/run.sh runs it beside bench/wire on the same meshgate, so
// the Flight and pgwire rows/s come from one run), and the server's peak
// RSS (VmHWM of -pid) after the runs.
//
// Output: human lines, then "RESULT {json}" (system meshgate, mode
// flight, the fields of bench/wire's lines) and, with -pid, "RSS {json}"
// (system "meshgate flight"), which bench/report reads beside bench/wire's.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"sort"
	"time"

	"github.com/apache/arrow-go/v18/arrow/flight/flightsql"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/meshgate/meshgate/bench/internal/proc"
)

type result struct {
	System      string    `json:"system"`
	Mode        string    `json:"mode"`
	Table       string    `json:"table"`
	Rows        int64     `json:"rows"`
	Runs        []float64 `json:"runs_s"`
	BestRowsS   float64   `json:"best_rows_per_s"`
	MedianRowsS float64   `json:"median_rows_per_s"`
	ServerCPU   []float64 `json:"server_cpu_s,omitempty"` // CPU time of -pid per run
}

// rss is bench/wire's peak-RSS line (VmHWM only).
type rss struct {
	System  string `json:"system"`
	PID     int    `json:"pid"`
	VmHWMKB int64  `json:"vmhwm_kb"`
}

func main() {
	addr := flag.String("addr", "127.0.0.1:15433", "Flight SQL address (plaintext gRPC)")
	user := flag.String("user", "bench", "user")
	password := flag.String("password", "bench", "password (any for a trust user)")
	table := flag.String("table", "bench.wide", "table to read with SELECT *")
	runs := flag.Int("runs", 3, "runs")
	pid := flag.Int("pid", 0, "process whose peak RSS to report (0: none)")
	flag.Parse()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cl, err := flightsql.NewClient(*addr, nil, nil, grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithInitialWindowSize(16<<20), grpc.WithInitialConnWindowSize(16<<20), grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(64<<20)))
	if err != nil {
		fatal("%v", err)
	}
	defer cl.Close()
	if ctx, err = cl.Client.AuthenticateBasicToken(ctx, *user, *password); err != nil {
		fatal("handshake: %v", err)
	}
	res := result{System: "meshgate", Mode: "flight", Table: *table}
	for i := 0; i < *runs; i++ {
		cpu0 := proc.CPUSeconds(*pid)
		start := time.Now()
		info, err := cl.Execute(ctx, "SELECT * FROM "+*table)
		if err != nil {
			fatal("run %d: %v", i+1, err)
		}
		var rows int64
		for _, ep := range info.Endpoint {
			r, err := cl.DoGet(ctx, ep.Ticket)
			if err != nil {
				fatal("run %d: %v", i+1, err)
			}
			for r.Next() {
				rows += r.RecordBatch().NumRows()
			}
			err = r.Err()
			r.Release()
			if err != nil {
				fatal("run %d: %v", i+1, err)
			}
		}
		el := time.Since(start).Seconds()
		cpu := 0.0
		if *pid > 0 {
			cpu = proc.CPUSeconds(*pid) - cpu0
			res.ServerCPU = append(res.ServerCPU, cpu)
		}
		res.Rows = rows
		res.Runs = append(res.Runs, el)
		fmt.Fprintf(os.Stderr, "  flight run %d/%d: %d rows in %.3fs (%.0f rows/s), server CPU %.2fs\n", i+1, *runs, rows, el, float64(rows)/el, cpu)
	}
	sorted := append([]float64(nil), res.Runs...)
	sort.Float64s(sorted)
	res.BestRowsS = float64(res.Rows) / sorted[0]
	res.MedianRowsS = float64(res.Rows) / sorted[len(sorted)/2]
	peak := rss{System: "meshgate flight", PID: *pid}
	if *pid > 0 {
		peak.VmHWMKB = proc.StatusKB(*pid, "VmHWM")
	}
	fmt.Printf("meshgate flight: %d rows, best %.2f M rows/s, median %.2f M rows/s, peak RSS %.0f MB\n",
		res.Rows, res.BestRowsS/1e6, res.MedianRowsS/1e6, float64(peak.VmHWMKB)/1024)
	b, _ := json.Marshal(res)
	fmt.Printf("RESULT %s\n", b)
	if *pid > 0 {
		b, _ = json.Marshal(peak)
		fmt.Printf("RSS %s\n", b)
	}
}

func fatal(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "flight: "+format+"\n", args...)
	os.Exit(1)
}
