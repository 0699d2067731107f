package dev.apportion.pricing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.apportion.ledger.DuckDbSession;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Requests are priced at the rate in force when they ran; unknown models stay unpriced, never zero. */
class LedgerPricerTest {
    @TempDir
    Path directory;

    @Test
    void builtIn_everyPriceCitesASourceAndHistoryIsContiguous() {
        Catalogue catalogue = CatalogueFile.builtIn();
        assertThat(catalogue.rates()).isNotEmpty().allSatisfy(rate -> assertThat(rate.source()).startsWith("https://"));
        assertThat(catalogue.version()).hasSize(64);
        assertThat(PriceBook.builtIn(Map.of()).canonicalModel("anthropic", "claude-sonnet-4-20250514")).isEqualTo("claude-sonnet-4");
    }

    @Test
    void parse_unknownTokenTypeOrMissingSource_isRefusedWithTheModel() {
        String unknownType = "catalogue: c\ncurrency: USD\nmodels:\n  - provider: openai\n    model: m\n    prices:\n"
                + "      - effective_from: 2025-01-01\n        source: https://example.com\n        per_million: { inputs: 1.0 }\n";
        assertThatThrownBy(() -> CatalogueFile.parse(unknownType.getBytes(StandardCharsets.UTF_8), "c.yaml"))
                .hasMessageContaining("openai/m").hasMessageContaining("inputs");
        String noSource = unknownType.replace("        source: https://example.com\n", "").replace("inputs", "output");
        assertThatThrownBy(() -> CatalogueFile.parse(noSource.getBytes(StandardCharsets.UTF_8), "c.yaml"))
                .hasMessageContaining("cites no source");
    }

    @Test
    void price_usesTheRateInForceAtTheRequestTime() {
        List<List<Object>> lines = price("""
                ('old', TIMESTAMPTZ '2024-06-01 12:00:00+00', 'openai', 'gpt-4o', 1000000, 0, 0),
                ('new', TIMESTAMPTZ '2026-10-01 12:00:00+00', 'openai', 'gpt-4o-2024-08-06', 1000000, 400000, 0),
                ('odd', TIMESTAMPTZ '2026-10-01 12:00:00+00', 'openai', 'gpt-unknown-9', 1000, 0, 10)""", YearMonth.of(2024, 6));
        assertThat(lines).containsExactly(List.of("openai:old#input_uncached", "gpt-4o", new BigDecimal("5.000000000000000000"), true));

        List<List<Object>> october = price("""
                ('new', TIMESTAMPTZ '2026-10-01 12:00:00+00', 'openai', 'gpt-4o-2024-08-06', 1000000, 400000, 0),
                ('odd', TIMESTAMPTZ '2026-10-01 12:00:00+00', 'openai', 'gpt-unknown-9', 1000, 0, 10)""", YearMonth.of(2026, 10));
        assertThat(october).containsExactly(
                List.of("openai:new#cache_read", "gpt-4o", new BigDecimal("0.500000000000000000"), true),
                List.of("openai:new#input_uncached", "gpt-4o", new BigDecimal("1.500000000000000000"), true),
                List.of("openai:odd#input_uncached", "gpt-unknown-9", "null", false),
                List.of("openai:odd#output", "gpt-unknown-9", "null", false));
    }

    @Test
    void price_correctedRequest_isReplacedByItsCorrection() {
        List<List<Object>> lines = price("""
                ('orig', TIMESTAMPTZ '2026-10-01 12:00:00+00', 'openai', 'gpt-4o', 1000000, 0, 0),
                ('fix', TIMESTAMPTZ '2026-10-01 12:05:00+00', 'openai', 'gpt-4o', 400000, 0, 0)""", YearMonth.of(2026, 10), "orig");
        assertThat(lines).containsExactly(List.of("openai:fix#input_uncached", "gpt-4o", new BigDecimal("1.000000000000000000"), true));
    }

    @Test
    void price_loggedCost_isSpreadOverTheRequestsLinesByContractedCostThenTokens() {
        // 1000 input at 2.50/M = 0.0025 and 100 output at 10/M = 0.001: the logged 0.003 splits 5:2, truncated at 10^-12.
        // The unpriced request's logged 0.01 splits by tokens, 1000:10.
        price("""
                ('logged', TIMESTAMPTZ '2026-10-01 12:00:00+00', 'openai', 'gpt-4o', 1000, 0, 100),
                ('odd', TIMESTAMPTZ '2026-10-01 12:00:00+00', 'openai', 'gpt-unknown-9', 1000, 0, 10)""", YearMonth.of(2026, 10));
        assertThat(loggedShares).containsExactly(
                "openai:logged#input_uncached 0.002142857142", "openai:logged#output 0.000857142857",
                "openai:odd#input_uncached 0.009900990099", "openai:odd#output 0.000099009900");
    }

    @Test
    void price_loggedCostShares_matchAnIndependentSplitForPricesWithAndWithoutMoreThan12Decimals() {
        // m-round's prices per token have at most 12 decimals (priced by whole units of 10^-12), m-fine's have 15 (priced
        // through the rounding cast): both must split the logged cost exactly as the definition below says.
        String yaml = """
                catalogue: shares
                currency: USD
                models:
                  - provider: openai
                    model: m-round
                    prices:
                      - effective_from: 2026-01-01
                        source: https://example.com/round
                        per_million: { input_uncached: 2.50, cache_read: 1.25, output: 10.00 }
                  - provider: openai
                    model: m-fine
                    prices:
                      - effective_from: 2026-01-01
                        source: https://example.com/fine
                        per_million: { input_uncached: 2.123456789, cache_read: 0.333333333, output: 9.876543211 }
                """;
        Catalogue catalogue = CatalogueFile.parse(yaml.getBytes(StandardCharsets.UTF_8), "shares.yaml");
        PriceBook book = new PriceBook(List.of(), List.of(catalogue), CatalogueFile.builtIn(), Map.of());
        Map<String, BigDecimal> perMillion = Map.of(
                "m-round/input_uncached", new BigDecimal("2.50"), "m-round/cache_read", new BigDecimal("1.25"), "m-round/output", new BigDecimal("10.00"),
                "m-fine/input_uncached", new BigDecimal("2.123456789"), "m-fine/cache_read", new BigDecimal("0.333333333"),
                "m-fine/output", new BigDecimal("9.876543211"));
        java.util.Random random = new java.util.Random(20261123);
        StringBuilder values = new StringBuilder();
        Map<String, BigDecimal> expected = new java.util.TreeMap<>();
        for (int i = 0; i < 300; i++) {
            String model = i % 2 == 0 ? "m-round" : "m-fine";
            long cached = random.nextInt(4) == 0 ? 0 : random.nextInt(2_000_000);
            long input = cached + random.nextInt(3_000_000);
            long output = random.nextInt(5) == 0 ? 0 : random.nextInt(100_000);
            BigDecimal logged = new BigDecimal(random.nextInt(1_000_000_000)).movePointLeft(3 + random.nextInt(10)); // under 10^6, the bound ingest enforces
            values.append(i == 0 ? "" : ",\n").append(String.format(java.util.Locale.ROOT,
                    "('r%d', TIMESTAMPTZ '2026-10-01 12:00:00+00', 'openai', '%s', %d, %d, %d, %s)", i, model, input, cached, output, logged.toPlainString()));
            // The definition: each line's cost in units of 10^-12 (half away from zero), the logged cost in those units
            // times the line's units, divided by the request's units and truncated, back to dollars.
            Map<String, Long> quantities = new java.util.LinkedHashMap<>();
            quantities.put("input_uncached", input - cached);
            quantities.put("cache_read", cached);
            quantities.put("output", output);
            Map<String, java.math.BigInteger> units = new java.util.LinkedHashMap<>();
            quantities.forEach((type, quantity) -> {
                if (quantity > 0) {
                    BigDecimal cost = perMillion.get(model + "/" + type).multiply(BigDecimal.valueOf(quantity)).movePointLeft(6);
                    units.put(type, cost.movePointRight(12).setScale(0, java.math.RoundingMode.HALF_UP).toBigIntegerExact());
                }
            });
            java.math.BigInteger total = units.values().stream().reduce(java.math.BigInteger.ZERO, java.math.BigInteger::add);
            java.math.BigInteger loggedUnits = logged.movePointRight(12).toBigIntegerExact();
            String entry = "openai:r" + i + "#";
            units.forEach((type, lineUnits) -> expected.put(entry + type,
                    new BigDecimal(loggedUnits.multiply(lineUnits).divide(total), 12)));
        }
        try (DuckDbSession db = DuckDbSession.open(directory)) {
            createEvents(db, values.toString(), ", logged", "logged::DECIMAL(38, 12)", "NULL::VARCHAR");
            Path file = directory.resolve("events-shares.parquet");
            db.execute("COPY events TO '" + file + "' (FORMAT parquet)");
            LedgerPricer.price(db, book, List.of(file), YearMonth.of(2026, 10), Map.of());
            Map<String, BigDecimal> actual = new java.util.TreeMap<>();
            db.query("SELECT cost_line_id, logged_cost_share FROM cost_lines", row -> actual.put(row.getString(1), row.getBigDecimal(2)));
            assertThat(actual).hasSize(expected.size());
            expected.forEach((line, share) -> assertThat(actual.get(line)).as(line).isEqualByComparingTo(share));
        }
    }

    @Test
    void unitsMacros_equalExactIntegerAndDecimalArithmetic_atTheirBoundaries() {
        // price.sql's units_div (a double estimate corrected by one exact remainder) against DuckDB's exact 128-bit
        // division: exact multiples, one below and one above, quotients either side of the 10^15 limit and of 2^53.
        afterPricing = db -> {
            db.execute("""
                    CREATE TEMP TABLE division_cases AS
                    SELECT * FROM (
                    SELECT CASE WHEN CAST(q AS DOUBLE) * CAST(d AS DOUBLE) < 1e37 THEN CAST(q AS HUGEINT) * d + o END AS n, d FROM
                        unnest([0, 1, 7, 999999999999, 10000000000000, 999999999999999, 1000000000000000, 1000000000000001,
                                9007199254740991, 9007199254740993, 123456789012345678901]::HUGEINT[]) a(q),
                        unnest([1, 3, 1000000000000, 999999999989, 18446744073709551629, 100000000000000000000000]::HUGEINT[]) b(d),
                        unnest([-1, 0, 1]::HUGEINT[]) c(o)
                    ) WHERE n >= 0
                    UNION ALL
                    SELECT CAST(hash(i) AS HUGEINT) * CAST(hash(i + 1) % 1000000000000 AS HUGEINT), CAST(hash(i + 2) % 100000000000000 AS HUGEINT) + 1
                    FROM range(100000) t(i)""");
            assertThat(db.queryLong("SELECT count(*) FROM division_cases")).isGreaterThan(100_000);
            assertThat(db.queryLong("SELECT count(*) FROM division_cases WHERE units_div(n, d) <> n // d")).isZero();
            // The correction alone, from an estimate one too small or one too large.
            assertThat(db.queryLong("SELECT count(*) FROM division_cases WHERE n < 1e37 AND (units_quotient(n, d, n // d - 1) <> n // d "
                    + "OR units_quotient(n, d, n // d + 1) <> n // d)")).isZero();
            // whole_units12 (a double estimate proven by one decimal comparison) against the rounding cast.
            db.execute("""
                    CREATE TEMP TABLE unit_cases AS
                    SELECT CAST(x AS DECIMAL(38, 12)) AS x FROM unnest(['0', '0.000000000001', '-0.000000000001', '9007.199254740991',
                        '9007.199254740993', '99999999.999999999999', '-99999999.999999999999', '0.1', '0.3', '1234.567890123456']) t(x)
                    UNION ALL
                    SELECT CAST(CAST(hash(i) % 100000000000000000000 AS HUGEINT) AS DECIMAL(38, 0)) * 0.000000000001 FROM range(100000) t(i)""");
            assertThat(db.queryLong("SELECT count(*) FROM unit_cases WHERE whole_units12(x) <> line_units12(x)")).isZero();
            assertThat(db.queryLong("SELECT count(*) FROM unit_cases WHERE CAST(whole_units12(x) AS DECIMAL(38, 0)) * 0.000000000001 <> x")).isZero();
        };
        price("('one', TIMESTAMPTZ '2026-10-01 12:00:00+00', 'openai', 'gpt-4o', 1000, 0, 10)", YearMonth.of(2026, 10));
    }

    @Test
    void price_aRequestCostingTenMillionOrMore_staysUnpriced_andALoggedCostBeyondTheIngestBoundHasNoShare() {
        // gpt-4o: input 2.50 and output 10 per million. A request is out of range when its tokens times its highest price
        // reach 10^7. 'big': 10^11 tokens (bound 10^6) cost 250,000, priced exactly, and its logged cost (the largest
        // ingest takes) is its one line's share. 'huge': 999,999,999,999,999,999 input tokens and one output token (bound
        // 10^13) keep no rate (cost_out_of_range); its logged 0.5 splits by tokens: 0.5 * 10^12 units * (10^18 - 1) / 10^18,
        // truncated, is 499,999,999,999 units on the input line and 0 on the output line. 'legacy' holds a logged cost that
        // ingest now refuses, as a ledger read earlier may: priced, with no share rather than an overflow.
        List<List<Object>> rows = new ArrayList<>();
        try (DuckDbSession db = DuckDbSession.open(directory)) {
            createEvents(db, """
                    ('big', TIMESTAMPTZ '2026-10-01 12:00:00+00', 'openai', 'gpt-4o', 100000000000, 0, 0),
                    ('huge', TIMESTAMPTZ '2026-10-01 12:00:00+00', 'openai', 'gpt-4o', 999999999999999999, 0, 1),
                    ('legacy', TIMESTAMPTZ '2026-10-01 12:00:00+00', 'openai', 'gpt-4o', 1000, 0, 100)""", "",
                    "CASE request_id WHEN 'big' THEN 999999.999999999999 WHEN 'huge' THEN 0.5 ELSE 123456789.123456789012 END::DECIMAL(38, 12)",
                    "NULL::VARCHAR");
            Path file = directory.resolve("events-bounds.parquet");
            db.execute("COPY events TO '" + file + "' (FORMAT parquet)");
            LedgerPricer.price(db, PriceBook.builtIn(Map.of()), List.of(file), YearMonth.of(2026, 10), Map.of());
            db.query("SELECT cost_line_id, contracted_cost, priced, unpriced_reason, logged_cost_share FROM cost_lines ORDER BY cost_line_id",
                    row -> rows.add(java.util.Arrays.asList(row.getString(1), row.getBigDecimal(2), row.getBoolean(3), row.getString(4),
                            row.getBigDecimal(5))));
        }
        assertThat(rows).containsExactly(
                java.util.Arrays.asList("openai:big#input_uncached", new BigDecimal("250000.000000000000000000"), true, null,
                        new BigDecimal("999999.999999999999")),
                java.util.Arrays.asList("openai:huge#input_uncached", null, false, "cost_out_of_range", new BigDecimal("0.499999999999")),
                java.util.Arrays.asList("openai:huge#output", null, false, "cost_out_of_range", new BigDecimal("0.000000000000")),
                java.util.Arrays.asList("openai:legacy#input_uncached", new BigDecimal("0.002500000000000000"), true, null, null),
                java.util.Arrays.asList("openai:legacy#output", new BigDecimal("0.001000000000000000"), true, null, null));
    }

    private java.util.function.Consumer<DuckDbSession> afterPricing = db -> { };

    /**
     * The {@code events} table of a request log (and an empty {@code invoice_lines}) from {@code values}: tuples of
     * request_id, occurred_at, provider, model, input_tokens, cache_read_tokens, output_tokens, then
     * {@code extraColumns} (", name" each) that {@code loggedCost} and {@code correctsRequestId} may use.
     */
    private static void createEvents(DuckDbSession db, String values, String extraColumns, String loggedCost, String correctsRequestId) {
        db.execute("CREATE TEMP TABLE invoice_lines (provider VARCHAR, BillingAccountId VARCHAR)");
        db.execute("CREATE TEMP TABLE events AS SELECT request_id, occurred_at, provider, model, NULL::VARCHAR AS billing_account_id,"
                + " NULL::VARCHAR AS principal_id, NULL::VARCHAR AS consumer_id, NULL::VARCHAR AS feature, NULL::VARCHAR AS user_id,"
                + " NULL::VARCHAR AS session_id, NULL::VARCHAR AS environment, 'standard' AS service_tier, NULL::VARCHAR AS region,"
                + " input_tokens::BIGINT AS input_tokens, cache_read_tokens::BIGINT AS cache_read_tokens, 0::BIGINT AS cache_write_tokens,"
                + " 0::BIGINT AS cache_write_1h_tokens, output_tokens::BIGINT AS output_tokens, NULL::BIGINT AS reasoning_tokens,"
                + " 0::BIGINT AS web_search_calls, 'success' AS status, " + loggedCost + " AS logged_cost_usd, "
                + correctsRequestId + " AS corrects_request_id, 'sha' AS source_sha256, 2::BIGINT AS source_line"
                + " FROM (VALUES " + values + ") AS v(request_id, occurred_at, provider, model, input_tokens, cache_read_tokens, output_tokens"
                + extraColumns + ")");
    }

    private final List<String> loggedShares = new ArrayList<>();

    private List<List<Object>> price(String values, YearMonth period) {
        return price(values, period, null);
    }

    /** Prices the given events; the last one corrects {@code corrected} when that is not null. */
    private List<List<Object>> price(String values, YearMonth period, String corrected) {
        try (DuckDbSession db = DuckDbSession.open(directory)) {
            createEvents(db, values, "", "CASE request_id WHEN 'logged' THEN 0.003 WHEN 'odd' THEN 0.01 END::DECIMAL(38, 12)",
                    "CASE WHEN request_id = 'fix' THEN " + (corrected == null ? "NULL" : "'" + corrected + "'") + " END");
            Path file = directory.resolve("events-" + period + ".parquet");
            db.execute("COPY events TO '" + file + "' (FORMAT parquet)");
            LedgerPricer.price(db, PriceBook.builtIn(Map.of()), List.of(file), period, Map.of());
            List<List<Object>> rows = new ArrayList<>();
            db.query("SELECT cost_line_id, logged_cost_share FROM cost_lines WHERE logged_cost_share IS NOT NULL ORDER BY cost_line_id",
                    row -> loggedShares.add(row.getString(1) + " " + row.getBigDecimal(2).toPlainString()));
            db.query("SELECT cost_line_id, model, list_cost, priced FROM cost_lines ORDER BY cost_line_id", row -> rows.add(List.of(
                    row.getString(1), row.getString(2), row.getBigDecimal(3) == null ? "null" : row.getBigDecimal(3), row.getBoolean(4))));
            afterPricing.accept(db);
            return rows;
        }
    }
}
