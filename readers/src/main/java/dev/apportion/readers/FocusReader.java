package dev.apportion.readers;

import dev.apportion.ledger.DuckDbSession;
import dev.apportion.ledger.FocusColumns;
import dev.apportion.ledger.Sql;
import java.nio.file.Path;
import java.util.Currency;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * FOCUS 1.0–1.4 billing exports (CSV or Parquet): validation, typing, the canonical key and the anchor, in
 * SQL. Datetimes without a zone are UTC, as FOCUS defines them; {@code NULL} written by SQL tools is empty;
 * columns beyond FOCUS are accepted and not carried.
 */
final class FocusReader {
    private static final String DECIMAL_TEXT = "-?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][-+]?[0-9]+)?";
    /**
     * Bounds of one invoice line's amounts and unit prices, and of its quantities. A real line is orders of magnitude
     * below them; beyond them, the close's exact DECIMAL(38, 18) and 10^-12-unit arithmetic (tolerances, derived
     * quantities, per-request averages, month totals over many lines) could overflow.
     */
    private static final String AMOUNT_BOUND = "1000000000000";
    private static final String QUANTITY_BOUND = "1000000000000000";
    private static final String SHOWN_AMOUNT_BOUND = "10^12";
    private static final String SHOWN_QUANTITY_BOUND = "10^15";
    private static final String TIMESTAMP_TEXT =
            "[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]{1,9})?)?(Z|[+-][0-9]{2}(:?[0-9]{2})?)?";
    /** ISO 4217 codes the JDK knows. */
    private static final String CURRENCIES = Currency.getAvailableCurrencies().stream().map(Currency::getCurrencyCode).sorted()
            .map(Sql::literal).collect(Collectors.joining(", "));

    private FocusReader() {
    }

    /** A FOCUS export (CSV or Parquet): its columns by name into {@code focus_text}, then {@link #validateText}. */
    static void validate(DuckDbSession db, SourceFile source, InputFormat format, Sniff sniff, List<Path> committedInvoiceFiles) {
        db.execute("CREATE OR REPLACE TEMP TABLE focus_text AS SELECT _location, _position, "
                + textColumns(sniff.columnSet()) + " FROM raw_rows");
        validateText(db, source, format.familyId(), format.id(), committedInvoiceFiles);
    }

    /**
     * Validates, types, keys and anchors {@code focus_text} into {@code accepted}, with rejects. Every reader
     * of billing exports ends here: {@code focus_text} has {@code _location} (as {@code rejects.csv} names the
     * record), {@code _position} (its order in the file) and every FOCUS 1.4 column as text (null when absent),
     * {@code SkuPriceDetails} carrying {@code x_ModelId}, {@code x_TokenType} and {@code x_ServiceTier} when the
     * issuer's export names them otherwise, and optionally {@code _line_key}: what tells apart the issuer's lines
     * when the FOCUS columns do not (it joins the anchor's native line key).
     *
     * @param familyId goes into each line's anchor, so the same line read from another container anchors the same
     * @param formatId the {@link InputFormat#id()} recorded with each line
     */
    static void validateText(DuckDbSession db, SourceFile source, String familyId, String formatId, List<Path> committedInvoiceFiles) {
        // An issuer whose rows the FOCUS columns do not tell apart hands over a _line_key (AWS CUR line items).
        if (db.queryLong("SELECT count(*) FROM duckdb_columns() WHERE table_name = 'focus_text' AND column_name = '_line_key'") == 0) {
            db.execute("ALTER TABLE focus_text ADD COLUMN _line_key VARCHAR");
        }
        if (committedInvoiceFiles.isEmpty()) {
            db.execute("CREATE OR REPLACE TEMP TABLE existing_currencies (period VARCHAR, currency VARCHAR)");
        } else {
            List<String> files = committedInvoiceFiles.stream().map(path -> path.toAbsolutePath().toString()).toList();
            db.execute(Sql.of("CREATE OR REPLACE TEMP TABLE existing_currencies AS SELECT strftime(BillingPeriodStart, '%Y-%m') AS period, "
                    + "min(BillingCurrency) AS currency FROM read_parquet(${files}, union_by_name = true) GROUP BY ALL").bindList("files", files));
        }
        db.execute(Sql.resource(FocusReader.class, "focus.sql")
                .bindRaw("type_checks", typeChecks())
                .bindRaw("typed_columns", typedColumns())
                .bindRaw("currencies", CURRENCIES)
                .bind("source_family", familyId)
                .bind("source_format", formatId)
                .bind("source_sha256", source.sha256()));
    }

    /**
     * Every FOCUS 1.4 column as text (null when the file lacks it); the 1.0–1.2 provider columns feed their
     * 1.3+ successors.
     */
    private static String textColumns(Set<String> present) {
        return FocusColumns.all().stream().map(column -> switch (column.name()) {
            case "ServiceProviderName" -> "coalesce(" + nonEmpty(present, "ServiceProviderName") + ", "
                    + nonEmpty(present, "PublisherName") + ") AS ServiceProviderName";
            case "HostProviderName" -> "coalesce(" + nonEmpty(present, "HostProviderName") + ", " + nonEmpty(present, "ProviderName")
                    + ") AS HostProviderName";
            default -> text(present, column.name()) + " AS " + column.name();
        }).collect(Collectors.joining(",\n       "));
    }

    private static String nonEmpty(Set<String> present, String column) {
        return present.contains(column) ? "nullif(nullif(trim(" + CsvLoader.quoted(column) + "), ''), 'NULL')" : "NULL::VARCHAR";
    }

    private static String text(Set<String> present, String column) {
        return present.contains(column) ? CsvLoader.quoted(column) : "NULL::VARCHAR";
    }

    private static String typeChecks() {
        StringBuilder checks = new StringBuilder();
        for (FocusColumns.Column column : FocusColumns.all()) {
            String name = column.name();
            if (column.dataType().equals("Decimal")) {
                checks.append("WHEN ").append(name).append(" IS NOT NULL AND (NOT regexp_full_match(").append(name)
                        .append(", ").append(Sql.literal(DECIMAL_TEXT)).append(") OR text_scale(").append(name)
                        .append(") > 18) THEN ['invalid_decimal', ")
                        .append(Sql.literal(name)).append(", ").append(Sql.literal(name + " must be a decimal with at most 18 places: "))
                        .append(" || ").append(name).append("]\n        ");
                boolean quantity = name.endsWith("Quantity");
                String bound = quantity ? QUANTITY_BOUND : AMOUNT_BOUND;
                checks.append("WHEN ").append(name).append(" IS NOT NULL AND coalesce(abs(TRY_CAST(").append(name).append(" AS DECIMAL(38, 18))) >= ")
                        .append(bound).append(", true)")
                        .append(" THEN ['out_of_range', ").append(Sql.literal(name)).append(", ")
                        .append(Sql.literal(name + " must be below " + (quantity ? SHOWN_QUANTITY_BOUND : SHOWN_AMOUNT_BOUND) + " in absolute value (a unit or decimal-point mistake?): "))
                        .append(" || ").append(name).append("]\n        ");
            } else if (column.dataType().equals("DateTime")) {
                checks.append("WHEN ").append(name).append(" IS NOT NULL AND (NOT regexp_full_match(").append(name)
                        .append(", ").append(Sql.literal(TIMESTAMP_TEXT)).append(") OR TRY_CAST(").append(name)
                        .append(" AS TIMESTAMPTZ) IS NULL) THEN ['invalid_timestamp', ").append(Sql.literal(name)).append(", ")
                        .append(Sql.literal(name + " must be an ISO-8601 datetime (UTC when it has no zone): ")).append(" || ")
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
