package dev.apportion.sample;

import static org.assertj.core.api.Assertions.assertThat;

import dev.apportion.jobs.Apportion;
import dev.apportion.ledger.sample.GeneratedMonth;
import dev.apportion.ledger.sample.SampleMonthSpec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A generated month closed end to end through the command line, then checked from the files alone:
 * conservation per invoice line and column, the month's BilledCost equals the generator's invoices (an
 * independent oracle), FOCUS rules, counts, and the same content digest from a second fresh home.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GeneratedMonthCloseIT {
    static final YearMonth PERIOD = YearMonth.of(2026, 10);
    static final SampleMonthSpec SPEC = new SampleMonthSpec(PERIOD, 30_000, 7L);
    static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-02T06:00:00Z"), ZoneOffset.UTC);

    @TempDir
    static Path directory;

    Path home;
    GeneratedMonth month;
    Path focus;
    Path lines;

    @BeforeAll
    void closeAGeneratedMonth() throws IOException {
        home = directory.resolve("first");
        month = closeInFreshHome(home);
        focus = home.resolve("closes/2026-10/v1/focus/cost-and-usage.parquet");
        lines = home.resolve("closes/2026-10/v1/inputs/invoice-lines.parquet");
    }

    @Test
    void close_conservesEveryLineAndColumnExactly() throws SQLException {
        Map<String, List<BigDecimal>> origins = sums("SELECT anchor_id, BilledCost, EffectiveCost, ListCost, ContractedCost, "
                + "PricingQuantity, ConsumedQuantity, 1 FROM read_parquet('" + lines + "')");
        Map<String, List<BigDecimal>> allocated = sums("SELECT x_AllocationAnchorId, BilledCost, EffectiveCost, ListCost, "
                + "ContractedCost, PricingQuantity, ConsumedQuantity, x_SplitRatio FROM read_parquet('" + focus + "')");
        assertThat(allocated.keySet()).isEqualTo(origins.keySet());
        origins.forEach((anchor, origin) -> {
            List<BigDecimal> rows = allocated.get(anchor);
            for (int column = 0; column < origin.size(); column++) {
                if (origin.get(column) != null) {
                    assertThat(rows.get(column)).as("column %d of %s", column, anchor).isEqualByComparingTo(origin.get(column));
                }
            }
        });
    }

    @Test
    void close_monthBilledCostEqualsTheGeneratedInvoices() throws Exception {
        BigDecimal billed = (BigDecimal) query("SELECT sum(BilledCost) FROM read_parquet('" + focus + "')").get(0).get(0);
        assertThat(billed).isEqualByComparingTo(month.invoicedTotal());
        JsonNode manifest = JsonMapper.builder().build().readTree(Files.readAllBytes(home.resolve("closes/2026-10/v1/manifest.json")));
        assertThat(new BigDecimal(manifest.path("totals").path("billedCost").asString())).isEqualByComparingTo(month.invoicedTotal());
    }

    @Test
    void close_rowsFollowFocusRules() throws SQLException {
        for (String column : List.of("BilledCost", "BillingAccountId", "BillingCurrency", "BillingPeriodEnd", "BillingPeriodStart",
                "ChargeCategory", "ChargePeriodEnd", "ChargePeriodStart", "ContractedCost", "EffectiveCost", "InvoiceIssuerName",
                "ListCost", "ServiceCategory", "ServiceName", "ServiceProviderName", "x_AllocationRowId", "x_EvidenceHash")) {
            assertThat(query("SELECT count(*) FROM read_parquet('" + focus + "') WHERE \"" + column + "\" IS NULL").get(0).get(0))
                    .as(column).isEqualTo(0L);
        }
        assertThat(distinct("ChargeCategory")).isSubsetOf(Set.of("Adjustment", "Credit", "Purchase", "Tax", "Usage"));
        assertThat(distinct("x_AllocationMethod")).isSubsetOf(Set.of("direct", "activity", "residual", "unallocated"));
        for (List<Object> row : query("SELECT ListCost, ListUnitPrice, PricingQuantity FROM read_parquet('" + focus
                + "') WHERE ListUnitPrice IS NOT NULL")) {
            assertThat((BigDecimal) row.get(0)).isEqualByComparingTo(((BigDecimal) row.get(1)).multiply((BigDecimal) row.get(2)));
        }
        assertThat(query("SELECT count(*) FROM read_parquet('" + focus + "') WHERE ConsumerId IS NULL AND x_AllocationMethod = 'direct' "
                + "AND AllocatedResourceId <> 'unattributed'").get(0).get(0)).isEqualTo(0L);
        assertThat(query("SELECT count(*) - count(DISTINCT x_AllocationRowId) FROM read_parquet('" + focus + "')").get(0).get(0)).isEqualTo(0L);
        List<String> columns = new ArrayList<>();
        for (List<Object> row : query("SELECT name FROM parquet_schema('" + focus + "') WHERE name <> 'duckdb_schema'")) {
            columns.add((String) row.get(0));
        }
        List<String> focusColumns = columns.stream().filter(name -> !name.startsWith("x_")).toList();
        assertThat(focusColumns).isSorted().hasSize(67).contains("PrincipalId", "ConsumerId").doesNotContain("ProviderName", "PublisherName");
        assertThat(columns.subList(focusColumns.size(), columns.size())).isSorted().allMatch(name -> name.startsWith("x_"));
    }

    @Test
    void close_usageRowsCarryEvidenceThatResolvesToLedgerEntries() throws SQLException {
        Path refs = home.resolve("closes/2026-10/v1/evidence/usage-refs.parquet");
        // Every usage row's reference lists exactly x_UsageEntryCount ledger entries, and the reference is the
        // SHA-256 of its sorted cost line ids (recomputed here from the evidence file).
        List<List<Object>> mismatches = query("""
                SELECT f.x_UsageRef, f.x_UsageEntryCount, count(DISTINCT r.ledger_entry_id),
                       'sha256:' || sha256(string_agg(r.cost_line_id, chr(10) ORDER BY r.cost_line_id))
                FROM (SELECT DISTINCT x_UsageRef, x_UsageEntryCount FROM read_parquet('%s') WHERE x_AllocationMethod = 'direct') f
                JOIN read_parquet('%s') r ON r.x_UsageRef = f.x_UsageRef
                GROUP BY 1, 2
                HAVING f.x_UsageEntryCount <> count(DISTINCT r.ledger_entry_id)
                    OR f.x_UsageRef <> 'sha256:' || sha256(string_agg(r.cost_line_id, chr(10) ORDER BY r.cost_line_id))""".formatted(focus, refs));
        assertThat(mismatches).isEmpty();
        assertThat(query("SELECT count(*) FROM read_parquet('" + focus + "') WHERE x_AllocationMethod = 'direct' AND x_UsageRef IS NULL")
                .get(0).get(0)).isEqualTo(0L);
        assertThat(query("SELECT count(*) FROM read_parquet('" + focus + "') WHERE x_EvidenceStatus <> 'complete' AND ConsumerId IS NOT NULL")
                .get(0).get(0)).isEqualTo(0L);
    }

    @Test
    void close_spreadsheetTwinHasTheSameRows() throws SQLException {
        Path csv = home.resolve("closes/2026-10/v1/spreadsheet/cost-and-usage.csv");
        List<List<Object>> twin = query("SELECT count(*), sum(CAST(BilledCost AS DECIMAL(38, 18))) FROM read_csv('" + csv
                + "', header = true, all_varchar = true)");
        List<List<Object>> parquet = query("SELECT count(*), sum(BilledCost) FROM read_parquet('" + focus + "')");
        assertThat(twin.get(0).get(0)).isEqualTo(parquet.get(0).get(0));
        assertThat((BigDecimal) twin.get(0).get(1)).isEqualByComparingTo((BigDecimal) parquet.get(0).get(1));
    }

    @Test
    void ingest_countsReconcileAndNothingIsRejected() throws Exception {
        try (Stream<Path> records = Files.list(home.resolve("state/ingested"))) {
            for (Path path : records.toList()) {
                JsonNode record = JsonMapper.builder().build().readTree(Files.readAllBytes(path));
                assertThat(record.path("rowsRead").asLong()).isEqualTo(record.path("rowsAccepted").asLong()
                        + record.path("rowsRejected").asLong() + record.path("rowsDuplicate").asLong());
                assertThat(record.path("rowsRejected").asLong()).isZero();
            }
        }
        assertThat(Files.readAllLines(home.resolve("closes/2026-10/v1/rejects.csv")))
                .containsExactly("file_name,file_sha256,location,column,reason_code,reason");
    }

    @Test
    void close_sameInputsInAnotherHome_giveTheSameContentDigest() throws Exception {
        Path second = directory.resolve("second");
        closeInFreshHome(second);
        JsonMapper json = JsonMapper.builder().build();
        JsonNode first = json.readTree(Files.readAllBytes(home.resolve("closes/2026-10/v1/manifest.json")));
        JsonNode again = json.readTree(Files.readAllBytes(second.resolve("closes/2026-10/v1/manifest.json")));
        assertThat(again.path("contentDigest").asString()).isEqualTo(first.path("contentDigest").asString());
        assertThat(again.path("merkleRoot").asString()).isEqualTo(first.path("merkleRoot").asString());
        // The same row order in both files, not only the same set of rows.
        String order = "SELECT x_AllocationRowId FROM read_parquet('%s', file_row_number = true) ORDER BY file_row_number";
        assertThat(query(order.formatted(second.resolve("closes/2026-10/v1/focus/cost-and-usage.parquet"))))
                .isEqualTo(query(order.formatted(home.resolve("closes/2026-10/v1/focus/cost-and-usage.parquet"))));
    }

    @Test
    void demo_closesAndVerifiesAFreshHome() {
        Path demoHome = directory.resolve("demo");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = Apportion.run(new String[] {"demo", "--requests", "5000", "--home", demoHome.toString()},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(new ByteArrayOutputStream()), CLOCK);
        assertThat(code).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("focus/cost-and-usage.parquet").contains("manifest.json")
                .contains("verified");
    }

    private static GeneratedMonth closeInFreshHome(Path root) throws IOException {
        assertThat(Apportion.run(new String[] {"init", "--home", root.toString()}, System.out, System.err, CLOCK)).isZero();
        Path config = root.resolve("apportion.yml");
        Files.writeString(config, Files.readString(config).replace("settle_seconds: 2", "settle_seconds: 0"));
        GeneratedMonth generated = new RealisticMonthGenerator().generate(SPEC, root.resolve("inbox"));
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Apportion.run(new String[] {"close", "--period", PERIOD.toString(), "--home", root.toString()},
                System.out, new PrintStream(err, true, StandardCharsets.UTF_8), CLOCK);
        assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(Apportion.run(new String[] {"verify", "--period", PERIOD.toString(), "--home", root.toString()},
                System.out, System.err, CLOCK)).isZero();
        return generated;
    }

    private Set<String> distinct(String column) throws SQLException {
        Set<String> values = new java.util.TreeSet<>();
        for (List<Object> row : query("SELECT DISTINCT \"" + column + "\" FROM read_parquet('" + focus + "')")) {
            values.add((String) row.get(0));
        }
        return values;
    }

    private static Map<String, List<BigDecimal>> sums(String sql) throws SQLException {
        Map<String, List<BigDecimal>> sums = new TreeMap<>();
        for (List<Object> row : query(sql)) {
            List<BigDecimal> totals = sums.computeIfAbsent((String) row.get(0), anchor -> new ArrayList<>(java.util.Collections.nCopies(row.size() - 1, null)));
            for (int i = 1; i < row.size(); i++) {
                Object value = row.get(i);
                if (value != null) {
                    BigDecimal decimal = value instanceof BigDecimal big ? big : new BigDecimal(value.toString());
                    totals.set(i - 1, totals.get(i - 1) == null ? decimal : totals.get(i - 1).add(decimal));
                }
            }
        }
        return sums;
    }

    private static List<List<Object>> query(String sql) throws SQLException {
        return Cli.query(sql);
    }
}
