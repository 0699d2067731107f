package dev.apportion.sample;

import java.util.SplittableRandom;

/**
 * Draws the tokens of one request: heavy-tailed input and output around the feature's medians, prompt
 * caching that grows within a session, and the caching rules of each provider (OpenAI reads cached
 * prefixes in 128-token steps and never bills writes; Anthropic bills 5-minute cache writes).
 */
final class TokenSampler {
    private static final long MAX_INPUT_TOKENS = 128_000;
    private static final long MAX_OUTPUT_TOKENS = 16_384;
    private static final long MIN_CACHEABLE_TOKENS = 1_024;
    private static final long OPENAI_CACHE_STEP = 128;

    private TokenSampler() {
    }

    static TokenCounts sample(SessionProfile session, int position, boolean failed, SplittableRandom random) {
        Feature feature = session.feature();
        // Conversational features resend the history, so later turns carry more input.
        double growth = switch (feature) {
            case CHAT, AGENT, CODE_ASSIST -> 1.0 + 0.15 * Math.min(position, 10);
            default -> 1.0;
        };
        long input = Draws.clampedCount(Draws.logLogistic(random, feature.medianInputTokens() * growth, 0.45),
                16, MAX_INPUT_TOKENS);
        // A failed call is billed for its input but produced nothing.
        long output = failed ? 0
                : Draws.clampedCount(Draws.logLogistic(random, feature.medianOutputTokens(), 0.4), 1, MAX_OUTPUT_TOKENS);
        OracleModel model = session.model();
        if (model.provider() == Provider.OPENAI) {
            long cacheRead = openAiCacheRead(input, position, random);
            Long reasoning = model == OracleModel.GPT_4_1_MINI && output > 0 && random.nextDouble() < 0.35
                    ? Long.valueOf((long) (output * Draws.between(random, 0.2, 0.7)))
                    : null;
            return new TokenCounts(input, cacheRead, null, null, output, reasoning);
        }
        long cacheRead = 0;
        long cacheWrite = 0;
        if (input >= MIN_CACHEABLE_TOKENS) {
            if (position == 0) {
                if (random.nextDouble() < 0.5) {
                    cacheWrite = (long) (input * Draws.between(random, 0.5, 0.9));
                }
            } else if (random.nextDouble() < 0.65) {
                cacheRead = (long) (input * Draws.between(random, 0.4, 0.9));
                if (random.nextDouble() < 0.35) {
                    cacheWrite = (long) ((input - cacheRead) * Draws.between(random, 0.1, 0.6));
                }
            }
        }
        return new TokenCounts(input, cacheRead, cacheWrite, 0L, output, null);
    }

    private static long openAiCacheRead(long input, int position, SplittableRandom random) {
        // First requests of a session still hit the cache sometimes: shared system prompts.
        double hitRate = position == 0 ? 0.2 : 0.65;
        if (input < MIN_CACHEABLE_TOKENS || random.nextDouble() >= hitRate) {
            return 0;
        }
        long cached = (long) (input * Draws.between(random, 0.4, 0.95));
        return Math.max(MIN_CACHEABLE_TOKENS, cached / OPENAI_CACHE_STEP * OPENAI_CACHE_STEP);
    }
}
