package dev.apportion.reconcile;

import dev.apportion.ledger.DuckDbSession;
import dev.apportion.ledger.Sql;
import java.time.YearMonth;

/**
 * Reconciles the priced ledger against the invoice (DESIGN §7): anchors every cost line to its invoice
 * line and classifies each comparison cell. This slice knows {@code matched}, {@code unmatched_invoice_line},
 * {@code unmatched_ledger} and {@code unpriced_model}; the variance classes and the gate come with issue D.
 *
 * <p>Expects {@code invoice_lines} and {@code cost_lines} in the session; leaves {@code anchored_cost_lines},
 * {@code invoice_usage} (per anchor: entry count, quantity, has_usage) and {@code reconciliation}.
 */
public final class Reconciler {
    /** The header of {@code reconciliation.csv} (DESIGN §7, contract). */
    public static final String CSV_HEADER = "period,provider,billing_account_id,model,token_type,service_tier,region,"
            + "cell_start,cell_end,ledger_quantity,ledger_list_cost,ledger_contracted_cost,ledger_logged_cost,"
            + "provider_usage_quantity,invoice_quantity,invoice_billed_cost,quantity_diff,cost_diff,class,hint,anchor_ids,currency";

    private Reconciler() {
    }

    public static void reconcile(DuckDbSession db, YearMonth period, String currency) {
        db.execute(Sql.resource(Reconciler.class, "reconcile.sql")
                .bind("period", period.toString())
                .bind("currency", currency));
    }
}
