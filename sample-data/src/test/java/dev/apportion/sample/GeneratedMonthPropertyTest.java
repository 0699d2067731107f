package dev.apportion.sample;

import static org.assertj.core.api.Assertions.assertThat;

import dev.apportion.ledger.sample.GeneratedMonth;
import dev.apportion.ledger.sample.SampleMonthSpec;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.YearMonth;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Conservation and exact pricing must hold for every seed, month length and volume, not one lucky month. */
class GeneratedMonthPropertyTest {

    static Stream<Arguments> months() {
        return Stream.of(
                Arguments.of(YearMonth.of(2026, 10), 20_000L, 1L),
                Arguments.of(YearMonth.of(2028, 2), 15_000L, 2L),
                Arguments.of(YearMonth.of(2027, 2), 25_000L, -3L),
                Arguments.of(YearMonth.of(2026, 4), 12_000L, Long.MAX_VALUE),
                Arguments.of(YearMonth.of(2026, 12), 30_000L, 0L),
                Arguments.of(YearMonth.of(2027, 7), 40, 5L));
    }

    @ParameterizedTest
    @MethodSource("months")
    void generate_anyMonth_conservesTokensAndPricesExactly(YearMonth period, long requests, long seed,
                                                           @TempDir Path directory) throws IOException {
        GeneratedMonth month = new RealisticMonthGenerator().generate(new SampleMonthSpec(period, requests, seed), directory);
        MonthAudit audit = new MonthAudit(period, directory, month);

        assertThat(audit.requests.rows()).hasSize((int) requests);
        Map<MonthAudit.Cell, BigDecimal> excess = audit.excessShares();
        assertThat(excess.size()).isLessThanOrEqualTo(4);
        assertThat(excess).allSatisfy((cell, share) -> {
            assertThat(cell.tokenType()).isEqualTo("input_uncached");
            assertThat(share).isBetween(new BigDecimal("0.001"), new BigDecimal("0.003"));
        });
        assertThat(audit.varianceCost()).isLessThan(month.invoicedTotal().multiply(new BigDecimal("0.005")));
        audit.assertUsageLinesPricedExactly();
        assertThat(month.invoicedTotal()).isEqualByComparingTo(audit.billedTotal());
    }
}
