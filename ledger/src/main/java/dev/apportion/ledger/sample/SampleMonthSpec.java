package dev.apportion.ledger.sample;

import static java.util.Objects.requireNonNull;

import java.time.YearMonth;

/**
 * What to generate: the billing period, the number of requests in it and the seed of the generator.
 */
public record SampleMonthSpec(YearMonth period, long requests, long seed) {
    public SampleMonthSpec {
        requireNonNull(period, "period is null");
        if (requests < 1) {
            throw new IllegalArgumentException("requests must be at least 1: " + requests);
        }
    }
}
