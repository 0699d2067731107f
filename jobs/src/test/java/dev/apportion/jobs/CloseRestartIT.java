package dev.apportion.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.YearMonth;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A close that fails in a step is rerun with the same identifying parameters: it resumes at the failed
 * step (completed steps do not run again) and publishes the same content digest, without duplicate rows,
 * as an uninterrupted close of the same inputs in another home.
 */
class CloseRestartIT {
    static final YearMonth MAY = YearMonth.of(2026, 5);
    static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

    @TempDir
    Path directory;

    @Test
    void close_failedAtAllocate_resumesAndPublishesTheSameDigest() throws Exception {
        TestHome uninterrupted = homeWithMay(directory.resolve("uninterrupted"));
        assertThat(uninterrupted.run("close", "--period", "2026-05", "--accept-variance", "--home", uninterrupted.home.root().toString()))
                .as(uninterrupted.lastErr).isZero();

        TestHome restarted = homeWithMay(directory.resolve("restarted"));
        AtomicInteger stages = new AtomicInteger();
        CloseJobConfiguration.StageHook failAtThirdStage = () -> {
            if (stages.incrementAndGet() == 3) {
                throw new IllegalStateException("injected failure before allocate");
            }
        };
        assertThatThrownBy(() -> CloseRunner.close(restarted.home, MAY, "focus-1.4", new CloseOptions(true, false), TestHome.CLOCK, QUIET, failAtThirdStage))
                .hasMessageContaining("ended FAILED");
        assertThat(restarted.home.close(MAY, 1)).doesNotExist();

        AtomicInteger resumedStages = new AtomicInteger();
        CloseRunner.close(restarted.home, MAY, "focus-1.4", new CloseOptions(true, false), TestHome.CLOCK, QUIET, resumedStages::incrementAndGet);

        assertThat(resumedStages.get()).as("allocate, export, report and publish run again; price and reconcile do not").isEqualTo(4);
        JsonNode expected = manifest(uninterrupted);
        JsonNode actual = manifest(restarted);
        assertThat(actual.path("contentDigest").asString()).isEqualTo(expected.path("contentDigest").asString());
        assertThat(actual.path("merkleRoot").asString()).isEqualTo(expected.path("merkleRoot").asString());
        assertThat(actual.path("totals")).isEqualTo(expected.path("totals"));
        String focus = "'" + restarted.home.close(MAY, 1).resolve("focus/cost-and-usage.parquet") + "'";
        assertThat(TestHome.query("SELECT count(*) - count(DISTINCT x_AllocationRowId) FROM read_parquet(" + focus + ")").get(0).get(0))
                .isEqualTo(0L);
        assertThat(restarted.run("verify", "--period", "2026-05", "--home", restarted.home.root().toString())).isZero();
        assertThat(restarted.home.closeWork(MAY, 1)).doesNotExist();
    }

    @Test
    void close_afterAKilledRun_recoversTheAbandonedExecutionAndFinishes() throws Exception {
        TestHome test = homeWithMay(directory);
        AtomicInteger stages = new AtomicInteger();
        assertThatThrownBy(() -> CloseRunner.close(test.home, MAY, "focus-1.4", new CloseOptions(true, false), TestHome.CLOCK, QUIET, () -> {
            if (stages.incrementAndGet() == 4) {
                throw new IllegalStateException("injected failure before export");
            }
        })).hasMessageContaining("ended FAILED");
        // What a SIGKILL leaves in the job repository: the execution and its step still marked as running.
        try (java.sql.Connection h2 = java.sql.DriverManager.getConnection(
                "jdbc:h2:file:" + test.home.jobRepository().resolve("batch"), "apportion", "");
             java.sql.Statement statement = h2.createStatement()) {
            statement.executeUpdate("UPDATE BATCH_JOB_EXECUTION SET STATUS = 'STARTED', EXIT_CODE = 'UNKNOWN', END_TIME = NULL");
            statement.executeUpdate("UPDATE BATCH_STEP_EXECUTION SET STATUS = 'STARTED', EXIT_CODE = 'EXECUTING', END_TIME = NULL WHERE STEP_NAME = 'export'");
        }
        Path halfWritten = test.home.closeWork(MAY, 1).resolve("out/focus/.tmp-cost-and-usage.parquet-999");
        Files.createDirectories(halfWritten.getParent());
        Files.writeString(halfWritten, "half a file");

        assertThat(test.run("close", "--period", "2026-05", "--accept-variance", "--home", directory.toString())).as(test.lastErr).isZero();

        assertThat(test.lastErr).contains("recovering execution");
        assertThat(test.run("verify", "--period", "2026-05", "--home", directory.toString())).as(test.lastErr).isZero();
        try (var files = Files.walk(test.home.close(MAY, 1))) {
            assertThat(files.map(path -> path.getFileName().toString())).noneMatch(name -> name.startsWith(".tmp-"));
        }
    }

    @Test
    void close_sameInputsAgain_isUnchangedAndWritesNothing() throws Exception {
        TestHome test = homeWithMay(directory);
        assertThat(test.run("close", "--period", "2026-05", "--accept-variance", "--home", directory.toString())).isZero();
        byte[] manifest = Files.readAllBytes(test.home.close(MAY, 1).resolve("manifest.json"));

        assertThat(test.run("close", "--period", "2026-05", "--accept-variance", "--home", directory.toString())).isZero();

        assertThat(test.lastOut).contains("unchanged");
        assertThat(Files.readAllBytes(test.home.close(MAY, 1).resolve("manifest.json"))).isEqualTo(manifest);
        assertThat(test.home.close(MAY, 2)).doesNotExist();
    }

    @Test
    void verify_tamperedRow_fails() throws Exception {
        TestHome test = homeWithMay(directory);
        assertThat(test.run("close", "--period", "2026-05", "--accept-variance", "--home", directory.toString())).isZero();
        Path focus = test.home.close(MAY, 1).resolve("focus/cost-and-usage.parquet");
        focus.toFile().setWritable(true);
        TestHome.execute("COPY (SELECT * REPLACE (BilledCost + 0.01 AS BilledCost) FROM read_parquet('" + focus + "')) TO '"
                + focus + ".tampered' (FORMAT parquet)");
        Files.move(Path.of(focus + ".tampered"), focus, java.nio.file.StandardCopyOption.REPLACE_EXISTING);

        assertThat(test.run("verify", "--period", "2026-05", "--home", directory.toString())).isEqualTo(1);

        assertThat(test.lastErr).contains("checksum differs for focus/cost-and-usage.parquet");
    }

    private static TestHome homeWithMay(Path root) throws Exception {
        Files.createDirectories(root);
        TestHome test = TestHome.init(root);
        test.drop("may-invoice.csv", WorkedExampleIT.INVOICE);
        test.drop("may-requests.csv", WorkedExampleIT.REQUESTS);
        return test;
    }

    private static JsonNode manifest(TestHome test) throws Exception {
        return JsonMapper.builder().build().readTree(Files.readAllBytes(test.home.close(MAY, 1).resolve("manifest.json")));
    }
}
