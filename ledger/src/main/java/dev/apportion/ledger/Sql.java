package dev.apportion.ledger;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A SQL script kept as a {@code .sql} resource next to the class that runs it, with named
 * {@code ${name}} parameters. Values are bound as properly quoted SQL literals (DuckDB's table functions
 * and {@code COPY} do not take JDBC parameters); a script never receives user text unquoted.
 */
public final class Sql {
    private static final Pattern PARAMETER = Pattern.compile("\\$\\{([A-Za-z][A-Za-z0-9_]*)}");

    private final String template;
    private final String source;
    private final Map<String, String> literals = new LinkedHashMap<>();

    private Sql(String template, String source) {
        this.template = template;
        this.source = source;
    }

    /** Loads {@code name} from the package of {@code owner}. */
    public static Sql resource(Class<?> owner, String name) {
        try (InputStream in = owner.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("SQL resource " + name + " is missing next to " + owner.getName());
            }
            return new Sql(new String(in.readAllBytes(), StandardCharsets.UTF_8), owner.getSimpleName() + "/" + name);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read SQL resource " + name + ": " + e.getMessage(), e);
        }
    }

    public static Sql of(String template) {
        return new Sql(template, "inline");
    }

    public Sql bind(String name, String value) {
        literals.put(name, value == null ? "NULL" : literal(value));
        return this;
    }

    public Sql bind(String name, Path value) {
        return bind(name, value.toAbsolutePath().toString());
    }

    public Sql bind(String name, long value) {
        literals.put(name, Long.toString(value));
        return this;
    }

    public Sql bind(String name, BigDecimal value) {
        literals.put(name, value == null ? "NULL" : value.toPlainString());
        return this;
    }

    public Sql bind(String name, Instant value) {
        literals.put(name, value == null ? "NULL" : "TIMESTAMPTZ " + literal(value.toString()));
        return this;
    }

    /**
     * Binds a SQL fragment that code assembled from fixed parts and quoted identifiers (for example an
     * expression over each column of a header); never user text as such.
     */
    public Sql bindRaw(String name, String fragment) {
        literals.put(name, requireNonNull(fragment, "fragment is null"));
        return this;
    }

    /** Binds a list of strings as a DuckDB list literal {@code ['a', 'b']}. */
    public Sql bindList(String name, List<String> values) {
        List<String> quoted = new ArrayList<>();
        for (String value : values) {
            quoted.add(literal(value));
        }
        literals.put(name, "[" + String.join(", ", quoted) + "]::VARCHAR[]");
        return this;
    }

    /** The script with every parameter replaced; an unbound parameter is an error naming it. */
    public String text() {
        Matcher matcher = PARAMETER.matcher(template);
        StringBuilder out = new StringBuilder();
        while (matcher.find()) {
            String name = matcher.group(1);
            String value = literals.get(name);
            if (value == null) {
                throw new IllegalStateException("SQL parameter ${" + name + "} of " + source + " is not bound");
            }
            matcher.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        matcher.appendTail(out);
        return out.toString();
    }

    /** A SQL string literal: single quotes doubled, NUL refused. */
    public static String literal(String value) {
        requireNonNull(value, "value is null");
        if (value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("NUL character in SQL value: " + value.replace('\0', '?'));
        }
        return "'" + value.replace("'", "''") + "'";
    }

    /** A quoted SQL identifier: double quotes doubled. */
    public static String identifier(String name) {
        requireNonNull(name, "name is null");
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }

    /** Splits a script at semicolons that end a line; comments-only pieces are dropped. */
    static List<String> statements(String script) {
        List<String> statements = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : script.split("\n", -1)) {
            current.append(line).append('\n');
            if (line.stripTrailing().endsWith(";")) {
                addIfCode(statements, current.toString());
                current.setLength(0);
            }
        }
        addIfCode(statements, current.toString());
        return statements;
    }

    private static void addIfCode(List<String> statements, String piece) {
        String statement = piece.strip();
        if (statement.endsWith(";")) {
            statement = statement.substring(0, statement.length() - 1).strip();
        }
        boolean hasCode = statement.lines().map(String::strip).anyMatch(line -> !line.isEmpty() && !line.startsWith("--"));
        if (hasCode) {
            statements.add(statement);
        }
    }
}
