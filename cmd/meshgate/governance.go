package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/meshgate/meshgate/auth"
	"github.com/meshgate/meshgate/auth/policy"
	"github.com/meshgate/meshgate/engine"
	"github.com/meshgate/meshgate/gateway"
	"github.com/meshgate/meshgate/planner/catalog"
)

// govFlags are serve's governance flags.
type govFlags struct {
	policies    *string
	auditFile   *string
	auditMaxMB  *int
	auditKeep   *int
	maskKeyFile *string
}

func governanceFlags(fs *flag.FlagSet) *govFlags {
	return &govFlags{
		policies:    fs.String("policies", "", "policy directory: federation.yaml and domains/<domain>.yaml (reloaded on SIGHUP and when the files change)"),
		auditFile:   fs.String("audit-file", "audit/meshgate-audit.jsonl", "audit trail (JSON lines), rotated by size"),
		auditMaxMB:  fs.Int("audit-max-mb", 64, "rotate the audit file past this size"),
		auditKeep:   fs.Int("audit-keep", 10, "rotated audit files to keep"),
		maskKeyFile: fs.String("mask-key-file", "", "file holding the key of hash masks (default: a random key per start)"),
	}
}

// maskKey reads the hash-mask key file, if any.
func (f *govFlags) maskKey() (string, error) {
	if *f.maskKeyFile == "" {
		return "", nil
	}
	b, err := os.ReadFile(*f.maskKeyFile)
	if err != nil {
		return "", fmt.Errorf("-mask-key-file: %w", err)
	}
	return strings.TrimSpace(string(b)), nil
}

// withAudit adds meshgate's own products (meshgate.audit,
// meshgate.freshness, meshgate.products, meshgate.columns) to a mesh.
func withAudit(m *catalog.Mesh) *catalog.Mesh {
	m.Products = append(m.Products, engine.BuiltInProducts()...)
	return m
}

// loadPolicy loads and compiles the policy against the served products.
func loadPolicy(ctx context.Context, dir string, mesh *catalog.Mesh, eng *engine.Engine) (*policy.Set, []policy.Problem) {
	set, problems := policy.Load(dir)
	if len(problems) > 0 {
		return nil, problems
	}
	served := &catalog.Mesh{Dir: mesh.Dir, Products: eng.Products()}
	if problems := policy.Compile(ctx, set, served, eng); len(problems) > 0 {
		return nil, problems
	}
	return set, nil
}

// watchPolicies reloads the policy on SIGHUP and within a second of a
// policy file changing (policy.Reloader); a broken policy is refused and
// the old one kept.
func watchPolicies(ctx context.Context, dir string, mesh *catalog.Mesh, eng *engine.Engine, gw *gateway.Gateway, log *slog.Logger, hooks ...func(*policy.Reloader)) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	r := &policy.Reloader{Dir: dir, Mesh: &catalog.Mesh{Dir: mesh.Dir, Products: eng.Products()}, Describer: eng,
		Current: gw.Policy, Apply: gw.SetPolicy, Log: log}
	for _, h := range hooks {
		h(r)
	}
	_ = r.Run(ctx, hup) // a watch that cannot start is logged; SIGHUP still reloads
}

// explainAccess prints which rules apply to a user and a product and the
// view the user's session gets.
func explainAccess(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("explain-access", flag.ContinueOnError)
	fs.SetOutput(stderr)
	meshDirs := fs.String("mesh", "testdata/mesh", "mesh directories, comma separated")
	usersFile := fs.String("users", "testdata/users.yaml", "users file")
	policies := fs.String("policies", "testdata/policies", "policy directory")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() != 2 {
		fmt.Fprintln(stderr, "usage: meshgate explain-access [-mesh DIR] [-users FILE] [-policies DIR] USER DOMAIN.PRODUCT")
		return 2
	}
	users, err := auth.LoadDirectory(*usersFile)
	if err != nil {
		fmt.Fprintf(stderr, "meshgate: %v\n", err)
		return 1
	}
	u, ok := users.Lookup(fs.Arg(0))
	if !ok {
		fmt.Fprintf(stderr, "meshgate: no user %q in %s\n", fs.Arg(0), *usersFile)
		return 1
	}
	addr, err := catalog.ParseAddress(fs.Arg(1))
	if err != nil {
		fmt.Fprintf(stderr, "meshgate: %v\n", err)
		return 2
	}
	mesh, _ := loadMeshes(strings.Split(*meshDirs, ","))
	withAudit(mesh)
	eng, _, err := engine.Open(context.Background(), mesh, engine.Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		fmt.Fprintf(stderr, "meshgate: %v\n", err)
		return 1
	}
	defer eng.Close()
	p := eng.Product(addr)
	if p == nil {
		fmt.Fprintf(stderr, "meshgate: product %s is not served (unknown, or its descriptor or port is broken: run meshgate validate)\n", addr)
		return 1
	}
	set, problems := loadPolicy(context.Background(), *policies, mesh, eng)
	if len(problems) > 0 {
		for _, pr := range problems {
			fmt.Fprintln(stderr, pr.String())
		}
		return 1
	}
	gateway.InstallDefiners(eng, set, slog.New(slog.NewTextHandler(io.Discard, nil)))
	id := policy.Identity{User: u.Name, Groups: u.Groups, Attributes: u.Attributes}
	acc := set.Explain(id, p)
	fmt.Fprintf(stdout, "user %s (groups: %s; attributes: %s)\nproduct %s %s, owned by %s\npolicy version %s\n\n",
		u.Name, strings.Join(u.Groups, ", "), attrs(u.Attributes), p.Address, p.Version, p.Owner.Team, set.Version)
	if !acc.Granted {
		fmt.Fprintf(stdout, "DENIED: %s\n", acc.Reason)
		if acc.DenyRule != "" {
			fmt.Fprintf(stdout, "  deny rule: %s\n", acc.DenyRule)
		}
		return 0
	}
	fmt.Fprintf(stdout, "GRANTED by: %s\n\ncolumns:\n", strings.Join(acc.GrantRules, ", "))
	for _, c := range acc.Columns {
		switch c.Access {
		case "masked":
			fmt.Fprintf(stdout, "  %-20s masked by %s: %s\n", c.Name, c.MaskRule, c.Expr)
		case "as stored":
			fmt.Fprintf(stdout, "  %-20s as stored\n", c.Name)
		default:
			fmt.Fprintf(stdout, "  %-20s not granted (absent)\n", c.Name)
		}
	}
	if len(acc.Filters) == 0 {
		fmt.Fprintln(stdout, "\nrows: all")
	} else {
		fmt.Fprintln(stdout, "\nrows: only where")
		for _, f := range acc.Filters {
			fmt.Fprintf(stdout, "  %s   (rule %s)\n", f.SQL, f.Rule)
		}
	}
	d := set.Decide(id, p)
	fmt.Fprintf(stdout, "\nthe session's view:\n  %s\n", d.ViewSQL(p.Address.String()+" (port)", func(fn string) string { return fn }))
	explainLineage(stdout, eng, set, p)
	return 0
}

// explainLineage prints what a product of a sql port reads, with whose
// rights, where each column comes from, and which products read it.
func explainLineage(w io.Writer, eng *engine.Engine, set *policy.Set, p *catalog.Product) {
	if inputs := eng.AggregateInputs(p.Address); len(inputs) > 0 {
		definer := policy.DefinerIdentity(p.Address.Domain)
		fmt.Fprintf(w, "\ndefined in SQL (mode %s) over its inputs, read with the rights of %s:\n", eng.AggregateMode(p.Address), definer.User)
		for _, in := range inputs {
			ip := eng.Product(in)
			if ip == nil {
				fmt.Fprintf(w, "  %-24s not served\n", in)
				continue
			}
			dd := set.Decide(definer, ip)
			switch {
			case !dd.Granted:
				fmt.Fprintf(w, "  %-24s DENIED: %s\n", in, dd.Reason)
			default:
				var masked, filters []string
				for _, c := range dd.Columns {
					if c.MaskRule != "" {
						masked = append(masked, c.Name+" ("+c.MaskRule+")")
					}
				}
				for _, f := range dd.Filters {
					filters = append(filters, f.SQL+" ("+f.Rule+")")
				}
				fmt.Fprintf(w, "  %-24s granted by %s", in, strings.Join(dd.GrantRules, ", "))
				if len(masked) > 0 {
					fmt.Fprintf(w, "; masked: %s", strings.Join(masked, ", "))
				}
				if len(filters) > 0 {
					fmt.Fprintf(w, "; rows where %s", strings.Join(filters, " AND "))
				}
				fmt.Fprintln(w)
			}
		}
		if r := eng.Unreachable(p.Address); r != "" {
			fmt.Fprintf(w, "  (unreachable: %s)\n", r)
		}
	}
	var from, to []string
	for _, r := range eng.Lineage() {
		target := r.ToColumn
		if target == "" {
			target = "(rows)"
		}
		switch p.Address {
		case r.To:
			from = append(from, fmt.Sprintf("  %-20s ← %s.%s (%s)", target, r.From, r.FromColumn, r.Transformation))
		case r.From:
			to = append(to, fmt.Sprintf("  %-20s → %s.%s (%s)", r.FromColumn, r.To, target, r.Transformation))
		}
	}
	if len(from) > 0 {
		fmt.Fprintf(w, "\nlineage:\n%s\n", strings.Join(from, "\n"))
	}
	if len(to) > 0 {
		fmt.Fprintf(w, "\nread by:\n%s\n", strings.Join(to, "\n"))
	}
}

func attrs(m map[string]string) string {
	var parts []string
	for k, v := range m {
		parts = append(parts, k+"="+v)
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}
