package pgcatalog

import (
	"fmt"
	"hash/fnv"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/meshgate/meshgate/planner"
	"github.com/meshgate/meshgate/planner/catalog"
)

// Column is one column of a relation as the catalog shows it.
type Column struct {
	Name        string
	TypeOID     uint32
	TypMod      int32 // -1 when none
	NotNull     bool
	Description string
}

// Relation is one product the session may read.
type Relation struct {
	Address     catalog.Address
	Description string
	Owner       string // the owning team, shown as the relation's owner
	Columns     []Column
}

// Setting is one run-time parameter (pg_settings, current_setting()).
type Setting struct{ Name, Value string }

// Session is what the catalog of one session is built from.
type Session struct {
	Catalog   string // the session's DuckDB catalog
	Database  string
	User      string
	PID       uint32
	Version   string // the text of version()
	Relations []Relation
	Settings  []Setting
	Started   time.Time
	// Groups and Attributes of the user, read by policy row filters
	// through in_group() and session_attr().
	Groups     []string
	Attributes map[string]string
}

// Well-known OIDs.
const (
	oidPGCatalog   = 11
	oidPublic      = 2200
	oidInfoSchema  = 13000
	oidSuperuser   = 10
	oidDatabase    = 16384
	oidClassRel    = 1259 // pg_class, the classoid of relation descriptions
	oidNamespaceRl = 2615
	firstUserOID   = 16385
)

// stableOID derives an OID from a name so that a product keeps its OID
// across sessions and restarts (pgjdbc caches type and relation OIDs).
func stableOID(kind, name string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(kind + ":" + name))
	return firstUserOID + h.Sum32()%(1<<30)
}

// RelationOID is the OID of a product's relation.
func RelationOID(a catalog.Address) uint32 { return stableOID("rel", a.String()) }

// NamespaceOID is the OID of a domain's schema.
func NamespaceOID(domain string) uint32 { return stableOID("nsp", domain) }

// RoleOID is the OID of a role (a user or an owning team).
func RoleOID(name string) uint32 { return stableOID("role", name) }

func lit(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func ident(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

func boolLit(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

// table renders CREATE TABLE name AS with typed columns and rows. cols are
// "name TYPE" pairs; rows hold SQL literals. A session's relations with
// rows are views over its row store instead (compact.go).
func table(schema, name string, cols []string, rows [][]string) string {
	cols = duckColumns(schema, name, cols)
	if !stored(schema, name, rows) {
		return rowsView(schema, name, cols, rows)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "CREATE TABLE %s.%s (%s)", schema, ident(name), strings.Join(cols, ", "))
	if len(rows) > 0 {
		b.WriteString(";\nINSERT INTO ")
		fmt.Fprintf(&b, "%s.%s VALUES ", schema, ident(name))
		for i, r := range rows {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(" + strings.Join(r, ", ") + ")")
		}
	}
	return b.String()
}

// catalogRelations are pg_catalog relations listed in pg_class with
// PostgreSQL's OIDs (DBeaver and pgjdbc look some of them up by name).
var catalogRelations = []struct {
	oid  uint32
	name string
}{
	{1247, "pg_type"}, {1249, "pg_attribute"}, {1255, "pg_proc"}, {1259, "pg_class"},
	{1262, "pg_database"}, {2601, "pg_am"}, {2606, "pg_constraint"}, {2609, "pg_description"},
	{2610, "pg_index"}, {2615, "pg_namespace"},
}

// ResetStatements rewrite the rows of a catalog Statements built that
// differ between two sessions of the same user under the same policy (the
// process ID), when a session reuses a closed session's catalog
// (engine.NewPooledSession). The settings are the gateway's to rewrite.
func ResetStatements(s Session) []string {
	pg := ident(s.Catalog) + "." + ident(planner.CompatPG)
	return []string{fmt.Sprintf("DELETE FROM %s WHERE rel = %s", rowStore(pg), lit(pg+"."+ident("pg_stat_activity"))),
		rowsInsert(pg, "pg_stat_activity", statActivityColumns, statActivityRows(s))}
}

// statActivityColumns are pg_stat_activity's columns: the session itself.
var statActivityColumns = []string{"datid UINTEGER", "datname name", "pid INTEGER", "leader_pid INTEGER", "usesysid UINTEGER", "usename name", "application_name VARCHAR", "client_addr VARCHAR", "client_hostname VARCHAR", "client_port INTEGER", "backend_start TIMESTAMPTZ", "xact_start TIMESTAMPTZ", "query_start TIMESTAMPTZ", "state_change TIMESTAMPTZ", "wait_event_type VARCHAR", "wait_event VARCHAR", "state VARCHAR", "backend_xid BIGINT", "backend_xmin BIGINT", "query_id BIGINT", "query VARCHAR", "backend_type VARCHAR"}

func statActivityRows(s Session) [][]string {
	return [][]string{{fmt.Sprint(oidDatabase), lit(s.Database), fmt.Sprint(s.PID), "NULL", fmt.Sprint(RoleOID(s.User)), lit(s.User), "''", "NULL", "NULL", "NULL", lit(s.Started.UTC().Format("2006-01-02 15:04:05.999999Z07:00")), "NULL", "NULL", "NULL", "NULL", "NULL", "'active'", "NULL", "NULL", "NULL", "''", "'client backend'"}}
}

// Statements returns the DuckDB statements that create the session's
// client catalog in its DuckDB catalog.
func Statements(s Session) []string {
	pg := ident(s.Catalog) + "." + ident(planner.CompatPG)
	is := ident(s.Catalog) + "." + ident(planner.CompatIS)
	// Dropped first, so a rebuilt session (a reloaded policy) starts clean.
	out := []string{"DROP SCHEMA IF EXISTS " + pg + " CASCADE", "DROP SCHEMA IF EXISTS " + is + " CASCADE", "CREATE SCHEMA " + pg, "CREATE SCHEMA " + is}
	add := func(stmt string) { out = append(out, stmt) }

	rels := append([]Relation(nil), s.Relations...)
	sort.Slice(rels, func(i, j int) bool { return rels[i].Address.String() < rels[j].Address.String() })
	domains := map[string]bool{}
	owners := map[string]bool{s.User: true}
	for _, r := range rels {
		domains[r.Address.Domain] = true
		if r.Owner != "" {
			owners[r.Owner] = true
		}
	}
	domainList := make([]string, 0, len(domains))
	for d := range domains {
		domainList = append(domainList, d)
	}
	sort.Strings(domainList)

	// Roles: the session's user and the teams that own its products.
	var roleRows, userRows [][]string
	roleNames := make([]string, 0, len(owners))
	for n := range owners {
		roleNames = append(roleNames, n)
	}
	sort.Strings(roleNames)
	for _, n := range roleNames {
		login := n == s.User
		roleRows = append(roleRows, []string{lit(n), "false", "true", "false", "false", boolLit(login), "false", "-1", "'********'", "NULL", "false", "NULL", fmt.Sprint(RoleOID(n))})
		if login {
			userRows = append(userRows, []string{lit(n), fmt.Sprint(RoleOID(n)), "false", "false", "false", "false", "'********'", "NULL", "NULL"})
		}
	}
	roleRows = append(roleRows, []string{"'meshgate'", "true", "true", "false", "false", "false", "false", "-1", "'********'", "NULL", "false", "NULL", "10"})
	add(table(pg, "pg_roles", []string{"rolname name", "rolsuper BOOLEAN", "rolinherit BOOLEAN", "rolcreaterole BOOLEAN", "rolcreatedb BOOLEAN", "rolcanlogin BOOLEAN", "rolreplication BOOLEAN", "rolconnlimit INTEGER", "rolpassword VARCHAR", "rolvaliduntil TIMESTAMPTZ", "rolbypassrls BOOLEAN", "rolconfig VARCHAR[]", "oid UINTEGER"}, roleRows))
	add(fmt.Sprintf("CREATE VIEW %s.pg_authid AS SELECT oid, rolname, rolsuper, rolinherit, rolcreaterole, rolcreatedb, rolcanlogin, rolreplication, rolbypassrls, rolconnlimit, NULL::VARCHAR AS rolpassword, rolvaliduntil FROM %s.pg_roles", pg, pg))
	add(table(pg, "pg_user", []string{"usename name", "usesysid UINTEGER", "usecreatedb BOOLEAN", "usesuper BOOLEAN", "userepl BOOLEAN", "usebypassrls BOOLEAN", "passwd VARCHAR", "valuntil TIMESTAMPTZ", "useconfig VARCHAR[]"}, userRows))

	// Namespaces: one per domain, plus pg_catalog, information_schema and
	// an empty public (clients expect it).
	nsRows := [][]string{
		{"11", "'pg_catalog'", "10", "NULL"},
		{"13000", "'information_schema'", "10", "NULL"},
	}
	if !slices.Contains(domainList, "public") { // a domain public is the one public
		nsRows = append(nsRows, []string{"2200", "'public'", "10", "NULL"})
	}
	for _, d := range domainList {
		nsRows = append(nsRows, []string{fmt.Sprint(NamespaceOID(d)), lit(d), fmt.Sprint(RoleOID(s.User)), "NULL"})
	}
	add(table(pg, "pg_namespace", []string{"oid UINTEGER", "nspname name", "nspowner UINTEGER", "nspacl VARCHAR[]"}, nsRows))

	// Relations and their columns.
	classCols := []string{"oid UINTEGER", "relname name", "relnamespace UINTEGER", "reltype UINTEGER", "reloftype UINTEGER", "relowner UINTEGER", "relam UINTEGER", "relfilenode UINTEGER", "reltablespace UINTEGER", "relpages INTEGER", "reltuples REAL", "relallvisible INTEGER", "reltoastrelid UINTEGER", "relhasindex BOOLEAN", "relisshared BOOLEAN", "relpersistence char", "relkind char", "relnatts SMALLINT", "relchecks SMALLINT", "relhasrules BOOLEAN", "relhastriggers BOOLEAN", "relhassubclass BOOLEAN", "relrowsecurity BOOLEAN", "relforcerowsecurity BOOLEAN", "relispopulated BOOLEAN", "relreplident char", "relispartition BOOLEAN", "relrewrite UINTEGER", "relfrozenxid BIGINT", "relminmxid BIGINT", "relacl VARCHAR[]", "reloptions VARCHAR[]", "relpartbound VARCHAR"}
	classRow := func(oid uint32, name string, ns uint32, owner uint32, kind string, natts int) []string {
		return []string{fmt.Sprint(oid), lit(name), fmt.Sprint(ns), "0", "0", fmt.Sprint(owner), "2", fmt.Sprint(oid), "0", "0", "-1", "0", "0", "false", "false", "'p'", lit(kind), fmt.Sprint(natts), "0", "false", "false", "false", "false", "false", "true", "'d'", "false", "0", "0", "0", "NULL", "NULL", "NULL"}
	}
	var classRows, attRows, descRows, tablesRows, isTables, isColumns, privRows [][]string
	for _, c := range catalogRelations {
		classRows = append(classRows, classRow(c.oid, c.name, oidPGCatalog, oidSuperuser, "r", 0))
	}
	for _, r := range rels {
		oid := RelationOID(r.Address)
		owner := r.Owner
		if owner == "" {
			owner = s.User
		}
		classRows = append(classRows, classRow(oid, r.Address.Name, NamespaceOID(r.Address.Domain), RoleOID(owner), "r", len(r.Columns)))
		tablesRows = append(tablesRows, []string{lit(r.Address.Domain), lit(r.Address.Name), lit(owner), "NULL", "false", "false", "false", "false"})
		isTables = append(isTables, []string{lit(s.Database), lit(r.Address.Domain), lit(r.Address.Name), "'BASE TABLE'", "NULL", "NULL", "NULL", "NULL", "NULL", "'NO'", "'NO'", "NULL"})
		privRows = append(privRows, []string{lit(owner), lit(s.User), lit(s.Database), lit(r.Address.Domain), lit(r.Address.Name), "'SELECT'", "'NO'", "'YES'"})
		if r.Description != "" {
			descRows = append(descRows, []string{fmt.Sprint(oid), fmt.Sprint(oidClassRel), "0", lit(r.Description)})
		}
		for i, c := range r.Columns {
			t := typeByOID(c.TypeOID)
			attRows = append(attRows, []string{fmt.Sprint(oid), lit(c.Name), fmt.Sprint(c.TypeOID), "-1", fmt.Sprint(t.len), fmt.Sprint(i + 1), fmt.Sprint(ndims(t)), "-1", fmt.Sprint(c.TypMod), boolLit(t.byVal), lit(t.align), "'p'", "''", boolLit(c.NotNull), "false", "false", "''", "''", "false", "true", "0", collation(t), "NULL", "NULL", "NULL", "NULL"})
			if c.Description != "" {
				descRows = append(descRows, []string{fmt.Sprint(oid), fmt.Sprint(oidClassRel), fmt.Sprint(i + 1), lit(c.Description)})
			}
			isColumns = append(isColumns, infoColumn(s.Database, r, i, c, t))
		}
	}
	add(table(pg, "pg_class", classCols, classRows))
	add(table(pg, "pg_attribute", []string{"attrelid UINTEGER", "attname name", "atttypid UINTEGER", "attstattarget INTEGER", "attlen SMALLINT", "attnum SMALLINT", "attndims INTEGER", "attcacheoff INTEGER", "atttypmod INTEGER", "attbyval BOOLEAN", "attalign char", "attstorage char", "attcompression char", "attnotnull BOOLEAN", "atthasdef BOOLEAN", "atthasmissing BOOLEAN", "attidentity char", "attgenerated char", "attisdropped BOOLEAN", "attislocal BOOLEAN", "attinhcount INTEGER", "attcollation UINTEGER", "attacl VARCHAR[]", "attoptions VARCHAR[]", "attfdwoptions VARCHAR[]", "attmissingval VARCHAR"}, attRows))
	add(table(pg, "pg_description", []string{"objoid UINTEGER", "classoid UINTEGER", "objsubid INTEGER", "description VARCHAR"}, descRows))
	add(table(pg, "pg_tables", []string{"schemaname name", "tablename name", "tableowner name", "tablespace VARCHAR", "hasindexes BOOLEAN", "hasrules BOOLEAN", "hastriggers BOOLEAN", "rowsecurity BOOLEAN"}, tablesRows))

	// The database, settings and the session itself.
	add(table(pg, "pg_database", []string{"oid UINTEGER", "datname name", "datdba UINTEGER", "encoding INTEGER", "datlocprovider char", "datistemplate BOOLEAN", "datallowconn BOOLEAN", "datconnlimit INTEGER", "datfrozenxid BIGINT", "datminmxid BIGINT", "dattablespace UINTEGER", "datcollate VARCHAR", "datctype VARCHAR", "daticulocale VARCHAR", "datcollversion VARCHAR", "datacl VARCHAR[]"},
		[][]string{{fmt.Sprint(oidDatabase), lit(s.Database), "10", "6", "'c'", "false", "true", "-1", "0", "1", "1663", "'C.UTF-8'", "'C.UTF-8'", "NULL", "NULL", "NULL"}}))
	var setRows [][]string
	for _, st := range s.Settings {
		setRows = append(setRows, []string{lit(strings.ToLower(st.Name)), lit(st.Name), lit(st.Value)})
	}
	add(table(pg, "mg_settings", []string{"key VARCHAR", "name VARCHAR", "setting VARCHAR"}, setRows))
	add(fmt.Sprintf("CREATE VIEW %s.pg_settings AS SELECT name, setting, NULL::VARCHAR AS unit, 'Client Connection Defaults' AS category, '' AS short_desc, NULL::VARCHAR AS extra_desc, 'user' AS context, 'string' AS vartype, 'session' AS source, NULL::VARCHAR AS min_val, NULL::VARCHAR AS max_val, NULL::VARCHAR[] AS enumvals, setting AS boot_val, setting AS reset_val, NULL::VARCHAR AS sourcefile, NULL::INTEGER AS sourceline, false AS pending_restart FROM %s.mg_settings", pg, pg))
	add(table(pg, "pg_stat_activity", statActivityColumns, statActivityRows(s)))

	// information_schema.
	add(table(is, "schemata", []string{"catalog_name name", "schema_name name", "schema_owner name", "default_character_set_catalog name", "default_character_set_schema name", "default_character_set_name name", "sql_path varchar"}, schemataRows(s, domainList)))
	add(table(is, "tables", []string{"table_catalog name", "table_schema name", "table_name name", "table_type varchar", "self_referencing_column_name name", "reference_generation varchar", "user_defined_type_catalog name", "user_defined_type_schema name", "user_defined_type_name name", "is_insertable_into varchar", "is_typed varchar", "commit_action varchar"}, isTables))
	add(table(is, "columns", infoColumnCols, isColumns))
	add(table(is, "table_privileges", []string{"grantor name", "grantee name", "table_catalog name", "table_schema name", "table_name name", "privilege_type varchar", "is_grantable varchar", "with_hierarchy varchar"}, privRows))

	var idRows [][]string
	keys := make([]string, 0, len(s.Attributes))
	for k := range s.Attributes {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		idRows = append(idRows, []string{lit(k), lit(s.Attributes[k])})
	}
	add(table(pg, "mg_identity", []string{"key VARCHAR", "value VARCHAR"}, idRows))
	var groupRows [][]string
	for _, g := range s.Groups {
		groupRows = append(groupRows, []string{lit(g)})
	}
	add(table(pg, "mg_groups", []string{"name VARCHAR"}, groupRows))
	return out
}

func typeByOID(oid uint32) pgType {
	for _, t := range pgTypes {
		if t.oid == oid {
			return t
		}
	}
	for _, t := range arrayTypes() {
		if t.oid == oid {
			return t
		}
	}
	return pgTypes[9] // text
}

func ndims(t pgType) int {
	if t.category == "A" && t.elem != 0 {
		return 1
	}
	return 0
}

func collation(t pgType) string {
	if t.category == "S" {
		return "100"
	}
	return "0"
}

func schemataRows(s Session, domains []string) [][]string {
	rows := [][]string{
		{lit(s.Database), "'information_schema'", "'meshgate'", "NULL", "NULL", "NULL", "NULL"},
		{lit(s.Database), "'pg_catalog'", "'meshgate'", "NULL", "NULL", "NULL", "NULL"},
	}
	if !slices.Contains(domains, "public") { // a domain public is the one public
		rows = append(rows, []string{lit(s.Database), "'public'", "'meshgate'", "NULL", "NULL", "NULL", "NULL"})
	}
	for _, d := range domains {
		rows = append(rows, []string{lit(s.Database), lit(d), lit(s.User), "NULL", "NULL", "NULL", "NULL"})
	}
	return rows
}

var infoColumnCols = []string{"table_catalog name", "table_schema name", "table_name name", "column_name name", "ordinal_position INTEGER", "column_default varchar", "is_nullable varchar", "data_type varchar", "character_maximum_length INTEGER", "character_octet_length INTEGER", "numeric_precision INTEGER", "numeric_precision_radix INTEGER", "numeric_scale INTEGER", "datetime_precision INTEGER", "interval_type varchar", "interval_precision INTEGER", "character_set_catalog name", "character_set_schema name", "character_set_name name", "collation_catalog name", "collation_schema name", "collation_name name", "domain_catalog name", "domain_schema name", "domain_name name", "udt_catalog name", "udt_schema name", "udt_name name", "scope_catalog name", "scope_schema name", "scope_name name", "maximum_cardinality INTEGER", "dtd_identifier name", "is_self_referencing varchar", "is_identity varchar", "identity_generation varchar", "identity_start varchar", "identity_increment varchar", "identity_maximum varchar", "identity_minimum varchar", "identity_cycle varchar", "is_generated varchar", "generation_expression varchar", "is_updatable varchar"}

func infoColumn(db string, r Relation, i int, c Column, t pgType) []string {
	nullable := "'YES'"
	if c.NotNull {
		nullable = "'NO'"
	}
	dataType := t.format
	if t.category == "A" {
		dataType = "ARRAY"
	}
	prec, radix, scale, dtPrec := "NULL", "NULL", "NULL", "NULL"
	switch t.oid {
	case 21:
		prec, radix, scale = "16", "2", "0"
	case 23:
		prec, radix, scale = "32", "2", "0"
	case 20:
		prec, radix, scale = "64", "2", "0"
	case 700:
		prec, radix = "24", "2"
	case 701:
		prec, radix = "53", "2"
	case 1700:
		radix = "10"
		if c.TypMod >= 4 {
			prec, scale = fmt.Sprint((c.TypMod-4)>>16), fmt.Sprint((c.TypMod-4)&0xffff)
		}
	case 1082:
		dtPrec = "0"
	case 1083, 1114, 1184, 1186, 1266:
		dtPrec = "6"
	}
	return []string{lit(db), lit(r.Address.Domain), lit(r.Address.Name), lit(c.Name), fmt.Sprint(i + 1), "NULL", nullable, lit(dataType),
		"NULL", "NULL", prec, radix, scale, dtPrec, "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL",
		lit(db), "'pg_catalog'", lit(t.name), "NULL", "NULL", "NULL", "NULL", lit(fmt.Sprint(i + 1)), "'NO'", "'NO'", "NULL", "NULL", "NULL", "NULL", "NULL", "'NO'", "'NEVER'", "NULL", "'NO'"}
}

// Static schemas: the catalog relations that are the same for every
// session (pg_type, empty relations…), created once in the engine's
// internal catalog and shared; the planner reads them there.
const (
	StaticPG = `memory."mg$pgs"`
	StaticIS = `memory."mg$iss"`
)

// SessionSchemas are the schemas of a session's own catalog holding its
// client catalog, which any statement may read (engine.AllowCatalogSchemas).
func SessionSchemas() []string { return []string{planner.CompatPG, planner.CompatIS} }

// SharedSchemas are the engine catalog's schemas of shared client-catalog
// relations (unquoted names).
func SharedSchemas() []string { return []string{"mg$pgs", "mg$iss"} }

// SharedStatements create what every session shares: the static
// relations, the functions, and (for the functions to bind when they are
// created) an empty copy of the per-session relations in the engine's own
// catalog.
func SharedStatements(database, version string, started time.Time) []string {
	out := StaticStatements()
	out = append(out, Statements(Session{Catalog: "memory", Database: database, Started: started})...)
	return append(out, FunctionStatements(database, version, started)...)
}

// StaticStatements create the shared static relations.
func StaticStatements() []string {
	pg, is := StaticPG, StaticIS
	out := []string{"CREATE SCHEMA IF NOT EXISTS " + pg, "CREATE SCHEMA IF NOT EXISTS " + is}
	add := func(stmt string) { out = append(out, stmt) }
	add(table(pg, "pg_auth_members", []string{"oid UINTEGER", "roleid UINTEGER", "member UINTEGER", "grantor UINTEGER", "admin_option BOOLEAN"}, nil))
	add(table(pg, "pg_shdescription", []string{"objoid UINTEGER", "classoid UINTEGER", "description VARCHAR"}, nil))
	// Types.
	var typeRows [][]string
	for _, t := range append(append([]pgType(nil), pgTypes...), arrayTypes()...) {
		typtype := "b"
		if t.category == "P" {
			typtype = "p"
		}
		typeRows = append(typeRows, []string{fmt.Sprint(t.oid), lit(t.name), "11", "10", fmt.Sprint(t.len), boolLit(t.byVal), lit(typtype), lit(t.category), "false", "true", "','", "0", "NULL", fmt.Sprint(t.elem), fmt.Sprint(t.array), lit(t.input + "_in"), lit(t.input + "_out"), lit(t.input + "_recv"), lit(t.input + "_send"), "'-'", "'-'", "'-'", lit(t.align), "'p'", "false", "0", "-1", "0", collation(t), "NULL", "NULL", "NULL"})
	}
	add(table(pg, "pg_type", []string{"oid UINTEGER", "typname name", "typnamespace UINTEGER", "typowner UINTEGER", "typlen SMALLINT", "typbyval BOOLEAN", "typtype char", "typcategory char", "typispreferred BOOLEAN", "typisdefined BOOLEAN", "typdelim char", "typrelid UINTEGER", "typsubscript regproc", "typelem UINTEGER", "typarray UINTEGER", "typinput regproc", "typoutput regproc", "typreceive regproc", "typsend regproc", "typmodin regproc", "typmodout regproc", "typanalyze regproc", "typalign char", "typstorage char", "typnotnull BOOLEAN", "typbasetype UINTEGER", "typtypmod INTEGER", "typndims INTEGER", "typcollation UINTEGER", "typdefaultbin VARCHAR", "typdefault VARCHAR", "typacl VARCHAR[]"}, typeRows))
	var fmtRows [][]string
	for _, t := range append(append([]pgType(nil), pgTypes...), arrayTypes()...) {
		fmtRows = append(fmtRows, []string{fmt.Sprint(t.oid), lit(t.format)})
	}
	add(table(pg, "mg_typefmt", []string{"oid UINTEGER", "fmt VARCHAR"}, fmtRows))

	add(table(pg, "pg_am", []string{"oid UINTEGER", "amname name", "amhandler regproc", "amtype char"}, [][]string{{"2", "'heap'", "'heap_tableam_handler'", "'t'"}, {"403", "'btree'", "'bthandler'", "'i'"}}))
	add(table(pg, "pg_tablespace", []string{"oid UINTEGER", "spcname name", "spcowner UINTEGER", "spcacl VARCHAR[]", "spcoptions VARCHAR[]"}, [][]string{{"1663", "'pg_default'", "10", "NULL", "NULL"}, {"1664", "'pg_global'", "10", "NULL", "NULL"}}))
	add(table(pg, "pg_collation", []string{"oid UINTEGER", "collname name", "collnamespace UINTEGER", "collowner UINTEGER", "collprovider char", "collisdeterministic BOOLEAN", "collencoding INTEGER", "collcollate VARCHAR", "collctype VARCHAR", "colliculocale VARCHAR", "collicurules VARCHAR", "collversion VARCHAR"},
		[][]string{{"100", "'default'", "11", "10", "'d'", "true", "-1", "NULL", "NULL", "NULL", "NULL", "NULL"}, {"950", "'C'", "11", "10", "'c'", "true", "-1", "'C'", "'C'", "NULL", "NULL", "NULL"}}))
	add(table(pg, "pg_language", []string{"oid UINTEGER", "lanname name", "lanowner UINTEGER", "lanispl BOOLEAN", "lanpltrusted BOOLEAN", "lanplcallfoid UINTEGER", "laninline UINTEGER", "lanvalidator UINTEGER", "lanacl VARCHAR[]"},
		[][]string{{"12", "'internal'", "10", "false", "false", "0", "0", "0", "NULL"}, {"13", "'c'", "10", "false", "false", "0", "0", "0", "NULL"}, {"14", "'sql'", "10", "false", "true", "0", "0", "0", "NULL"}}))

	// Relations that exist in PostgreSQL but hold nothing here: no
	// indexes, constraints, functions, triggers, policies…
	for _, e := range emptyRelations {
		add(table(pg, e.name, e.cols, nil))
	}

	for _, e := range emptyInfoSchema {
		add(table(is, e.name, e.cols, nil))
	}
	return out
}

// Relation returns where a pg_catalog ("pg_catalog") or
// information_schema relation of a session is read: the session's own
// schema, or the shared static one.
func RelationSchema(schema, name string) string {
	static := staticNames()
	if schema == "information_schema" {
		if static["is:"+name] {
			return StaticIS
		}
		return `"` + planner.CompatIS + `"`
	}
	if static["pg:"+name] {
		return StaticPG
	}
	return `"` + planner.CompatPG + `"`
}

// staticNames lists the shared relations by "pg:" / "is:" name.
func staticNames() map[string]bool {
	m := map[string]bool{"pg:pg_auth_members": true, "pg:pg_shdescription": true, "pg:pg_type": true, "pg:mg_typefmt": true,
		"pg:pg_am": true, "pg:pg_tablespace": true, "pg:pg_collation": true, "pg:pg_language": true}
	for _, e := range emptyRelations {
		m["pg:"+e.name] = true
	}
	for _, e := range emptyInfoSchema {
		m["is:"+e.name] = true
	}
	return m
}
