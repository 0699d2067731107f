package dev.apportion.readers;

import dev.apportion.ledger.DuckDbSession;
import dev.apportion.ledger.FocusColumns;
import dev.apportion.ledger.Sql;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** FOCUS 1.0–1.4 billing exports as CSV: validation, typing, the canonical key and the anchor, in SQL. */
final class FocusCsvReader {
    private static final String DECIMAL_TEXT = "-?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][-+]?[0-9]+)?";
    private static final String TIMESTAMP_TEXT =
            "[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]{1,9})?)?(Z|[+-][0-9]{2}(:?[0-9]{2})?)";

    private FocusCsvReader() {
    }

    static void validate(DuckDbSession db, SourceFile source, Readers.Header header, List<Path> committedInvoiceFiles) {
        Set<String> present = header.columns();
        List<String> needed = new ArrayList<>(FocusColumns.all().stream().map(FocusColumns.Column::name).toList());
        needed.add("ProviderName");
        needed.add("PublisherName");
        for (String column : needed) {
            if (!present.contains(column)) {
                db.execute("ALTER TABLE csv_numbered ADD COLUMN " + column + " VARCHAR");
            }
        }
        if (committedInvoiceFiles.isEmpty()) {
            db.execute("CREATE OR REPLACE TEMP TABLE existing_anchor_keys (anchor_id VARCHAR)");
        } else {
            db.execute(Sql.of("CREATE OR REPLACE TEMP TABLE existing_anchor_keys AS SELECT DISTINCT anchor_id FROM read_parquet(${files})")
                    .bindList("files", committedInvoiceFiles.stream().map(path -> path.toAbsolutePath().toString()).toList()));
        }
        db.execute(Sql.resource(FocusCsvReader.class, "focus-csv.sql")
                .bindRaw("text_columns", textColumns())
                .bindRaw("type_checks", typeChecks())
                .bindRaw("typed_columns", typedColumns())
                .bind("source_format", InputFormat.FOCUS_CSV.id())
                .bind("source_sha256", source.sha256()));
    }

    /** Every FOCUS 1.4 column as trimmed text; 1.0–1.2 provider columns feed their 1.3+ successors. */
    private static String textColumns() {
        return FocusColumns.all().stream().map(column -> switch (column.name()) {
            case "ServiceProviderName" -> "coalesce(blank_to_null(ServiceProviderName), blank_to_null(PublisherName)) AS ServiceProviderName";
            case "HostProviderName" -> "coalesce(blank_to_null(HostProviderName), blank_to_null(ProviderName)) AS HostProviderName";
            default -> "blank_to_null(" + column.name() + ") AS " + column.name();
        }).collect(Collectors.joining(",\n       "));
    }

    private static String typeChecks() {
        StringBuilder checks = new StringBuilder();
        for (FocusColumns.Column column : FocusColumns.all()) {
            String name = column.name();
            if (column.dataType().equals("Decimal")) {
                checks.append("WHEN ").append(name).append(" IS NOT NULL AND (NOT regexp_full_match(").append(name)
                        .append(", ").append(Sql.literal(DECIMAL_TEXT)).append(") OR text_scale(").append(name)
                        .append(") > 18 OR TRY_CAST(").append(name).append(" AS DECIMAL(38, 18)) IS NULL) THEN ['invalid_decimal', ")
                        .append(Sql.literal(name)).append(", ").append(Sql.literal(name + " must be a decimal with at most 18 places: "))
                        .append(" || ").append(name).append("]\n        ");
            } else if (column.dataType().equals("DateTime")) {
                checks.append("WHEN ").append(name).append(" IS NOT NULL AND (NOT regexp_full_match(").append(name)
                        .append(", ").append(Sql.literal(TIMESTAMP_TEXT)).append(") OR TRY_CAST(").append(name)
                        .append(" AS TIMESTAMPTZ) IS NULL) THEN ['invalid_timestamp', ").append(Sql.literal(name)).append(", ")
                        .append(Sql.literal(name + " must be an ISO-8601 instant with Z or an offset: ")).append(" || ")
                        .append(name).append("]\n        ");
            }
        }
        return checks.toString();
    }

    private static String typedColumns() {
        return FocusColumns.all().stream()
                .map(column -> column.dataType().equals("Decimal") || column.dataType().equals("DateTime")
                        ? "CAST(" + column.name() + " AS " + column.duckDbType() + ") AS " + column.name()
                        : column.name())
                .collect(Collectors.joining(",\n       "));
    }
}
