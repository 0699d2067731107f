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
 * {@code residual} catch-all. This slice supports equality selectors on the fields in {@link #SELECTOR_FIELDS};
 * regex selectors, fixed splits and {@code rules validate} come with issue E.
 */
public record RuleSet(List<Rule> rules) {
    /** The invoice-line fields a selector may name. */
    public static final Set<String> SELECTOR_FIELDS = Set.of("charge_category", "has_usage", "provider", "model",
            "token_type", "service_tier", "billing_account_id", "service_name", "sku_id", "reconciliation_class");

    private static final Set<String> RULE_KEYS = Set.of("id", "select", "method", "basis", "window", "variance", "owner", "note");

    public RuleSet {
        rules = List.copyOf(rules);
    }

    /** Parses and checks the {@code rules:} list; each problem names the rule. */
    public static RuleSet parse(JsonNode rulesNode) {
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
                    if (basis == null || !Set.of("proportional", "even").contains(basis)) {
                        throw new IllegalArgumentException("apportion.yml: rule " + id + " needs basis proportional or even");
                    }
                }
            }
            String owner = text(node, "owner");
            if (owner == null) {
                throw new IllegalArgumentException("apportion.yml: rule " + id + " names no owner");
            }
            rules.add(new Rule(id, select, method, basis, window == null ? "line" : window,
                    variance == null ? "spread" : variance, owner, text(node, "note")));
        }
        Rule last = rules.get(rules.size() - 1);
        if (!last.select().isEmpty() || last.method() != Rule.Method.RESIDUAL) {
            throw new IllegalArgumentException("apportion.yml: the last rule (" + last.id()
                    + ") must be a catch-all: select: {} with method residual");
        }
        return new RuleSet(rules);
    }

    private static String text(JsonNode node, String key) {
        JsonNode value = node.get(key);
        return value == null || value.isNull() ? null : value.asString();
    }
}
