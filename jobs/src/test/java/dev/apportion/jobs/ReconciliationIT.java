package dev.apportion.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.apportion.reconcile.Reconciler;
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
 * Reconciliation through the real close: a month of gpt-4o traffic (2.50 USD per million input tokens in the
 * built-in catalogue) with each class injected deliberately, the gate, {@code --accept-variance}, and anchors
 * that are the same in two fresh homes.
 */
class ReconciliationIT {
    static final YearMonth OCTOBER = YearMonth.of(2026, 10);
    static final String REQUEST_HEADER = "request_id,occurred_at,provider,model,billing_account_id,principal_id,consumer_id,input_tokens,output_tokens\n";

    @TempDir
    Path directory;

    /** A daily FOCUS line of gpt-4o input tokens: {@code tokens} billed at {@code unitPrice} per million. */
    static String inputLine(int day, long tokens, String unitPrice) {
        BigDecimal pricingQuantity = BigDecimal.valueOf(tokens).movePointLeft(6);
        String billed = new BigDecimal(unitPrice).multiply(pricingQuantity).stripTrailingZeros().toPlainString();
        String from = "2026-10-%02dT00:00:00Z".formatted(day);
        String to = day == 31 ? "2026-11-01T00:00:00Z" : "2026-10-%02dT00:00:00Z".formatted(day + 1);
        return billed + ",acct-1,Example Org,USD,2026-11-01T00:00:00Z,2026-10-01T00:00:00Z,Usage,gpt-4o input tokens,Usage-Based,"
                + to + "," + from + "," + tokens + ",Tokens," + billed + "," + unitPrice + "," + billed + ",OpenAI,INV-10,OpenAI,"
                + billed + "," + unitPrice + "," + pricingQuantity.toPlainString() + ",1000000 Tokens,AI and Machine Learning,OpenAI API,"
                + "OpenAI,gpt-4o-input,Input Tokens,\"{\"\"x_ModelId\"\":\"\"gpt-4o\"\"}\",gpt-4o:input:" + day + "\n";
    }

    static String request(String id, String at, String model, long inputTokens) {
        return id + "," + at + ",openai," + model + ",acct-1,svc-1,tenant:T-1," + inputTokens + ",0\n";
    }

    /** Matched on days 1, 7 and 8; the requests of days 7 and 8 sit on either side of midnight UTC. */
    static final String CLEAN_INVOICE = inputLine(1, 1_000_000, "2.5") + inputLine(7, 400_000, "2.5") + inputLine(8, 400_000, "2.5");
    static final String CLEAN_REQUESTS = request("r1", "2026-10-01T09:00:00Z", "gpt-4o", 1_000_000)
            + request("r7", "2026-10-07T23:59:59.999Z", "gpt-4o", 400_000)
            + request("r8", "2026-10-08T00:00:00Z", "gpt-4o", 400_000);

    @Test
    void close_everyClassInjected_stopsAtTheGateThenPublishesWhenAccepted() throws Exception {
        TestHome test = TestHome.init(directory);
        test.drop("october-invoice.csv", WorkedExampleIT.FOCUS_HEADER + CLEAN_INVOICE
                + inputLine(2, 1_000_000, "1.25")   // billed at the batch price, logged as standard
                + inputLine(3, 400_000, "2.5")      // no request logged that day
                + inputLine(4, 1_000_000, "2.5")    // half of what the logs hold
                + inputLine(6, 1_000_000, "3.0")    // a price the catalogue does not know
                + "20.00,acct-1,Example Org,USD,2026-11-01T00:00:00Z,2026-10-01T00:00:00Z,Usage,Platform fee,Recurring,"
                + "2026-11-01T00:00:00Z,2026-10-01T00:00:00Z,,,20.00,,20.00,OpenAI,INV-10,OpenAI,20.00,,,,AI and Machine Learning,"
                + "OpenAI API,OpenAI,platform-fee,,,platform-fee\n");
        test.drop("october-requests.csv", REQUEST_HEADER + CLEAN_REQUESTS
                + request("r2", "2026-10-02T12:00:00Z", "gpt-4o", 1_000_000)
                + request("r4a", "2026-10-04T12:00:00Z", "gpt-4o", 1_000_000)
                + request("r4b", "2026-10-04T13:00:00Z", "gpt-4o", 1_000_000)
                + request("r5", "2026-10-05T12:00:00Z", "gpt-9-unknown", 1000)
                + request("r6", "2026-10-06T12:00:00Z", "gpt-4o", 1_000_000));
        // Lines the logs do not explain go to a platform pool by the reconciliation class, before the defaults.
        test.replaceRules("""
                rules:
                  - id: unexplained-to-platform
                    select: { reconciliation_class: unmatched_invoice_line }
                    method: residual
                    basis: even
                    owner: Platform
                  - id: usage-direct
                    select: { charge_category: Usage, has_usage: true }
                    method: direct
                    variance: spread
                    owner: FinOps
                  - id: catch-all
                    select: {}
                    method: residual
                    basis: proportional
                    owner: FinOps
                """);

        // 1.25 + 0.50 (price drift) + 2.50 (phantom) + 0 (unpriced) = 4.25 against 1 % of 32.25 invoiced.
        assertThat(test.run("close", "--period", "2026-10", "--home", directory.toString())).isEqualTo(1);
        assertThat(test.lastErr).contains("Reconciliation gate failed for 2026-10: variance 4.25 USD is 13.18 % of the invoiced 32.25 USD (gate 1 %)")
                .contains("phantom_usage openai/acct-1 gpt-4o input_uncached standard - [2026-10-04, 2026-10-05): cost difference -2.5 USD")
                .contains("price_drift openai/acct-1 gpt-4o input_uncached standard - [2026-10-02, 2026-10-03): cost difference -1.25 USD (batch pattern")
                .contains("--accept-variance")
                .doesNotContain("Exception");
        assertThat(test.home.close(OCTOBER, 1)).doesNotExist();

        assertThat(test.run("close", "--period", "2026-10", "--accept-variance", "--home", directory.toString())).as(test.lastErr).isZero();
        assertThat(test.lastOut).contains("reconcile  cells: matched 3, phantom_usage 1, price_drift 2, unmatched_invoice_line 2, unpriced_model 1;"
                + " gated variance 4.25 of 32.25 invoiced (gate 1 %, failed, variance accepted)");

        Path close = test.home.close(OCTOBER, 1);
        List<String> csv = Files.readAllLines(close.resolve("reconciliation.csv"));
        assertThat(csv.get(0)).isEqualTo(Reconciler.CSV_HEADER);
        Map<String, List<Object>> cells = new LinkedHashMap<>();
        for (List<Object> row : TestHome.query("SELECT coalesce(model, '-') || ' ' || strftime(cell_start, '%d'), class, ledger_quantity, "
                + "invoice_quantity, cost_diff, hint FROM read_parquet('" + close.resolve("reconciliation.parquet") + "')")) {
            cells.put((String) row.get(0), row.subList(1, row.size()));
        }
        assertThat(cells.keySet()).containsExactlyInAnyOrder("gpt-4o 01", "gpt-4o 02", "gpt-4o 03", "gpt-4o 04", "gpt-9-unknown 05",
                "gpt-4o 06", "- 01", "gpt-4o 07", "gpt-4o 08");
        assertCell(cells.get("gpt-4o 01"), "matched", "1000000", "1000000", "0");
        assertCell(cells.get("gpt-4o 02"), "price_drift", "1000000", "1000000", "-1.25");
        assertCell(cells.get("gpt-4o 03"), "unmatched_invoice_line", null, "400000", "1");
        assertCell(cells.get("gpt-4o 04"), "phantom_usage", "2000000", "1000000", "-2.5");
        assertCell(cells.get("gpt-9-unknown 05"), "unpriced_model", "1000", null, "0");
        assertCell(cells.get("gpt-4o 06"), "price_drift", "1000000", "1000000", "0.5");
        assertThat((String) cells.get("gpt-4o 06").get(4)).contains("differs from the contracted rate").doesNotContain("batch");
        assertCell(cells.get("- 01"), "unmatched_invoice_line", null, null, "20");
        assertCell(cells.get("gpt-4o 07"), "matched", "400000", "400000", "0");
        assertCell(cells.get("gpt-4o 08"), "matched", "400000", "400000", "0");
        assertThat((String) cells.get("- 01").get(4)).contains("non-token charge");

        JsonNode manifest = JsonMapper.builder().build().readTree(close.resolve("manifest.json").toFile());
        assertThat(manifest.path("reconciliation").path("phantom_usage").path("absoluteCostDifference").asString()).isEqualTo("2.5");
        assertThat(manifest.path("reconciliationGate").path("passed").asBoolean()).isFalse();
        assertThat(manifest.path("reconciliationGate").path("varianceAccepted").asBoolean()).isTrue();

        // The line's class reaches the FOCUS rows; every invoiced cent is still allocated.
        List<List<Object>> focus = TestHome.query("SELECT x_ReconciliationStatus, sum(BilledCost) FROM read_parquet('"
                + close.resolve("focus/cost-and-usage.parquet") + "') GROUP BY 1 ORDER BY 1");
        assertThat(focus).extracting(row -> row.get(0)).containsExactly("matched", "phantom_usage", "price_drift", "unmatched_invoice_line");
        assertThat(focus.stream().map(row -> (BigDecimal) row.get(1)).reduce(BigDecimal.ZERO, BigDecimal::add)).isEqualByComparingTo("32.25");
        // The selector saw the class: the day without logs and the fee went to the platform rule, nothing else did.
        assertThat(TestHome.query("SELECT AllocatedMethodId, x_ReconciliationStatus, sum(BilledCost) FROM read_parquet('"
                + close.resolve("focus/cost-and-usage.parquet") + "') GROUP BY ALL ORDER BY ALL"))
                .extracting(row -> row.get(0) + " " + row.get(1) + " " + ((BigDecimal) row.get(2)).stripTrailingZeros().toPlainString())
                .containsExactly("unexplained-to-platform unmatched_invoice_line 21", "usage-direct matched 4.5",
                        "usage-direct phantom_usage 2.5", "usage-direct price_drift 4.25");
        assertThat(test.run("verify", "--home", directory.toString(), "--period", "2026-10")).as(test.lastErr).isZero();
    }

    @Test
    void close_cleanMonthInTwoHomes_allMatchedGatePassedSameAnchors() throws Exception {
        List<List<List<Object>>> anchors = new java.util.ArrayList<>();
        for (String name : List.of("first", "second")) {
            TestHome test = TestHome.init(directory.resolve(name));
            test.drop("october-invoice.csv", WorkedExampleIT.FOCUS_HEADER + CLEAN_INVOICE);
            test.drop("october-requests.csv", REQUEST_HEADER + CLEAN_REQUESTS);
            assertThat(test.run("close", "--period", "2026-10", "--home", test.home.root().toString())).as(test.lastErr).isZero();
            assertThat(test.lastOut).contains("reconcile  cells: matched 3; gated variance 0 of 4.5 invoiced (gate 1 %, passed)");
            Path reconciliation = test.home.close(OCTOBER, 1).resolve("reconciliation.parquet");
            assertThat(TestHome.query("SELECT DISTINCT class FROM read_parquet('" + reconciliation + "')"))
                    .containsExactly(List.of("matched"));
            anchors.add(TestHome.query("SELECT strftime(cell_start, '%d'), anchor_ids FROM read_parquet('" + reconciliation + "') ORDER BY 1"));
        }
        assertThat(anchors.get(0)).hasSize(3).isEqualTo(anchors.get(1));
        assertThat(anchors.get(0)).allSatisfy(row -> assertThat((String) row.get(1)).matches("anc_[0-9a-f]{32}"));
    }

    @Test
    void ingest_restatedInvoice_keepsEveryAnchor() throws Exception {
        TestHome test = TestHome.init(directory);
        test.drop("october-invoice.csv", WorkedExampleIT.FOCUS_HEADER + CLEAN_INVOICE);
        assertThat(test.run("ingest", "--home", directory.toString())).as(test.lastErr).isZero();
        // The provider restates day 1 (2.60 instead of 2.50 per million): a new snapshot of the same scope.
        test.drop("october-invoice-restated.csv", WorkedExampleIT.FOCUS_HEADER + inputLine(1, 1_000_000, "2.6")
                + inputLine(7, 400_000, "2.5") + inputLine(8, 400_000, "2.5"));
        assertThat(test.run("ingest", "--home", directory.toString())).as(test.lastErr).isZero();

        Path invoices = test.home.invoicePartition(OCTOBER);
        List<List<Object>> anchors = TestHome.query("SELECT list(anchor_id ORDER BY ChargePeriodStart), list(BilledCost ORDER BY ChargePeriodStart)"
                + " FROM read_parquet('" + invoices + "/*.parquet', filename = true) GROUP BY filename ORDER BY min(source_format), filename");
        assertThat(anchors).hasSize(2);
        assertThat(anchors.get(0).get(0).toString()).isEqualTo(anchors.get(1).get(0).toString()).contains("anc_");
        assertThat(anchors.get(0).get(1).toString()).isNotEqualTo(anchors.get(1).get(1).toString());
    }

    private static void assertCell(List<Object> cell, String expectedClass, String ledgerQuantity, String invoiceQuantity, String costDiff) {
        assertThat(cell.get(0)).isEqualTo(expectedClass);
        assertThat(cell.get(1) == null ? null : ((BigDecimal) cell.get(1)).stripTrailingZeros().toPlainString()).isEqualTo(ledgerQuantity);
        assertThat(cell.get(2) == null ? null : ((BigDecimal) cell.get(2)).stripTrailingZeros().toPlainString()).isEqualTo(invoiceQuantity);
        assertThat(((BigDecimal) cell.get(3)).compareTo(new BigDecimal(costDiff))).as("cost_diff of " + expectedClass).isZero();
    }
}
