package dev.apportion.ledger;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;

/**
 * One in-memory DuckDB database for one run of one stage. DuckDB works over the Parquet tables of the home
 * and never keeps a database file, so no DuckDB file is shared between processes (DESIGN §3). The session
 * runs in UTC whatever the machine's zone, so timestamps and day boundaries are the same everywhere.
 */
public final class DuckDbSession implements AutoCloseable {
    /** DuckDB's working memory unless {@code APPORTION_MEMORY_LIMIT} says otherwise. */
    public static final String DEFAULT_MEMORY_LIMIT = "4GB";
    private static final boolean TRACE = "1".equals(System.getenv("APPORTION_TRACE_SQL"));
    private static final String PROFILE_DIR = System.getenv("APPORTION_PROFILE_DIR");
    private static final java.util.concurrent.atomic.AtomicInteger PROFILED = new java.util.concurrent.atomic.AtomicInteger();

    private final Connection connection;
    private final Path spillDirectory;
    private final List<Path> scratchFiles = new ArrayList<>();

    private DuckDbSession(Connection connection, Path spillDirectory) {
        this.connection = connection;
        this.spillDirectory = spillDirectory;
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
            DuckDbSession session = new DuckDbSession(connection, spillDirectory);
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

    /**
     * A file in the spill directory for an intermediate result too large to hold in memory (a Parquet copy of
     * tens of millions of wide rows, read back column by column); deleted when the session closes. The name
     * starts with {@code .tmp-}, so a run that died before closing leaves nothing a restart keeps.
     */
    public Path scratchFile(String name) {
        Path file = spillDirectory.resolve(".tmp-" + UUID.randomUUID() + "-" + name);
        scratchFiles.add(file);
        return file;
    }

    /** Runs one statement or a script of statements separated by semicolons at line ends. */
    public void execute(String sql) {
        for (String statement : Sql.statements(sql)) {
            long started = System.nanoTime();
            try (Statement jdbc = connection.createStatement()) {
                profile(jdbc);
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

    /**
     * Runs {@code sql} without keeping its inputs' row order: for writes whose row order carries no meaning (a
     * ledger file, a stage file of cost lines), so DuckDB need not keep it. Rewriting a table already in memory to
     * Parquet took about a quarter longer in order; in a close, where computing the rows dominates, the gain is
     * within run-to-run noise.
     */
    public void executeUnordered(Sql sql) {
        execute("SET preserve_insertion_order = false");
        try {
            execute(sql);
        } finally {
            execute("SET preserve_insertion_order = true");
        }
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
     * With {@code APPORTION_PROFILE_DIR} set, each statement's operator tree with per-operator timings goes to a
     * numbered file there (DuckDB's profiler): where a slow statement spends its time.
     */
    private static void profile(Statement jdbc) throws SQLException {
        if (PROFILE_DIR != null) {
            jdbc.execute("SET enable_profiling = 'json'");
            jdbc.execute("SET profiling_output = " + Sql.literal(Path.of(PROFILE_DIR)
                    .resolve(String.format(java.util.Locale.ROOT, "%05d.json", PROFILED.incrementAndGet())).toString()));
        }
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
        } finally {
            for (Path file : scratchFiles) {
                try {
                    Files.deleteIfExists(file);
                } catch (IOException e) {
                    // A leftover .tmp- file is removed by the next run in this directory; closing must not fail for it.
                }
            }
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
