package dev.apportion.focus;

import dev.apportion.ledger.FocusColumns;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The FOCUS 1.4 Cost and Usage schema: its 65 columns and the allowed values of its enumerated columns.
 *
 * <p>Both come from resources ({@code focus-1.4-cost-and-usage-columns.csv} of the ledger module and
 * {@code focus-1.4-allowed-values.csv} next to this class), transcribed from the FOCUS 1.4 specification, read once and
 * checked on first use: a malformed resource fails with an {@link IllegalStateException} naming the
 * resource and line. {@code ProviderName} and {@code PublisherName}, removed in 1.4, are not columns.
 * All returned collections are unmodifiable.
 */
public final class FocusSchema {
    static final String ALLOWED_VALUES_RESOURCE = "focus-1.4-allowed-values.csv";

    private static final String ALLOWED_VALUES_HEADER = "column,value";

    private FocusSchema() {}

    /**
     * The 65 FOCUS 1.4 Cost and Usage columns in ASCII order of their names, the order FOCUS asks
     * datasets to use for FOCUS columns.
     */
    public static List<FocusColumn> costAndUsage() {
        return Catalogue.COLUMNS;
    }

    /**
     * The allowed values of every column whose values the specification enumerates, by column name in
     * ASCII order; each set iterates in ASCII order. Values are exact and case-sensitive. Columns that
     * are not enumerated (for example {@code BillingAccountType}) have no entry.
     */
    public static Map<String, Set<String>> allowedValues() {
        return Catalogue.ALLOWED_VALUES;
    }

    /**
     * Names of the columns that are {@code Mandatory} and do not allow nulls, in ASCII order: every row
     * of a FOCUS 1.4 Cost and Usage dataset has a value in each of them.
     */
    public static List<String> mandatoryNotNull() {
        return Catalogue.MANDATORY_NOT_NULL;
    }

    /**
     * Names of the columns that do not allow nulls once present, in ASCII order: the mandatory ones and the
     * conditional or recommended ones (BillingAccountType, ChargeFrequency, PricingCurrency,
     * PricingCurrencyEffectiveCost, ServiceSubcategory). Apportion writes every column, so each needs a value.
     */
    public static List<String> notNullWhenPresent() {
        return Catalogue.NOT_NULL_WHEN_PRESENT;
    }

    /** Loads the resources once, when first needed (holder idiom: thread-safe without locking). */
    private static final class Catalogue {
        static final List<FocusColumn> COLUMNS = readColumns();
        static final Map<String, Set<String>> ALLOWED_VALUES = readAllowedValues(COLUMNS);
        static final List<String> NOT_NULL_WHEN_PRESENT = COLUMNS.stream()
                .filter(column -> !column.allowsNulls())
                .map(FocusColumn::name).sorted().toList();
        static final List<String> MANDATORY_NOT_NULL = COLUMNS.stream()
                .filter(FocusColumn::mandatoryNotNull)
                .map(FocusColumn::name)
                .toList();
    }

    /** The ledger's column catalogue (invoice lines keep every FOCUS column), typed and checked here. */
    private static List<FocusColumn> readColumns() {
        List<FocusColumn> columns = new ArrayList<>();
        String previous = null;
        for (FocusColumns.Column column : FocusColumns.all()) {
            FocusColumn typed = new FocusColumn(column.name(), FocusDataType.fromCatalogueName(column.dataType()),
                    column.featureLevel(), column.allowsNulls());
            // String.compareTo orders by UTF-16 code unit, which is ASCII order for ASCII names.
            if (previous != null && previous.compareTo(typed.name()) >= 0) {
                throw new IllegalStateException("FOCUS column " + typed.name() + " is not after " + previous + " in ASCII order");
            }
            previous = typed.name();
            columns.add(typed);
        }
        return List.copyOf(columns);
    }

    private static Map<String, Set<String>> readAllowedValues(List<FocusColumn> columns) {
        Set<String> columnNames = new HashSet<>();
        columns.forEach(column -> columnNames.add(column.name()));
        Map<String, Set<String>> values = new LinkedHashMap<>();
        String previous = null;
        List<String> lines = readLines(ALLOWED_VALUES_RESOURCE, ALLOWED_VALUES_HEADER);
        for (int index = 0; index < lines.size(); index++) {
            int lineNumber = index + 2;
            String line = lines.get(index);
            // Only the first comma separates: values are free text, column names never contain commas.
            int comma = line.indexOf(',');
            if (comma < 0) {
                throw malformed(ALLOWED_VALUES_RESOURCE, lineNumber, "expected column,value");
            }
            String column = line.substring(0, comma);
            String value = line.substring(comma + 1);
            if (!columnNames.contains(column)) {
                throw malformed(ALLOWED_VALUES_RESOURCE, lineNumber, "unknown column " + column);
            }
            if (value.isBlank() || !value.strip().equals(value)) {
                throw malformed(ALLOWED_VALUES_RESOURCE, lineNumber,
                        "value of " + column + " is empty or has surrounding whitespace");
            }
            if (previous != null && previous.compareTo(line) >= 0) {
                throw malformed(ALLOWED_VALUES_RESOURCE, lineNumber, "line is not after " + previous
                        + " in ASCII order (or repeats it)");
            }
            previous = line;
            values.computeIfAbsent(column, ignored -> new LinkedHashSet<>()).add(value);
        }
        Map<String, Set<String>> result = new LinkedHashMap<>();
        values.forEach((column, set) -> result.put(column, Collections.unmodifiableSet(set)));
        return Collections.unmodifiableMap(result);
    }

    private static List<String> readLines(String resource, String expectedHeader) {
        try (InputStream in = FocusSchema.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("Cannot load FOCUS schema: resource " + resource
                        + " is missing next to " + FocusSchema.class.getName());
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String header = reader.readLine();
            if (!expectedHeader.equals(header)) {
                throw malformed(resource, 1, "header is " + header + ", expected " + expectedHeader);
            }
            List<String> lines = new ArrayList<>();
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (line.isEmpty()) {
                    throw malformed(resource, lines.size() + 2, "empty line");
                }
                lines.add(line);
            }
            return lines;
        }
        catch (IOException e) {
            throw new UncheckedIOException("Cannot read FOCUS schema resource " + resource, e);
        }
    }


    private static IllegalStateException malformed(String resource, int lineNumber, String problem) {
        return new IllegalStateException(String.format(Locale.ROOT,
                "Malformed FOCUS schema resource %s at line %d: %s", resource, lineNumber, problem));
    }
}
