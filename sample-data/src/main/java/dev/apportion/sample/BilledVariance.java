package dev.apportion.sample;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Uncached input tokens a provider billed on one (day, model) cell beyond what the request log holds:
 * traffic that bypassed the gateway. Reconciliation must find exactly these cells.
 */
record BilledVariance(int day, OracleModel model, long extraTokens) {
    /** Cells per provider that get a variance. */
    static final int CELLS_PER_PROVIDER = 2;
    // Inside the promised 0.1 %–0.3 % with room for rounding to whole tokens.
    private static final double MIN_SHARE = 0.0011;
    private static final double MAX_SHARE = 0.0029;
    // Below this a whole-token excess could not land inside 0.1 %–0.3 %.
    private static final long MIN_CELL_TOKENS = 10_000;

    BilledVariance {
        requireNonNull(model, "model is null");
        if (extraTokens <= 0) {
            throw new IllegalArgumentException("extraTokens must be positive: " + extraTokens);
        }
    }

    /**
     * Picks up to {@link #CELLS_PER_PROVIDER} distinct (day, model) cells of the provider among those with at
     * least 10,000 uncached input tokens (fewer when the month is too small to have them).
     */
    static List<BilledVariance> choose(Provider provider, UsageTotals totals, SplittableRandom random) {
        List<Cell> candidates = new ArrayList<>();
        for (int day = 0; day < totals.days(); day++) {
            for (OracleModel model : OracleModel.values()) {
                if (model.provider() == provider
                        && totals.quantity(day, model, TokenType.INPUT_UNCACHED) >= MIN_CELL_TOKENS) {
                    candidates.add(new Cell(day, model));
                }
            }
        }
        List<BilledVariance> chosen = new ArrayList<>();
        while (chosen.size() < CELLS_PER_PROVIDER && !candidates.isEmpty()) {
            Cell cell = candidates.remove(random.nextInt(candidates.size()));
            long logged = totals.quantity(cell.day(), cell.model(), TokenType.INPUT_UNCACHED);
            long extra = StrictMath.round(logged * Draws.between(random, MIN_SHARE, MAX_SHARE));
            chosen.add(new BilledVariance(cell.day(), cell.model(), extra));
        }
        return List.copyOf(chosen);
    }

    private record Cell(int day, OracleModel model) {
    }
}
