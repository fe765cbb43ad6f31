// Command wire measures how fast a PostgreSQL-wire server streams a table to
// a fast client: it runs SELECT * FROM <table> in text mode (simple protocol,
// raw values counted, never decoded) and binary mode (extended protocol,
// binary result formats), each -runs times, and reports rows/s (best and
// median). With -pid it also reports the peak RSS of that process (the
// server under test): the maximum VmRSS sampled every 50 ms during the runs,
// and VmHWM read from /proc/PID/status afterwards.
//
//	go run ./bench/wire -conn 'postgres://analyst@127.0.0.1:15432/mesh' -table bench.wide -system meshgate -pid 1234
//
// Output: one JSON line per measurement (prefixed "RESULT ") and a human
// line for each.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/meshgate/meshgate/bench/internal/proc"
)

// Result is one machine-readable measurement line.
type Result struct {
	System      string    `json:"system"`
	Mode        string    `json:"mode"` // text or binary
	Table       string    `json:"table"`
	Rows        int64     `json:"rows"`
	Bytes       int64     `json:"bytes"` // value bytes received (excluding protocol framing)
	Runs        []float64 `json:"runs_s"`
	BestS       float64   `json:"best_s"`
	MedianS     float64   `json:"median_s"`
	BestRowsS   float64   `json:"best_rows_per_s"`
	MedianRowsS float64   `json:"median_rows_per_s"`
	// ServerCPU is the CPU time the server (-pid) used per run, in
	// seconds: unlike rows/s it hardly depends on other load.
	ServerCPU []float64 `json:"server_cpu_s,omitempty"`
}

// RSS is the machine-readable peak-RSS line.
type RSS struct {
	System       string `json:"system"`
	PID          int    `json:"pid"`
	SampledMaxKB int64  `json:"sampled_max_rss_kb"`
	VmHWMKB      int64  `json:"vmhwm_kb"`
	BaselineKB   int64  `json:"baseline_rss_kb"`
}

func main() {
	connStr := flag.String("conn", "postgres://analyst@127.0.0.1:15432/mesh?sslmode=disable", "connection string")
	table := flag.String("table", "bench.wide", "table to read with SELECT *")
	system := flag.String("system", "server", "label for the output lines")
	runs := flag.Int("runs", 3, "runs per mode")
	modes := flag.String("modes", "text,binary", "modes to run, comma separated")
	pid := flag.Int("pid", 0, "process whose peak RSS to report (0: none)")
	timeout := flag.Duration("timeout", 10*time.Minute, "overall timeout")
	flag.Parse()

	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()

	var sampler *rssSampler
	if *pid > 0 {
		sampler = startSampler(*pid)
	}

	cfg, err := pgx.ParseConfig(*connStr)
	if err != nil {
		fatal("parse connection string: %v", err)
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		fatal("connect: %v", err)
	}
	defer conn.Close(context.Background())

	sql := "SELECT * FROM " + *table
	enc := json.NewEncoder(os.Stdout)
	for _, mode := range strings.Split(*modes, ",") {
		mode = strings.TrimSpace(mode)
		var fn func(context.Context, *pgx.Conn, string) (int64, int64, error)
		switch mode {
		case "text":
			fn = runText
		case "binary":
			fn = runBinary
		default:
			fatal("unknown mode %q", mode)
		}
		res := Result{System: *system, Mode: mode, Table: *table}
		for i := 0; i < *runs; i++ {
			cpu0 := proc.CPUSeconds(*pid)
			start := time.Now()
			rows, bytes, err := fn(ctx, conn, sql)
			el := time.Since(start).Seconds()
			cpu := 0.0
			if *pid > 0 {
				cpu = proc.CPUSeconds(*pid) - cpu0
				res.ServerCPU = append(res.ServerCPU, round(cpu, 2))
			}
			if err != nil {
				fatal("%s %s run %d: %v", *system, mode, i+1, err)
			}
			if i > 0 && rows != res.Rows {
				fatal("%s %s: row count changed between runs: %d then %d", *system, mode, res.Rows, rows)
			}
			res.Rows, res.Bytes = rows, bytes
			res.Runs = append(res.Runs, round(el, 4))
			fmt.Fprintf(os.Stderr, "  %-10s %-6s run %d/%d: %d rows in %.3fs (%.0f rows/s), server CPU %.2fs\n", *system, mode, i+1, *runs, rows, el, float64(rows)/el, cpu)
		}
		sorted := append([]float64(nil), res.Runs...)
		sort.Float64s(sorted)
		res.BestS = sorted[0]
		res.MedianS = sorted[len(sorted)/2]
		if len(sorted)%2 == 0 {
			res.MedianS = round((sorted[len(sorted)/2-1]+sorted[len(sorted)/2])/2, 4)
		}
		res.BestRowsS = round(float64(res.Rows)/res.BestS, 0)
		res.MedianRowsS = round(float64(res.Rows)/res.MedianS, 0)
		fmt.Print("RESULT ")
		enc.Encode(res)
		fmt.Printf("%s %s: %d rows, %.1f MB, best %.3fs (%.2f M rows/s), median %.3fs (%.2f M rows/s)\n",
			*system, mode, res.Rows, float64(res.Bytes)/1e6, res.BestS, res.BestRowsS/1e6, res.MedianS, res.MedianRowsS/1e6)
	}

	if sampler != nil {
		r := sampler.stop()
		r.System = *system
		fmt.Print("RSS ")
		enc.Encode(r)
		fmt.Printf("%s peak RSS: %.1f MB sampled max, %.1f MB VmHWM (%.1f MB before the runs)\n",
			*system, float64(r.SampledMaxKB)/1024, float64(r.VmHWMKB)/1024, float64(r.BaselineKB)/1024)
	}
}

// runText reads the result through the simple query protocol (text
// format), counting rows and raw value bytes without decoding them.
func runText(ctx context.Context, conn *pgx.Conn, sql string) (int64, int64, error) {
	rows, err := conn.Query(ctx, sql, pgx.QueryExecModeSimpleProtocol)
	if err != nil {
		return 0, 0, err
	}
	defer rows.Close()
	var n, b int64
	for rows.Next() {
		for _, v := range rows.RawValues() {
			b += int64(len(v))
		}
		n++
	}
	rows.Close()
	return n, b, rows.Err()
}

// runBinary reads the result through the extended protocol with binary
// result formats.
func runBinary(ctx context.Context, conn *pgx.Conn, sql string) (int64, int64, error) {
	rr := conn.PgConn().ExecParams(ctx, sql, nil, nil, nil, []int16{1})
	var n, b int64
	for rr.NextRow() {
		for _, v := range rr.Values() {
			b += int64(len(v))
		}
		n++
	}
	_, err := rr.Close()
	return n, b, err
}

type rssSampler struct {
	pid      int
	baseline int64
	max      atomic.Int64
	done     chan struct{}
	wg       sync.WaitGroup
}

func startSampler(pid int) *rssSampler {
	s := &rssSampler{pid: pid, done: make(chan struct{})}
	s.baseline = proc.StatusKB(pid, "VmRSS")
	s.max.Store(s.baseline)
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-s.done:
				return
			case <-t.C:
				if v := proc.StatusKB(pid, "VmRSS"); v > s.max.Load() {
					s.max.Store(v)
				}
			}
		}
	}()
	return s
}

func (s *rssSampler) stop() RSS {
	close(s.done)
	s.wg.Wait()
	if v := proc.StatusKB(s.pid, "VmRSS"); v > s.max.Load() {
		s.max.Store(v)
	}
	return RSS{PID: s.pid, SampledMaxKB: s.max.Load(), VmHWMKB: proc.StatusKB(s.pid, "VmHWM"), BaselineKB: s.baseline}
}

func round(v float64, digits int) float64 {
	p := 1.0
	for i := 0; i < digits; i++ {
		p *= 10
	}
	return float64(int64(v*p+0.5)) / p
}

func fatal(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "wire: "+format+"\n", args...)
	os.Exit(1)
}
