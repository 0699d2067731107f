package dev.apportion.allocation;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ExactSplitTest {
    private static final int RANDOM_CASES = 1_000;

    // Hand-worked examples

    @Test
    void split_negativeAmountOverEqualWeights() {
        // −5000 units / 3 = −1666 rem −2 each; the two leftover units go to tenant:A and tenant:B.
        assertThat(ExactSplit.split(new BigDecimal("-50.00"), 2, weights("1", "1", "1"), keys("tenant:A", "tenant:B", "tenant:C")))
                .containsExactly(new BigDecimal("-16.67"), new BigDecimal("-16.67"), new BigDecimal("-16.66"));
    }

    @Test
    void split_rowsInReverseKeyOrder() {
        assertThat(ExactSplit.split(new BigDecimal("-50.00"), 2, weights("1", "1", "1"), keys("tenant:C", "tenant:B", "tenant:A")))
                .containsExactly(new BigDecimal("-16.66"), new BigDecimal("-16.67"), new BigDecimal("-16.67"));
    }

    @Test
    void split_tokenWeights() {
        // 1,200,000 units × 1,056,000 / 4,800,000 = 264,000 exactly.
        assertThat(ExactSplit.split(new BigDecimal("12000.00"), 2, weights("1056000", "3744000"), keys("consumer:a", "consumer:b")))
                .containsExactly(new BigDecimal("2640.00"), new BigDecimal("9360.00"));
    }

    @Test
    void split_oneCentDecidedByRemainder() {
        // W = 4: remainders 1, 1, 2; the largest remainder wins although its key sorts last.
        assertThat(ExactSplit.split(new BigDecimal("0.01"), 2, weights("1", "1", "2"), keys("a", "b", "c")))
                .containsExactly(new BigDecimal("0.00"), new BigDecimal("0.00"), new BigDecimal("0.01"));
    }

    @Test
    void split_oneCentDecidedByKey() {
        assertThat(ExactSplit.split(new BigDecimal("0.01"), 2, weights("1", "1", "1"), keys("tenant:C", "tenant:A", "tenant:B")))
                .containsExactly(new BigDecimal("0.00"), new BigDecimal("0.01"), new BigDecimal("0.00"));
    }

    @Test
    void split_nullRowKeySortsFirst() {
        assertThat(ExactSplit.split(new BigDecimal("0.01"), 2, weights("1", "1", "1"), keys("b", null, "")))
                .containsExactly(new BigDecimal("0.00"), new BigDecimal("0.01"), new BigDecimal("0.00"));
    }

    @Test
    void split_keysCompareByUtf8BytesNotUtf16() {
        // U+FF21 (EF BC A1) sorts before U+1F600 (F0 9F 98 80) in UTF-8, after it in String.compareTo.
        assertThat(ExactSplit.split(new BigDecimal("0.01"), 2, weights("1", "1"), keys("\uD83D\uDE00", "\uFF21")))
                .containsExactly(new BigDecimal("0.00"), new BigDecimal("0.01"));
    }

    @Test
    void split_zeroWeightRowGetsNothingEvenWithSmallestKey() {
        // The zero-weight row has remainder 0; at least |R| rows have a positive remainder (here the
        // three rows of weight 1 with remainder 2 each, and R = 2), so ties never reach it.
        assertThat(ExactSplit.split(new BigDecimal("0.02"), 2, weights("0", "1", "1", "1"), keys(null, "a", "b", "c")))
                .containsExactly(new BigDecimal("0.00"), new BigDecimal("0.01"), new BigDecimal("0.01"), new BigDecimal("0.00"));
    }

    @Test
    void split_allWeightOnOneRow() {
        assertThat(ExactSplit.split(new BigDecimal("0.01"), 2, weights("0", "0", "7"), keys("a", "b", "c")))
                .containsExactly(new BigDecimal("0.00"), new BigDecimal("0.00"), new BigDecimal("0.01"));
    }

    @Test
    void split_zeroAmount() {
        assertThat(ExactSplit.split(BigDecimal.ZERO, 4, weights("1", "2", "3"), keys("a", "b", "c")))
                .containsExactly(new BigDecimal("0.0000"), new BigDecimal("0.0000"), new BigDecimal("0.0000"));
    }

    @Test
    void split_negativeAmountMirrorsPositive() {
        assertThat(ExactSplit.split(new BigDecimal("100.00"), 2, weights("1", "1", "1"), keys("a", "b", "c")))
                .containsExactly(new BigDecimal("33.34"), new BigDecimal("33.33"), new BigDecimal("33.33"));
        assertThat(ExactSplit.split(new BigDecimal("-100.00"), 2, weights("1", "1", "1"), keys("a", "b", "c")))
                .containsExactly(new BigDecimal("-33.34"), new BigDecimal("-33.33"), new BigDecimal("-33.33"));
    }

    @Test
    void split_singleRow() {
        assertThat(ExactSplit.split(new BigDecimal("-7.5"), 3, weights("0.001"), keys("only")))
                .containsExactly(new BigDecimal("-7.500"));
    }

    @Test
    void split_amountWithTrailingZerosBeyondScale() {
        assertThat(ExactSplit.split(new BigDecimal("5.0000"), 2, weights("1", "1"), keys("a", "b")))
                .containsExactly(new BigDecimal("2.50"), new BigDecimal("2.50"));
    }

    @Test
    void split_mixedWeightScales() {
        // Common weight scale 2: 50, 100, 150 of 300.
        assertThat(ExactSplit.split(new BigDecimal("6"), 2, weights("0.5", "1", "1.50"), keys("a", "b", "c")))
                .containsExactly(new BigDecimal("1.00"), new BigDecimal("2.00"), new BigDecimal("3.00"));
    }

    @Test
    void split_veryLargeWeight() {
        // W = 10^30 + 2; row a: 10^32 / W = 99 rem 10^30 − 198, rows b and c: 0 rem 100; R = 1 goes to a.
        assertThat(ExactSplit.split(new BigDecimal("1.00"), 2, weights("1E+30", "1", "1"), keys("a", "b", "c")))
                .containsExactly(new BigDecimal("1.00"), new BigDecimal("0.00"), new BigDecimal("0.00"));
    }

    @Test
    void split_returnsImmutableList() {
        List<BigDecimal> shares = ExactSplit.split(BigDecimal.ONE, 0, weights("1"), keys("a"));
        assertThatThrownBy(() -> shares.set(0, BigDecimal.TEN)).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void ratios_equalWeights() {
        assertThat(ExactSplit.ratios(weights("1", "1", "1"), keys("a", "b", "c")))
                .containsExactly(new BigDecimal("0.333333333334"), new BigDecimal("0.333333333333"), new BigDecimal("0.333333333333"));
    }

    @Test
    void ratios_exactQuarters() {
        assertThat(ExactSplit.ratios(weights("1", "3"), keys("a", "b")))
                .containsExactly(new BigDecimal("0.250000000000"), new BigDecimal("0.750000000000"));
    }

    @Test
    void rowKeyOrder_nullFirstThenCodePoints() {
        List<String> sorted = new ArrayList<>(Arrays.asList("tenant:a", "\uD83D\uDE00", "a", null, "tenant:B", "\uFF21", "ab", "", "é"));
        sorted.sort(ExactSplit.ROW_KEY_ORDER);
        assertThat(sorted).containsExactly(null, "", "a", "ab", "tenant:B", "tenant:a", "é", "\uFF21", "\uD83D\uDE00");
    }

    @Test
    void rowKeyOrder_unpairedSurrogatesNeverTie() {
        // Both encode to "?" with String.getBytes(UTF_8); by code point they are distinct.
        assertThat(ExactSplit.ROW_KEY_ORDER.compare("\uD800", "\uDC00")).isNegative();
        assertThat(ExactSplit.ROW_KEY_ORDER.compare("\uD800", "\uE000")).isNegative();
        assertThat(ExactSplit.ROW_KEY_ORDER.compare("\uD800", "\uD800\uDC00")).isNegative();
    }

    @Test
    void rowKeyOrder_randomStrings_agreesWithUtf8Bytes() {
        Random random = new Random(20_260_101L);
        for (int index = 0; index < 20_000; index++) {
            String left = randomKey(random);
            String right = random.nextInt(4) == 0 ? left + randomKey(random) : randomKey(random);
            int expected = Integer.signum(Arrays.compareUnsigned(left.getBytes(UTF_8), right.getBytes(UTF_8)));
            assertThat(Integer.signum(ExactSplit.ROW_KEY_ORDER.compare(left, right)))
                    .as("compare(%s, %s)", left, right)
                    .isEqualTo(expected);
        }
    }

    // Properties over seeded random cases

    @Test
    void split_randomCases_sumEqualsAmountAtScale() {
        for (SplitCase splitCase : randomCases(1L)) {
            List<BigDecimal> shares = splitCase.split();
            assertThat(shares).as("%s", splitCase).hasSize(splitCase.weights().size());
            assertThat(shares).as("%s", splitCase).allSatisfy(share -> assertThat(share.scale()).isEqualTo(splitCase.scale()));
            BigDecimal sum = shares.stream().reduce(BigDecimal.ZERO, BigDecimal::add);
            assertThat(sum).as("%s", splitCase).isEqualByComparingTo(splitCase.amount());
        }
    }

    @Test
    void split_randomCases_eachShareWithinOneUnitOfExactQuotient() {
        for (SplitCase splitCase : randomCases(2L)) {
            List<BigDecimal> shares = splitCase.split();
            BigDecimal totalWeight = splitCase.weights().stream().reduce(BigDecimal.ZERO, BigDecimal::add);
            BigDecimal oneUnitTimesTotal = BigDecimal.ONE.movePointLeft(splitCase.scale()).multiply(totalWeight);
            for (int row = 0; row < shares.size(); row++) {
                // |share − A·w/W| < 1 unit  ⇔  |share·W − A·w| < 1 unit · W, all exact products.
                BigDecimal error = shares.get(row).multiply(totalWeight).subtract(splitCase.amount().multiply(splitCase.weights().get(row))).abs();
                assertThat(error).as("row %d of %s", row, splitCase).isLessThan(oneUnitTimesTotal);
                assertThat(shares.get(row).signum()).as("row %d of %s", row, splitCase).isIn(0, splitCase.amount().signum());
            }
        }
    }

    @Test
    void split_randomCases_matchReferenceImplementation() {
        for (SplitCase splitCase : randomCases(3L)) {
            assertThat(splitCase.split()).as("%s", splitCase).containsExactlyElementsOf(referenceSplit(splitCase));
        }
    }

    @Test
    void split_randomCases_independentOfRowOrder() {
        Random random = new Random(4L);
        for (SplitCase splitCase : randomCases(4L)) {
            Map<String, BigDecimal> expected = sharesByKey(splitCase.rowKeys(), splitCase.split());
            List<Integer> order = new ArrayList<>();
            for (int row = 0; row < splitCase.rowKeys().size(); row++) {
                order.add(row);
            }
            Collections.shuffle(order, random);
            List<BigDecimal> shuffledWeights = new ArrayList<>();
            List<String> shuffledKeys = new ArrayList<>();
            for (int row : order) {
                shuffledWeights.add(splitCase.weights().get(row));
                shuffledKeys.add(splitCase.rowKeys().get(row));
            }
            List<BigDecimal> shuffledShares = ExactSplit.split(splitCase.amount(), splitCase.scale(), shuffledWeights, shuffledKeys);
            assertThat(sharesByKey(shuffledKeys, shuffledShares)).as("%s", splitCase).isEqualTo(expected);
        }
    }

    @Test
    void split_randomCases_negatedAmountGivesNegatedShares() {
        for (SplitCase splitCase : randomCases(5L)) {
            List<BigDecimal> negated = ExactSplit.split(splitCase.amount().negate(), splitCase.scale(), splitCase.weights(), splitCase.rowKeys());
            assertThat(negated).as("%s", splitCase).containsExactlyElementsOf(splitCase.split().stream().map(BigDecimal::negate).toList());
        }
    }

    @Test
    void split_randomCases_zeroWeightRowsGetZero() {
        for (SplitCase splitCase : randomCases(6L)) {
            List<BigDecimal> shares = splitCase.split();
            for (int row = 0; row < shares.size(); row++) {
                if (splitCase.weights().get(row).signum() == 0) {
                    assertThat(shares.get(row).signum()).as("row %d of %s", row, splitCase).isZero();
                }
            }
        }
    }

    @Test
    void ratios_randomCases_sumToExactlyOne() {
        for (SplitCase splitCase : randomCases(7L)) {
            List<BigDecimal> ratios = ExactSplit.ratios(splitCase.weights(), splitCase.rowKeys());
            assertThat(ratios).as("%s", splitCase).allSatisfy(ratio -> assertThat(ratio.scale()).isEqualTo(ExactSplit.RATIO_SCALE));
            assertThat(ratios.stream().reduce(BigDecimal.ZERO, BigDecimal::add)).as("%s", splitCase).isEqualTo(new BigDecimal("1.000000000000"));
        }
    }

    // Preconditions

    @Test
    void split_amountNotRepresentableAtScale() {
        assertThatThrownBy(() -> ExactSplit.split(new BigDecimal("0.005"), 2, weights("1"), keys("a")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Cannot split 0.005: not representable at scale 2");
    }

    @Test
    void split_negativeScale() {
        assertThatThrownBy(() -> ExactSplit.split(BigDecimal.TEN, -1, weights("1"), keys("a")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Cannot split 10: scale is negative: -1");
    }

    @Test
    void split_weightAndKeyCountsDiffer() {
        assertThatThrownBy(() -> ExactSplit.split(BigDecimal.TEN, 2, weights("1", "2"), keys("a")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Cannot split 10: 2 weights but 1 row keys");
    }

    @Test
    void split_noRows() {
        assertThatThrownBy(() -> ExactSplit.split(BigDecimal.TEN, 2, List.of(), List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Cannot split 10: no rows");
    }

    @Test
    void split_negativeWeight() {
        assertThatThrownBy(() -> ExactSplit.split(BigDecimal.TEN, 2, weights("1", "-0.5"), keys("a", "b")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Cannot split 10: weight -0.5 of row b is negative");
    }

    @Test
    void split_weightsSumToZero() {
        assertThatThrownBy(() -> ExactSplit.split(BigDecimal.TEN, 2, weights("0", "0.00"), keys("a", "b")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Cannot split 10: weights of 2 rows sum to zero");
    }

    @Test
    void split_duplicateRowKey() {
        assertThatThrownBy(() -> ExactSplit.split(BigDecimal.TEN, 2, weights("1", "2", "3"), keys("a", "b", "a")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Cannot split 10: duplicate row key a");
    }

    @Test
    void split_duplicateNullRowKey() {
        assertThatThrownBy(() -> ExactSplit.split(BigDecimal.TEN, 2, weights("1", "2"), keys(null, null)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Cannot split 10: duplicate row key null");
    }

    @Test
    void split_nullArguments() {
        assertThatThrownBy(() -> ExactSplit.split(null, 2, weights("1"), keys("a")))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("amount is null");
        assertThatThrownBy(() -> ExactSplit.split(BigDecimal.TEN, 2, null, keys("a")))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("weights is null");
        assertThatThrownBy(() -> ExactSplit.split(BigDecimal.TEN, 2, weights("1"), null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("rowKeys is null");
    }

    @Test
    void split_nullWeight() {
        assertThatThrownBy(() -> ExactSplit.split(BigDecimal.TEN, 2, Arrays.asList(BigDecimal.ONE, null), keys("a", "b")))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("Cannot split 10: weight of row b is null");
    }

    @Test
    void ratios_weightsSumToZero() {
        assertThatThrownBy(() -> ExactSplit.ratios(weights("0"), keys("a")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Cannot split 1: weights of 1 rows sum to zero");
    }

    // Helpers

    private record SplitCase(BigDecimal amount, int scale, List<BigDecimal> weights, List<String> rowKeys) {
        List<BigDecimal> split() {
            return ExactSplit.split(amount, scale, weights, rowKeys);
        }
    }

    /**
     * A second implementation written straight from DESIGN §8 in BigDecimal: split the magnitude
     * with floor division, rank by exact remainder and by UTF-8 bytes of the key, then apply the sign.
     */
    private static List<BigDecimal> referenceSplit(SplitCase splitCase) {
        BigDecimal magnitude = splitCase.amount().abs().movePointRight(splitCase.scale());
        BigDecimal totalWeight = splitCase.weights().stream().reduce(BigDecimal.ZERO, BigDecimal::add);
        int rows = splitCase.weights().size();
        BigDecimal[] floors = new BigDecimal[rows];
        BigDecimal[] remainders = new BigDecimal[rows];
        BigDecimal allocated = BigDecimal.ZERO;
        for (int row = 0; row < rows; row++) {
            BigDecimal product = magnitude.multiply(splitCase.weights().get(row));
            floors[row] = product.divideToIntegralValue(totalWeight);
            remainders[row] = product.subtract(floors[row].multiply(totalWeight));
            allocated = allocated.add(floors[row]);
        }
        Comparator<String> byUtf8Bytes = Comparator.nullsFirst((left, right) -> Arrays.compareUnsigned(left.getBytes(UTF_8), right.getBytes(UTF_8)));
        List<Integer> ranking = new ArrayList<>();
        for (int row = 0; row < rows; row++) {
            ranking.add(row);
        }
        ranking.sort(Comparator.<Integer, BigDecimal>comparing(row -> remainders[row]).reversed()
                .thenComparing(row -> splitCase.rowKeys().get(row), byUtf8Bytes));
        int leftover = magnitude.subtract(allocated).intValueExact();
        for (int rank = 0; rank < leftover; rank++) {
            floors[ranking.get(rank)] = floors[ranking.get(rank)].add(BigDecimal.ONE);
        }
        List<BigDecimal> shares = new ArrayList<>();
        for (BigDecimal floor : floors) {
            BigInteger units = floor.toBigIntegerExact();
            shares.add(new BigDecimal(splitCase.amount().signum() < 0 ? units.negate() : units, splitCase.scale()));
        }
        return shares;
    }

    private static List<SplitCase> randomCases(long seed) {
        Random random = new Random(seed);
        List<SplitCase> cases = new ArrayList<>();
        for (int index = 0; index < RANDOM_CASES; index++) {
            int scale = random.nextInt(19);
            int rows = 1 + random.nextInt(random.nextBoolean() ? 5 : 200);
            cases.add(new SplitCase(randomAmount(random, scale), scale, randomWeights(random, rows), randomKeys(random, rows)));
        }
        return cases;
    }

    private static BigDecimal randomAmount(Random random, int scale) {
        if (random.nextInt(20) == 0) {
            return new BigDecimal(BigInteger.ZERO, random.nextInt(scale + 1));
        }
        BigInteger units = new BigInteger(1 + random.nextInt(90), random);
        BigDecimal amount = new BigDecimal(random.nextBoolean() ? units : units.negate(), scale);
        // Present it at its natural scale or with extra trailing zeros; both are representable.
        return random.nextBoolean() ? amount.stripTrailingZeros() : amount.setScale(scale + random.nextInt(3));
    }

    private static List<BigDecimal> randomWeights(Random random, int rows) {
        List<BigDecimal> weights = new ArrayList<>();
        for (int row = 0; row < rows; row++) {
            int kind = random.nextInt(20);
            if (kind < 4) {
                weights.add(new BigDecimal(BigInteger.ZERO, random.nextInt(4)));
            } else if (kind == 4) {
                weights.add(new BigDecimal(BigInteger.TEN.pow(30).add(new BigInteger(64, random)), random.nextInt(3)));
            } else if (kind == 5) {
                weights.add(BigDecimal.ONE);
            } else {
                weights.add(new BigDecimal(new BigInteger(1 + random.nextInt(40), random), random.nextInt(9)));
            }
        }
        if (weights.stream().allMatch(weight -> weight.signum() == 0)) {
            weights.set(random.nextInt(rows), new BigDecimal("0.5"));
        }
        return weights;
    }

    private static List<String> randomKeys(Random random, int rows) {
        Set<String> keys = new LinkedHashSet<>();
        if (random.nextInt(4) == 0) {
            keys.add(null);
        }
        while (keys.size() < rows) {
            keys.add(randomKey(random));
        }
        List<String> shuffled = new ArrayList<>(keys);
        Collections.shuffle(shuffled, random);
        return shuffled;
    }

    private static final int[] KEY_CODE_POINTS = {'a', 'b', 'B', ':', '-', 'é', 'ß', 0x7FF, 0x800, 0xD7FF, 0xE000, 0xFF21, 0xFFFF, 0x10000, 0x1F600, 0x10FFFF};

    /** Well-formed keys sharing prefixes often, drawn from code points around UTF-8 length boundaries. */
    private static String randomKey(Random random) {
        StringBuilder key = new StringBuilder(random.nextBoolean() ? "tenant:" : "");
        int length = random.nextInt(5);
        for (int index = 0; index < length; index++) {
            key.appendCodePoint(KEY_CODE_POINTS[random.nextInt(KEY_CODE_POINTS.length)]);
        }
        return key.toString();
    }

    private static Map<String, BigDecimal> sharesByKey(List<String> rowKeys, List<BigDecimal> shares) {
        Map<String, BigDecimal> byKey = new HashMap<>();
        for (int row = 0; row < rowKeys.size(); row++) {
            byKey.put(rowKeys.get(row), shares.get(row));
        }
        return byKey;
    }

    private static List<BigDecimal> weights(String... values) {
        return Arrays.stream(values).map(BigDecimal::new).toList();
    }

    private static List<String> keys(String... values) {
        return Arrays.asList(values);
    }
}
