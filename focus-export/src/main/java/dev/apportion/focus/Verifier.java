package dev.apportion.focus;

import dev.apportion.ledger.DuckDbSession;
import dev.apportion.ledger.Sha256;
import dev.apportion.ledger.Sql;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import tools.jackson.databind.JsonNode;

/**
 * Checks a published close offline (DESIGN §9): the manifest signature against a trusted key, every file
 * checksum, every row hash, the Merkle root and content digest, conservation per anchor against the
 * normalised invoice lines, ratios per origin, evidence counts, the archived inputs and basic FOCUS rules.
 */
public final class Verifier {
    private Verifier() {
    }

    /**
     * Returns the failures found (empty when the close verifies).
     *
     * @param archivedInput finds the archived original of an input by its SHA-256 (null when missing)
     */
    public static List<String> verify(Path closeDirectory, PublicKey trustedKey, DuckDbSession db,
                                      Function<String, Path> archivedInput) {
        List<String> failures = new ArrayList<>();
        byte[] manifestBytes;
        byte[] signature;
        try {
            manifestBytes = Files.readAllBytes(closeDirectory.resolve(Manifest.FILE));
            signature = Files.readAllBytes(closeDirectory.resolve(Manifest.SIGNATURE_FILE));
        } catch (IOException e) {
            failures.add("cannot read the manifest or its signature: " + e.getMessage());
            return failures;
        }
        if (!ManifestSignature.verify(trustedKey, manifestBytes, signature)) {
            failures.add("manifest.json.sig does not verify with the trusted public key");
        }
        JsonNode manifest = Manifest.JSON.readTree(manifestBytes);
        for (JsonNode output : manifest.path("outputs")) {
            Path file = closeDirectory.resolve(output.path("path").asString());
            if (!Files.isRegularFile(file)) {
                failures.add("missing output " + output.path("path").asString());
            } else if (!Sha256.ofFile(file).equals(output.path("sha256").asString())) {
                failures.add("checksum differs for " + output.path("path").asString());
            }
        }
        List<String> listed = new ArrayList<>();
        manifest.path("outputs").forEach(output -> listed.add(output.path("path").asString()));
        for (Path file : Manifest.files(closeDirectory)) {
            String relative = closeDirectory.relativize(file).toString().replace('\\', '/');
            if (!listed.contains(relative)) {
                failures.add("file not listed in the manifest: " + relative);
            }
        }
        for (JsonNode input : manifest.path("inputs")) {
            String sha = input.path("sha256").asString();
            Path archived = archivedInput.apply(sha);
            if (archived == null || !Files.isRegularFile(archived)) {
                failures.add("input " + input.path("name").asString() + " (" + sha + ") is not in the archive");
            } else if (!Sha256.ofFile(archived).equals(sha)) {
                failures.add("archived input " + archived + " no longer has SHA-256 " + sha);
            }
        }
        if (!Files.isRegularFile(closeDirectory.resolve(FocusExporter.FOCUS_FILE))
                || !Files.isRegularFile(closeDirectory.resolve(FocusExporter.INVOICE_LINES_FILE))) {
            failures.add("the close lacks " + FocusExporter.FOCUS_FILE + " or " + FocusExporter.INVOICE_LINES_FILE + "; rows cannot be checked");
            return failures;
        }
        OutputColumns.Profile profile = OutputColumns.Profile.fromId(manifest.path("profile").asString());
        List<OutputColumns.OutputColumn> profileColumns = OutputColumns.forProfile(profile);
        db.execute(CanonicalRow.MACROS);
        for (String[] file : new String[][] {{"verify_rows", FocusExporter.FOCUS_FILE}, {"verify_lines", FocusExporter.INVOICE_LINES_FILE}}) {
            try {
                db.execute(Sql.of("CREATE OR REPLACE TEMP TABLE " + file[0] + " AS SELECT * FROM read_parquet(${file})")
                        .bind("file", closeDirectory.resolve(file[1])));
            } catch (DuckDbSession.DuckDbException e) {
                // A damaged file is a verification failure like any other, reported by name, not a crash.
                failures.add(file[1] + " cannot be read as Parquet (" + e.getMessage().lines().findFirst().orElse("") + "); rows cannot be checked");
                return failures;
            }
        }
        // The columns the file delivers (all of the profile, or a --columns selection), in the profile's order.
        List<String> delivered = new ArrayList<>();
        db.query("SELECT column_name FROM (DESCRIBE verify_rows)", row -> delivered.add(row.getString(1)));
        List<OutputColumns.OutputColumn> columns = profileColumns.stream().filter(column -> delivered.contains(column.name())).toList();
        // Serialise each row once, in the two parts around x_EvidenceHash (as the export does).
        int hash = FocusExporter.hashIndex(columns);
        db.execute("CREATE OR REPLACE TEMP TABLE verify_canonical AS SELECT x_AllocationRowId, x_EvidenceHash, "
                + CanonicalRow.expression(columns.subList(0, hash)) + " AS before_hash, "
                + CanonicalRow.expression(columns.subList(hash + 1, columns.size())) + " AS after_hash FROM verify_rows ORDER BY x_AllocationRowId");
        long badHashes = db.queryLong("SELECT count(*) FROM verify_canonical WHERE x_EvidenceHash IS DISTINCT FROM "
                + "sha256(before_hash || chr(9) || after_hash)");
        if (badHashes > 0) {
            failures.add(badHashes + " row(s) whose x_EvidenceHash does not match their content");
        }
        FocusExporter.Digests digests = FocusExporter.digestsOfLines(db, "verify_canonical",
                "before_hash || chr(9) || x_EvidenceHash || chr(9) || after_hash");
        if (!digests.contentDigest().equals(manifest.path("contentDigest").asString())) {
            failures.add("content digest " + digests.contentDigest() + " differs from the manifest's " + manifest.path("contentDigest").asString());
        }
        if (!digests.merkleRoot().equals(manifest.path("merkleRoot").asString())) {
            failures.add("Merkle root " + digests.merkleRoot() + " differs from the manifest's " + manifest.path("merkleRoot").asString());
        }
        db.query("""
                SELECT l.anchor_id, l.BilledCost, r.billed, l.EffectiveCost, r.effective, r.ratio
                FROM verify_lines l LEFT JOIN (
                    SELECT x_AllocationAnchorId AS anchor_id, sum(BilledCost) AS billed, sum(EffectiveCost) AS effective,
                           sum(x_SplitRatio) AS ratio
                    FROM verify_rows WHERE ChargeClass IS DISTINCT FROM 'Correction' GROUP BY 1) r ON r.anchor_id = l.anchor_id
                WHERE r.billed IS DISTINCT FROM l.BilledCost OR r.effective IS DISTINCT FROM coalesce(l.EffectiveCost, l.BilledCost)
                   OR r.ratio <> 1
                ORDER BY 1 LIMIT 20""", row -> failures.add("conservation fails for " + row.getString(1) + ": billed "
                + row.getBigDecimal(2) + " vs allocated " + row.getBigDecimal(3) + ", effective " + row.getBigDecimal(4)
                + " vs " + row.getBigDecimal(5) + ", ratios sum " + row.getBigDecimal(6)));
        long orphans = db.queryLong("SELECT count(*) FROM verify_rows WHERE ChargeClass IS DISTINCT FROM 'Correction' "
                + "AND x_AllocationAnchorId NOT IN (SELECT anchor_id FROM verify_lines)");
        if (orphans > 0) {
            failures.add(orphans + " row(s) whose anchor is not an invoice line of the close");
        }
        verifyCorrections(closeDirectory, db, failures);
        for (String column : FocusSchema.notNullWhenPresent().stream().filter(delivered::contains).toList()) {
            long nulls = db.queryLong("SELECT count(*) FROM verify_rows WHERE \"" + column + "\" IS NULL");
            if (nulls > 0) {
                failures.add(nulls + " row(s) with null in column " + column + ", which FOCUS 1.4 does not allow to be null");
            }
        }
        FocusSchema.allowedValues().forEach((column, values) -> {
            if (!delivered.contains(column)) {
                return;
            }
            long bad = db.queryLong(Sql.of("SELECT count(*) FROM verify_rows WHERE \"" + column + "\" IS NOT NULL AND NOT list_contains(${values}, \""
                    + column + "\")").bindList("values", List.copyOf(values)).text());
            if (bad > 0) {
                failures.add(bad + " row(s) with a value of " + column + " that FOCUS 1.4 does not allow");
            }
        });
        long complete = db.queryLong("SELECT count(*) FROM verify_rows WHERE x_EvidenceStatus = 'complete'");
        if (complete != manifest.path("evidence").path("complete").asLong()) {
            failures.add("evidence: " + complete + " complete rows, manifest says " + manifest.path("evidence").path("complete").asLong());
        }
        return failures;
    }

    /**
     * Correction rows (next-period corrections, ChargeClass {@code Correction}) reference anchors of an earlier close,
     * so they are checked against {@code inputs/corrections.parquet} instead: one entry per row, equal amounts.
     */
    private static void verifyCorrections(Path closeDirectory, DuckDbSession db, List<String> failures) {
        long corrections = db.queryLong("SELECT count(*) FROM verify_rows WHERE ChargeClass = 'Correction'");
        Path file = closeDirectory.resolve(CORRECTIONS_FILE);
        if (!Files.isRegularFile(file)) {
            if (corrections > 0) {
                failures.add(corrections + " correction row(s) but no " + CORRECTIONS_FILE);
            }
            return;
        }
        long disagreeing = db.queryLong(Sql.of("""
                SELECT count(*) FROM (SELECT * FROM verify_rows WHERE ChargeClass = 'Correction') r
                FULL OUTER JOIN read_parquet(${file}) c ON c.correction_row_id = r.x_AllocationRowId
                WHERE r.x_AllocationRowId IS NULL OR c.correction_row_id IS NULL OR r.BilledCost IS DISTINCT FROM c.BilledCost
                   OR r.EffectiveCost IS DISTINCT FROM c.EffectiveCost OR r.x_AllocationAnchorId IS DISTINCT FROM c.anchor_id""")
                .bind("file", file).text());
        if (disagreeing > 0) {
            failures.add(disagreeing + " correction row(s) disagree with " + CORRECTIONS_FILE);
        }
    }

    /** Next-period corrections of a close: per correction row, the corrected period, row and anchor, and the deltas. */
    public static final String CORRECTIONS_FILE = "inputs/corrections.parquet";
}
