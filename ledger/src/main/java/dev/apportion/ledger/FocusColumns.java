package dev.apportion.ledger;

import static java.util.Objects.requireNonNull;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The 65 columns of the FOCUS 1.4 Cost and Usage dataset with their logical types (reference/focus.md §4).
 * Invoice lines keep every one of them (null where the export has none), so allocated rows can copy the
 * origin's dimensions unchanged.
 */
public final class FocusColumns {
    private static final List<Column> COLUMNS = load();

    private FocusColumns() {
    }

    /** A FOCUS column: its id, logical type, feature level and whether it allows nulls. */
    public record Column(String name, String dataType, String featureLevel, boolean allowsNulls) {
        public Column {
            requireNonNull(name, "name is null");
            requireNonNull(dataType, "dataType is null");
            requireNonNull(featureLevel, "featureLevel is null");
        }

        /** The DuckDB type Apportion stores and writes this column as. */
        public String duckDbType() {
            return switch (dataType) {
                case "Decimal" -> "DECIMAL(38, 18)";
                case "DateTime" -> "TIMESTAMPTZ";
                case "String", "JSON" -> "VARCHAR";
                default -> throw new IllegalStateException("Unknown FOCUS data type " + dataType + " of " + name);
            };
        }
    }

    /** All 65 columns in ASCII order. */
    public static List<Column> all() {
        return COLUMNS;
    }

    private static List<Column> load() {
        String resource = "focus-1.4-cost-and-usage-columns.csv";
        try (InputStream in = FocusColumns.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("Resource " + resource + " is missing");
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            List<Column> columns = new ArrayList<>();
            String line = reader.readLine();
            while ((line = reader.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                String[] cells = line.split(",", -1);
                columns.add(new Column(cells[0], cells[1], cells[2], Boolean.parseBoolean(cells[3])));
            }
            return List.copyOf(columns);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + resource, e);
        }
    }
}
