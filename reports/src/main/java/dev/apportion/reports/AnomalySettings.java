package dev.apportion.reports;

import static java.util.Objects.requireNonNull;

import java.math.BigDecimal;

/**
 * {@code anomalies:} of {@code apportion.yml}: a day is anomalous when its value exceeds {@code k} times the
 * subject's trailing median over the previous {@code window} days with spend, given at least
 * {@code minHistoryDays} of them.
 */
public record AnomalySettings(BigDecimal k, int windowDays, int minHistoryDays) {
    public static final AnomalySettings DEFAULTS = new AnomalySettings(new BigDecimal("5"), 7, 3);

    public AnomalySettings {
        requireNonNull(k, "k is null");
        if (k.compareTo(BigDecimal.ONE) <= 0 || windowDays < 1 || minHistoryDays < 1 || minHistoryDays > windowDays) {
            throw new IllegalArgumentException("anomalies need k > 1, window >= 1 and 1 <= min_history_days <= window: k " + k.toPlainString()
                    + ", window " + windowDays + ", min_history_days " + minHistoryDays);
        }
    }
}
