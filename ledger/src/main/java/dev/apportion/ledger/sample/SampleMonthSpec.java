package dev.apportion.ledger.sample;

import static java.util.Objects.requireNonNull;

import java.time.YearMonth;

/**
 * What to generate: the billing period, the number of requests in it and the seed of the generator; optionally a
 * {@link Spike} that multiplies one feature's tokens on one day (an anomaly the reports must find). The invoices
 * bill what the requests use, spike included.
 */
public record SampleMonthSpec(YearMonth period, long requests, long seed, Spike spike) {
    /** Every request of {@code feature} on {@code day} of the period uses {@code factor} times its tokens. */
    public record Spike(String feature, int day, int factor) {
        public Spike {
            requireNonNull(feature, "feature is null");
            if (day < 1 || day > 31 || factor < 1) {
                throw new IllegalArgumentException("a spike needs a day of the month and a factor of at least 1: day " + day + ", factor " + factor);
            }
        }
    }

    public SampleMonthSpec {
        requireNonNull(period, "period is null");
        if (requests < 1) {
            throw new IllegalArgumentException("requests must be at least 1: " + requests);
        }
    }

    public SampleMonthSpec(YearMonth period, long requests, long seed) {
        this(period, requests, seed, null);
    }
}
