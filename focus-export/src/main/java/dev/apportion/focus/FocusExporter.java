package dev.apportion.focus;

import dev.apportion.ledger.AtomicFiles;
import dev.apportion.ledger.DuckDbSession;
import dev.apportion.ledger.Sha256;
import dev.apportion.ledger.SpreadsheetCsv;
import dev.apportion.ledger.Sql;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Writes the FOCUS rows of a close (DESIGN §9): {@code focus/cost-and-usage.parquet}, its spreadsheet twin,
 * {@code evidence/usage-refs.parquet} and {@code inputs/invoice-lines.parquet}, and computes the content
 * digest and the Merkle root the manifest seals.
 *
 * <p>Expects {@code invoice_lines}, {@code allocation_rows}, the usage references' cost lines
 * ({@code anchored_cost_lines}, {@code anchor_usage_refs}: the reference of each anchored row key, and
 * {@code usage_ref_lines}: those of day and month windows, see {@code Allocator}) and
 * {@code invoice_usage} (reconciliation class and quantity source per anchor) in the session, and optionally
 * {@code consumers} (consumer_id, name, team, cost_center) for AllocatedResourceName and AllocatedTags.
 */
public final class FocusExporter {
    public static final String FOCUS_FILE = "focus/cost-and-usage.parquet";
    public static final String CSV_FILE = "spreadsheet/cost-and-usage.csv";
    public static final String USAGE_REFS_FILE = "evidence/usage-refs.parquet";
    public static final String INVOICE_LINES_FILE = "inputs/invoice-lines.parquet";

    private FocusExporter() {
    }

    /** What the export computed, for the manifest. */
    public record Result(long rows, String contentDigest, String merkleRoot) {
    }

    public static Result export(DuckDbSession db, Path closeDirectory, OutputColumns.Profile profile,
                                Map<String, String> focusMetadata) {
        return export(db, closeDirectory, OutputColumns.forProfile(profile), profile, focusMetadata);
    }

    /** Exports only {@code columns} (see {@link OutputColumns#select}); hashes and digests cover exactly them. */
    public static Result export(DuckDbSession db, Path closeDirectory, List<OutputColumns.OutputColumn> columns,
                                OutputColumns.Profile profile, Map<String, String> focusMetadata) {
        List<OutputColumns.OutputColumn> withoutHash = columns.stream()
                .filter(column -> !column.name().equals("x_EvidenceHash")).toList();
        db.execute(CanonicalRow.MACROS);
        // The optional consumers: table (id → name, team, cost_center); a close without one has no entries.
        db.execute("CREATE TEMP TABLE IF NOT EXISTS consumers (consumer_id VARCHAR, name VARCHAR, team VARCHAR, cost_center VARCHAR)");
        String principal = profile == OutputColumns.Profile.STRICT ? "x_PrincipalId" : "PrincipalId";
        String consumer = profile == OutputColumns.Profile.STRICT ? "x_ConsumerId" : "ConsumerId";
        db.execute(Sql.resource(FocusExporter.class, "focus-rows.sql")
                .bindRaw("origin_columns", originColumns())
                .bindRaw("principal_column", principal)
                .bindRaw("consumer_column", consumer)
                .bindRaw("columns_without_hash", withoutHash.stream().map(column -> "\"" + column.name() + "\"")
                        .collect(Collectors.joining(", ")))
                .bindRaw("canonical_before_hash", CanonicalRow.expression(columns.subList(0, hashIndex(columns))))
                .bindRaw("canonical_after_hash", CanonicalRow.expression(columns.subList(hashIndex(columns) + 1, columns.size()))));
        String rows = "SELECT * FROM focus_hashed";
        if (db.queryLong("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'correction_rows'") > 0) {
            // Next-period corrections (DESIGN §10): complete FOCUS rows built by the close; only their hash is computed here.
            rows += " UNION ALL BY NAME SELECT *, sha256(canonical_before_hash || chr(9) || canonical_after_hash) AS x_EvidenceHash "
                    + "FROM (SELECT " + withoutHash.stream().map(column -> "\"" + column.name() + "\"").collect(Collectors.joining(", "))
                    + ", " + CanonicalRow.expression(columns.subList(0, hashIndex(columns))) + " AS canonical_before_hash, "
                    + CanonicalRow.expression(columns.subList(hashIndex(columns) + 1, columns.size())) + " AS canonical_after_hash "
                    + "FROM correction_rows)";
        }
        // Sorted once, straight into the FOCUS file; its spreadsheet twin and the digests then read the rows from that
        // file in the order they are stored. No table holds them in between, and the canonical serialisations are not
        // carried through the sort (as payload, 1.4 KB a row, they were most of its cost): the digests compute them
        // again from the published columns.
        String selectList = columns.stream().map(column -> "\"" + column.name() + "\"").collect(Collectors.joining(", "));
        Path focusFile = closeDirectory.resolve(FOCUS_FILE);
        copy(db, "SELECT " + selectList + " FROM (" + rows + ") ORDER BY x_AllocationRowId", focusFile,
                "FORMAT parquet, COMPRESSION zstd, KV_METADATA " + kvMetadata(focusMetadata));
        db.execute(Sql.of("CREATE OR REPLACE TEMP VIEW focus_rows AS SELECT * FROM read_parquet(${file})").bind("file", focusFile));
        SpreadsheetCsv.writeInStoredOrder(db, "focus_rows", closeDirectory.resolve(CSV_FILE));
        // The cost lines behind each reference the rows use. Those of anchored row keys come from one join of the
        // ledger lines to their row keys; those of window references are added unless a row key has the same
        // reference (the same set of cost lines). Written in no particular order: sorting tens of millions of lines
        // by reference would cost more than the rest of the export.
        // zstd level 1 is faster than the default level and, on these ids, smaller. Readers select by x_UsageRef.
        db.execute("""
                CREATE OR REPLACE TEMP TABLE used_usage_refs AS
                SELECT DISTINCT x_UsageRef AS usage_ref FROM focus_rows WHERE x_UsageRef IS NOT NULL""");
        copy(db, """
                SELECT r.usage_ref AS x_UsageRef, a.entry_id AS ledger_entry_id, a.entry_id || '#' || a.token_type AS cost_line_id
                FROM anchored_cost_lines a
                JOIN (SELECT * FROM anchor_usage_refs SEMI JOIN used_usage_refs USING (usage_ref)) r
                  ON r.anchor_id = a.anchor_id AND r.consumer_id IS NOT DISTINCT FROM a.consumer_id
                 AND r.principal_id IS NOT DISTINCT FROM a.principal_id AND r.feature IS NOT DISTINCT FROM a.feature
                 AND r.environment IS NOT DISTINCT FROM a.environment
                UNION ALL
                SELECT DISTINCT usage_ref, entry_id, cost_line_id FROM usage_ref_lines
                SEMI JOIN used_usage_refs USING (usage_ref)
                ANTI JOIN anchor_usage_refs USING (usage_ref)""", closeDirectory.resolve(USAGE_REFS_FILE),
                "FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 1", false);
        copy(db, "SELECT * FROM invoice_lines ORDER BY anchor_id", closeDirectory.resolve(INVOICE_LINES_FILE),
                "FORMAT parquet, COMPRESSION zstd");

        int hash = hashIndex(columns);
        Digests digests = digestsOfLines(db, "focus_rows", CanonicalRow.expression(columns.subList(0, hash))
                + " || chr(9) || x_EvidenceHash || chr(9) || " + CanonicalRow.expression(columns.subList(hash + 1, columns.size())));
        return new Result(digests.rows(), digests.contentDigest(), digests.merkleRoot());
    }

    static int hashIndex(List<OutputColumns.OutputColumn> columns) {
        for (int i = 0; i < columns.size(); i++) {
            if (columns.get(i).name().equals("x_EvidenceHash")) {
                return i;
            }
        }
        throw new IllegalStateException("x_EvidenceHash is not an output column");
    }

    /**
     * Content digest and Merkle root over {@code lineExpression}, each row's canonical serialisation, in
     * {@code x_AllocationRowId} order. {@code table} must hold its rows in that order (a table created with
     * {@code ORDER BY x_AllocationRowId}, or a view of a file written so): the lines are read in stored order rather than sorted again
     * (two sorts of every wide line took a third of the export). The order of the rows read is checked as they
     * stream; an out-of-order table is an error, never a wrong digest.
     */
    static Digests digestsOfLines(DuckDbSession db, String table, String lineExpression) {
        MessageDigest content = Sha256.newDigest();
        List<String> leaves = new ArrayList<>();
        String[] previous = {null};
        long[] outOfOrder = {0};
        // Row by row in table order, which a query without ORDER BY keeps (preserve_insertion_order). Joining chunks of
        // lines in DuckDB first (string_agg ... ORDER BY rowid) sorted every chunk and cost three times as much.
        // Row ids are ASCII ("row_" and hex), so String order is DuckDB's byte order.
        // Each line as its UTF-8 bytes (a BLOB): taken as text, every line was decoded into a String and encoded again,
        // which cost more than hashing it.
        db.query("SELECT x_AllocationRowId, encode(%s) AS line, x_EvidenceHash FROM %s".formatted(lineExpression, table), row -> {
            String id = row.getString(1);
            if (previous[0] != null && previous[0].compareTo(id) > 0) {
                outOfOrder[0]++;
            }
            previous[0] = id;
            content.update(row.getBytes(2));
            content.update((byte) '\n');
            leaves.add(row.getString(3));
        });
        if (outOfOrder[0] > 0) {
            throw new IllegalStateException(table + " is not in x_AllocationRowId order (" + outOfOrder[0] + " rows out of place)");
        }
        return new Digests(leaves.size(), HexFormat.of().formatHex(content.digest()), MerkleRoot.of(leaves));
    }

    /** The content digest, Merkle root and row count of a set of rows. */
    public record Digests(long rows, String contentDigest, String merkleRoot) {
    }

    private static String originColumns() {
        return FocusSchema.costAndUsage().stream().map(column -> {
            String name = column.name();
            String expression = switch (name) {
                case "AllocatedMethodDetails" -> "'{\"Elements\":[{\"AllocatedRatio\":' || plain_decimal(a.split_ratio) || "
                        + "CASE WHEN a.usage_unit IS NOT NULL THEN ',\"UsageUnit\":' || CAST(to_json(a.usage_unit) AS VARCHAR) "
                        + "|| ',\"UsageQuantity\":' || plain_decimal(a.usage_quantity) "
                        // A fixed split has no usage unit: its percentage goes in x_Percent (DESIGN §9).
                        + "WHEN a.usage_quantity IS NOT NULL THEN ',\"x_Percent\":' || plain_decimal(a.usage_quantity) ELSE '' END || '}]}'";
                case "AllocatedMethodId" -> "coalesce(a.rule_id, 'unallocated')";
                case "AllocatedResourceId" -> "a.allocated_resource_id";
                // The consumers: table names the consumer for finance; without an entry the id is the name.
                case "AllocatedResourceName" -> "coalesce(k.name, a.allocated_resource_id)";
                // Keys already in the origin's Tags are left out (FOCUS: AllocatedTags never repeats Tags).
                case "AllocatedTags" -> "CASE WHEN a.allocated_resource_id IS NULL THEN NULL ELSE nullif('{' || array_to_string(list_filter(["
                        + "CASE WHEN json_extract(i.Tags, '$.\"apportion/environment\"') IS NULL THEN "
                        + "'\"apportion/environment\":' || CAST(to_json(a.environment) AS VARCHAR) END, "
                        + "CASE WHEN json_extract(i.Tags, '$.\"apportion/feature\"') IS NULL THEN "
                        + "'\"apportion/feature\":' || CAST(to_json(a.feature) AS VARCHAR) END, "
                        + "CASE WHEN k.team IS NOT NULL AND json_extract(i.Tags, '$.\"apportion/team\"') IS NULL THEN "
                        + "'\"apportion/team\":' || CAST(to_json(k.team) AS VARCHAR) END, "
                        + "CASE WHEN k.cost_center IS NOT NULL AND json_extract(i.Tags, '$.\"apportion/cost_center\"') IS NULL THEN "
                        + "'\"apportion/cost_center\":' || CAST(to_json(k.cost_center) AS VARCHAR) END], lambda tag: tag IS NOT NULL), ',') || '}', '{}') END";
                // Columns FOCUS forbids to be null once present; an origin without them gets the value they stand
                // for (README: FOCUS output).
                case "BillingAccountType" -> "coalesce(i.BillingAccountType, 'Billing Account')";
                case "ChargeFrequency" -> "coalesce(i.ChargeFrequency, CASE WHEN i.ChargeCategory = 'Usage' THEN 'Usage-Based' ELSE 'One-Time' END)";
                case "PricingCurrency" -> "coalesce(i.PricingCurrency, i.BillingCurrency)";
                case "PricingCurrencyEffectiveCost" -> "CASE WHEN coalesce(i.PricingCurrency, i.BillingCurrency) = i.BillingCurrency "
                        + "THEN a.effective_cost ELSE i.PricingCurrencyEffectiveCost END";
                case "ServiceSubcategory" -> "coalesce(i.ServiceSubcategory, CASE WHEN i.ServiceCategory = 'AI and Machine Learning' "
                        + "THEN 'Generative AI' ELSE 'Other (' || i.ServiceCategory || ')' END)";
                case "BilledCost" -> "a.billed_cost";
                case "EffectiveCost" -> "a.effective_cost";
                case "ListCost" -> "a.list_cost";
                case "ContractedCost" -> "a.contracted_cost";
                case "PricingQuantity" -> "a.pricing_quantity";
                case "ConsumedQuantity" -> "a.consumed_quantity";
                default -> "i.\"" + name + "\"";
            };
            return expression + " AS \"" + name + "\"";
        }).collect(Collectors.joining(",\n       "));
    }

    private static String kvMetadata(Map<String, String> metadata) {
        return metadata.entrySet().stream()
                .map(entry -> Sql.literal(entry.getKey()) + ": " + Sql.literal(entry.getValue()))
                .collect(Collectors.joining(", ", "{", "}"));
    }

    private static void copy(DuckDbSession db, String query, Path target, String options) {
        copy(db, query, target, options, true);
    }

    /** Writes {@code query} to {@code target} atomically; {@code ordered}: in the query's row order. */
    private static void copy(DuckDbSession db, String query, Path target, String options, boolean ordered) {
        try {
            Files.createDirectories(target.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create " + target.getParent() + ": " + e.getMessage(), e);
        }
        Path temporary = AtomicFiles.temporaryFor(target);
        Sql copy = Sql.of("COPY (" + query + ") TO ${target} (" + options + ")").bind("target", temporary);
        if (ordered) {
            db.execute(copy);
        } else {
            db.executeUnordered(copy);
        }
        AtomicFiles.move(temporary, target);
    }
}
