package dev.apportion.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A smoke run of {@code apportion bench}: the command works end to end and prints sane figures. It never asserts
 * a time; the targets live in the README's measurements.
 */
class BenchIT {
    @TempDir
    Path directory;

    @Test
    void bench_smallMonthInBothFormats_reportsEveryStageTheFloorAndAVerifiedClose() throws Exception {
        JsonNode first = bench("--requests", "10000", "--formats", "csv,parquet", "--dir", directory.toString(), "--json");

        assertThat(first.path("requests").asLong()).isEqualTo(10_000);
        assertThat(first.path("generateSeconds").asDouble()).isPositive();
        assertThat(first.path("runs")).hasSize(2);
        for (JsonNode run : first.path("runs")) {
            assertThat(run.path("stages").findValuesAsString("name"))
                    .containsExactly("ingest", "price", "reconcile", "allocate", "export", "report", "publish");
            for (JsonNode stage : run.path("stages")) {
                assertThat(stage.path("seconds").asDouble()).as(stage.toString()).isPositive();
                assertThat(stage.path("rowsPerSecond").asLong()).as(stage.toString()).isPositive();
            }
            double stages = 0;
            for (JsonNode stage : run.path("stages")) {
                stages += stage.path("seconds").asDouble();
            }
            assertThat(run.path("close").path("seconds").asDouble()).isGreaterThanOrEqualTo(stages);
            assertThat(run.path("floor").path("seconds").asDouble()).isPositive();
            assertThat(run.path("floor").path("groups").asLong()).isPositive();
            assertThat(run.path("closeOverFloor").asDouble()).isPositive();
            assertThat(run.path("verified").asBoolean()).isTrue();
            assertThat(run.path("contentDigest").asString()).matches("[0-9a-f]{64}");
            if (System.getProperty("os.name").startsWith("Linux")) {
                assertThat(run.path("close").path("peakRssBytes").asLong()).isGreaterThan(50L << 20);
            }
        }
        // Both formats carry the same requests, so the floor finds the same groups.
        List<Long> groups = first.path("runs").findValues("groups").stream().map(JsonNode::asLong).toList();
        assertThat(groups.get(0)).isEqualTo(groups.get(1));
        // The same month's close from either log format: the same rows, so the same content digest.
        List<String> digests = first.path("runs").findValuesAsString("contentDigest");
        assertThat(digests.get(0)).isEqualTo(digests.get(1));

        JsonNode again = bench("--requests", "10000", "--formats", "csv", "--dir", directory.toString(), "--json");

        assertThat(again.path("generateSeconds").asDouble()).as("the month is reused").isZero();
        assertThat(again.path("runs").get(0).path("floor").path("groups").asLong()).isEqualTo(groups.get(0));
        assertThat(again.path("runs").get(0).path("contentDigest").asString()).as("the same month closes the same").isEqualTo(digests.get(0));
    }

    private static JsonNode bench(String... args) {
        String[] command = new String[args.length + 1];
        command[0] = "bench";
        System.arraycopy(args, 0, command, 1, args.length);
        Cli.Result result = Cli.run(Clock.systemUTC(), command);
        assertThat(result.code()).as(result.err()).isZero();
        return JsonMapper.builder().build().readTree(result.out());
    }
}
