package dev.apportion.sample;

/** Fixed-width lower-case hexadecimal and a bijective 64-bit mix for ids that must never collide. */
final class Hex {
    private static final char[] DIGITS = "0123456789abcdef".toCharArray();

    private Hex() {
    }

    /** Appends the low {@code digits} hex digits of {@code value}, zero-padded. */
    static StringBuilder append(StringBuilder target, long value, int digits) {
        for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) {
            target.append(DIGITS[(int) (value >>> shift) & 0xf]);
        }
        return target;
    }

    /**
     * SplitMix64's finaliser. Every step (xor-shift, multiplication by an odd constant) is invertible, so
     * distinct inputs give distinct outputs: ids built from a counter look random yet are unique by design.
     */
    static long mix(long value) {
        long z = value;
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
