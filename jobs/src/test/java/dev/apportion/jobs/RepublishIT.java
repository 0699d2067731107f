package dev.apportion.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.YearMonth;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Republication: a published period whose inputs changed is refused without {@code --republish}; with it, v2 is
 * published beside v1 with a {@code diff.csv} whose deltas sum, per consumer, to v2 − v1.
 */
class RepublishIT {
    static final YearMonth OCTOBER = YearMonth.of(2026, 10);

    @TempDir
    Path directory;

    @Test
    void close_changedInputs_refusedThenRepublishedWithAConsistentDiff() throws Exception {
        TestHome test = TestHome.init(directory);
        String requests = ReconciliationIT.REQUEST_HEADER + ReconciliationIT.CLEAN_REQUESTS
                + ReconciliationIT.request("r9", "2026-10-08T09:00:00Z", "gpt-4o", 400_000).replace("tenant:T-1", "tenant:T-2");
        test.drop("october-invoice.csv", WorkedExampleIT.FOCUS_HEADER + ReconciliationIT.inputLine(1, 1_000_000, "2.5")
                + ReconciliationIT.inputLine(7, 400_000, "2.5") + ReconciliationIT.inputLine(8, 800_000, "2.5"));
        test.drop("october-requests.csv", requests);
        assertThat(test.run("close", "--period", "2026-10", "--home", directory.toString())).as(test.lastErr).isZero();

        // The provider restates the 8th: 800,000 tokens billed at 2.60 instead of 2.50 per million (a new snapshot).
        test.drop("october-invoice-restated.csv", WorkedExampleIT.FOCUS_HEADER + ReconciliationIT.inputLine(1, 1_000_000, "2.5")
                + ReconciliationIT.inputLine(7, 400_000, "2.5") + ReconciliationIT.inputLine(8, 800_000, "2.6"));
        assertThat(test.run("close", "--period", "2026-10", "--home", directory.toString())).isEqualTo(1);
        assertThat(test.lastErr).contains("was already closed as v1 and its inputs or configuration changed since; rerun with --republish to publish v2");
        assertThat(test.home.close(OCTOBER, 2)).doesNotExist();

        // The restated price is not the catalogue's, so the reconciliation gate needs --accept-variance too.
        assertThat(test.run("close", "--period", "2026-10", "--republish", "--accept-variance", "--home", directory.toString()))
                .as(test.lastErr).isZero();
        assertThat(Files.readString(test.home.currentVersionFile(OCTOBER)).strip()).isEqualTo("v2");
        Path v1 = test.home.close(OCTOBER, 1);
        Path v2 = test.home.close(OCTOBER, 2);
        List<String> diff = Files.readAllLines(v2.resolve("diff.csv"));
        assertThat(diff.get(0)).isEqualTo("consumer_id,anchor_id,column,old,new,delta,reason");
        assertThat(diff.subList(1, diff.size())).allSatisfy(line -> assertThat(line).endsWith(",invoice line restated"))
                .anySatisfy(line -> assertThat(line).startsWith("tenant:T-1,").contains(",BilledCost,1,1.04,0.04,"))
                .anySatisfy(line -> assertThat(line).startsWith("tenant:T-2,").contains(",BilledCost,1,1.04,0.04,"));

        // Per consumer and column, the deltas sum to v2 − v1, computed here from the two FOCUS files.
        Map<String, BigDecimal> expected = new HashMap<>();
        for (List<Object> row : TestHome.query("SELECT coalesce(n.c, o.c), coalesce(n.b, 0) - coalesce(o.b, 0) FROM "
                + "(SELECT AllocatedResourceId AS c, sum(BilledCost) AS b FROM read_parquet('" + v1.resolve("focus/cost-and-usage.parquet") + "') GROUP BY 1) o "
                + "FULL OUTER JOIN (SELECT AllocatedResourceId AS c, sum(BilledCost) AS b FROM read_parquet('" + v2.resolve("focus/cost-and-usage.parquet")
                + "') GROUP BY 1) n ON n.c = o.c")) {
            expected.put((String) row.get(0), (BigDecimal) row.get(1));
        }
        Map<String, BigDecimal> deltas = new HashMap<>();
        for (String line : diff.subList(1, diff.size())) {
            String[] cells = line.split(",");
            if (cells[2].equals("BilledCost")) {
                deltas.merge(cells[0], new BigDecimal(cells[5]), BigDecimal::add);
            }
        }
        expected.forEach((consumer, delta) -> assertThat(deltas.getOrDefault(consumer, BigDecimal.ZERO)).as(consumer).isEqualByComparingTo(delta));
        assertThat(expected.get("tenant:T-1")).isEqualByComparingTo("0.04");

        JsonNode manifest = JsonMapper.builder().build().readTree(v2.resolve("manifest.json").toFile());
        assertThat(manifest.path("previousVersion").asString()).isEqualTo("v1");
        assertThat(manifest.path("outputs").toString()).contains("diff.csv");
        assertThat(test.run("verify", "--period", "2026-10", "--home", directory.toString())).as(test.lastErr).isZero();
        assertThat(test.run("verify", "--period", "2026-10", "--version", "v1", "--home", directory.toString())).as(test.lastErr).isZero();
        // The same inputs again: unchanged against v2.
        assertThat(test.run("close", "--period", "2026-10", "--republish", "--home", directory.toString())).isZero();
        assertThat(test.lastOut).startsWith("unchanged");
    }
}
