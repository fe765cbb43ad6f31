package catalog

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/meshgate/meshgate/internal/strictyaml"
)

// Remote ports (postgres, http) are read by the connectors package. Their
// options are validated here, strictly, like those of file ports.

// remoteCommonOptions are taken by every remote port type.
var remoteCommonOptions = []string{"mode", "refresh", "max_staleness", "on_stale"}

var (
	postgresOptions = []string{"host", "port", "database", "schema", "table", "user", "password_secret",
		"sslmode", "pool_max", "connect_timeout", "columns"}
	// gatewayOptions are those of a type: gateway port, a product of
	// another meshgate (location host:port) read over pgwire.
	gatewayOptions = []string{"product", "database", "user", "password_secret", "sslmode", "sslrootcert",
		"audience", "pool_max", "connect_timeout", "columns"}
	httpOptions = []string{"format", "token_secret", "header_name", "header_secret", "pagination",
		"next_field", "data_field", "max_pages", "max_bytes", "strict", "timeout", "filters", "columns"}

	// inlineSecrets are options that would hold a credential in the
	// descriptor; each names the option to use instead.
	inlineSecrets = map[string]map[string]string{
		"postgres": {"password": "password_secret", "passwd": "password_secret"},
		"gateway":  {"password": "password_secret", "passwd": "password_secret"},
		"http":     {"token": "token_secret", "bearer_token": "token_secret", "header_value": "header_secret", "password": "token_secret"},
	}

	sslModes    = []string{"disable", "allow", "prefer", "require", "verify-ca", "verify-full"}
	httpFormats = []string{"json", "ndjson", "arrow"}
	paginations = []string{"none", "link", "next_field"}
	portModes   = []string{"live", "snapshot"}
	onStales    = []string{"fail", "live"}

	envNameRE  = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	headerRE   = regexp.MustCompile("^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
	sizeRE     = regexp.MustCompile(`^(\d+)\s*([KMGT]i?B|B)?$`)
	mapOptions = []string{"filters", "columns"}
)

// DefaultRefresh is the snapshot interval of a remote port in mode
// snapshot without a refresh option.
const DefaultRefresh = 5 * time.Minute

// Freshness is how a remote port is served: live (each query reads the
// source) or from a snapshot refreshed every Refresh. A snapshot older
// than MaxStaleness (0: no limit) is not served: OnStale "fail" answers
// an error, "live" reads the source instead.
type Freshness struct {
	Mode         string // live | snapshot
	Refresh      time.Duration
	MaxStaleness time.Duration
	OnStale      string // fail | live
}

// Remote reports whether the port is read by a connector (postgres, http)
// rather than scanned by DuckDB.
func (p Port) Remote() bool { return p.Type == "postgres" || p.Type == "http" || p.Type == "gateway" }

// Freshness returns the mode options of a remote port with their defaults
// (live; refresh 5m in snapshot mode; no staleness limit; on_stale fail).
func (p Port) Freshness() Freshness {
	f := Freshness{Mode: p.Options["mode"], OnStale: p.Options["on_stale"]}
	if f.Mode == "" {
		f.Mode = "live"
	}
	if f.OnStale == "" {
		f.OnStale = "fail"
	}
	if f.Mode == "snapshot" {
		f.Refresh = DefaultRefresh
		if d, err := time.ParseDuration(p.Options["refresh"]); err == nil {
			f.Refresh = d
		}
	}
	if d, err := time.ParseDuration(p.Options["max_staleness"]); err == nil {
		f.MaxStaleness = d
	}
	return f
}

// SourceName returns the name of a declared column in the port's source
// (its options.columns mapping), or the column's own name.
func (p Port) SourceName(column string) string {
	if s, ok := p.SourceNames[column]; ok {
		return s
	}
	return column
}

// PostgresTable returns the schema (default public) and table of a
// postgres port.
func (p Port) PostgresTable() (schema, table string) {
	schema = p.Options["schema"]
	if schema == "" {
		schema = "public"
	}
	return schema, p.Options["table"]
}

// ValidSecretRef reports why ref is not a credential reference
// ("env:NAME" or "file:PATH#key"), or "".
func ValidSecretRef(ref string) string {
	switch {
	case strings.HasPrefix(ref, "env:"):
		if !envNameRE.MatchString(ref[4:]) {
			return fmt.Sprintf("%q must name an environment variable after env: (letters, digits and underscores)", ref)
		}
		return ""
	case strings.HasPrefix(ref, "file:"):
		path, key, ok := strings.Cut(ref[5:], "#")
		if !ok || path == "" || key == "" {
			return fmt.Sprintf("%q must have the form file:PATH#key (a YAML or .env file relative to the descriptor, and the key in it)", ref)
		}
		return ""
	}
	return fmt.Sprintf("%q is not a secret reference; write env:NAME (an environment variable) or file:PATH#key (a YAML or .env file relative to the descriptor)", ref)
}

// ParseSize reads a byte size: a number of bytes, or with a unit (KB, MB,
// GB, TB, KiB, MiB, GiB, TiB; KB and KiB are both 1024).
func ParseSize(s string) (int64, error) {
	m := sizeRE.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return 0, fmt.Errorf("%q is not a size; write bytes or a number with KB, MB or GB", s)
	}
	n, err := strconv.ParseInt(m[1], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%q is too large", s)
	}
	mult := int64(1)
	switch strings.TrimSuffix(strings.Replace(m[2], "i", "", 1), "B") {
	case "K":
		mult = 1 << 10
	case "M":
		mult = 1 << 20
	case "G":
		mult = 1 << 30
	case "T":
		mult = 1 << 40
	}
	if n > (1<<62)/mult {
		return 0, fmt.Errorf("%q is too large", s)
	}
	return n * mult, nil
}

// remoteOption validates one option of a remote port. It returns the
// value to store and whether it is valid (problems are reported).
func (l *loader) remoteOption(where string, port *Port, k, v *yaml.Node) (string, bool) {
	name := k.Value
	if strictyaml.Contains(mapOptions, name) {
		m, ok := l.stringMap(where, name, v)
		if !ok {
			return "", false
		}
		if name == "filters" {
			if port.Type != "http" {
				l.Errorf(k.Line, "option filters of %s applies only to http ports", where)
				return "", false
			}
			port.Filters = m
		} else {
			port.SourceNames = m
		}
		return "", true
	}
	if v.Kind != yaml.ScalarNode || v.ShortTag() == "!!null" {
		l.Errorf(v.Line, "option %q of %s must be a single value, not %s", name, where, strictyaml.KindName(v))
		return "", false
	}
	val := v.Value
	bad := func(format string, args ...any) (string, bool) {
		l.Errorf(v.Line, "option %s of %s %s", name, where, fmt.Sprintf(format, args...))
		return "", false
	}
	enum := func(values []string) (string, bool) {
		if !strictyaml.Contains(values, val) {
			return bad("is %q, not one of %s%s", val, strings.Join(values, ", "), strictyaml.DidYouMean(val, values))
		}
		return val, true
	}
	switch name {
	case "mode":
		return enum(portModes)
	case "on_stale":
		return enum(onStales)
	case "sslmode":
		return enum(sslModes)
	case "format":
		return enum(httpFormats)
	case "pagination":
		return enum(paginations)
	case "refresh", "max_staleness", "connect_timeout", "timeout":
		d, err := time.ParseDuration(val)
		if err != nil || d <= 0 {
			return bad("must be a positive duration such as 30s, 5m or 1h, not %q", val)
		}
		return val, true
	case "port":
		n, err := strconv.Atoi(val)
		if v.ShortTag() != "!!int" && v.ShortTag() != "!!str" || err != nil || n < 1 || n > 65535 {
			return bad("must be a TCP port number (1 to 65535), not %s", strictyaml.KindName(v))
		}
		return strconv.Itoa(n), true
	case "pool_max", "max_pages":
		n, err := strconv.Atoi(val)
		if err != nil || n < 1 || n > 100000 {
			return bad("must be a positive whole number, not %s", strictyaml.KindName(v))
		}
		return strconv.Itoa(n), true
	case "max_bytes":
		n, err := ParseSize(val)
		if err != nil || n <= 0 {
			return bad("must be a positive size such as 64MB or 1GB, not %s", strictyaml.KindName(v))
		}
		return strconv.FormatInt(n, 10), true
	case "strict":
		if v.ShortTag() != "!!bool" {
			return bad("must be true or false, not %s", strictyaml.KindName(v))
		}
		return strings.ToLower(val), true
	case "password_secret", "token_secret", "header_secret":
		if msg := ValidSecretRef(val); msg != "" {
			return bad("%s", msg)
		}
		return val, true
	case "header_name":
		if !headerRE.MatchString(val) {
			return bad("%q is not a valid HTTP header name", val)
		}
		if h := http.CanonicalHeaderKey(val); h == "Host" || h == "Content-Length" {
			return bad("cannot be %s", h)
		}
		return val, true
	case "host", "database", "user", "schema", "table", "next_field", "data_field":
		if v.ShortTag() != "!!str" {
			return bad("must be text, not %s%s", strictyaml.KindName(v), strictyaml.QuoteHint(v))
		}
		if strings.TrimSpace(val) == "" || strings.ContainsRune(val, 0) {
			return bad("is empty")
		}
		return val, true
	}
	return val, true
}

func (l *loader) stringMap(where, name string, v *yaml.Node) (map[string]string, bool) {
	if v.Kind != yaml.MappingNode {
		l.Errorf(v.Line, "option %s of %s must be a mapping of column names to names in the source, such as {country_code: country}, not %s", name, where, strictyaml.KindName(v))
		return nil, false
	}
	m := map[string]string{}
	before := len(l.Problems)
	entries := l.Entries(v, fmt.Sprintf("option %s of %s", name, where))
	ok := len(l.Problems) == before
	for _, en := range entries {
		k, e := en.Key, en.Value
		if e.Kind != yaml.ScalarNode || e.ShortTag() != "!!str" || e.Value == "" || strings.ContainsRune(e.Value, 0) {
			l.Errorf(e.Line, "option %s of %s maps %s to %s; write a non-empty text", name, where, k.Value, strictyaml.KindName(e))
			ok = false
			continue
		}
		m[k.Value] = e.Value
	}
	return m, ok
}

// remoteLocation checks the location of a remote port: an http(s) URL
// without credentials for http ports; none for postgres ports.
func (l *loader) remoteLocation(line int, where, typ, loc string) string {
	if typ == "postgres" {
		l.Errorf(line, "%s is a postgres port: remove location and give host, port, database, schema and table as options", where)
		return ""
	}
	if typ == "gateway" {
		if host, port, err := net.SplitHostPort(loc); err != nil || host == "" || port == "" {
			l.Errorf(line, "location %q of %s must be the remote meshgate's host:port, such as sales-gw.internal:5433", loc, where)
			return ""
		}
		return loc
	}
	u, err := url.Parse(loc)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		l.Errorf(line, "location %q of %s must be an http:// or https:// URL", loc, where)
		return ""
	}
	if u.User != nil {
		l.Errorf(line, "location of %s holds credentials in the URL; remove them and use token_secret or header_name with header_secret", where)
		return ""
	}
	return loc
}

// checkRemotePort reports the options a remote port is missing or that
// contradict each other, and mappings naming undeclared columns.
func (l *loader) checkRemotePort(line int, where string, port *Port, cols []Column) {
	o := port.Options
	has := func(k string) bool { _, ok := o[k]; return ok }
	switch port.Type {
	case "postgres":
		for _, k := range []string{"host", "database", "table", "user"} {
			if !has(k) {
				l.Errorf(line, "%s is a postgres port and needs options.%s", where, k)
			}
		}
	case "gateway":
		for _, k := range []string{"product", "user", "audience"} {
			if !has(k) {
				l.Errorf(line, "%s is a gateway port and needs options.%s", where, k)
			}
		}
		if d, pr, ok := strings.Cut(o["product"], "."); has("product") && (!ok || d == "" || pr == "" || strings.Contains(pr, ".")) {
			l.Errorf(line, "%s: options.product %q must name the remote product as domain.product", where, o["product"])
		}
	case "http":
		if has("header_name") != has("header_secret") {
			l.Errorf(line, "%s: options header_name and header_secret go together (the header and the secret holding its value)", where)
		}
		pg := o["pagination"]
		if has("next_field") && pg != "next_field" {
			l.Errorf(line, "%s: option next_field applies only with pagination: next_field", where)
		}
		if pg == "next_field" && o["format"] == "arrow" || pg == "next_field" && o["format"] == "ndjson" {
			l.Errorf(line, "%s: pagination next_field needs a JSON object body (format json)", where)
		}
	}
	if o["mode"] != "snapshot" && has("refresh") {
		l.Errorf(line, "%s: option refresh applies only with mode: snapshot", where)
	}
	if has("refresh") && has("max_staleness") {
		r, _ := time.ParseDuration(o["refresh"])
		s, _ := time.ParseDuration(o["max_staleness"])
		if s > 0 && s < r {
			l.Errorf(line, "%s: max_staleness %s is shorter than refresh %s, so every snapshot would be stale before the next one", where, o["max_staleness"], o["refresh"])
		}
	}
	if cols == nil {
		return
	}
	for _, m := range []struct {
		opt string
		m   map[string]string
	}{{"columns", port.SourceNames}, {"filters", port.Filters}} {
		keys := make([]string, 0, len(m.m))
		for c := range m.m {
			keys = append(keys, c)
		}
		sort.Strings(keys)
		for _, c := range keys {
			found := false
			for _, d := range cols {
				found = found || d.Name == c
			}
			if !found {
				l.Errorf(line, "option %s of %s names %s, which is not a declared column", m.opt, where, c)
			}
		}
	}
}

var intRank = map[string]int{"TINYINT": 1, "SMALLINT": 2, "INTEGER": 3, "BIGINT": 4, "HUGEINT": 5}

// RemoteCompatible reports whether a column a remote source (postgres)
// holds as actual can be read losslessly as the declared type: the same
// type, a narrower integer, FLOAT for DOUBLE, a DECIMAL of the same scale
// and no greater precision (or an unconstrained numeric, reported as
// DECIMAL, whose values are checked as they are read), UUID or JSON read
// as VARCHAR, and lists of compatible elements.
func RemoteCompatible(declared, actual string) bool {
	if declared == actual {
		return true
	}
	if d, ok := strings.CutSuffix(declared, "[]"); ok {
		a, ok := strings.CutSuffix(actual, "[]")
		// PostgreSQL's array types do not tell the dimensions: a T[][]
		// column is reported T[], and read as the declaration says.
		for ok && strings.HasSuffix(d, "[]") && !strings.HasSuffix(a, "[]") {
			d = strings.TrimSuffix(d, "[]")
		}
		return ok && RemoteCompatible(d, a)
	}
	if dr, ok := intRank[declared]; ok {
		ar, ok := intRank[actual]
		return ok && ar <= dr
	}
	switch {
	case declared == "DOUBLE":
		return actual == "FLOAT"
	case declared == "VARCHAR":
		return actual == "UUID" || actual == "JSON"
	case strings.HasPrefix(declared, "DECIMAL("):
		if actual == "DECIMAL" {
			return true
		}
		var dp, ds, ap, as int
		if _, err := fmt.Sscanf(declared, "DECIMAL(%d,%d)", &dp, &ds); err != nil {
			return false
		}
		if _, err := fmt.Sscanf(actual, "DECIMAL(%d,%d)", &ap, &as); err != nil {
			return false
		}
		return as == ds && ap <= dp
	}
	return false
}
