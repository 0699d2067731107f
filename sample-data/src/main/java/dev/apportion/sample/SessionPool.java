package dev.apportion.sample;

import java.util.SplittableRandom;

/**
 * The sessions open at any moment. Each request joins a random open session; a session that has served
 * its planned length, sat idle for half an hour or run for six hours is replaced by a new one. Only the open sessions are held, so memory does not grow with the
 * month, and a session's requests stay close in time while interleaving with other sessions.
 */
final class SessionPool {
    // About one open session per 5,000 requests of the month keeps a session within the hour at any volume.
    private static final long REQUESTS_PER_OPEN_SESSION = 5_000;
    private static final int MIN_OPEN_SESSIONS = 4;
    private static final int MAX_OPEN_SESSIONS = 50_000;
    private static final double OPENAI_SHARE = 0.60;
    // A user who comes back after half an hour starts a new session, and no session outlives a working day,
    // however rarely its slot is drawn at night.
    private static final long IDLE_TIMEOUT_MILLIS = 30 * 60_000L;
    private static final long MAX_DURATION_MILLIS = 6 * 3_600_000L;
    private static final String[] ENVIRONMENTS = {"production", "staging", "development"};
    private static final double[] ENVIRONMENT_WEIGHTS = {0.90, 0.07, 0.03};
    private static final Feature[] FEATURES = Feature.values();
    private static final double[] FEATURE_WEIGHTS = featureWeights();

    private final Population population;
    private final SplittableRandom random;
    private final ActiveSession[] slots;
    private final long sessionKey;
    private long opened;

    SessionPool(Population population, long monthRequests, SplittableRandom random) {
        this.population = population;
        this.random = random;
        long open = Math.max(MIN_OPEN_SESSIONS, Math.min(MAX_OPEN_SESSIONS, monthRequests / REQUESTS_PER_OPEN_SESSION));
        this.slots = new ActiveSession[(int) open];
        this.sessionKey = random.nextLong();
    }

    /**
     * The session of a request made at {@code epochMilli} (never earlier than the previous request's), with
     * the request's position in that session.
     */
    ActiveSession next(long epochMilli) {
        int slot = random.nextInt(slots.length);
        ActiveSession session = slots[slot];
        if (session == null || session.isOver(epochMilli)) {
            session = open(epochMilli);
            slots[slot] = session;
        }
        session.served++;
        session.lastEpochMilli = epochMilli;
        return session;
    }

    private ActiveSession open(long epochMilli) {
        int user = random.nextInt(Population.USERS);
        Feature feature = FEATURES[Draws.weighted(random, FEATURE_WEIGHTS)];
        String environment = ENVIRONMENTS[Draws.weighted(random, ENVIRONMENT_WEIGHTS)];
        OracleModel model = model();
        StringBuilder sessionId = new StringBuilder(21).append("sess_");
        Hex.append(sessionId, Hex.mix(sessionKey + opened++), 16);
        SessionProfile profile = new SessionProfile(sessionId.toString(), population.userId(user),
                population.consumerId(user), feature, environment, principal(environment, feature), model,
                model.loggedId(random));
        // Median three requests and a long tail of agent-like sessions.
        int length = (int) Draws.clampedCount(1 + Draws.logLogistic(random, 2.0, 0.7), 1, 200);
        return new ActiveSession(profile, length, epochMilli);
    }

    private OracleModel model() {
        Provider provider = random.nextDouble() < OPENAI_SHARE ? Provider.OPENAI : Provider.ANTHROPIC;
        double target = random.nextDouble();
        OracleModel last = null;
        for (OracleModel model : OracleModel.values()) {
            if (model.provider() != provider) {
                continue;
            }
            last = model;
            target -= model.shareOfProvider();
            if (target < 0) {
                return model;
            }
        }
        return last;
    }

    private static String principal(String environment, Feature feature) {
        return switch (environment) {
            case "staging" -> "svc-agents-staging";
            case "development" -> "svc-dev-sandbox";
            default -> feature.productionPrincipal();
        };
    }

    private static double[] featureWeights() {
        double[] weights = new double[FEATURES.length];
        for (int i = 0; i < FEATURES.length; i++) {
            weights[i] = FEATURES[i].weight();
        }
        return weights;
    }

    /** A session in progress: its fixed profile, its planned length and the requests served so far. */
    static final class ActiveSession {
        private final SessionProfile profile;
        private final int length;
        private final long startEpochMilli;
        private long lastEpochMilli;
        private int served;

        private ActiveSession(SessionProfile profile, int length, long startEpochMilli) {
            this.profile = profile;
            this.length = length;
            this.startEpochMilli = startEpochMilli;
            this.lastEpochMilli = startEpochMilli;
        }

        private boolean isOver(long epochMilli) {
            return served >= length
                    || epochMilli - lastEpochMilli > IDLE_TIMEOUT_MILLIS
                    || epochMilli - startEpochMilli > MAX_DURATION_MILLIS;
        }

        SessionProfile profile() {
            return profile;
        }

        /** Zero-based position of the request just served in this session. */
        int position() {
            return served - 1;
        }
    }
}
