package gateway

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // time zones must resolve on machines without tzdata

	"github.com/meshgate/meshgate/sqlstate"
)

// ServerVersion is the PostgreSQL version meshgate speaks for.
const (
	ServerVersion    = "15.4"
	ServerVersionNum = "150004"
)

// settingDef describes one run-time parameter a client may SHOW or SET.
type settingDef struct {
	name     string // as PostgreSQL spells it in SHOW ALL and ParameterStatus
	def      string
	report   bool // sent as ParameterStatus at start and when it changes
	readOnly bool
	// check validates a new value and returns its normalised form.
	check func(v string) (string, error)
}

// settingDefs is the fixed table of known parameters, by lowercase name.
// It is never modified after start.
func settingDefs() map[string]*settingDef {
	defs := []*settingDef{
		{name: "application_name", def: "", report: true},
		{name: "client_encoding", def: "UTF8", report: true, check: checkEncoding},
		{name: "DateStyle", def: "ISO, MDY", report: true, check: checkDateStyle},
		{name: "default_transaction_read_only", def: "on", report: true, check: checkReadOnly},
		{name: "in_hot_standby", def: "off", report: true, readOnly: true},
		{name: "integer_datetimes", def: "on", report: true, readOnly: true},
		{name: "IntervalStyle", def: "postgres", report: true, check: checkIntervalStyle},
		{name: "is_superuser", def: "off", report: true, readOnly: true},
		{name: "server_encoding", def: "UTF8", report: true, readOnly: true},
		{name: "server_version", def: ServerVersion, report: true, readOnly: true},
		{name: "session_authorization", def: "", report: true, readOnly: true},
		{name: "standard_conforming_strings", def: "on", report: true, check: checkOn("standard_conforming_strings")},
		{name: "TimeZone", def: "UTC", report: true, check: checkTimeZone},
		{name: "server_version_num", def: ServerVersionNum, readOnly: true},
		// ssl is on when the server accepts TLS, as PostgreSQL's (whether
		// this connection uses it is pg_stat_ssl's business).
		{name: "ssl", def: "off", readOnly: true},
		{name: "search_path", def: `"$user", public`, check: checkSearchPath},
		{name: "transaction_isolation", def: "read committed", check: checkIsolation},
		{name: "default_transaction_isolation", def: "read committed", check: checkIsolation},
		{name: "transaction_read_only", def: "on", check: checkReadOnly},
		{name: "transaction_deferrable", def: "off", check: checkBool},
		{name: "default_transaction_deferrable", def: "off", check: checkBool},
		{name: "extra_float_digits", def: "1", check: checkIntRange(-15, 3)},
		{name: "statement_timeout", def: "0", check: checkDuration},
		{name: "lock_timeout", def: "0", check: checkDuration},
		{name: "idle_in_transaction_session_timeout", def: "0", check: checkDuration},
		{name: "idle_session_timeout", def: "0", check: checkDuration},
		{name: "client_min_messages", def: "notice", check: checkEnum("debug5", "debug4", "debug3", "debug2", "debug1", "log", "notice", "warning", "error")},
		{name: "bytea_output", def: "hex", check: checkEnum("hex")},
		{name: "max_identifier_length", def: "63", readOnly: true},
		{name: "max_index_keys", def: "32", readOnly: true},
		{name: "block_size", def: "8192", readOnly: true},
		{name: "lc_collate", def: "C.UTF-8", readOnly: true},
		{name: "lc_ctype", def: "C.UTF-8", readOnly: true},
		{name: "lc_messages", def: "C.UTF-8", check: anyValue},
		{name: "lc_monetary", def: "C.UTF-8", check: anyValue},
		{name: "lc_numeric", def: "C.UTF-8", check: anyValue},
		{name: "lc_time", def: "C.UTF-8", check: anyValue},
		{name: "escape_string_warning", def: "on", check: checkBool},
		{name: "jit", def: "off", check: checkBool},
		{name: "row_security", def: "on", check: checkOn("row_security")},
		{name: "synchronous_commit", def: "on", check: anyValue},
		{name: "work_mem", def: "4MB", check: anyValue},
		{name: "max_connections", def: "100", readOnly: true},
		{name: "default_text_search_config", def: "pg_catalog.english", check: anyValue},
		{name: "geqo", def: "on", check: checkBool},
		{name: pushdownSetting, def: "on", check: checkBool}, // pushdown.go
		// The gateway's result cache for this session (cacheread.go).
		{name: resultCacheSetting, def: "on", check: checkBool},
		{name: "enable_seqscan", def: "on", check: checkBool},
		{name: "timezone_abbreviations", def: "Default", check: anyValue},
		// Planner and logging settings clients set: accepted and shown,
		// without effect (DuckDB plans the query).
		{name: "random_page_cost", def: "4", check: anyValue},
		{name: "seq_page_cost", def: "1", check: anyValue},
		{name: "cpu_tuple_cost", def: "0.01", check: anyValue},
		{name: "effective_cache_size", def: "4GB", check: anyValue},
		{name: "maintenance_work_mem", def: "64MB", check: anyValue},
		{name: "default_statistics_target", def: "100", check: anyValue},
		{name: "join_collapse_limit", def: "8", check: anyValue},
		{name: "from_collapse_limit", def: "8", check: anyValue},
		{name: "enable_hashjoin", def: "on", check: checkBool},
		{name: "enable_mergejoin", def: "on", check: checkBool},
		{name: "enable_nestloop", def: "on", check: checkBool},
		{name: "enable_indexscan", def: "on", check: checkBool},
		{name: "enable_bitmapscan", def: "on", check: checkBool},
		{name: "enable_sort", def: "on", check: checkBool},
		{name: "enable_hashagg", def: "on", check: checkBool},
		{name: "log_statement", def: "none", check: checkEnum("none", "ddl", "mod", "all")},
		{name: "log_min_duration_statement", def: "-1", check: anyValue},
	}
	m := make(map[string]*settingDef, len(defs))
	for _, d := range defs {
		m[strings.ToLower(d.name)] = d
	}
	return m
}

func anyValue(v string) (string, error) { return v, nil }

func invalid(name, v string) *sqlstate.Error {
	return sqlstate.New(sqlstate.InvalidParameterValue, "invalid value for parameter %q: %q", name, v)
}

// pgEncodings are the encoding names PostgreSQL knows (encnames.c), as
// cleaned by cleanEncodingName, mapped to their canonical names.
var pgEncodings = func() map[string]string {
	m := map[string]string{}
	for _, canon := range []string{"SQL_ASCII", "EUC_JP", "EUC_CN", "EUC_KR", "EUC_TW", "EUC_JIS_2004", "UTF8",
		"MULE_INTERNAL", "LATIN1", "LATIN2", "LATIN3", "LATIN4", "LATIN5", "LATIN6", "LATIN7", "LATIN8", "LATIN9",
		"LATIN10", "WIN1256", "WIN1258", "WIN866", "WIN874", "KOI8R", "WIN1251", "WIN1252", "ISO_8859_5",
		"ISO_8859_6", "ISO_8859_7", "ISO_8859_8", "WIN1250", "WIN1253", "WIN1254", "WIN1255", "WIN1257", "KOI8U",
		"SJIS", "BIG5", "GBK", "UHC", "GB18030", "JOHAB", "SHIFT_JIS_2004"} {
		m[cleanEncodingName(canon)] = canon
	}
	for alias, canon := range map[string]string{
		"unicode": "UTF8", "koi8": "KOI8R", "alt": "WIN866", "win": "WIN1251", "mskanji": "SJIS", "shiftjis": "SJIS",
		"tcvn": "WIN1258", "tcvn5712": "WIN1258", "vscii": "WIN1258", "abc": "WIN1258", "iso88591": "LATIN1",
		"iso88592": "LATIN2", "iso88593": "LATIN3", "iso88594": "LATIN4", "iso88599": "LATIN5", "iso885910": "LATIN6",
		"iso885913": "LATIN7", "iso885914": "LATIN8", "iso885915": "LATIN9", "iso885916": "LATIN10",
		"windows1250": "WIN1250", "windows1251": "WIN1251", "windows1252": "WIN1252", "windows1253": "WIN1253",
		"windows1254": "WIN1254", "windows1255": "WIN1255", "windows1256": "WIN1256", "windows1257": "WIN1257",
		"windows1258": "WIN1258", "windows866": "WIN866", "windows874": "WIN874", "windows932": "SJIS",
		"windows936": "GBK", "windows949": "UHC", "windows950": "BIG5", "win932": "SJIS", "win936": "GBK",
		"win949": "UHC", "win950": "BIG5",
	} {
		m[alias] = canon
	}
	return m
}()

// cleanEncodingName normalises an encoding name as PostgreSQL's
// clean_encoding_name does: only letters and digits, lowercased, so
// 'utf-8', UTF_8, "Utf8" and even a quoted value all read as utf8.
func cleanEncodingName(v string) string {
	var b strings.Builder
	for _, r := range v {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		case r >= 'A' && r <= 'Z':
			b.WriteRune(r + 'a' - 'A')
		}
	}
	return b.String()
}

// checkEncoding accepts any spelling of UTF8; PostgreSQL's other
// encodings are refused as unsupported, unknown names as invalid.
func checkEncoding(v string) (string, error) {
	canon, ok := pgEncodings[cleanEncodingName(v)]
	switch {
	case !ok:
		return "", invalid("client_encoding", v)
	case canon != "UTF8":
		return "", sqlstate.New(sqlstate.FeatureNotSupported, "client_encoding %s is not supported: meshgate speaks UTF8 only", canon).
			WithHint("Set client_encoding to UTF8; meshgate does not convert between encodings.")
	}
	return "UTF8", nil
}

func checkDateStyle(v string) (string, error) {
	out, order := "ISO", "MDY"
	for _, part := range strings.Split(v, ",") {
		switch strings.ToUpper(strings.TrimSpace(part)) {
		case "ISO", "":
		case "MDY", "US", "NONEURO", "NONEUROPEAN":
			order = "MDY"
		case "DMY", "EURO", "EUROPEAN":
			order = "DMY"
		case "YMD":
			order = "YMD"
		case "SQL", "POSTGRES", "GERMAN":
			return "", sqlstate.New(sqlstate.FeatureNotSupported, "DateStyle %q is not supported: meshgate prints dates in ISO style only", v)
		default:
			return "", invalid("DateStyle", v)
		}
	}
	return out + ", " + order, nil
}

func checkIntervalStyle(v string) (string, error) {
	if strings.EqualFold(v, "postgres") {
		return "postgres", nil
	}
	return "", sqlstate.New(sqlstate.FeatureNotSupported, "IntervalStyle %q is not supported: meshgate prints intervals in postgres style only", v)
}

func checkOn(name string) func(string) (string, error) {
	return func(v string) (string, error) {
		b, err := checkBool(v)
		if err != nil {
			return "", err
		}
		if b != "on" {
			return "", sqlstate.New(sqlstate.FeatureNotSupported, "%s cannot be turned off in meshgate", name)
		}
		return b, nil
	}
}

func checkReadOnly(v string) (string, error) {
	b, err := checkBool(v)
	if err != nil {
		return "", err
	}
	if b != "on" {
		// Accepted for clients that ask for read-write by default; every
		// write statement is refused on its own.
		return "on", nil
	}
	return b, nil
}

func checkBool(v string) (string, error) {
	switch strings.ToLower(v) {
	case "on", "true", "yes", "1", "t", "y":
		return "on", nil
	case "off", "false", "no", "0", "f", "n":
		return "off", nil
	}
	return "", sqlstate.New(sqlstate.InvalidParameterValue, "parameter requires a Boolean value, got %q", v)
}

func checkEnum(values ...string) func(string) (string, error) {
	return func(v string) (string, error) {
		for _, x := range values {
			if strings.EqualFold(v, x) {
				return x, nil
			}
		}
		return "", sqlstate.New(sqlstate.InvalidParameterValue, "invalid value %q; available values: %s", v, strings.Join(values, ", "))
	}
}

func checkIntRange(lo, hi int) func(string) (string, error) {
	return func(v string) (string, error) {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil {
			return "", sqlstate.New(sqlstate.InvalidParameterValue, "invalid integer value %q", v)
		}
		if n < lo || n > hi {
			return "", sqlstate.New(sqlstate.InvalidParameterValue, "%d is outside the valid range (%d .. %d)", n, lo, hi)
		}
		return strconv.Itoa(n), nil
	}
}

func checkIsolation(v string) (string, error) {
	switch strings.ToLower(strings.Join(strings.Fields(v), " ")) {
	case "read committed", "read uncommitted", "repeatable read", "serializable":
		return strings.ToLower(strings.Join(strings.Fields(v), " ")), nil
	}
	return "", invalid("transaction_isolation", v)
}

// parseDuration reads PostgreSQL's time settings: a number of
// milliseconds or a number with a unit (ms, s, min, h, d).
func parseDuration(v string) (time.Duration, error) {
	v = strings.TrimSpace(strings.ToLower(v))
	i := 0
	for i < len(v) && (v[i] >= '0' && v[i] <= '9' || v[i] == '.') {
		i++
	}
	n, err := strconv.ParseFloat(v[:i], 64)
	if err != nil || n < 0 {
		return 0, sqlstate.New(sqlstate.InvalidParameterValue, "invalid value for a time setting: %q", v)
	}
	unit := time.Millisecond
	switch strings.TrimSpace(v[i:]) {
	case "", "ms":
	case "us":
		unit = time.Microsecond
	case "s":
		unit = time.Second
	case "min":
		unit = time.Minute
	case "h":
		unit = time.Hour
	case "d":
		unit = 24 * time.Hour
	default:
		return 0, sqlstate.New(sqlstate.InvalidParameterValue, "invalid unit in %q: valid units are us, ms, s, min, h and d", v)
	}
	return time.Duration(n * float64(unit)), nil
}

func checkDuration(v string) (string, error) {
	d, err := parseDuration(v)
	if err != nil {
		return "", err
	}
	if d == 0 {
		return "0", nil
	}
	if d%time.Second == 0 {
		return fmt.Sprintf("%ds", d/time.Second), nil
	}
	return fmt.Sprintf("%dms", d/time.Millisecond), nil
}

// loadTimeZone resolves a TimeZone value: an IANA name, UTC/GMT/Z, or a
// numeric offset in hours (PostgreSQL's SET TIME ZONE -8).
func loadTimeZone(v string) (*time.Location, string, error) {
	switch strings.ToUpper(v) {
	case "UTC", "GMT", "Z", "ZULU", "ETC/UTC", "UCT":
		return time.UTC, "UTC", nil
	}
	if h, err := strconv.ParseFloat(v, 64); err == nil && h >= -15 && h <= 15 {
		secs := int(h * 3600)
		return time.FixedZone(fmt.Sprintf("%+03d", int(h)), secs), fmt.Sprintf("<%+03d>%+d", int(h), -int(h)), nil
	}
	loc, err := time.LoadLocation(v)
	if err != nil || v == "" || v == "Local" {
		return nil, "", sqlstate.New(sqlstate.InvalidParameterValue, "invalid value for parameter \"TimeZone\": %q", v).
			WithHint("Use a time zone name such as UTC or Europe/Paris.")
	}
	return loc, loc.String(), nil
}

func checkTimeZone(v string) (string, error) {
	_, name, err := loadTimeZone(v)
	return name, err
}

// checkSearchPath normalises a search_path list: identifiers lowercased
// unless quoted, joined with ", ".
func checkSearchPath(v string) (string, error) {
	parts := splitSearchPath(v)
	return strings.Join(parts, ", "), nil
}

// splitSearchPath splits "a, \"B\", c" into its schema names as written
// (quotes kept for names that need them).
func splitSearchPath(v string) []string {
	var out []string
	for _, p := range strings.Split(v, ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		if !strings.HasPrefix(p, `"`) {
			p = strings.ToLower(p)
		}
		out = append(out, p)
	}
	return out
}

// sortedSettingNames lists the known settings for SHOW ALL.
func sortedSettingNames(defs map[string]*settingDef) []string {
	names := make([]string, 0, len(defs))
	for k := range defs {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}
