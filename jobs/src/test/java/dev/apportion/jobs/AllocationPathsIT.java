package dev.apportion.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.YearMonth;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The three default rules on one hand-worked month, through the real pipeline:
 * <ul>
 *   <li>L1 (logged day): {@code usage-direct}, 0.01 over contracted cost 3:1 — the one cent goes to the larger
 *       remainder, T-A;</li>
 *   <li>L2 (a day without logs): {@code usage-unmetered}, 300.00 by the month's gpt-4o tokens 3,000:1,000 —
 *       225.00 and 75.00;</li>
 *   <li>L3 (support fee): {@code catch-all}, 100.00 proportional to the usage allocations 225.01:75.00 —
 *       units 7,500 and 2,499 plus the remaining cent to T-B (remainder 27,501 beats 2,500): 75.00 and 25.00.</li>
 * </ul>
 */
class AllocationPathsIT {
    static final String INVOICE = WorkedExampleIT.FOCUS_HEADER
            + line("0.01", "2026-05-03T00:00:00Z", "2026-05-04T00:00:00Z", "Usage", "4000", "0.01", "2.5", "0.004", "Input Tokens", "gpt-4o")
            + line("300.00", "2026-05-10T00:00:00Z", "2026-05-11T00:00:00Z", "Usage", "1000000", "300.00", "300", "1", "Input Tokens", "gpt-4o")
            + line("100.00", "2026-05-01T00:00:00Z", "2026-06-01T00:00:00Z", "Purchase", "", "100.00", "100", "1", "", "");
    static final String REQUESTS = "request_id,occurred_at,provider,model,billing_account_id,principal_id,consumer_id,input_tokens,output_tokens\n"
            + "a-1,2026-05-03T09:00:00Z,openai,gpt-4o,acct-1,svc,tenant:T-A,3000,0\n"
            + "b-1,2026-05-03T10:00:00Z,openai,gpt-4o,acct-1,svc,tenant:T-B,1000,0\n";

    @TempDir
    Path directory;

    @Test
    void close_defaultRules_followTheHandWorkedSplits() throws Exception {
        TestHome test = TestHome.init(directory);
        test.drop("invoice.csv", INVOICE);
        test.drop("requests.csv", REQUESTS);

        assertThat(test.run("close", "--period", "2026-05", "--home", directory.toString())).as(test.lastErr).isZero();

        Path focus = test.home.close(YearMonth.of(2026, 5), 1).resolve("focus/cost-and-usage.parquet");
        Map<String, BigDecimal> rows = new LinkedHashMap<>();
        for (List<Object> row : TestHome.query("SELECT AllocatedMethodId || ' ' || x_AllocationMethod || ' ' || AllocatedResourceId, "
                + "BilledCost FROM read_parquet('" + focus + "') ORDER BY 1")) {
            rows.put((String) row.get(0), ((BigDecimal) row.get(1)).stripTrailingZeros());
        }
        assertThat(rows).containsExactly(
                Map.entry("catch-all residual tenant:T-A", new BigDecimal("75")),
                Map.entry("catch-all residual tenant:T-B", new BigDecimal("25")),
                Map.entry("usage-direct direct tenant:T-A", new BigDecimal("0.01")),
                Map.entry("usage-direct direct tenant:T-B", BigDecimal.ZERO),
                Map.entry("usage-unmetered activity tenant:T-A", new BigDecimal("225")),
                Map.entry("usage-unmetered activity tenant:T-B", new BigDecimal("75")));
        assertThat(TestHome.query("SELECT sum(BilledCost) FROM read_parquet('" + focus + "')").get(0).get(0))
                .satisfies(total -> assertThat((BigDecimal) total).isEqualByComparingTo("400.01"));
        assertThat(test.run("verify", "--period", "2026-05", "--home", directory.toString())).as(test.lastErr).isZero();
    }

    private static String line(String billed, String start, String end, String category, String tokens, String list,
                               String unitPrice, String pricingQuantity, String meter, String model) {
        return billed + ",acct-1,Example Org,USD,2026-06-01T00:00:00Z,2026-05-01T00:00:00Z," + category + "," + category + " " + start + ","
                + ("Usage".equals(category) ? "Usage-Based" : "Recurring") + "," + end + "," + start + "," + tokens + ","
                + (tokens.isEmpty() ? "" : "Tokens") + "," + list + "," + unitPrice + "," + billed + ",OpenAI,INV-1,OpenAI," + list + ","
                + unitPrice + "," + pricingQuantity + "," + (tokens.isEmpty() ? "Month" : "1000000 Tokens")
                + ",AI and Machine Learning,OpenAI API,OpenAI," + (model.isEmpty() ? "support" : model) + "," + meter + ","
                + (model.isEmpty() ? "" : "\"{\"\"x_ModelId\"\":\"\"" + model + "\"\"}\"") + "," + (model.isEmpty() ? "support" : model + ":input") + "\n";
    }
}
