package dev.apportion.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.apportion.ledger.Home;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/** A real home in a temporary directory, driven through the command line as a user would. */
final class TestHome {
    static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-02T06:00:00Z"), ZoneOffset.UTC);

    final Home home;
    String lastOut = "";
    String lastErr = "";

    private TestHome(Path root) {
        this.home = new Home(root);
    }

    static TestHome uninitialised(Path root) {
        return new TestHome(root);
    }

    /** {@code apportion init} into {@code root}, with files taken from the inbox at once (no settle wait). */
    static TestHome init(Path root) throws IOException {
        TestHome test = new TestHome(root);
        assertThat(test.run("init", "--home", root.toString())).as(test.lastErr).isZero();
        Path config = test.home.config();
        Files.writeString(config, Files.readString(config).replace("settle_seconds: 2", "settle_seconds: 0"));
        return test;
    }

    int run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Apportion.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), CLOCK);
        lastOut = out.toString(StandardCharsets.UTF_8);
        lastErr = err.toString(StandardCharsets.UTF_8);
        return code;
    }

    Path drop(String name, String content) throws IOException {
        return Files.write(home.inbox().resolve(name), content.getBytes(StandardCharsets.UTF_8));
    }

    Path drop(String name, byte[] content) throws IOException {
        return Files.write(home.inbox().resolve(name), content);
    }

    void replaceRules(String rulesYaml) throws IOException {
        String config = Files.readString(home.config());
        Files.writeString(home.config(), config.substring(0, config.indexOf("\nrules:") + 1) + rulesYaml);
    }

    /** Runs a statement that returns nothing (COPY, CREATE) with a fresh DuckDB connection. */
    static void execute(String sql) throws SQLException {
        try (Connection connection = DriverManager.getConnection("jdbc:duckdb:");
             Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    /** Runs a query with a fresh DuckDB connection (independent of the code under test) and returns the rows. */
    static List<List<Object>> query(String sql) throws SQLException {
        try (Connection connection = DriverManager.getConnection("jdbc:duckdb:");
             Statement statement = connection.createStatement()) {
            statement.execute("SET TimeZone = 'UTC'");
            List<List<Object>> rows = new ArrayList<>();
            try (ResultSet rs = statement.executeQuery(sql)) {
                int columns = rs.getMetaData().getColumnCount();
                while (rs.next()) {
                    List<Object> row = new ArrayList<>();
                    for (int i = 1; i <= columns; i++) {
                        row.add(rs.getObject(i));
                    }
                    rows.add(row);
                }
            }
            return rows;
        }
    }
}
