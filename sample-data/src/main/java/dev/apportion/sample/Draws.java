package dev.apportion.sample;

import java.util.SplittableRandom;

/**
 * Sampling helpers. Doubles appear here only to shape distributions, never as money. {@link StrictMath}
 * is used instead of {@link Math} because its results are specified bit for bit, which byte-identical
 * output for a seed needs on every JVM and CPU.
 */
final class Draws {
    private static final double UNIT = 0x1.0p-53;

    private Draws() {
    }

    /** Uniform on the open interval (0, 1), so that logarithms and ratios stay finite. */
    static double openUnit(SplittableRandom random) {
        return ((random.nextLong() >>> 11) + 0.5) * UNIT;
    }

    /** Uniform on [low, high). */
    static double between(SplittableRandom random, double low, double high) {
        return low + (high - low) * random.nextDouble();
    }

    /**
     * Log-logistic draw with the given median: heavy right tail like a log-normal (token counts, session
     * lengths), but needs one logarithm and one exponential instead of a Gaussian. {@code spread} is the
     * reciprocal of the shape; above 0.5 the variance is infinite.
     */
    static double logLogistic(SplittableRandom random, double median, double spread) {
        double u = openUnit(random);
        return median * StrictMath.exp(spread * StrictMath.log(u / (1.0 - u)));
    }

    /** Index drawn with probability proportional to {@code weights[i]}. */
    static int weighted(SplittableRandom random, double[] weights) {
        double total = 0;
        for (double weight : weights) {
            total += weight;
        }
        double target = random.nextDouble() * total;
        for (int i = 0; i < weights.length - 1; i++) {
            target -= weights[i];
            if (target < 0) {
                return i;
            }
        }
        return weights.length - 1;
    }

    /** Rounds a positive sample to a count within [min, max]. */
    static long clampedCount(double sample, long min, long max) {
        return Math.max(min, Math.min(max, StrictMath.round(sample)));
    }
}
