package dev.apportion.allocation;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits one origin line over weighted rows per DESIGN §8: quantities first, then costs, each column
 * exactly (Σ rows = origin). Where the origin satisfies {@code ListCost = ListUnitPrice × PricingQuantity}
 * (and the same for contracted), each row keeps that identity with its own quantity.
 */
public final class LineSplitter {
    private LineSplitter() {
    }

    public static List<AllocatedShare> split(OriginLine origin, List<BigDecimal> weights, List<String> rowKeys) {
        int scale = origin.amountScale();
        List<BigDecimal> ratios = ExactSplit.ratios(weights, rowKeys);
        List<BigDecimal> billed = ExactSplit.split(atScale(origin.billedCost(), scale, origin, "BilledCost"), scale, weights, rowKeys);
        List<BigDecimal> effective = ExactSplit.split(atScale(origin.effectiveCost(), scale, origin, "EffectiveCost"), scale, weights, rowKeys);

        List<BigDecimal> consumed = null;
        if (origin.consumedQuantity() != null) {
            int consumedScale = Math.max(0, origin.consumedQuantity().stripTrailingZeros().scale());
            consumed = ExactSplit.split(origin.consumedQuantity().setScale(consumedScale), consumedScale, weights, rowKeys);
        }
        List<BigDecimal> pricing = pricingQuantities(origin, consumed, weights, rowKeys);

        boolean listIdentity = identityHolds(origin.listCost(), origin.listUnitPrice(), origin.pricingQuantity());
        boolean contractedIdentity = identityHolds(origin.contractedCost(), origin.contractedUnitPrice(), origin.pricingQuantity());
        List<BigDecimal> list = listIdentity ? products(origin.listUnitPrice(), pricing)
                : ExactSplit.split(naturalScale(origin.listCost(), scale), naturalScale(origin.listCost(), scale).scale(), weights, rowKeys);
        List<BigDecimal> contracted = contractedIdentity ? products(origin.contractedUnitPrice(), pricing)
                : ExactSplit.split(naturalScale(origin.contractedCost(), scale), naturalScale(origin.contractedCost(), scale).scale(), weights, rowKeys);

        List<AllocatedShare> shares = new ArrayList<>(weights.size());
        for (int i = 0; i < weights.size(); i++) {
            shares.add(new AllocatedShare(ratios.get(i), billed.get(i), effective.get(i), list.get(i), contracted.get(i),
                    pricing == null ? null : pricing.get(i), consumed == null ? null : consumed.get(i),
                    listIdentity && contractedIdentity));
        }
        return shares;
    }

    private static List<BigDecimal> pricingQuantities(OriginLine origin, List<BigDecimal> consumed,
                                                      List<BigDecimal> weights, List<String> rowKeys) {
        BigDecimal pricing = origin.pricingQuantity();
        if (pricing == null) {
            return null;
        }
        if (consumed != null && origin.consumedQuantity().signum() != 0) {
            try {
                BigDecimal factor = pricing.divide(origin.consumedQuantity());
                List<BigDecimal> rows = new ArrayList<>(consumed.size());
                for (BigDecimal quantity : consumed) {
                    rows.add(quantity.multiply(factor).stripTrailingZeros());
                }
                return rows;
            } catch (ArithmeticException notExact) {
                // The factor is not a terminating decimal; split PricingQuantity on its own below.
            }
        }
        int scale = Math.max(Math.max(0, pricing.stripTrailingZeros().scale()), 6);
        return ExactSplit.split(pricing.setScale(scale), scale, weights, rowKeys);
    }

    private static boolean identityHolds(BigDecimal cost, BigDecimal unitPrice, BigDecimal quantity) {
        return unitPrice != null && quantity != null && unitPrice.multiply(quantity).compareTo(cost) == 0;
    }

    private static List<BigDecimal> products(BigDecimal unitPrice, List<BigDecimal> quantities) {
        List<BigDecimal> rows = new ArrayList<>(quantities.size());
        BigDecimal price = unitPrice.stripTrailingZeros();
        for (BigDecimal quantity : quantities) {
            BigDecimal product = price.multiply(quantity.stripTrailingZeros());
            if (product.scale() > 18) {
                throw new IllegalStateException("Unit price " + unitPrice.toPlainString() + " x quantity "
                        + quantity.toPlainString() + " needs more than 18 decimals; cannot keep the unit-price identity exactly");
            }
            rows.add(product.scale() < 0 ? product.setScale(0) : product);
        }
        return rows;
    }

    private static BigDecimal atScale(BigDecimal amount, int scale, OriginLine origin, String column) {
        try {
            return amount.setScale(scale);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("Line " + origin.anchorId() + ": " + column + " " + amount.toPlainString()
                    + " has more decimals than its amount scale " + scale, e);
        }
    }

    private static BigDecimal naturalScale(BigDecimal amount, int minimumScale) {
        return amount.setScale(Math.max(minimumScale, Math.max(0, amount.stripTrailingZeros().scale())));
    }
}
