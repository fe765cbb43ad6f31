package main

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strconv"
	"time"

	"github.com/meshgate/meshgate/connectors"
	"github.com/meshgate/meshgate/engine"
	"github.com/meshgate/meshgate/gateway"
	"github.com/meshgate/meshgate/gateway/pgcatalog"
	"github.com/meshgate/meshgate/planner/catalog"
	"github.com/meshgate/meshgate/quality"
)

// check runs the quality rules and SLAs of the mesh's products against
// their real ports: exit 0 when every error-severity rule passes, 1 when
// one fails (or cannot run), 2 when a port cannot be read or the mesh is
// invalid.
func check(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	policies := fs.String("policies", "", "also compile the policy directory against the mesh")
	product := fs.String("product", "", "check only this product (domain.product)")
	format := fs.String("format", "text", "text, json or junit")
	timeout := fs.Duration("timeout", 5*time.Minute, "time limit of one product's check")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(stderr, "usage: meshgate check [-policies DIR] [-product domain.product] [-format text|json|junit] DIR [DIR…]")
		return 2
	}
	if *format != "text" && *format != "json" && *format != "junit" {
		fmt.Fprintf(stderr, "meshgate: -format %q is not one of text, json, junit\n", *format)
		return 2
	}
	var only *catalog.Address
	if *product != "" {
		a, err := catalog.ParseAddress(*product)
		if err != nil {
			fmt.Fprintf(stderr, "meshgate: -product: %v\n", err)
			return 2
		}
		only = &a
	}
	ctx := context.Background()
	mesh, problems := loadMeshes(fs.Args())
	if *policies != "" {
		withAudit(mesh)
	}
	eng, portProblems, err := engine.Open(ctx, mesh, engine.Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		fmt.Fprintf(stderr, "meshgate: %v\n", err)
		return 2
	}
	defer eng.Close()
	// sql rules are PostgreSQL SQL, rewritten to the client catalog's
	// functions as a user query is: the engine needs them as serve has.
	if err := eng.Setup(pgcatalog.SharedStatements(gateway.DefaultDatabase, "meshgate "+version, time.Now())); err != nil {
		fmt.Fprintf(stderr, "meshgate: %v\n", err)
		return 2
	}
	problems = append(append(problems, portProblems...), quality.Validate(ctx, eng)...)
	if *policies != "" {
		set, ps := loadPolicy(ctx, *policies, mesh, eng)
		problems = append(problems, ps...)
		if set != nil {
			gateway.InstallDefiners(eng, set, slog.New(slog.NewTextHandler(stderr, nil)))
		}
	}
	code := 0
	for _, p := range problems {
		if only == nil || p.Product == only.String() {
			fmt.Fprintln(stderr, p.String())
			code = 2
		}
	}
	live := map[catalog.Address]connectors.Connector{}
	defer func() {
		for _, c := range live {
			c.Close()
		}
	}()
	runner := &quality.Runner{Engine: eng, Timeout: *timeout, Live: func(a catalog.Address) connectors.Connector { return live[a] }}
	var reports []quality.Report
	for _, p := range eng.Products() {
		if (only != nil && p.Address != *only) || !quality.Checked(p) {
			continue
		}
		if len(p.Ports) > 0 && p.Ports[0].Remote() {
			// check reads a snapshot port live: it has no snapshot of its own.
			c, err := connectors.Open(ctx, p, &p.Ports[0], connectors.NewSecrets(filepath.Dir(p.File)))
			if err != nil {
				reports = append(reports, quality.Report{Product: p.Address, Version: p.Version, CheckedAt: time.Now(), Unreachable: err.Error()})
				continue
			}
			live[p.Address] = c
		}
		reports = append(reports, runner.Check(ctx, p))
	}
	if only != nil && eng.Product(*only) == nil && code == 0 {
		fmt.Fprintf(stderr, "meshgate: product %s is not in the mesh\n", *only)
		return 2
	}
	switch *format {
	case "json":
		writeJSON(stdout, reports)
	case "junit":
		writeJUnit(stdout, reports)
	default:
		writeText(stdout, reports)
	}
	for _, r := range reports {
		if r.Unreachable != "" {
			code = 2
		}
		for _, res := range r.Results {
			if res.Severity == "error" && res.Status != quality.Pass && code == 0 {
				code = 1
			}
		}
	}
	return code
}

func measured(r quality.Result) string {
	if r.Measured == nil {
		return "-"
	}
	return strconv.FormatFloat(*r.Measured, 'f', -1, 32)
}

func writeText(w io.Writer, reports []quality.Report) {
	passed, failed, errs := 0, 0, 0
	for _, rep := range reports {
		ms := rep.Duration.Round(time.Millisecond)
		if rep.Unreachable != "" {
			fmt.Fprintf(w, "%s: UNREACHABLE: %s\n", rep.Product, rep.Unreachable)
			errs++
			continue
		}
		for _, r := range rep.Results {
			status := r.Status
			switch r.Status {
			case quality.Pass:
				passed++
			case quality.Fail:
				failed++
			default:
				errs++
			}
			line := fmt.Sprintf("%-5s %s.%s: %s measured %s, %s (%s, %v)", status, rep.Product, r.Rule, r.Metric, measured(r), r.Threshold, r.Severity, ms)
			if r.Error != "" {
				line += ": " + r.Error
			}
			fmt.Fprintln(w, line)
		}
	}
	fmt.Fprintf(w, "%d rule(s) passed, %d failed, %d could not run, in %d product(s)\n", passed, failed, errs, len(reports))
}

func writeJSON(w io.Writer, reports []quality.Report) {
	type rule struct {
		Rule      string   `json:"rule"`
		Metric    string   `json:"metric"`
		Column    string   `json:"column,omitempty"`
		Dimension string   `json:"dimension,omitempty"`
		Severity  string   `json:"severity"`
		Measured  *float64 `json:"measured"`
		Threshold string   `json:"threshold"`
		Status    string   `json:"status"`
		Error     string   `json:"error,omitempty"`
	}
	type product struct {
		Product     string    `json:"product"`
		Version     string    `json:"version"`
		CheckedAt   time.Time `json:"checked_at"`
		DurationMS  float64   `json:"duration_ms"`
		Unreachable string    `json:"unreachable,omitempty"`
		Rules       []rule    `json:"rules"`
	}
	out := []product{}
	for _, rep := range reports {
		p := product{Product: rep.Product.String(), Version: rep.Version, CheckedAt: rep.CheckedAt.UTC(), DurationMS: float64(rep.Duration.Microseconds()) / 1000, Unreachable: rep.Unreachable, Rules: []rule{}}
		for _, r := range rep.Results {
			p.Rules = append(p.Rules, rule{Rule: r.Rule, Metric: r.Metric, Column: r.Column, Dimension: r.Dimension, Severity: r.Severity, Measured: r.Measured, Threshold: r.Threshold, Status: r.Status, Error: r.Error})
		}
		out = append(out, p)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(out)
}

// JUnit XML, as CI systems read it: a suite per product, a case per rule.
type junitSuites struct {
	XMLName xml.Name     `xml:"testsuites"`
	Suites  []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Time     string      `xml:"time,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Class   string        `xml:"classname,attr"`
	Name    string        `xml:"name,attr"`
	Time    string        `xml:"time,attr"`
	Failure *junitProblem `xml:"failure,omitempty"`
	Error   *junitProblem `xml:"error,omitempty"`
}

type junitProblem struct {
	Type    string `xml:"type,attr"`
	Message string `xml:"message,attr"`
}

func writeJUnit(w io.Writer, reports []quality.Report) {
	var doc junitSuites
	for _, rep := range reports {
		secs := fmt.Sprintf("%.3f", rep.Duration.Seconds())
		s := junitSuite{Name: rep.Product.String(), Time: secs}
		if rep.Unreachable != "" {
			s.Cases = append(s.Cases, junitCase{Class: s.Name, Name: "port", Time: secs, Error: &junitProblem{Type: "unreachable", Message: rep.Unreachable}})
			s.Errors++
		}
		for _, r := range rep.Results {
			c := junitCase{Class: s.Name, Name: r.Rule, Time: secs}
			switch r.Status {
			case quality.Fail:
				c.Failure = &junitProblem{Type: r.Severity, Message: fmt.Sprintf("%s measured %s, expected %s", r.Metric, measured(r), r.Threshold)}
				s.Failures++
			case quality.Error:
				c.Error = &junitProblem{Type: r.Severity, Message: r.Error}
				s.Errors++
			}
			s.Cases = append(s.Cases, c)
		}
		s.Tests = len(s.Cases)
		doc.Suites = append(doc.Suites, s)
	}
	fmt.Fprint(w, xml.Header)
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	_ = enc.Encode(doc)
	fmt.Fprintln(w)
}
