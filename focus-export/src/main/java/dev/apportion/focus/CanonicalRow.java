package dev.apportion.focus;

import dev.apportion.ledger.SpreadsheetCsv;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The canonical serialisation of an output row (DESIGN §9), as one SQL expression so export and verify
 * compute it the same way over DuckDB: columns in file order, tab-separated; {@code \N} for null; decimals
 * plain with trailing zeros stripped; timestamps ISO-8601 UTC with {@code Z} (fraction only when non-zero);
 * in text, backslash, tab, newline and carriage return escaped as {@code \\ \t \n \r}.
 */
public final class CanonicalRow {
    /** DuckDB macros the expression uses; run once per session. */
    public static final String MACROS = SpreadsheetCsv.MACROS + ";\n" + """
            CREATE OR REPLACE TEMP MACRO canon_text(s) AS CASE WHEN s IS NULL THEN '\\N'
                WHEN contains(s, '\\') OR contains(s, chr(9)) OR contains(s, chr(10)) OR contains(s, chr(13))
                THEN replace(replace(replace(replace(s, '\\', '\\\\'), chr(9), '\\t'), chr(10), '\\n'), chr(13), '\\r') ELSE s END;
            CREATE OR REPLACE TEMP MACRO canon_instant(t) AS coalesce(iso_instant(t), '\\N');
            CREATE OR REPLACE TEMP MACRO canon_integer(i) AS coalesce(CAST(i AS VARCHAR), '\\N')""";

    private CanonicalRow() {
    }

    /**
     * The serialisation of {@code columns} (in the given order) as a SQL expression. One {@code concat_ws}
     * builds the line at once (a chain of {@code ||} copies the growing string per column); every argument
     * is non-null, so nothing is skipped.
     */
    public static String expression(List<OutputColumns.OutputColumn> columns) {
        return columns.stream().map(column -> {
            String quoted = "\"" + column.name() + "\"";
            if (column.duckDbType().startsWith("DECIMAL")) {
                // Plain, with trailing zeros stripped, in one cast (the text of a DECIMAL is never -0). Cast to the declared
                // type first, so a file whose column has another type (verify reads what it is given) is read at that scale.
                return "coalesce(" + SpreadsheetCsv.plainDecimal("CAST(" + quoted + " AS " + column.duckDbType() + ")", column.duckDbType()) + ", '\\N')";
            } else if (column.duckDbType().equals("TIMESTAMPTZ")) {
                return "canon_instant(" + quoted + ")";
            } else if (column.duckDbType().equals("BIGINT")) {
                return "canon_integer(" + quoted + ")";
            }
            return "canon_text(" + quoted + ")";
        }).collect(Collectors.joining(", ", "concat_ws(chr(9), ", ")"));
    }
}
