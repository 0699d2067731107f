package dev.apportion.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.apportion.ledger.DuckDbSession;
import java.nio.file.Path;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Cost lines anchor to the invoice line whose half-open charge period holds them; every cell gets one class. */
class ReconcilerTest {
    @TempDir
    Path directory;

    @Test
    void reconcile_dayBoundaryUnknownModelAndFee_landInTheRightCells() {
        List<String> anchors = new ArrayList<>();
        List<String> cells = new ArrayList<>();
        try (DuckDbSession db = DuckDbSession.open(directory)) {
            db.execute("""
                    CREATE TABLE invoice_lines AS SELECT * FROM (VALUES
                        ('anc_day1', 'openai', 'acct', 'gpt-4o', 'output', 'standard', NULL, TIMESTAMPTZ '2026-05-01 00:00:00+00', TIMESTAMPTZ '2026-05-02 00:00:00+00', 30::DECIMAL(38, 18), 0.0003::DECIMAL(38, 18), 'USD'),
                        ('anc_day2', 'openai', 'acct', 'gpt-4o', 'output', 'standard', NULL, TIMESTAMPTZ '2026-05-02 00:00:00+00', TIMESTAMPTZ '2026-05-03 00:00:00+00', 7::DECIMAL(38, 18), 0.00007::DECIMAL(38, 18), 'USD'),
                        ('anc_fee', 'openai', 'acct', NULL, NULL, 'standard', NULL, TIMESTAMPTZ '2026-05-01 00:00:00+00', TIMESTAMPTZ '2026-06-01 00:00:00+00', NULL, 150::DECIMAL(38, 18), 'USD'))
                    AS v(anchor_id, provider, BillingAccountId, model, token_type, service_tier, region, ChargePeriodStart,
                         ChargePeriodEnd, ConsumedQuantity, BilledCost, BillingCurrency)""");
            db.execute("""
                    CREATE TABLE cost_lines AS SELECT * FROM (VALUES
                        ('openai:a#output', 'openai:a', 'openai', 'acct', 'gpt-4o', 'output', 'standard', NULL, TIMESTAMPTZ '2026-05-01 23:59:59.999+00', 30::BIGINT, 0.0003::DECIMAL(38, 18), true),
                        ('openai:b#output', 'openai:b', 'openai', 'acct', 'gpt-4o', 'output', 'standard', NULL, TIMESTAMPTZ '2026-05-02 00:00:00+00', 7::BIGINT, 0.00007::DECIMAL(38, 18), true),
                        ('openai:c#output', 'openai:c', 'openai', 'acct', 'gpt-9', 'output', 'standard', NULL, TIMESTAMPTZ '2026-05-02 10:00:00+00', 5::BIGINT, NULL, false),
                        ('openai:d#output', 'openai:d', 'openai', 'acct', 'gpt-4o', 'output', 'standard', NULL, TIMESTAMPTZ '2026-05-03 10:00:00+00', 5::BIGINT, 0.00005::DECIMAL(38, 18), true))
                    AS v(cost_line_id, entry_id, provider, billing_account_id, model, token_type, service_tier, region, occurred_at,
                         quantity, contracted_cost, priced)""");
            db.execute("ALTER TABLE cost_lines ADD COLUMN list_cost DECIMAL(38, 18)");
            db.execute("UPDATE cost_lines SET list_cost = contracted_cost");

            Reconciler.reconcile(db, YearMonth.of(2026, 5), "USD");

            db.query("SELECT cost_line_id, coalesce(anchor_id, '-') FROM anchored_cost_lines ORDER BY 1",
                    row -> anchors.add(row.getString(1) + " " + row.getString(2)));
            db.query("SELECT coalesce(anchor_ids, model || '@' || strftime(cell_start, '%d')), class, quantity_diff FROM reconciliation ORDER BY 1",
                    row -> cells.add(row.getString(1) + " " + row.getString(2) + " " + row.getBigDecimal(3).stripTrailingZeros().toPlainString()));
        }
        assertThat(anchors).containsExactly("openai:a#output anc_day1", "openai:b#output anc_day2", "openai:c#output -",
                "openai:d#output -");
        assertThat(cells).containsExactly(
                "anc_day1 matched 0",
                "anc_day2 matched 0",
                "anc_fee unmatched_invoice_line 0",
                "gpt-4o@03 unmatched_ledger -5",
                "gpt-9@02 unpriced_model -5");
    }
}
