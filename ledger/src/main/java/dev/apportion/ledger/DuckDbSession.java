package dev.apportion.ledger;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/**
 * One in-memory DuckDB database for one run of one stage. DuckDB works over the Parquet tables of the home
 * and never keeps a database file, so no DuckDB file is shared between processes (DESIGN §3). The session
 * runs in UTC whatever the machine's zone, so timestamps and day boundaries are the same everywhere.
 */
public final class DuckDbSession implements AutoCloseable {
    /** DuckDB's working memory unless {@code APPORTION_MEMORY_LIMIT} says otherwise. */
    public static final String DEFAULT_MEMORY_LIMIT = "4GB";
    private static final boolean TRACE = "1".equals(System.getenv("APPORTION_TRACE_SQL"));

    private final Connection connection;

    private DuckDbSession(Connection connection) {
        this.connection = connection;
    }

    /**
     * Opens a session that spills to {@code spillDirectory} when a query outgrows memory.
     */
    public static DuckDbSession open(Path spillDirectory) {
        requireNonNull(spillDirectory, "spillDirectory is null");
        try {
            Class.forName("org.duckdb.DuckDBDriver");
            Properties properties = new Properties();
            Connection connection = DriverManager.getConnection("jdbc:duckdb:", properties);
            DuckDbSession session = new DuckDbSession(connection);
            session.execute("SET TimeZone = 'UTC'");
            session.execute("SET temp_directory = " + Sql.literal(spillDirectory.toString()));
            // A bounded working set: beyond it DuckDB spills to the temp directory, so memory stays flat however
            // large the month or the file (APPORTION_MEMORY_LIMIT overrides, e.g. 8GB).
            session.execute("SET memory_limit = " + Sql.literal(memoryLimit()));
            // Row order of CREATE TABLE AS over read_csv is the file order; line numbers rely on it.
            session.execute("SET preserve_insertion_order = true");
            return session;
        } catch (SQLException | ClassNotFoundException e) {
            throw new IllegalStateException("Cannot start DuckDB: " + e.getMessage(), e);
        }
    }

    /** The DuckDB memory limit: {@code APPORTION_MEMORY_LIMIT}, else {@value #DEFAULT_MEMORY_LIMIT}. */
    static String memoryLimit() {
        String configured = System.getenv("APPORTION_MEMORY_LIMIT");
        return configured == null || configured.isBlank() ? DEFAULT_MEMORY_LIMIT : configured.strip();
    }

    public Connection connection() {
        return connection;
    }

    /** Runs one statement or a script of statements separated by semicolons at line ends. */
    public void execute(String sql) {
        for (String statement : Sql.statements(sql)) {
            long started = System.nanoTime();
            try (Statement jdbc = connection.createStatement()) {
                jdbc.execute(statement);
                trace(statement, started);
            } catch (SQLException e) {
                throw new DuckDbException(statement, e);
            }
        }
    }

    public void execute(Sql sql) {
        execute(sql.text());
    }

    public long queryLong(String sql) {
        long started = System.nanoTime();
        try (Statement jdbc = connection.createStatement(); ResultSet rs = jdbc.executeQuery(sql)) {
            if (!rs.next()) {
                throw new IllegalStateException("No row from: " + sql);
            }
            trace(sql, started);
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new DuckDbException(sql, e);
        }
    }

    /** Runs a query and hands each row to {@code consumer}. */
    public void query(String sql, RowConsumer consumer) {
        long started = System.nanoTime();
        try (Statement jdbc = connection.createStatement(); ResultSet rs = jdbc.executeQuery(sql)) {
            while (rs.next()) {
                consumer.accept(rs);
            }
            trace(sql, started);
        } catch (SQLException e) {
            throw new DuckDbException(sql, e);
        }
    }

    public void query(Sql sql, RowConsumer consumer) {
        query(sql.text(), consumer);
    }

    /**
     * With {@code APPORTION_TRACE_SQL=1}, prints each statement's wall time to stderr: where a stage spends its
     * time, without a profiler.
     */
    private static void trace(String statement, long startedNanos) {
        if (TRACE) {
            String oneLine = statement.strip().replaceAll("\\s+", " ");
            System.err.printf(java.util.Locale.ROOT, "sql %8.3f s  %s%n", (System.nanoTime() - startedNanos) / 1e9,
                    oneLine.substring(0, Math.min(160, oneLine.length())));
        }
    }

    @Override
    public void close() {
        try {
            connection.close();
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot close DuckDB: " + e.getMessage(), e);
        }
    }

    /** Receives one row of a result set. */
    @FunctionalInterface
    public interface RowConsumer {
        void accept(ResultSet row) throws SQLException;
    }

    /** A DuckDB statement failed; the message names the statement's first line. */
    public static final class DuckDbException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        DuckDbException(String statement, SQLException cause) {
            super("DuckDB failed: " + cause.getMessage() + "\n  in: " + firstLines(statement), cause);
        }

        private static String firstLines(String statement) {
            String trimmed = statement.strip();
            return trimmed.length() > 400 ? trimmed.substring(0, 400) + " ..." : trimmed;
        }
    }
}
