package dev.apportion.readers;

import dev.apportion.ledger.DuckDbSession;
import dev.apportion.ledger.Sql;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Loads text inputs into DuckDB as text with physical line numbers ({@code csv_numbered}) and the records
 * the parser refused ({@code csv_errors}); typed validation happens afterwards in SQL, per format.
 */
final class CsvLoader {
    private CsvLoader() {
    }

    /** The line a CSV file's first record starts on, after its header. */
    static final int FIRST_DELIMITED_LINE = 2;

    /** A CSV file with a header row and the sniffed delimiter. */
    static void loadDelimited(DuckDbSession db, SourceFile source, Sniff sniff) {
        String lineBreaks = sniff.columns().stream()
                .map(column -> "coalesce(length(" + quoted(column) + ") - length(replace(" + quoted(column)
                        + ", chr(10), '')), 0)")
                .collect(Collectors.joining(" + "));
        load(db, source, sniff, delimitedOptions(sniff), FIRST_DELIMITED_LINE, lineBreaks.isEmpty() ? "0" : lineBreaks,
                anyLineBreak(CsvBytes.of(source, sniff), sniff));
    }

    /** JSON lines: each line as one text column {@code record}, no quoting, no header. */
    static void loadLines(DuckDbSession db, SourceFile source, Sniff sniff) {
        load(db, source, sniff, "header = false, auto_detect = false, columns = {'record': 'VARCHAR'}, delim = chr(1), "
                + "quote = '', escape = ''", 1, "0", "false");
    }

    /**
     * The scan of a CSV file as text in file order. Records the parser refuses (invalid UTF-8, a wrong number of
     * columns, a truncated last line) go to {@code csv_errors} with their line, never silently dropped.
     */
    static String delimitedScan(SourceFile source, Sniff sniff) {
        return scan(source, sniff, delimitedOptions(sniff));
    }

    /**
     * Whether a record of a CSV file with these bytes and columns has a line break inside a cell: {@code false}
     * without looking at any cell when the file has no quote character, since only a quoted cell can hold one.
     */
    static String anyLineBreak(CsvBytes bytes, Sniff sniff) {
        return bytes.quote() ? anyLineBreak(sniff.columns()) : "false";
    }

    /** Whether a record of a CSV file with these columns has a line break inside a cell. */
    private static String anyLineBreak(List<String> columns) {
        return columns.isEmpty() ? "false" : columns.stream()
                .map(column -> "coalesce(contains(" + quoted(column) + ", chr(10)), false)")
                .collect(Collectors.joining(" OR "));
    }

    private static String delimitedOptions(Sniff sniff) {
        return "header = true, all_varchar = true, delim = " + Sql.literal(String.valueOf(sniff.delimiter()))
                + ", quote = '\"', escape = '\"'";
    }

    private static String scan(SourceFile source, Sniff sniff, String options) {
        return "read_csv(" + Sql.literal(source.path().toAbsolutePath().toString()) + ", " + options + ", compression = "
                + Sql.literal(sniff.gzip() ? "gzip" : "none") + ", store_rejects = true, rejects_table = 'csv_errors', "
                + "rejects_scan = 'csv_scans', strict_mode = true, sample_size = -1)";
    }

    /** Drops the parser's refusals of an earlier scan, which a new scan would otherwise add to. */
    static void dropParserRejects(DuckDbSession db) {
        db.execute("DROP TABLE IF EXISTS csv_errors");
        db.execute("DROP TABLE IF EXISTS csv_scans");
    }

    private static void load(DuckDbSession db, SourceFile source, Sniff sniff, String options, int firstLine, String lineBreaks,
                             String anyLineBreak) {
        dropParserRejects(db);
        db.execute(Sql.resource(CsvLoader.class, "csv-load.sql").bindRaw("scan", scan(source, sniff, options)));
        // The common file has no refused line and no line break inside a cell: its line numbers follow from the
        // row order, without the window over the whole file that the general case needs.
        boolean simple = db.queryLong("SELECT count(*) FROM csv_errors") == 0
                // contains() finds a line break without copying the text, where counting them rewrote every cell.
                && db.queryLong("SELECT count(*) FROM (SELECT 1 FROM csv_raw WHERE " + anyLineBreak + " LIMIT 1)") == 0;
        if (simple) {
            db.execute(Sql.of("CREATE OR REPLACE TEMP VIEW csv_numbered AS SELECT *, rowid + ${first_line} AS line FROM csv_raw")
                    .bind("first_line", firstLine));
        } else {
            db.execute(Sql.resource(CsvLoader.class, "csv-number.sql")
                    .bind("first_line", firstLine)
                    .bindRaw("line_breaks", lineBreaks));
        }
    }

    /** Inserts the parser's refusals into {@code rejects}, one per physical line. */
    static void collectParserRejects(DuckDbSession db) {
        db.execute("""
                INSERT INTO rejects
                SELECT 'line ' || line, column_name,
                       CASE WHEN error_type = 'INVALID ENCODING' THEN 'invalid_encoding' ELSE 'malformed_row' END,
                       CASE WHEN error_type = 'INVALID ENCODING'
                            THEN 'invalid UTF-8 byte sequence; save the file as UTF-8'
                            ELSE lower(error_type) || ': ' || error_message END
                FROM csv_errors""");
    }

    /** A header name as a quoted SQL identifier (header names are user text). */
    static String quoted(String identifier) {
        return Sql.identifier(identifier);
    }
}
