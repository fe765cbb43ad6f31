package main

import "strings"

// column of a TPC-H table, with its DuckDB (descriptor) type.
type column struct {
	name, typ, desc string
}

// table of the TPC-H mesh: its domain, columns and primary key.
type table struct {
	domain, name, port, desc string
	cols                     []column
	pk                       []string
	indexes                  [][]string // PostgreSQL secondary indexes
}

const money = "DECIMAL(15,2)"

var tables = []table{
	{domain: "sales", name: "customer", port: "postgres", desc: "TPC-H customers.", pk: []string{"c_custkey"},
		indexes: [][]string{{"c_nationkey"}},
		cols: []column{
			{"c_custkey", "BIGINT", "Customer key."}, {"c_name", "VARCHAR", "Name."}, {"c_address", "VARCHAR", "Address."},
			{"c_nationkey", "INTEGER", "Nation key."}, {"c_phone", "VARCHAR", "Phone."}, {"c_acctbal", money, "Account balance."},
			{"c_mktsegment", "VARCHAR", "Market segment."}, {"c_comment", "VARCHAR", "Comment."},
		}},
	{domain: "sales", name: "orders", port: "postgres", desc: "TPC-H orders.", pk: []string{"o_orderkey"},
		indexes: [][]string{{"o_custkey"}, {"o_orderdate"}},
		cols: []column{
			{"o_orderkey", "BIGINT", "Order key."}, {"o_custkey", "BIGINT", "Customer key."}, {"o_orderstatus", "VARCHAR", "Status."},
			{"o_totalprice", money, "Total price."}, {"o_orderdate", "DATE", "Order date."}, {"o_orderpriority", "VARCHAR", "Priority."},
			{"o_clerk", "VARCHAR", "Clerk."}, {"o_shippriority", "INTEGER", "Ship priority."}, {"o_comment", "VARCHAR", "Comment."},
		}},
	{domain: "supply", name: "lineitem", port: "parquet", desc: "TPC-H order lines.", pk: []string{"l_orderkey", "l_linenumber"},
		indexes: [][]string{{"l_partkey", "l_suppkey"}, {"l_suppkey"}, {"l_shipdate"}},
		cols: []column{
			{"l_orderkey", "BIGINT", "Order key."}, {"l_partkey", "BIGINT", "Part key."}, {"l_suppkey", "BIGINT", "Supplier key."},
			{"l_linenumber", "INTEGER", "Line number."}, {"l_quantity", money, "Quantity."}, {"l_extendedprice", money, "Extended price."},
			{"l_discount", money, "Discount."}, {"l_tax", money, "Tax."}, {"l_returnflag", "VARCHAR", "Return flag."},
			{"l_linestatus", "VARCHAR", "Line status."}, {"l_shipdate", "DATE", "Ship date."}, {"l_commitdate", "DATE", "Commit date."},
			{"l_receiptdate", "DATE", "Receipt date."}, {"l_shipinstruct", "VARCHAR", "Ship instructions."},
			{"l_shipmode", "VARCHAR", "Ship mode."}, {"l_comment", "VARCHAR", "Comment."},
		}},
	{domain: "supply", name: "partsupp", port: "parquet", desc: "TPC-H part suppliers.", pk: []string{"ps_partkey", "ps_suppkey"},
		indexes: [][]string{{"ps_suppkey"}},
		cols: []column{
			{"ps_partkey", "BIGINT", "Part key."}, {"ps_suppkey", "BIGINT", "Supplier key."}, {"ps_availqty", "INTEGER", "Available quantity."},
			{"ps_supplycost", money, "Supply cost."}, {"ps_comment", "VARCHAR", "Comment."},
		}},
	{domain: "catalog", name: "part", port: "csv", desc: "TPC-H parts.", pk: []string{"p_partkey"},
		cols: []column{
			{"p_partkey", "BIGINT", "Part key."}, {"p_name", "VARCHAR", "Name."}, {"p_mfgr", "VARCHAR", "Manufacturer."},
			{"p_brand", "VARCHAR", "Brand."}, {"p_type", "VARCHAR", "Type."}, {"p_size", "INTEGER", "Size."},
			{"p_container", "VARCHAR", "Container."}, {"p_retailprice", money, "Retail price."}, {"p_comment", "VARCHAR", "Comment."},
		}},
	{domain: "catalog", name: "supplier", port: "csv", desc: "TPC-H suppliers.", pk: []string{"s_suppkey"},
		indexes: [][]string{{"s_nationkey"}},
		cols: []column{
			{"s_suppkey", "BIGINT", "Supplier key."}, {"s_name", "VARCHAR", "Name."}, {"s_address", "VARCHAR", "Address."},
			{"s_nationkey", "INTEGER", "Nation key."}, {"s_phone", "VARCHAR", "Phone."}, {"s_acctbal", money, "Account balance."},
			{"s_comment", "VARCHAR", "Comment."},
		}},
	{domain: "geo", name: "nation", port: "csv", desc: "TPC-H nations.", pk: []string{"n_nationkey"},
		cols: []column{
			{"n_nationkey", "INTEGER", "Nation key."}, {"n_name", "VARCHAR", "Name."}, {"n_regionkey", "INTEGER", "Region key."},
			{"n_comment", "VARCHAR", "Comment."},
		}},
	{domain: "geo", name: "region", port: "csv", desc: "TPC-H regions.", pk: []string{"r_regionkey"},
		cols: []column{
			{"r_regionkey", "INTEGER", "Region key."}, {"r_name", "VARCHAR", "Name."}, {"r_comment", "VARCHAR", "Comment."},
		}},
}

// pgType is the PostgreSQL spelling of a descriptor type.
func pgType(t string) string {
	switch t {
	case "VARCHAR":
		return "varchar"
	case money:
		return "numeric(15,2)"
	}
	return strings.ToLower(t)
}

// duckColumns is the columns={...} argument of read_csv.
func duckColumns(t table) string {
	var parts []string
	for _, c := range t.cols {
		parts = append(parts, "'"+c.name+"': '"+c.typ+"'")
	}
	return "{" + strings.Join(parts, ", ") + "}"
}
