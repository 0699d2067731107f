package dev.apportion.allocation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/** The rules language: selectors by value, list, regex and tag; activity bases; what is refused, and why. */
class RuleSetTest {
    private static final String CATCH_ALL = """
            - id: catch-all
              select: {}
              method: residual
              basis: even
              owner: FinOps
            """;

    private static RuleSet parse(String rules) {
        JsonNode node = YAMLMapper.builder().build().readTree(rules + CATCH_ALL);
        return RuleSet.parse(node);
    }

    @Test
    void selects_valueListRegexAndTag() {
        RuleSet rules = parse("""
                - id: chat-models
                  select: { model: { regex: "gpt-4o(-mini)?" }, token_type: [input_uncached, cache_read], tags.team: search }
                  method: activity
                  basis: output
                  window: day
                  basis_selector: { feature: [chat, search], model: { regex: "gpt-.*" } }
                  owner: Search
                """);
        Rule rule = rules.rules().get(0);

        assertThat(rule.selects(Map.of("model", "gpt-4o-mini", "token_type", "cache_read", "tags.team", "search"))).isTrue();
        assertThat(rule.selects(Map.of("model", "gpt-4o-mini-2024", "token_type", "cache_read", "tags.team", "search"))).isFalse();
        assertThat(rule.selects(Map.of("model", "gpt-4o", "token_type", "output", "tags.team", "search"))).isFalse();
        assertThat(rule.selects(Map.of("model", "gpt-4o", "token_type", "input_uncached"))).as("no tag, no match").isFalse();
        assertThat(rule.basis()).isEqualTo("output");
        assertThat(Allocator.basisScope(rules)).isEqualTo("CASE c.rule_index WHEN 0 THEN coalesce(a.feature IN ('chat', 'search'), false)"
                + " AND coalesce(regexp_full_match(a.model, 'gpt-.*'), false) ELSE (a.provider = i.provider AND a.billing_account_id"
                + " = i.BillingAccountId AND (i.model IS NULL OR a.model = i.model)) END");
    }

    @Test
    void parse_mistakes_areRefusedWithTheRuleAndAPlainMessage() {
        assertThatThrownBy(() -> parse("- { id: r, select: { model: { regex: \"gpt-(4o\" } }, method: residual, basis: even, owner: x }\n"))
                .hasMessageContaining("rule r: model has an invalid regex 'gpt-(4o'");
        assertThatThrownBy(() -> parse("- { id: r, select: { modle: gpt-4o }, method: residual, basis: even, owner: x }\n"))
                .hasMessageContaining("rule r selects on unknown field 'modle'");
        assertThatThrownBy(() -> parse("- { id: r, select: { model: [] }, method: residual, basis: even, owner: x }\n"))
                .hasMessageContaining("lists no values, so it could never match");
        assertThatThrownBy(() -> parse("- { id: r, method: activity, basis: tokens, basis_selector: { feature: chat }, owner: x }\n"))
                .hasMessageContaining("rule r has a basis_selector, which needs window day or month");
        assertThatThrownBy(() -> parse("- { id: r, method: activity, basis: tokenz, owner: x }\n"))
                .hasMessageContaining("rule r needs basis tokens, requests, cost or a token type");
        assertThatThrownBy(() -> parse("- { id: r, method: residual, basis: fixed, owner: x }\n"))
                .hasMessageContaining("rule r has basis fixed but names no split table");
        assertThatThrownBy(() -> parse("- { id: r, method: residual, basis: fixed, split: nope, owner: x }\n"))
                .hasMessageContaining("rule r names split table 'nope', which is not under splits: (there are none)");
        assertThatThrownBy(() -> RuleSet.parse(YAMLMapper.builder().build().readTree(
                "- { id: r, select: { model: gpt-4o }, method: residual, basis: even, owner: x }\n")))
                .hasMessageContaining("the last rule (r) must be a catch-all");
    }

    @Test
    void validate_collectsEveryProblemIncludingRulesThatCanNeverMatch() {
        JsonNode rules = YAMLMapper.builder().build().readTree("""
                - { id: typo, select: { charge_category: usage }, method: residual, basis: even, owner: x }
                - { id: some-typo, select: { token_type: [output, outptu] }, method: residual, basis: even, owner: x }
                - { id: bad-regex, select: { model: { regex: "(" } }, method: residual, basis: even, owner: x }
                - { id: all-fixed, select: {}, method: residual, basis: fixed, split: shares, owner: x }
                - { id: after-all, select: { model: gpt-4o }, method: residual, basis: even, owner: x }
                - { id: catch-all, select: {}, method: residual, basis: even, owner: x }
                """);
        JsonNode splits = YAMLMapper.builder().build().readTree("""
                shares: [ { effective_from: 2026-10-01, shares: { a: 60, b: 40 } } ]
                broken: [ { effective_from: 2026-10-01, shares: { a: 60, b: 30 } } ]
                """);

        RuleSet.Validation validation = RuleSet.validate(rules, splits);

        assertThat(validation.rules()).isNull();
        assertThat(validation.problems()).extracting(problem -> problem.subject() + " " + problem.name()).containsExactly(
                "split broken", "rule bad-regex");
        JsonNode valid = YAMLMapper.builder().build().readTree("""
                - { id: typo, select: { charge_category: usage }, method: residual, basis: even, owner: x }
                - { id: some-typo, select: { token_type: [output, outptu] }, method: residual, basis: even, owner: x }
                - { id: all-fixed, select: {}, method: residual, basis: fixed, split: shares, owner: x }
                - { id: after-all, select: { model: gpt-4o }, method: residual, basis: even, owner: x }
                - { id: catch-all, select: {}, method: residual, basis: even, owner: x }
                """);
        assertThat(RuleSet.validate(valid, splits).problems()).extracting(RuleSet.Problem::message).containsExactly(
                "apportion.yml: split broken period 1: the shares sum to 90, not exactly 100.00");
        RuleSet.Validation neverMatching = RuleSet.validate(valid, YAMLMapper.builder().build().readTree(
                "shares: [ { effective_from: 2026-10-01, shares: { a: 60, b: 40 } } ]"));
        assertThat(neverMatching.problems()).extracting(RuleSet.Problem::message).containsExactly(
                "apportion.yml: rule typo can never match: charge_category usage matches none of [Adjustment, Credit, Purchase, Tax, Usage]",
                "apportion.yml: rule some-typo: token_type value 'outptu' is not one of [cache_read, cache_write_1h, cache_write_5m, input_uncached, output, web_search]",
                "apportion.yml: rule after-all can never match: rule all-fixed before it selects every line and its fixed split never falls through",
                "apportion.yml: rule catch-all can never match: rule all-fixed before it selects every line and its fixed split never falls through");
    }
}
