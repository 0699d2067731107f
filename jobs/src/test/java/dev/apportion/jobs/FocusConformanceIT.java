package dev.apportion.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Instant;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Our own FOCUS 1.4 conformance suite: the MUST rules that apply to our rows, checked on a close with every
 * allocation method (direct, activity, residual even, proportional and fixed with a split change, unallocated),
 * fees, a credit and a consumers table, read back from disk by parquet-java, not by DuckDB that wrote them. The
 * rules and allowed values are written out here from the specification (reference/focus.md), not taken from the
 * code under test.
 */
class FocusConformanceIT {
    /** Columns that MUST NOT be null once present (FOCUS 1.4; Apportion writes every column). */
    static final List<String> NOT_NULL = List.of("BilledCost", "BillingAccountId", "BillingAccountType", "BillingCurrency",
            "BillingPeriodEnd", "BillingPeriodStart", "ChargeCategory", "ChargeFrequency", "ChargePeriodEnd", "ChargePeriodStart",
            "ContractedCost", "EffectiveCost", "InvoiceIssuerName", "ListCost", "PricingCurrency", "PricingCurrencyEffectiveCost",
            "ServiceCategory", "ServiceName", "ServiceProviderName", "ServiceSubcategory");
    static final Set<String> CHARGE_CATEGORIES = Set.of("Adjustment", "Credit", "Purchase", "Tax", "Usage");
    static final Set<String> CHARGE_FREQUENCIES = Set.of("One-Time", "Recurring", "Usage-Based");
    static final Map<String, String> AI_SUBCATEGORIES = Map.of("AI Platforms", "AI and Machine Learning", "Bots",
            "AI and Machine Learning", "Generative AI", "AI and Machine Learning", "Machine Learning", "AI and Machine Learning",
            "Natural Language Processing", "AI and Machine Learning");
    static final Set<String> SKU_PRICE_DETAILS_KEYS = Set.of("CoreCount", "DiskMaxIops", "DiskSpace", "DiskType", "GpuCount",
            "InstanceType", "InstanceSeries", "MemorySize", "NetworkMaxIops", "NetworkMaxThroughput", "OperatingSystem",
            "Redundancy", "StorageClass");
    static final List<String> COSTS = List.of("BilledCost", "EffectiveCost", "ListCost", "ContractedCost");

    @TempDir
    Path directory;

    @Test
    void close_everyAllocationMethod_meetsTheFocusRulesReadBackByParquetJava() throws Exception {
        TestHome test = TestHome.init(directory);
        test.replaceRules(AllocationRulesIT.RULES.replace("  - id: usage-direct\n",
                "  - id: usage-direct-unallocated\n    select: { model: gpt-4o, has_usage: true }\n"
                        + "    method: direct\n    variance: unallocated\n    owner: FinOps\n"
                        + "  - id: usage-direct\n"));
        test.drop("october-invoice.csv", AllocationRulesIT.INVOICE);
        test.drop("october-requests.csv", AllocationRulesIT.REQUESTS);
        assertThat(test.run("close", "--period", "2026-10", "--home", directory.toString())).as(test.lastErr).isZero();
        Path close = test.home.close(YearMonth.of(2026, 10), 1);

        ParquetJavaReader.Table focus = ParquetJavaReader.read(close.resolve("focus/cost-and-usage.parquet"));
        ParquetJavaReader.Table lines = ParquetJavaReader.read(close.resolve("inputs/invoice-lines.parquet"));
        List<String> violations = new ArrayList<>();

        // Columns: FOCUS's, the actor pair and the evidence; non-x_ columns in ASCII order, then x_ columns; no 1.3-deprecated ones.
        List<String> columns = focus.columns();
        List<String> plain = columns.stream().filter(c -> !c.startsWith("x_")).toList();
        List<String> extension = columns.stream().filter(c -> c.startsWith("x_")).toList();
        assertThat(columns).startsWith(plain.toArray(String[]::new));
        assertThat(plain).isSorted().contains("PrincipalId", "ConsumerId", "AllocatedMethodId", "AllocatedMethodDetails")
                .doesNotContain("ProviderName", "PublisherName").hasSize(67);
        assertThat(extension).isSorted().contains("x_EvidenceHash", "x_SplitRatio");
        // Money and quantities are decimals, never binary floats; timestamps are UTC-adjusted.
        for (String column : List.of("BilledCost", "EffectiveCost", "ListCost", "ContractedCost", "PricingQuantity", "ConsumedQuantity",
                "ListUnitPrice", "ContractedUnitPrice", "x_SplitRatio")) {
            assertThat(focus.schema().getType(column).getLogicalTypeAnnotation()).as(column)
                    .isInstanceOf(LogicalTypeAnnotation.DecimalLogicalTypeAnnotation.class);
        }
        for (String column : List.of("BillingPeriodStart", "BillingPeriodEnd", "ChargePeriodStart", "ChargePeriodEnd")) {
            assertThat(focus.schema().getType(column).getLogicalTypeAnnotation()).as(column)
                    .isInstanceOfSatisfying(LogicalTypeAnnotation.TimestampLogicalTypeAnnotation.class,
                            timestamp -> assertThat(timestamp.isAdjustedToUTC()).isTrue());
        }
        assertThat(focus.metadata()).containsEntry("FocusVersion", "1.4").containsEntry("DataGenerator", "Apportion")
                .containsKeys("SchemaId", "CreationDate", "DataGeneratorVersion", "ColumnDefinition");
        // FOCUS Metadata: one ColumnDefinition per delivered column, in the file and in the manifest.
        JsonNode definitions = JsonMapper.builder().build().readTree(focus.metadata().get("ColumnDefinition"));
        assertThat(definitions.size()).isEqualTo(columns.size());
        for (int i = 0; i < columns.size(); i++) {
            assertThat(definitions.get(i).path("ColumnName").asString()).isEqualTo(columns.get(i));
        }
        JsonNode billed = definitions.get(columns.indexOf("BilledCost"));
        assertThat(billed.path("DataType").asString()).isEqualTo("Decimal");
        assertThat(billed.path("NumberScale").asInt()).isEqualTo(18);
        assertThat(definitions.get(columns.indexOf("ChargePeriodStart")).path("DataType").asString()).isEqualTo("Date/Time");
        assertThat(definitions.get(columns.indexOf("Tags")).path("DataType").asString()).isEqualTo("JSON");
        JsonNode manifest = JsonMapper.builder().build().readTree(close.resolve("manifest.json").toFile()).path("focusMetadata");
        assertThat(manifest.path("Schema").path("FocusVersion").asString()).isEqualTo("1.4");
        assertThat(manifest.path("Schema").path("SchemaId").asString()).isEqualTo(focus.metadata().get("SchemaId"));
        assertThat(manifest.path("Schema").path("ColumnDefinition")).isEqualTo(definitions);
        assertThat(manifest.path("DatasetInstance").path("FocusDatasetId").asString()).isEqualTo("CostAndUsage");
        assertThat(manifest.path("DataGenerator").path("DataGenerator").asString()).isEqualTo("Apportion");

        Map<String, Map<String, Object>> origins = new HashMap<>();
        lines.rows().forEach(line -> origins.put((String) line.get("anchor_id"), line));
        Map<String, BigDecimal[]> sums = new TreeMap<>();
        JsonMapper json = JsonMapper.builder().build();
        for (Map<String, Object> row : focus.rows()) {
            String id = (String) row.get("x_AllocationRowId");
            for (String column : NOT_NULL) {
                if (row.get(column) == null) {
                    violations.add(id + ": " + column + " is null");
                }
            }
            check(violations, id, "ChargeCategory", CHARGE_CATEGORIES.contains(row.get("ChargeCategory")), row);
            check(violations, id, "ChargeFrequency", CHARGE_FREQUENCIES.contains(row.get("ChargeFrequency")), row);
            check(violations, id, "ChargeClass", row.get("ChargeClass") == null || "Correction".equals(row.get("ChargeClass")), row);
            String subcategory = (String) row.get("ServiceSubcategory");
            String category = (String) row.get("ServiceCategory");
            check(violations, id, "ServiceSubcategory", subcategory != null && (subcategory.equals("Other (" + category + ")")
                    || category.equals(AI_SUBCATEGORIES.get(subcategory))), row);
            for (String price : List.of("ListUnitPrice", "ContractedUnitPrice")) {
                check(violations, id, price, row.get(price) == null || ((BigDecimal) row.get(price)).signum() >= 0, row);
            }
            check(violations, id, "ChargePeriodStart", ((Instant) row.get("ChargePeriodStart")).isBefore((Instant) row.get("ChargePeriodEnd")), row);
            check(violations, id, "BillingPeriodStart", ((Instant) row.get("BillingPeriodStart")).isBefore((Instant) row.get("BillingPeriodEnd")), row);
            check(violations, id, "x_AllocationMethod", Set.of("direct", "activity", "residual", "unallocated").contains(row.get("x_AllocationMethod")), row);
            // AllocatedResourceId is null exactly for the unallocated portion; the name accompanies the id.
            check(violations, id, "AllocatedResourceId", (row.get("AllocatedResourceId") == null) == "unallocated".equals(row.get("x_AllocationMethod")), row);
            check(violations, id, "AllocatedResourceName", (row.get("AllocatedResourceName") == null) == (row.get("AllocatedResourceId") == null), row);
            // Key-value JSON columns are flat objects; SkuPriceDetails keys are FOCUS-defined or x_-prefixed.
            for (String column : List.of("Tags", "AllocatedTags", "SkuPriceDetails")) {
                if (row.get(column) != null) {
                    JsonNode object = json.readTree((String) row.get(column));
                    check(violations, id, column, object.isObject() && object.properties().stream().allMatch(e -> e.getValue().isValueNode()), row);
                    if (column.equals("SkuPriceDetails")) {
                        object.propertyNames().forEach(key -> check(violations, id, "SkuPriceDetails key " + key,
                                key.startsWith("x_") || SKU_PRICE_DETAILS_KEYS.contains(key), row));
                    }
                }
            }
            JsonNode details = json.readTree((String) row.get("AllocatedMethodDetails"));
            check(violations, id, "AllocatedMethodDetails", ((BigDecimal) row.get("x_SplitRatio"))
                    .compareTo(details.path("Elements").get(0).path("AllocatedRatio").decimalValue()) == 0, row);
            // Cost = unit price × quantity, per row, where the origin line satisfies it.
            Map<String, Object> origin = origins.get((String) row.get("x_AllocationAnchorId"));
            for (String[] identity : new String[][] {{"ListCost", "ListUnitPrice"}, {"ContractedCost", "ContractedUnitPrice"}}) {
                if (origin.get(identity[1]) != null && origin.get("PricingQuantity") != null && ((BigDecimal) origin.get(identity[0]))
                        .compareTo(((BigDecimal) origin.get(identity[1])).multiply((BigDecimal) origin.get("PricingQuantity"))) == 0) {
                    check(violations, id, identity[0] + " = " + identity[1] + " x PricingQuantity", ((BigDecimal) row.get(identity[0]))
                            .compareTo(((BigDecimal) row.get(identity[1])).multiply((BigDecimal) row.get("PricingQuantity"))) == 0, row);
                }
            }
            BigDecimal[] sum = sums.computeIfAbsent((String) row.get("x_AllocationAnchorId"), anchor -> new BigDecimal[] {
                    BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO});
            for (int i = 0; i < COSTS.size(); i++) {
                sum[i] = sum[i].add((BigDecimal) row.get(COSTS.get(i)));
            }
            sum[4] = sum[4].add((BigDecimal) row.get("x_SplitRatio"));
        }
        // Allocated rows sum to their origin, column by column; ratios per origin sum to exactly 1.
        assertThat(sums.keySet()).containsExactlyInAnyOrderElementsOf(origins.keySet());
        sums.forEach((anchor, sum) -> {
            Map<String, Object> origin = origins.get(anchor);
            for (int i = 0; i < COSTS.size(); i++) {
                BigDecimal expected = origin.get(COSTS.get(i)) == null ? (BigDecimal) origin.get("BilledCost") : (BigDecimal) origin.get(COSTS.get(i));
                if (sum[i].compareTo(expected) != 0) {
                    violations.add(anchor + ": " + COSTS.get(i) + " rows sum to " + sum[i].toPlainString() + ", origin " + expected.toPlainString());
                }
            }
            if (sum[4].compareTo(BigDecimal.ONE) != 0) {
                violations.add(anchor + ": ratios sum to " + sum[4].toPlainString());
            }
        });

        assertThat(violations).isEmpty();
        assertThat(focus.rows()).extracting(row -> row.get("x_AllocationMethod")).contains("direct", "residual", "unallocated");
    }

    /** The spreadsheet twin: the same rows and totals as the Parquet file, and a formula-like consumer made inert. */
    @Test
    void close_spreadsheetTwin_hasTheSameRowsAndTotalsAndNoLiveFormula() throws Exception {
        TestHome test = TestHome.init(directory);
        test.drop("october-invoice.csv", WorkedExampleIT.FOCUS_HEADER + ReconciliationIT.CLEAN_INVOICE);
        test.drop("october-requests.csv", ReconciliationIT.REQUEST_HEADER + ReconciliationIT.CLEAN_REQUESTS
                .replace("r8,2026-10-08T00:00:00Z,openai,gpt-4o,acct-1,svc-1,tenant:T-1,", "r8,2026-10-08T00:00:00Z,openai,gpt-4o,acct-1,svc-1,\"=HYPERLINK(\"\"x\"\")\","));
        assertThat(test.run("close", "--period", "2026-10", "--home", directory.toString())).as(test.lastErr).isZero();
        Path close = test.home.close(YearMonth.of(2026, 10), 1);

        ParquetJavaReader.Table focus = ParquetJavaReader.read(close.resolve("focus/cost-and-usage.parquet"));
        List<List<String>> csv = new ArrayList<>();
        try (tools.jackson.databind.MappingIterator<List<String>> rows = tools.jackson.dataformat.csv.CsvMapper.builder()
                .enable(tools.jackson.dataformat.csv.CsvReadFeature.WRAP_AS_ARRAY).build().readerFor(List.class)
                .readValues(java.nio.file.Files.readString(close.resolve("spreadsheet/cost-and-usage.csv")))) {
            rows.forEachRemaining(csv::add);
        }
        assertThat(csv.get(0)).isEqualTo(focus.columns());
        assertThat(csv).hasSize(focus.rows().size() + 1);
        int billed = csv.get(0).indexOf("BilledCost");
        int consumer = csv.get(0).indexOf("ConsumerId");
        assertThat(csv.subList(1, csv.size()).stream().map(row -> new BigDecimal(row.get(billed))).reduce(BigDecimal.ZERO, BigDecimal::add))
                .isEqualByComparingTo(focus.rows().stream().map(row -> (BigDecimal) row.get("BilledCost")).reduce(BigDecimal.ZERO, BigDecimal::add))
                .isEqualByComparingTo("4.5");
        // The consumer id is kept, but a spreadsheet reads it as text: the cell does not start with '='.
        assertThat(focus.rows()).extracting(row -> row.get("ConsumerId")).contains("=HYPERLINK(\"x\")");
        assertThat(csv.subList(1, csv.size())).extracting(row -> row.get(consumer)).contains("'=HYPERLINK(\"x\")")
                .noneMatch(cell -> cell.startsWith("=") || cell.startsWith("+") || cell.startsWith("@"));
    }

    /** {@code --columns}: a subset within FOCUS's rules, verified like a full file; unknown names are refused. */
    @Test
    void close_columnsSubset_writesTheSelectionPlusWhatFocusRequiresAndVerifies() throws Exception {
        TestHome test = TestHome.init(directory);
        test.drop("october-invoice.csv", WorkedExampleIT.FOCUS_HEADER + ReconciliationIT.CLEAN_INVOICE);
        test.drop("october-requests.csv", ReconciliationIT.REQUEST_HEADER + ReconciliationIT.CLEAN_REQUESTS);
        Path bad = java.nio.file.Files.writeString(directory.resolve("bad-columns.txt"), "Tags, Colour\n");
        assertThat(test.run("close", "--period", "2026-10", "--columns", bad.toString(), "--home", directory.toString())).isEqualTo(2);
        assertThat(test.lastErr).contains("not FOCUS 1.4 Cost and Usage columns: Colour");

        Path columns = java.nio.file.Files.writeString(directory.resolve("columns.txt"), "# for finance\nTags\nSkuMeter, RegionId\n");
        assertThat(test.run("close", "--period", "2026-10", "--columns", columns.toString(), "--home", directory.toString()))
                .as(test.lastErr).isZero();
        Path close = test.home.close(YearMonth.of(2026, 10), 1);
        ParquetJavaReader.Table focus = ParquetJavaReader.read(close.resolve("focus/cost-and-usage.parquet"));
        assertThat(focus.columns()).contains("Tags", "SkuMeter", "RegionId", "BilledCost", "ChargePeriodStart", "AllocatedMethodId",
                        "ConsumerId", "PrincipalId", "x_EvidenceHash", "x_SplitRatio")
                .doesNotContain("AvailabilityZone", "CapacityReservationId", "CommitmentDiscountId", "SkuPriceDetails");
        assertThat(focus.columns().size()).isLessThan(82);
        JsonNode definitions = JsonMapper.builder().build().readTree(focus.metadata().get("ColumnDefinition"));
        assertThat(definitions.size()).isEqualTo(focus.columns().size());
        assertThat(java.nio.file.Files.readString(close.resolve("pinned/columns.txt"))).isEqualTo("RegionId\nSkuMeter\nTags\n");
        assertThat(test.run("verify", "--period", "2026-10", "--home", directory.toString())).as(test.lastErr).isZero();
        // The selection is part of the fingerprint: the same inputs with every column are a change.
        assertThat(test.run("close", "--period", "2026-10", "--home", directory.toString())).isEqualTo(1);
        assertThat(test.lastErr).contains("was already closed as v1");
    }

    private static void check(List<String> violations, String rowId, String rule, boolean holds, Map<String, Object> row) {
        if (!holds) {
            violations.add(rowId + ": " + rule + " (" + row.get("AllocatedMethodId") + ")");
        }
    }
}
