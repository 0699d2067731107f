package dev.apportion.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.apportion.ledger.sample.SampleMonthSpec;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.YearMonth;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The close report of a generated October (after a generated September, for month over month) in which the
 * {@code chat} feature uses ten times its tokens on the 15th: the report's numbers against the manifest and the
 * FOCUS file, the injected anomaly, {@code apportion anomalies} and {@code report}, and the page in a real browser.
 */
class ReportIT {
    static final YearMonth SEPTEMBER = YearMonth.of(2026, 9);
    static final YearMonth OCTOBER = YearMonth.of(2026, 10);
    static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    static Path directory;

    static Path home;
    static Path close;

    @BeforeAll
    static void closeTwoGeneratedMonths() throws Exception {
        home = directory.resolve("home");
        assertThat(run("init", "--home", home.toString())).isZero();
        Path config = home.resolve("apportion.yml");
        Files.writeString(config, Files.readString(config).replace("settle_seconds: 2", "settle_seconds: 0"));
        new RealisticMonthGenerator().generate(new SampleMonthSpec(SEPTEMBER, 8_000, 9L), home.resolve("inbox"));
        assertThat(run("close", "--period", "2026-09", "--home", home.toString())).isZero();
        new RealisticMonthGenerator().generate(new SampleMonthSpec(OCTOBER, 30_000, 10L, new SampleMonthSpec.Spike("chat", 15, 10)),
                home.resolve("inbox"));
        assertThat(run("close", "--period", "2026-10", "--home", home.toString())).isZero();
        close = home.resolve("closes/2026-10/v1");
    }

    @Test
    void report_numbersEqualTheManifestAndTheFocusFile() throws Exception {
        JsonNode data = reportData(close.resolve("report.html"));
        JsonNode manifest = JSON.readTree(Files.readAllBytes(close.resolve("manifest.json")));
        String focus = close.resolve("focus/cost-and-usage.parquet").toString();

        JsonNode headline = data.path("headline");
        assertThat(new BigDecimal(headline.path("allocated").asString()))
                .isEqualByComparingTo(manifest.path("totals").path("billedCost").asString())
                .isEqualByComparingTo(decimal("SELECT sum(BilledCost) FROM read_parquet('" + focus + "')"));
        assertThat(new BigDecimal(headline.path("invoiced").asString()))
                .isEqualByComparingTo(decimal("SELECT sum(BilledCost) FROM read_parquet('" + close.resolve("inputs/invoice-lines.parquet") + "')"));
        assertThat(new BigDecimal(headline.path("unattributed").asString()))
                .isEqualByComparingTo(manifest.path("totals").path("byConsumer").path("unattributed").asString());
        assertThat(new BigDecimal(headline.path("unallocated").asString()))
                .isEqualByComparingTo(decimal("SELECT coalesce(sum(BilledCost), 0) FROM read_parquet('" + focus + "') WHERE AllocatedResourceId IS NULL"));
        assertThat(headline.path("rows").asLong()).isEqualTo(manifest.path("evidence").path("complete").asLong()
                + manifest.path("evidence").path("insufficient").asLong());
        assertThat(headline.path("evidenceComplete").asLong()).isEqualTo(manifest.path("evidence").path("complete").asLong());
        manifest.path("reconciliation").properties().forEach(entry -> assertThat(headline.path("reconciliation").path(entry.getKey())
                .path("cells").asLong()).as(entry.getKey()).isEqualTo(entry.getValue().path("cells").asLong()));
        for (JsonNode consumer : data.path("topConsumers")) {
            assertThat(new BigDecimal(consumer.path("billedCost").asString())).as(consumer.path("consumer").asString())
                    .isEqualByComparingTo(manifest.path("totals").path("byConsumer").path(consumer.path("consumer").asString()).asString());
        }
        // The page shows the same figures the data block carries.
        String html = Files.readString(close.resolve("report.html"));
        assertThat(html).contains("data-figure=\"allocated\">" + headline.path("allocated").asString() + "<")
                .contains("data-figure=\"invoiced\">" + headline.path("invoiced").asString() + "<");
        assertThat(html).doesNotContain("http://").doesNotContain("https://cdn");
    }

    @Test
    void anomalies_injectedSpikeIsListed_andTheCommandExits1() throws Exception {
        List<String> anomalies = Files.readAllLines(close.resolve("anomalies.csv"));
        assertThat(anomalies.get(0)).isEqualTo("kind,subject,day,value,trailing_median,k,window_days");
        assertThat(anomalies).anySatisfy(line -> assertThat(line).startsWith("feature_daily_spend,chat,2026-10-15,"));
        assertThat(reportData(close.resolve("report.html")).path("anomalies").toString()).contains("\"subject\":\"chat\",\"day\":\"2026-10-15\"");

        Cli.Result result = Cli.run("anomalies", "--period", "2026-10", "--home", home.toString());

        assertThat(result.code()).isEqualTo(1);
        assertThat(result.out()).containsPattern("feature_daily_spend\\s+chat\\s+2026-10-15");
        assertThat(result.err()).startsWith("apportion: " + (anomalies.size() - 1) + " anomal")
                .contains("exceed their threshold");
    }

    @Test
    void reportCommand_regeneratesUnderReports_withoutTouchingTheClose() throws Exception {
        byte[] published = Files.readAllBytes(close.resolve("report.html"));

        assertThat(run("report", "--period", "2026-10", "--home", home.toString())).isZero();

        try (Stream<Path> runs = Files.list(home.resolve("reports/2026-10/v1"))) {
            Path regenerated = runs.filter(Files::isDirectory).findFirst().orElseThrow();
            assertThat(regenerated.getFileName().toString()).matches("\\d{8}T\\d{6}Z");
            assertThat(reportData(regenerated.resolve("report.html")).path("headline"))
                    .isEqualTo(reportData(close.resolve("report.html")).path("headline"));
            assertThat(regenerated.resolve("anomalies.csv")).hasSameTextualContentAs(close.resolve("anomalies.csv"));
        }
        assertThat(Files.readAllBytes(close.resolve("report.html"))).isEqualTo(published);
        assertThat(run("verify", "--period", "2026-10", "--home", home.toString())).isZero();
    }

    @Test
    void report_rendersInHeadlessChromium_offline_everyChartDrawn() throws Exception {
        Path chromium = HeadlessChromium.find();
        if (chromium == null) {
            System.out.println("ReportIT: skipping the browser test: no chromium on the PATH (.ci/run installs Debian's chromium)");
        }
        assumeTrue(chromium != null, "no chromium on the PATH");
        Path profile = directory.resolve("chromium-profile");
        Files.createDirectories(profile);
        try (HeadlessChromium browser = HeadlessChromium.start(chromium, profile)) {
            browser.openOffline(close.resolve("report.html"));

            assertThat(browser.evaluate("document.documentElement.getAttribute('data-charts-drawn')").asString()).isEqualTo("8");
            JsonNode canvases = browser.evaluate("""
                    Array.from(document.querySelectorAll('canvas')).map(c => {
                      const pixels = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                      let painted = 0;
                      for (let i = 3; i < pixels.length; i += 4) { if (pixels[i] !== 0) { painted++; } }
                      return { chart: c.dataset.chart, width: c.width, height: c.height, painted: painted };
                    })""");
            assertThat(canvases).hasSize(8);
            for (JsonNode canvas : canvases) {
                assertThat(canvas.path("width").asInt()).as(canvas.toString()).isPositive();
                assertThat(canvas.path("painted").asInt()).as(canvas.toString()).isGreaterThan(500);
            }
            Path screenshot = Path.of(System.getProperty("basedir", "."), "target", "report-screenshot.png");
            browser.screenshot(screenshot);
            assertThat(Files.size(screenshot)).isGreaterThan(10_000);
            assertThat(browser.errors()).isEmpty();
        }
    }

    private static JsonNode reportData(Path report) throws IOException {
        String html = Files.readString(report);
        String start = "<script type=\"application/json\" id=\"report-data\">";
        int from = html.indexOf(start) + start.length();
        return JSON.readTree(html.substring(from, html.indexOf("</script>", from)));
    }

    private static int run(String... args) {
        Cli.Result result = Cli.run(args);
        if (result.code() != 0) {
            System.err.println(result.err());
        }
        return result.code();
    }

    private static BigDecimal decimal(String sql) throws SQLException {
        return Cli.decimal(sql);
    }
}
