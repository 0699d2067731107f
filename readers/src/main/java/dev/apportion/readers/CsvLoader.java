package dev.apportion.readers;

import dev.apportion.ledger.DuckDbSession;
import dev.apportion.ledger.Sql;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Loads a CSV input into DuckDB as text with physical line numbers ({@code csv_numbered}) and the records
 * the parser refused ({@code csv_errors}); typed validation happens afterwards in SQL, per format.
 */
final class CsvLoader {
    private CsvLoader() {
    }

    static void load(DuckDbSession db, SourceFile source, List<String> header, boolean gzip) {
        String lineBreaks = header.stream()
                .map(column -> "coalesce(length(" + quoted(column) + ") - length(replace(" + quoted(column)
                        + ", chr(10), '')), 0)")
                .collect(Collectors.joining(" + "));
        db.execute(Sql.resource(CsvLoader.class, "csv-load.sql")
                .bind("path", source.path())
                .bind("compression", gzip ? "gzip" : "none")
                .bindRaw("line_breaks", lineBreaks.isEmpty() ? "0" : lineBreaks));
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
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }
}
