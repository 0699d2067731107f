package dev.apportion.allocation;

import static java.util.Objects.requireNonNull;

import dev.apportion.ledger.Sql;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import java.util.stream.Collectors;
import tools.jackson.databind.JsonNode;

/**
 * One condition of a rule's {@code select} or {@code basis_selector}: a field and what its value must be. In
 * YAML: a value ({@code model: gpt-4o}), a list of values, any of which matches ({@code model: [gpt-4o,
 * gpt-4o-mini]}), or a regular expression that must match the whole value ({@code model: { regex: "gpt-4o.*" }}).
 * A line without the field matches no condition.
 */
public record Selector(String field, List<String> values, Pattern regex) {
    public Selector {
        requireNonNull(field, "field is null");
        values = values == null ? null : List.copyOf(values);
        if ((values == null) == (regex == null)) {
            throw new IllegalArgumentException("A selector has either values or a regex");
        }
    }

    /** Parses the YAML value of {@code field}; {@code where} names the rule in messages. */
    static Selector parse(String field, JsonNode node, String where) {
        if (node.isObject()) {
            if (node.size() != 1 || !node.has("regex") || !node.get("regex").isValueNode()) {
                throw new IllegalArgumentException(where + ": " + field + " must be a value, a list of values or { regex: \"...\" }");
            }
            String expression = node.get("regex").asString();
            try {
                return new Selector(field, null, Pattern.compile(expression));
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException(where + ": " + field + " has an invalid regex '" + expression + "': "
                        + e.getDescription() + " near index " + e.getIndex());
            }
        }
        List<String> values = new ArrayList<>();
        if (node.isArray()) {
            if (node.isEmpty()) {
                throw new IllegalArgumentException(where + ": " + field + " lists no values, so it could never match");
            }
            for (JsonNode value : node) {
                if (!value.isValueNode() || value.isNull()) {
                    throw new IllegalArgumentException(where + ": " + field + " lists something that is not a value");
                }
                values.add(value.asString());
            }
        } else if (node.isValueNode() && !node.isNull()) {
            values.add(node.asString());
        } else {
            throw new IllegalArgumentException(where + ": " + field + " must be a value, a list of values or { regex: \"...\" }");
        }
        return new Selector(field, values, null);
    }

    /** True when {@code value} satisfies the condition; a missing value never does. */
    public boolean matches(String value) {
        if (value == null) {
            return false;
        }
        return regex != null ? regex.matcher(value).matches() : values.contains(value);
    }

    /** The condition as SQL over {@code column} (DuckDB's regex flavour is RE2; the common syntax agrees). */
    String sql(String column) {
        if (regex != null) {
            return "coalesce(regexp_full_match(" + column + ", " + Sql.literal(regex.pattern()) + "), false)";
        }
        return "coalesce(" + column + " IN (" + values.stream().map(Sql::literal).collect(Collectors.joining(", ")) + "), false)";
    }

    /** As written in YAML, for allocation-methods.json and messages. */
    public String describe() {
        return regex != null ? "{regex: " + regex.pattern() + "}" : values.size() == 1 ? values.get(0) : values.toString();
    }
}
