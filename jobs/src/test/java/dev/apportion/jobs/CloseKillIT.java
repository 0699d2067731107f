package dev.apportion.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Closes in child JVMs killed with SIGKILL (DESIGN §10, §11.5), and the writer lock between processes (DESIGN §4):
 * a close killed at any step boundary, or in the middle of writing its outputs, is rerun with the same command
 * and publishes exactly what an uninterrupted close publishes; a second writer exits 3 while read-only
 * commands keep working.
 */
class CloseKillIT {
    static final YearMonth OCTOBER = YearMonth.of(2026, 10);
    static final int CONSUMERS = 150;

    @TempDir
    static Path directory;

    static JsonNode uninterrupted;

    @BeforeAll
    static void closeWithoutInterruption() throws Exception {
        TestHome test = homeWithOctober(directory.resolve("uninterrupted"));
        assertThat(test.run("close", "--period", "2026-10", "--home", test.home.root().toString())).as(test.lastErr).isZero();
        uninterrupted = manifest(test);
        assertThat(uninterrupted.path("totals").toString()).contains("\"billedCost\":\"11.625\"");
    }

    @ParameterizedTest(name = "killed before stage {0}")
    @ValueSource(ints = {1, 2, 3, 4, 5, 6})
    void close_killedAtAStepBoundary_rerunPublishesTheSameDigest(int stage) throws Exception {
        TestHome test = homeWithOctober(directory.resolve("boundary-" + stage));
        Child child = Child.killableClose(test, stage, false);
        child.await("paused");

        child.kill();

        assertThat(test.home.close(OCTOBER, 1)).doesNotExist();
        assertThat(test.run("close", "--period", "2026-10", "--home", test.home.root().toString())).as(test.lastErr).isZero();
        assertThat(test.lastErr).contains("recovering execution");
        assertSameAsUninterrupted(test);
    }

    @Test
    void close_killedWhileExportWritesItsFiles_rerunPublishesTheSameDigest() throws Exception {
        TestHome test = homeWithOctober(directory.resolve("mid-export"));
        Path out = test.home.closeWork(OCTOBER, 1).resolve("out");
        Child child = Child.killableClose(test, 0, false);
        child.await("stage 4");

        // SIGKILL as soon as the export has begun writing: some of its files exist, some are still temporaries.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!anyFile(out)) {
            assertThat(System.nanoTime()).as("export never wrote").isLessThan(deadline);
            Thread.onSpinWait();
        }
        child.kill();

        assertThat(child.lines()).contains("stage 4").doesNotContain("stage 5");
        assertThat(test.home.close(OCTOBER, 1)).doesNotExist();
        assertThat(test.run("close", "--period", "2026-10", "--home", test.home.root().toString())).as(test.lastErr).isZero();
        assertSameAsUninterrupted(test);
    }

    @Test
    void close_twoStartedTogether_oneRunsAndTheOtherExits3() throws Exception {
        TestHome test = homeWithOctober(directory.resolve("together"));
        Child first = Child.command(test, "close", "--period", "2026-10", "--home", test.home.root().toString());
        Child second = Child.command(test, "close", "--period", "2026-10", "--home", test.home.root().toString());

        List<Integer> codes = new ArrayList<>(List.of(first.exitCode(), second.exitCode()));

        assertThat(codes).containsExactlyInAnyOrder(0, 3);
        Child loser = codes.get(0) == 3 ? first : second;
        assertThat(loser.stderr()).contains("apportion: The home " + test.home.root() + " is locked by another writer");
        assertSameAsUninterrupted(test);
    }

    @Test
    void readOnlyCommands_workWhileAnotherProcessCloses_writersExit3() throws Exception {
        TestHome test = homeWithOctober(directory.resolve("busy"));
        assertThat(test.run("close", "--period", "2026-10", "--home", test.home.root().toString())).as(test.lastErr).isZero();
        test.drop("october-restated.csv", WorkedExampleIT.FOCUS_HEADER + invoice().replace("gpt-4o:input:9\n", "gpt-4o:input:9x\n"));
        Child child = Child.killableClose(test, 3, true);
        child.await("paused");
        String home = test.home.root().toString();

        assertThat(test.run("verify", "--period", "2026-10", "--home", home)).as(test.lastErr).isZero();
        assertThat(test.run("status", "--home", home)).as(test.lastErr).isZero();
        assertThat(test.lastOut).contains("2026-10").contains("v1*");
        assertThat(test.run("dispute", "--period", "2026-10", "--consumer", "tenant:T-7", "--home", home)).as(test.lastErr).isZero();
        assertThat(test.run("close", "--period", "2026-10", "--home", home)).isEqualTo(3);
        assertThat(test.lastErr).contains("is locked by another writer");
        assertThat(test.run("ingest", "--home", home)).isEqualTo(3);

        child.kill();
        assertThat(test.run("close", "--period", "2026-10", "--republish", "--home", home)).as(test.lastErr).isZero();
        assertThat(Files.readString(test.home.currentVersionFile(OCTOBER)).strip()).isEqualTo("v2");
        assertThat(test.run("verify", "--period", "2026-10", "--home", home)).as(test.lastErr).isZero();
    }

    private static void assertSameAsUninterrupted(TestHome test) throws Exception {
        JsonNode manifest = manifest(test);
        assertThat(manifest.path("contentDigest").asString()).isEqualTo(uninterrupted.path("contentDigest").asString());
        assertThat(manifest.path("merkleRoot").asString()).isEqualTo(uninterrupted.path("merkleRoot").asString());
        assertThat(manifest.path("totals")).isEqualTo(uninterrupted.path("totals"));
        Path focus = test.home.close(OCTOBER, 1).resolve("focus/cost-and-usage.parquet");
        assertThat(TestHome.query("SELECT count(*), count(DISTINCT x_AllocationRowId) FROM read_parquet('" + focus + "')").get(0))
                .containsExactly((long) 31 * CONSUMERS, (long) 31 * CONSUMERS);
        assertThat(test.run("verify", "--period", "2026-10", "--home", test.home.root().toString())).as(test.lastErr).isZero();
        assertThat(test.home.closeWork(OCTOBER, 1)).doesNotExist();
        try (Stream<Path> files = Files.walk(test.home.root())) {
            assertThat(files.map(path -> path.getFileName().toString())).noneMatch(name -> name.startsWith(".tmp-"));
        }
    }

    /** 31 daily gpt-4o input lines; each day every consumer logs one request of 1,000 tokens. */
    private static TestHome homeWithOctober(Path root) throws IOException {
        Files.createDirectories(root);
        TestHome test = TestHome.init(root);
        StringBuilder requests = new StringBuilder(ReconciliationIT.REQUEST_HEADER);
        for (int day = 1; day <= 31; day++) {
            for (int consumer = 1; consumer <= CONSUMERS; consumer++) {
                requests.append(ReconciliationIT.request("r-" + day + "-" + consumer, "2026-10-%02dT12:00:00Z".formatted(day), "gpt-4o", 1_000)
                        .replace("tenant:T-1,", "tenant:T-" + consumer + ","));
            }
        }
        test.drop("october-invoice.csv", WorkedExampleIT.FOCUS_HEADER + invoice());
        test.drop("october-requests.csv", requests.toString());
        return test;
    }

    private static String invoice() {
        StringBuilder lines = new StringBuilder();
        for (int day = 1; day <= 31; day++) {
            lines.append(ReconciliationIT.inputLine(day, 1_000L * CONSUMERS, "2.5"));
        }
        return lines.toString();
    }

    private static boolean anyFile(Path directory) throws IOException {
        if (!Files.isDirectory(directory)) {
            return false;
        }
        try (Stream<Path> files = Files.walk(directory)) {
            return files.anyMatch(Files::isRegularFile);
        } catch (java.io.UncheckedIOException | IOException raced) {
            return false;
        }
    }

    private static JsonNode manifest(TestHome test) throws IOException {
        return JsonMapper.builder().build().readTree(Files.readAllBytes(test.home.close(OCTOBER, 1).resolve("manifest.json")));
    }

    /** A child JVM on this test's class path; its stdout lines are collected, its stderr kept in a file. */
    private static final class Child {
        private final Process process;
        private final BlockingQueue<String> pending = new LinkedBlockingQueue<>();
        private final List<String> lines = new ArrayList<>();
        private final Path stderr;

        private Child(Process process, Path stderr) {
            this.process = process;
            this.stderr = stderr;
            Thread reader = new Thread(() -> {
                try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line = out.readLine(); line != null; line = out.readLine()) {
                        pending.add(line);
                    }
                } catch (IOException ignored) {
                    // The child was killed; what it printed before is in the queue.
                }
            });
            reader.setDaemon(true);
            reader.start();
        }

        static Child killableClose(TestHome test, int pauseAt, boolean republish) throws IOException {
            List<String> arguments = new ArrayList<>(List.of(KillableClose.class.getName(), test.home.root().toString(), "2026-10",
                    String.valueOf(pauseAt)));
            if (republish) {
                arguments.add("--republish");
            }
            return start(test, arguments);
        }

        static Child command(TestHome test, String... arguments) throws IOException {
            List<String> command = new ArrayList<>(List.of(Apportion.class.getName()));
            command.addAll(List.of(arguments));
            return start(test, command);
        }

        private static Child start(TestHome test, List<String> mainAndArguments) throws IOException {
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "--add-opens=java.base/java.nio=ALL-UNNAMED", "-Xmx1g", "-cp", System.getProperty("java.class.path")));
            command.addAll(mainAndArguments);
            Path stderr = Files.createTempFile(test.home.root().getParent(), "child-", ".err");
            return new Child(new ProcessBuilder(command).redirectError(stderr.toFile()).start(), stderr);
        }

        void await(String expected) throws Exception {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (System.nanoTime() < deadline) {
                String line = pending.poll(100, TimeUnit.MILLISECONDS);
                if (line != null) {
                    lines.add(line);
                    if (line.equals(expected)) {
                        return;
                    }
                } else if (!process.isAlive()) {
                    throw new AssertionError("the child ended (exit " + process.exitValue() + ") before printing '" + expected
                            + "'; it printed " + lines + " and on stderr:\n" + stderr());
                }
            }
            throw new AssertionError("the child did not print '" + expected + "' within 120 s; it printed " + lines);
        }

        /** SIGKILL: no shutdown hooks, no finally blocks, locks and files left as they are. */
        void kill() throws Exception {
            process.destroyForcibly();
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
            pending.drainTo(lines);
        }

        int exitCode() throws Exception {
            assertThat(process.waitFor(180, TimeUnit.SECONDS)).as("the child finished").isTrue();
            return process.exitValue();
        }

        List<String> lines() {
            pending.drainTo(lines);
            return lines;
        }

        String stderr() throws IOException {
            return Files.readString(stderr);
        }
    }
}
