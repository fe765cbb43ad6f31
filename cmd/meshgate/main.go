package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strings"
	"time"

	"github.com/meshgate/meshgate/auth"
	"github.com/meshgate/meshgate/auth/audit"
	"github.com/meshgate/meshgate/auth/policy"
	"github.com/meshgate/meshgate/engine"
	"github.com/meshgate/meshgate/gateway"
	"github.com/meshgate/meshgate/gateway/pgwire"
	"github.com/meshgate/meshgate/planner/catalog"
	"github.com/meshgate/meshgate/quality"
)

// demoFlags say where the demo's files are: the binary has no default
// that points into testdata/.
const demoFlags = "make run passes the demo's: -mesh testdata/mesh -users testdata/users.yaml -policies testdata/policies"

// version is set at build time with -ldflags "-X main.version=…".
var version = "0.1.0-dev"

const usage = `meshgate — a PostgreSQL-wire SQL gateway for a data mesh

Usage:
  meshgate serve [flags]        serve the mesh (meshgate serve -h for flags)
  meshgate config print [-config FILE] [flags]
                                print serve's effective configuration (secrets hidden)
  meshgate validate [-policies DIR] [-audit-file F] DIR [DIR…]
                                check every descriptor, port and policy rule; exit 1 on any problem
  meshgate check [-policies DIR] [-product D.P] [-format text|json|junit] DIR [DIR…]
                                run every quality rule and SLA against the real ports;
                                exit 1 when an error rule fails, 2 when a port cannot be read
  meshgate explain-access USER DOMAIN.PRODUCT
                                which rules apply to a user and product, and the resulting view
  meshgate passwd               read a password from stdin, print its SCRAM-SHA-256 verifier
  meshgate cert -out DIR -host H[,H…]
                                write a throw-away CA (ca.crt) and server certificate
                                (server.crt, server.key) for TLS demos and tests
  meshgate keygen FILE          write a delegation key, print its public key
  meshgate version              print the version
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "serve":
		return serve(args[1:], stdout, stderr, false)
	case "config":
		if len(args) < 2 || args[1] != "print" {
			fmt.Fprintln(stderr, "usage: meshgate config print [-config FILE] [serve flags]")
			return 2
		}
		return serve(args[2:], stdout, stderr, true)
	case "validate":
		return validate(args[1:], stdout, stderr)
	case "check":
		return check(args[1:], stdout, stderr)
	case "passwd":
		return passwd(args[1:], stdout, stderr)
	case "cert":
		return cert(args[1:], stdout, stderr)
	case "keygen":
		return keygen(args[1:], stdout, stderr)
	case "explain-access":
		return explainAccess(args[1:], stdout, stderr)
	case "version", "--version", "-v":
		fmt.Fprintf(stdout, "meshgate %s (PostgreSQL protocol 3.0, server_version %s)\n", version, gateway.ServerVersion)
		return 0
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "meshgate: unknown command %q\n\n%s", args[0], usage)
	return 2
}

// loadMeshes loads one or more mesh directories into one mesh.
func loadMeshes(dirs []string) (*catalog.Mesh, []catalog.Problem) {
	merged := &catalog.Mesh{}
	var problems []catalog.Problem
	seen := map[catalog.Address]string{}
	for _, d := range dirs {
		m, ps := catalog.Load(d)
		problems = append(problems, ps...)
		if m == nil {
			continue
		}
		if merged.Dir == "" {
			merged.Dir = m.Dir
		}
		for _, p := range m.Products {
			if other, dup := seen[p.Address]; dup {
				problems = append(problems, catalog.Problem{File: p.File, Line: 1, Product: p.Address.String(),
					Message: fmt.Sprintf("product %s is also described in %s", p.Address, other)})
				continue
			}
			seen[p.Address] = p.File
			merged.Products = append(merged.Products, p)
		}
	}
	return merged, problems
}

func validate(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("validate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	policies := fs.String("policies", "", "also compile the policy directory against the mesh")
	auditFile := fs.String("audit-file", "", "an audit file of serve: warn when a product with problems has consumers in it")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(stderr, "usage: meshgate validate [-policies DIR] [-audit-file F] DIR [DIR…]")
		return 2
	}
	mesh, problems := loadMeshes(fs.Args())
	nProducts := len(mesh.Products)
	if *policies != "" {
		withAudit(mesh)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	eng, portProblems, err := engine.Open(context.Background(), mesh, engine.Config{Logger: logger})
	if err != nil {
		fmt.Fprintf(stderr, "meshgate: %v\n", err)
		return 1
	}
	defer eng.Close()
	problems = append(problems, portProblems...)
	remoteProblems := checkRemotePorts(context.Background(), eng)
	problems = append(problems, remoteProblems...)
	problems = append(problems, quality.Validate(context.Background(), eng)...)
	var lines []string
	for _, p := range problems {
		lines = append(lines, p.String())
	}
	if *policies != "" {
		set, ps := loadPolicy(context.Background(), *policies, mesh, eng)
		if set != nil {
			ps = policy.CheckDeclassifications(set, &catalog.Mesh{Dir: mesh.Dir, Products: eng.Products()})
		}
		for _, p := range ps {
			lines = append(lines, p.String())
		}
	}
	var warnings []string
	if *auditFile != "" {
		used, err := activeConsumers(*auditFile, eng)
		if err != nil {
			fmt.Fprintf(stderr, "meshgate: %v\n", err)
			return 2
		}
		warnings = consumerWarnings(problems, used)
	}
	for _, l := range append(lines, warnings...) {
		fmt.Fprintln(stdout, l)
	}
	if len(lines) > 0 {
		fmt.Fprintf(stdout, "%d problem(s) found; %d product(s) valid\n", len(lines), nProducts-len(portProblemProducts(append(portProblems, remoteProblems...))))
		return 1
	}
	fmt.Fprintf(stdout, "mesh is valid: %d product(s) in %d domain(s)\n", nProducts, len(mesh.Domains())-boolInt(*policies != ""))
	if *policies != "" {
		fmt.Fprintf(stdout, "policy is valid: %s\n", *policies)
	}
	return 0
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func portProblemProducts(ps []catalog.Problem) map[string]bool {
	out := map[string]bool{}
	for _, p := range ps {
		out[p.Product] = true
	}
	return out
}

// serve runs meshgate serve; printOnly prints the effective configuration
// instead (meshgate config print).
func serve(args []string, stdout, stderr io.Writer, printOnly bool) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	meshDirs := fs.String("mesh", "", "mesh directories, comma separated (domain folders of product descriptors)")
	usersFile := fs.String("users", "", "users file")
	listen := fs.String("listen", "127.0.0.1:15432", "address to listen on")
	database := fs.String("database", gateway.DefaultDatabase, "database name clients connect to")
	skipBroken := fs.Bool("skip-broken", false, "serve the valid products of an invalid mesh, leaving the broken ones out")
	threads := fs.Int("threads", 0, "DuckDB worker threads (0: one per core)")
	memLimit := fs.String("memory-limit", "", "DuckDB memory limit, e.g. 2GB (default: DuckDB's, 80% of RAM)")
	maxMsg := fs.Int("max-message-size", pgwire.DefaultMaxMessageSize, "largest client message accepted, in bytes")
	logLevel := fs.String("log-level", "info", "debug, info, warn or error")
	logJSON := fs.Bool("log-json", false, "log as JSON lines")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile (go tool pprof) of the whole serve run to this file (profiling only)")
	resultCacheMB := fs.Int("result-cache-mb", gateway.DefaultResultCacheBytes>>20, "size of the result cache shared by all sessions, in MB (0: off); answers are keyed by statement, parameters, each session's effective policy view and the data version of every port read")
	httpListen := fs.String("http", "", "address of the catalog's HTTP listener (JSON API and web catalog), e.g. 127.0.0.1:15480; TLS with -tls-cert/-tls-key")
	sf := securityFlags(fs)
	gf := governanceFlags(fs)
	ff := federationFlags(fs)
	checkInterval := fs.Duration("check-interval", quality.DefaultInterval, "how often each product's quality rules and SLAs are checked (a rule's schedule may be shorter)")
	checkTimeout := fs.Duration("check-timeout", 5*time.Minute, "time limit of one product's quality check")
	checkConcurrency := fs.Int("check-concurrency", 2, "quality checks running at the same time")
	onFailure := fs.String("on-failure", "warn", "what a query of a product failing its contract gets: warn (a WARNING) or block (refused with 55000); a product's on_failure wins")
	pushdown := fs.Bool("pushdown", true, "answer a statement whose products are all live postgres ports of one source at that source, as one statement (the session setting meshgate.pushdown overrides it)")
	flf := newFlightFlags(fs)
	of := operationsFlags(fs)
	rf := newReplicaFlags(fs)
	given, cfg, code := parseServe(fs, args, stderr)
	if code != 0 {
		return code
	}
	if printOnly {
		printConfig(stdout, fs, given, cfg)
		return 0
	}
	level := new(slog.LevelVar)
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		fmt.Fprintf(stderr, "meshgate: -log-level: %v\n", err)
		return 2
	}
	for _, req := range [][2]string{{"mesh", *meshDirs}, {"users", *usersFile}} {
		if req[1] == "" {
			fmt.Fprintf(stderr, "meshgate: -%s is required (%s)\n", req[0], demoFlags)
			return 2
		}
	}
	var handler slog.Handler = slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level})
	if *logJSON {
		handler = slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: level})
	}
	log := slog.New(handler)
	stopProfile, err := startCPUProfile(*cpuProfile)
	if err != nil {
		fmt.Fprintf(stderr, "meshgate: %v\n", err)
		return 2
	}
	defer stopProfile()
	stopTrace, err := of.startTracing(context.Background())
	if err != nil {
		fmt.Fprintf(stderr, "meshgate: %v\n", err)
		return 2
	}
	defer func() {
		tctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := stopTrace(tctx); err != nil {
			log.Warn("traces not all exported", "err", err)
		}
	}()

	mesh, problems := loadMeshes(strings.Split(*meshDirs, ","))
	withAudit(mesh)
	users, err := auth.LoadDirectory(*usersFile)
	if err != nil {
		fmt.Fprintf(stderr, "meshgate: %v\n", err)
		return 1
	}
	// SIGTERM and SIGINT drain the server (drainOnSignal); stop ends the rest.
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	maskKey, err := gf.maskKey()
	if err != nil {
		fmt.Fprintf(stderr, "meshgate: %v\n", err)
		return 1
	}
	eng, portProblems, err := engine.Open(ctx, mesh, engine.Config{Threads: *threads, MemoryLimit: *memLimit, MaskKey: maskKey, Logger: log})
	if err != nil {
		fmt.Fprintf(stderr, "meshgate: %v\n", err)
		return 1
	}
	defer eng.Close()
	problems = append(problems, portProblems...)
	if len(problems) > 0 {
		for _, p := range problems {
			fmt.Fprintln(stderr, p.String())
		}
		if !*skipBroken {
			fmt.Fprintf(stderr, "meshgate: the mesh has %d problem(s); fix them, or start with -skip-broken to serve only the valid products\n", len(problems))
			return 1
		}
		broken := map[string]bool{}
		for _, p := range problems {
			if p.Product != "" {
				broken[p.Product] = true
			}
		}
		for name := range broken {
			log.Warn("product left out: its descriptor or port is broken", "product", name)
		}
	}
	if *gf.policies == "" {
		fmt.Fprintf(stderr, "meshgate: -policies is required: meshgate does not start without a policy (%s)\n", demoFlags)
		return 2
	}
	set, policyProblems := loadPolicy(ctx, *gf.policies, mesh, eng)
	if len(policyProblems) > 0 {
		for _, p := range policyProblems {
			fmt.Fprintln(stderr, p.String())
		}
		fmt.Fprintf(stderr, "meshgate: the policy in %s has %d problem(s); meshgate does not start without a valid policy (deny by default)\n", *gf.policies, len(policyProblems))
		return 1
	}
	auditLog, err := audit.Open(*gf.auditFile, int64(*gf.auditMaxMB)<<20, *gf.auditKeep, gateway.AuditSink(eng), 500*time.Millisecond, log)
	if err != nil {
		fmt.Fprintf(stderr, "meshgate: %v\n", err)
		return 1
	}
	defer auditLog.Close()
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		fmt.Fprintf(stderr, "meshgate: %v\n", err)
		return 1
	}
	gw := gateway.New(eng, users, *database, log)
	gw.SetPolicy(set)
	gw.SetAudit(auditLog)
	gw.SetPushdown(*pushdown)
	if *resultCacheMB < 0 {
		ln.Close()
		fmt.Fprintf(stderr, "meshgate: -result-cache-mb %d is negative: give a size in MB, or 0 to turn the result cache off\n", *resultCacheMB)
		return 2
	}
	gw.SetResultCache(int64(*resultCacheMB) << 20)
	stopRemote, err := ff.startRemote(ctx, gw)
	if err != nil {
		ln.Close()
		fmt.Fprintf(stderr, "meshgate: %v\n", err)
		return 1
	}
	defer func() {
		stop() // ends the snapshot refreshes, which stopRemote waits for
		stopRemote()
	}()
	if *onFailure != "warn" && *onFailure != "block" {
		ln.Close()
		fmt.Fprintf(stderr, "meshgate: -on-failure %q is not warn or block\n", *onFailure)
		return 2
	}
	waitChecks := gw.StartQuality(ctx, gateway.QualityConfig{Interval: *checkInterval, Timeout: *checkTimeout, Concurrency: *checkConcurrency, Block: *onFailure == "block"})
	defer func() { stop(); waitChecks() }()
	srv := &pgwire.Server{Handler: gw, Logger: log, MaxMessageSize: *maxMsg}
	if err := sf.apply(srv, gw, log); err != nil {
		ln.Close()
		fmt.Fprintf(stderr, "meshgate: %v\n", err)
		return 1
	}
	if err := rf.apply(srv, gw, *listen, *usersFile); err != nil {
		ln.Close()
		fmt.Fprintf(stderr, "meshgate: %v\n", err)
		return 2
	}
	opsState := of.newOperations(gw, srv, auditLog)
	go watchPolicies(ctx, *gf.policies, mesh, eng, gw, log, opsState.policyHooks)
	opsAddr, err := of.serveOps(ctx, opsState, log)
	if err != nil {
		ln.Close()
		fmt.Fprintf(stderr, "meshgate: %v\n", err)
		return 1
	}
	waitFlight, drainFlight, err := flf.start(ctx, gw, srv.TLSConfig, log, stdout)
	if err != nil {
		ln.Close()
		fmt.Fprintf(stderr, "meshgate: %v\n", err)
		return 1
	}
	defer func() { stop(); waitFlight() }()
	go reloadOnSIGHUP(ctx, gw, func() {
		if cfg != nil {
			cfg = reloadConfig(cfg, fs, given, map[string]func(string) error{"log-level": func(v string) error { return level.UnmarshalText([]byte(v)) }}, log)
		}
	})
	drains := map[string]func(context.Context) error{"pgwire": srv.Shutdown}
	if drainFlight != nil {
		drains["flight"] = drainFlight
	}
	log.Info("meshgate serving", "version", version, "listen", ln.Addr().String(), "products", len(eng.Products()), "database", *database, "tls", srv.TLSConfig != nil)
	host, port, _ := net.SplitHostPort(ln.Addr().String())
	ssl := "sslmode=prefer"
	if srv.TLSConfig != nil {
		ssl = "sslmode=require"
	}
	if opsAddr != nil {
		fmt.Fprintf(stdout, "Metrics and health on http://%s/metrics, /healthz, /readyz\n", opsAddr)
	}
	fmt.Fprintf(stdout, "meshgate %s is serving %d data products on %s\nConnect with (the demo users' passwords are in README.md, e.g. PGPASSWORD=analyst-demo):\n  psql \"host=%s port=%s user=%s dbname=%s %s\"\n",
		version, len(eng.Products()), ln.Addr(), host, port, firstUser(users), *database, ssl)
	if *httpListen != "" {
		drainCatalog, waitCatalog, err := serveCatalog(ctx, *httpListen, gw, srv.TLSConfig, ln.Addr().String(), *database, stdout, log)
		if err != nil {
			ln.Close()
			fmt.Fprintf(stderr, "meshgate: %v\n", err)
			return 1
		}
		defer func() { stop(); waitCatalog() }()
		drains["http"] = drainCatalog
	}
	drained := of.drainOnSignal(ctx, drains, opsState, log)
	if err := srv.Serve(ctx, ln); err != nil && !errors.Is(err, net.ErrClosed) {
		fmt.Fprintf(stderr, "meshgate: %v\n", err)
		return 1
	}
	if srv.Draining() {
		<-drained // the other front doors finish their drain too
	}
	stop()
	if err := auditLog.Close(); err != nil { // flushes the audit table before the engine closes
		log.Error("audit log close", "err", err)
	}
	log.Info("meshgate stopped")
	return 0
}

func firstUser(d *auth.Directory) string {
	names := d.Names()
	for _, n := range names {
		if n == "analyst" {
			return n
		}
	}
	if len(names) > 0 {
		return names[0]
	}
	return "USER"
}
