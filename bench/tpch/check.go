package main

import (
	"flag"
	"fmt"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"
)

// orderKeys are the output columns (0-based) each query's ORDER BY sorts
// on: rows that agree on them are ties, whose order is unspecified.
var orderKeys = map[string][]int{
	"q01": {0, 1}, "q02": {0, 2, 1, 3}, "q03": {1, 2}, "q04": {0}, "q05": {1}, "q06": {},
	"q07": {0, 1, 2}, "q08": {0}, "q09": {0, 1}, "q10": {2}, "q11": {1}, "q12": {0},
	"q13": {1, 0}, "q14": {}, "q15": {0}, "q16": {3, 0, 1, 2}, "q17": {}, "q18": {4, 3},
	"q19": {}, "q20": {0}, "q21": {1, 0}, "q22": {0},
}

// relTol is the relative tolerance for numeric values: decimal sums are
// exact on both sides, averages and other doubles differ in the last bits.
const relTol = 1e-9

func valueEqual(a, b *string) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	if *a == *b {
		return true
	}
	x, err1 := strconv.ParseFloat(*a, 64)
	y, err2 := strconv.ParseFloat(*b, 64)
	if err1 != nil || err2 != nil {
		return false
	}
	return math.Abs(x-y) <= relTol*math.Max(math.Abs(x), math.Abs(y)) || math.Abs(x-y) < 1e-12
}

func rowEqual(a, b []*string, cols []int) bool {
	if len(a) != len(b) {
		return false
	}
	if cols == nil {
		for i := range a {
			if !valueEqual(a[i], b[i]) {
				return false
			}
		}
		return true
	}
	for _, i := range cols {
		if i < len(a) && !valueEqual(a[i], b[i]) {
			return false
		}
	}
	return true
}

func rowKey(r []*string) string {
	var b strings.Builder
	for _, v := range r {
		switch {
		case v == nil:
			b.WriteString("\x00NULL")
		default:
			if f, err := strconv.ParseFloat(*v, 64); err == nil {
				fmt.Fprintf(&b, "%.6g", f)
			} else {
				b.WriteString(*v)
			}
		}
		b.WriteByte('\x01')
	}
	return b.String()
}

func fmtRow(r []*string) string {
	var p []string
	for _, v := range r {
		if v == nil {
			p = append(p, "NULL")
		} else {
			p = append(p, *v)
		}
	}
	return "(" + strings.Join(p, ", ") + ")"
}

// compare returns "" when got equals want (the reference), or what differs.
func compare(name string, want, got [][]*string) (diff string, tiesReordered bool) {
	if len(want) != len(got) {
		d := fmt.Sprintf("%d rows, PostgreSQL has %d", len(got), len(want))
		for i := 0; i < min(len(want), len(got)); i++ {
			if !rowEqual(want[i], got[i], nil) {
				return d + fmt.Sprintf("; first differing row %d: meshgate %s, PostgreSQL %s", i+1, fmtRow(got[i]), fmtRow(want[i])), false
			}
		}
		return d, false
	}
	first := -1
	for i := range want {
		if !rowEqual(want[i], got[i], nil) {
			first = i
			break
		}
	}
	if first < 0 {
		return "", false
	}
	firstDiff := fmt.Sprintf("first differing row %d: meshgate %s, PostgreSQL %s", first+1, fmtRow(got[first]), fmtRow(want[first]))
	// Ties: the ORDER BY columns must agree row by row, and the rows as a
	// multiset.
	keys, known := orderKeys[name]
	if !known {
		return firstDiff, false
	}
	for i := range want {
		if !rowEqual(want[i], got[i], keys) {
			return firstDiff + " (the ORDER BY columns differ)", false
		}
	}
	w := append([][]*string(nil), want...)
	g := append([][]*string(nil), got...)
	sort.SliceStable(w, func(i, j int) bool { return rowKey(w[i]) < rowKey(w[j]) })
	sort.SliceStable(g, func(i, j int) bool { return rowKey(g[i]) < rowKey(g[j]) })
	for i := range w {
		if !rowEqual(w[i], g[i], nil) {
			return fmt.Sprintf("%s (after sorting ties: meshgate %s, PostgreSQL %s)", firstDiff, fmtRow(g[i]), fmtRow(w[i])), false
		}
	}
	return "", true
}

// checkResult is the verdict of one query.
type checkResult struct {
	Query, Status, Detail string // Status: ok, ties, mismatch, error, noref
}

// cmdCheck compares the rows of a meshgate run with PostgreSQL's and exits
// non-zero on any mismatch or failure.
func cmdCheck(args []string) {
	fs := flag.NewFlagSet("check", flag.ExitOnError)
	ref := fs.String("ref", "", "reference run (PostgreSQL) JSON")
	gotF := fs.String("got", "", "run to check (meshgate) JSON")
	out := fs.String("out", "", "JSON verdicts output")
	fs.Parse(args)
	var want, got tpchRun
	if !readJSON(*ref, &want) || !readJSON(*gotF, &got) {
		fatal("check: cannot read %s or %s", *ref, *gotF)
	}
	wq := map[string]queryResult{}
	for _, q := range want.Queries {
		wq[q.Query] = q
	}
	var verdicts []checkResult
	bad := 0
	for _, g := range got.Queries {
		w, ok := wq[g.Query]
		v := checkResult{Query: g.Query}
		switch {
		case g.Error != "":
			v.Status, v.Detail = "error", g.Error
		case !ok || w.Error != "":
			v.Status, v.Detail = "noref", "PostgreSQL failed: "+w.Error
		default:
			d, ties := compare(g.Query, w.Rows, g.Rows)
			switch {
			case d != "":
				v.Status, v.Detail = "mismatch", d
			case ties:
				v.Status, v.Detail = "ties", "equal; rows tied on the ORDER BY columns come in another order"
			default:
				v.Status = "ok"
			}
		}
		if v.Status == "error" || v.Status == "mismatch" {
			bad++
			fmt.Fprintf(os.Stderr, "CHECK FAILED %s %s: %s: %s\n", got.System, v.Query, v.Status, v.Detail)
		} else if v.Status != "ok" {
			fmt.Printf("  check %s %s: %s %s\n", got.System, v.Query, v.Status, v.Detail)
		}
		verdicts = append(verdicts, v)
	}
	writeJSON(*out, verdicts)
	if bad > 0 {
		fmt.Fprintf(os.Stderr, "check: %s: %d of %d queries failed or differ from PostgreSQL\n", got.System, bad, len(got.Queries))
		os.Exit(1)
	}
	fmt.Printf("check: %s: all %d queries equal PostgreSQL's results\n", got.System, len(got.Queries))
}
