package dev.apportion.reconcile;

import static java.util.Objects.requireNonNull;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;

/**
 * The reconciliation gate of a period (DESIGN §7): it fails when the absolute cost difference of the cells
 * classed {@link Reconciler#GATED_CLASSES} exceeds {@code gatePercent} of the invoiced total.
 *
 * @param invoicedTotal Σ BilledCost of the period's invoice lines
 * @param gatedVariance Σ |cost difference| over the gated cells
 * @param gatePercent the threshold, in percent of {@code invoicedTotal}
 * @param topCells the largest gated cells, one readable line each, largest first
 */
public record GateResult(BigDecimal invoicedTotal, BigDecimal gatedVariance, BigDecimal gatePercent, List<String> topCells) {
    public GateResult {
        requireNonNull(invoicedTotal, "invoicedTotal is null");
        requireNonNull(gatedVariance, "gatedVariance is null");
        requireNonNull(gatePercent, "gatePercent is null");
        topCells = List.copyOf(topCells);
    }

    /** The variance the gate allows: gatePercent % of |invoicedTotal|. */
    public BigDecimal threshold() {
        return invoicedTotal.abs().multiply(gatePercent).movePointLeft(2);
    }

    public boolean passed() {
        return gatedVariance.compareTo(threshold()) <= 0;
    }

    /** The gated variance in percent of the invoiced total, to two decimals (for messages only). */
    public String variancePercent() {
        if (invoicedTotal.signum() == 0) {
            return gatedVariance.signum() == 0 ? "0" : "∞";
        }
        return gatedVariance.movePointRight(2).divide(invoicedTotal.abs(), 2, RoundingMode.HALF_UP).toPlainString();
    }
}
