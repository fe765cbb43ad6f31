// pgjdbc compatibility scenario of meshgate (test/clients/run.sh):
//
//   java -cp /usr/share/java/postgresql.jar test/clients/jdbc/Compat.java 'jdbc:postgresql://127.0.0.1:PORT/mesh?user=analyst&password=…'
//
// Single-file source launch, no build tool. Every check compares concrete
// values of the demo mesh; a failed check is reported and the scenario goes
// on; the exit status is 1 when any check failed.

import java.math.BigDecimal;
import java.sql.*;
import java.time.*;
import java.util.*;

public class Compat {
    static int ok = 0, failed = 0;

    static void check(String what, Object want, Object got) {
        if (Objects.equals(want, got)) {
            ok++;
        } else {
            failed++;
            System.out.println("FAIL " + what + ": want <" + want + "> got <" + got + ">");
        }
    }

    static void checkTrue(String what, boolean cond, Object detail) {
        if (cond) {
            ok++;
        } else {
            failed++;
            System.out.println("FAIL " + what + ": " + detail);
        }
    }

    interface Section { void run() throws Exception; }

    static void section(String name, Section s) {
        int before = failed;
        try {
            s.run();
        } catch (Throwable e) {
            failed++;
            System.out.println("FAIL " + name + ": " + e);
            if (e instanceof SQLException) {
                System.out.println("     SQLState " + ((SQLException) e).getSQLState());
            }
        }
        System.out.println((failed == before ? "ok   " : "FAIL ") + name);
    }

    static List<String> column(ResultSet rs, String col) throws SQLException {
        List<String> out = new ArrayList<>();
        try (rs) {
            while (rs.next()) out.add(rs.getString(col));
        }
        return out;
    }

    static Connection conn;

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: java -cp postgresql.jar Compat.java JDBC_URL");
            System.exit(2);
        }
        TimeZone.setDefault(TimeZone.getTimeZone("UTC"));
        conn = DriverManager.getConnection(args[0]);
        DatabaseMetaData md = conn.getMetaData();
        String driver = md.getDriverName() + " " + md.getDriverVersion();
        System.out.println("driver: " + driver + "; server: " + md.getDatabaseProductName() + " " + md.getDatabaseProductVersion());

        section("connection: product, versions, isolation, read-only", () -> {
            check("getDatabaseProductName", "PostgreSQL", md.getDatabaseProductName());
            checkTrue("getDatabaseMajorVersion >= 10", md.getDatabaseMajorVersion() >= 10, md.getDatabaseMajorVersion());
            check("getCatalog", "mesh", conn.getCatalog());
            check("getSchema", "public", conn.getSchema());
            check("getUserName", "analyst", md.getUserName());
            check("getTransactionIsolation", Connection.TRANSACTION_READ_COMMITTED, conn.getTransactionIsolation());
            check("getDefaultTransactionIsolation", Connection.TRANSACTION_READ_COMMITTED, md.getDefaultTransactionIsolation());
            conn.setReadOnly(true);
            check("isReadOnly", true, conn.isReadOnly());
            try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM geo.countries")) {
                rs.next();
                check("query with setReadOnly(true)", 20L, rs.getLong(1));
            }
            conn.setAutoCommit(false);
            try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery("SHOW transaction_read_only")) {
                rs.next();
                check("SHOW transaction_read_only in a read-only transaction", "on", rs.getString(1));
            }
            conn.commit();
            conn.setAutoCommit(true);
            conn.setReadOnly(false);
            check("isReadOnly after setReadOnly(false)", false, conn.isReadOnly());
            checkTrue("isValid", conn.isValid(5), "false");
        });

        section("product health as a SQLWarning", () -> {
            // supply.shipments fails a warning rule of the demo on purpose;
            // wait for the background check, then read the notice.
            String state = "";
            for (int i = 0; i < 300 && !state.equals("warning"); i++) {
                try (Statement st = conn.createStatement();
                     ResultSet rs = st.executeQuery("SELECT status FROM meshgate.health WHERE product = 'supply.shipments'")) {
                    state = rs.next() ? rs.getString(1) : "";
                }
                if (!state.equals("warning")) Thread.sleep(100);
            }
            check("meshgate.health supply.shipments", "warning", state);
            try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM supply.shipments")) {
                rs.next();
                check("count(*) supply.shipments", 1200L, rs.getLong(1));
                SQLWarning w = st.getWarnings();
                checkTrue("a SQLWarning for supply.shipments", w != null, "none");
                check("SQLWarning message", "product supply.shipments has a warning of its contract: rule parcel_weight_limit (invalidValues of weight_kg 17.42%, expected < 5)", w.getMessage());
                check("SQLWarning SQLState", "01000", w.getSQLState());
            }
            try (PreparedStatement ps = conn.prepareStatement("SELECT count(*) FROM sales.orders WHERE order_id > ?")) {
                ps.setLong(1, 0);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    check("count(*) sales.orders", 2000L, rs.getLong(1));
                }
                check("no SQLWarning for the healthy sales.orders", null, ps.getWarnings());
            }
        });

        section("DatabaseMetaData.getCatalogs", () -> {
            check("catalogs", List.of("mesh"), column(md.getCatalogs(), "TABLE_CAT"));
        });

        section("DatabaseMetaData.getSchemas", () -> {
            List<String> schemas = column(md.getSchemas(), "TABLE_SCHEM");
            for (String s : List.of("geo", "sales", "supply", "pg_catalog", "information_schema")) {
                checkTrue("getSchemas has " + s, schemas.contains(s), schemas);
            }
            check("getSchemas(null, \"sa%\")", List.of("sales"), column(md.getSchemas(null, "sa%"), "TABLE_SCHEM"));
        });

        section("DatabaseMetaData.getTables", () -> {
            check("getTables sales TABLE", List.of("customers", "orders", "revenue_by_country"),
                    column(md.getTables(null, "sales", "%", new String[]{"TABLE"}), "TABLE_NAME"));
            List<String> all = new ArrayList<>();
            try (ResultSet rs = md.getTables(null, null, "%", new String[]{"TABLE"})) {
                while (rs.next()) {
                    String s = rs.getString("TABLE_SCHEM");
                    if (s.equals("geo") || s.equals("sales") || s.equals("supply")) all.add(s + "." + rs.getString("TABLE_NAME"));
                }
            }
            check("getTables all products", List.of("geo.countries", "geo.regions", "sales.customers", "sales.orders", "sales.revenue_by_country",
                    "supply.inventory", "supply.shipments", "supply.suppliers"), all);
            try (ResultSet rs = md.getTables(null, "sales", "orders", null)) {
                checkTrue("getTables sales.orders found", rs.next(), "no row");
                check("sales.orders TABLE_TYPE", "TABLE", rs.getString("TABLE_TYPE"));
                String remarks = rs.getString("REMARKS");
                checkTrue("sales.orders REMARKS is the product description", remarks != null && remarks.startsWith("One row per customer order"), remarks);
            }
            List<String> types = column(md.getTableTypes(), "TABLE_TYPE");
            checkTrue("getTableTypes has TABLE and VIEW", types.contains("TABLE") && types.contains("VIEW"), types);
        });

        section("DatabaseMetaData.getColumns sales.orders", () -> {
            List<String> got = new ArrayList<>();
            try (ResultSet rs = md.getColumns(null, "sales", "orders", "%")) {
                while (rs.next()) {
                    got.add(rs.getInt("ORDINAL_POSITION") + " " + rs.getString("COLUMN_NAME") + " " + rs.getString("TYPE_NAME") + " "
                            + rs.getInt("COLUMN_SIZE") + "," + rs.getInt("DECIMAL_DIGITS") + " " + rs.getString("IS_NULLABLE"));
                    int t = rs.getInt("DATA_TYPE");
                    String name = rs.getString("COLUMN_NAME");
                    switch (name) {
                        case "order_id", "customer_id" -> check(name + " DATA_TYPE", Types.BIGINT, t);
                        case "country_code", "status" -> check(name + " DATA_TYPE", Types.VARCHAR, t);
                        case "order_date" -> check(name + " DATA_TYPE", Types.DATE, t);
                        case "amount" -> check(name + " DATA_TYPE", Types.NUMERIC, t);
                        case "created_at" -> checkTrue(name + " DATA_TYPE TIMESTAMP(_WITH_TIMEZONE)",
                                t == Types.TIMESTAMP || t == Types.TIMESTAMP_WITH_TIMEZONE, t);
                        default -> checkTrue("unexpected column", false, name);
                    }
                }
            }
            check("columns", List.of(
                    "1 order_id int8 19,0 NO",
                    "2 customer_id int8 19,0 NO",
                    "3 country_code text 2147483647,0 NO",
                    "4 order_date date 13,0 NO",
                    "5 amount numeric 12,2 NO",
                    "6 status text 2147483647,0 NO",
                    "7 created_at timestamptz 35,6 NO"), got);
            try (ResultSet rs = md.getColumns(null, "geo", "countries", "population")) {
                checkTrue("geo.countries.population found", rs.next(), "no row");
                check("population REMARKS", "Population estimate, 2023.", rs.getString("REMARKS"));
                check("population IS_NULLABLE", "YES", rs.getString("IS_NULLABLE"));
            }
            try (ResultSet rs = md.getColumns(null, "supply", "suppliers", "categories")) {
                checkTrue("supply.suppliers.categories found", rs.next(), "no row");
                check("categories DATA_TYPE", Types.ARRAY, rs.getInt("DATA_TYPE"));
                check("categories TYPE_NAME", "_text", rs.getString("TYPE_NAME"));
            }
        });

        section("DatabaseMetaData.getPrimaryKeys/getImportedKeys/getExportedKeys/getIndexInfo (empty)", () -> {
            check("getPrimaryKeys", List.of(), column(md.getPrimaryKeys(null, "sales", "orders"), "COLUMN_NAME"));
            check("getImportedKeys", List.of(), column(md.getImportedKeys(null, "sales", "orders"), "FKCOLUMN_NAME"));
            check("getExportedKeys", List.of(), column(md.getExportedKeys(null, "sales", "customers"), "FKCOLUMN_NAME"));
            check("getIndexInfo", List.of(), column(md.getIndexInfo(null, "sales", "orders", false, true), "INDEX_NAME"));
        });

        section("DatabaseMetaData.getTypeInfo", () -> {
            Map<String, Integer> types = new HashMap<>();
            try (ResultSet rs = md.getTypeInfo()) {
                while (rs.next()) types.put(rs.getString("TYPE_NAME"), rs.getInt("DATA_TYPE"));
            }
            check("int4", Types.INTEGER, types.get("int4"));
            check("int8", Types.BIGINT, types.get("int8"));
            check("text", Types.VARCHAR, types.get("text"));
            check("numeric", Types.NUMERIC, types.get("numeric"));
            check("bool", Types.BIT, types.get("bool"));
            check("date", Types.DATE, types.get("date"));
            check("timestamptz", Types.TIMESTAMP, types.get("timestamptz"));
            check("uuid", Types.OTHER, types.get("uuid"));
        });

        section("DatabaseMetaData.getFunctions", () -> {
            // meshgate's pg_proc is empty (the gateway's functions are not
            // listed): the calls must work, the products have no functions.
            column(md.getFunctions(null, "pg_catalog", "%"), "FUNCTION_NAME");
            check("getFunctions(sales)", List.of(), column(md.getFunctions(null, "sales", "%"), "FUNCTION_NAME"));
            column(md.getProcedures(null, "sales", "%"), "PROCEDURE_NAME");
        });

        section("PreparedStatement: every common type, 8 executions (server-prepared, binary)", () -> {
            try (PreparedStatement ps = conn.prepareStatement(
                    "SELECT ?::int8 AS l, ?::int4 AS i, ?::text AS s, ?::numeric(12,2) AS n, ?::date AS d, "
                            + "?::timestamp AS ts, ?::boolean AS b, ?::text AS nul, ?::float8 AS f")) {
                for (int k = 0; k < 8; k++) {
                    long l = 9_000_000_000L + k;
                    BigDecimal n = new BigDecimal("1234.5" + k);
                    LocalDate d = LocalDate.of(2024, 2, 20 + k);
                    LocalDateTime ts = LocalDateTime.of(2024, 3, 1, 12, 30, 15).plusDays(k).plusNanos(123_456_000L);
                    ps.setLong(1, l);
                    ps.setInt(2, -k);
                    ps.setString(3, "é 'quoted' " + k);
                    ps.setBigDecimal(4, n);
                    ps.setDate(5, java.sql.Date.valueOf(d));
                    ps.setTimestamp(6, Timestamp.valueOf(ts));
                    ps.setBoolean(7, k % 2 == 0);
                    ps.setNull(8, Types.VARCHAR);
                    ps.setDouble(9, k + 0.25);
                    try (ResultSet rs = ps.executeQuery()) {
                        checkTrue("row " + k, rs.next(), "no row");
                        check("long #" + k, l, rs.getLong("l"));
                        check("int #" + k, -k, rs.getInt("i"));
                        check("string #" + k, "é 'quoted' " + k, rs.getString("s"));
                        check("BigDecimal #" + k, n, rs.getBigDecimal("n"));
                        check("Date #" + k, d, rs.getObject("d", LocalDate.class));
                        check("Timestamp #" + k, ts, rs.getObject("ts", LocalDateTime.class));
                        check("boolean #" + k, k % 2 == 0, rs.getBoolean("b"));
                        check("null #" + k, null, rs.getString("nul"));
                        checkTrue("wasNull #" + k, rs.wasNull(), "false");
                        check("double #" + k, k + 0.25, rs.getDouble("f"));
                        checkTrue("one row #" + k, !rs.next(), "more rows");
                    }
                }
            }
            try (PreparedStatement ps = conn.prepareStatement(
                    "SELECT order_id, customer_id, country_code, order_date, amount, status, created_at FROM sales.orders "
                            + "WHERE order_id = ?")) {
                for (int k = 0; k < 7; k++) {
                    ps.setLong(1, 100002);
                    try (ResultSet rs = ps.executeQuery()) {
                        checkTrue("order 100002 #" + k, rs.next(), "no row");
                        check("customer_id #" + k, 38L, rs.getLong(2));
                        check("country_code #" + k, "US", rs.getString(3));
                        check("order_date #" + k, LocalDate.of(2023, 1, 30), rs.getObject(4, LocalDate.class));
                        check("amount #" + k, new BigDecimal("82.17"), rs.getBigDecimal(5));
                        check("status #" + k, "paid", rs.getString(6));
                        check("created_at #" + k, OffsetDateTime.of(2023, 1, 30, 1, 0, 7, 0, ZoneOffset.UTC),
                                rs.getObject(7, OffsetDateTime.class));
                        check("created_at Timestamp #" + k, Instant.parse("2023-01-30T01:00:07Z"), rs.getTimestamp(7).toInstant());
                    }
                }
            }
            try (PreparedStatement ps = conn.prepareStatement(
                    "SELECT count(*), sum(amount) FROM sales.orders WHERE country_code = ? AND order_date >= ? AND amount > ?")) {
                for (int k = 0; k < 6; k++) {
                    ps.setString(1, "US");
                    ps.setDate(2, java.sql.Date.valueOf("2024-01-01"));
                    ps.setBigDecimal(3, new BigDecimal("100"));
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        check("filtered count #" + k, expectedFilteredCount, rs.getLong(1));
                        check("filtered sum #" + k, expectedFilteredSum, rs.getBigDecimal(2));
                    }
                }
            }
        });

        section("select ? with untyped parameters: the declared type, 8 executions", () -> {
            // pgjdbc declares int4 for setInt, varchar for setString, int8
            // for setLong; PostgreSQL answers a column of that type.
            try (PreparedStatement ps = conn.prepareStatement("select ?, ?, ?")) {
                for (int k = 0; k < 8; k++) {
                    ps.setInt(1, 40 + k);
                    ps.setString(2, "s" + k);
                    ps.setLong(3, 9_000_000_000L + k);
                    try (ResultSet rs = ps.executeQuery()) {
                        checkTrue("select ? row #" + k, rs.next(), "no row");
                        check("select ? int #" + k, 40 + k, rs.getInt(1));
                        check("select ? string #" + k, "s" + k, rs.getString(2));
                        check("select ? long #" + k, 9_000_000_000L + k, rs.getLong(3));
                        ResultSetMetaData m = rs.getMetaData();
                        check("select ? types #" + k, "int4,text,int8",
                                m.getColumnTypeName(1) + "," + m.getColumnTypeName(2) + "," + m.getColumnTypeName(3));
                    }
                }
            }
            try (PreparedStatement ps = conn.prepareStatement("select ? = 'x', ? || '!'")) {
                ps.setString(1, "x");
                ps.setString(2, "hi");
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    check("? = 'x'", true, rs.getBoolean(1));
                    check("? || '!'", "hi!", rs.getString(2));
                }
            }
        });

        section("ResultSetMetaData", () -> {
            try (Statement st = conn.createStatement();
                 ResultSet rs = st.executeQuery("SELECT order_id, country_code, order_date, amount, created_at, 1 + 1, "
                         + "amount > 100 AS big FROM sales.orders LIMIT 1")) {
                ResultSetMetaData m = rs.getMetaData();
                check("getColumnCount", 7, m.getColumnCount());
                List<String> got = new ArrayList<>();
                for (int i = 1; i <= m.getColumnCount(); i++) {
                    got.add(m.getColumnLabel(i) + ":" + m.getColumnTypeName(i) + ":" + m.getColumnType(i));
                }
                check("labels:types", List.of("order_id:int8:" + Types.BIGINT, "country_code:text:" + Types.VARCHAR,
                        "order_date:date:" + Types.DATE, "amount:numeric:" + Types.NUMERIC,
                        "created_at:timestamptz:" + Types.TIMESTAMP, "?column?:int4:" + Types.INTEGER,
                        "big:bool:" + Types.BIT), got);
                check("amount precision", 12, m.getPrecision(4));
                check("amount scale", 2, m.getScale(4));
                check("amount class", "java.math.BigDecimal", m.getColumnClassName(4));
                check("order_id table", "orders", m.getTableName(1));
                check("order_id schema", "sales", ((org.postgresql.PGResultSetMetaData) m).getBaseSchemaName(1));
                check("order_id nullable", ResultSetMetaData.columnNoNulls, m.isNullable(1));
            }
        });

        section("setFetchSize(100), autocommit off: all 2000 orders", () -> {
            conn.setAutoCommit(false);
            try (Statement st = conn.createStatement()) {
                st.setFetchSize(100);
                long n = 0, sum = 0, prev = 0;
                BigDecimal amount = BigDecimal.ZERO;
                boolean ordered = true;
                try (ResultSet rs = st.executeQuery("SELECT order_id, amount FROM sales.orders ORDER BY order_id")) {
                    while (rs.next()) {
                        long id = rs.getLong(1);
                        if (id <= prev) ordered = false;
                        prev = id;
                        n++;
                        sum += id;
                        amount = amount.add(rs.getBigDecimal(2));
                    }
                }
                check("rows", 2000L, n);
                check("sum(order_id)", 202001000L, sum);
                check("sum(amount)", new BigDecimal("702765.05"), amount);
                checkTrue("ordered", ordered, "out of order");
            }
            conn.commit();
            conn.setAutoCommit(true);
        });

        section("cross-domain join", () -> {
            try (Statement st = conn.createStatement();
                 ResultSet rs = st.executeQuery("SELECT c.name, r.name AS region, sum(o.amount) AS revenue, count(*) AS orders "
                         + "FROM sales.orders o JOIN geo.countries c USING (country_code) JOIN geo.regions r ON r.region_code = c.region_code "
                         + "GROUP BY 1, 2 ORDER BY 3 DESC LIMIT 2")) {
                List<String> got = new ArrayList<>();
                while (rs.next()) got.add(rs.getString(1) + "|" + rs.getString(2) + "|" + rs.getBigDecimal(3) + "|" + rs.getLong(4));
                check("top 2", List.of("United States|North America|132066.25|381", "United Kingdom|Europe|98176.45|280"), got);
            }
        });

        section("arrays, uuid, double", () -> {
            try (Statement st = conn.createStatement();
                 ResultSet rs = st.executeQuery("SELECT s.categories, sh.tracking_id, sh.weight_kg FROM supply.suppliers s, supply.shipments sh "
                         + "WHERE s.supplier_id = 2 AND sh.shipment_id = 500001")) {
                rs.next();
                check("text[]", List.of("home", "garden", "toys"), Arrays.asList((Object[]) rs.getArray(1).getArray()));
                check("uuid", UUID.fromString("73e1a8b0-5c8f-4f22-a623-827cd3881947"), rs.getObject(2));
                check("double", 14.08, rs.getDouble(3));
            }
        });

        section("setArray: = ANY(?) with text[] and int8[] (binary arrays)", () -> {
            long inList;
            try (Statement st = conn.createStatement();
                 ResultSet rs = st.executeQuery("SELECT count(*) FROM sales.orders WHERE country_code IN ('DE', 'FR')")) {
                rs.next();
                inList = rs.getLong(1);
            }
            try (PreparedStatement ps = conn.prepareStatement("SELECT count(*) FROM sales.orders WHERE country_code = ANY(?)")) {
                ps.setArray(1, conn.createArrayOf("text", new String[] {"DE", "FR"}));
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    check("country_code = ANY(text[])", inList, rs.getLong(1));
                }
            }
            try (PreparedStatement ps = conn.prepareStatement("SELECT count(*) FROM sales.orders WHERE order_id = ANY(?)")) {
                ps.setArray(1, conn.createArrayOf("int8", new Long[] {100001L, 100002L, null}));
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    check("order_id = ANY(int8[])", 2L, rs.getLong(1));
                }
            }
            try (PreparedStatement ps = conn.prepareStatement("SELECT ?::text[]")) {
                ps.setArray(1, conn.createArrayOf("text", new String[] {"a b", "x\"y", "", null, "NULL"}));
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    check("text[] round trip (PostgreSQL's text)", "{\"a b\",\"x\\\"y\",\"\",NULL,\"NULL\"}", rs.getString(1));
                }
            }
        });

        section("errors: SQLState, and the connection survives", () -> {
            try (Statement st = conn.createStatement()) {
                st.executeQuery("SELECT * FROM sales.nonexistent");
                checkTrue("unknown product fails", false, "no error");
            } catch (SQLException e) {
                check("unknown product SQLState", "42P01", e.getSQLState());
            }
            try (PreparedStatement ps = conn.prepareStatement("SELECT * FROM nowhere.orders WHERE order_id = ?")) {
                ps.setLong(1, 1);
                ps.executeQuery();
                checkTrue("unknown domain fails", false, "no error");
            } catch (SQLException e) {
                check("unknown domain SQLState", "42P01", e.getSQLState());
            }
            try (Statement st = conn.createStatement()) {
                st.executeUpdate("DELETE FROM sales.orders");
                checkTrue("DELETE fails", false, "no error");
            } catch (SQLException e) {
                check("DELETE SQLState", "0A000", e.getSQLState());
            }
            try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery("SELECT 1")) {
                rs.next();
                check("after errors", 1, rs.getInt(1));
            }
        });

        conn.close();
        System.out.println("pgjdbc " + driver + ": " + ok + " checks ok, " + failed + " failed");
        System.exit(failed == 0 ? 0 : 1);
    }

    // SELECT count(*), sum(amount) FROM sales.orders WHERE country_code = 'US'
    //   AND order_date >= '2024-01-01' AND amount > 100
    static final long expectedFilteredCount = 29;
    static final BigDecimal expectedFilteredSum = new BigDecimal("12913.92");
}
