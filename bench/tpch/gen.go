package main

import (
	"bufio"
	"database/sql"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/pingcap/go-tpc/tpch/dbgen"
)

// tblWriter is a dbgen.Loader writing '|'-separated rows (no trailing '|').
type tblWriter struct {
	f    *os.File
	w    *bufio.Writer
	buf  []byte
	rows int64
	emit func(b []byte, item any) ([]byte, int64)
}

func (t *tblWriter) Load(item any) error {
	var n int64
	t.buf, n = t.emit(t.buf[:0], item)
	t.rows += n
	_, err := t.w.Write(t.buf)
	return err
}

func (t *tblWriter) Flush() error { return t.w.Flush() }

func (t *tblWriter) close() error {
	if err := t.w.Flush(); err != nil {
		return err
	}
	return t.f.Close()
}

func i64(b []byte, v int64) []byte  { return append(strconv.AppendInt(b, v, 10), '|') }
func str(b []byte, s string) []byte { return append(append(b, s...), '|') }
func end(b []byte) []byte           { b[len(b)-1] = '\n'; return b }

var emitters = map[string]func(b []byte, item any) ([]byte, int64){
	"orders": func(b []byte, item any) ([]byte, int64) {
		o := item.(*dbgen.Order)
		b = i64(b, int64(o.OKey))
		b = i64(b, int64(o.CustKey))
		b = append(b, o.Status, '|')
		b = str(b, dbgen.FmtMoney(o.TotalPrice))
		b = str(b, o.Date)
		b = str(b, o.OrderPriority)
		b = str(b, o.Clerk)
		b = i64(b, o.ShipPriority)
		b = str(b, o.Comment)
		return end(b), 1
	},
	"lineitem": func(b []byte, item any) ([]byte, int64) {
		o := item.(*dbgen.Order)
		for _, l := range o.Lines {
			b = i64(b, int64(l.OKey))
			b = i64(b, int64(l.PartKey))
			b = i64(b, int64(l.SuppKey))
			b = i64(b, int64(l.LCnt))
			b = i64(b, int64(l.Quantity))
			b = str(b, dbgen.FmtMoney(l.EPrice))
			b = str(b, dbgen.FmtMoney(l.Discount))
			b = str(b, dbgen.FmtMoney(l.Tax))
			b = append(b, l.RFlag, '|', l.LStatus, '|')
			b = str(b, l.SDate)
			b = str(b, l.CDate)
			b = str(b, l.RDate)
			b = str(b, l.ShipInstruct)
			b = str(b, l.ShipMode)
			b = str(b, l.Comment)
			b = end(b)
		}
		return b, int64(len(o.Lines))
	},
	"customer": func(b []byte, item any) ([]byte, int64) {
		c := item.(*dbgen.Cust)
		b = i64(b, int64(c.CustKey))
		b = str(b, c.Name)
		b = str(b, c.Address)
		b = i64(b, int64(c.NationCode))
		b = str(b, c.Phone)
		b = str(b, dbgen.FmtMoney(c.Acctbal))
		b = str(b, c.MktSegment)
		b = str(b, c.Comment)
		return end(b), 1
	},
	"part": func(b []byte, item any) ([]byte, int64) {
		p := item.(*dbgen.Part)
		b = i64(b, int64(p.PartKey))
		b = str(b, p.Name)
		b = str(b, p.Mfgr)
		b = str(b, p.Brand)
		b = str(b, p.Type)
		b = i64(b, int64(p.Size))
		b = str(b, p.Container)
		b = str(b, dbgen.FmtMoney(p.RetailPrice))
		b = str(b, p.Comment)
		return end(b), 1
	},
	"partsupp": func(b []byte, item any) ([]byte, int64) {
		p := item.(*dbgen.Part)
		for _, s := range p.S {
			b = i64(b, int64(s.PartKey))
			b = i64(b, int64(s.SuppKey))
			b = i64(b, int64(s.Qty))
			b = str(b, dbgen.FmtMoney(s.SCost))
			b = str(b, s.Comment)
			b = end(b)
		}
		return b, int64(len(p.S))
	},
	"supplier": func(b []byte, item any) ([]byte, int64) {
		s := item.(*dbgen.Supp)
		b = i64(b, int64(s.SuppKey))
		b = str(b, s.Name)
		b = str(b, s.Address)
		b = i64(b, int64(s.NationCode))
		b = str(b, s.Phone)
		b = str(b, dbgen.FmtMoney(s.Acctbal))
		b = str(b, s.Comment)
		return end(b), 1
	},
	"nation": func(b []byte, item any) ([]byte, int64) {
		n := item.(*dbgen.Nation)
		b = i64(b, int64(n.Code))
		b = str(b, n.Text)
		b = i64(b, int64(n.Join))
		b = str(b, n.Comment)
		return end(b), 1
	},
	"region": func(b []byte, item any) ([]byte, int64) {
		r := item.(*dbgen.Region)
		b = i64(b, int64(r.Code))
		b = str(b, r.Text)
		b = str(b, r.Comment)
		return end(b), 1
	},
}

var tableIDs = map[string]dbgen.Table{
	"orders": dbgen.TOrder, "lineitem": dbgen.TLine, "customer": dbgen.TCust, "part": dbgen.TPart,
	"partsupp": dbgen.TPsupp, "supplier": dbgen.TSupp, "nation": dbgen.TNation, "region": dbgen.TRegion,
}

// cmdGen generates TPC-H at scale factor sf into dir (once: a marker file
// records a complete generation) and lays it out as the bench mesh.
func cmdGen(args []string) {
	fs := flag.NewFlagSet("gen", flag.ExitOnError)
	sf := fs.Int64("sf", 1, "TPC-H scale factor (a whole number: go-tpc's dbgen takes an integer)")
	dir := fs.String("dir", "", "output directory")
	force := fs.Bool("force", false, "regenerate even if the marker says it is complete")
	fs.Parse(args)
	if *dir == "" || *sf < 1 {
		fatal("gen: -dir and -sf >= 1 are required")
	}
	abs, _ := filepath.Abs(*dir)
	marker := filepath.Join(abs, ".complete")
	if !*force {
		if b, err := os.ReadFile(marker); err == nil && strings.TrimSpace(string(b)) == fmt.Sprint(*sf) {
			fmt.Printf("TPC-H SF%d already generated in %s (delete %s to regenerate)\n", *sf, abs, marker)
			return
		}
	}
	os.RemoveAll(abs)
	tblDir := filepath.Join(abs, "tbl")
	must(os.MkdirAll(tblDir, 0o755))

	// 1. dbgen → .tbl files.
	start := time.Now()
	dbgen.InitDbGen(*sf)
	writers := map[string]*tblWriter{}
	loaders := map[dbgen.Table]dbgen.Loader{}
	for name, id := range tableIDs {
		f, err := os.Create(filepath.Join(tblDir, name+".tbl"))
		must(err)
		w := &tblWriter{f: f, w: bufio.NewWriterSize(f, 1<<20), emit: emitters[name]}
		writers[name] = w
		loaders[id] = w
	}
	must(dbgen.DbGen(loaders, []dbgen.Table{dbgen.TNation, dbgen.TRegion, dbgen.TSupp, dbgen.TCust, dbgen.TPartPsupp, dbgen.TOrderLine}))
	for name, w := range writers {
		must(w.close())
		fmt.Printf("  %-9s %10d rows\n", name, w.rows)
	}
	fmt.Printf("dbgen: SF%d in %s\n", *sf, time.Since(start).Round(time.Millisecond))

	// 2. DuckDB: the mesh files and the direct-DuckDB database.
	start = time.Now()
	meshDir := filepath.Join(abs, "mesh")
	dbFile := filepath.Join(abs, "tpch.duckdb")
	db, err := sql.Open("duckdb", dbFile)
	must(err)
	defer db.Close()
	exec := func(q string) {
		if _, err := db.Exec(q); err != nil {
			fatal("duckdb: %v\n%s", err, q)
		}
	}
	for _, d := range []string{"sales", "supply", "catalog", "geo"} {
		must(os.MkdirAll(filepath.Join(meshDir, d, "data"), 0o755))
		exec("CREATE SCHEMA " + d)
	}
	for _, t := range tables {
		src := fmt.Sprintf("read_csv(%s, delim='|', header=false, quote='', escape='', columns=%s)", lit(filepath.Join(tblDir, t.name+".tbl")), duckColumns(t))
		base := filepath.Join(meshDir, t.domain, "data", t.name)
		switch t.port {
		case "postgres":
			// The sales tables: native tables in the direct-DuckDB
			// database (meshgate reads them from PostgreSQL), and a
			// Parquet copy for the fallback without a postgres port.
			exec(fmt.Sprintf("CREATE TABLE %s.%s AS SELECT * FROM %s", t.domain, t.name, src))
			exec(fmt.Sprintf("COPY %s.%s TO %s (FORMAT parquet, COMPRESSION zstd)", t.domain, t.name, lit(base+".parquet")))
		case "parquet":
			exec(fmt.Sprintf("COPY (SELECT * FROM %s) TO %s (FORMAT parquet, COMPRESSION zstd)", src, lit(base+".parquet")))
			exec(fmt.Sprintf("CREATE VIEW %s.%s AS SELECT * FROM read_parquet(%s)", t.domain, t.name, lit(base+".parquet")))
		case "csv":
			exec(fmt.Sprintf("COPY (SELECT * FROM %s) TO %s (FORMAT csv, HEADER true)", src, lit(base+".csv")))
			exec(fmt.Sprintf("CREATE VIEW %s.%s AS SELECT * FROM read_csv(%s, header=true, delim=',', quote='\"', escape='\"', columns=%s)",
				t.domain, t.name, lit(base+".csv"), duckColumns(t)))
		}
		fmt.Printf("  %s.%s → %s port\n", t.domain, t.name, t.port)
	}
	exec("CHECKPOINT")
	fmt.Printf("duckdb: mesh files and %s in %s\n", dbFile, time.Since(start).Round(time.Millisecond))
	must(writeDescriptors(meshDir, *sf, "parquet", "live", "", 0))
	must(os.WriteFile(marker, []byte(fmt.Sprint(*sf)), 0o644))
}

// cmdMesh rewrites the sales descriptors for one run: a postgres port
// (host, port, mode) or the Parquet fallback.
func cmdMesh(args []string) {
	fs := flag.NewFlagSet("mesh", flag.ExitOnError)
	dir := fs.String("dir", "", "generated directory (holding mesh/)")
	sf := fs.Int64("sf", 1, "scale factor (for descriptions)")
	sales := fs.String("sales", "postgres", "port of the sales products: postgres or parquet")
	mode := fs.String("mode", "live", "postgres port mode: live or snapshot")
	host := fs.String("pg-host", "127.0.0.1", "PostgreSQL host")
	port := fs.Int("pg-port", 5432, "PostgreSQL port")
	fs.Parse(args)
	must(writeDescriptors(filepath.Join(*dir, "mesh"), *sf, *sales, *mode, *host, *port))
}

func writeDescriptors(meshDir string, sf int64, sales, mode, host string, port int) error {
	for _, t := range tables {
		var b strings.Builder
		fmt.Fprintf(&b, "apiVersion: meshgate/v1\nkind: DataProduct\nid: %s.%s\ndomain: %s\nname: %s\nversion: 1.0.0\nstatus: active\ntype: source-aligned\n",
			t.domain, t.name, t.domain, t.name)
		fmt.Fprintf(&b, "description: %s TPC-H SF%d, generated by bench/tpch (go-tpc dbgen).\n", t.desc, sf)
		b.WriteString("owner: {team: meshgate maintainers, contact: maintainers@example.com}\ntags: [benchmark, tpch]\noutputPorts:\n")
		kind := t.port
		if kind == "postgres" && sales == "parquet" {
			kind = "parquet"
		}
		switch kind {
		case "postgres":
			fmt.Fprintf(&b, "  - name: pg\n    type: postgres\n    options:\n      host: %q\n      port: %d\n      database: tpch\n      schema: %s\n      table: %s\n      user: postgres\n      mode: %s\n",
				host, port, t.domain, t.name, mode)
			if mode == "snapshot" {
				b.WriteString("      refresh: 1h\n")
			}
		case "parquet":
			fmt.Fprintf(&b, "  - name: files\n    type: parquet\n    location: data/%s.parquet\n", t.name)
		case "csv":
			fmt.Fprintf(&b, "  - name: files\n    type: csv\n    location: data/%s.csv\n    options: {header: true}\n", t.name)
		}
		b.WriteString("schema:\n")
		for _, c := range t.cols {
			req := false
			for _, k := range t.pk {
				req = req || k == c.name
			}
			fmt.Fprintf(&b, "  - name: %s\n    type: %s\n    description: %s\n    required: %v\n    classification: public\n", c.name, strings.ToLower(c.typ), c.desc, req)
		}
		if err := os.WriteFile(filepath.Join(meshDir, t.domain, t.name+".yaml"), []byte(b.String()), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// cmdPGSQL prints the psql scripts that create and load the PostgreSQL
// peer (database tpch, one schema per domain): -part schema|load-TABLE|index.
func cmdPGSQL(args []string) {
	fs := flag.NewFlagSet("pgsql", flag.ExitOnError)
	dir := fs.String("dir", "", "generated directory (holding tbl/)")
	part := fs.String("part", "schema", "schema, load:TABLE, index:TABLE or tables")
	fs.Parse(args)
	abs, _ := filepath.Abs(*dir)
	switch {
	case *part == "tables":
		for _, t := range tables {
			fmt.Println(t.name)
		}
	case *part == "schema":
		for _, d := range []string{"sales", "supply", "catalog", "geo"} {
			fmt.Printf("CREATE SCHEMA %s;\n", d)
		}
		for _, t := range tables {
			var cols []string
			for _, c := range t.cols {
				cols = append(cols, c.name+" "+pgType(c.typ)+" NOT NULL")
			}
			fmt.Printf("CREATE TABLE %s.%s (%s);\n", t.domain, t.name, strings.Join(cols, ", "))
		}
	case strings.HasPrefix(*part, "load:"):
		t := find(strings.TrimPrefix(*part, "load:"))
		fmt.Printf("\\copy %s.%s FROM %s WITH (FORMAT text, DELIMITER '|')\n", t.domain, t.name, lit(filepath.Join(abs, "tbl", t.name+".tbl")))
	case strings.HasPrefix(*part, "index:"):
		t := find(strings.TrimPrefix(*part, "index:"))
		fmt.Println("SET maintenance_work_mem = '512MB';")
		fmt.Printf("ALTER TABLE %s.%s ADD PRIMARY KEY (%s);\n", t.domain, t.name, strings.Join(t.pk, ", "))
		for _, ix := range t.indexes {
			fmt.Printf("CREATE INDEX ON %s.%s (%s);\n", t.domain, t.name, strings.Join(ix, ", "))
		}
		fmt.Printf("VACUUM ANALYZE %s.%s;\n", t.domain, t.name)
	default:
		fatal("pgsql: unknown -part %q", *part)
	}
}

func find(name string) table {
	for _, t := range tables {
		if t.name == name {
			return t
		}
	}
	fatal("no table %q", name)
	return table{}
}

func lit(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
