package dev.apportion.allocation;

import static java.util.Objects.requireNonNull;

import java.math.BigDecimal;

/**
 * The summable columns of an invoice line (the origin charge) and its amount scale (DESIGN §9). Quantities
 * and unit prices may be null when the export has none.
 */
public record OriginLine(String anchorId, int amountScale, BigDecimal billedCost, BigDecimal effectiveCost,
                         BigDecimal listCost, BigDecimal contractedCost, BigDecimal listUnitPrice,
                         BigDecimal contractedUnitPrice, BigDecimal pricingQuantity, BigDecimal consumedQuantity) {
    public OriginLine {
        requireNonNull(anchorId, "anchorId is null");
        requireNonNull(billedCost, "billedCost is null");
        requireNonNull(effectiveCost, "effectiveCost is null");
        requireNonNull(listCost, "listCost is null");
        requireNonNull(contractedCost, "contractedCost is null");
        if (amountScale < 0 || amountScale > 18) {
            throw new IllegalArgumentException("Amount scale of " + anchorId + " must be 0..18: " + amountScale);
        }
    }
}
