package dev.apportion.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.YearMonth;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code corrections: next_period}: late data for a closed October flows into the November close as FOCUS
 * {@code ChargeClass = "Correction"} rows (Delta style) referencing October's anchors, and later late data into
 * December relative to what October and November published together. Amounts are worked by hand.
 */
class CorrectionsIT {
    static final YearMonth OCTOBER = YearMonth.of(2026, 10);
    static final YearMonth NOVEMBER = YearMonth.of(2026, 11);
    static final YearMonth DECEMBER = YearMonth.of(2026, 12);

    @TempDir
    Path directory;

    @Test
    void lateOctoberData_flowsIntoTheNextCloses_asCorrectionsThatConserveTheRestatedInvoice() throws Exception {
        TestHome test = TestHome.init(directory);
        Files.writeString(test.home.config(), Files.readString(test.home.config()).replace("corrections: republish", "corrections: next_period"));
        String home = directory.toString();
        // October: T-1 uses 1M tokens on the 1st and 400k on the 7th; on the 8th T-1 and T-2 use 400k each.
        test.drop("october-invoice.csv", WorkedExampleIT.FOCUS_HEADER + line(OCTOBER, 1, 1_000_000, "2.5") + line(OCTOBER, 7, 400_000, "2.5")
                + line(OCTOBER, 8, 800_000, "2.5"));
        test.drop("october-requests.csv", ReconciliationIT.REQUEST_HEADER + ReconciliationIT.CLEAN_REQUESTS
                + request("r9", "2026-10-08T09:00:00Z", 400_000, "tenant:T-2"));
        assertThat(test.run("close", "--period", "2026-10", "--home", home)).as(test.lastErr).isZero();

        // Late for October: the 8th restated at 2.60 per million, a new line for the 9th and the log of its request.
        test.drop("october-invoice-restated.csv", WorkedExampleIT.FOCUS_HEADER + line(OCTOBER, 1, 1_000_000, "2.5")
                + line(OCTOBER, 7, 400_000, "2.5") + line(OCTOBER, 8, 800_000, "2.6") + line(OCTOBER, 9, 200_000, "2.5"));
        test.drop("october-late-requests.csv", ReconciliationIT.REQUEST_HEADER + request("r10", "2026-10-09T10:00:00Z", 200_000, "tenant:T-2"));
        assertThat(test.run("close", "--period", "2026-10", "--home", home)).as(test.lastErr).isZero();
        assertThat(test.lastErr).contains("with corrections: next_period the difference goes into the next close");
        assertThat(test.home.close(OCTOBER, 2)).doesNotExist();

        test.drop("november-invoice.csv", WorkedExampleIT.FOCUS_HEADER + line(NOVEMBER, 2, 1_000_000, "2.5"));
        test.drop("november-requests.csv", ReconciliationIT.REQUEST_HEADER + request("n1", "2026-11-02T09:00:00Z", 1_000_000, "tenant:T-3"));
        assertThat(test.run("close", "--period", "2026-11", "--home", home)).as(test.lastErr).isZero();

        Path november = test.home.close(NOVEMBER, 1);
        Path focus = november.resolve("focus/cost-and-usage.parquet");
        Path octoberFocus = test.home.close(OCTOBER, 1).resolve("focus/cost-and-usage.parquet");
        // The 8th: 2.08 split by equal ledger cost, so each consumer's 1.00 becomes 1.04. The 9th: 0.50, all T-2's.
        assertThat(corrections(focus)).containsExactly(
                List.of("tenant:T-1", "2026-10-08", "0.04", "invoice line restated"),
                List.of("tenant:T-2", "2026-10-08", "0.04", "invoice line restated"),
                List.of("tenant:T-2", "2026-10-09", "0.5", "new invoice line"));
        assertThat(TestHome.query("SELECT DISTINCT strftime(BillingPeriodStart, '%Y-%m-%d'), InvoiceId FROM read_parquet('" + focus
                + "') WHERE ChargeClass = 'Correction'")).containsExactly(List.of("2026-11-01", "INV-10"));
        // The restated line's correction rows reference the anchor October published.
        assertThat(TestHome.query("SELECT count(*) FROM read_parquet('" + focus + "') c WHERE ChargeClass = 'Correction' "
                + "AND strftime(ChargePeriodStart, '%d') = '08' AND x_AllocationAnchorId IN (SELECT x_AllocationAnchorId FROM read_parquet('"
                + octoberFocus + "'))").get(0).get(0)).isEqualTo(2L);
        assertThat(sum("SELECT sum(BilledCost) FROM read_parquet('" + focus + "')")).isEqualByComparingTo("3.08");
        assertThat(octoberConserved(test, november)).isEqualTo(Map.of("01", new BigDecimal("2.5"), "07", new BigDecimal("1"),
                "08", new BigDecimal("2.08"), "09", new BigDecimal("0.5")));
        JsonNode manifest = manifest(november);
        JsonNode entry = manifest.path("corrections").get(0);
        assertThat(entry.path("period").asString()).isEqualTo("2026-10");
        assertThat(entry.path("correctedVersion").asString()).isEqualTo("v1");
        assertThat(entry.path("lateInputs").size()).isEqualTo(2);
        assertThat(entry.path("rows").asLong()).isEqualTo(3);
        assertThat(entry.path("billedCost").asString()).isEqualTo("0.58");
        assertThat(test.run("verify", "--period", "2026-11", "--home", home)).as(test.lastErr).isZero();
        assertThat(test.run("close", "--period", "2026-11", "--home", home)).as(test.lastErr).isZero();
        assertThat(test.lastOut).contains("unchanged");
        assertThat(test.run("dispute", "--period", "2026-11", "--consumer", "tenant:T-3", "--home", home)).as(test.lastErr).isZero();

        // Later still: the 9th restated to 300k tokens, the extra 100k being T-1's. December carries only what is new.
        test.drop("october-invoice-restated-2.csv", WorkedExampleIT.FOCUS_HEADER + line(OCTOBER, 1, 1_000_000, "2.5")
                + line(OCTOBER, 7, 400_000, "2.5") + line(OCTOBER, 8, 800_000, "2.6") + line(OCTOBER, 9, 300_000, "2.5"));
        test.drop("october-late-requests-2.csv", ReconciliationIT.REQUEST_HEADER + request("r11", "2026-10-09T11:00:00Z", 100_000, "tenant:T-1"));
        test.drop("december-invoice.csv", WorkedExampleIT.FOCUS_HEADER + line(DECEMBER, 3, 400_000, "2.5"));
        test.drop("december-requests.csv", ReconciliationIT.REQUEST_HEADER + request("d1", "2026-12-03T09:00:00Z", 400_000, "tenant:T-3"));
        assertThat(test.run("close", "--period", "2026-12", "--home", home)).as(test.lastErr).isZero();

        Path december = test.home.close(DECEMBER, 1);
        assertThat(corrections(december.resolve("focus/cost-and-usage.parquet"))).containsExactly(
                List.of("tenant:T-1", "2026-10-09", "0.25", "new invoice line"));
        assertThat(octoberConserved(test, november, december)).isEqualTo(Map.of("01", new BigDecimal("2.5"), "07", new BigDecimal("1"),
                "08", new BigDecimal("2.08"), "09", new BigDecimal("0.75")));
        assertThat(test.run("verify", "--period", "2026-12", "--home", home)).as(test.lastErr).isZero();
    }

    @Test
    void corrections_unknownMode_isAUsageError() throws Exception {
        TestHome test = TestHome.init(directory);
        Files.writeString(test.home.config(), Files.readString(test.home.config()).replace("corrections: republish", "corrections: later"));

        assertThat(test.run("close", "--period", "2026-10", "--home", directory.toString())).isEqualTo(2);

        assertThat(test.lastErr).contains("corrections must be republish or next_period, not 'later'");
    }

    /** A daily gpt-4o input line of {@code month} (day 1 to 30). */
    static String line(YearMonth month, int day, long tokens, String unitPrice) {
        return ReconciliationIT.inputLine(day, tokens, unitPrice).replace("2026-11-01T00:00:00Z", "@END@").replace("2026-10-", month + "-")
                .replace("@END@", month.plusMonths(1).atDay(1) + "T00:00:00Z").replace("INV-10", "INV-" + month.getMonthValue());
    }

    static String request(String id, String at, long tokens, String consumer) {
        return ReconciliationIT.request(id, at, "gpt-4o", tokens).replace("tenant:T-1", consumer);
    }

    /** Correction rows: consumer, corrected charge day, BilledCost, reason (from the mapping note). */
    private static List<List<Object>> corrections(Path focus) throws Exception {
        return TestHome.query("SELECT AllocatedResourceId, strftime(ChargePeriodStart, '%Y-%m-%d'), CAST(CAST(BilledCost AS DECIMAL(38, 6)) AS DOUBLE)::VARCHAR, "
                + "regexp_extract(x_MappingNote, 'row [^:]+: ([^;]+);', 1) FROM read_parquet('" + focus + "') WHERE ChargeClass = 'Correction' ORDER BY 1, 2");
    }

    /** Per October charge day: October's published rows plus every later correction of them. */
    private static Map<String, BigDecimal> octoberConserved(TestHome test, Path... later) throws Exception {
        StringBuilder rows = new StringBuilder("SELECT ChargePeriodStart, BilledCost FROM read_parquet('"
                + test.home.close(OCTOBER, 1).resolve("focus/cost-and-usage.parquet") + "')");
        for (Path close : later) {
            rows.append(" UNION ALL SELECT ChargePeriodStart, BilledCost FROM read_parquet('").append(close.resolve("focus/cost-and-usage.parquet"))
                    .append("') WHERE ChargeClass = 'Correction'");
        }
        Map<String, BigDecimal> days = new HashMap<>();
        for (List<Object> row : TestHome.query("SELECT strftime(ChargePeriodStart, '%d'), sum(BilledCost) FROM (" + rows + ") GROUP BY 1")) {
            days.put((String) row.get(0), ((BigDecimal) row.get(1)).stripTrailingZeros());
        }
        return days;
    }

    private static BigDecimal sum(String sql) throws Exception {
        return (BigDecimal) TestHome.query(sql).get(0).get(0);
    }

    private static JsonNode manifest(Path close) throws Exception {
        return JsonMapper.builder().build().readTree(Files.readAllBytes(close.resolve("manifest.json")));
    }
}
