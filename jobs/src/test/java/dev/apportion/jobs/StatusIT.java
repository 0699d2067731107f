package dev.apportion.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** {@code apportion status}: every close with its versions, gates and fingerprint; unfinished closes too. */
class StatusIT {
    @TempDir
    Path directory;

    @Test
    void status_publishedAndUnfinishedCloses_areListedWithGatesAndFingerprint() throws Exception {
        TestHome test = TestHome.init(directory);
        assertThat(test.run("status", "--home", directory.toString())).isZero();
        assertThat(test.lastOut).startsWith("no closes yet");

        test.drop("october-invoice.csv", WorkedExampleIT.FOCUS_HEADER + ReconciliationIT.CLEAN_INVOICE);
        test.drop("october-requests.csv", ReconciliationIT.REQUEST_HEADER + ReconciliationIT.CLEAN_REQUESTS);
        assertThat(test.run("close", "--period", "2026-10", "--home", directory.toString())).as(test.lastErr).isZero();
        // May's close stops at the reconciliation gate (the worked example's price is not gpt-4o's): unfinished.
        test.drop("may-invoice.csv", WorkedExampleIT.INVOICE);
        test.drop("may-requests.csv", WorkedExampleIT.REQUESTS);
        assertThat(test.run("close", "--period", "2026-05", "--home", directory.toString())).isEqualTo(1);

        assertThat(test.run("status", "--json", "--home", directory.toString())).as(test.lastErr).isZero();
        JsonNode status = JsonMapper.builder().build().readTree(test.lastOut);
        JsonNode manifest = JsonMapper.builder().build().readTree(Files.readString(
                test.home.close(java.time.YearMonth.of(2026, 10), 1).resolve("manifest.json")));
        JsonNode may = status.path("closes").get(0);
        JsonNode october = status.path("closes").get(1);
        assertThat(may.path("period").asString()).isEqualTo("2026-05");
        assertThat(may.path("versions")).isEmpty();
        assertThat(may.path("unfinished").get(0).asString()).isEqualTo("v1");
        assertThat(october.path("current").asString()).isEqualTo("v1");
        JsonNode v1 = october.path("versions").get(0);
        assertThat(v1.path("status").asString()).isEqualTo("final");
        assertThat(v1.path("current").asBoolean()).isTrue();
        assertThat(v1.path("billedCost").asString()).isEqualTo("4.5");
        assertThat(v1.path("currency").asString()).isEqualTo("USD");
        assertThat(v1.path("fingerprint").asString()).isEqualTo(manifest.path("fingerprint").asString()).hasSize(64);
        assertThat(v1.path("reconciliationGate").path("passed").asBoolean()).isTrue();
        assertThat(v1.path("evidence").path("complete").asLong()).isEqualTo(3);

        assertThat(test.run("status", "--home", directory.toString())).isZero();
        assertThat(test.lastOut).contains("2026-05  v1       unfinished   rerun 'apportion close --period 2026-05' to finish it")
                .containsPattern("2026-10  v1\\* +final +\\S+ +4\\.5 USD +passed \\(0\\) +3 / 0 +[0-9a-f]{64}");
    }
}
