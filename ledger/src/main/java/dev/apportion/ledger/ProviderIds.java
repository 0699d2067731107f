package dev.apportion.ledger;

import java.util.Locale;
import java.util.Map;

/**
 * Provider channel ids (DESIGN §5). Catalogues and logs may use their own ids for the same channel; each
 * alias maps to one canonical id so dedupe keys, rates and invoice keys agree.
 */
public final class ProviderIds {
    private static final Map<String, String> ALIASES = Map.of(
            "aws", "aws_bedrock",
            "bedrock", "aws_bedrock",
            "azure", "azure_openai",
            "google", "google_vertex",
            "vertex", "google_vertex",
            "vertex_ai", "google_vertex");

    private ProviderIds() {
    }

    /** The canonical channel id of {@code id}: lower case, aliases resolved. */
    public static String canonical(String id) {
        String lower = id.strip().toLowerCase(Locale.ROOT);
        return ALIASES.getOrDefault(lower, lower);
    }

    /** The same mapping as a SQL expression over {@code column}, for set-based readers. */
    public static String canonicalSql(String column) {
        StringBuilder sql = new StringBuilder("CASE lower(trim(" + column + "))");
        ALIASES.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(alias -> sql.append(" WHEN ")
                .append(Sql.literal(alias.getKey())).append(" THEN ").append(Sql.literal(alias.getValue())));
        return sql.append(" ELSE lower(trim(").append(column).append(")) END").toString();
    }
}
