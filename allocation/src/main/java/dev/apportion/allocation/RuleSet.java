package dev.apportion.allocation;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * The ordered rules of {@code apportion.yml}: first match wins, the last rule is an empty-selector
 * {@code residual} catch-all; and the fixed split tables of {@code splits:} that {@code residual} rules with
 * {@code basis: fixed} name. Selectors compare the fields in {@link #SELECTOR_FIELDS} for equality.
 */
public record RuleSet(List<Rule> rules, Map<String, SplitTable> splits) {
    /** The invoice-line fields a selector may name, besides {@code tags.<key>} (a key of the line's Tags). */
    public static final Set<String> SELECTOR_FIELDS = Set.of("charge_category", "has_usage", "provider", "model",
            "token_type", "service_tier", "billing_account_id", "service_name", "sku_id", "reconciliation_class");

    /** The cost-line fields a {@code basis_selector} may name. */
    public static final Set<String> BASIS_SELECTOR_FIELDS = Set.of("provider", "model", "token_type", "service_tier",
            "billing_account_id", "region", "consumer_id", "principal_id", "feature", "environment");

    /** Token types an activity basis may name (DESIGN §6), besides tokens, requests and cost. */
    public static final Set<String> TOKEN_TYPES = Set.of("input_uncached", "cache_read", "cache_write_5m", "cache_write_1h",
            "output", "web_search");

    private static final Set<String> RULE_KEYS = Set.of("id", "select", "method", "basis", "window", "variance", "split",
            "basis_selector", "owner", "note");

    public RuleSet {
        rules = List.copyOf(rules);
        splits = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(splits));
    }

    /** Parses and checks the {@code rules:} list without split tables. */
    public static RuleSet parse(JsonNode rulesNode) {
        return parse(rulesNode, null);
    }

    /** Parses and checks {@code rules:} and {@code splits:}; throws the first problem (see {@link #validate}). */
    public static RuleSet parse(JsonNode rulesNode, JsonNode splitsNode) {
        Validation validation = validate(rulesNode, splitsNode);
        if (!validation.problems().isEmpty()) {
            throw new IllegalArgumentException(validation.problems().get(0).message());
        }
        return validation.rules();
    }

    /**
     * One problem of the rules: {@code subject} is {@code rule} or {@code split} with its {@code name}, or
     * {@code rules} for the list as a whole; the message names them too.
     */
    public record Problem(String subject, String name, String message) {
    }

    /** Every problem of the rules and split tables; {@code rules} is null when there is any. */
    public record Validation(RuleSet rules, List<Problem> problems) {
        public Validation {
            problems = List.copyOf(problems);
        }
    }

    /**
     * Checks everything {@code rules validate} reports, collecting every problem rather than stopping at the first:
     * split tables (shares, decimals, overlaps), each rule (keys, selectors, regex, method and parameters), the
     * final catch-all, and rules that can never match.
     */
    public static Validation validate(JsonNode rulesNode, JsonNode splitsNode) {
        List<Problem> problems = new ArrayList<>();
        Map<String, SplitTable> splits = new LinkedHashMap<>();
        Set<String> splitNames = new HashSet<>();
        if (splitsNode != null && !splitsNode.isNull() && !splitsNode.isMissingNode()) {
            if (!splitsNode.isObject()) {
                problems.add(new Problem("rules", "splits", "apportion.yml: 'splits' must be a mapping of split table names to periods"));
            } else {
                for (Map.Entry<String, JsonNode> table : splitsNode.properties()) {
                    splitNames.add(table.getKey());
                    try {
                        splits.put(table.getKey(), SplitTable.parse(table.getKey(), table.getValue()));
                    } catch (IllegalArgumentException e) {
                        problems.add(new Problem("split", table.getKey(), e.getMessage()));
                    }
                }
            }
        }
        if (rulesNode == null || !rulesNode.isArray() || rulesNode.isEmpty()) {
            problems.add(new Problem("rules", "rules", "apportion.yml: 'rules' must be a non-empty list"));
            return new Validation(null, problems);
        }
        List<Rule> rules = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        int number = 0;
        for (JsonNode node : rulesNode) {
            number++;
            try {
                rules.add(parseRule(node, number, splits, splitNames, ids));
            } catch (IllegalArgumentException e) {
                problems.add(new Problem("rule", text(node, "id"), e.getMessage()));
            }
        }
        if (problems.isEmpty()) {
            Rule last = rules.get(rules.size() - 1);
            if (!last.select().isEmpty() || last.method() != Rule.Method.RESIDUAL) {
                problems.add(new Problem("rule", last.id(), "apportion.yml: the last rule (" + last.id()
                        + ") must be a catch-all: select: {} with method residual"));
            }
            problems.addAll(NeverMatching.find(rules));
        }
        return new Validation(problems.isEmpty() ? new RuleSet(rules, splits) : null, problems);
    }

    private static Rule parseRule(JsonNode node, int number, Map<String, SplitTable> splits, Set<String> splitNames, Set<String> ids) {
        if (!node.isObject()) {
            throw new IllegalArgumentException("apportion.yml: rule number " + number + " must be a mapping (id, select, method, ...)");
        }
        String id = text(node, "id");
        if (id == null) {
            throw new IllegalArgumentException("apportion.yml: rule number " + number + " has no id");
        }
        for (String key : node.propertyNames()) {
            if (!RULE_KEYS.contains(key)) {
                throw new IllegalArgumentException("apportion.yml: rule " + id + " has an unknown key '" + key + "'");
            }
        }
        if (!ids.add(id)) {
            throw new IllegalArgumentException("apportion.yml: rule id " + id + " is used twice");
        }
        Map<String, Selector> select = selectors(node.get("select"), "apportion.yml: rule " + id, SELECTOR_FIELDS, true);
        String methodText = text(node, "method");
        if (methodText == null) {
            throw new IllegalArgumentException("apportion.yml: rule " + id + " has no method (direct, activity or residual)");
        }
        Rule.Method method = switch (methodText) {
            case "direct" -> Rule.Method.DIRECT;
            case "activity" -> Rule.Method.ACTIVITY;
            case "residual" -> Rule.Method.RESIDUAL;
            default -> throw new IllegalArgumentException("apportion.yml: rule " + id + " has an unknown method '"
                    + methodText + "' (direct, activity or residual)");
        };
        String basis = text(node, "basis");
        String window = text(node, "window");
        String variance = text(node, "variance");
        switch (method) {
            case DIRECT -> {
                if (variance != null && !variance.equals("spread") && !variance.equals("unallocated")) {
                    throw new IllegalArgumentException("apportion.yml: rule " + id + " variance must be spread or unallocated, not '"
                            + variance + "'");
                }
            }
            case ACTIVITY -> {
                if (basis == null || !Set.of("tokens", "requests", "cost").contains(basis) && !TOKEN_TYPES.contains(basis)) {
                    throw new IllegalArgumentException("apportion.yml: rule " + id + " needs basis tokens, requests, cost or a token type ("
                            + String.join(", ", TOKEN_TYPES.stream().sorted().toList()) + ")");
                }
                if (window != null && !Set.of("line", "day", "month").contains(window)) {
                    throw new IllegalArgumentException("apportion.yml: rule " + id + " window must be line, day or month");
                }
                if (node.has("basis_selector") && (window == null || window.equals("line"))) {
                    throw new IllegalArgumentException("apportion.yml: rule " + id + " has a basis_selector, which needs window day or month"
                            + " (window line takes the cost lines anchored to the line itself)");
                }
            }
            case RESIDUAL -> {
                if (basis == null || !Set.of("proportional", "even", "fixed").contains(basis)) {
                    throw new IllegalArgumentException("apportion.yml: rule " + id + " needs basis proportional, even or fixed");
                }
            }
        }
        String split = text(node, "split");
        if ("fixed".equals(basis) && method == Rule.Method.RESIDUAL) {
            if (split == null) {
                throw new IllegalArgumentException("apportion.yml: rule " + id + " has basis fixed but names no split table (split: NAME)");
            }
            if (!splits.containsKey(split) && splitNames.contains(split)) {
                throw new IllegalArgumentException("apportion.yml: rule " + id + " names split table '" + split
                        + "', which is itself invalid (see its problem)");
            }
            if (!splits.containsKey(split)) {
                throw new IllegalArgumentException("apportion.yml: rule " + id + " names split table '" + split
                        + "', which is not under splits:" + (splits.isEmpty() ? " (there are none)" : " (known: "
                        + String.join(", ", splits.keySet()) + ")"));
            }
        } else if (split != null) {
            throw new IllegalArgumentException("apportion.yml: rule " + id + " names a split table, but only residual rules with basis fixed use one");
        }
        String owner = text(node, "owner");
        if (owner == null) {
            throw new IllegalArgumentException("apportion.yml: rule " + id + " names no owner");
        }
        Map<String, Selector> basisSelector = method == Rule.Method.ACTIVITY
                ? selectors(node.get("basis_selector"), "apportion.yml: rule " + id + " basis_selector", BASIS_SELECTOR_FIELDS, false)
                : Map.of();
        if (method != Rule.Method.ACTIVITY && node.has("basis_selector")) {
            throw new IllegalArgumentException("apportion.yml: rule " + id + " has a basis_selector, which only activity rules use");
        }
        return new Rule(id, select, method, basis, window == null ? "line" : window,
                variance == null ? "spread" : variance, split, basisSelector, owner, text(node, "note"));
        }

    private static Map<String, Selector> selectors(JsonNode node, String where, Set<String> fields, boolean tags) {
        Map<String, Selector> selectors = new LinkedHashMap<>();
        if (node == null || node.isNull()) {
            return selectors;
        }
        if (!node.isObject()) {
            throw new IllegalArgumentException(where + ": select must be a mapping of fields to values");
        }
        for (Map.Entry<String, JsonNode> selector : node.properties()) {
            String field = selector.getKey();
            boolean tag = tags && field.startsWith("tags.") && field.length() > "tags.".length();
            if (!tag && !fields.contains(field)) {
                throw new IllegalArgumentException(where + " selects on unknown field '" + field + "'; known: "
                        + String.join(", ", fields.stream().sorted().toList()) + (tags ? ", tags.<key>" : ""));
            }
            selectors.put(field, Selector.parse(field, selector.getValue(), where));
        }
        return selectors;
    }

    private static String text(JsonNode node, String key) {
        JsonNode value = node.get(key);
        return value == null || value.isNull() ? null : value.asString();
    }
}
