// Command report turns the measurement lines of bench/wire and
// bench/duckdirect ("RESULT {json}" and "RSS {json}") and the output of the
// pgwire Go micro-benchmarks into a table on stdout and the "Wire
// throughput" section of BENCHMARKS.md, written between the markers
// <!-- wire:begin --> and <!-- wire:end --> (other sections are kept).
//
//	go run ./bench/report -results results.txt -micro micro.txt -rows 10000000 -cmd './bench/run.sh 1 10000000' -md BENCHMARKS.md
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/meshgate/meshgate/bench/internal/benchmd"
)

type result struct {
	System      string    `json:"system"`
	Mode        string    `json:"mode"`
	Rows        int64     `json:"rows"`
	Runs        []float64 `json:"runs_s"`
	BestRowsS   float64   `json:"best_rows_per_s"`
	MedianRowsS float64   `json:"median_rows_per_s"`
	ServerCPU   []float64 `json:"server_cpu_s"`
}

// cpuPerM is the server's least CPU time per million rows over the runs
// ("" without CPU figures).
func (r result) cpuPerM() string {
	if len(r.ServerCPU) == 0 || r.Rows == 0 {
		return ""
	}
	least := r.ServerCPU[0]
	for _, c := range r.ServerCPU {
		least = min(least, c)
	}
	return fmt.Sprintf("%.3f s", least/float64(r.Rows)*1e6)
}

type rss struct {
	System       string `json:"system"`
	SampledMaxKB int64  `json:"sampled_max_rss_kb"`
	VmHWMKB      int64  `json:"vmhwm_kb"`
	BaselineKB   int64  `json:"baseline_rss_kb"`
}

// wireIntro opens the Wire throughput section of a new BENCHMARKS.md.
const wireIntro = "How fast one client can stream a large table out of meshgate over the PostgreSQL wire protocol, against PostgreSQL 15 serving the same rows from a regular table, and against embedded DuckDB reading the Parquet file directly (the engine ceiling: what the gateway could reach with a free wire path)."

func main() {
	resultsFile := flag.String("results", "", "file with RESULT/RSS lines")
	microFile := flag.String("micro", "", "go test -bench output of ./gateway/pgwire (optional)")
	rows := flag.Int64("rows", 0, "rows of bench.wide")
	cmd := flag.String("cmd", "./bench/run.sh", "command that produced the figures")
	md := flag.String("md", "BENCHMARKS.md", "markdown file to update ('' for none)")
	load := flag.String("load", "", "load average before the run (from /proc/loadavg)")
	pgVersion := flag.String("pg-version", "PostgreSQL 15", "label of the PostgreSQL peer")
	note := flag.String("note", "", "extra note for BENCHMARKS.md")
	flag.Parse()

	results := map[string]result{} // system/mode
	rsses := map[string]rss{}
	if err := readResults(*resultsFile, results, rsses); err != nil {
		fatal("%v", err)
	}
	micro := readMicro(*microFile)

	get := func(sys, mode string) (result, bool) { r, ok := results[sys+"/"+mode]; return r, ok }
	cell := func(sys, mode string) string {
		r, ok := get(sys, mode)
		if !ok {
			return "–"
		}
		return fmt.Sprintf("%s (%s)", mrows(r.BestRowsS), mrows(r.MedianRowsS))
	}
	ratio := func(mode string) string {
		a, ok1 := get("meshgate", mode)
		b, ok2 := get("postgresql", mode)
		if !ok1 || !ok2 || b.BestRowsS == 0 {
			return "–"
		}
		return fmt.Sprintf("%.2f× (%.2f×)", a.BestRowsS/b.BestRowsS, a.MedianRowsS/b.MedianRowsS)
	}
	rssCell := "–"
	if r, ok := rsses["meshgate"]; ok {
		peak := max(r.SampledMaxKB, r.VmHWMKB)
		rssCell = fmt.Sprintf("%.0f MB (%.0f MB idle)", float64(peak)/1024, float64(r.BaselineKB)/1024)
	}

	var noisy []string
	busy := false
	if l, err := strconv.ParseFloat(strings.Fields(*load + " 0")[0], 64); err == nil && l > 0.5*float64(runtime.NumCPU()) {
		noisy = append(noisy, fmt.Sprintf("load average %.2f on %d cores before the run", l, runtime.NumCPU()))
		busy = true
	}
	for _, k := range []string{"meshgate/text", "meshgate/binary", "postgresql/text", "postgresql/binary", "duckdb-direct/arrow"} {
		r, ok := results[k]
		if ok && r.BestRowsS > 0 && r.MedianRowsS < 0.85*r.BestRowsS {
			noisy = append(noisy, fmt.Sprintf("%s median %.0f%% below best", k, 100*(1-r.MedianRowsS/r.BestRowsS)))
		}
	}

	var b strings.Builder
	fmt.Fprintf(&b, "_Written by `bench/run.sh` on %s; regenerated on every run (text between the wire markers is replaced)._\n\n", time.Now().UTC().Format("2006-01-02 15:04 MST"))
	fmt.Fprintf(&b, "- Machine: %s\n", benchmd.Machine())
	fmt.Fprintf(&b, "- Command: `%s`\n", *cmd)
	fmt.Fprintf(&b, "- Rows: %s rows of `bench.wide` (id bigint, value double, name text, day date; Parquet, zstd), `SELECT * FROM …`\n", commas(*rows))
	b.WriteString("- Client: `bench/wire` (pgx v5 over TCP loopback): text = simple protocol, raw values counted, not decoded; binary = extended protocol, binary result formats (`ExecParams` + `NextRow`). Best (median) of the runs, in rows/s.\n")
	if *load != "" {
		fmt.Fprintf(&b, "- Load average before the run: %s\n", *load)
	}
	b.WriteString("\n| System | Text rows/s | Binary rows/s | Peak RSS |\n|---|---:|---:|---:|\n")
	fmt.Fprintf(&b, "| meshgate | %s | %s | %s |\n", cell("meshgate", "text"), cell("meshgate", "binary"), rssCell)
	fmt.Fprintf(&b, "| %s | %s | %s | – |\n", *pgVersion, cell("postgresql", "text"), cell("postgresql", "binary"))
	fmt.Fprintf(&b, "| **meshgate / PostgreSQL** | %s | %s | |\n", ratio("text"), ratio("binary"))
	if _, ok := get("duckdb-direct", "arrow"); ok {
		fmt.Fprintf(&b, "| DuckDB embedded, Parquet → Arrow batches, no wire (engine ceiling) | %s | | |\n", cell("duckdb-direct", "arrow"))
	}
	flightLine := ""
	if f, ok := get("meshgate", "flight"); ok {
		flightLine = fmt.Sprintf("Arrow Flight SQL (`bench/flight`, arrow-go's client, counted as Arrow rows, a fresh gateway): %s rows/s", cell("meshgate", "flight"))
		if bin, ok := get("meshgate", "binary"); ok && bin.BestRowsS > 0 {
			flightLine += fmt.Sprintf(", %.2f× meshgate's binary pgwire", f.BestRowsS/bin.BestRowsS)
		}
		if d, ok := get("duckdb-direct", "arrow"); ok && d.BestRowsS > 0 {
			flightLine += fmt.Sprintf(", %.0f%% of the engine ceiling", 100*f.BestRowsS/d.BestRowsS)
		}
		if r, ok := rsses["meshgate flight"]; ok && r.VmHWMKB > 0 {
			flightLine += fmt.Sprintf("; peak RSS %.0f MB", float64(r.VmHWMKB)/1024)
		}
		flightLine += "."
		fmt.Fprintf(&b, "\n%s\n", flightLine)
	}
	var cpus []string
	for _, k := range [][3]string{{"meshgate", "text", "pgwire text"}, {"meshgate", "binary", "pgwire binary"}, {"meshgate", "flight", "Flight SQL"}, {"duckdb-direct", "arrow", "the engine ceiling (in-process)"}} {
		if r, ok := get(k[0], k[1]); ok && r.cpuPerM() != "" {
			cpus = append(cpus, k[2]+" "+r.cpuPerM())
		}
	}
	if len(cpus) > 0 {
		fmt.Fprintf(&b, "\nServer CPU time per million rows (user + system, all threads, least of the runs; much less affected by other load than rows/s): %s.\n", strings.Join(cpus, ", "))
	}
	b.WriteString("\nmeshgate peak RSS is the larger of VmRSS sampled every 50 ms during its runs and VmHWM afterwards; PostgreSQL is started with `shared_buffers=256MB, fsync=off`, the table loaded with COPY and `VACUUM ANALYZE`d.\n")
	if len(noisy) > 0 {
		what := "runs varied"
		if busy {
			what = "the machine was busy with other work"
		}
		fmt.Fprintf(&b, "\n**Noise:** %s (%s); treat the figures as approximate, best of runs is the fairer number.\n", what, strings.Join(noisy, "; "))
	}
	if *note != "" {
		fmt.Fprintf(&b, "\n%s\n", *note)
	}
	if len(micro) > 0 {
		b.WriteString("\nDataRow encoding micro-benchmarks (`go test -tags duckdb_arrow -run '^$' -bench . -benchtime 2x ./gateway/pgwire/`, one core, 64K rows per op, no socket):\n\n| Column type | Text rows/s | Binary rows/s |\n|---|---:|---:|\n")
		for _, typ := range microOrder(micro) {
			fmt.Fprintf(&b, "| %s | %s | %s |\n", typ, mrowsOrDash(micro["Text/"+typ]), mrowsOrDash(micro["Binary/"+typ]))
		}
	}
	section := b.String()

	// Console table.
	fmt.Println()
	fmt.Printf("%-16s %22s %22s %s\n", "system", "text rows/s best(med)", "binary rows/s best(med)", "peak RSS")
	fmt.Printf("%-16s %22s %22s %s\n", "meshgate", cell("meshgate", "text"), cell("meshgate", "binary"), rssCell)
	fmt.Printf("%-16s %22s %22s\n", "postgresql", cell("postgresql", "text"), cell("postgresql", "binary"))
	fmt.Printf("%-16s %22s %22s\n", "mg/pg ratio", ratio("text"), ratio("binary"))
	fmt.Printf("%-16s %22s %22s\n", "duckdb direct", cell("duckdb-direct", "arrow"), "(arrow)")
	if flightLine != "" {
		fmt.Println(flightLine)
	}
	if len(cpus) > 0 {
		fmt.Printf("meshgate CPU per M rows: %s\n", strings.Join(cpus, ", "))
	}
	if len(noisy) > 0 {
		fmt.Printf("noise: %s\n", strings.Join(noisy, "; "))
	}
	if len(micro) > 0 {
		fmt.Println("\nDataRow micro-benchmarks (rows/s, text / binary):")
		for _, typ := range microOrder(micro) {
			fmt.Printf("  %-10s %10s / %s\n", typ, mrowsOrDash(micro["Text/"+typ]), mrowsOrDash(micro["Binary/"+typ]))
		}
	}

	if *md != "" {
		if err := benchmd.UpdateSection(*md, "wire", "Wire throughput", wireIntro, section); err != nil {
			fatal("%v", err)
		}
		fmt.Printf("\nupdated the Wire throughput section of %s\n", *md)
	}
}

func readResults(path string, results map[string]result, rsses map[string]rss) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if s, ok := strings.CutPrefix(line, "RESULT "); ok {
			var r result
			if err := json.Unmarshal([]byte(s), &r); err != nil {
				return fmt.Errorf("%s: %v", line, err)
			}
			results[r.System+"/"+r.Mode] = r
		} else if s, ok := strings.CutPrefix(line, "RSS "); ok {
			var r rss
			if err := json.Unmarshal([]byte(s), &r); err != nil {
				return fmt.Errorf("%s: %v", line, err)
			}
			rsses[r.System] = r
		}
	}
	return sc.Err()
}

var microLine = regexp.MustCompile(`^BenchmarkDataRow(Text|Binary)/(\w+)(?:-\d+)?\s.*?\s([0-9.e+]+) rows/s`)

// readMicro returns rows/s keyed "Text/bigint", "Binary/mix4", ...
func readMicro(path string) map[string]float64 {
	out := map[string]float64{}
	if path == "" {
		return out
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return out
	}
	for _, line := range strings.Split(string(data), "\n") {
		m := microLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		v, err := strconv.ParseFloat(m[3], 64)
		if err == nil {
			out[m[1]+"/"+m[2]] = v
		}
	}
	return out
}

func microOrder(micro map[string]float64) []string {
	var out []string
	seen := map[string]bool{}
	for _, t := range []string{"bigint", "double", "text", "date", "numeric", "timestamp", "mix4"} {
		if _, ok := micro["Text/"+t]; ok {
			out, seen[t] = append(out, t), true
		} else if _, ok := micro["Binary/"+t]; ok {
			out, seen[t] = append(out, t), true
		}
	}
	for k := range micro {
		if t := k[strings.Index(k, "/")+1:]; !seen[t] {
			out, seen[t] = append(out, t), true
		}
	}
	return out
}

func mrows(v float64) string {
	if v >= 1e6 {
		return fmt.Sprintf("%.2f M", v/1e6)
	}
	return fmt.Sprintf("%.0f k", v/1e3)
}

func mrowsOrDash(v float64) string {
	if v == 0 {
		return "–"
	}
	if v >= 1e6 {
		return fmt.Sprintf("%.1f M", v/1e6)
	}
	return mrows(v)
}

func commas(n int64) string {
	s := strconv.FormatInt(n, 10)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

func fatal(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "report: "+format+"\n", args...)
	os.Exit(1)
}
