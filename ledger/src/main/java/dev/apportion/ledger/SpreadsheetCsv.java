package dev.apportion.ledger;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * CSV written for people and spreadsheets (RFC 4180, UTF-8, header row): decimals in plain notation with
 * trailing zeros stripped, timestamps ISO-8601 UTC with {@code Z}, and text cells that begin with
 * {@code = + - @}, tab or carriage return prefixed with an apostrophe, so a spreadsheet shows them as text
 * instead of running them as formulas. Numeric columns are never prefixed and stay numbers.
 */
public final class SpreadsheetCsv {
    /** Formatting macros shared by every text rendering of our values; run once per session. */
    public static final String MACROS = """
            CREATE OR REPLACE TEMP MACRO plain_decimal(d) AS CASE WHEN CAST(d AS VARCHAR) LIKE '%.%' THEN rtrim(rtrim(CAST(d AS VARCHAR), '0'), '.') ELSE CAST(d AS VARCHAR) END;
            CREATE OR REPLACE TEMP MACRO iso_instant(t) AS strftime(t, '%Y-%m-%dT%H:%M:%S')
                || CASE WHEN epoch_us(t) % 1000000 = 0 THEN '' ELSE '.' || rtrim(lpad(CAST(epoch_us(t) % 1000000 AS VARCHAR), 6, '0'), '0') END || 'Z';
            CREATE OR REPLACE TEMP MACRO formula_safe(s) AS CASE WHEN left(s, 1) IN ('=', '+', '-', '@', chr(9), chr(13)) THEN '''' || s ELSE s END""";

    private SpreadsheetCsv() {
    }

    /** Writes {@code SELECT * FROM relation ORDER BY orderBy} to {@code target} atomically. */
    public static void write(DuckDbSession db, String relation, String orderBy, Path target) {
        db.execute(MACROS);
        List<String> select = new ArrayList<>();
        db.query("DESCRIBE SELECT * FROM " + relation, row -> {
            String quoted = "\"" + row.getString(1).replace("\"", "\"\"") + "\"";
            String type = row.getString(2);
            String expression;
            if (type.startsWith("DECIMAL") || type.equals("DOUBLE")) {
                expression = "plain_decimal(" + quoted + ")";
            } else if (type.startsWith("TIMESTAMP")) {
                expression = "iso_instant(" + quoted + ")";
            } else if (type.equals("VARCHAR")) {
                expression = "formula_safe(" + quoted + ")";
            } else {
                expression = quoted;
            }
            select.add(expression + " AS " + quoted);
        });
        Path temporary = AtomicFiles.temporaryFor(target);
        AtomicFiles.createParent(target);
        // Rank on the typed values first: ordering by the formatted text would sort numbers as strings.
        db.execute(Sql.of("COPY (SELECT " + String.join(", ", select) + " FROM (SELECT *, row_number() OVER (ORDER BY " + orderBy
                + ") AS spreadsheet_order FROM " + relation + ") ORDER BY spreadsheet_order"
                + ") TO ${target} (FORMAT csv, HEADER true, DELIMITER ',', QUOTE '\"', ESCAPE '\"')").bind("target", temporary));
        AtomicFiles.move(temporary, target);
    }
}
