package dev.apportion.allocation;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Finds rules that can never take a line: a selector whose values lie outside the field's vocabulary (a typo
 * such as {@code charge_category: usage}), or a rule placed after a catch-all that never falls through.
 */
final class NeverMatching {
    /** The values a field can have, for fields with a closed vocabulary. */
    static final Map<String, Set<String>> VOCABULARIES = Map.of(
            "charge_category", Set.of("Adjustment", "Credit", "Purchase", "Tax", "Usage"),
            "has_usage", Set.of("true", "false"),
            "token_type", RuleSet.TOKEN_TYPES,
            "service_tier", Set.of("standard", "batch", "priority", "flex"),
            "reconciliation_class", Set.of("matched", "unpriced_model", "unmatched_invoice_line", "unmatched_ledger",
                    "price_drift", "unmetered_usage", "phantom_usage"));

    private NeverMatching() {
    }

    static List<RuleSet.Problem> find(List<Rule> rules) {
        List<RuleSet.Problem> problems = new ArrayList<>();
        Rule catchAll = null;
        for (Rule rule : rules) {
            if (catchAll != null) {
                problems.add(new RuleSet.Problem("rule", rule.id(), "apportion.yml: rule " + rule.id() + " can never match: rule "
                        + catchAll.id() + " before it selects every line and its fixed split never falls through"));
                continue;
            }
            for (Selector selector : rule.select().values()) {
                Set<String> vocabulary = VOCABULARIES.get(selector.field());
                if (vocabulary == null) {
                    continue;
                }
                List<String> possible = vocabulary.stream().filter(selector::matches).sorted().toList();
                if (possible.isEmpty()) {
                    problems.add(new RuleSet.Problem("rule", rule.id(), "apportion.yml: rule " + rule.id() + " can never match: "
                            + selector.field() + " " + selector.describe() + " matches none of " + vocabulary.stream().sorted().toList()));
                } else if (selector.values() != null) {
                    for (String value : selector.values()) {
                        if (!vocabulary.contains(value)) {
                            problems.add(new RuleSet.Problem("rule", rule.id(), "apportion.yml: rule " + rule.id() + ": " + selector.field()
                                    + " value '" + value + "' is not one of " + vocabulary.stream().sorted().toList()));
                        }
                    }
                }
            }
            if (rule.select().isEmpty() && rule.method() == Rule.Method.RESIDUAL && "fixed".equals(rule.basis())
                    && rules.indexOf(rule) < rules.size() - 1) {
                catchAll = rule;
            }
        }
        return problems;
    }
}
