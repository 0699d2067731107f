package dev.apportion.sample;

import static org.assertj.core.api.Assertions.assertThat;

import dev.apportion.ledger.Home;
import dev.apportion.ledger.Sha256;
import java.sql.SQLException;
import java.util.ArrayList;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.YearMonth;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code apportion dispute} over a generated month: every consumer's published rows are reproduced from the
 * archive; an altered published row, or an altered archived input, is found and named.
 */
class DisputeIT {
    static final YearMonth OCTOBER = YearMonth.of(2026, 10);

    @TempDir
    static Path directory;

    static TestHome month;
    static List<String> consumers;

    @BeforeAll
    static void closeAGeneratedMonth() throws Exception {
        month = TestHome.uninitialised(directory.resolve("month"));
        assertThat(month.run("demo", "--requests", "800", "--home", month.home.root().toString())).as(month.lastErr).isZero();
        consumers = TestHome.query("SELECT DISTINCT AllocatedResourceId FROM read_parquet('" + focus(month) + "') "
                + "WHERE AllocatedResourceId IS NOT NULL ORDER BY 1").stream().map(row -> (String) row.get(0)).toList();
        assertThat(consumers).hasSizeGreaterThan(3);
    }

    @Test
    void dispute_everyConsumerOfAGeneratedMonth_isReproducedWithoutWritingTheClose() throws Exception {
        Map<String, String> before = checksums(month.home.root(), "closes", "archive", "state");

        List<String> arguments = new ArrayList<>(List.of("dispute", "--period", "2026-10", "--home", month.home.root().toString()));
        consumers.forEach(consumer -> arguments.addAll(List.of("--consumer", consumer)));
        // One recomputation serves every consumer named; each is compared and gets its own folder.
        assertThat(month.run(arguments.toArray(String[]::new))).as(month.lastErr).isZero();

        for (String consumer : consumers) {
            assertThat(month.lastOut).contains("reproduced " + consumer + " in 2026-10 v1: ");
            assertThat(month.home.disputes(OCTOBER, consumer)).isDirectory();
        }

        assertThat(checksums(month.home.root(), "closes", "archive", "state")).isEqualTo(before);
        Path first = month.home.disputes(OCTOBER, consumers.get(0));
        try (Stream<Path> runs = Files.list(first)) {
            Path run = runs.findFirst().orElseThrow();
            JsonNode dispute = JsonMapper.builder().build().readTree(Files.readAllBytes(run.resolve("dispute.json")));
            assertThat(dispute.path("result").asString()).isEqualTo("reproduced");
            long rows = (Long) TestHome.query("SELECT count(*) FROM read_parquet('" + focus(month) + "') WHERE AllocatedResourceId = '"
                    + consumers.get(0) + "'").get(0).get(0);
            assertThat(dispute.path("rowsCompared").asLong()).isEqualTo(rows);
            // Every row of the consumer has its trail, and the recomputed origin lines carry every consumer's rows.
            long trails = 0;
            for (JsonNode line : dispute.path("originLines")) {
                trails += line.path("rows").size();
                assertThat(line.path("invoiceLine").path("anchor_id").asString()).isEqualTo(line.path("anchorId").asString());
            }
            assertThat(trails).isEqualTo(rows);
            List<List<Object>> recomputed = TestHome.query("SELECT sum(BilledCost), count(DISTINCT x_AllocationAnchorId) FROM read_parquet('"
                    + run.resolve("recomputed-rows.parquet") + "')");
            List<List<Object>> published = TestHome.query("SELECT sum(BilledCost), count(DISTINCT x_AllocationAnchorId) FROM read_parquet('"
                    + focus(month) + "') WHERE x_AllocationAnchorId IN (SELECT x_AllocationAnchorId FROM read_parquet('" + focus(month)
                    + "') WHERE AllocatedResourceId = '" + consumers.get(0) + "')");
            assertThat(recomputed).isEqualTo(published);
            String summary = Files.readString(run.resolve("summary.md"));
            assertThat(summary).contains("**Result: reproduced.**").contains("rule      ");
            // The dispute reads every row's evidence in a few queries for all rows; explain reads one row's on its own.
            // Both give the same trail (the published rows are the recomputed ones here).
            List<String> rowIds = new ArrayList<>();
            dispute.path("originLines").forEach(line -> line.path("rows").forEach(row -> rowIds.add(row.path("rowId").asString())));
            for (JsonNode line : dispute.path("originLines")) {
                for (JsonNode row : line.path("rows")) {
                    if (row.path("usageRef").isNull()) {
                        continue;
                    }
                    List<List<Object>> costLines = TestHome.query("SELECT cost_line_id FROM read_parquet('"
                            + month.home.close(OCTOBER, 1).resolve("evidence/usage-refs.parquet") + "') WHERE x_UsageRef = '"
                            + row.path("usageRef").asString() + "' ORDER BY cost_line_id");
                    assertThat(row.path("costLineCount").asLong()).isEqualTo(costLines.size());
                    List<String> listed = new ArrayList<>();
                    row.path("costLines").forEach(id -> listed.add(id.asString()));
                    assertThat(listed).isEqualTo(costLines.stream().limit(100).map(id -> (String) id.get(0)).toList());
                }
            }
            for (String rowId : rowIds.subList(0, Math.min(6, rowIds.size()))) {
                assertThat(month.run("explain", "--period", "2026-10", "--row", rowId, "--home", month.home.root().toString())).as(month.lastErr).isZero();
                assertThat(summary).contains(month.lastOut.strip());
            }
            assertThat(Files.readString(run.resolve("report.html"))).contains("data-figure=\"rows\">" + rows + "<")
                    .contains("badge-reproduced").contains("Content-Security-Policy").contains("rule      ");
        }
    }

    @Test
    void dispute_sameConsumerTwice_writesTwoRuns() throws Exception {
        String consumer = consumers.get(1);
        Path runs = month.home.disputes(OCTOBER, consumer);
        long earlier = Files.isDirectory(runs) ? Files.list(runs).count() : 0;

        assertThat(month.run("dispute", "--period", "2026-10", "--consumer", consumer, "--home", month.home.root().toString())).isZero();
        assertThat(month.run("dispute", "--period", "2026-10", "--consumer", consumer, "--json", "--home", month.home.root().toString())).isZero();

        JsonNode result = JsonMapper.builder().build().readTree(month.lastOut);
        assertThat(result.path("result").asString()).isEqualTo("reproduced");
        try (Stream<Path> entries = Files.list(runs)) {
            assertThat(entries.map(path -> path.getFileName().toString()).toList())
                    .hasSize((int) earlier + 2).noneMatch(name -> name.startsWith("."));
        }
        assertThat(runs.getFileName().toString()).doesNotContain(":");
    }

    @Test
    void dispute_alteredPublishedRow_namesTheRowAndTheDifference_othersStillReproduce() throws Exception {
        TestHome copy = copyOf(month, directory.resolve("altered"));
        String victim = consumers.get(2);
        Path focus = focus(copy);
        String rowId = (String) TestHome.query("SELECT min(x_AllocationRowId) FROM read_parquet('" + focus + "') WHERE AllocatedResourceId = '"
                + victim + "'").get(0).get(0);
        Object billed = TestHome.query("SELECT BilledCost FROM read_parquet('" + focus + "') WHERE x_AllocationRowId = '" + rowId + "'").get(0).get(0);
        focus.toFile().setWritable(true);
        TestHome.execute("COPY (SELECT * REPLACE (CASE WHEN x_AllocationRowId = '" + rowId + "' THEN BilledCost + 1 ELSE BilledCost END AS BilledCost) "
                + "FROM read_parquet('" + focus + "') ORDER BY x_AllocationRowId) TO '" + focus + ".altered' (FORMAT parquet)");
        Files.move(Path.of(focus + ".altered"), focus, StandardCopyOption.REPLACE_EXISTING);

        assertThat(copy.run("dispute", "--period", "2026-10", "--consumer", victim, "--home", copy.home.root().toString()))
                .as(copy.lastErr).isEqualTo(1);

        String expected = new java.math.BigDecimal(billed.toString()).stripTrailingZeros().toPlainString();
        String altered = new java.math.BigDecimal(billed.toString()).add(java.math.BigDecimal.ONE).stripTrailingZeros().toPlainString();
        assertThat(copy.lastErr).contains("apportion: dispute of " + victim + " in 2026-10 v1 not reproduced: 1 of ")
                .contains("row " + rowId + " ")
                .contains("BilledCost: published " + altered + ", recomputed " + expected)
                .contains("modified after the close was sealed");
        try (Stream<Path> runs = Files.list(copy.home.disputes(OCTOBER, victim))) {
            Path run = runs.findFirst().orElseThrow();
            assertThat(Files.readString(run.resolve("report.html"))).contains("badge-not-reproduced").contains("id=\"row-" + rowId + "\"")
                    .contains("BilledCost: published " + altered + ", recomputed " + expected);
        }
        assertThat(copy.run("dispute", "--period", "2026-10", "--consumer", consumers.get(0), "--home", copy.home.root().toString()))
                .as(copy.lastErr).isZero();
    }

    @Test
    void dispute_alteredArchivedInput_isArchiveTampered() throws Exception {
        TestHome copy = copyOf(month, directory.resolve("tampered"));
        JsonNode manifest = JsonMapper.builder().build().readTree(Files.readAllBytes(copy.home.close(OCTOBER, 1).resolve("manifest.json")));
        JsonNode input = manifest.path("inputs").get(0);
        Path archived = copy.home.archived(input.path("sha256").asString(), input.path("name").asString());
        archived.toFile().setWritable(true);
        Files.writeString(archived, Files.readString(archived).replaceFirst("\n", "\n\n"));

        assertThat(copy.run("dispute", "--period", "2026-10", "--consumer", consumers.get(0), "--home", copy.home.root().toString()))
                .isEqualTo(1);

        assertThat(copy.lastErr).startsWith("apportion: archive tampered: ").contains(archived + " has SHA-256 " + Sha256.ofFile(archived));
        assertThat(copy.home.disputes(OCTOBER, consumers.get(0))).doesNotExist();
    }

    @Test
    void dispute_unknownConsumer_isAUsageError() {
        assertThat(month.run("dispute", "--period", "2026-10", "--consumer", "tenant:nobody", "--home", month.home.root().toString()))
                .isEqualTo(2);
        assertThat(month.lastErr).contains("tenant:nobody has no rows in 2026-10 v1").contains(consumers.get(0));
    }

    /** A home driven through the command line, with what the last command printed. */
    static final class TestHome {
        final Home home;
        String lastOut = "";
        String lastErr = "";

        private TestHome(Path root) {
            this.home = new Home(root);
        }

        static TestHome uninitialised(Path root) {
            return new TestHome(root);
        }

        int run(String... args) {
            Cli.Result result = Cli.run(args);
            lastOut = result.out();
            lastErr = result.err();
            return result.code();
        }

        static void execute(String sql) throws SQLException {
            Cli.execute(sql);
        }

        static List<List<Object>> query(String sql) throws SQLException {
            return Cli.query(sql);
        }
    }

    private static Path focus(TestHome test) {
        return test.home.close(OCTOBER, 1).resolve("focus/cost-and-usage.parquet");
    }

    private static TestHome copyOf(TestHome source, Path target) throws IOException {
        try (Stream<Path> paths = Files.walk(source.home.root())) {
            for (Path path : paths.toList()) {
                Path relative = source.home.root().relativize(path);
                if (relative.startsWith("disputes")) {
                    continue;
                }
                Path copy = target.resolve(relative.toString());
                if (Files.isDirectory(path)) {
                    Files.createDirectories(copy);
                } else {
                    Files.copy(path, copy);
                }
            }
        }
        return TestHome.uninitialised(target);
    }

    private static Map<String, String> checksums(Path root, String... folders) throws IOException {
        Map<String, String> sums = new TreeMap<>();
        for (String folder : folders) {
            try (Stream<Path> paths = Files.walk(root.resolve(folder))) {
                for (Path path : paths.filter(Files::isRegularFile).toList()) {
                    sums.put(root.relativize(path).toString(), Sha256.ofFile(path));
                }
            }
        }
        return sums;
    }
}
