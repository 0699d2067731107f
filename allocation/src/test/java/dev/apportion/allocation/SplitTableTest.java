package dev.apportion.allocation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/** Split tables: effective-dated, exactly 100.00 at every instant, never overlapping, sliced per line period. */
class SplitTableTest {
    private static JsonNode yaml(String text) {
        return YAMLMapper.builder().build().readTree(text);
    }

    @Test
    void slices_changeOnTheFifteenth_givesTwoBoundedPeriods() {
        SplitTable table = SplitTable.parse("gpu", yaml("""
                - effective_from: 2026-10-15
                  shares: { a: 10.00, b: 90.00 }
                - effective_from: 2026-10-01
                  shares: { a: 5, b: 95 }
                """));

        List<SplitTable.Slice> slices = table.slices(Instant.parse("2026-10-01T00:00:00Z"), Instant.parse("2026-11-01T00:00:00Z"));

        assertThat(slices).hasSize(2);
        assertThat(slices.get(0).end()).isEqualTo(Instant.parse("2026-10-15T00:00:00Z"));
        assertThat(slices.get(0).seconds()).isEqualTo(14 * 86_400L);
        assertThat(slices.get(0).shares().get("a")).isEqualByComparingTo("5");
        assertThat(slices.get(1).seconds()).isEqualTo(17 * 86_400L);
        assertThat(slices.get(1).shares().get("b")).isEqualByComparingTo(new BigDecimal("90"));
    }

    @Test
    void parse_badTables_areRefusedWithTheTableAndPeriod() {
        assertThatThrownBy(() -> SplitTable.parse("t", yaml("- { effective_from: 2026-10-01, shares: { a: 50.005, b: 49.995 } }")))
                .hasMessageContaining("split t period 1: the share of a must be a percentage >= 0 with at most two decimals");
        assertThatThrownBy(() -> SplitTable.parse("t", yaml("- { effective_from: 2026-10-01, shares: { a: 50, b: 49.99 } }")))
                .hasMessageContaining("split t period 1: the shares sum to 99.99, not exactly 100.00");
        assertThatThrownBy(() -> SplitTable.parse("t", yaml("""
                - { effective_from: 2026-10-01, effective_to: 2026-10-20, shares: { a: 100 } }
                - { effective_from: 2026-10-15, shares: { a: 100 } }
                """))).hasMessageContaining("split t has overlapping periods");
        assertThatThrownBy(() -> SplitTable.parse("t", yaml("- { effective_from: 2026-10-01, share: { a: 100 } }")))
                .hasMessageContaining("unknown key 'share'");
    }

    @Test
    void slices_gapInsideTheLine_isAnErrorNamingTheInstant() {
        SplitTable table = SplitTable.parse("t", yaml("""
                - { effective_from: 2026-10-01, effective_to: 2026-10-10, shares: { a: 100 } }
                - { effective_from: 2026-10-20, shares: { a: 100 } }
                """));

        assertThatThrownBy(() -> table.slices(Instant.parse("2026-10-01T00:00:00Z"), Instant.parse("2026-11-01T00:00:00Z")))
                .hasMessageContaining("split t has no shares from 2026-10-10T00:00:00Z");
    }
}
