package dev.apportion.sample;

import dev.apportion.ledger.sample.SampleMonthSpec;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;

/**
 * The requests of one month, generated in time order one at a time. Holds only the open sessions and the
 * population, never the month's requests, so the same code writes 200 thousand or 100 million rows.
 */
final class RequestStream {
    private static final double ERROR_RATE = 0.01;
    // Rows where the gateway did not record the account: the close derives it from the invoices.
    private static final double MISSING_ACCOUNT_RATE = 0.10;
    // Rows whose tenant header was lost: the close reports them as unattributed.
    private static final double UNATTRIBUTED_RATE = 0.01;

    private final ArrivalTimes arrivals;
    private final SessionPool sessions;
    private final SplittableRandom random;
    private final long requestIdKey;
    private final SampleMonthSpec.Spike spike;
    private long produced;

    /**
     * Each concern draws from its own split of {@code random}, so that changing how one is sampled does not
     * shift the others.
     */
    RequestStream(YearMonth period, long requests, SplittableRandom random) {
        this(period, requests, random, null);
    }

    /** With a {@code spike}: its feature's requests on its day use its factor times their tokens. */
    RequestStream(YearMonth period, long requests, SplittableRandom random, SampleMonthSpec.Spike spike) {
        this.spike = spike;
        this.arrivals = new ArrivalTimes(period, requests, random.split());
        this.sessions = new SessionPool(new Population(random.split()), requests, random.split());
        this.random = random.split();
        this.requestIdKey = random.nextLong();
    }

    boolean hasNext() {
        return arrivals.hasNext();
    }

    SampleRequest next() {
        if (!hasNext()) {
            throw new NoSuchElementException("All %d requests of the month were generated".formatted(produced));
        }
        long epochMilli = arrivals.nextEpochMilli();
        Instant occurredAt = Instant.ofEpochMilli(epochMilli);
        SessionPool.ActiveSession session = sessions.next(epochMilli);
        SessionProfile profile = session.profile();
        OracleModel model = profile.model();
        boolean failed = random.nextDouble() < ERROR_RATE;
        TokenCounts sampled = TokenSampler.sample(profile, session.position(), failed, random);
        TokenCounts tokens = spike != null && spike.feature().equals(profile.feature().id())
                && occurredAt.atZone(ZoneOffset.UTC).getDayOfMonth() == spike.day() ? sampled.times(spike.factor()) : sampled;
        String billingAccountId = random.nextDouble() < MISSING_ACCOUNT_RATE ? null : model.provider().billingAccountId();
        String consumerId = random.nextDouble() < UNATTRIBUTED_RATE ? null : profile.consumerId();
        return new SampleRequest(nextRequestId(), occurredAt, model, profile.loggedModelId(), billingAccountId,
                profile.principalId(), consumerId, profile.feature().id(), profile.userId(), profile.sessionId(),
                profile.environment(), tokens, failed ? "error" : "success", loggedCostUsd(model, tokens));
    }

    /** {@code req_} and 20 hex digits: 16 unique by construction (a bijection of the counter), 4 random. */
    private String nextRequestId() {
        StringBuilder id = new StringBuilder(24).append("req_");
        Hex.append(id, Hex.mix(requestIdKey + produced++), 16);
        return Hex.append(id, random.nextInt(0x10000), 4).toString();
    }

    /** The gateway's estimate at the oracle list prices, exact (prices have at most 3 decimals). */
    private static BigDecimal loggedCostUsd(OracleModel model, TokenCounts tokens) {
        long nanoDollars = 0;
        for (TokenType tokenType : TokenType.values()) {
            nanoDollars = Math.addExact(nanoDollars, model.costNanoDollars(tokenType, tokens.quantity(tokenType)));
        }
        return BigDecimal.valueOf(nanoDollars, 9).stripTrailingZeros();
    }
}
