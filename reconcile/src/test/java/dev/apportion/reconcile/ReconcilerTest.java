package dev.apportion.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.apportion.ledger.DuckDbSession;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.YearMonth;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hand-worked month with every class injected deliberately, one cell each. Prices: input 0.000002 and output
 * 0.00001 per token (list = contracted), so every expected amount below is worked out by hand.
 */
class ReconcilerTest {
    @TempDir
    Path directory;

    private DuckDbSession db;

    @BeforeEach
    void tables() {
        db = DuckDbSession.open(directory);
        db.execute("""
                CREATE TABLE invoice_lines (anchor_id VARCHAR, provider VARCHAR, BillingAccountId VARCHAR, model VARCHAR,
                    token_type VARCHAR, service_tier VARCHAR, region VARCHAR, ChargePeriodStart TIMESTAMPTZ,
                    ChargePeriodEnd TIMESTAMPTZ, ChargeCategory VARCHAR, ConsumedQuantity DECIMAL(38, 18),
                    BilledCost DECIMAL(38, 18), BillingCurrency VARCHAR);
                CREATE TABLE cost_lines (entry_id VARCHAR, cost_line_id VARCHAR, occurred_at TIMESTAMPTZ, provider VARCHAR,
                    billing_account_id VARCHAR, model VARCHAR, token_type VARCHAR, service_tier VARCHAR, region VARCHAR,
                    quantity BIGINT, list_cost DECIMAL(38, 18), contracted_cost DECIMAL(38, 18), priced BOOLEAN,
                    unpriced_reason VARCHAR, logged_cost_share DECIMAL(38, 12), consumer_id VARCHAR);
                CREATE TABLE provider_usage (provider VARCHAR, bucket_start TIMESTAMPTZ, model VARCHAR, token_type VARCHAR,
                    service_tier VARCHAR, region VARCHAR, quantity BIGINT)""");
    }

    private void invoice(String anchor, String model, String tokenType, String from, String to, String category,
                         String quantity, String billed) {
        db.execute("INSERT INTO invoice_lines VALUES ('" + anchor + "', 'openai', 'acct', " + text(model) + ", " + text(tokenType)
                + ", 'standard', NULL, TIMESTAMPTZ '" + from + "', TIMESTAMPTZ '" + to + "', '" + category + "', "
                + (quantity == null ? "NULL" : quantity) + ", " + billed + ", 'USD')");
    }

    private void day(String anchor, String tokenType, int day, String quantity, String billed) {
        invoice(anchor, "gpt-4o", tokenType, "2026-10-%02d 00:00:00+00".formatted(day), "2026-10-%02d 00:00:00+00".formatted(day + 1),
                "Usage", quantity, billed);
    }

    /** A priced cost line at the test prices; {@code logged} is its share of the request's logged cost (or null). */
    private void line(String entry, String model, String tokenType, String at, long quantity, String logged) {
        BigDecimal price = new BigDecimal(tokenType.equals("output") ? "0.00001" : "0.000002");
        String cost = price.multiply(BigDecimal.valueOf(quantity)).toPlainString();
        db.execute("INSERT INTO cost_lines VALUES ('" + entry + "', '" + entry + "#" + tokenType + "', TIMESTAMPTZ '" + at
                + "', 'openai', 'acct', '" + model + "', '" + tokenType + "', 'standard', NULL, " + quantity + ", " + cost + ", "
                + cost + ", true, NULL, " + (logged == null ? "NULL" : logged) + ", 'tenant:a')");
    }

    private static String text(String value) {
        return value == null ? "NULL" : "'" + value + "'";
    }

    @Test
    void reconcile_everyClassInjected_landsInItsCellWithItsAmounts() {
        // matched, with the gateway's logged cost of e1 (0.0025) spread 2:1 over its input and output lines by pricing
        day("A01", "input_uncached", 1, "2000", "0.004");
        day("A01o", "output", 1, "100", "0.001");
        line("e1", "gpt-4o", "input_uncached", "2026-10-01 09:00:00+00", 1000, "0.001666666666");
        line("e1", "gpt-4o", "output", "2026-10-01 09:00:00+00", 100, "0.000833333333");
        line("e2", "gpt-4o", "input_uncached", "2026-10-01 10:00:00+00", 1000, null);
        // batch day: same tokens, billed at half of list
        day("A02", "input_uncached", 2, "1000000", "1.00");
        line("e3", "gpt-4o", "input_uncached", "2026-10-02 12:00:00+00", 1_000_000, null);
        // logs missing for a model-day
        day("A03", "input_uncached", 3, "500000", "1.00");
        // phantom requests: the ledger holds twice what was billed
        day("A04", "input_uncached", 4, "1000000", "2.00");
        line("e4", "gpt-4o", "input_uncached", "2026-10-04 12:00:00+00", 2_000_000, null);
        // unmetered: half as much again billed as logged
        day("A05", "input_uncached", 5, "1500000", "3.00");
        line("e5", "gpt-4o", "input_uncached", "2026-10-05 12:00:00+00", 1_000_000, null);
        // a model no catalogue knows
        db.execute("""
                INSERT INTO cost_lines VALUES ('e6', 'e6#input_uncached', TIMESTAMPTZ '2026-10-06 12:00:00+00', 'openai', 'acct',
                    'gpt-9', 'input_uncached', 'standard', NULL, 5, NULL, NULL, false, 'unknown_model', NULL, 'tenant:a')""");
        // a platform fee for the month
        invoice("FEE", null, null, "2026-10-01 00:00:00+00", "2026-11-01 00:00:00+00", "Usage", null, "20");
        // a request at 23:59:59.999 that the provider billed on the next day
        day("A07", "input_uncached", 7, "1000", "0.002");
        day("A08", "input_uncached", 8, "7000", "0.014");
        line("e7", "gpt-4o", "input_uncached", "2026-10-07 10:00:00+00", 1000, null);
        line("e8", "gpt-4o", "input_uncached", "2026-10-07 23:59:59.999+00", 5000, null);
        line("e9", "gpt-4o", "input_uncached", "2026-10-08 00:00:00+00", 2000, null);
        // within tolerance: 0.4 % more tokens billed
        day("A09", "input_uncached", 9, "1004000", "2.008");
        line("e10", "gpt-4o", "input_uncached", "2026-10-09 12:00:00+00", 1_000_000, null);
        // usage of a model the invoice does not bill
        line("e11", "gpt-4o-mini", "input_uncached", "2026-10-10 12:00:00+00", 100, null);
        // an invoice line without quantity: derived as billed cost ÷ contracted rate = 0.05 ÷ 0.00001 = 5000
        day("A11", "output", 11, null, "0.05");
        line("e12", "gpt-4o", "output", "2026-10-11 12:00:00+00", 2000, null);
        // an invoice line without quantity, which the provider usage export supplies
        day("A12", "output", 12, null, "0.04");
        line("e13", "gpt-4o", "output", "2026-10-12 12:00:00+00", 4000, null);
        db.execute("INSERT INTO provider_usage VALUES ('openai', TIMESTAMPTZ '2026-10-12 00:00:00+00', 'gpt-4o', 'output', 'standard', NULL, 4000)");
        // hourly lines make one cell for the day; a request in an unbilled hour still counts in it
        invoice("A13a", "gpt-4o", "input_uncached", "2026-10-13 00:00:00+00", "2026-10-13 01:00:00+00", "Usage", "100", "0.0002");
        invoice("A13b", "gpt-4o", "input_uncached", "2026-10-13 01:00:00+00", "2026-10-13 02:00:00+00", "Usage", "300", "0.0006");
        line("e14", "gpt-4o", "input_uncached", "2026-10-13 00:30:00+00", 100, null);
        line("e15", "gpt-4o", "input_uncached", "2026-10-13 01:15:00+00", 300, null);
        line("e16", "gpt-4o", "input_uncached", "2026-10-13 05:00:00+00", 50, null);

        GateResult gate = Reconciler.reconcile(db, YearMonth.of(2026, 10), "USD", Tolerances.DEFAULTS);

        Map<String, List<Object>> cells = new LinkedHashMap<>();
        db.query("""
                SELECT coalesce(model, '-') || ' ' || coalesce(token_type, '-') || ' ' || strftime(cell_start, '%d') || '-' || strftime(cell_end, '%d'),
                       class, ledger_quantity, invoice_quantity, quantity_diff, cost_diff, coalesce(hint, ''), coalesce(anchor_ids, ''),
                       ledger_logged_cost, provider_usage_quantity
                FROM reconciliation ORDER BY 1""", row -> cells.put(row.getString(1), List.of(row.getString(2),
                        number(row.getBigDecimal(3)), number(row.getBigDecimal(4)), number(row.getBigDecimal(5)),
                        number(row.getBigDecimal(6)), row.getString(7), row.getString(8), number(row.getBigDecimal(9)),
                        number(row.getBigDecimal(10)))));

        assertThat(cells).hasSize(15);
        assertThat(cells.get("gpt-4o input_uncached 01-02")).startsWith("matched", "2000", "2000", "0", "0");
        assertThat(cells.get("gpt-4o input_uncached 01-02").get(7)).isEqualTo("0.001666666666");
        assertThat(cells.get("gpt-4o output 01-02")).startsWith("matched", "100", "100", "0", "0");
        assertThat(cells.get("gpt-4o output 01-02").get(7)).isEqualTo("0.000833333333");
        assertThat(cells.get("gpt-4o input_uncached 02-03")).startsWith("price_drift", "1000000", "1000000", "0", "-1");
        assertThat((String) cells.get("gpt-4o input_uncached 02-03").get(5)).contains("batch pattern");
        assertThat(cells.get("gpt-4o input_uncached 03-04")).startsWith("unmatched_invoice_line", "-", "500000", "500000", "1");
        assertThat((String) cells.get("gpt-4o input_uncached 03-04").get(5)).contains("traffic outside the logs");
        assertThat(cells.get("gpt-4o input_uncached 04-05")).startsWith("phantom_usage", "2000000", "1000000", "-1000000", "-2");
        assertThat(cells.get("gpt-4o input_uncached 05-06")).startsWith("unmetered_usage", "1000000", "1500000", "500000", "1");
        assertThat(cells.get("gpt-9 input_uncached 06-07")).startsWith("unpriced_model", "5", "-", "-5", "0");
        assertThat((String) cells.get("gpt-9 input_uncached 06-07").get(5)).contains("unknown_model");
        assertThat(cells.get("- - 01-01")).startsWith("unmatched_invoice_line", "-", "-", "0", "20");
        assertThat((String) cells.get("- - 01-01").get(5)).contains("non-token charge");
        assertThat(cells.get("gpt-4o input_uncached 07-08")).startsWith("phantom_usage", "6000", "1000", "-5000", "-0.01");
        assertThat((String) cells.get("gpt-4o input_uncached 07-08").get(5)).contains("day-boundary shift: the next day");
        assertThat(cells.get("gpt-4o input_uncached 08-09")).startsWith("unmetered_usage", "2000", "7000", "5000", "0.01");
        assertThat((String) cells.get("gpt-4o input_uncached 08-09").get(5)).contains("day-boundary shift: the previous day");
        assertThat(cells.get("gpt-4o input_uncached 09-10")).startsWith("matched", "1000000", "1004000", "4000", "0.008");
        assertThat(cells.get("gpt-4o-mini input_uncached 10-11")).startsWith("unmatched_ledger", "100", "-", "-100", "-0.0002");
        assertThat(cells.get("gpt-4o output 11-12")).startsWith("unmetered_usage", "2000", "5000", "3000", "0.03");
        assertThat((String) cells.get("gpt-4o output 11-12").get(5)).contains("derived quantity");
        assertThat(cells.get("gpt-4o output 12-13")).startsWith("matched", "4000", "4000", "0", "0");
        assertThat(cells.get("gpt-4o output 12-13").get(8)).isEqualTo("4000");
        assertThat(cells.get("gpt-4o input_uncached 13-14")).startsWith("phantom_usage", "450", "400", "-50", "-0.0001");
        assertThat(cells.get("gpt-4o input_uncached 13-14").get(6)).isEqualTo("A13a A13b");

        // The day boundary: 23:59:59.999 belongs to the 7th, 00:00:00 to the 8th; 05:00 has no hourly line.
        Map<String, String> anchors = new LinkedHashMap<>();
        db.query("SELECT entry_id, coalesce(anchor_id, '-') FROM anchored_cost_lines WHERE entry_id IN ('e8', 'e9', 'e14', 'e16') ORDER BY 1",
                row -> anchors.put(row.getString(1), row.getString(2)));
        assertThat(anchors).containsExactly(Map.entry("e14", "A13a"), Map.entry("e16", "-"), Map.entry("e8", "A07"), Map.entry("e9", "A08"));

        // Per anchor: entries behind it, class and where its quantity comes from.
        Map<String, String> usage = new LinkedHashMap<>();
        db.query("SELECT anchor_id, ledger_entry_count || ' ' || reconciliation_class || ' ' || coalesce(quantity_source, '-') FROM invoice_usage ORDER BY 1",
                row -> usage.put(row.getString(1), row.getString(2)));
        assertThat(usage).containsEntry("A01", "2 matched invoice").containsEntry("A11", "1 unmetered_usage derived")
                .containsEntry("A12", "1 matched usage_export").containsEntry("FEE", "0 unmatched_invoice_line -")
                .containsEntry("A13b", "1 phantom_usage invoice");

        // The gate: 1 + 2 + 1 + 0 + 0.01 + 0.01 + 0.0002 + 0.03 + 0.0001 against 1 % of 29.1198 invoiced.
        assertThat(gate.invoicedTotal()).isEqualByComparingTo("29.1198");
        assertThat(gate.gatedVariance()).isEqualByComparingTo("4.0503");
        assertThat(gate.passed()).isFalse();
        assertThat(gate.topCells().get(0)).startsWith("phantom_usage openai/acct gpt-4o input_uncached standard - [2026-10-04, 2026-10-05)")
                .contains("cost difference -2 USD");
        db.close();
    }

    @Test
    void reconcile_cleanMonth_isAllMatchedAndPassesTheGate() {
        for (int day = 1; day <= 30; day++) {
            day("A" + day, "input_uncached", day, String.valueOf(1000 * day), new BigDecimal("0.002").multiply(BigDecimal.valueOf(day)).toPlainString());
            line("e" + day, "gpt-4o", "input_uncached", "2026-10-%02d 23:59:59.999+00".formatted(day), 1000L * day, null);
        }

        GateResult gate = Reconciler.reconcile(db, YearMonth.of(2026, 10), "USD", Tolerances.DEFAULTS);

        assertThat(db.queryLong("SELECT count(*) FROM reconciliation WHERE class = 'matched'")).isEqualTo(30);
        assertThat(db.queryLong("SELECT count(*) FROM reconciliation")).isEqualTo(30);
        assertThat(gate.passed()).isTrue();
        assertThat(gate.gatedVariance()).isZero();
        db.close();
    }

    @Test
    void reconcile_linesSharingAnHour_anchorByTheirExactPeriods() {
        // Half-hour lines: the hour join cannot tell them apart, the exact range test can.
        invoice("H1", "gpt-4o", "input_uncached", "2026-10-20 00:00:00+00", "2026-10-20 00:30:00+00", "Usage", "100", "0.0002");
        invoice("H2", "gpt-4o", "input_uncached", "2026-10-20 00:30:00+00", "2026-10-20 01:00:00+00", "Usage", "300", "0.0006");
        line("e1", "gpt-4o", "input_uncached", "2026-10-20 00:29:59.999+00", 100, null);
        line("e2", "gpt-4o", "input_uncached", "2026-10-20 00:30:00+00", 300, null);

        Reconciler.reconcile(db, YearMonth.of(2026, 10), "USD", Tolerances.DEFAULTS);

        Map<String, String> anchors = new LinkedHashMap<>();
        db.query("SELECT entry_id, anchor_id FROM anchored_cost_lines ORDER BY 1", row -> anchors.put(row.getString(1), row.getString(2)));
        assertThat(anchors).containsExactly(Map.entry("e1", "H1"), Map.entry("e2", "H2"));
        db.query("SELECT class, anchor_ids FROM reconciliation", row -> {
            assertThat(row.getString(1)).isEqualTo("matched");
            assertThat(row.getString(2)).isEqualTo("H1 H2");
        });
        db.close();
    }

    @Test
    void reconcile_derivedQuantityWithinCostTolerance_isMatchedWhateverTheRoundedTokens() {
        // 5 tokens cost 0.00005; the provider billed 0.00006 (rounded): 6 tokens derived, 20 % off, but 0.00001 is
        // within the cost floor, and a derived quantity is only the cost restated.
        day("A1", "output", 1, null, "0.00006");
        line("e1", "gpt-4o", "output", "2026-10-01 12:00:00+00", 5, null);

        Reconciler.reconcile(db, YearMonth.of(2026, 10), "USD", Tolerances.DEFAULTS);

        db.query("SELECT class, invoice_quantity FROM reconciliation", row -> {
            assertThat(row.getString(1)).isEqualTo("matched");
            assertThat(row.getBigDecimal(2)).isEqualByComparingTo("6");
        });
        db.close();
    }

    @Test
    void reconcile_aQuantityBeyondTheBound_isNotDerived_andTheCostAloneClassesTheCell() {
        // 10^12 tokens of output cost 10^7 at 0.00001; a bill of 999999999999 restated at that rate is 99999999999900000
        // tokens, past the 10^15 bound of an invoice quantity: none is derived (a quotient past 10^20 used to fail the close).
        // The bill exceeds the ledger by 999989999999, so the cell is unmetered on cost alone.
        day("A1", "output", 1, null, "999999999999");
        line("e1", "gpt-4o", "output", "2026-10-01 12:00:00+00", 1_000_000_000_000L, null);
        // Just within the bound: 0.5 billed over 5 tokens costing 0.00005 restates as 50000 tokens.
        day("A2", "output", 2, null, "0.5");
        line("e2", "gpt-4o", "output", "2026-10-02 12:00:00+00", 5, null);

        Reconciler.reconcile(db, YearMonth.of(2026, 10), "USD", Tolerances.DEFAULTS);

        Map<String, List<Object>> cells = new LinkedHashMap<>();
        db.query("SELECT anchor_ids, class, invoice_quantity, cost_diff FROM reconciliation ORDER BY anchor_ids",
                row -> cells.put(row.getString(1), java.util.Arrays.asList(row.getString(2), row.getBigDecimal(3), row.getBigDecimal(4))));
        assertThat(cells.get("A1").get(0)).isEqualTo("unmetered_usage");
        assertThat(cells.get("A1").get(1)).isNull();
        assertThat((BigDecimal) cells.get("A1").get(2)).isEqualByComparingTo("999989999999");
        assertThat(cells.get("A2").get(0)).isEqualTo("unmetered_usage");
        assertThat((BigDecimal) cells.get("A2").get(1)).isEqualByComparingTo("50000");
        db.query("SELECT count(*) FILTER (WHERE quantity_source = 'derived') FROM invoice_usage",
                row -> assertThat(row.getLong(1)).isEqualTo(1));
        db.close();
    }

    @Test
    void reconcile_tighterToleranceAndGate_turnAMatchIntoAVariance() {
        day("A09", "input_uncached", 9, "1004000", "2.008");
        line("e10", "gpt-4o", "input_uncached", "2026-10-09 12:00:00+00", 1_000_000, null);

        GateResult gate = Reconciler.reconcile(db, YearMonth.of(2026, 10), "USD",
                new Tolerances(new BigDecimal("0.1"), new BigDecimal("0.1"), new BigDecimal("0.001"), new BigDecimal("0.2")));

        db.query("SELECT class, cost_diff FROM reconciliation", row -> {
            assertThat(row.getString(1)).isEqualTo("unmetered_usage");
            assertThat(row.getBigDecimal(2)).isEqualByComparingTo("0.008");
        });
        // 0.008 > 0.2 % of 2.008 = 0.004016
        assertThat(gate.passed()).isFalse();
        db.close();
    }

    private static String number(BigDecimal value) {
        return value == null ? "-" : Reconciler.plain(value);
    }
}
