package dev.apportion.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.YearMonth;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The completeness gate: {@code expected_sources} must cover every day of the period, else exit 1 or --preliminary. */
class CompletenessIT {
    static final YearMonth OCTOBER = YearMonth.of(2026, 10);

    @TempDir
    Path directory;

    private TestHome homeExpecting() throws Exception {
        TestHome test = TestHome.init(directory);
        String config = Files.readString(test.home.config());
        Files.writeString(test.home.config(), config + "\nexpected_sources:\n  acct-1: [focus, request-log]\n");
        return test;
    }

    @Test
    void close_gapsInExpectedSources_stopUnlessPreliminary() throws Exception {
        TestHome test = homeExpecting();
        // Invoice lines and requests on the 1st, 7th and 8th only.
        test.drop("october-invoice.csv", WorkedExampleIT.FOCUS_HEADER + ReconciliationIT.CLEAN_INVOICE);
        test.drop("october-requests.csv", ReconciliationIT.REQUEST_HEADER + ReconciliationIT.CLEAN_REQUESTS);

        assertThat(test.run("close", "--period", "2026-10", "--home", directory.toString())).isEqualTo(1);
        assertThat(test.lastErr).contains("Completeness gate failed for 2026-10: expected_sources are missing days:")
                .contains("acct-1 focus: no data on 2026-10-02, 2026-10-03, 2026-10-04, 2026-10-05, 2026-10-06, 2026-10-09,")
                .contains("acct-1 request-log: no data on 2026-10-02,")
                .contains("--preliminary");
        assertThat(test.home.close(OCTOBER, 1)).doesNotExist();

        assertThat(test.run("close", "--period", "2026-10", "--preliminary", "--home", directory.toString())).as(test.lastErr).isZero();
        JsonNode manifest = JsonMapper.builder().build().readTree(test.home.close(OCTOBER, 1).resolve("manifest.json").toFile());
        assertThat(manifest.path("status").asString()).isEqualTo("preliminary");
        assertThat(manifest.path("completeness").path("acct-1 focus").asString()).startsWith("2026-10-02, 2026-10-03").endsWith("2026-10-31");
        assertThat(test.run("status", "--home", directory.toString())).isZero();
        assertThat(test.lastOut).contains("preliminary");
    }

    @Test
    void close_everyDayCovered_isFinal() throws Exception {
        TestHome test = homeExpecting();
        StringBuilder requests = new StringBuilder(ReconciliationIT.REQUEST_HEADER);
        for (int day = 1; day <= 31; day++) {
            requests.append(ReconciliationIT.request("r" + day, "2026-10-%02dT12:00:00Z".formatted(day), "gpt-4o", 1000));
        }
        // One monthly line for the 31,000 tokens at 2.50 per million: it covers every day.
        test.drop("october-invoice.csv", WorkedExampleIT.FOCUS_HEADER + ReconciliationIT.inputLine(1, 31_000, "2.5")
                .replace("2026-10-02T00:00:00Z,2026-10-01T00:00:00Z", "2026-11-01T00:00:00Z,2026-10-01T00:00:00Z"));
        test.drop("october-requests.csv", requests.toString());

        assertThat(test.run("close", "--period", "2026-10", "--home", directory.toString())).as(test.lastErr).isZero();
        JsonNode manifest = JsonMapper.builder().build().readTree(test.home.close(OCTOBER, 1).resolve("manifest.json").toFile());
        assertThat(manifest.path("status").asString()).isEqualTo("final");
        assertThat(manifest.path("completeness").isEmpty()).isTrue();
    }

    @Test
    void close_unknownSourceFamily_isAUsageError() throws Exception {
        TestHome test = TestHome.init(directory);
        Files.writeString(test.home.config(), Files.readString(test.home.config()) + "\nexpected_sources:\n  acct-1: [focuss]\n");

        assertThat(test.run("close", "--period", "2026-10", "--home", directory.toString())).isEqualTo(2);
        assertThat(test.lastErr).contains("expected_sources.acct-1 names 'focuss', which is not a source family");
    }
}
