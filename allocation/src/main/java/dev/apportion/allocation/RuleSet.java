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
    /** The invoice-line fields a selector may name. */
    public static final Set<String> SELECTOR_FIELDS = Set.of("charge_category", "has_usage", "provider", "model",
            "token_type", "service_tier", "billing_account_id", "service_name", "sku_id", "reconciliation_class");

    private static final Set<String> RULE_KEYS = Set.of("id", "select", "method", "basis", "window", "variance", "split",
            "owner", "note");

    public RuleSet {
        rules = List.copyOf(rules);
        splits = Map.copyOf(splits);
    }

    /** Parses and checks the {@code rules:} list without split tables. */
    public static RuleSet parse(JsonNode rulesNode) {
        return parse(rulesNode, null);
    }

    /** Parses and checks {@code rules:} and {@code splits:}; each problem names the rule or the split table. */
    public static RuleSet parse(JsonNode rulesNode, JsonNode splitsNode) {
        Map<String, SplitTable> splits = new LinkedHashMap<>();
        if (splitsNode != null && !splitsNode.isNull() && !splitsNode.isMissingNode()) {
            if (!splitsNode.isObject()) {
                throw new IllegalArgumentException("apportion.yml: 'splits' must be a mapping of split table names to periods");
            }
            for (Map.Entry<String, JsonNode> table : splitsNode.properties()) {
                splits.put(table.getKey(), SplitTable.parse(table.getKey(), table.getValue()));
            }
        }
        if (rulesNode == null || !rulesNode.isArray() || rulesNode.isEmpty()) {
            throw new IllegalArgumentException("apportion.yml: 'rules' must be a non-empty list");
        }
        List<Rule> rules = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (JsonNode node : rulesNode) {
            String id = text(node, "id");
            if (id == null) {
                throw new IllegalArgumentException("apportion.yml: rule number " + (rules.size() + 1) + " has no id");
            }
            for (String key : node.propertyNames()) {
                if (!RULE_KEYS.contains(key)) {
                    throw new IllegalArgumentException("apportion.yml: rule " + id + " has an unknown key '" + key + "'");
                }
            }
            if (!ids.add(id)) {
                throw new IllegalArgumentException("apportion.yml: rule id " + id + " is used twice");
            }
            Map<String, String> select = new LinkedHashMap<>();
            JsonNode selectNode = node.get("select");
            if (selectNode != null && !selectNode.isNull()) {
                for (Map.Entry<String, JsonNode> selector : selectNode.properties()) {
                    if (!SELECTOR_FIELDS.contains(selector.getKey())) {
                        throw new IllegalArgumentException("apportion.yml: rule " + id + " selects on unknown field '"
                                + selector.getKey() + "'; known: " + String.join(", ", SELECTOR_FIELDS.stream().sorted().toList()));
                    }
                    select.put(selector.getKey(), selector.getValue().asString());
                }
            }
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
                    if (variance != null && !variance.equals("spread")) {
                        throw new IllegalArgumentException("apportion.yml: rule " + id + " variance '" + variance
                                + "' is not supported yet; use spread");
                    }
                }
                case ACTIVITY -> {
                    if (basis == null || !Set.of("tokens", "requests", "cost").contains(basis)) {
                        throw new IllegalArgumentException("apportion.yml: rule " + id + " needs basis tokens, requests or cost");
                    }
                    if (window != null && !Set.of("line", "month").contains(window)) {
                        throw new IllegalArgumentException("apportion.yml: rule " + id + " window must be line or month");
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
            rules.add(new Rule(id, select, method, basis, window == null ? "line" : window,
                    variance == null ? "spread" : variance, split, owner, text(node, "note")));
        }
        Rule last = rules.get(rules.size() - 1);
        if (!last.select().isEmpty() || last.method() != Rule.Method.RESIDUAL) {
            throw new IllegalArgumentException("apportion.yml: the last rule (" + last.id()
                    + ") must be a catch-all: select: {} with method residual");
        }
        return new RuleSet(rules, splits);
    }

    private static String text(JsonNode node, String key) {
        JsonNode value = node.get(key);
        return value == null || value.isNull() ? null : value.asString();
    }
}
