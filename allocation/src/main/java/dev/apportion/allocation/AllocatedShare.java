package dev.apportion.allocation;

import java.math.BigDecimal;

/** One row's share of an origin line: its ratio and every summable column. */
public record AllocatedShare(BigDecimal ratio, BigDecimal billedCost, BigDecimal effectiveCost, BigDecimal listCost,
                             BigDecimal contractedCost, BigDecimal pricingQuantity, BigDecimal consumedQuantity,
                             boolean unitPriceIdentityKept) {
}
