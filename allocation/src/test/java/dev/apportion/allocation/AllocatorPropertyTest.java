package dev.apportion.allocation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.apportion.ledger.DuckDbSession;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Properties of the allocation over 10,000 generated invoice lines and their ledgers (seeded, reproducible):
 * conservation per line and column, ratios summing to 1, no negative share on a positive line, the same rows
 * from the same input, whatever order the input rows arrive in. The month mixes usage lines with and without
 * ledger, fees, credits, zero-quantity lines and usage without a consumer, under the default rules.
 */
class AllocatorPropertyTest {
    static final String DEFAULT_RULES = """
            - id: usage-direct
              select: { charge_category: Usage, has_usage: true }
              method: direct
              variance: spread
              owner: FinOps
            - id: usage-unmetered
              select: { charge_category: Usage }
              method: activity
              basis: tokens
              window: month
              owner: FinOps
            - id: catch-all
              select: {}
              method: residual
              basis: proportional
              owner: FinOps
            """;

    /**
     * The generated month. Every value is a hash of the row number and the seed, so the month is the same on every
     * run; {@code ${order}} decides the physical order the rows are inserted in.
     */
    static final String MONTH = """
            CREATE OR REPLACE TABLE invoice_lines AS
            WITH lines AS (
                SELECT i, hash(i, ${seed}) AS h FROM range(10000) t(i)
            )
            SELECT 'anc_' || lpad(CAST(i AS VARCHAR), 6, '0') AS anchor_id,
                   CAST(2 + h % 5 AS INTEGER) AS amount_scale,
                   CASE WHEN h % 20 = 0 THEN 'Credit' WHEN h % 20 = 1 THEN 'Tax' WHEN h % 20 = 2 THEN 'Purchase' ELSE 'Usage' END AS ChargeCategory,
                   'openai' AS provider, 'acct-' || (h % 2) AS BillingAccountId,
                   CASE WHEN h % 20 < 3 THEN NULL ELSE 'model-' || (h // 20 % 6) END AS model,
                   CASE WHEN h % 20 < 3 THEN NULL ELSE ['input_uncached', 'output', 'cache_read'][CAST(1 + h // 120 % 3 AS INTEGER)] END AS token_type,
                   'standard' AS service_tier, 'OpenAI API' AS ServiceName, 'sku-' || (h % 7) AS SkuId,
                   CASE WHEN h % 20 < 3 THEN TIMESTAMPTZ '2026-10-01 00:00:00+00'
                        ELSE TIMESTAMPTZ '2026-10-01 00:00:00+00' + INTERVAL (h // 13 % 31) DAY END AS ChargePeriodStart,
                   CASE WHEN h % 20 < 3 THEN TIMESTAMPTZ '2026-11-01 00:00:00+00'
                        ELSE TIMESTAMPTZ '2026-10-02 00:00:00+00' + INTERVAL (h // 13 % 31) DAY END AS ChargePeriodEnd,
                   billed AS BilledCost, billed AS EffectiveCost, billed AS ListCost, billed AS ContractedCost,
                   NULL::DECIMAL(38, 18) AS ListUnitPrice, NULL::DECIMAL(38, 18) AS ContractedUnitPrice,
                   CASE WHEN h % 20 < 3 THEN NULL ELSE CAST(tokens AS DECIMAL(38, 0)) * CAST(0.000001 AS DECIMAL(38, 6)) END AS PricingQuantity,
                   CASE WHEN h % 20 < 3 THEN NULL ELSE CAST(tokens AS DECIMAL(38, 18)) END AS ConsumedQuantity
            FROM lines,
                 LATERAL (SELECT CAST(h // 7 % 40000000 AS BIGINT) AS tokens),
                 LATERAL (SELECT CAST((CASE WHEN h % 20 = 0 THEN -1 ELSE 1 END) * (h // 11 % 100000000) AS DECIMAL(38, 0))
                                 * CAST(0.000001 AS DECIMAL(38, 6)) AS micros),
                 LATERAL (SELECT CASE 2 + h % 5 WHEN 2 THEN round(micros, 2) WHEN 3 THEN round(micros, 3)
                                                WHEN 4 THEN round(micros, 4) WHEN 5 THEN round(micros, 5) ELSE micros END AS billed)
            ORDER BY ${order};

            CREATE OR REPLACE TABLE anchored_cost_lines AS
            WITH usage AS (
                SELECT i, j, hash(i, j, ${seed}) AS h
                FROM range(10000) a(i), range(4) b(j)
                WHERE hash(i, ${seed}) % 20 >= 3 AND hash(i, ${seed}) % 10 <> 3 AND j < 1 + hash(i, ${seed}) % 4
            )
            SELECT 'anc_' || lpad(CAST(i AS VARCHAR), 6, '0') AS anchor_id,
                   'req-' || i || '-' || j AS entry_id,
                   CASE WHEN h % 17 = 0 THEN NULL ELSE 'tenant:T-' || (h % 20) END AS consumer_id,
                   'svc-' || (h % 2) AS principal_id, 'feature-' || (h % 2) AS feature, 'production' AS environment,
                   'openai' AS provider, 'acct-' || (hash(i, ${seed}) % 2) AS billing_account_id,
                   'model-' || (hash(i, ${seed}) // 20 % 6) AS model,
                   ['input_uncached', 'output', 'cache_read'][CAST(1 + hash(i, ${seed}) // 120 % 3 AS INTEGER)] AS token_type,
                   TIMESTAMPTZ '2026-10-01 00:00:00+00' + to_microseconds(CAST(h % 2678400000000 AS BIGINT)) AS occurred_at,
                   CAST(h % 100000 AS BIGINT) AS quantity,
                   CAST(CAST(h % 100000 AS DECIMAL(38, 0)) * CAST(0.0000025 AS DECIMAL(38, 7)) AS DECIMAL(38, 18)) AS contracted_cost,
                   'apportion-default' AS catalogue_id, 'v1' AS catalogue_version
            FROM usage
            ORDER BY ${order};
            -- The cost line id as the close defines it (CloseStages.allocate).
            ALTER TABLE anchored_cost_lines ADD COLUMN cost_line_id VARCHAR;
            UPDATE anchored_cost_lines SET cost_line_id = entry_id || '#' || token_type;

            CREATE OR REPLACE TABLE invoice_usage AS
            SELECT i.anchor_id, count(a.cost_line_id) > 0 AS has_usage, NULL::VARCHAR AS reconciliation_class
            FROM invoice_lines i LEFT JOIN anchored_cost_lines a ON a.anchor_id = i.anchor_id
            GROUP BY i.anchor_id;
            """;

    @TempDir
    Path directory;

    @Test
    void allocate_tenThousandGeneratedLines_conservesEveryColumnAndIsDeterministic() {
        RuleSet rules = RuleSet.parse(YAMLMapper.builder().build().readTree(DEFAULT_RULES));

        List<String> first = allocate(rules, "anchor_id", directory.resolve("first"));
        List<String> shuffled = allocate(rules, "hash(anchor_id, 'shuffle')", directory.resolve("shuffled"));

        assertThat(first).hasSizeGreaterThan(10_000).isEqualTo(shuffled);
    }

    @Test
    void allocate_rowKeysAggregatedInBatchesOfAnchors_givesTheSameRowsAsOneBatch() {
        RuleSet rules = RuleSet.parse(YAMLMapper.builder().build().readTree(DEFAULT_RULES));

        List<String> whole = allocate(rules, "anchor_id", directory.resolve("whole"));
        // About 15,000 cost lines: five or more batches, each with whole anchors only.
        List<String> batched = allocate(rules, "anchor_id", directory.resolve("batched"), 3_000);

        assertThat(batched).hasSizeGreaterThan(10_000).isEqualTo(whole);
    }

    @Test
    void allocate_rateVersion_listsEachRowKeysDistinctPricedVersionsSorted() {
        RuleSet rules = RuleSet.parse(YAMLMapper.builder().build().readTree(DEFAULT_RULES));
        try (DuckDbSession db = DuckDbSession.open(directory.resolve("rates"))) {
            db.execute(MONTH.replace("${seed}", "20261122").replace("${order}", "anchor_id"));
            // A price change on some lines (another catalogue version, or another catalogue), and unpriced lines.
            db.execute("UPDATE anchored_cost_lines SET catalogue_version = 'v2' WHERE hash(entry_id) % 5 = 0");
            db.execute("UPDATE anchored_cost_lines SET catalogue_id = 'contract-2026' WHERE hash(entry_id) % 7 = 0");
            db.execute("UPDATE anchored_cost_lines SET catalogue_id = NULL, catalogue_version = NULL WHERE hash(entry_id) % 11 = 0");
            Allocator.allocate(db, rules, "USD", 3_000);

            // Expected, per row key: its priced lines' distinct "catalogue:version", sorted and joined by commas.
            java.util.Map<String, java.util.TreeSet<String>> versions = new java.util.HashMap<>();
            db.query("SELECT concat_ws('|', anchor_id, consumer_id, principal_id, feature, environment), catalogue_id, catalogue_version "
                    + "FROM anchored_cost_lines", row -> {
                        java.util.TreeSet<String> keyVersions = versions.computeIfAbsent(row.getString(1), key -> new java.util.TreeSet<>());
                        if (row.getString(2) != null) {
                            keyVersions.add(row.getString(2) + ":" + row.getString(3));
                        }
                    });
            java.util.Map<String, String> actual = new java.util.HashMap<>();
            db.query("SELECT concat_ws('|', anchor_id, consumer_id, principal_id, feature, environment), rate_version FROM anchor_usage",
                    row -> actual.put(row.getString(1), row.getString(2)));
            java.util.Map<String, String> expected = new java.util.HashMap<>();
            versions.forEach((key, set) -> expected.put(key, set.isEmpty() ? null : String.join(",", set)));

            assertThat(actual).isEqualTo(expected);
            assertThat(expected.values()).anyMatch(value -> value != null && value.contains(","))
                    .anyMatch(value -> value != null && !value.contains(",")).contains((String) null);
        }
    }

    @Test
    void allocate_usageReference_isTheSha256OfTheRowKeysSortedCostLineIds() throws Exception {
        RuleSet rules = RuleSet.parse(YAMLMapper.builder().build().readTree(DEFAULT_RULES));
        try (DuckDbSession db = DuckDbSession.open(directory.resolve("reference"))) {
            db.execute(MONTH.replace("${seed}", "20261122").replace("${order}", "hash(anchor_id, 'shuffle')"));
            Allocator.allocate(db, rules, "USD", 3_000);

            // The row key with the most cost lines, its ids sorted and hashed here, independently of the SQL.
            List<String> key = new ArrayList<>();
            db.query("""
                    SELECT anchor_id, consumer_id, principal_id, feature, usage_ref FROM anchor_usage
                    WHERE consumer_id IS NOT NULL ORDER BY requests DESC, anchor_id, consumer_id, principal_id, feature LIMIT 1""",
                    row -> key.addAll(List.of(row.getString(1), row.getString(2), row.getString(3), row.getString(4), row.getString(5))));
            List<String> ids = new ArrayList<>();
            db.query("SELECT cost_line_id FROM anchored_cost_lines WHERE anchor_id = '" + key.get(0) + "' AND consumer_id = '" + key.get(1)
                    + "' AND principal_id = '" + key.get(2) + "' AND feature = '" + key.get(3) + "'", row -> ids.add(row.getString(1)));
            ids.sort(null);
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(String.join("\n", ids).getBytes(java.nio.charset.StandardCharsets.UTF_8));

            assertThat(ids).hasSizeGreaterThan(1);
            assertThat(key.get(4)).isEqualTo("sha256:" + java.util.HexFormat.of().formatHex(digest));
        }
    }

    @Test
    void allocate_usageReference_isExactWhereIdsArePrefixesOfEachOtherOrLinesDifferInTokenType() throws Exception {
        RuleSet rules = RuleSet.parse(YAMLMapper.builder().build().readTree(DEFAULT_RULES));
        try (DuckDbSession db = DuckDbSession.open(directory.resolve("exact"))) {
            db.execute(MONTH.replace("${seed}", "20261123").replace("${order}", "hash(anchor_id, 'shuffle')"));
            // Entry ids that are prefixes of each other, continued by a character below '#' (so "req-5!#t" sorts before
            // "req-5#t" though "req-5" sorts before "req-5!") or by '#' itself; and anchors whose lines have two token types.
            db.execute("""
                    UPDATE anchored_cost_lines SET entry_id = CASE CAST(substr(anchor_id, 5) AS INTEGER) % 4
                        WHEN 0 THEN 'req-' || substr(anchor_id, 5) || repeat('!', CAST(regexp_extract(entry_id, '-([0-9]+)$', 1) AS INTEGER))
                        WHEN 1 THEN 'req-' || substr(anchor_id, 5) || repeat('#', CAST(regexp_extract(entry_id, '-([0-9]+)$', 1) AS INTEGER))
                        ELSE entry_id END""");
            db.execute("UPDATE anchored_cost_lines SET token_type = 'output' WHERE CAST(substr(anchor_id, 5) AS INTEGER) % 4 = 2 AND hash(entry_id) % 2 = 0");
            db.execute("UPDATE anchored_cost_lines SET cost_line_id = entry_id || '#' || token_type");
            Allocator.allocate(db, rules, "USD", 3_000);

            // Every row key's cost line ids, grouped, sorted and hashed here, independently of the SQL.
            java.util.Map<List<String>, List<String>> ids = new java.util.HashMap<>();
            db.query("SELECT anchor_id, consumer_id, principal_id, feature, environment, cost_line_id FROM anchored_cost_lines", row ->
                    ids.computeIfAbsent(java.util.Arrays.asList(row.getString(1), row.getString(2), row.getString(3), row.getString(4),
                            row.getString(5)), key -> new ArrayList<>()).add(row.getString(6)));
            java.util.Map<List<String>, String> references = new java.util.HashMap<>();
            db.query("SELECT anchor_id, consumer_id, principal_id, feature, environment, usage_ref FROM anchor_usage", row ->
                    references.put(java.util.Arrays.asList(row.getString(1), row.getString(2), row.getString(3), row.getString(4),
                            row.getString(5)), row.getString(6)));
            long prefixed = ids.values().stream().filter(lines -> lines.size() > 1 && lines.stream().anyMatch(id -> id.contains("!#"))).count();
            long mixed = ids.values().stream().filter(lines -> lines.stream().map(id -> id.endsWith("#output")).distinct().count() > 1).count();
            assertThat(prefixed).as("row keys whose ids are prefixes of each other").isGreaterThan(10);
            assertThat(mixed).as("row keys with two token types").isGreaterThan(10);
            assertThat(references.keySet()).isEqualTo(ids.keySet());
            ids.forEach((key, lines) -> {
                lines.sort(null);
                byte[] digest;
                try {
                    digest = java.security.MessageDigest.getInstance("SHA-256").digest(String.join("\n", lines).getBytes(java.nio.charset.StandardCharsets.UTF_8));
                } catch (java.security.NoSuchAlgorithmException e) {
                    throw new IllegalStateException(e);
                }
                assertThat(references.get(key)).as("usage reference of %s", key).isEqualTo("sha256:" + java.util.HexFormat.of().formatHex(digest));
            });
        }
    }

    /** Allocates the month with rows inserted in {@code order}; checks the properties; returns the rows as text. */
    private static List<String> allocate(RuleSet rules, String order, Path home) {
        return allocate(rules, order, home, Allocator.COST_LINES_PER_BATCH);
    }

    private static List<String> allocate(RuleSet rules, String order, Path home, long costLinesPerBatch) {
        try (DuckDbSession db = DuckDbSession.open(home)) {
            db.execute(MONTH.replace("${seed}", "20261122").replace("${order}", order));
            Allocator.allocate(db, rules, "USD", costLinesPerBatch);

            // Conservation, per line and per column.
            String conservation = """
                    SELECT count(*) FROM invoice_lines i
                    JOIN (SELECT anchor_id, sum(billed_cost) AS billed, sum(effective_cost) AS effective, sum(list_cost) AS list,
                                 sum(contracted_cost) AS contracted, sum(pricing_quantity) AS pricing, sum(consumed_quantity) AS consumed,
                                 sum(split_ratio) AS ratio
                          FROM allocation_rows GROUP BY anchor_id) a ON a.anchor_id = i.anchor_id
                    WHERE a.billed <> i.BilledCost OR a.effective <> i.EffectiveCost OR a.list <> i.ListCost
                       OR a.contracted <> i.ContractedCost OR a.pricing IS DISTINCT FROM i.PricingQuantity
                       OR a.consumed IS DISTINCT FROM i.ConsumedQuantity OR a.ratio <> 1""";
            assertThat(db.queryLong(conservation)).as("lines whose rows do not sum to the line").isZero();
            assertThat(db.queryLong("SELECT count(*) FROM invoice_lines WHERE anchor_id NOT IN (SELECT anchor_id FROM allocation_rows)"))
                    .as("lines without rows").isZero();
            assertThat(db.queryLong("""
                    SELECT count(*) FROM allocation_rows a JOIN invoice_lines i ON i.anchor_id = a.anchor_id
                    WHERE (i.BilledCost > 0 AND a.billed_cost < 0) OR (i.BilledCost < 0 AND a.billed_cost > 0)
                       OR a.split_ratio < 0""")).as("shares against the sign of their line").isZero();
            // Every method is exercised, and usage without a consumer is allocated to unattributed.
            assertThat(db.queryLong("SELECT count(DISTINCT method) FROM allocation_rows")).isGreaterThanOrEqualTo(3);
            assertThat(db.queryLong("SELECT count(*) FROM allocation_rows WHERE consumer_id IS NULL AND allocated_resource_id = 'unattributed'"))
                    .isPositive();

            List<String> rows = new ArrayList<>();
            db.query("""
                    SELECT concat_ws('|', anchor_id, rule_id, method, row_key, allocated_resource_id, split_ratio, billed_cost,
                                     effective_cost, list_cost, contracted_cost, pricing_quantity, consumed_quantity, usage_quantity, usage_ref)
                    FROM allocation_rows ORDER BY anchor_id, row_key, method""", row -> rows.add(row.getString(1)));
            return rows;
        }
    }
}
