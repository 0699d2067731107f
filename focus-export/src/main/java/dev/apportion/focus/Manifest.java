package dev.apportion.focus;

import dev.apportion.ledger.AtomicFiles;
import dev.apportion.ledger.DuckDbSession;
import dev.apportion.ledger.Sha256;
import dev.apportion.ledger.Sql;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.databind.SerializationFeature;

/**
 * {@code manifest.json} of a close (DESIGN §9, contract) and its Ed25519 signature
 * {@code manifest.json.sig}: checksums of every other file of the close, totals, the content digest and
 * the Merkle root.
 */
public final class Manifest {
    public static final String FILE = "manifest.json";
    public static final String SIGNATURE_FILE = "manifest.json.sig";
    static final JsonMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    private Manifest() {
    }

    /** A new manifest with the given top-level fields in contract order. */
    public static ObjectNode create() {
        return JSON.createObjectNode();
    }

    public static ArrayNode array() {
        return JSON.createArrayNode();
    }

    /**
     * Adds what the close's files say about money and evidence: {@code totals} (the four costs, by invoice
     * and by consumer) and {@code evidence} from the FOCUS file, {@code reconciliation} (cells and absolute
     * cost difference per class) from {@code reconciliation.parquet}.
     */
    public static void addTotals(DuckDbSession db, Path closeDirectory, ObjectNode manifest) {
        // A view: each query reads only its columns of the file (a table copied all of them, 2 s of a 10M-request close).
        db.execute(Sql.of("CREATE OR REPLACE TEMP VIEW manifest_focus AS SELECT * FROM read_parquet(${file})")
                .bind("file", closeDirectory.resolve(FocusExporter.FOCUS_FILE)));
        ObjectNode totals = manifest.putObject("totals");
        db.query("SELECT sum(BilledCost), sum(EffectiveCost), sum(ListCost), sum(ContractedCost) FROM manifest_focus", row -> {
            totals.put("billedCost", plain(row.getBigDecimal(1)));
            totals.put("effectiveCost", plain(row.getBigDecimal(2)));
            totals.put("listCost", plain(row.getBigDecimal(3)));
            totals.put("contractedCost", plain(row.getBigDecimal(4)));
        });
        ObjectNode byInvoice = totals.putObject("byInvoice");
        db.query("SELECT coalesce(InvoiceId, BillingAccountId), sum(BilledCost) FROM manifest_focus GROUP BY 1 ORDER BY 1",
                row -> byInvoice.put(row.getString(1), plain(row.getBigDecimal(2))));
        ObjectNode byConsumer = totals.putObject("byConsumer");
        db.query("SELECT coalesce(AllocatedResourceId, '(unallocated)'), sum(BilledCost) FROM manifest_focus GROUP BY 1 ORDER BY 1",
                row -> byConsumer.put(row.getString(1), plain(row.getBigDecimal(2))));
        ObjectNode reconciliation = manifest.putObject("reconciliation");
        db.query(Sql.of("SELECT class, count(*), sum(abs(cost_diff)) FROM read_parquet(${file}) GROUP BY 1 ORDER BY 1")
                .bind("file", closeDirectory.resolve("reconciliation.parquet")), row -> {
            ObjectNode cells = reconciliation.putObject(row.getString(1));
            cells.put("cells", row.getLong(2));
            cells.put("absoluteCostDifference", plain(row.getBigDecimal(3)));
        });
        ObjectNode evidence = manifest.putObject("evidence");
        db.query("SELECT count(*) FILTER (WHERE x_EvidenceStatus = 'complete'), count(*) FILTER (WHERE x_EvidenceStatus <> 'complete') "
                + "FROM manifest_focus", row -> {
            evidence.put("complete", row.getLong(1));
            evidence.put("insufficient", row.getLong(2));
        });
    }

    /**
     * Adds {@code outputs} (path, sha256, and rows for Parquet and CSV files, CSV header excluded) for every
     * file under {@code closeDirectory}, then writes the manifest and its signature there.
     */
    public static void seal(DuckDbSession db, Path closeDirectory, ObjectNode manifest, PrivateKey key) {
        ArrayNode outputs = manifest.putArray("outputs");
        for (Path file : files(closeDirectory)) {
            String relative = closeDirectory.relativize(file).toString().replace('\\', '/');
            ObjectNode output = outputs.addObject();
            output.put("path", relative);
            output.put("sha256", Sha256.ofFile(file));
            if (relative.endsWith(".parquet")) {
                output.put("rows", db.queryLong(Sql.of("SELECT count(*) FROM read_parquet(${file})").bind("file", file).text()));
            } else if (relative.endsWith(".csv")) {
                output.put("rows", db.queryLong(Sql.of("SELECT count(*) FROM read_csv(${file}, header = true, all_varchar = true)")
                        .bind("file", file).text()));
            }
        }
        byte[] bytes = JSON.writeValueAsBytes(manifest);
        AtomicFiles.write(closeDirectory.resolve(FILE), bytes);
        AtomicFiles.write(closeDirectory.resolve(SIGNATURE_FILE), ManifestSignature.sign(key, bytes));
    }

    private static String plain(BigDecimal value) {
        return value == null ? "0" : value.stripTrailingZeros().toPlainString();
    }

    static List<Path> files(Path closeDirectory) {
        try (Stream<Path> walk = Files.walk(closeDirectory)) {
            List<Path> files = new ArrayList<>();
            walk.filter(Files::isRegularFile)
                    .filter(file -> !file.getFileName().toString().startsWith(FILE))
                    .filter(file -> !file.getFileName().toString().startsWith(AtomicFiles.TEMPORARY_PREFIX))
                    .sorted()
                    .forEach(files::add);
            return files;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list " + closeDirectory + ": " + e.getMessage(), e);
        }
    }
}
