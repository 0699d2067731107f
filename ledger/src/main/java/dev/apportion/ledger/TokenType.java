package dev.apportion.ledger;

import java.util.Arrays;
import java.util.Optional;

/**
 * The token meters of DESIGN §6. Reasoning tokens are inside output. Each ledger entry has one cost line
 * per token type with a non-zero quantity.
 */
public enum TokenType {
    INPUT_UNCACHED("input_uncached", "Input Tokens"),
    CACHE_READ("cache_read", "Cache Read Input Tokens"),
    CACHE_WRITE_5M("cache_write_5m", "Cache Write Input Tokens"),
    CACHE_WRITE_1H("cache_write_1h", "Cache Write 1h Input Tokens"),
    OUTPUT("output", "Output Tokens"),
    WEB_SEARCH("web_search", "Web Search");

    private final String id;
    private final String focusMeter;

    TokenType(String id, String focusMeter) {
        this.id = id;
        this.focusMeter = focusMeter;
    }

    /** The id used in catalogues, cost line ids and the canonical invoice-line key. */
    public String id() {
        return id;
    }

    /** The FOCUS {@code SkuMeter} label that maps to this token type. */
    public String focusMeter() {
        return focusMeter;
    }

    public static Optional<TokenType> fromId(String id) {
        return Arrays.stream(values()).filter(type -> type.id.equals(id)).findFirst();
    }
}
