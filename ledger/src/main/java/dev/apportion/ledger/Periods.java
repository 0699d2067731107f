package dev.apportion.ledger;

import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;

/** Billing periods are calendar months in UTC, half-open {@code [start, end)}. */
public final class Periods {
    private Periods() {
    }

    public static Instant start(YearMonth period) {
        return period.atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant();
    }

    public static Instant end(YearMonth period) {
        return start(period.plusMonths(1));
    }

    /** Parses {@code YYYY-MM}, with a message naming the bad value. */
    public static YearMonth parse(String text) {
        try {
            return YearMonth.parse(text);
        } catch (java.time.format.DateTimeParseException e) {
            throw new IllegalArgumentException("Not a period (YYYY-MM): '" + text + "'", e);
        }
    }
}
