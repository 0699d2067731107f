package dev.apportion.sample;

import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;

/**
 * The request times of a month, produced in ascending order one at a time without holding them.
 *
 * <p>Sorted uniforms are drawn sequentially (the smallest of the {@code n - k} uniforms left above the
 * previous one is {@code 1 - (1 - previous) * V^(1 / (n - k))}) and then mapped through the inverse of the
 * month's cumulative traffic curve, an hourly histogram shaped by weekday, hour of day (UTC), a mild
 * growth through the month and seeded day-to-day noise. The count is exact and memory is constant.
 */
final class ArrivalTimes {
    private static final long MILLIS_PER_HOUR = 3_600_000L;

    private final long periodStartMillis;
    private final long periodEndMillis;
    private final double[] cumulative;
    private final SplittableRandom random;
    private final long total;
    private long issued;
    private double remaining = 1.0;
    private int hour;
    private long previousMillis;

    ArrivalTimes(YearMonth period, long total, SplittableRandom random) {
        this.periodStartMillis = period.atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
        this.periodEndMillis = period.plusMonths(1).atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
        this.cumulative = cumulativeHourlyWeights(period, random);
        this.random = random;
        this.total = total;
        this.previousMillis = periodStartMillis;
    }

    boolean hasNext() {
        return issued < total;
    }

    /** The next request time in epoch milliseconds: never before the previous one, always in the period. */
    long nextEpochMilli() {
        if (!hasNext()) {
            throw new NoSuchElementException("All %d request times of the month were issued".formatted(total));
        }
        long left = total - issued;
        issued++;
        remaining *= StrictMath.exp(StrictMath.log(Draws.openUnit(random)) / left);
        double target = (1.0 - remaining) * cumulative[cumulative.length - 1];
        int lastHour = cumulative.length - 2;
        while (hour < lastHour && cumulative[hour + 1] <= target) {
            hour++;
        }
        double withinHour = (target - cumulative[hour]) / (cumulative[hour + 1] - cumulative[hour]);
        long millis = periodStartMillis + hour * MILLIS_PER_HOUR + (long) (withinHour * MILLIS_PER_HOUR);
        // Rounding near a bucket edge must neither reorder two requests nor leave the period.
        millis = Math.min(Math.max(millis, previousMillis), periodEndMillis - 1);
        previousMillis = millis;
        return millis;
    }

    private static double[] cumulativeHourlyWeights(YearMonth period, SplittableRandom random) {
        int days = period.lengthOfMonth();
        double[] cumulative = new double[days * 24 + 1];
        for (int day = 0; day < days; day++) {
            LocalDate date = period.atDay(day + 1);
            double dayWeight = weekdayWeight(date.getDayOfWeek())
                    * (1.0 + 0.08 * day / days)
                    * Draws.between(random, 0.93, 1.07);
            for (int hourOfDay = 0; hourOfDay < 24; hourOfDay++) {
                int index = day * 24 + hourOfDay;
                cumulative[index + 1] = cumulative[index] + dayWeight * hourWeight(hourOfDay);
            }
        }
        return cumulative;
    }

    private static double weekdayWeight(DayOfWeek dayOfWeek) {
        return switch (dayOfWeek) {
            case SATURDAY -> 0.45;
            case SUNDAY -> 0.40;
            default -> 1.0;
        };
    }

    /** A night floor, the Americas-and-Europe business peak around 15:00 UTC and a smaller APAC one. */
    private static double hourWeight(int hourOfDay) {
        return 0.2 + bump(hourOfDay, 15, 3.5) + 0.3 * bump(hourOfDay, 3, 2.5);
    }

    private static double bump(int hourOfDay, int centre, double width) {
        int distance = Math.abs(hourOfDay - centre);
        distance = Math.min(distance, 24 - distance);
        return StrictMath.exp(-(distance * distance) / (2 * width * width));
    }
}
