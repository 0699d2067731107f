package dev.apportion.sample;

import static java.util.Objects.requireNonNull;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * One generated row of the generic request log. {@code billingAccountId} and {@code consumerId} may be
 * null (empty cells the close has to cope with); everything else is required.
 */
record SampleRequest(String requestId, Instant occurredAt, OracleModel model, String loggedModelId,
                     String billingAccountId, String principalId, String consumerId, String feature,
                     String userId, String sessionId, String environment, TokenCounts tokens, String status,
                     BigDecimal loggedCostUsd) {
    SampleRequest {
        requireNonNull(requestId, "requestId is null");
        requireNonNull(occurredAt, "occurredAt is null");
        requireNonNull(model, "model is null");
        requireNonNull(loggedModelId, "loggedModelId is null");
        requireNonNull(principalId, "principalId is null");
        requireNonNull(feature, "feature is null");
        requireNonNull(userId, "userId is null");
        requireNonNull(sessionId, "sessionId is null");
        requireNonNull(environment, "environment is null");
        requireNonNull(tokens, "tokens is null");
        requireNonNull(status, "status is null");
        requireNonNull(loggedCostUsd, "loggedCostUsd is null");
    }

    Provider provider() {
        return model.provider();
    }
}
