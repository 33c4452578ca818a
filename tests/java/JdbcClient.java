/*
 * A PgJDBC session against the server at host, port and database given as arguments
 * (Shale issue 5, point 4). Run with the driver jar on the class path, in source-launcher
 * mode:
 *
 *     java -cp /usr/share/java/postgresql.jar tests/java/JdbcClient.java 127.0.0.1 5432 db
 *
 * Prints one line per observation; tests/tests/e2e/jdbc.rs compares them with what
 * PostgreSQL 15 gives. It checks:
 *   - DatabaseMetaData: getSchemas, getTables, getColumns, getPrimaryKeys (single and
 *     composite), getIndexInfo (the primary key indexes; and for a table with a
 *     primary key, a UNIQUE constraint, a two-column unique index, a two-column index,
 *     columns ordered ASC and DESC, an index with INCLUDE columns, and a foreign key: every
 *     index, then the unique ones),
 *     getImportedKeys and getExportedKeys (a foreign key onto a primary key, and a
 *     composite one) and
 *     getTypeInfo (a fixed subset), all of which the driver answers with pg_catalog
 *     queries;
 *   - a PreparedStatement binding every common type and NULLs, executed more often than
 *     prepareThreshold (5) so that the driver switches to a named server-side statement
 *     and binary results, with every value read back;
 *   - executeBatch update counts;
 *   - autocommit off: committed rows stay, rolled-back rows are gone;
 *   - ResultSetMetaData of a SELECT over a table (labels, types, base table, nullability,
 *     precision and scale; the driver looks some of these up in pg_catalog).
 * The catalog name (the database, which differs per test run) is printed as <db>. The
 * session runs in UTC so that date and time values do not depend on the machine.
 * A failing section prints "ERROR <sqlstate> <message>", the rest still runs, and the
 * program exits with status 1.
 */

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.Date;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TimeZone;
import java.util.UUID;

public class JdbcClient {
    private static String dbName;
    private static boolean failed = false;

    interface Section {
        void run() throws SQLException;
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: JdbcClient <host> <port> <database>");
            System.exit(2);
        }
        TimeZone.setDefault(TimeZone.getTimeZone("UTC"));
        dbName = args[2];
        String url = "jdbc:postgresql://" + args[0] + ":" + args[1] + "/" + args[2]
                + "?user=postgres";
        try (Connection conn = DriverManager.getConnection(url)) {
            System.out.println("connected: " + conn.getMetaData().getDatabaseProductName()
                    + ", autocommit " + conn.getAutoCommit());
            setUp(conn);
            section("getSchemas", () -> schemas(conn));
            section("getTables", () -> tables(conn));
            section("getColumns", () -> columns(conn));
            section("getPrimaryKeys", () -> primaryKeys(conn));
            section("getIndexInfo", () -> indexInfo(conn));
            section("getImportedKeys", () -> foreignKeys(conn));
            section("getTypeInfo", () -> typeInfo(conn));
            section("prepared", () -> prepared(conn));
            section("batch", () -> batch(conn));
            section("transactions", () -> transactions(conn));
            section("ResultSetMetaData", () -> resultSetMetaData(conn));
        }
        System.out.println("done");
        System.exit(failed ? 1 : 0);
    }

    private static void section(String name, Section body) {
        System.out.println("== " + name);
        try {
            body.run();
        } catch (SQLException e) {
            failed = true;
            System.out.println("ERROR " + e.getSQLState() + " " + e.getMessage());
        }
    }

    private static void setUp(Connection conn) throws SQLException {
        try (Statement st = conn.createStatement()) {
            st.execute("CREATE SCHEMA jdbc_s");
            st.execute("CREATE TABLE jdbc_s.items ("
                    + "id int4 PRIMARY KEY, name varchar(40) NOT NULL DEFAULT 'none',"
                    + " code char(3), price numeric(10,2) DEFAULT 0, qty int2, big int8,"
                    + " ratio real, score double precision, note text,"
                    + " active bool NOT NULL DEFAULT true, born date, at time, ts timestamp,"
                    + " tstz timestamptz, span interval, uid uuid, data bytea, doc jsonb,"
                    + " tags int4[])");
            st.execute("CREATE TABLE jdbc_s.pairs ("
                    + "a int4, b text, v int8 NOT NULL, PRIMARY KEY (a, b))");
            st.execute("CREATE TABLE jdbc_s.vals ("
                    + "id int4 PRIMARY KEY, c_int2 int2, c_int4 int4, c_int8 int8,"
                    + " c_num numeric(12,3), c_real real, c_double double precision,"
                    + " c_text text, c_varchar varchar(20), c_bool bool, c_date date,"
                    + " c_time time, c_ts timestamp, c_tstz timestamptz, c_uuid uuid,"
                    + " c_bytea bytea)");
            st.execute("CREATE TABLE jdbc_s.lines ("
                    + "id int4 PRIMARY KEY, item int4 REFERENCES jdbc_s.items ON DELETE CASCADE,"
                    + " a int4, b text, FOREIGN KEY (a, b) REFERENCES jdbc_s.pairs ON UPDATE CASCADE)");
            st.execute("CREATE TABLE jdbc_s.accounts ("
                    + "id int8 PRIMARY KEY, item int4 NOT NULL REFERENCES jdbc_s.items,"
                    + " iban text NOT NULL, handle text, region text, opened date,"
                    + " CONSTRAINT accounts_handle_key UNIQUE (handle))");
            st.execute("CREATE UNIQUE INDEX accounts_item_iban_idx"
                    + " ON jdbc_s.accounts (item, iban DESC)");
            st.execute("CREATE INDEX accounts_region_opened_idx"
                    + " ON jdbc_s.accounts (region ASC, opened DESC NULLS LAST)");
            st.execute("CREATE INDEX accounts_opened_idx"
                    + " ON jdbc_s.accounts (opened NULLS FIRST) INCLUDE (iban, handle)");
        }
    }

    /** The catalog column: the current database (different on every run) shown as <db>. */
    private static String cat(String value) {
        return value != null && value.equals(dbName) ? "<db>" : value;
    }

    /**
     * Prints one line per row: the prefix, then name=value for the given columns; a line
     * "prefix: no rows" for an empty result.
     */
    private static void dump(ResultSet rs, String prefix, String... columns) throws SQLException {
        boolean any = false;
        try (rs) {
            while (rs.next()) {
                any = true;
                System.out.println(row(rs, prefix, columns));
            }
        }
        if (!any) {
            System.out.println(prefix + ": no rows");
        }
    }

    private static String row(ResultSet rs, String prefix, String... columns)
            throws SQLException {
        StringBuilder line = new StringBuilder(prefix);
        for (String column : columns) {
            String value = rs.getString(column);
            if (column.endsWith("_CAT") || column.equals("TABLE_CATALOG")) {
                value = cat(value);
            }
            line.append(' ').append(column).append('=').append(value);
        }
        return line.toString();
    }

    private static void schemas(Connection conn) throws SQLException {
        DatabaseMetaData md = conn.getMetaData();
        try (ResultSet rs = md.getSchemas()) {
            while (rs.next()) {
                String name = rs.getString("TABLE_SCHEM");
                // Per-backend temporary and TOAST schemas come and go: not printed.
                if (name.startsWith("pg_toast") || name.startsWith("pg_temp")) {
                    continue;
                }
                System.out.println(row(rs, "schema", "TABLE_SCHEM", "TABLE_CATALOG"));
            }
        }
        dump(md.getSchemas(null, "jdbc%"), "schema like jdbc%", "TABLE_SCHEM", "TABLE_CATALOG");
    }

    private static void tables(Connection conn) throws SQLException {
        DatabaseMetaData md = conn.getMetaData();
        String[] cols = {"TABLE_CAT", "TABLE_SCHEM", "TABLE_NAME", "TABLE_TYPE", "REMARKS"};
        dump(md.getTables(null, "jdbc_s", "%", null), "table", cols);
        dump(md.getTables(null, "jdbc_s", "pa%", new String[] {"TABLE"}), "table pa%", cols);
        dump(md.getTables(null, "jdbc_s", "%", new String[] {"VIEW"}), "view", cols);
    }

    private static void columns(Connection conn) throws SQLException {
        DatabaseMetaData md = conn.getMetaData();
        String[] cols = {"TABLE_NAME", "COLUMN_NAME", "DATA_TYPE", "TYPE_NAME", "COLUMN_SIZE",
            "DECIMAL_DIGITS", "NUM_PREC_RADIX", "NULLABLE", "COLUMN_DEF", "ORDINAL_POSITION",
            "IS_NULLABLE", "IS_AUTOINCREMENT"};
        dump(md.getColumns(null, "jdbc_s", "items", "%"), "column", cols);
        dump(md.getColumns(null, "jdbc_s", "pairs", "%"), "column", cols);
        dump(md.getColumns(null, "jdbc_s", "vals", "c_t%"), "column c_t%", cols);
    }

    private static void primaryKeys(Connection conn) throws SQLException {
        DatabaseMetaData md = conn.getMetaData();
        String[] cols = {"TABLE_CAT", "TABLE_SCHEM", "TABLE_NAME", "COLUMN_NAME", "KEY_SEQ",
            "PK_NAME"};
        dump(md.getPrimaryKeys(null, "jdbc_s", "items"), "pk", cols);
        dump(md.getPrimaryKeys(null, "jdbc_s", "pairs"), "pk", cols);
    }

    private static void indexInfo(Connection conn) throws SQLException {
        DatabaseMetaData md = conn.getMetaData();
        // CARDINALITY and PAGES come from table statistics that autovacuum may change.
        String[] cols = {"TABLE_SCHEM", "TABLE_NAME", "NON_UNIQUE", "INDEX_QUALIFIER",
            "INDEX_NAME", "TYPE", "ORDINAL_POSITION", "COLUMN_NAME", "ASC_OR_DESC",
            "FILTER_CONDITION"};
        dump(md.getIndexInfo(null, "jdbc_s", "items", false, false), "index", cols);
        dump(md.getIndexInfo(null, "jdbc_s", "pairs", true, true), "index", cols);
        dump(md.getIndexInfo(null, "jdbc_s", "accounts", false, false), "index", cols);
        dump(md.getIndexInfo(null, "jdbc_s", "accounts", true, false), "unique index", cols);
    }

    private static void foreignKeys(Connection conn) throws SQLException {
        DatabaseMetaData md = conn.getMetaData();
        String[] cols = {"PKTABLE_CAT", "PKTABLE_SCHEM", "PKTABLE_NAME", "PKCOLUMN_NAME",
            "FKTABLE_SCHEM", "FKTABLE_NAME", "FKCOLUMN_NAME", "KEY_SEQ", "UPDATE_RULE",
            "DELETE_RULE", "FK_NAME", "PK_NAME", "DEFERRABILITY"};
        dump(md.getImportedKeys(null, "jdbc_s", "lines"), "imported", cols);
        dump(md.getExportedKeys(null, "jdbc_s", "pairs"), "exported", cols);
        dump(md.getImportedKeys(null, "jdbc_s", "pairs"), "imported by pairs", cols);
        dump(md.getImportedKeys(null, "jdbc_s", "accounts"), "imported by accounts", cols);
    }

    private static void typeInfo(Connection conn) throws SQLException {
        Set<String> shown = Set.of("int2", "int4", "int8", "numeric", "float8", "text",
                "varchar", "bpchar", "bool", "date", "timestamptz", "uuid", "bytea", "jsonb",
                "_int4");
        List<String> lines = new ArrayList<>();
        int count = 0;
        try (ResultSet rs = conn.getMetaData().getTypeInfo()) {
            while (rs.next()) {
                count++;
                if (shown.contains(rs.getString("TYPE_NAME"))) {
                    lines.add(row(rs, "type", "TYPE_NAME", "DATA_TYPE", "PRECISION",
                            "LITERAL_PREFIX", "LITERAL_SUFFIX", "NULLABLE", "CASE_SENSITIVE",
                            "SEARCHABLE", "UNSIGNED_ATTRIBUTE", "FIXED_PREC_SCALE",
                            "AUTO_INCREMENT", "NUM_PREC_RADIX"));
                }
            }
        }
        lines.sort(null);
        lines.forEach(System.out::println);
        // The full list is every type in pg_type, which differs between servers.
        System.out.println("more types than shown: " + (count > lines.size()));
    }

    private static final String VALS_COLUMNS = "id, c_int2, c_int4, c_int8, c_num, c_real,"
            + " c_double, c_text, c_varchar, c_bool, c_date, c_time, c_ts, c_tstz, c_uuid,"
            + " c_bytea";

    private static void prepared(Connection conn) throws SQLException {
        int rows = 10;
        try (PreparedStatement ins = conn.prepareStatement("INSERT INTO jdbc_s.vals ("
                + VALS_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            for (int i = 1; i <= rows; i++) {
                ins.setInt(1, i);
                if (i % 4 == 0) {
                    bindNulls(ins);
                } else {
                    bindValues(ins, i);
                }
                System.out.println("insert " + i + ": " + ins.executeUpdate());
            }
        }
        try (PreparedStatement sel = conn.prepareStatement(
                "SELECT " + VALS_COLUMNS + " FROM jdbc_s.vals WHERE id = ?")) {
            for (int i = 1; i <= rows; i++) {
                sel.setInt(1, i);
                try (ResultSet rs = sel.executeQuery()) {
                    while (rs.next()) {
                        System.out.println("typed " + i + ": " + typed(rs));
                        System.out.println("text  " + i + ": " + texts(rs));
                    }
                }
            }
        }
        // A parameter compared with an expression, and NULL as a parameter value.
        try (PreparedStatement sel = conn.prepareStatement("SELECT count(*), sum(c_int8),"
                + " max(c_num) FROM jdbc_s.vals WHERE c_int4 > ? OR c_text = ?")) {
            for (int i = 0; i < 8; i++) {
                sel.setInt(1, i * 150_000);
                if (i % 2 == 0) {
                    sel.setNull(2, Types.VARCHAR);
                } else {
                    sel.setString(2, "text 2");
                }
                try (ResultSet rs = sel.executeQuery()) {
                    rs.next();
                    System.out.println("aggregate " + i + ": " + rs.getLong(1) + " "
                            + rs.getString(2) + " " + rs.getBigDecimal(3));
                }
            }
        }
    }

    private static void bindValues(PreparedStatement ps, int i) throws SQLException {
        ps.setShort(2, (short) (i * 11));
        ps.setInt(3, i * 100_000);
        ps.setLong(4, i * 10_000_000_000L);
        ps.setBigDecimal(5, new BigDecimal(i + ".125"));
        ps.setFloat(6, i + 0.25f);
        ps.setDouble(7, i / 8.0);
        ps.setString(8, "text " + i);
        ps.setString(9, "vc'" + i);
        ps.setBoolean(10, i % 2 == 1);
        ps.setDate(11, Date.valueOf(LocalDate.of(2024, 1, i)));
        ps.setObject(12, LocalTime.of(i, 30, 15, 250_000_000));
        ps.setTimestamp(13, Timestamp.valueOf(LocalDateTime.of(2024, 2, 3, i, 4, 5, 600_000)));
        ps.setObject(14, OffsetDateTime.of(2024, 3, 4, 5, 6, i, 0, ZoneOffset.ofHours(2)));
        ps.setObject(15, UUID.fromString("00000000-0000-4000-8000-00000000000" + (i - 1)));
        ps.setBytes(16, new byte[] {(byte) i, 0, (byte) 0xff, '\\'});
    }

    private static void bindNulls(PreparedStatement ps) throws SQLException {
        int[] types = {Types.SMALLINT, Types.INTEGER, Types.BIGINT, Types.NUMERIC, Types.REAL,
            Types.DOUBLE, Types.VARCHAR, Types.VARCHAR, Types.BOOLEAN, Types.DATE, Types.TIME,
            Types.TIMESTAMP, Types.TIMESTAMP_WITH_TIMEZONE, Types.OTHER, Types.BINARY};
        for (int p = 0; p < types.length; p++) {
            ps.setNull(p + 2, types[p]);
        }
    }

    /** Each column through the getter for its Java type; NULL when wasNull(). */
    private static String typed(ResultSet rs) throws SQLException {
        List<Object> values = new ArrayList<>();
        values.add(rs.getInt(1));
        values.add(orNull(rs, rs.getShort(2)));
        values.add(orNull(rs, rs.getInt(3)));
        values.add(orNull(rs, rs.getLong(4)));
        values.add(rs.getBigDecimal(5));
        values.add(orNull(rs, rs.getFloat(6)));
        values.add(orNull(rs, rs.getDouble(7)));
        values.add(rs.getString(8));
        values.add(rs.getString(9));
        values.add(orNull(rs, rs.getBoolean(10)));
        values.add(rs.getObject(11, LocalDate.class));
        values.add(rs.getObject(12, LocalTime.class));
        values.add(rs.getObject(13, LocalDateTime.class));
        values.add(rs.getObject(14, OffsetDateTime.class));
        values.add(rs.getObject(15, UUID.class));
        byte[] bytes = rs.getBytes(16);
        values.add(bytes == null ? null : HexFormat.of().formatHex(bytes));
        return values.toString();
    }

    private static Object orNull(ResultSet rs, Object value) throws SQLException {
        return rs.wasNull() ? null : value;
    }

    /**
     * Each column as the Java class of getObject and getString (for bytea, whose getString
     * is not stable once results arrive in binary, the hex of the bytes).
     */
    private static String texts(ResultSet rs) throws SQLException {
        List<String> values = new ArrayList<>();
        for (int c = 1; c <= rs.getMetaData().getColumnCount(); c++) {
            Object object = rs.getObject(c);
            if (object == null) {
                values.add(null);
            } else if (object instanceof byte[] bytes) {
                values.add("byte[]:" + HexFormat.of().formatHex(bytes));
            } else {
                values.add(object.getClass().getSimpleName() + ":" + rs.getString(c));
            }
        }
        return values.toString();
    }

    private static void batch(Connection conn) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement(
                "INSERT INTO jdbc_s.pairs (a, b, v) VALUES (?, ?, ?)")) {
            for (int i = 1; i <= 4; i++) {
                ps.setInt(1, i);
                ps.setString(2, "b" + i);
                ps.setLong(3, i * 7L);
                ps.addBatch();
            }
            System.out.println("prepared batch: " + Arrays.toString(ps.executeBatch()));
        }
        try (Statement st = conn.createStatement()) {
            st.addBatch("INSERT INTO jdbc_s.pairs VALUES (5, 'b5', 35)");
            st.addBatch("UPDATE jdbc_s.pairs SET v = v + 1 WHERE a <= 2");
            st.addBatch("DELETE FROM jdbc_s.pairs WHERE a = 99");
            System.out.println("statement batch: " + Arrays.toString(st.executeBatch()));
            printPairs(st);
        }
    }

    private static void printPairs(Statement st) throws SQLException {
        dump(st.executeQuery("SELECT a, b, v FROM jdbc_s.pairs ORDER BY a, b"), "pairs",
                "a", "b", "v");
    }

    private static void transactions(Connection conn) throws SQLException {
        conn.setAutoCommit(false);
        try (Statement st = conn.createStatement();
                PreparedStatement ins = conn.prepareStatement(
                        "INSERT INTO jdbc_s.pairs (a, b, v) VALUES (?, 'tx', ?)")) {
            ins.setInt(1, 10);
            ins.setLong(2, 100);
            ins.executeUpdate();
            st.executeUpdate("UPDATE jdbc_s.pairs SET v = 0 WHERE a = 1");
            conn.commit();
            System.out.println("committed 10");
            ins.setInt(1, 11);
            ins.setLong(2, 110);
            ins.executeUpdate();
            st.executeUpdate("DELETE FROM jdbc_s.pairs WHERE a = 2");
            dump(st.executeQuery("SELECT count(*) AS n FROM jdbc_s.pairs"), "inside", "n");
            conn.rollback();
            System.out.println("rolled back 11 and the delete");
            printPairs(st);
            conn.commit();
        } finally {
            conn.setAutoCommit(true);
        }
        System.out.println("autocommit " + conn.getAutoCommit());
    }

    private static void resultSetMetaData(Connection conn) throws SQLException {
        try (Statement st = conn.createStatement();
                ResultSet rs = st.executeQuery("SELECT id, name AS label, code, price, qty,"
                        + " big, ratio, score, note, active, born, at, ts, tstz, span, uid,"
                        + " data, doc, tags, price * 2 AS doubled, 'x'::text AS lit"
                        + " FROM jdbc_s.items")) {
            ResultSetMetaData md = rs.getMetaData();
            for (int c = 1; c <= md.getColumnCount(); c++) {
                System.out.println("rsmd " + c
                        + " label=" + md.getColumnLabel(c)
                        + " name=" + md.getColumnName(c)
                        + " type=" + md.getColumnType(c)
                        + " typeName=" + md.getColumnTypeName(c)
                        + " class=" + md.getColumnClassName(c)
                        + " schema=" + md.getSchemaName(c)
                        + " table=" + md.getTableName(c)
                        + " nullable=" + md.isNullable(c)
                        + " autoIncrement=" + md.isAutoIncrement(c)
                        + " precision=" + md.getPrecision(c)
                        + " scale=" + md.getScale(c)
                        + " displaySize=" + md.getColumnDisplaySize(c));
            }
        }
    }
}
