package dev.apportion.sample;

import static java.util.Objects.requireNonNull;

/**
 * Tokens of one request in the inclusive convention of the request log: {@code input} holds all input,
 * cache reads and writes included; {@code output} holds reasoning. A null count is an empty cell.
 */
record TokenCounts(long input, long cacheRead, Long cacheWrite5m, Long cacheWrite1h, long output, Long reasoning) {
    TokenCounts {
        requireNonNegative("input", input);
        requireNonNegative("cacheRead", cacheRead);
        requireNonNegative("output", output);
        if (cacheWrite5m != null) {
            requireNonNegative("cacheWrite5m", cacheWrite5m);
        }
        if (cacheWrite1h != null) {
            requireNonNegative("cacheWrite1h", cacheWrite1h);
        }
        if (reasoning != null) {
            requireNonNegative("reasoning", reasoning);
            if (reasoning > output) {
                throw new IllegalArgumentException("reasoning %d exceeds output %d".formatted(reasoning, output));
            }
        }
        long cached = cacheRead + orZero(cacheWrite5m) + orZero(cacheWrite1h);
        if (cached > input) {
            throw new IllegalArgumentException("cache reads and writes %d exceed input %d".formatted(cached, input));
        }
    }

    /** Every count times {@code factor} (a generated spike). */
    TokenCounts times(int factor) {
        return new TokenCounts(Math.multiplyExact(input, factor), Math.multiplyExact(cacheRead, factor), times(cacheWrite5m, factor),
                times(cacheWrite1h, factor), Math.multiplyExact(output, factor), times(reasoning, factor));
    }

    private static Long times(Long count, int factor) {
        return count == null ? null : Math.multiplyExact(count, factor);
    }

    /** Input billed at the uncached rate: input minus cache reads and writes. */
    long inputUncached() {
        return input - cacheRead - orZero(cacheWrite5m) - orZero(cacheWrite1h);
    }

    /** Tokens of one billed type. */
    long quantity(TokenType tokenType) {
        return switch (requireNonNull(tokenType, "tokenType is null")) {
            case INPUT_UNCACHED -> inputUncached();
            case CACHE_READ -> cacheRead;
            case CACHE_WRITE_5M -> orZero(cacheWrite5m);
            case OUTPUT -> output;
        };
    }

    private static long orZero(Long count) {
        return count == null ? 0 : count;
    }

    private static void requireNonNegative(String name, long count) {
        if (count < 0) {
            throw new IllegalArgumentException(name + " is negative: " + count);
        }
    }
}
