package gateway_test

import (
	"fmt"
	"math/rand"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// The data of the pushdown differential test: a small TPC-H (the same
// tables and vocabulary as dbgen's, a few thousand rows, deterministic)
// and edge tables with NULLs, decimal and date extremes and an empty one,
// all in schema tpch of one PostgreSQL database, each a product of
// domain tpch on a postgres port of that database.

type pushTable struct {
	name string
	cols []fedCol // declared (DuckDB) types
	pg   []string // PostgreSQL types, in order
	rows [][]any
}

var (
	regions     = []string{"AFRICA", "AMERICA", "ASIA", "EUROPE", "MIDDLE EAST"}
	nations     = []string{"ALGERIA", "ARGENTINA", "BRAZIL", "CANADA", "EGYPT", "ETHIOPIA", "FRANCE", "GERMANY", "INDIA", "INDONESIA", "IRAN", "IRAQ", "JAPAN", "JORDAN", "KENYA", "MOROCCO", "MOZAMBIQUE", "PERU", "CHINA", "ROMANIA", "SAUDI ARABIA", "VIETNAM", "RUSSIA", "UNITED KINGDOM", "UNITED STATES"}
	nationReg   = []int{0, 1, 1, 1, 4, 0, 3, 3, 2, 2, 4, 4, 2, 4, 0, 0, 0, 1, 2, 3, 4, 2, 3, 3, 1}
	segments    = []string{"AUTOMOBILE", "BUILDING", "FURNITURE", "MACHINERY", "HOUSEHOLD"}
	priorities  = []string{"1-URGENT", "2-HIGH", "3-MEDIUM", "4-NOT SPECIFIED", "5-LOW"}
	shipModes   = []string{"REG AIR", "AIR", "RAIL", "SHIP", "TRUCK", "MAIL", "FOB"}
	instructs   = []string{"DELIVER IN PERSON", "COLLECT COD", "NONE", "TAKE BACK RETURN"}
	typeWords   = [3][]string{{"STANDARD", "SMALL", "MEDIUM", "LARGE", "ECONOMY", "PROMO"}, {"ANODIZED", "BURNISHED", "PLATED", "POLISHED", "BRUSHED"}, {"TIN", "NICKEL", "BRASS", "STEEL", "COPPER"}}
	containers  = [2][]string{{"SM", "LG", "MED", "JUMBO", "WRAP"}, {"CASE", "BOX", "BAG", "JAR", "PKG", "PACK", "CAN", "DRUM"}}
	colorWords  = []string{"almond", "antique", "aquamarine", "azure", "beige", "forest", "green", "ivory", "khaki", "lace", "lemon", "linen", "navy", "orchid", "peru"}
	commentBits = []string{"carefully", "final", "special", "requests", "express", "deposits", "Customer", "Complaints", "unusual", "packages", "pending", "accounts"}
)

func money(r *rand.Rand, lo, hi int) string {
	c := lo*100 + r.Intn((hi-lo)*100+1)
	sign := ""
	if c < 0 {
		sign, c = "-", -c
	}
	return fmt.Sprintf("%s%d.%02d", sign, c/100, c%100)
}

func comment(r *rand.Rand) string {
	n := 2 + r.Intn(4)
	w := make([]string, n)
	for i := range w {
		w[i] = commentBits[r.Intn(len(commentBits))]
	}
	return strings.Join(w, " ")
}

func day(r *rand.Rand, from time.Time, days int) time.Time { return from.AddDate(0, 0, r.Intn(days)) }

// pushTables builds the tables (seeded: every run has the same rows).
func pushTables() []pushTable {
	r := rand.New(rand.NewSource(19))
	var out []pushTable
	add := func(name string, cols []fedCol, pg []string, rows [][]any) {
		out = append(out, pushTable{name: name, cols: cols, pg: pg, rows: rows})
	}
	var rows [][]any
	for i, n := range regions {
		rows = append(rows, []any{i, n, comment(r)})
	}
	add("region", []fedCol{{"r_regionkey", "integer"}, {"r_name", "varchar"}, {"r_comment", "varchar"}}, []string{"int4", "varchar", "varchar"}, rows)
	rows = nil
	for i, n := range nations {
		rows = append(rows, []any{i, n, nationReg[i], comment(r)})
	}
	add("nation", []fedCol{{"n_nationkey", "integer"}, {"n_name", "varchar"}, {"n_regionkey", "integer"}, {"n_comment", "varchar"}}, []string{"int4", "varchar", "int4", "varchar"}, rows)
	const nSupp, nPart, nCust, nOrders = 40, 200, 300, 3000
	rows = nil
	for i := 1; i <= nSupp; i++ {
		nk := r.Intn(25)
		rows = append(rows, []any{i, fmt.Sprintf("Supplier#%09d", i), "addr " + comment(r), nk, fmt.Sprintf("%d-%03d-%03d-%04d", 10+nk, r.Intn(1000), r.Intn(1000), r.Intn(10000)), money(r, -999, 9999), comment(r)})
	}
	add("supplier", []fedCol{{"s_suppkey", "bigint"}, {"s_name", "varchar"}, {"s_address", "varchar"}, {"s_nationkey", "integer"}, {"s_phone", "varchar"}, {"s_acctbal", "decimal(15,2)"}, {"s_comment", "varchar"}},
		[]string{"int8", "varchar", "varchar", "int4", "varchar", "numeric(15,2)", "varchar"}, rows)
	rows = nil
	for i := 1; i <= nPart; i++ {
		m := 1 + r.Intn(5)
		rows = append(rows, []any{i, colorWords[r.Intn(15)] + " " + colorWords[r.Intn(15)] + " " + colorWords[r.Intn(15)], fmt.Sprintf("Manufacturer#%d", m), fmt.Sprintf("Brand#%d%d", m, 1+r.Intn(5)),
			typeWords[0][r.Intn(6)] + " " + typeWords[1][r.Intn(5)] + " " + typeWords[2][r.Intn(5)], 1 + r.Intn(50),
			containers[0][r.Intn(5)] + " " + containers[1][r.Intn(8)], money(r, 900, 2000), comment(r)})
	}
	add("part", []fedCol{{"p_partkey", "bigint"}, {"p_name", "varchar"}, {"p_mfgr", "varchar"}, {"p_brand", "varchar"}, {"p_type", "varchar"}, {"p_size", "integer"}, {"p_container", "varchar"}, {"p_retailprice", "decimal(15,2)"}, {"p_comment", "varchar"}},
		[]string{"int8", "varchar", "varchar", "varchar", "varchar", "int4", "varchar", "numeric(15,2)", "varchar"}, rows)
	rows = nil
	for p := 1; p <= nPart; p++ {
		for k := 0; k < 4; k++ {
			rows = append(rows, []any{p, 1 + (p+k*(nSupp/4))%nSupp, 1 + r.Intn(9999), money(r, 1, 1000), comment(r)})
		}
	}
	add("partsupp", []fedCol{{"ps_partkey", "bigint"}, {"ps_suppkey", "bigint"}, {"ps_availqty", "integer"}, {"ps_supplycost", "decimal(15,2)"}, {"ps_comment", "varchar"}},
		[]string{"int8", "int8", "int4", "numeric(15,2)", "varchar"}, rows)
	rows = nil
	for i := 1; i <= nCust; i++ {
		nk := r.Intn(25)
		rows = append(rows, []any{i, fmt.Sprintf("Customer#%09d", i), "addr " + comment(r), nk, fmt.Sprintf("%d-%03d-%03d-%04d", 10+nk, r.Intn(1000), r.Intn(1000), r.Intn(10000)), money(r, -999, 9999), segments[r.Intn(5)], comment(r)})
	}
	add("customer", []fedCol{{"c_custkey", "bigint"}, {"c_name", "varchar"}, {"c_address", "varchar"}, {"c_nationkey", "integer"}, {"c_phone", "varchar"}, {"c_acctbal", "decimal(15,2)"}, {"c_mktsegment", "varchar"}, {"c_comment", "varchar"}},
		[]string{"int8", "varchar", "varchar", "int4", "varchar", "numeric(15,2)", "varchar", "varchar"}, rows)
	var lines [][]any
	rows = nil
	start := time.Date(1992, 1, 1, 0, 0, 0, 0, time.UTC)
	for o := 1; o <= nOrders; o++ {
		cust := 1 + r.Intn(nCust)
		if cust%3 == 0 { // a third of the customers never order (q13, q22)
			cust++
		}
		od := day(r, start, 2400)
		status := []string{"F", "O", "P"}[r.Intn(3)]
		n := 1 + r.Intn(5)
		total := 0
		for l := 1; l <= n; l++ {
			qty := 1 + r.Intn(50)
			part := 1 + r.Intn(nPart)
			supp := 1 + (part+r.Intn(4)*(nSupp/4))%nSupp
			price := qty * (900 + r.Intn(1100))
			total += price
			sd := od.AddDate(0, 0, 1+r.Intn(121))
			cd := od.AddDate(0, 0, 30+r.Intn(61))
			rd := sd.AddDate(0, 0, 1+r.Intn(30))
			flag := "N"
			if rd.Before(time.Date(1995, 6, 17, 0, 0, 0, 0, time.UTC)) {
				flag = []string{"R", "A"}[r.Intn(2)]
			}
			ls := "O"
			if sd.Before(time.Date(1995, 6, 17, 0, 0, 0, 0, time.UTC)) {
				ls = "F"
			}
			lines = append(lines, []any{o, part, supp, l, fmt.Sprintf("%d.00", qty), fmt.Sprintf("%d.00", price), fmt.Sprintf("0.%02d", r.Intn(11)), fmt.Sprintf("0.%02d", r.Intn(9)),
				flag, ls, sd, cd, rd, instructs[r.Intn(4)], shipModes[r.Intn(7)], comment(r)})
		}
		rows = append(rows, []any{o, cust, status, fmt.Sprintf("%d.00", total), od, priorities[r.Intn(5)], fmt.Sprintf("Clerk#%09d", 1+r.Intn(100)), 0, comment(r)})
	}
	add("orders", []fedCol{{"o_orderkey", "bigint"}, {"o_custkey", "bigint"}, {"o_orderstatus", "varchar"}, {"o_totalprice", "decimal(15,2)"}, {"o_orderdate", "date"}, {"o_orderpriority", "varchar"}, {"o_clerk", "varchar"}, {"o_shippriority", "integer"}, {"o_comment", "varchar"}},
		[]string{"int8", "int8", "varchar", "numeric(15,2)", "date", "varchar", "varchar", "int4", "varchar"}, rows)
	add("lineitem", []fedCol{{"l_orderkey", "bigint"}, {"l_partkey", "bigint"}, {"l_suppkey", "bigint"}, {"l_linenumber", "integer"}, {"l_quantity", "decimal(15,2)"}, {"l_extendedprice", "decimal(15,2)"}, {"l_discount", "decimal(15,2)"}, {"l_tax", "decimal(15,2)"},
		{"l_returnflag", "varchar"}, {"l_linestatus", "varchar"}, {"l_shipdate", "date"}, {"l_commitdate", "date"}, {"l_receiptdate", "date"}, {"l_shipinstruct", "varchar"}, {"l_shipmode", "varchar"}, {"l_comment", "varchar"}},
		[]string{"int8", "int8", "int8", "int4", "numeric(15,2)", "numeric(15,2)", "numeric(15,2)", "numeric(15,2)", "varchar", "varchar", "date", "date", "date", "varchar", "varchar", "varchar"}, lines)

	// Edge tables: NULL keys and values, decimal and date extremes, an
	// empty table of the same shape.
	edgeCols := []fedCol{{"id", "bigint"}, {"k", "integer"}, {"amt", "decimal(18,4)"}, {"d", "date"}, {"s", "varchar"}, {"f", "double"}, {"ts", "timestamp"}, {"b", "boolean"}}
	edgePG := []string{"int8", "int4", "numeric(18,4)", "date", "varchar", "float8", "timestamp", "bool"}
	amts := []any{"0.0000", "-0.0001", "99999999999999.9999", "-99999999999999.9999", "1.5000", "2.5000", "-2.5000", nil, "0.3333", "12.3456"}
	dates := []any{time.Date(2000, 2, 29, 0, 0, 0, 0, time.UTC), time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(1999, 12, 31, 0, 0, 0, 0, time.UTC), nil,
		time.Date(2024, 1, 31, 0, 0, 0, 0, time.UTC), time.Date(1900, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2038, 1, 19, 0, 0, 0, 0, time.UTC)}
	strs := []any{"a", "B", "ab", "", "a%b", "a_b", "Ä", "z", nil, "A b", "aa"}
	for _, name := range []string{"edge_a", "edge_b"} {
		rows = nil
		for i := 1; i <= 60; i++ {
			var k any = r.Intn(8)
			if r.Intn(6) == 0 {
				k = nil
			}
			var f any = float64(r.Intn(2000)-1000) / 8
			if r.Intn(7) == 0 {
				f = nil
			}
			var b any = r.Intn(2) == 0
			if r.Intn(5) == 0 {
				b = nil
			}
			ts := time.Date(1999, 12, 31, 23, 59, 59, 999999000, time.UTC).Add(time.Duration(r.Intn(100000)) * time.Second)
			rows = append(rows, []any{i, k, amts[r.Intn(len(amts))], dates[r.Intn(len(dates))], strs[r.Intn(len(strs))], f, ts, b})
		}
		add(name, edgeCols, edgePG, rows)
	}
	add("edge_empty", edgeCols, edgePG, nil)
	return out
}

// loadPushTables creates and fills the tables in schema tpch.
func loadPushTables(t *testing.T, conn *pgx.Conn, tables []pushTable) {
	t.Helper()
	pgExec(t, conn, "CREATE SCHEMA tpch")
	for _, tb := range tables {
		defs := make([]string, len(tb.cols))
		names := make([]string, len(tb.cols))
		for i, c := range tb.cols {
			defs[i] = c.name + " " + tb.pg[i]
			names[i] = c.name
		}
		pgExec(t, conn, fmt.Sprintf("CREATE TABLE tpch.%s (%s)", tb.name, strings.Join(defs, ", ")))
		if len(tb.rows) > 0 {
			pgCopyCSV(t, conn, "tpch."+tb.name, csvText(names, tb.rows))
		}
		pgExec(t, conn, "ANALYZE tpch."+tb.name)
	}
}

// csvText renders rows as CSV with a header: NULL unquoted and empty,
// text always quoted.
func csvText(names []string, rows [][]any) string {
	var sb strings.Builder
	sb.WriteString(strings.Join(names, ",") + "\n")
	for _, row := range rows {
		for i, v := range row {
			if i > 0 {
				sb.WriteByte(',')
			}
			switch v := v.(type) {
			case nil:
			case string:
				sb.WriteString(`"` + strings.ReplaceAll(v, `"`, `""`) + `"`)
			case time.Time:
				if v.Hour() == 0 && v.Minute() == 0 && v.Second() == 0 && v.Nanosecond() == 0 {
					sb.WriteString(v.Format("2006-01-02"))
				} else {
					sb.WriteString(v.Format("2006-01-02 15:04:05.999999"))
				}
			case float64:
				sb.WriteString(strconv.FormatFloat(v, 'g', -1, 64))
			default:
				fmt.Fprint(&sb, v)
			}
		}
		sb.WriteByte('\n')
	}
	return sb.String()
}
