package dev.apportion.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line's contract: --home before or after the command, exit codes, one-line messages. */
class CommandLineIT {
    @TempDir
    Path directory;

    @Test
    void home_beforeOrAfterTheCommand_isAccepted() throws Exception {
        TestHome test = TestHome.init(directory);
        assertThat(test.run("--home", directory.toString(), "ingest")).as(test.lastErr).isZero();
        assertThat(test.run("ingest", "--home", directory.toString())).as(test.lastErr).isZero();
    }

    @Test
    void ingest_file_copiesItInAndIngestsIt() throws Exception {
        TestHome test = TestHome.init(directory.resolve("home"));
        Path outside = java.nio.file.Files.writeString(directory.resolve("requests.csv"),
                "request_id,occurred_at,provider,model,input_tokens,output_tokens\nr1,2026-05-01T00:00:00Z,openai,gpt-4o,10,1\n");

        assertThat(test.run("ingest", "--file", outside.toString(), "--home", test.home.root().toString())).as(test.lastErr).isZero();

        assertThat(test.lastOut).contains("ingested 1");
        assertThat(outside).exists();
        assertThat(test.home.inbox()).isEmptyDirectory();
    }

    @Test
    void writer_whileAnotherHoldsTheLock_exitsThree() throws Exception {
        TestHome test = TestHome.init(directory);
        try (HomeLock held = HomeLock.acquire(test.home, 0, TestHome.CLOCK)) {
            assertThat(test.run("ingest", "--home", directory.toString())).isEqualTo(3);
            assertThat(test.lastErr).contains("locked").doesNotContain("Exception");
        }
        assertThat(test.run("ingest", "--home", directory.toString())).isZero();
    }

    @Test
    void directoryWithoutConfig_isRefusedWithExitTwo() {
        TestHome test = TestHome.uninitialised(directory);
        assertThat(test.run("close", "--period", "2026-05", "--home", directory.toString())).isEqualTo(2);
        assertThat(test.lastErr).contains("not an Apportion home");
    }

    @Test
    void help_everyCommand_printsUsageAndExitsZero() {
        TestHome test = TestHome.uninitialised(directory);
        for (String command : new String[] {"init", "ingest", "close", "verify", "status", "dispute", "report", "anomalies", "prices", "rules",
                "explain", "demo", "bench"}) {
            assertThat(test.run(command, "--help")).isZero();
            assertThat(test.lastOut).contains("Usage: apportion " + command);
        }
    }

    @Test
    void verify_unknownPeriod_failsTheGate() throws Exception {
        TestHome test = TestHome.init(directory);
        assertThat(test.run("verify", "--period", "2026-01", "--home", directory.toString())).isEqualTo(1);
        assertThat(test.lastErr).contains("no published close");
    }
}
