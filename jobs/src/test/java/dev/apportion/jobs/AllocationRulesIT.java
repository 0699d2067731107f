package dev.apportion.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.YearMonth;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The hand-worked allocation examples through the real close, one month, every amount worked out by hand:
 * <ul>
 *   <li>a direct line billed 3 % above the ledger (2.5750 for 2.50 of gpt-4o input), the variance spread pro rata
 *       over 500k / 300k / 200k tokens: 1.2875, 0.7725, 0.5150;</li>
 *   <li>a 200.00 server lease with a fixed 5 % share: 10.00 to tenant:T-A, 190.00 to platform;</li>
 *   <li>a 310.00 GPU lease whose split changes on the 15th (5/95 for 14 days, then 10/90 for 17): T-A 7.00 + 17.00,
 *       T-B 133.00 + 153.00, in two bounded split periods;</li>
 *   <li>a credit of -50.00 evenly over the three active consumers: -16.67, -16.67, -16.66 in ascending order;</li>
 *   <li>a usage line without ledger entries (gpt-4o-mini, 0.30) falling through to the catch-all, proportional to
 *       the usage allocations: 0.15, 0.09, 0.06.</li>
 * </ul>
 */
class AllocationRulesIT {
    static final YearMonth OCTOBER = YearMonth.of(2026, 10);

    static String fee(String billed, String category, String description, String sku) {
        return billed + ",acct-1,Example Org,USD,2026-11-01T00:00:00Z,2026-10-01T00:00:00Z," + category + "," + description
                + ",Recurring,2026-11-01T00:00:00Z,2026-10-01T00:00:00Z,,," + billed + ",," + billed + ",OpenAI,INV-10,OpenAI,"
                + billed + ",,,,AI and Machine Learning,OpenAI API,OpenAI," + sku + ",,," + sku + "\n";
    }

    static final String INVOICE = WorkedExampleIT.FOCUS_HEADER
            + "2.5750,acct-1,Example Org,USD,2026-11-01T00:00:00Z,2026-10-01T00:00:00Z,Usage,gpt-4o input tokens,Usage-Based,"
            + "2026-10-02T00:00:00Z,2026-10-01T00:00:00Z,1000000,Tokens,2.5750,2.575,2.5750,OpenAI,INV-10,OpenAI,2.5750,2.575,"
            + "1,1000000 Tokens,AI and Machine Learning,OpenAI API,OpenAI,gpt-4o-input,Input Tokens,"
            + "\"{\"\"x_ModelId\"\":\"\"gpt-4o\"\"}\",gpt-4o:input:1\n"
            + "0.30,acct-1,Example Org,USD,2026-11-01T00:00:00Z,2026-10-01T00:00:00Z,Usage,gpt-4o-mini input tokens,Usage-Based,"
            + "2026-10-04T00:00:00Z,2026-10-03T00:00:00Z,2000000,Tokens,0.30,0.15,0.30,OpenAI,INV-10,OpenAI,0.30,0.15,"
            + "2,1000000 Tokens,AI and Machine Learning,OpenAI API,OpenAI,gpt-4o-mini-input,Input Tokens,"
            + "\"{\"\"x_ModelId\"\":\"\"gpt-4o-mini\"\"}\",gpt-4o-mini:input:3\n"
            + fee("200.00", "Purchase", "Server lease", "server-lease")
            + fee("310.00", "Purchase", "GPU lease", "gpu-lease")
            + fee("-50.00", "Credit", "Goodwill credit", "credit");

    static final String REQUESTS = "request_id,occurred_at,provider,model,billing_account_id,principal_id,consumer_id,input_tokens,output_tokens\n"
            + "r1,2026-10-01T09:00:00Z,openai,gpt-4o,acct-1,svc-1,tenant:T-A,500000,0\n"
            + "r2,2026-10-01T10:00:00Z,openai,gpt-4o,acct-1,svc-1,tenant:T-B,300000,0\n"
            + "r3,2026-10-01T11:00:00Z,openai,gpt-4o,acct-1,svc-1,tenant:T-C,200000,0\n";

    static final String RULES = """
            consumers:
              "tenant:T-A": { name: Acme Search, team: search, cost_center: CC-100 }
            splits:
              lease-5:
                - effective_from: 2026-01-01
                  shares: { "tenant:T-A": 5.00, platform: 95.00 }
              gpu-shares:
                - effective_from: 2026-10-01
                  shares: { "tenant:T-A": 5, "tenant:T-B": 95 }
                - effective_from: 2026-10-15
                  shares: { "tenant:T-A": 10.00, "tenant:T-B": 90.00 }
            rules:
              - id: server-lease
                select: { sku_id: server-lease }
                method: residual
                basis: fixed
                split: lease-5
                owner: Platform
              - id: gpu-lease
                select: { sku_id: gpu-lease }
                method: residual
                basis: fixed
                split: gpu-shares
                owner: Platform
              - id: credits
                select: { charge_category: Credit }
                method: residual
                basis: even
                owner: FinOps
              - id: usage-direct
                select: { charge_category: Usage, has_usage: true }
                method: direct
                variance: spread
                owner: FinOps
              - id: usage-unmetered
                select: { charge_category: Usage }
                method: activity
                basis: tokens
                window: month
                owner: FinOps
              - id: catch-all
                select: {}
                method: residual
                basis: proportional
                owner: FinOps
            """;

    @TempDir
    Path directory;

    @Test
    void close_handWorkedExamples_allocateToTheCent() throws Exception {
        TestHome test = TestHome.init(directory);
        test.replaceRules(RULES);
        test.drop("october-invoice.csv", INVOICE);
        test.drop("october-requests.csv", REQUESTS);

        assertThat(test.run("close", "--period", "2026-10", "--home", directory.toString())).as(test.lastErr).isZero();

        Path close = test.home.close(OCTOBER, 1);
        Path focus = close.resolve("focus/cost-and-usage.parquet");
        Map<String, String> rows = new LinkedHashMap<>();
        for (List<Object> row : TestHome.query("SELECT AllocatedMethodId, coalesce(AllocatedResourceId, '-'), "
                + "strftime(x_SplitPeriodStart, '%d'), strftime(x_SplitPeriodEnd, '%d'), BilledCost, x_AllocationMethod "
                + "FROM read_parquet('" + focus + "') ORDER BY ALL")) {
            rows.put(row.get(0) + " " + row.get(1) + " " + row.get(2) + "-" + row.get(3),
                    ((BigDecimal) row.get(4)).stripTrailingZeros().toPlainString() + " " + row.get(5));
        }
        assertThat(rows).containsExactly(
                Map.entry("catch-all tenant:T-A 03-04", "0.15 residual"),
                Map.entry("catch-all tenant:T-B 03-04", "0.09 residual"),
                Map.entry("catch-all tenant:T-C 03-04", "0.06 residual"),
                Map.entry("credits tenant:T-A 01-01", "-16.67 residual"),
                Map.entry("credits tenant:T-B 01-01", "-16.67 residual"),
                Map.entry("credits tenant:T-C 01-01", "-16.66 residual"),
                Map.entry("gpu-lease tenant:T-A 01-15", "7 residual"),
                Map.entry("gpu-lease tenant:T-A 15-01", "17 residual"),
                Map.entry("gpu-lease tenant:T-B 01-15", "133 residual"),
                Map.entry("gpu-lease tenant:T-B 15-01", "153 residual"),
                Map.entry("server-lease platform 01-01", "190 residual"),
                Map.entry("server-lease tenant:T-A 01-01", "10 residual"),
                Map.entry("usage-direct tenant:T-A 01-02", "1.2875 direct"),
                Map.entry("usage-direct tenant:T-B 01-02", "0.7725 direct"),
                Map.entry("usage-direct tenant:T-C 01-02", "0.515 direct"));

        // Ratios sum to exactly 1 per origin; a fixed split's percentage is in AllocatedMethodDetails.
        assertThat(TestHome.query("SELECT x_AllocationAnchorId, sum(x_SplitRatio) FROM read_parquet('" + focus + "') GROUP BY 1"))
                .allSatisfy(row -> assertThat((BigDecimal) row.get(1)).isEqualByComparingTo("1"));
        assertThat(TestHome.query("SELECT AllocatedMethodDetails FROM read_parquet('" + focus + "') WHERE AllocatedMethodId = 'server-lease' "
                + "AND AllocatedResourceId = 'tenant:T-A'").get(0).get(0)).isEqualTo("{\"Elements\":[{\"AllocatedRatio\":0.05,\"x_Percent\":5}]}");
        assertThat(TestHome.query("SELECT sum(BilledCost) FROM read_parquet('" + focus + "')").get(0).get(0))
                .satisfies(total -> assertThat((BigDecimal) total).isEqualByComparingTo("462.875"));

        // The consumers: table names T-A for finance and books it to a team and cost center.
        assertThat(TestHome.query("SELECT DISTINCT AllocatedResourceName, AllocatedTags FROM read_parquet('" + focus + "') "
                + "WHERE AllocatedResourceId = 'tenant:T-A' AND AllocatedMethodId = 'server-lease'"))
                .containsExactly(List.of("Acme Search", "{\"apportion/team\":\"search\",\"apportion/cost_center\":\"CC-100\"}"));
        assertThat(TestHome.query("SELECT DISTINCT AllocatedResourceName FROM read_parquet('" + focus + "') WHERE AllocatedResourceId = 'tenant:T-B'"))
                .containsExactly(List.of("tenant:T-B"));

        // explain: the credit's -16.67 for T-A is -16.66 truncated plus the remainder unit; the direct row shows its ledger.
        String credit = (String) TestHome.query("SELECT DISTINCT x_AllocationAnchorId FROM read_parquet('" + focus
                + "') WHERE AllocatedMethodId = 'credits'").get(0).get(0);
        assertThat(test.run("explain", "--period", "2026-10", "--anchor", credit, "--consumer", "tenant:T-A", "--home", directory.toString()))
                .as(test.lastErr).isZero();
        assertThat(test.lastOut).contains("rule      credits: residual, basis even, owner FinOps")
                .contains("basis     1 of 3 on this line; ratio 0.333333333334")
                .contains("amount    -16.67 USD = -50 x 1 / 3 = -16.6666666666666666666667, truncated at 2 decimals to -16.66, plus a remainder of -0.01");
        String direct = (String) TestHome.query("SELECT x_AllocationRowId FROM read_parquet('" + focus
                + "') WHERE AllocatedMethodId = 'usage-direct' AND AllocatedResourceId = 'tenant:T-B'").get(0).get(0);
        assertThat(test.run("explain", "--period", "2026-10", "--row", direct, "--home", directory.toString())).as(test.lastErr).isZero();
        assertThat(test.lastOut).contains("basis     0.75 USD of 2.5 on this line; ratio 0.3")
                .contains("ledger    1 entries, 1 cost lines").contains("openai:r2#input_uncached");
        assertThat(test.run("explain", "--period", "2026-10", "--row", "row_nope", "--home", directory.toString())).isEqualTo(2);

        // allocation-methods.json documents the split tables the close used.
        JsonNode methods = JsonMapper.builder().build().readTree(Files.readString(close.resolve("allocation-methods.json")));
        assertThat(methods.path("gpu-lease").path("split").path("periods").get(1).path("effectiveFrom").asString())
                .isEqualTo("2026-10-15T00:00:00Z");
        assertThat(test.run("verify", "--home", directory.toString(), "--period", "2026-10")).as(test.lastErr).isZero();
    }

    /**
     * The same month with {@code variance: unallocated}: each tenant keeps exactly its ledger cost (1.25, 0.75, 0.50)
     * and the invoice's 3 % over the ledger (0.075) is one unallocated row of the rule, AllocatedResourceId null.
     */
    @Test
    void close_directWithVarianceUnallocated_keepsLedgerCostsAndLeavesTheVariance() throws Exception {
        TestHome test = TestHome.init(directory);
        test.replaceRules(RULES.replace("variance: spread", "variance: unallocated"));
        test.drop("october-invoice.csv", INVOICE);
        test.drop("october-requests.csv", REQUESTS);

        assertThat(test.run("close", "--period", "2026-10", "--home", directory.toString())).as(test.lastErr).isZero();

        Path focus = test.home.close(OCTOBER, 1).resolve("focus/cost-and-usage.parquet");
        assertThat(TestHome.query("SELECT coalesce(AllocatedResourceId, '-'), x_AllocationMethod, BilledCost, x_EvidenceStatus FROM read_parquet('"
                + focus + "') WHERE AllocatedMethodId = 'usage-direct' ORDER BY 1"))
                .extracting(row -> row.get(0) + " " + row.get(1) + " " + ((BigDecimal) row.get(2)).stripTrailingZeros().toPlainString() + " " + row.get(3))
                .containsExactly("- unallocated 0.075 complete", "tenant:T-A direct 1.25 complete", "tenant:T-B direct 0.75 complete",
                        "tenant:T-C direct 0.5 complete");
        // The catch-all weighs the usage allocations only: the unallocated variance does not count as anyone's.
        assertThat(TestHome.query("SELECT AllocatedResourceId, BilledCost FROM read_parquet('" + focus + "') WHERE AllocatedMethodId = 'catch-all' ORDER BY 1"))
                .extracting(row -> row.get(0) + " " + ((BigDecimal) row.get(1)).stripTrailingZeros().toPlainString())
                .containsExactly("tenant:T-A 0.15", "tenant:T-B 0.09", "tenant:T-C 0.06");
    }

    /**
     * A shared vector database billed for October 1st (9.00, tagged team=search) is split by the input tokens of
     * that day's chat requests only: T-A 600k and T-B 300k chat tokens give 6.00 and 3.00; T-C's batch-jobs tokens
     * and T-A's chat tokens of the 2nd are outside the basis.
     */
    @Test
    void close_regexTagAndBasisSelectorOverADay_splitBySelectedTokens() throws Exception {
        TestHome test = TestHome.init(directory);
        test.replaceRules("""
                rules:
                  - id: vector-db-by-chat
                    select: { sku_id: { regex: "vector-.*" }, tags.team: search }
                    method: activity
                    basis: input_uncached
                    window: day
                    basis_selector: { feature: chat }
                    owner: Search
                  - id: catch-all
                    select: {}
                    method: residual
                    basis: even
                    owner: FinOps
                """);
        test.drop("october-invoice.csv", WorkedExampleIT.FOCUS_HEADER.strip() + ",Tags\n"
                + "9.00,acct-1,Example Org,USD,2026-11-01T00:00:00Z,2026-10-01T00:00:00Z,Usage,Vector database,Usage-Based,"
                + "2026-10-02T00:00:00Z,2026-10-01T00:00:00Z,,,9.00,,9.00,OpenAI,INV-10,OpenAI,9.00,,,,AI and Machine Learning,"
                + "OpenAI API,OpenAI,vector-db-large,,,vector-db,\"{\"\"team\"\":\"\"search\"\"}\"\n");
        test.drop("october-requests.csv", "request_id,occurred_at,provider,model,billing_account_id,principal_id,consumer_id,feature,input_tokens,output_tokens\n"
                + "r1,2026-10-01T09:00:00Z,openai,gpt-4o,acct-1,svc-1,tenant:T-A,chat,600000,10\n"
                + "r2,2026-10-01T10:00:00Z,openai,gpt-4o,acct-1,svc-1,tenant:T-B,chat,300000,10\n"
                + "r3,2026-10-01T11:00:00Z,openai,gpt-4o,acct-1,svc-1,tenant:T-C,batch-jobs,100000,10\n"
                + "r4,2026-10-02T09:00:00Z,openai,gpt-4o,acct-1,svc-1,tenant:T-A,chat,300000,10\n");

        // The requests have no invoice lines of their own, so the gate would stop the close.
        assertThat(test.run("close", "--period", "2026-10", "--accept-variance", "--home", directory.toString())).as(test.lastErr).isZero();

        Path focus = test.home.close(OCTOBER, 1).resolve("focus/cost-and-usage.parquet");
        assertThat(TestHome.query("SELECT AllocatedMethodId, AllocatedResourceId, BilledCost, AllocatedMethodDetails FROM read_parquet('"
                + focus + "') ORDER BY 2"))
                .extracting(row -> row.get(0) + " " + row.get(1) + " " + ((BigDecimal) row.get(2)).stripTrailingZeros().toPlainString() + " " + row.get(3))
                .containsExactly(
                        "vector-db-by-chat tenant:T-A 6 {\"Elements\":[{\"AllocatedRatio\":0.666666666667,\"UsageUnit\":\"Tokens\",\"UsageQuantity\":600000}]}",
                        "vector-db-by-chat tenant:T-B 3 {\"Elements\":[{\"AllocatedRatio\":0.333333333333,\"UsageUnit\":\"Tokens\",\"UsageQuantity\":300000}]}");
    }

    @Test
    void rulesValidate_reportsEveryProblemWithItsLine_andPassesValidRules() throws Exception {
        TestHome test = TestHome.init(directory);
        test.replaceRules(RULES);
        assertThat(test.run("rules", "validate", "--home", directory.toString())).as(test.lastErr).isZero();
        assertThat(test.lastOut).contains("rules valid: 6 rules, 2 split tables");

        test.replaceRules(RULES.replace("{ \"tenant:T-A\": 10.00, \"tenant:T-B\": 90.00 }", "{ \"tenant:T-A\": 10.00, \"tenant:T-B\": 80.00 }")
                .replace("select: { charge_category: Credit }", "select: { charge_category: credit, model: { regex: \"gpt-(\" } }")
                .replace("select: { sku_id: server-lease }", "select: { sku_id: server-lease }\n    colour: blue"));
        List<String> config = Files.readAllLines(test.home.config());

        assertThat(test.run("rules", "validate", "--home", directory.toString())).isEqualTo(1);
        assertThat(test.lastErr).contains("apportion: 4 problems in the rules of")
                .contains("apportion.yml:" + lineOf(config, "  gpu-shares:") + ": split gpu-shares period 2: the shares sum to 90, not exactly 100.00")
                .contains("apportion.yml:" + lineOf(config, "  - id: server-lease") + ": rule server-lease has an unknown key 'colour'")
                .contains("apportion.yml:" + lineOf(config, "  - id: gpu-lease") + ": rule gpu-lease names split table 'gpu-shares', which is itself invalid")
                .contains("apportion.yml:" + lineOf(config, "  - id: credits") + ": rule credits: model has an invalid regex 'gpt-('");
        // The close refuses the same rules with the same lines.
        assertThat(test.run("close", "--period", "2026-10", "--home", directory.toString())).isEqualTo(1);
        assertThat(test.lastErr).contains("Rules invalid (4 problems; see apportion rules validate)");
    }

    private static int lineOf(List<String> lines, String text) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith(text)) {
                return i + 1;
            }
        }
        throw new AssertionError(text + " is not in apportion.yml");
    }

    @Test
    void close_splitNotSummingToHundred_isRefusedWithTheTableAndPeriod() throws Exception {
        TestHome test = TestHome.init(directory);
        test.replaceRules(RULES.replace("{ \"tenant:T-A\": 10.00, \"tenant:T-B\": 90.00 }", "{ \"tenant:T-A\": 10.00, \"tenant:T-B\": 89.99 }"));
        test.drop("october-invoice.csv", INVOICE);

        assertThat(test.run("close", "--period", "2026-10", "--home", directory.toString())).isEqualTo(1);
        assertThat(test.lastErr).contains("split gpu-shares period 2: the shares sum to 99.99, not exactly 100.00");
    }
}
