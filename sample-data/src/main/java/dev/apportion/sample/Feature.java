package dev.apportion.sample;

/**
 * Product features that call models, with their share of sessions and typical (median) token counts.
 * Medians differ by an order of magnitude on purpose, so allocation by tokens and by requests disagree.
 */
enum Feature {
    CHAT("chat", 30, 1_800, 350),
    SEARCH("search", 16, 3_500, 250),
    SUMMARIZE("summarize", 12, 7_000, 450),
    AGENT("agent", 10, 9_000, 700),
    CLASSIFY("classify", 12, 700, 12),
    EXTRACT("extract", 8, 2_800, 300),
    TRANSLATE("translate", 6, 1_000, 900),
    CODE_ASSIST("code-assist", 6, 4_500, 800);

    private final String id;
    private final double weight;
    private final double medianInputTokens;
    private final double medianOutputTokens;

    Feature(String id, double weight, double medianInputTokens, double medianOutputTokens) {
        this.id = id;
        this.weight = weight;
        this.medianInputTokens = medianInputTokens;
        this.medianOutputTokens = medianOutputTokens;
    }

    String id() {
        return id;
    }

    double weight() {
        return weight;
    }

    double medianInputTokens() {
        return medianInputTokens;
    }

    double medianOutputTokens() {
        return medianOutputTokens;
    }

    /** The service principal that calls models for this feature in production. */
    String productionPrincipal() {
        return switch (this) {
            case CHAT -> "svc-chat-prod";
            case AGENT, CODE_ASSIST -> "svc-agents-prod";
            case SUMMARIZE, CLASSIFY, EXTRACT -> "svc-batch-reports";
            case SEARCH, TRANSLATE -> "svc-infer-prod";
        };
    }
}
