package gateway

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/meshgate/meshgate/auth"
	"github.com/meshgate/meshgate/auth/audit"
	"github.com/meshgate/meshgate/auth/delegation"
	"github.com/meshgate/meshgate/auth/policy"
	"github.com/meshgate/meshgate/connectors"
	"github.com/meshgate/meshgate/engine"
	"github.com/meshgate/meshgate/gateway/pgcatalog"
	"github.com/meshgate/meshgate/gateway/pgwire"
	"github.com/meshgate/meshgate/planner/catalog"
	"github.com/meshgate/meshgate/quality"
	"github.com/meshgate/meshgate/sqlstate"
)

// DefaultDatabase is the database name clients connect to.
const DefaultDatabase = "mesh"

// Gateway admits clients and creates their sessions. It implements
// pgwire.Handler.
type Gateway struct {
	engine   *engine.Engine
	users    atomic.Pointer[auth.Directory] // swapped by ReloadUsers (authn.go)
	database string
	sec      *security   // set by Secure (authn.go); nil admits listed users without a password (tests)
	conns    connCounter // limits.go
	log      *slog.Logger
	defs     map[string]*settingDef
	started  time.Time

	policy atomic.Pointer[policy.Set] // policy.go
	audit  *audit.Log                 // nil: no audit trail

	remote    map[catalog.Address]connectors.Connector // remote.go
	snapshots *connectors.Snapshots
	// delegationKey signs the assertions of type: gateway ports
	// (delegation.go); nil: they read as their service account.
	delegationKey ed25519.PrivateKey
	// nonces remembers the delegation assertions this gateway accepted
	// (SetNonces: shared by its replicas); one process's memory by default.
	nonces      delegation.Nonces
	driftLogged sync.Map // drift already logged, by product and difference
	queries     auditNext
	rec         Recorder // observe.go; nil records nothing

	health atomic.Pointer[quality.Tracker]   // health.go; nil: no checks run
	checks atomic.Pointer[quality.Scheduler] // health.go
	shown  shownHealth                       // health.go: health written into meshgate.products

	staticErr error // creating the shared client catalog failed

	results *resultCache // resultcache.go; nil: no result cache

	relOnce sync.Once
	rels    map[catalog.Address]pgcatalog.Relation // catalog entries of the served products
	relErr  error
}

// New returns a gateway serving the engine's products to the directory's
// users under the given database name.
func New(e *engine.Engine, users *auth.Directory, database string, log *slog.Logger) *Gateway {
	if database == "" {
		database = DefaultDatabase
	}
	if log == nil {
		log = slog.Default()
	}
	g := &Gateway{engine: e, database: database, log: log, defs: settingDefs(), started: time.Now(), nonces: &delegation.MemoryNonces{},
		results: newResultCache(DefaultResultCacheBytes)}
	g.staticErr = e.Setup(pgcatalog.SharedStatements(database, version(), g.started))
	// Statements may read the client catalog's relations, and nothing else
	// but their products (engine/plan.go).
	e.AllowCatalogSchemas(pgcatalog.SessionSchemas(), pgcatalog.SharedSchemas())
	g.users.Store(users)
	if err := g.fillDiscovery(); err != nil && g.staticErr == nil {
		g.staticErr = err
	}
	return g
}

var _ pgwire.Handler = (*Gateway)(nil)

// Open admits a client: once Secure was called, only a client the
// gateway's Authenticator authenticated (authn.go); before, any user in
// the users file (tests). The database must be the mesh's, and the
// connection limits (limits.go) must allow one more session.
func (g *Gateway) Open(ctx context.Context, st pgwire.Startup) (pgwire.Session, error) {
	svc, err := g.admitUser(st)
	if err != nil {
		return nil, err
	}
	user, deleg, err := g.delegate(st, svc) // delegation.go
	if err != nil {
		g.recorder().Refused(refusalReason(sqlstate.CodeOf(err)))
		return nil, err
	}
	if _, repl := st.Params["replication"]; repl {
		g.recorder().Refused("replication")
		return nil, sqlstate.New(sqlstate.FeatureNotSupported, "replication connections are not supported by meshgate").Fatal()
	}
	if st.Database != "" && st.Database != g.database && st.Database != st.User {
		g.recorder().Refused("database")
		return nil, sqlstate.New(sqlstate.InvalidCatalogName, "database %q does not exist", st.Database).
			WithHint("Connect to database %q.", g.database).Fatal()
	}
	release, err := g.conns.acquire(g, user)
	if err != nil {
		g.recorder().Refused(refusalReason(sqlstate.CodeOf(err)))
		g.log.Info("connection refused: too many connections", "user", user.Name, "client", addr(st))
		return nil, err
	}
	s, err := g.newSession(ctx, user, st)
	if err != nil {
		release()
		return nil, err
	}
	s.delegation = deleg
	if deleg != nil {
		s.log = s.log.With("delegated_by", deleg.by)
		g.log.Info("delegated session", "user", user.Name, "delegated_by", deleg.by, "trace_id", deleg.traceID)
	}
	g.log.Info("session started", "user", user.Name, "client", addr(st), "application", st.ApplicationName, "catalog", s.es.Catalog())
	return &admitted{session: s, release: release}, nil
}

func addr(st pgwire.Startup) string {
	if st.RemoteAddr == nil {
		return ""
	}
	return st.RemoteAddr.String()
}

// relations describes every served product for the client catalog, with
// the PostgreSQL types its queries return; computed once.
func (g *Gateway) relations(ctx context.Context) (map[catalog.Address]pgcatalog.Relation, error) {
	if g.staticErr != nil {
		return nil, fmt.Errorf("gateway: client catalog: %w", g.staticErr)
	}
	g.relOnce.Do(func() {
		g.rels = map[catalog.Address]pgcatalog.Relation{}
		for _, p := range g.engine.Products() {
			schema, err := g.engine.ProductSchema(ctx, p.Address)
			if err != nil {
				g.relErr = fmt.Errorf("gateway: describe %s: %w", p.Address, err)
				return
			}
			r := pgcatalog.Relation{Address: p.Address, Description: p.Description, Owner: p.Owner.Team}
			for i, f := range pgwire.FieldsFromSchema(schema) {
				if i < len(p.Columns) && p.Columns[i].Name == f.Name {
					declaredType(&f, p.Columns[i].Declared)
				}
				c := pgcatalog.Column{Name: f.Name, TypeOID: f.TypeOID, TypMod: f.TypeModifier}
				if i < len(p.Columns) && p.Columns[i].Name == f.Name {
					c.Description = p.Columns[i].Description
					c.NotNull = p.Columns[i].Required
				}
				r.Columns = append(r.Columns, c)
			}
			g.rels[p.Address] = r
		}
	})
	return g.rels, g.relErr
}

// version is the text of version(); SQLAlchemy and others parse
// "PostgreSQL N.N" from it.
func version() string {
	return "PostgreSQL " + ServerVersion + " (meshgate) on x86_64-pc-linux-gnu, compiled by Go, 64-bit"
}

// parseOptions reads the startup "options" parameter: -c name=value and
// --name=value, separated by spaces (backslash escapes a space).
func parseOptions(opts string) ([][2]string, error) {
	var words []string
	var cur strings.Builder
	esc := false
	for _, r := range opts {
		switch {
		case esc:
			cur.WriteRune(r)
			esc = false
		case r == '\\':
			esc = true
		case r == ' ' || r == '\t':
			if cur.Len() > 0 {
				words = append(words, cur.String())
				cur.Reset()
			}
		default:
			cur.WriteRune(r)
		}
	}
	if cur.Len() > 0 {
		words = append(words, cur.String())
	}
	var out [][2]string
	for i := 0; i < len(words); i++ {
		w := words[i]
		var kv string
		switch {
		case w == "-c" && i+1 < len(words):
			i++
			kv = words[i]
		case strings.HasPrefix(w, "-c"):
			kv = w[2:]
		case strings.HasPrefix(w, "--"):
			kv = w[2:]
		default:
			return nil, sqlstate.New(sqlstate.ProtocolViolation, "invalid command-line argument for server process: %s", w).
				WithHint("Use options='-c name=value'.")
		}
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return nil, sqlstate.New(sqlstate.SyntaxError, "-c %s requires a value", kv)
		}
		out = append(out, [2]string{strings.ReplaceAll(k, "-", "_"), v})
	}
	return out, nil
}
