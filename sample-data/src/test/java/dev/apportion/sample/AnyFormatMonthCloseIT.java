package dev.apportion.sample;

import static org.assertj.core.api.Assertions.assertThat;

import dev.apportion.jobs.Apportion;
import dev.apportion.ledger.sample.GeneratedMonth;
import dev.apportion.ledger.sample.SampleMonthSpec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * One generated month, closed once per combination of one request-log format and one billing format, each in a
 * fresh home through the command line: every format is recognised by content and every row accepted, the ledger
 * is the same whichever format carried the requests, and the close bills the generated invoices to the cent
 * whichever format carried them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AnyFormatMonthCloseIT {
    static final YearMonth PERIOD = YearMonth.of(2026, 10);
    static final SampleMonthSpec SPEC = new SampleMonthSpec(PERIOD, 2_000, 11L);
    static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-02T06:00:00Z"), ZoneOffset.UTC);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** The paths a close prints; the test reads the files instead. */
    private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8);

    /**
     * Every request-log format at least once and every billing format at least once; the generic CSV log with each
     * billing format is the reference the other request logs with that billing format are compared with.
     */
    static final List<Combination> COMBINATIONS = List.of(
            new Combination(OutputFormat.REQUEST_LOG_CSV, OutputFormat.FOCUS_CSV),
            new Combination(OutputFormat.REQUEST_LOG_CSV, OutputFormat.PROVIDER_COSTS_JSON),
            new Combination(OutputFormat.REQUEST_LOG_JSON_LINES, OutputFormat.PROVIDER_COSTS_JSON),
            new Combination(OutputFormat.REQUEST_LOG_PARQUET, OutputFormat.FOCUS_CSV),
            new Combination(OutputFormat.LITELLM_SPEND_LOGS_CSV, OutputFormat.PROVIDER_COSTS_JSON),
            new Combination(OutputFormat.OTEL_SPANS_JSON_LINES, OutputFormat.FOCUS_CSV));

    /** The format ids Apportion must detect from each file's content. */
    static final Map<OutputFormat, List<String>> DETECTED = Map.of(
            OutputFormat.REQUEST_LOG_CSV, List.of("request-log-csv"),
            OutputFormat.REQUEST_LOG_JSON_LINES, List.of("request-log-jsonl"),
            OutputFormat.REQUEST_LOG_PARQUET, List.of("request-log-parquet"),
            OutputFormat.LITELLM_SPEND_LOGS_CSV, List.of("litellm-spend-logs-csv"),
            OutputFormat.OTEL_SPANS_JSON_LINES, List.of("otel-spans-jsonl"),
            OutputFormat.FOCUS_CSV, List.of("focus-csv", "focus-csv"),
            OutputFormat.PROVIDER_COSTS_JSON, List.of("openai-costs-json", "anthropic-cost-report-json"),
            OutputFormat.PROVIDER_USAGE_JSON, List.of("openai-usage-json", "anthropic-usage-json"));

    @TempDir
    static Path directory;

    GeneratedMonth month;
    final Map<Combination, Closed> closes = new LinkedHashMap<>();

    /** A request-log format and a billing format; provider usage pages travel with the provider cost pages. */
    record Combination(OutputFormat requestLog, OutputFormat billing) {
        List<OutputFormat> formats() {
            return billing == OutputFormat.PROVIDER_COSTS_JSON
                    ? List.of(requestLog, billing, OutputFormat.PROVIDER_USAGE_JSON) : List.of(requestLog, billing);
        }

        @Override
        public String toString() {
            return requestLog + " + " + billing;
        }
    }

    /** What one close produced, read back from the home's files. */
    record Closed(Path home, int closeExit, int verifyExit, String closeErr, List<JsonNode> ingested, List<String> rejects) {
        Path close(String file) {
            return home.resolve("closes/" + PERIOD + "/v1/" + file);
        }
    }

    @BeforeAll
    void closeTheMonthInEveryCombination() throws IOException {
        Path generated = directory.resolve("generated");
        month = RealisticMonthGenerator.allFormats().generate(SPEC, generated);
        for (Combination combination : COMBINATIONS) {
            Path home = directory.resolve(combination.requestLog() + "-" + combination.billing());
            closes.put(combination, close(home, generated, combination));
        }
    }

    @Test
    void close_everyCombination_detectsEachFormatAcceptsEveryRowAndVerifies() {
        closes.forEach((combination, closed) -> {
            assertThat(closed.closeExit()).as("close of %s: %s", combination, closed.closeErr()).isZero();
            assertThat(closed.verifyExit()).as("verify of %s", combination).isZero();
            List<String> expectedFormats = combination.formats().stream().flatMap(format -> DETECTED.get(format).stream())
                    .sorted().toList();
            assertThat(closed.ingested()).extracting(record -> record.path("format").asString())
                    .as("formats detected for %s", combination).containsExactlyInAnyOrderElementsOf(expectedFormats);
            for (JsonNode record : closed.ingested()) {
                String file = record.path("name").asString();
                assertThat(record.path("rowsRejected").asLong()).as("rejected rows of %s in %s", file, combination).isZero();
                assertThat(record.path("rowsDuplicate").asLong()).as("duplicate rows of %s in %s", file, combination)
                        .isZero();
                assertThat(record.path("rowsAccepted").asLong()).as("accepted rows of %s in %s", file, combination)
                        .isEqualTo(record.path("rowsRead").asLong()).isPositive();
                if (DETECTED.get(combination.requestLog()).contains(record.path("format").asString())) {
                    assertThat(record.path("rowsAccepted").asLong()).as("requests of %s", file).isEqualTo(SPEC.requests());
                }
            }
            assertThat(closed.rejects()).as("rejects of %s", combination)
                    .containsExactly("file_name,file_sha256,location,column,reason_code,reason");
        });
    }

    @Test
    void close_everyCombination_billsTheGeneratedInvoicesToTheCent() throws SQLException {
        for (Map.Entry<Combination, Closed> entry : closes.entrySet()) {
            Closed closed = entry.getValue();
            BigDecimal billed = (BigDecimal) query("SELECT sum(BilledCost) FROM read_parquet('"
                    + closed.close("focus/cost-and-usage.parquet") + "')").get(0).get(0);
            assertThat(billed).as("Σ BilledCost of %s", entry.getKey()).isEqualByComparingTo(month.invoicedTotal());
            BigDecimal invoiced = (BigDecimal) query("SELECT sum(BilledCost) FROM read_parquet('"
                    + closed.close("inputs/invoice-lines.parquet") + "')").get(0).get(0);
            assertThat(invoiced).as("Σ invoice lines of %s", entry.getKey()).isEqualByComparingTo(month.invoicedTotal());
        }
    }

    @Test
    void close_everyCombination_hasTheSameLedger() throws SQLException {
        Map<Combination, Map<String, List<Object>>> ledgers = new LinkedHashMap<>();
        for (Map.Entry<Combination, Closed> entry : closes.entrySet()) {
            ledgers.put(entry.getKey(), ledgerTotals(entry.getValue()));
        }
        Map<String, List<Object>> reference = ledgers.get(COMBINATIONS.get(0));
        assertThat(reference).as("ledger of the reference close").isNotEmpty();
        ledgers.forEach((combination, ledger) -> assertThat(ledger).as("ledger of %s", combination).isEqualTo(reference));
    }

    @Test
    void close_sameBillingFormat_givesTheSameReconciliationAndAllocationWhicheverRequestLog() throws IOException {
        for (Map.Entry<Combination, Closed> entry : closes.entrySet()) {
            Combination reference = new Combination(OutputFormat.REQUEST_LOG_CSV, entry.getKey().billing());
            for (String file : List.of("reconciliation.csv", "summary-by-consumer.csv", "summary-by-feature.csv")) {
                assertThat(withoutLoggedCost(file, Files.readAllLines(entry.getValue().close(file)))).as("%s of %s", file, entry.getKey())
                        .isNotEmpty().isEqualTo(withoutLoggedCost(file, Files.readAllLines(closes.get(reference).close(file))));
            }
        }
    }

    /**
     * The reconciliation without {@code ledger_logged_cost} (the 13th column, never quoted in these files): the
     * gateway's own cost estimate is the one thing request-log formats differ in (OpenTelemetry spans carry none).
     */
    private static List<String> withoutLoggedCost(String file, List<String> lines) {
        if (!file.equals("reconciliation.csv")) {
            return lines;
        }
        return lines.stream().map(line -> {
            List<String> cells = new ArrayList<>(List.of(line.split(",", -1)));
            cells.remove(12);
            return String.join(",", cells);
        }).toList();
    }

    /**
     * Every combination: the provider cost pages name the model the provider served ({@code gpt-4o-2024-08-06},
     * {@code claude-sonnet-4-20250514}), as the APIs do; the close names invoice-line models the way the ledger
     * does, so every token line meets its ledger entries whichever billing format was read.
     */
    @Test
    void close_anyInvoiceFormat_anchorsEveryTokenLineToTheLedger() throws SQLException {
        for (Map.Entry<Combination, Closed> entry : closes.entrySet()) {
            List<List<Object>> unmatched = query("SELECT class, provider, model, token_type, count(*) FROM read_parquet('"
                    + entry.getValue().close("reconciliation.parquet") + "') WHERE class <> 'matched' AND model IS NOT NULL "
                    + "GROUP BY ALL ORDER BY ALL");
            assertThat(unmatched).as("unmatched token cells of %s", entry.getKey()).isEmpty();
        }
    }

    /** Σ ledger quantity and list cost per provider, model and token type, from the reconciliation. */
    private static Map<String, List<Object>> ledgerTotals(Closed closed) throws SQLException {
        Map<String, List<Object>> totals = new TreeMap<>();
        for (List<Object> row : query("SELECT provider || ' ' || model || ' ' || token_type, sum(ledger_quantity), "
                + "sum(ledger_list_cost) FROM read_parquet('" + closed.close("reconciliation.parquet") + "') "
                + "WHERE ledger_quantity IS NOT NULL GROUP BY ALL")) {
            totals.put("ledger " + row.get(0), List.of(((BigDecimal) row.get(1)).stripTrailingZeros(),
                    ((BigDecimal) row.get(2)).stripTrailingZeros()));
        }
        return totals;
    }

    private static Closed close(Path home, Path generated, Combination combination) throws IOException {
        assertThat(Apportion.run(new String[] {"init", "--home", home.toString()}, QUIET, System.err, CLOCK)).isZero();
        Path config = home.resolve("apportion.yml");
        Files.writeString(config, Files.readString(config).replace("settle_seconds: 2", "settle_seconds: 0"));
        for (OutputFormat format : combination.formats()) {
            for (String name : format.fileNames(PERIOD)) {
                Files.copy(generated.resolve(name), home.resolve("inbox").resolve(name));
            }
        }
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int closeExit = Apportion.run(new String[] {"close", "--period", PERIOD.toString(), "--home", home.toString()},
                QUIET, new PrintStream(err, true, StandardCharsets.UTF_8), CLOCK);
        int verifyExit = Apportion.run(new String[] {"verify", "--period", PERIOD.toString(), "--home", home.toString()},
                QUIET, System.err, CLOCK);
        List<JsonNode> ingested = new ArrayList<>();
        try (Stream<Path> records = Files.list(home.resolve("state/ingested"))) {
            for (Path record : records.sorted().toList()) {
                ingested.add(JSON.readTree(Files.readAllBytes(record)));
            }
        }
        Path rejects = home.resolve("closes/" + PERIOD + "/v1/rejects.csv");
        return new Closed(home, closeExit, verifyExit, err.toString(StandardCharsets.UTF_8), ingested,
                Files.exists(rejects) ? Files.readAllLines(rejects) : List.of());
    }

    private static List<List<Object>> query(String sql) throws SQLException {
        return Cli.query(sql);
    }
}
