package dev.apportion.sample;

/** RFC 4180 fields: quoted only when they hold a comma, a quote or a line break; null is an empty field. */
final class Csv {
    private Csv() {
    }

    static StringBuilder appendField(StringBuilder row, String value) {
        if (value == null) {
            return row;
        }
        if (!needsQuotes(value)) {
            return row.append(value);
        }
        row.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"') {
                row.append('"');
            }
            row.append(c);
        }
        return row.append('"');
    }

    private static boolean needsQuotes(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == ',' || c == '"' || c == '\n' || c == '\r') {
                return true;
            }
        }
        return false;
    }
}
