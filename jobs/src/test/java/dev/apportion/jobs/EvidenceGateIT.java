package dev.apportion.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.YearMonth;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** {@code --require-complete-evidence}: a close with a row lacking its actor pair stops before publishing. */
class EvidenceGateIT {
    @TempDir
    Path directory;

    @Test
    void close_unattributedUsageWithRequireCompleteEvidence_stopsThenPublishesWithoutTheFlag() throws Exception {
        TestHome test = TestHome.init(directory);
        test.drop("october-invoice.csv", WorkedExampleIT.FOCUS_HEADER + ReconciliationIT.CLEAN_INVOICE);
        // The request of the 8th has no consumer: its usage is allocated to unattributed, without a ConsumerId.
        test.drop("october-requests.csv", ReconciliationIT.REQUEST_HEADER + ReconciliationIT.CLEAN_REQUESTS.replace(
                "r8,2026-10-08T00:00:00Z,openai,gpt-4o,acct-1,svc-1,tenant:T-1,", "r8,2026-10-08T00:00:00Z,openai,gpt-4o,acct-1,svc-1,,"));

        assertThat(test.run("close", "--period", "2026-10", "--require-complete-evidence", "--home", directory.toString())).isEqualTo(1);
        assertThat(test.lastErr).contains("Evidence incomplete for 2026-10: 1 FOCUS row(s) lack required evidence")
                .contains("1 row(s) insufficient:ConsumerId (e.g. row_");
        assertThat(test.home.close(YearMonth.of(2026, 10), 1)).doesNotExist();

        assertThat(test.run("close", "--period", "2026-10", "--home", directory.toString())).as(test.lastErr).isZero();
        JsonNode manifest = JsonMapper.builder().build().readTree(test.home.close(YearMonth.of(2026, 10), 1).resolve("manifest.json").toFile());
        assertThat(manifest.path("evidence").path("insufficient").asLong()).isEqualTo(1);
        assertThat(manifest.path("evidence").path("complete").asLong()).isEqualTo(2);
    }
}
