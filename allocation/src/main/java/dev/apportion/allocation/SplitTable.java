package dev.apportion.allocation;

import static java.util.Objects.requireNonNull;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * A fixed split table of {@code splits:} (DESIGN §8): effective-dated periods, each giving consumers
 * percentages with at most two decimals that sum to exactly 100.00. Periods are half-open, never overlap, and
 * an open end runs until the next period starts.
 */
public record SplitTable(String name, List<Period> periods) {
    private static final BigDecimal HUNDRED = new BigDecimal("100.00");
    private static final Set<String> PERIOD_KEYS = Set.of("effective_from", "effective_to", "shares");

    /** One effective-dated set of shares: from (inclusive) to (exclusive; null = until the next period or forever). */
    public record Period(Instant from, Instant to, Map<String, BigDecimal> shares) {
        public Period {
            requireNonNull(from, "from is null");
            shares = Map.copyOf(shares);
        }
    }

    /** A bounded part of a line's charge period and the shares in force during it. */
    public record Slice(Instant start, Instant end, Map<String, BigDecimal> shares) {
        public long seconds() {
            return Duration.between(start, end).toSeconds();
        }
    }

    public SplitTable {
        requireNonNull(name, "name is null");
        periods = List.copyOf(periods);
    }

    /** Parses one table; every problem names the table and the period. */
    static SplitTable parse(String name, JsonNode node) {
        if (node == null || !node.isArray() || node.isEmpty()) {
            throw new IllegalArgumentException("apportion.yml: split " + name + " must be a non-empty list of periods"
                    + " (effective_from, optional effective_to, shares)");
        }
        List<Period> periods = new ArrayList<>();
        int number = 0;
        for (JsonNode entry : node) {
            number++;
            String where = "apportion.yml: split " + name + " period " + number;
            if (!entry.isObject()) {
                throw new IllegalArgumentException(where + " must be a mapping with effective_from and shares");
            }
            for (String key : entry.propertyNames()) {
                if (!PERIOD_KEYS.contains(key)) {
                    throw new IllegalArgumentException(where + " has an unknown key '" + key + "' (effective_from, effective_to, shares)");
                }
            }
            Instant from = instant(entry.get("effective_from"), where + " effective_from");
            if (from == null) {
                throw new IllegalArgumentException(where + " has no effective_from");
            }
            Instant to = instant(entry.get("effective_to"), where + " effective_to");
            if (to != null && !to.isAfter(from)) {
                throw new IllegalArgumentException(where + ": effective_to " + to + " is not after effective_from " + from);
            }
            JsonNode sharesNode = entry.get("shares");
            if (sharesNode == null || !sharesNode.isObject() || sharesNode.isEmpty()) {
                throw new IllegalArgumentException(where + " has no shares (consumer: percent)");
            }
            Map<String, BigDecimal> shares = new LinkedHashMap<>();
            BigDecimal total = BigDecimal.ZERO;
            for (Map.Entry<String, JsonNode> share : sharesNode.properties()) {
                BigDecimal percent;
                try {
                    percent = share.getValue().isValueNode() ? new BigDecimal(share.getValue().asString().strip()) : null;
                } catch (NumberFormatException e) {
                    percent = null;
                }
                if (percent == null || percent.signum() < 0 || percent.stripTrailingZeros().scale() > 2) {
                    throw new IllegalArgumentException(where + ": the share of " + share.getKey()
                            + " must be a percentage >= 0 with at most two decimals, not '" + share.getValue().asString() + "'");
                }
                shares.put(share.getKey(), percent);
                total = total.add(percent);
            }
            if (total.compareTo(HUNDRED) != 0) {
                throw new IllegalArgumentException(where + ": the shares sum to " + total.stripTrailingZeros().toPlainString()
                        + ", not exactly 100.00");
            }
            periods.add(new Period(from, to, shares));
        }
        periods.sort(Comparator.comparing(Period::from));
        List<Period> bounded = new ArrayList<>();
        for (int i = 0; i < periods.size(); i++) {
            Period period = periods.get(i);
            Instant next = i + 1 < periods.size() ? periods.get(i + 1).from() : null;
            if (next != null && (period.from().equals(next) || period.to() != null && period.to().isAfter(next))) {
                throw new IllegalArgumentException("apportion.yml: split " + name + " has overlapping periods: one from "
                        + period.from() + (period.to() == null ? "" : " to " + period.to()) + ", the next from " + next);
            }
            bounded.add(new Period(period.from(), period.to() != null ? period.to() : next, period.shares()));
        }
        return new SplitTable(name, bounded);
    }

    /**
     * The slices of {@code [start, end)} with the shares in force in each, in time order.
     *
     * @throws IllegalArgumentException when part of the interval has no shares
     */
    public List<Slice> slices(Instant start, Instant end) {
        List<Slice> slices = new ArrayList<>();
        Instant covered = start;
        for (Period period : periods) {
            Instant from = period.from().isAfter(start) ? period.from() : start;
            Instant to = period.to() == null || period.to().isAfter(end) ? end : period.to();
            if (from.isBefore(to)) {
                if (from.isAfter(covered)) {
                    break;
                }
                slices.add(new Slice(from, to, period.shares()));
                covered = to;
            }
        }
        if (covered.isBefore(end)) {
            throw new IllegalArgumentException("split " + name + " has no shares from " + covered + " (needed until " + end + ")");
        }
        return slices;
    }

    private static Instant instant(JsonNode node, String where) {
        if (node == null || node.isNull()) {
            return null;
        }
        String text = node.asString().strip();
        try {
            return text.length() == 10 ? LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant() : Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(where + " must be a date (2026-10-15) or an instant (2026-10-15T00:00:00Z), not '" + text + "'");
        }
    }
}
