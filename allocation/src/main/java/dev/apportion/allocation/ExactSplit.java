package dev.apportion.allocation;

import static java.util.Objects.requireNonNull;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Exact, deterministic splitting of an amount over weighted rows (DESIGN §8 "Rounding").
 *
 * <p>The amount is worked in integer units of 10<sup>-scale</sup>, never in floating point. Row
 * {@code i} first gets {@code trunc(A·wᵢ/W)} units, rounded toward zero. The remaining {@code R}
 * units ({@code |R| < n}), each with the sign of {@code A}, go one per row in descending order of
 * {@code |A·wᵢ| mod W}, ties broken by ascending row key in {@link #ROW_KEY_ORDER}. Hence:
 * <ul>
 *   <li>the shares sum to the amount exactly, and each is within one unit of the exact quotient
 *       {@code A·wᵢ/W};</li>
 *   <li>every share is zero or has the sign of the amount, and a negative amount gives exactly the
 *       negated shares of the positive one;</li>
 *   <li>a zero amount gives zeros, and a zero-weight row always gets zero: its remainder is 0, while
 *       at least {@code |R|} rows have a positive remainder, so ties can never hand it a unit;</li>
 *   <li>the share of a row depends only on its key and weight, not on the order of the rows.</li>
 * </ul>
 * For example −50.00 at scale 2 over three equal weights with keys {@code tenant:A},
 * {@code tenant:B}, {@code tenant:C} gives −16.67, −16.67, −16.66.
 */
public final class ExactSplit {
    /** Scale of the ratios returned by {@link #ratios(List, List)}. */
    public static final int RATIO_SCALE = 12;

    /**
     * Order of row keys for breaking ties: {@code null} first, then strings in the unsigned byte
     * order of their UTF-8 encodings, which is Unicode code point order (and differs from
     * {@link String#compareTo} for characters above U+FFFF). Strings with unpaired surrogates have
     * no UTF-8 encoding; they are ordered by code point as well, treating a lone surrogate as its
     * own value, so distinct keys never compare equal.
     */
    public static final Comparator<String> ROW_KEY_ORDER = Comparator.nullsFirst(ExactSplit::compareByCodePoint);

    private ExactSplit() {}

    /**
     * Splits {@code amount} over rows in proportion to {@code weights}.
     *
     * @param amount the amount to split; it may carry trailing zeros beyond {@code scale}, but no
     *     non-zero digit beyond it
     * @param scale the scale of every share; not negative
     * @param weights one weight per row, each at least zero and of any scale, with a positive sum
     * @param rowKeys one key per row, unique; a single {@code null} key is allowed
     * @return the shares in the order of the rows, each at exactly {@code scale}, summing to
     *     {@code amount}; the list is immutable
     * @throws NullPointerException if an argument or a weight is {@code null}
     * @throws IllegalArgumentException if {@code scale} is negative, {@code amount} is not
     *     representable at {@code scale}, there are no rows, the numbers of weights and keys differ, a
     *     weight is negative, the weights sum to zero, or a row key is repeated
     */
    public static List<BigDecimal> split(BigDecimal amount, int scale, List<BigDecimal> weights, List<String> rowKeys) {
        requireNonNull(amount, "amount is null");
        requireNonNull(weights, "weights is null");
        requireNonNull(rowKeys, "rowKeys is null");
        if (scale < 0) {
            throw new IllegalArgumentException(format("Cannot split %s: scale is negative: %d", amount, scale));
        }
        if (amount.scale() > scale && amount.stripTrailingZeros().scale() > scale) {
            throw new IllegalArgumentException(format("Cannot split %s: not representable at scale %d", amount, scale));
        }
        BigDecimal[] weightValues = weights.toArray(new BigDecimal[0]);
        String[] keys = rowKeys.toArray(new String[0]);
        int rows = weightValues.length;
        if (rows != keys.length) {
            throw new IllegalArgumentException(format("Cannot split %s: %d weights but %d row keys", amount, rows, keys.length));
        }
        if (rows == 0) {
            throw new IllegalArgumentException(format("Cannot split %s: no rows", amount));
        }

        Set<String> seenKeys = new HashSet<>(2 * rows);
        int weightScale = Integer.MIN_VALUE;
        for (int row = 0; row < rows; row++) {
            BigDecimal weight = weightValues[row];
            if (weight == null) {
                throw new NullPointerException(format("Cannot split %s: weight of row %s is null", amount, keys[row]));
            }
            if (weight.signum() < 0) {
                throw new IllegalArgumentException(format("Cannot split %s: weight %s of row %s is negative", amount, weight, keys[row]));
            }
            if (!seenKeys.add(keys[row])) {
                throw new IllegalArgumentException(format("Cannot split %s: duplicate row key %s", amount, keys[row]));
            }
            weightScale = Math.max(weightScale, weight.scale());
        }

        // All weights as integers at one common scale; setScale only widens, so it is exact.
        BigInteger[] integerWeights = new BigInteger[rows];
        BigInteger totalWeight = BigInteger.ZERO;
        for (int row = 0; row < rows; row++) {
            integerWeights[row] = weightValues[row].setScale(weightScale).unscaledValue();
            totalWeight = totalWeight.add(integerWeights[row]);
        }
        if (totalWeight.signum() == 0) {
            throw new IllegalArgumentException(format("Cannot split %s: weights of %d rows sum to zero", amount, rows));
        }

        BigInteger amountUnits = amount.setScale(scale).unscaledValue();
        BigInteger[] shareUnits = new BigInteger[rows];
        BigInteger[] remainders = new BigInteger[rows];
        BigInteger allocated = BigInteger.ZERO;
        int rowsWithRemainder = 0;
        for (int row = 0; row < rows; row++) {
            BigInteger[] quotientAndRemainder = amountUnits.multiply(integerWeights[row]).divideAndRemainder(totalWeight);
            shareUnits[row] = quotientAndRemainder[0];
            remainders[row] = quotientAndRemainder[1].abs();
            allocated = allocated.add(quotientAndRemainder[0]);
            if (quotientAndRemainder[1].signum() != 0) {
                rowsWithRemainder++;
            }
        }

        // |R| < rows, and at least |R| rows have a positive remainder, so only those are ranked.
        int leftover = amountUnits.subtract(allocated).abs().intValueExact();
        if (leftover > 0) {
            Integer[] candidates = new Integer[rowsWithRemainder];
            int candidate = 0;
            for (int row = 0; row < rows; row++) {
                if (remainders[row].signum() != 0) {
                    candidates[candidate++] = row;
                }
            }
            Arrays.sort(candidates, (left, right) -> {
                int byRemainder = remainders[right].compareTo(remainders[left]);
                return byRemainder != 0 ? byRemainder : ROW_KEY_ORDER.compare(keys[left], keys[right]);
            });
            BigInteger unit = BigInteger.valueOf(amountUnits.signum());
            for (int index = 0; index < leftover; index++) {
                int row = candidates[index];
                shareUnits[row] = shareUnits[row].add(unit);
            }
        }

        BigDecimal[] shares = new BigDecimal[rows];
        for (int row = 0; row < rows; row++) {
            shares[row] = new BigDecimal(shareUnits[row], scale);
        }
        return List.of(shares);
    }

    /**
     * Returns the split ratios of the rows: {@code split(1, RATIO_SCALE, weights, rowKeys)}, so at
     * scale 12 and summing to exactly 1.
     *
     * @throws NullPointerException if an argument or a weight is {@code null}
     * @throws IllegalArgumentException as {@link #split(BigDecimal, int, List, List)} does
     */
    public static List<BigDecimal> ratios(List<BigDecimal> weights, List<String> rowKeys) {
        return split(BigDecimal.ONE, RATIO_SCALE, weights, rowKeys);
    }

    // Code point order is UTF-8 byte order for well-formed strings, without encoding them.
    private static int compareByCodePoint(String left, String right) {
        int length = Math.min(left.length(), right.length());
        int index = 0;
        while (index < length) {
            int leftCodePoint = left.codePointAt(index);
            int rightCodePoint = right.codePointAt(index);
            if (leftCodePoint != rightCodePoint) {
                return Integer.compare(leftCodePoint, rightCodePoint);
            }
            index += Character.charCount(leftCodePoint);
        }
        return Integer.compare(left.length(), right.length());
    }

    private static String format(String template, Object... arguments) {
        return String.format(Locale.ROOT, template, arguments);
    }
}
