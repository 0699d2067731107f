package dev.apportion.sample;

import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The users of the demo product and the tenant each belongs to. Tenants get users in proportion to a Zipf
 * law, so that when users are drawn uniformly a few tenants dominate the month, as in a real SaaS bill.
 */
final class Population {
    static final int USERS = 2_000;
    static final int TENANTS = 40;
    // Exponent 1.1 puts roughly a quarter of all users in the largest tenant and about 1 % in the median one.
    private static final double ZIPF_EXPONENT = 1.1;

    private final String[] userIds = new String[USERS];
    private final String[] consumerIdOfUser = new String[USERS];

    Population(SplittableRandom random) {
        String[] tenantOfRank = tenantLabelsInRandomRankOrder(random);
        int[] usersOfRank = usersPerRank();
        int[] rankOfUser = new int[USERS];
        int next = 0;
        for (int rank = 0; rank < TENANTS; rank++) {
            for (int i = 0; i < usersOfRank[rank]; i++) {
                rankOfUser[next++] = rank;
            }
        }
        shuffle(rankOfUser, random);
        for (int user = 0; user < USERS; user++) {
            userIds[user] = String.format(Locale.ROOT, "user-%05d", user + 1);
            consumerIdOfUser[user] = tenantOfRank[rankOfUser[user]];
        }
    }

    String userId(int user) {
        return userIds[user];
    }

    /** {@code tenant:T-007}. */
    String consumerId(int user) {
        return consumerIdOfUser[user];
    }

    /** Largest-remainder split of the users over the tenant ranks, at least one user per tenant. */
    private static int[] usersPerRank() {
        double[] weights = new double[TENANTS];
        double total = 0;
        for (int rank = 0; rank < TENANTS; rank++) {
            weights[rank] = 1.0 / StrictMath.pow(rank + 1, ZIPF_EXPONENT);
            total += weights[rank];
        }
        int spare = USERS - TENANTS;
        int[] counts = new int[TENANTS];
        double[] remainders = new double[TENANTS];
        int assigned = 0;
        for (int rank = 0; rank < TENANTS; rank++) {
            double exact = spare * weights[rank] / total;
            counts[rank] = 1 + (int) exact;
            remainders[rank] = exact - (int) exact;
            assigned += counts[rank];
        }
        while (assigned < USERS) {
            int best = 0;
            for (int rank = 1; rank < TENANTS; rank++) {
                if (remainders[rank] > remainders[best]) {
                    best = rank;
                }
            }
            counts[best]++;
            remainders[best] = -1;
            assigned++;
        }
        return counts;
    }

    private static String[] tenantLabelsInRandomRankOrder(SplittableRandom random) {
        int[] numbers = new int[TENANTS];
        for (int i = 0; i < TENANTS; i++) {
            numbers[i] = i + 1;
        }
        shuffle(numbers, random);
        String[] labels = new String[TENANTS];
        for (int rank = 0; rank < TENANTS; rank++) {
            labels[rank] = String.format(Locale.ROOT, "tenant:T-%03d", numbers[rank]);
        }
        return labels;
    }

    private static void shuffle(int[] values, SplittableRandom random) {
        for (int i = values.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int swap = values[i];
            values[i] = values[j];
            values[j] = swap;
        }
    }
}
