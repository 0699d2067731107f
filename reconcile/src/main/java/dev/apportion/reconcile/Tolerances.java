package dev.apportion.reconcile;

import static java.util.Objects.requireNonNull;

import java.math.BigDecimal;

/**
 * How far ledger and invoice may differ in a cell before it is a variance, and how much variance the close
 * accepts (DESIGN §7). Percentages are relative to the invoice side; the cost tolerance never goes below
 * {@code costFloor} in the billing currency.
 *
 * @param quantityPercent tolerance on quantities, in percent of the invoice quantity (default 0.5)
 * @param costPercent tolerance on cost, in percent of the invoice billed cost (default 0.5)
 * @param costFloor absolute floor of the cost tolerance (default 0.01)
 * @param gatePercent the gate: Σ|cost difference| of the gated classes, in percent of the invoiced total (default 1)
 */
public record Tolerances(BigDecimal quantityPercent, BigDecimal costPercent, BigDecimal costFloor, BigDecimal gatePercent) {
    public static final Tolerances DEFAULTS = new Tolerances(new BigDecimal("0.5"), new BigDecimal("0.5"),
            new BigDecimal("0.01"), BigDecimal.ONE);

    public Tolerances {
        requireNonNull(quantityPercent, "quantityPercent is null");
        requireNonNull(costPercent, "costPercent is null");
        requireNonNull(costFloor, "costFloor is null");
        requireNonNull(gatePercent, "gatePercent is null");
        for (BigDecimal value : new BigDecimal[] {quantityPercent, costPercent, costFloor, gatePercent}) {
            if (value.signum() < 0) {
                throw new IllegalArgumentException("Reconciliation tolerances cannot be negative: " + value.toPlainString());
            }
        }
    }
}
