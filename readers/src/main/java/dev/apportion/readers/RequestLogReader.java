package dev.apportion.readers;

import dev.apportion.ledger.DuckDbSession;
import dev.apportion.ledger.ProviderIds;
import dev.apportion.ledger.Sql;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The generic request log (DESIGN §5) in any container: each becomes {@code request_text} (the contract's
 * columns as raw text, columns beyond the contract kept as a JSON object of tags), then one validation and
 * normalisation into usage events, in SQL.
 */
final class RequestLogReader {
    /** Every column of the contract; optional ones missing from a file are read as empty. */
    static final List<String> COLUMNS = List.of("request_id", "occurred_at", "provider", "model", "billing_account_id",
            "principal_id", "consumer_id", "feature", "user_id", "session_id", "environment", "service_tier", "region",
            "input_tokens", "cache_read_tokens", "cache_write_tokens", "cache_write_1h_tokens", "output_tokens",
            "reasoning_tokens", "web_search_calls", "status", "logged_cost_usd", "corrects_request_id");

    private RequestLogReader() {
    }

    /**
     * A generic request log in any container: into {@code request_text}, then {@link #validateText}.
     *
     * @return the checked file (see {@link #validateText})
     */
    static Path validate(DuckDbSession db, SourceFile source, Sniff sniff, List<Path> committedLedgerFiles) {
        String text = sniff.container() == Sniff.Container.JSON_LINES ? jsonText() : columnText(sniff.columns());
        // A view: the validation reads it once, so the text is not materialised twice.
        db.execute("CREATE OR REPLACE TEMP VIEW request_text AS SELECT _location, _position, " + text + " FROM raw_rows");
        return validateText(db, source, committedLedgerFiles);
    }

    /**
     * Validates and normalises {@code request_text} into usage events ({@code accepted}), with rejects and
     * duplicates. Every reader of request logs ends here: {@code request_text} has {@code _location},
     * {@code _position}, every column of {@link #COLUMNS} as text in the generic log's conventions (inclusive
     * input tokens, provider ids, ISO-8601 instants with a zone) and {@code tags} (a JSON object or null).
     *
     * @return the checked file: every record typed, in file order, with the ledger's columns; when {@link #isClean}
     *     it is the file's ledger file as it is
     */
    static Path validateText(DuckDbSession db, SourceFile source, List<Path> committedLedgerFiles) {
        loadExistingKeys(db, committedLedgerFiles);
        Path checked = check(db, source, "false", "true", "NULL");
        finish(db, source, "SELECT * EXCLUDE (_line_break) FROM read_parquet(" + Sql.literal(checked.toAbsolutePath().toString()) + ")");
        return checked;
    }

    /**
     * Whether the checked file just validated is the ledger file of its source as it is: every record accepted
     * (no reject, duplicate or correction) and all in one period. The caller knows the periods.
     */
    static boolean isClean(DuckDbSession db) {
        return db.queryLong("SELECT count(*) FROM rejects") == 0 && db.queryLong("SELECT count(*) FROM request_correction_rows") == 0;
    }

    /**
     * A CSV request log in one streamed pass: the text goes straight from the parser into the checks, where the
     * general path first copies the whole file into a table of text (at 100M requests 22 GB, spilled to disk). The
     * records are numbered afterwards by their order in the checked file, which holds only when the parser refused
     * no line and no cell has a line break; otherwise nothing is kept, and the caller takes the general path.
     *
     * @return the records read and the checked file (see {@link #validateText}), or empty when the file needs the
     *     general path
     */
    static Optional<Streamed> validateStreamed(DuckDbSession db, SourceFile source, Sniff sniff, List<Path> committedLedgerFiles) {
        loadExistingKeys(db, committedLedgerFiles);
        CsvLoader.dropParserRejects(db);
        CsvBytes bytes = CsvBytes.of(source, sniff);
        db.execute("CREATE OR REPLACE TEMP VIEW request_text AS SELECT NULL::VARCHAR AS _location, NULL::BIGINT AS _position, "
                + columnText(sniff.columns()) + ", " + CsvLoader.anyLineBreak(bytes, sniff) + " AS _line_break FROM "
                + CsvLoader.delimitedScan(source, sniff));
        // trim() removes Unicode spaces; in a file of ASCII only, a cell it would change starts or ends with ' '.
        Path checked = check(db, source, "_line_break", bytes.ascii() ? "prefix(t, ' ') OR suffix(t, ' ')" : "true",
                String.valueOf(CsvLoader.FIRST_DELIMITED_LINE));
        String file = Sql.literal(checked.toAbsolutePath().toString());
        if (db.queryLong("SELECT count(*) FROM csv_errors") > 0
                || db.queryLong("SELECT count(*) FROM (SELECT 1 FROM read_parquet(" + file + ") WHERE _line_break LIMIT 1)") > 0) {
            return Optional.empty();
        }
        String line = "file_row_number + " + CsvLoader.FIRST_DELIMITED_LINE;
        finish(db, source, "SELECT * EXCLUDE (_line_break, file_row_number) REPLACE ('line ' || (" + line + ") AS _location, "
                + line + " AS _position) FROM read_parquet(" + file + ", file_row_number = true)");
        return Optional.of(new Streamed(db.queryLong("SELECT count(*) FROM read_parquet(" + file + ")"), checked));
    }

    /** A CSV request log read in one streamed pass: its records and its checked file. */
    record Streamed(long records, Path checked) {
    }

    /**
     * Types and checks {@code request_text} into a scratch Parquet file, in file order (request-check.sql).
     * {@code mayNeedTrim} is a condition on a cell {@code t}: false only where {@code trim(t) = t}.
     * {@code firstLine} is the line of the first record where records are numbered by their order in the file, else NULL.
     */
    private static Path check(DuckDbSession db, SourceFile source, String lineBreak, String mayNeedTrim, String firstLine) {
        Path checked = db.scratchFile("request-checked.parquet");
        db.execute(Sql.resource(RequestLogReader.class, "request-check.sql")
                .bind("checked_file", checked)
                .bind("source_sha256", source.sha256())
                .bindRaw("source_first_line", firstLine)
                .bindRaw("line_break", lineBreak)
                .bindRaw("may_need_trim", mayNeedTrim)
                .bindRaw("canonical_provider", ProviderIds.canonicalSql("provider")));
        return checked;
    }

    /** Duplicates, corrections and the accepted view over the checked file, read by {@code checked} (request-log.sql). */
    private static void finish(DuckDbSession db, SourceFile source, String checked) {
        db.execute(Sql.resource(RequestLogReader.class, "request-log.sql")
                .bindRaw("checked", checked)
                .bind("source_sha256", source.sha256()));
    }

    private static void loadExistingKeys(DuckDbSession db, List<Path> committedLedgerFiles) {
        if (committedLedgerFiles.isEmpty()) {
            db.execute("CREATE OR REPLACE TEMP TABLE existing_request_keys (provider VARCHAR, request_id VARCHAR, occurred_at TIMESTAMPTZ)");
        } else {
            db.execute(Sql.of("CREATE OR REPLACE TEMP TABLE existing_request_keys AS "
                            + "SELECT provider, request_id, min(occurred_at) AS occurred_at FROM read_parquet(${files}, union_by_name = true) GROUP BY ALL")
                    .bindList("files", committedLedgerFiles.stream().map(path -> path.toAbsolutePath().toString()).toList()));
        }
    }

    /** CSV and Parquet: the contract's columns by name; the others, when not empty, as tags. */
    private static String columnText(List<String> present) {
        String columns = COLUMNS.stream()
                .map(column -> present.contains(column) ? CsvLoader.quoted(column) + " AS " + column : "NULL::VARCHAR AS " + column)
                .collect(Collectors.joining(", "));
        List<String> extras = present.stream().filter(column -> !COLUMNS.contains(column)).toList();
        if (extras.isEmpty()) {
            return columns + ", NULL::VARCHAR AS tags";
        }
        String entries = extras.stream()
                .map(column -> "struct_pack(key := " + Sql.literal(column) + ", value := nullif(nullif(trim("
                        + CsvLoader.quoted(column) + "), ''), 'NULL'))")
                .collect(Collectors.joining(", "));
        return columns + ", nullif(CAST(to_json(map_from_entries(list_filter([" + entries
                + "], lambda e: e.value IS NOT NULL))) AS VARCHAR), '{}') AS tags";
    }

    /** JSON lines: each contract key as text (numbers as written); the other keys as tags. */
    private static String jsonText() {
        String columns = COLUMNS.stream()
                .map(column -> "json_extract_string(record, " + Sql.literal("$.\"" + column + "\"") + ") AS " + column)
                .collect(Collectors.joining(", "));
        String known = COLUMNS.stream().map(Sql::literal).collect(Collectors.joining(", "));
        return columns + ", nullif(CAST(to_json(map_from_entries(list_transform(list_filter(json_keys(record), "
                + "lambda k: NOT list_contains([" + known + "], k) AND json_extract_string(record, '$.\"' || k || '\"') IS NOT NULL), "
                + "lambda k: struct_pack(key := k, value := json_extract_string(record, '$.\"' || k || '\"'))))) AS VARCHAR), '{}') AS tags";
    }
}
