package dev.apportion.ledger;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * CSV written for people and spreadsheets (RFC 4180, UTF-8, header row): decimals in plain notation with
 * trailing zeros stripped, timestamps ISO-8601 UTC with {@code Z}, and text cells that begin with
 * {@code = + - @}, tab or carriage return prefixed with an apostrophe, so a spreadsheet shows them as text
 * instead of running them as formulas. Numeric columns are never prefixed and stay numbers.
 */
public final class SpreadsheetCsv {
    /**
     * Formatting macros shared by every text rendering of our values; run once per session. No {@code IN} list:
     * DuckDB plans one of six or more constants as a join per column, which neither streams nor keeps row order.
     */
    public static final String MACROS = """
            CREATE OR REPLACE TEMP MACRO plain_decimal(d) AS CASE WHEN CAST(d AS VARCHAR) LIKE '%.%' THEN rtrim(rtrim(CAST(d AS VARCHAR), '0'), '.') ELSE CAST(d AS VARCHAR) END;
            CREATE OR REPLACE TEMP MACRO iso_instant(t) AS strftime(t, '%Y-%m-%dT%H:%M:%S')
                || CASE WHEN epoch_us(t) % 1000000 = 0 THEN '' ELSE '.' || rtrim(lpad(CAST(epoch_us(t) % 1000000 AS VARCHAR), 6, '0'), '0') END || 'Z';
            CREATE OR REPLACE TEMP MACRO formula_safe(s) AS CASE WHEN s <> '' AND contains('=+-@' || chr(9) || chr(13), left(s, 1)) THEN '''' || s ELSE s END""";

    private SpreadsheetCsv() {
    }

    /** Writes {@code SELECT * FROM relation ORDER BY orderBy} to {@code target} atomically. */
    public static void write(DuckDbSession db, String relation, String orderBy, Path target) {
        List<String> select = formatted(db, relation);
        // Sorted on the typed values, each ORDER BY term computed under a name of its own (ordering by the formatted
        // text of the same names would sort numbers as strings), in one sort at the top.
        List<String> keys = new ArrayList<>();
        List<String> order = new ArrayList<>();
        for (String term : terms(orderBy)) {
            Matcher modifiers = ORDER_MODIFIERS.matcher(term);
            modifiers.matches();
            String key = "spreadsheet_key_" + (keys.size() + 1);
            keys.add(modifiers.group(1) + " AS " + key);
            order.add(key + modifiers.group(2));
        }
        copy(db, "SELECT " + String.join(", ", select) + " FROM (SELECT *, " + String.join(", ", keys) + " FROM "
                + relation + ") spreadsheet_source ORDER BY " + String.join(", ", order), target);
    }

    /**
     * Writes the rows of {@code table} (a table, or a view of one Parquet file) in the order they are stored, for rows
     * stored in the order the file needs: the formatting is a projection of the scan, which keeps its order, where
     * sorting every wide row again cost as much as writing it.
     */
    public static void writeInStoredOrder(DuckDbSession db, String table, Path target) {
        copy(db, "SELECT " + String.join(", ", formatted(db, table)) + " FROM " + table + " spreadsheet_source", target);
    }

    private static void copy(DuckDbSession db, String query, Path target) {
        Path temporary = AtomicFiles.temporaryFor(target);
        AtomicFiles.createParent(target);
        db.execute(Sql.of("COPY (" + query + ") TO ${target} (FORMAT csv, HEADER true, DELIMITER ',', QUOTE '\"', ESCAPE '\"')")
                .bind("target", temporary));
        AtomicFiles.move(temporary, target);
    }

    /** Each column of {@code relation} formatted for spreadsheets, named as it is, over {@code spreadsheet_source}. */
    private static List<String> formatted(DuckDbSession db, String relation) {
        db.execute(MACROS);
        List<String> select = new ArrayList<>();
        db.query("DESCRIBE SELECT * FROM " + relation, row -> {
            String quoted = "\"" + row.getString(1).replace("\"", "\"\"") + "\"";
            String type = row.getString(2);
            String column = "spreadsheet_source." + quoted;
            String expression;
            if (type.startsWith("DECIMAL")) {
                expression = plainDecimal(column, type);
            } else if (type.equals("DOUBLE")) {
                expression = "plain_decimal(" + column + ")";
            } else if (type.startsWith("TIMESTAMP")) {
                expression = "iso_instant(" + column + ")";
            } else if (type.equals("VARCHAR")) {
                expression = "formula_safe(" + column + ")";
            } else {
                expression = column;
            }
            select.add(expression + " AS " + quoted);
        });
        return select;
    }

    private static final Pattern ORDER_MODIFIERS =
            Pattern.compile("(?is)\\s*(.*?)((?:\\s+(?:ASC|DESC))?(?:\\s+NULLS\\s+(?:FIRST|LAST))?)\\s*");

    /** The terms of an ORDER BY list: split at the commas outside parentheses and quotes. */
    static List<String> terms(String orderBy) {
        List<String> terms = new ArrayList<>();
        int depth = 0;
        int start = 0;
        char quote = 0;
        for (int i = 0; i < orderBy.length(); i++) {
            char c = orderBy.charAt(i);
            if (quote != 0) {
                quote = c == quote ? 0 : quote;
            } else if (c == '\'' || c == '"') {
                quote = c;
            } else if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
            } else if (c == ',' && depth == 0) {
                terms.add(orderBy.substring(start, i));
                start = i + 1;
            }
        }
        terms.add(orderBy.substring(start));
        return terms;
    }

    /**
     * {@code plain_decimal} for a column of DuckDB type {@code DECIMAL(p,s)}, specialised by scale: the text of a
     * decimal with places always has a point, so only trailing zeros (and then the point) are stripped, with one
     * cast instead of the macro's three.
     */
    public static String plainDecimal(String column, String decimalType) {
        int comma = decimalType.indexOf(',');
        int scale = comma < 0 ? 0 : Integer.parseInt(decimalType.substring(comma + 1, decimalType.indexOf(')')).strip());
        return scale == 0 ? "CAST(" + column + " AS VARCHAR)" : "rtrim(rtrim(CAST(" + column + " AS VARCHAR), '0'), '.')";
    }
}
