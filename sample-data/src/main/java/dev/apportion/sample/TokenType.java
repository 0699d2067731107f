package dev.apportion.sample;

/**
 * The token types the demo invoices bill, in the order invoice lines list them. Kept here rather than
 * borrowed from the ledger so that the generator stays an independent oracle of what a close must find.
 */
enum TokenType {
    INPUT_UNCACHED("input_uncached", "Input Tokens", "input"),
    CACHE_READ("cache_read", "Cache Read Input Tokens", "cache read input"),
    CACHE_WRITE_5M("cache_write_5m", "Cache Write Input Tokens", "cache write input"),
    OUTPUT("output", "Output Tokens", "output");

    private final String id;
    private final String skuMeter;
    private final String description;

    TokenType(String id, String skuMeter, String description) {
        this.id = id;
        this.skuMeter = skuMeter;
        this.description = description;
    }

    /** Vocabulary id, e.g. {@code cache_write_5m}. */
    String id() {
        return id;
    }

    /** FOCUS {@code SkuMeter}, e.g. {@code Cache Read Input Tokens}. */
    String skuMeter() {
        return skuMeter;
    }

    /** Words for a {@code ChargeDescription}, e.g. {@code cache read input}. */
    String description() {
        return description;
    }
}
