package dev.apportion.sample;

import static java.util.Objects.requireNonNull;

/** What stays fixed across the requests of one session: who calls, for what, where and with which model. */
record SessionProfile(String sessionId, String userId, String consumerId, Feature feature, String environment,
                      String principalId, OracleModel model, String loggedModelId) {
    SessionProfile {
        requireNonNull(sessionId, "sessionId is null");
        requireNonNull(userId, "userId is null");
        requireNonNull(consumerId, "consumerId is null");
        requireNonNull(feature, "feature is null");
        requireNonNull(environment, "environment is null");
        requireNonNull(principalId, "principalId is null");
        requireNonNull(model, "model is null");
        requireNonNull(loggedModelId, "loggedModelId is null");
    }
}
