package dev.apportion.sample;

import static org.assertj.core.api.Assertions.assertThat;

import dev.apportion.ledger.sample.GeneratedMonth;
import dev.apportion.ledger.sample.SampleMonthGenerator;
import dev.apportion.ledger.sample.SampleMonthSpec;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RealisticMonthGeneratorTest {
    private static final YearMonth PERIOD = YearMonth.of(2026, 10);
    private static final long REQUESTS = 100_000;
    private static final long SEED = 20261001L;
    private static final Pattern TIMESTAMP = Pattern.compile("2026-10-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
    private static final Pattern REQUEST_ID = Pattern.compile("req_[0-9a-f]{20}");

    @TempDir
    static Path sharedDirectory;

    private static GeneratedMonth month;
    private static MonthAudit audit;

    @BeforeAll
    static void generateOneRealisticMonth() throws IOException {
        month = new RealisticMonthGenerator().generate(new SampleMonthSpec(PERIOD, REQUESTS, SEED), sharedDirectory);
        audit = new MonthAudit(PERIOD, sharedDirectory, month);
    }

    @Test
    void generate_sameSpecTwice_writesIdenticalBytes(@TempDir Path first, @TempDir Path second) throws IOException {
        SampleMonthSpec spec = new SampleMonthSpec(YearMonth.of(2027, 2), 30_000, 7L);
        GeneratedMonth one = new RealisticMonthGenerator().generate(spec, first);
        GeneratedMonth two = new RealisticMonthGenerator().generate(spec, second);

        assertThat(two.invoicedTotal()).isEqualTo(one.invoicedTotal());
        for (int i = 0; i < one.files().size(); i++) {
            assertThat(Files.readAllBytes(two.files().get(i)))
                    .as("bytes of %s", two.files().get(i).getFileName())
                    .isEqualTo(Files.readAllBytes(one.files().get(i)));
        }
    }

    @Test
    void generate_differentSeed_writesDifferentFiles(@TempDir Path first, @TempDir Path second) throws IOException {
        GeneratedMonth one = new RealisticMonthGenerator().generate(new SampleMonthSpec(PERIOD, 20_000, 1L), first);
        GeneratedMonth two = new RealisticMonthGenerator().generate(new SampleMonthSpec(PERIOD, 20_000, 2L), second);

        assertThat(two.invoicedTotal()).isNotEqualTo(one.invoicedTotal());
        for (int i = 0; i < one.files().size(); i++) {
            assertThat(Files.readAllBytes(two.files().get(i)))
                    .as("bytes of %s", two.files().get(i).getFileName())
                    .isNotEqualTo(Files.readAllBytes(one.files().get(i)));
        }
    }

    @Test
    void generate_returnsTheThreeFilesWithExactHeaders() {
        assertThat(month.files()).containsExactly(
                sharedDirectory.resolve("requests-2026-10.csv"),
                sharedDirectory.resolve("invoice-openai-2026-10.focus.csv"),
                sharedDirectory.resolve("invoice-anthropic-2026-10.focus.csv"));
        assertThat(month.requests()).isEqualTo(REQUESTS);
        assertThat(month.currency()).isEqualTo("USD");
        assertThat(audit.requests.headerLine()).isEqualTo(Oracle.REQUEST_HEADER);
        assertThat(audit.requests.rows()).hasSize((int) REQUESTS);
        assertThat(audit.invoices.values()).allSatisfy(
                invoice -> assertThat(invoice.headerLine()).isEqualTo(Oracle.FOCUS_HEADER));
    }

    @Test
    void requestLog_everyRowRespectsTokenInvariants() {
        CsvTable log = audit.requests;
        Function<List<String>, String> provider = log.column("provider");
        Function<List<String>, String> input = log.column("input_tokens");
        Function<List<String>, String> cacheRead = log.column("cache_read_tokens");
        Function<List<String>, String> cacheWrite = log.column("cache_write_tokens");
        Function<List<String>, String> cacheWrite1h = log.column("cache_write_1h_tokens");
        Function<List<String>, String> output = log.column("output_tokens");
        Function<List<String>, String> reasoning = log.column("reasoning_tokens");
        Function<List<String>, String> model = log.column("model");
        for (List<String> row : log.rows()) {
            long cached = MonthAudit.count(cacheRead.apply(row)) + MonthAudit.count(cacheWrite.apply(row))
                    + MonthAudit.count(cacheWrite1h.apply(row));
            assertThat(cached).as("cache tokens of %s", row).isLessThanOrEqualTo(Long.parseLong(input.apply(row)));
            assertThat(MonthAudit.count(reasoning.apply(row))).as("reasoning of %s", row)
                    .isLessThanOrEqualTo(Long.parseLong(output.apply(row)));
            assertThat(cacheWrite1h.apply(row)).as("1h writes of %s", row).isIn("", "0");
            if (provider.apply(row).equals("openai")) {
                assertThat(cacheWrite.apply(row)).as("OpenAI bills no cache writes: %s", row).isEmpty();
            }
            if (!reasoning.apply(row).isEmpty()) {
                assertThat(model.apply(row)).as("reasoning only on gpt-4.1-mini: %s", row).isEqualTo("gpt-4.1-mini");
            }
        }
        assertThat(log.rows()).as("some cache reads").filteredOn(row -> MonthAudit.count(cacheRead.apply(row)) > 0)
                .hasSizeGreaterThan(log.rows().size() / 5);
        assertThat(log.rows()).as("some cache writes").anyMatch(row -> MonthAudit.count(cacheWrite.apply(row)) > 0);
        assertThat(log.rows()).as("some reasoning").anyMatch(row -> !reasoning.apply(row).isEmpty());
    }

    @Test
    void requestLog_fixedColumnsHoldTheirOnlyValues() {
        CsvTable log = audit.requests;
        assertThat(distinct(log, "service_tier")).containsExactly("standard");
        assertThat(distinct(log, "region")).containsExactly("");
        assertThat(distinct(log, "web_search_calls")).containsExactly("0");
        assertThat(distinct(log, "corrects_request_id")).containsExactly("");
        assertThat(distinct(log, "status")).containsExactlyInAnyOrder("success", "error");
        assertThat(distinct(log, "environment")).containsExactlyInAnyOrder("production", "staging", "development");
        assertThat(distinct(log, "model")).containsExactlyInAnyOrderElementsOf(Oracle.CANONICAL.keySet());
        assertThat(distinct(log, "billing_account_id"))
                .containsExactlyInAnyOrder("org-demo-openai", "anthropic-org-demo", "");
        assertThat(distinct(log, "principal_id")).contains("svc-infer-prod", "svc-chat-prod", "svc-batch-reports",
                "svc-agents-staging");
        assertThat(distinct(log, "feature")).hasSizeGreaterThanOrEqualTo(6);
        assertThat(distinct(log, "user_id")).allMatch(user -> user.matches("user-\\d{5}")).hasSizeGreaterThan(1_000);
        assertThat(distinct(log, "consumer_id")).allMatch(tenant -> tenant.isEmpty() || tenant.matches("tenant:T-0[0-4]\\d"));
    }

    @Test
    void requestLog_timesAreOrderedInsideThePeriodAndIdsAreUnique() {
        Function<List<String>, String> occurredAt = audit.requests.column("occurred_at");
        Function<List<String>, String> requestId = audit.requests.column("request_id");
        Instant start = Instant.parse("2026-10-01T00:00:00Z");
        Instant end = Instant.parse("2026-11-01T00:00:00Z");
        Instant previous = start;
        Set<String> ids = new HashSet<>();
        for (List<String> row : audit.requests.rows()) {
            String text = occurredAt.apply(row);
            assertThat(text).matches(TIMESTAMP);
            Instant instant = Instant.parse(text);
            assertThat(instant).isAfterOrEqualTo(previous).isBefore(end);
            previous = instant;
            assertThat(requestId.apply(row)).matches(REQUEST_ID);
            ids.add(requestId.apply(row));
        }
        assertThat(ids).hasSize((int) REQUESTS);
    }

    @Test
    void requestLog_loggedCostIsTheOracleListCost() {
        CsvTable log = audit.requests;
        Function<List<String>, String> model = log.column("model");
        Function<List<String>, String> input = log.column("input_tokens");
        Function<List<String>, String> cacheRead = log.column("cache_read_tokens");
        Function<List<String>, String> cacheWrite = log.column("cache_write_tokens");
        Function<List<String>, String> output = log.column("output_tokens");
        Function<List<String>, String> loggedCost = log.column("logged_cost_usd");
        for (List<String> row : log.rows()) {
            Map<String, BigDecimal> prices = Oracle.PRICES.get(Oracle.CANONICAL.get(model.apply(row)));
            long read = MonthAudit.count(cacheRead.apply(row));
            long write = MonthAudit.count(cacheWrite.apply(row));
            BigDecimal expected = prices.get("input_uncached").multiply(BigDecimal.valueOf(Long.parseLong(input.apply(row)) - read - write))
                    .add(prices.get("cache_read").multiply(BigDecimal.valueOf(read)))
                    .add(write == 0 ? BigDecimal.ZERO : prices.get("cache_write_5m").multiply(BigDecimal.valueOf(write)))
                    .add(prices.get("output").multiply(BigDecimal.valueOf(Long.parseLong(output.apply(row)))))
                    .movePointLeft(6);
            assertThat(loggedCost.apply(row)).as("logged cost of %s", row).doesNotContain("E");
            assertThat(new BigDecimal(loggedCost.apply(row))).as("logged cost of %s", row).isEqualByComparingTo(expected);
        }
    }

    @Test
    void requestLog_looksLikeRealTraffic() {
        CsvTable log = audit.requests;
        Map<String, Long> providers = counts(log, "provider");
        assertThat(providers.keySet()).containsExactlyInAnyOrder("openai", "anthropic");
        assertThat(share(providers.get("openai"))).isBetween(0.5, 0.7);
        Function<List<String>, String> model = log.column("model");
        assertThat(log.rows().stream().map(row -> Oracle.CANONICAL.get(model.apply(row))).distinct()).hasSize(5);
        Map<String, Long> gpt4oIds = log.rows().stream().map(model).filter(id -> id.startsWith("gpt-4o")
                && !id.startsWith("gpt-4o-mini")).collect(Collectors.groupingBy(id -> id, Collectors.counting()));
        assertThat((double) gpt4oIds.get("gpt-4o") / (gpt4oIds.get("gpt-4o") + gpt4oIds.get("gpt-4o-2024-08-06")))
                .isBetween(0.55, 0.85);

        assertThat(share(counts(log, "billing_account_id").get(""))).isBetween(0.08, 0.12);
        assertThat(share(counts(log, "status").get("error"))).isBetween(0.005, 0.02);
        Map<String, Long> tenants = counts(log, "consumer_id");
        assertThat(share(tenants.remove(""))).as("unattributed share").isBetween(0.005, 0.02);
        assertThat(tenants).hasSize(40);
        List<Long> perTenant = tenants.values().stream().sorted().toList();
        long median = perTenant.get(perTenant.size() / 2);
        long top = perTenant.get(perTenant.size() - 1);
        assertThat(top).as("top tenant against the median one").isGreaterThan(10 * median);

        Function<List<String>, String> occurredAt = log.column("occurred_at");
        Map<DayOfWeek, Long> perWeekday = log.rows().stream().map(occurredAt)
                .collect(Collectors.groupingBy(at -> LocalDate.parse(at.substring(0, 10)).getDayOfWeek(),
                        Collectors.counting()));
        // October 2026 has four or five of each weekday: compare per-day averages.
        assertThat(perWeekday.get(DayOfWeek.WEDNESDAY) / 4.0).isGreaterThan(1.5 * perWeekday.get(DayOfWeek.SUNDAY) / 4.0);
        Map<Integer, Long> perHour = log.rows().stream().map(occurredAt)
                .collect(Collectors.groupingBy(at -> Integer.parseInt(at.substring(11, 13)), Collectors.counting()));
        assertThat(perHour.get(15)).isGreaterThan(2 * perHour.get(22));
    }

    @Test
    void requestLog_sessionsGroupRequestsOfOneUser() {
        Function<List<String>, String> session = audit.requests.column("session_id");
        Function<List<String>, String> user = audit.requests.column("user_id");
        Function<List<String>, String> occurredAt = audit.requests.column("occurred_at");
        Map<String, String> userOfSession = new HashMap<>();
        Map<String, Instant> firstOfSession = new HashMap<>();
        Map<String, Instant> lastOfSession = new HashMap<>();
        for (List<String> row : audit.requests.rows()) {
            String previousUser = userOfSession.putIfAbsent(session.apply(row), user.apply(row));
            assertThat(previousUser).as("user of %s", session.apply(row)).isIn(null, user.apply(row));
            Instant at = Instant.parse(occurredAt.apply(row));
            firstOfSession.putIfAbsent(session.apply(row), at);
            lastOfSession.put(session.apply(row), at);
        }
        assertThat(userOfSession.size()).as("sessions").isBetween((int) REQUESTS / 20, (int) REQUESTS / 2);
        long longerThanAWorkingDay = firstOfSession.keySet().stream()
                .filter(id -> lastOfSession.get(id).isAfter(firstOfSession.get(id).plusSeconds(8 * 3_600))).count();
        assertThat(longerThanAWorkingDay).isZero();
    }

    @Test
    void invoices_billTheLoggedTokensExceptTwoVarianceCellsPerProvider() {
        Map<MonthAudit.Cell, BigDecimal> excess = audit.excessShares();

        assertThat(excess).hasSize(4);
        assertThat(excess.keySet().stream().map(MonthAudit.Cell::provider).collect(
                Collectors.groupingBy(provider -> provider, Collectors.counting())))
                .containsEntry("openai", 2L).containsEntry("anthropic", 2L);
        assertThat(excess).allSatisfy((cell, share) -> {
            assertThat(cell.tokenType()).isEqualTo("input_uncached");
            assertThat(share).isBetween(new BigDecimal("0.001"), new BigDecimal("0.003"));
        });
        assertThat(audit.varianceCost()).isPositive()
                .isLessThan(month.invoicedTotal().multiply(new BigDecimal("0.005")));
    }

    @Test
    void invoices_priceEveryUsageLineExactly() {
        int lines = audit.assertUsageLinesPricedExactly();

        // 31 days × (3 OpenAI models × 3 token types + 2 Anthropic models × 4 token types) at this volume.
        assertThat(lines).isEqualTo(31 * (3 * 3 + 2 * 4));
    }

    @Test
    void invoices_describeProviderAndAccount() {
        Map<String, String> openAi = MonthAudit.usageLines(audit.invoices.get("openai")).get(0);
        assertThat(openAi).containsEntry("BillingAccountId", "org-demo-openai")
                .containsEntry("BillingAccountName", "Demo Org (OpenAI)")
                .containsEntry("BillingAccountType", "Organization")
                .containsEntry("BillingCurrency", "USD")
                .containsEntry("PricingCurrency", "USD")
                .containsEntry("BillingPeriodStart", "2026-10-01T00:00:00Z")
                .containsEntry("BillingPeriodEnd", "2026-11-01T00:00:00Z")
                .containsEntry("ChargeCategory", "Usage")
                .containsEntry("ChargeClass", "")
                .containsEntry("ChargeFrequency", "Usage-Based")
                .containsEntry("HostProviderName", "OpenAI")
                .containsEntry("InvoiceIssuerName", "OpenAI")
                .containsEntry("ServiceProviderName", "OpenAI")
                .containsEntry("ServiceName", "OpenAI API")
                .containsEntry("ServiceCategory", "AI and Machine Learning")
                .containsEntry("ServiceSubcategory", "Generative AI")
                .containsEntry("PricingCategory", "Standard")
                .containsEntry("InvoiceId", "INV-OPENAI-2026-10")
                .containsEntry("RegionId", "")
                .containsEntry("Tags", "");
        Map<String, String> anthropic = MonthAudit.usageLines(audit.invoices.get("anthropic")).get(0);
        assertThat(anthropic).containsEntry("BillingAccountId", "anthropic-org-demo")
                .containsEntry("BillingAccountName", "Demo Org (Anthropic)")
                .containsEntry("ServiceProviderName", "Anthropic")
                .containsEntry("ServiceName", "Anthropic API")
                .containsEntry("InvoiceId", "INV-ANTHROPIC-2026-10");
        assertThat(audit.invoices.values()).allSatisfy(invoice -> assertThat(invoice.rowMaps())
                .allSatisfy(line -> assertThat(line.get("SkuPriceDetails")).doesNotContain("-20")));
    }

    @Test
    void invoices_endWithTheSupportPlan() {
        Map<String, String> expectedFees = Map.of("openai", "150.00", "anthropic", "200.00");
        expectedFees.forEach((provider, fee) -> {
            List<Map<String, String>> lines = audit.invoices.get(provider).rowMaps();
            Map<String, String> plan = lines.get(lines.size() - 1);
            assertThat(lines).filteredOn(line -> !line.get("ChargeCategory").equals("Usage")).containsExactly(plan);
            assertThat(plan).containsEntry("ChargeCategory", "Purchase")
                    .containsEntry("ChargeFrequency", "Recurring")
                    .containsEntry("ChargeDescription", "Platform support plan")
                    .containsEntry("ChargePeriodStart", "2026-10-01T00:00:00Z")
                    .containsEntry("ChargePeriodEnd", "2026-11-01T00:00:00Z")
                    .containsEntry("ConsumedQuantity", "")
                    .containsEntry("ConsumedUnit", "")
                    .containsEntry("SkuMeter", "")
                    .containsEntry("SkuPriceDetails", "")
                    .containsEntry("ListUnitPrice", "")
                    .containsEntry("ContractedUnitPrice", "")
                    .containsEntry("PricingQuantity", "1")
                    .containsEntry("PricingUnit", "Month")
                    .containsEntry("SkuId", "support-plan")
                    .containsEntry("SkuPriceId", "support-plan")
                    .containsEntry("BilledCost", fee)
                    .containsEntry("EffectiveCost", fee)
                    .containsEntry("ListCost", fee)
                    .containsEntry("ContractedCost", fee);
        });
    }

    @Test
    void generate_invoicedTotalIsTheSumOfBilledCost() {
        assertThat(month.invoicedTotal()).isEqualByComparingTo(audit.billedTotal());
        assertThat(month.invoicedTotal()).isGreaterThan(new BigDecimal("1000"));
    }

    @Test
    void generate_singleRequest_writesAConsistentMonth(@TempDir Path directory) throws IOException {
        GeneratedMonth tiny = new RealisticMonthGenerator()
                .generate(new SampleMonthSpec(YearMonth.of(2028, 2), 1, 99L), directory);
        MonthAudit tinyAudit = new MonthAudit(YearMonth.of(2028, 2), directory, tiny);

        assertThat(tinyAudit.requests.rows()).hasSize(1);
        assertThat(tinyAudit.excessShares()).as("no cell is large enough for a variance").isEmpty();
        tinyAudit.assertUsageLinesPricedExactly();
        assertThat(tiny.invoicedTotal()).isEqualByComparingTo(tinyAudit.billedTotal())
                .isGreaterThan(new BigDecimal("350.00"));
    }

    @Test
    void generate_intoExistingDirectory_replacesFilesAndLeavesNothingElse(@TempDir Path directory) throws IOException {
        Path missing = directory.resolve("inbox").resolve("demo");
        new RealisticMonthGenerator().generate(new SampleMonthSpec(PERIOD, 5_000, 1L), missing);
        GeneratedMonth second = new RealisticMonthGenerator().generate(new SampleMonthSpec(PERIOD, 3_000, 2L), missing);

        try (Stream<Path> files = Files.list(missing)) {
            assertThat(files.map(path -> path.getFileName().toString())).containsExactlyInAnyOrder(
                    "requests-2026-10.csv", "invoice-openai-2026-10.focus.csv", "invoice-anthropic-2026-10.focus.csv");
        }
        assertThat(CsvTable.read(second.files().get(0)).rows()).hasSize(3_000);
    }

    @Test
    void serviceLoader_findsTheGenerator() {
        assertThat(ServiceLoader.load(SampleMonthGenerator.class).stream().map(ServiceLoader.Provider::type))
                .containsExactly(RealisticMonthGenerator.class);
    }

    private static Set<String> distinct(CsvTable table, String column) {
        return table.rows().stream().map(table.column(column)).collect(Collectors.toSet());
    }

    private static Map<String, Long> counts(CsvTable table, String column) {
        return table.rows().stream().map(table.column(column))
                .collect(Collectors.groupingBy(value -> value, HashMap::new, Collectors.counting()));
    }

    private static double share(long count) {
        return (double) count / REQUESTS;
    }
}
