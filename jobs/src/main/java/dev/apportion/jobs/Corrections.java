package dev.apportion.jobs;

import dev.apportion.focus.FocusExporter;
import dev.apportion.focus.OutputColumns;
import dev.apportion.focus.Verifier;
import dev.apportion.ledger.AtomicFiles;
import dev.apportion.ledger.DuckDbSession;
import dev.apportion.ledger.Home;
import dev.apportion.ledger.Periods;
import dev.apportion.ledger.Sql;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Next-period corrections ({@code corrections: next_period}, DESIGN §10): late inputs of an already closed period Q
 * flow into the next close as FOCUS rows with {@code ChargeClass = "Correction"}, in Delta style. Q is recomputed
 * ({@link Recomputation}) from all its inputs as they are now, with the configuration and catalogues its close
 * pinned, so only the data differs. Per original FOCUS row, the correction is the recomputed amount minus what has
 * been published for it so far: Q's close plus the corrections later closes already carried. A correction row keeps
 * the original row's anchor and dimensions, bills in the closing period and names the row it corrects.
 */
final class Corrections {
    /** The FOCUS columns a correction carries as deltas; every other column describes the corrected row. */
    static final List<String> SUMMABLE = List.of("BilledCost", "EffectiveCost", "ListCost", "ContractedCost", "PricingQuantity",
            "ConsumedQuantity", "PricingCurrencyEffectiveCost");

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** A closed period with inputs no close has accounted for yet. */
    record Late(YearMonth period, String version, List<Recomputation.Input> inputs, List<String> lateInputs, List<Path> earlierCorrections) {
    }

    private Corrections() {
    }

    /**
     * The closed periods before {@code closing} whose inputs now include files neither their close nor any later
     * close's corrections (other than {@code closing}'s own, which are being replaced) accounted for.
     */
    static List<Late> plan(Home home, YearMonth closing) {
        List<YearMonth> closed = closedPeriods(home);
        IngestRecords records = new IngestRecords(home);
        List<Late> plan = new ArrayList<>();
        for (YearMonth period : closed) {
            if (!period.isBefore(closing)) {
                continue;
            }
            String version = current(home, period);
            Set<String> accounted = new HashSet<>();
            manifest(home.closes(period).resolve(version)).path("inputs").forEach(input -> accounted.add(input.path("sha256").asString()));
            List<Path> earlier = new ArrayList<>();
            for (YearMonth later : closed) {
                if (!later.isAfter(period) || later.equals(closing)) {
                    continue;
                }
                Path laterClose = home.closes(later).resolve(current(home, later));
                for (JsonNode correction : manifest(laterClose).path("corrections")) {
                    if (correction.path("period").asString().equals(period.toString())) {
                        correction.path("lateInputs").forEach(sha -> accounted.add(sha.asString()));
                        earlier.add(laterClose);
                    }
                }
            }
            List<Recomputation.Input> inputs = new ArrayList<>();
            List<String> late = new ArrayList<>();
            for (JsonNode record : records.inPeriod(period)) {
                String sha = record.path("sha256").asString();
                inputs.add(new Recomputation.Input(record.path("name").asString(), sha, record.path("sequence").asLong()));
                if (!accounted.contains(sha)) {
                    late.add(sha);
                }
            }
            if (!late.isEmpty()) {
                plan.add(new Late(period, version, List.copyOf(inputs), late.stream().sorted().toList(), List.copyOf(earlier)));
            }
        }
        return plan;
    }

    /** What the fingerprint of the closing period covers of its corrections. */
    static List<String> fingerprintParts(List<Late> plan) {
        List<String> parts = new ArrayList<>();
        for (Late late : plan) {
            late.lateInputs().forEach(sha -> parts.add("correction " + late.period() + " " + late.version() + " input " + sha));
        }
        return parts;
    }

    /**
     * Builds the session table {@code correction_rows} (the delivered columns but {@code x_EvidenceHash}, which export
     * computes) and writes {@code corrections.parquet} and {@code corrections.json} (the manifest entry) to
     * {@code stage}. Checks conservation against the original close: per corrected anchor, what Q published, plus the
     * corrections carried before, plus these, equals the recomputed invoice line (zero when it was retracted).
     */
    static void build(Home home, DuckDbSession db, YearMonth closing, List<Late> plan, OutputColumns.Profile profile, List<String> selection,
                      List<OutputColumns.OutputColumn> delivered, Path stage, Clock clock) {
        List<String> columns = delivered.stream().map(OutputColumns.OutputColumn::name).filter(name -> !name.equals("x_EvidenceHash")).toList();
        List<String> summable = SUMMABLE.stream().filter(columns::contains).toList();
        ArrayNode entries = JSON.createArrayNode();
        db.execute("CREATE OR REPLACE TABLE correction_rows AS SELECT " + delivered.stream().filter(c -> columns.contains(c.name()))
                .map(c -> "NULL::" + c.duckDbType() + " AS " + quote(c.name())).collect(Collectors.joining(", ")) + " WHERE false");
        db.execute("CREATE OR REPLACE TABLE correction_entries (corrected_period VARCHAR, corrected_version VARCHAR, original_row_id VARCHAR, "
                + "correction_row_id VARCHAR, anchor_id VARCHAR, consumer_id VARCHAR, reason VARCHAR, "
                + summable.stream().map(c -> quote(c) + " DECIMAL(38, 18)").collect(Collectors.joining(", ")) + ")");
        for (Late late : plan) {
            Path original = home.closes(late.period()).resolve(late.version());
            JsonNode manifest = manifest(original);
            if (!manifest.path("profile").asString().equals(profile.id())
                    || !java.util.Objects.equals(Recomputation.pinnedColumns(original), selection)) {
                throw new ApportionException(ApportionException.ExitCode.GATE_FAILED, late.period() + " " + late.version()
                        + " was closed with another profile or --columns selection than this close; its late inputs cannot be carried "
                        + "as corrections here. Publish them with close --period " + late.period() + " --republish.");
            }
            Path scratch = stage.resolve("corrections-" + late.period());
            AtomicFiles.deleteRecursively(scratch);
            Path recomputed = Recomputation.run(home, new Home(scratch), original, manifest, late.period(), late.inputs(), clock);
            long rows = correct(db, closing, late, original, recomputed, columns, summable);
            checkConservation(db, late, original, recomputed);
            AtomicFiles.deleteRecursively(scratch);
            ObjectNode entry = entries.addObject();
            entry.put("period", late.period().toString());
            entry.put("correctedVersion", late.version());
            late.lateInputs().forEach(entry.putArray("lateInputs")::add);
            entry.put("rows", rows);
            db.query(Sql.of("SELECT coalesce(sum(BilledCost), 0) FROM correction_entries WHERE corrected_period = ${period}")
                    .bind("period", late.period().toString()), row -> entry.put("billedCost", plain(row.getBigDecimal(1))));
        }
        db.execute(Sql.of("COPY (SELECT * FROM correction_entries ORDER BY correction_row_id) TO ${target} (FORMAT parquet, COMPRESSION zstd)")
                .bind("target", AtomicFiles.temporaryFor(stage.resolve("corrections.parquet"))));
        AtomicFiles.move(AtomicFiles.temporaryFor(stage.resolve("corrections.parquet")), stage.resolve("corrections.parquet"));
        db.execute(Sql.of("COPY (SELECT * FROM correction_rows) TO ${target} (FORMAT parquet, COMPRESSION zstd)")
                .bind("target", AtomicFiles.temporaryFor(stage.resolve("correction-rows.parquet"))));
        AtomicFiles.move(AtomicFiles.temporaryFor(stage.resolve("correction-rows.parquet")), stage.resolve("correction-rows.parquet"));
        AtomicFiles.writeString(stage.resolve("corrections.json"), entries.toPrettyString());
    }

    /** Adds the correction rows of one late period; returns how many. */
    private static long correct(DuckDbSession db, YearMonth closing, Late late, Path original, Path recomputed, List<String> columns,
                                List<String> summable) {
        String quotedColumns = columns.stream().map(Corrections::quote).collect(Collectors.joining(", "));
        String sums = summable.stream().map(c -> "sum(" + quote(c) + ") AS " + quote(c)).collect(Collectors.joining(", "));
        String summableColumns = summable.stream().map(Corrections::quote).collect(Collectors.joining(", "));
        List<String> earlierEntries = late.earlierCorrections().stream().map(close -> close.resolve(Verifier.CORRECTIONS_FILE).toString()).toList();
        List<String> earlierRows = late.earlierCorrections().stream().map(close -> close.resolve(FocusExporter.FOCUS_FILE).toString()).toList();
        String period = Sql.literal(late.period().toString());
        db.execute(Sql.of("CREATE OR REPLACE TEMP VIEW corrected_new AS SELECT * FROM read_parquet(${file})").bind("file", recomputed.resolve(FocusExporter.FOCUS_FILE)));
        db.execute(Sql.of("CREATE OR REPLACE TEMP VIEW corrected_published AS SELECT * FROM read_parquet(${file})").bind("file", original.resolve(FocusExporter.FOCUS_FILE)));
        String earlierAmounts = earlierEntries.isEmpty() ? "" : Sql.of(" UNION ALL BY NAME SELECT original_row_id, " + summableColumns
                + " FROM read_parquet(${files}) WHERE corrected_period = " + period).bindList("files", earlierEntries).text();
        db.execute("CREATE OR REPLACE TEMP TABLE corrected_baseline AS SELECT original_row_id, " + sums + " FROM ("
                + "SELECT x_AllocationRowId AS original_row_id, " + summableColumns + " FROM corrected_published" + earlierAmounts + ") GROUP BY 1");
        String earlierDescriptors = earlierEntries.isEmpty() ? "" : Sql.of(" UNION ALL BY NAME SELECT c.original_row_id, 3 AS priority, "
                + columns.stream().map(c -> "f." + quote(c)).collect(Collectors.joining(", ")) + " FROM read_parquet(${rows}) f "
                + "JOIN read_parquet(${files}) c ON c.correction_row_id = f.x_AllocationRowId WHERE c.corrected_period = " + period)
                .bindList("rows", earlierRows).bindList("files", earlierEntries).text();
        // Each corrected row is described by its recomputed version, else (retracted) by what was published for it.
        db.execute("CREATE OR REPLACE TEMP TABLE corrected_descriptor AS SELECT * EXCLUDE (priority) FROM ("
                + "SELECT x_AllocationRowId AS original_row_id, 1 AS priority, " + quotedColumns + " FROM corrected_new"
                + " UNION ALL BY NAME SELECT x_AllocationRowId AS original_row_id, 2 AS priority, " + quotedColumns + " FROM corrected_published"
                + earlierDescriptors + ") QUALIFY row_number() OVER (PARTITION BY original_row_id ORDER BY priority) = 1");
        db.execute(Sql.of("""
                        CREATE OR REPLACE TEMP TABLE corrected_reason AS
                        SELECT coalesce(n.anchor_id, o.anchor_id) AS anchor_id,
                               CASE WHEN o.anchor_id IS NULL THEN 'new invoice line'
                                    WHEN n.anchor_id IS NULL THEN 'invoice line retracted'
                                    WHEN o.BilledCost <> n.BilledCost THEN 'invoice line restated'
                                    ELSE 'allocation changed (late usage)' END AS reason
                        FROM read_parquet(${old_lines}) o FULL OUTER JOIN read_parquet(${new_lines}) n ON n.anchor_id = o.anchor_id""")
                .bind("old_lines", original.resolve(FocusExporter.INVOICE_LINES_FILE))
                .bind("new_lines", recomputed.resolve(FocusExporter.INVOICE_LINES_FILE)));
        String deltas = summable.stream().map(c -> "CASE WHEN n." + quote(c) + " IS NULL AND b." + quote(c) + " IS NULL THEN NULL ELSE coalesce(n."
                + quote(c) + ", 0) - coalesce(b." + quote(c) + ", 0) END AS " + quote("delta_" + c)).collect(Collectors.joining(", "));
        String changed = summable.stream().map(c -> "coalesce(" + quote("delta_" + c) + ", 0) <> 0").collect(Collectors.joining(" OR "));
        db.execute("CREATE OR REPLACE TEMP TABLE corrected_rows AS SELECT * FROM (SELECT d.*, coalesce(r.reason, 'allocation changed (late usage)') AS reason, "
                + deltas + " FROM corrected_descriptor d"
                + " LEFT JOIN (SELECT x_AllocationRowId AS id, " + summableColumns + " FROM corrected_new) n ON n.id = d.original_row_id"
                + " LEFT JOIN corrected_baseline b ON b.original_row_id = d.original_row_id"
                + " LEFT JOIN corrected_reason r ON r.anchor_id = d.x_AllocationAnchorId) WHERE " + changed);
        String closingPeriod = Sql.literal(closing.toString());
        String rowId = "'cor_' || left(sha256(" + closingPeriod + " || chr(31) || original_row_id), 32)";
        List<String> select = new ArrayList<>();
        for (String column : columns) {
            select.add(switch (column) {
                case "ChargeClass" -> "'Correction'";
                case "BillingPeriodStart" -> "CAST(" + Sql.literal(closing.atDay(1) + "T00:00:00Z") + " AS TIMESTAMPTZ)";
                case "BillingPeriodEnd" -> "CAST(" + Sql.literal(closing.plusMonths(1).atDay(1) + "T00:00:00Z") + " AS TIMESTAMPTZ)";
                case "x_AllocationRowId" -> rowId;
                case "x_MappingNote" -> "'correction (Delta) of ' || " + period + " || ' " + late.version() + " row ' || original_row_id || ': ' || reason"
                        + " || '; ' || x_MappingNote";
                default -> summable.contains(column) ? quote("delta_" + column) : quote(column);
            } + " AS " + quote(column));
        }
        db.execute("INSERT INTO correction_rows BY NAME SELECT " + String.join(", ", select) + " FROM corrected_rows");
        db.execute("INSERT INTO correction_entries BY NAME SELECT " + period + " AS corrected_period, " + Sql.literal(late.version())
                + " AS corrected_version, original_row_id, " + rowId + " AS correction_row_id, x_AllocationAnchorId AS anchor_id, "
                + "AllocatedResourceId AS consumer_id, reason, "
                + summable.stream().map(c -> quote("delta_" + c) + " AS " + quote(c)).collect(Collectors.joining(", ")) + " FROM corrected_rows");
        return db.queryLong("SELECT count(*) FROM corrected_rows");
    }

    /**
     * Per anchor of the original close or the recomputation: published rows + earlier corrections + these
     * corrections = the recomputed invoice line's BilledCost (zero when retracted), from the files themselves.
     */
    private static void checkConservation(DuckDbSession db, Late late, Path original, Path recomputed) {
        String period = Sql.literal(late.period().toString());
        List<String> parts = new ArrayList<>();
        parts.add(Sql.of("SELECT x_AllocationAnchorId AS anchor_id, BilledCost FROM read_parquet(${file})")
                .bind("file", original.resolve(FocusExporter.FOCUS_FILE)).text());
        for (Path earlier : late.earlierCorrections()) {
            parts.add(Sql.of("SELECT anchor_id, BilledCost FROM read_parquet(${file}) WHERE corrected_period = " + period)
                    .bind("file", earlier.resolve(Verifier.CORRECTIONS_FILE)).text());
        }
        parts.add("SELECT anchor_id, BilledCost FROM correction_entries WHERE corrected_period = " + period);
        List<String> failures = new ArrayList<>();
        db.query(Sql.of("SELECT coalesce(c.anchor_id, n.anchor_id), coalesce(c.carried, 0), coalesce(n.BilledCost, 0) FROM ("
                        + "SELECT anchor_id, sum(BilledCost) AS carried FROM (" + String.join(" UNION ALL ", parts) + ") GROUP BY 1) c "
                        + "FULL OUTER JOIN read_parquet(${lines}) n ON n.anchor_id = c.anchor_id "
                        + "WHERE coalesce(c.carried, 0) <> coalesce(n.BilledCost, 0) ORDER BY 1 LIMIT 10")
                        .bind("lines", recomputed.resolve(FocusExporter.INVOICE_LINES_FILE)),
                row -> failures.add(row.getString(1) + ": published and corrected " + row.getBigDecimal(2).toPlainString()
                        + ", invoice line now " + row.getBigDecimal(3).toPlainString()));
        if (!failures.isEmpty()) {
            throw new ApportionException(ApportionException.ExitCode.INTERNAL, "Corrections of " + late.period() + " do not conserve "
                    + "the invoice lines:\n  " + String.join("\n  ", failures));
        }
    }

    private static List<YearMonth> closedPeriods(Home home) {
        Path closes = home.root().resolve("closes");
        if (!Files.isDirectory(closes)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(closes)) {
            List<YearMonth> periods = new ArrayList<>();
            for (Path entry : entries.toList()) {
                try {
                    YearMonth period = Periods.parse(entry.getFileName().toString());
                    if (Files.exists(home.currentVersionFile(period))) {
                        periods.add(period);
                    }
                } catch (IllegalArgumentException notAPeriod) {
                    // Not a period folder.
                }
            }
            periods.sort(null);
            return periods;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list " + closes + ": " + e.getMessage(), e);
        }
    }

    private static String current(Home home, YearMonth period) {
        try {
            return Files.readString(home.currentVersionFile(period)).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode manifest(Path close) {
        try {
            return JSON.readTree(Files.readAllBytes(close.resolve("manifest.json")));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + close.resolve("manifest.json") + ": " + e.getMessage(), e);
        }
    }

    private static String plain(java.math.BigDecimal value) {
        java.math.BigDecimal stripped = value.stripTrailingZeros();
        return (stripped.scale() < 0 ? stripped.setScale(0) : stripped).toPlainString();
    }

    private static String quote(String column) {
        return "\"" + column + "\"";
    }
}
