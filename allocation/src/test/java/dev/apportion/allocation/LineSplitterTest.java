package dev.apportion.allocation;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LineSplitterTest {
    @Test
    void split_workedExample_givesTheTenantItsTokenShare() {
        OriginLine line = new OriginLine("anc_1", 2, new BigDecimal("12000.00"), new BigDecimal("12000.00"),
                new BigDecimal("12000.00"), new BigDecimal("12000.00"), new BigDecimal("2500"), new BigDecimal("2500"),
                new BigDecimal("4.8"), new BigDecimal("4800000"));

        List<AllocatedShare> shares = LineSplitter.split(line, List.of(new BigDecimal("1056000"), new BigDecimal("3744000")),
                List.of("tenant:T-019", "tenant:other"));

        assertThat(shares.get(0).billedCost()).isEqualByComparingTo("2640.00");
        assertThat(shares.get(0).ratio()).isEqualByComparingTo("0.22");
        assertThat(shares.get(0).consumedQuantity()).isEqualByComparingTo("1056000");
        assertThat(shares.get(0).pricingQuantity()).isEqualByComparingTo("1.056");
        assertThat(shares.get(0).listCost()).isEqualByComparingTo("2640");
        assertThat(shares.get(1).billedCost()).isEqualByComparingTo("9360.00");
    }

    @Test
    void split_manyGeneratedLines_conservesEveryColumnExactly() {
        SplittableRandom random = new SplittableRandom(20260522L);
        for (int line = 0; line < 2_000; line++) {
            int scale = random.nextInt(2, 9);
            long tokens = random.nextLong(1, 50_000_000);
            BigDecimal unitPrice = BigDecimal.valueOf(random.nextLong(1, 20_000), 3);
            BigDecimal pricingQuantity = BigDecimal.valueOf(tokens).movePointLeft(6);
            BigDecimal listCost = unitPrice.multiply(pricingQuantity);
            boolean identity = random.nextBoolean();
            BigDecimal billed = listCost.setScale(scale, java.math.RoundingMode.HALF_UP);
            if (random.nextInt(10) == 0) {
                billed = billed.negate();
            }
            OriginLine origin = new OriginLine("anc_" + line, scale, billed, billed,
                    identity ? listCost : billed, identity ? listCost : billed,
                    identity ? unitPrice : null, identity ? unitPrice : null, pricingQuantity, BigDecimal.valueOf(tokens));
            int rows = random.nextInt(1, 60);
            List<BigDecimal> weights = new ArrayList<>();
            List<String> keys = new ArrayList<>();
            for (int row = 0; row < rows; row++) {
                weights.add(row == 0 ? BigDecimal.ONE : BigDecimal.valueOf(random.nextLong(0, 1_000_000), random.nextInt(0, 7)));
                keys.add("tenant:" + row);
            }

            List<AllocatedShare> shares = LineSplitter.split(origin, weights, keys);

            assertThat(sum(shares, AllocatedShare::billedCost)).isEqualByComparingTo(origin.billedCost());
            assertThat(sum(shares, AllocatedShare::effectiveCost)).isEqualByComparingTo(origin.effectiveCost());
            assertThat(sum(shares, AllocatedShare::listCost)).isEqualByComparingTo(origin.listCost());
            assertThat(sum(shares, AllocatedShare::contractedCost)).isEqualByComparingTo(origin.contractedCost());
            assertThat(sum(shares, AllocatedShare::pricingQuantity)).isEqualByComparingTo(origin.pricingQuantity());
            assertThat(sum(shares, AllocatedShare::consumedQuantity)).isEqualByComparingTo(origin.consumedQuantity());
            assertThat(sum(shares, AllocatedShare::ratio)).isEqualByComparingTo(BigDecimal.ONE);
            for (AllocatedShare share : shares) {
                assertThat(share.billedCost().scale()).isEqualTo(scale);
                assertThat(share.consumedQuantity().stripTrailingZeros().scale()).isLessThanOrEqualTo(0);
                if (identity) {
                    assertThat(share.listCost()).isEqualByComparingTo(unitPrice.multiply(share.pricingQuantity()));
                }
            }
        }
    }

    private static BigDecimal sum(List<AllocatedShare> shares, java.util.function.Function<AllocatedShare, BigDecimal> column) {
        return shares.stream().map(column).reduce(BigDecimal.ZERO, BigDecimal::add);
    }
}
