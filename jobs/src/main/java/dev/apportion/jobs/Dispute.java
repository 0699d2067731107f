package dev.apportion.jobs;

import dev.apportion.focus.CanonicalRow;
import dev.apportion.focus.FocusExporter;
import dev.apportion.focus.OutputColumns;
import dev.apportion.ledger.AtomicFiles;
import dev.apportion.ledger.DuckDbSession;
import dev.apportion.ledger.Home;
import dev.apportion.ledger.Sha256;
import dev.apportion.ledger.Sql;
import dev.apportion.reports.ReportPages;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code apportion dispute} (DESIGN §1, §10): proves a consumer's published rows, or shows what differs and why.
 *
 * <p>First every input the close's manifest lists must still have its SHA-256 in the archive. Then the close is
 * recomputed ({@link Recomputation}) in a scratch home from exactly what it pinned: the archived inputs, replayed through ingest in their
 * original order (so supersession and duplicates resolve as they did), the pinned {@code apportion.yml} and
 * catalogues, the profile and column selection. Every origin line of the period is recomputed, so the lines the
 * consumer shares are split among all their consumers as they were. The consumer's rows are compared with the
 * published ones by canonical serialisation (DESIGN §9), evidence hash included. Nothing of the close, the archive
 * or {@code state/} is written: the outputs go to {@code disputes/<period>/<consumer>/<timestamp>/}.
 */
final class Dispute {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    /** One row of the consumer that is not reproduced. */
    record Difference(String rowId, String anchorId, String kind, String cause, List<String> columns) {
    }

    /** What a dispute found, and where it wrote its outputs. */
    record Result(String close, String consumer, boolean reproduced, long rowsCompared, long originLines,
                  List<Difference> differences, Path directory) {
    }

    private final Home home;
    private final Clock clock;
    private final PrintStream progress;

    Dispute(Home home, Clock clock, PrintStream progress) {
        this.home = home;
        this.clock = clock;
        this.progress = progress;
    }

    /**
     * Disputes each of {@code consumers} against one recomputation of the close; each gets its own output folder.
     * A consumer with no rows on either side is a usage error, and then nothing is written.
     */
    List<Result> run(YearMonth period, String version, List<String> consumers) {
        Path close = PublishedClose.of(home, period, version);
        String name = close.getFileName().toString();
        JsonNode manifest = readJson(close.resolve("manifest.json"));
        ArrayNode archiveChecks = checkArchive(manifest, period + " " + name);

        String stamp = STAMP.format(clock.instant());
        Path scratchRoot = home.root().resolve("disputes").resolve(period.toString())
                .resolve(AtomicFiles.TEMPORARY_PREFIX + "recompute-" + stamp + "-" + UUID.randomUUID());
        List<Path> works = new ArrayList<>();
        try {
            progress.println("dispute: recomputing " + period + " " + name + " from " + manifest.path("inputs").size()
                    + " archived inputs and the pinned configuration and catalogues");
            List<String> columns = Recomputation.pinnedColumns(close);
            Path recomputed = Recomputation.run(home, new Home(scratchRoot), close, manifest, period, Recomputation.inputsOf(home, manifest), clock);
            List<Result> results = new ArrayList<>();
            try (DuckDbSession db = DuckDbSession.open(scratchRoot)) {
                for (String consumer : consumers) {
                    Path work = home.disputes(period, consumer).resolve(AtomicFiles.TEMPORARY_PREFIX + stamp + "-" + UUID.randomUUID());
                    works.add(work);
                    Result result = compare(db, close, recomputed, manifest, columns, period + " " + name, consumer);
                    writeOutputs(db, result, recomputed, manifest, archiveChecks, work);
                    results.add(result);
                }
            }
            List<Result> published = new ArrayList<>();
            for (int i = 0; i < results.size(); i++) {
                Result result = results.get(i);
                Path directory = uniqueDirectory(works.get(i).getParent(), stamp);
                AtomicFiles.publishDirectory(works.get(i), directory);
                published.add(new Result(result.close(), result.consumer(), result.reproduced(), result.rowsCompared(),
                        result.originLines(), result.differences(), directory));
            }
            return published;
        } finally {
            AtomicFiles.deleteRecursively(scratchRoot);
            works.forEach(AtomicFiles::deleteRecursively);
        }
    }

    /** Every input of the manifest, hashed again from the archive; any mismatch ends the dispute (exit 1). */
    private ArrayNode checkArchive(JsonNode manifest, String close) {
        ArrayNode checks = JSON.createArrayNode();
        List<String> tampered = new ArrayList<>();
        for (JsonNode input : manifest.path("inputs")) {
            String sha = input.path("sha256").asString();
            Path archived = home.archived(sha, input.path("name").asString());
            String actual = Files.isRegularFile(archived) ? Sha256.ofFile(archived) : null;
            checks.addObject().put("name", input.path("name").asString()).put("sha256", sha).put("archived", home.root().relativize(archived).toString())
                    .put("verified", sha.equals(actual));
            if (actual == null) {
                tampered.add(archived + " is missing");
            } else if (!sha.equals(actual)) {
                tampered.add(archived + " has SHA-256 " + actual + ", but the close read " + sha);
            }
        }
        if (!tampered.isEmpty()) {
            throw new ApportionException(ApportionException.ExitCode.GATE_FAILED, "archive tampered: the inputs of " + close
                    + " are not what the close read, so it cannot be recomputed:\n  " + String.join("\n  ", tampered));
        }
        return checks;
    }

    /** The consumer's rows, published against recomputed, on every origin line either side gives them. */
    private static Result compare(DuckDbSession db, Path close, Path recomputed, JsonNode manifest, List<String> selection,
                                  String closeName, String consumer) {
        // The close's delivered columns in file order, as its export serialised them.
        List<OutputColumns.OutputColumn> columns = OutputColumns.select(OutputColumns.Profile.fromId(manifest.path("profile").asString()),
                selection == null ? null : new java.util.HashSet<>(selection));
        String canonical = CanonicalRow.expression(columns);
        List<Difference> differences = new ArrayList<>();
        long[] counts = new long[2];
        db.execute(CanonicalRow.MACROS);
        db.execute(Sql.of("CREATE OR REPLACE VIEW published AS SELECT * FROM read_parquet(${file})").bind("file", close.resolve(FocusExporter.FOCUS_FILE)));
        db.execute(Sql.of("CREATE OR REPLACE VIEW recomputed AS SELECT * FROM read_parquet(${file})").bind("file", recomputed.resolve(FocusExporter.FOCUS_FILE)));
        // Correction rows carry another period's late data; that period's dispute recomputes them, verify checks them here.
        String mine = "SELECT x_AllocationRowId AS row_id, x_AllocationAnchorId AS anchor_id, " + canonical
                + " AS line FROM %s WHERE AllocatedResourceId = ${consumer} AND ChargeClass IS DISTINCT FROM 'Correction'";
        db.execute(Sql.of("CREATE OR REPLACE TABLE compared AS SELECT coalesce(p.row_id, r.row_id) AS row_id, coalesce(p.anchor_id, r.anchor_id) AS anchor_id, "
                + "p.line AS published, r.line AS recomputed FROM (" + mine.formatted("published") + ") p FULL OUTER JOIN ("
                + mine.formatted("recomputed") + ") r ON r.row_id = p.row_id").bind("consumer", consumer));
        db.query("SELECT count(*), count(DISTINCT anchor_id) FROM compared", row -> {
            counts[0] = row.getLong(1);
            counts[1] = row.getLong(2);
        });
        if (counts[0] == 0) {
            List<String> known = new ArrayList<>();
            db.query("SELECT DISTINCT AllocatedResourceId FROM published WHERE AllocatedResourceId IS NOT NULL ORDER BY 1 LIMIT 10",
                    row -> known.add(row.getString(1)));
            throw new ApportionException(ApportionException.ExitCode.USAGE, consumer + " has no rows in " + closeName
                    + " (published or recomputed); consumers with rows include: " + String.join(", ", known));
        }
        String cause = causeOfDifferences(close, manifest);
        db.query("SELECT row_id, anchor_id, published, recomputed FROM compared WHERE published IS DISTINCT FROM recomputed ORDER BY row_id",
                row -> differences.add(difference(columns, row.getString(1), row.getString(2), row.getString(3), row.getString(4), cause)));
        return new Result(closeName, consumer, differences.isEmpty(), counts[0], counts[1], differences, null);
    }

    private static Difference difference(List<OutputColumns.OutputColumn> columns, String rowId, String anchorId,
                                         String published, String recomputed, String cause) {
        if (published == null) {
            return new Difference(rowId, anchorId, "missing_from_published",
                    "the recomputation gives the consumer this row, the published close does not have it", List.of());
        }
        if (recomputed == null) {
            return new Difference(rowId, anchorId, "not_recomputed",
                    "the published close has this row, the recomputation does not give it to the consumer", List.of());
        }
        String[] old = published.split("\t", -1);
        String[] now = recomputed.split("\t", -1);
        List<String> differing = new ArrayList<>();
        for (int i = 0; i < columns.size(); i++) {
            if (!old[i].equals(now[i])) {
                differing.add(columns.get(i).name() + ": published " + shown(old[i]) + ", recomputed " + shown(now[i]));
            }
        }
        return new Difference(rowId, anchorId, "differs", cause, differing);
    }

    private static String shown(String canonical) {
        return canonical.equals("\\N") ? "null" : canonical;
    }

    /**
     * Why published rows differ from their recomputation: the FOCUS file changed after sealing; or another Apportion
     * version computed it; else a reproducibility defect of this version.
     */
    private static String causeOfDifferences(Path close, JsonNode manifest) {
        for (JsonNode output : manifest.path("outputs")) {
            if (output.path("path").asString().equals(FocusExporter.FOCUS_FILE)
                    && !output.path("sha256").asString().equals(Sha256.ofFile(close.resolve(FocusExporter.FOCUS_FILE)))) {
                return "the published FOCUS file was modified after the close was sealed: its SHA-256 is not the manifest's "
                        + "(apportion verify reports it); the recomputation from the archived inputs gives the values shown as recomputed";
            }
        }
        if (!CloseStages.APPORTION_VERSION.equals(manifest.path("apportionVersion").asString())) {
            return "the close was computed by Apportion " + manifest.path("apportionVersion").asString() + " and recomputed by "
                    + CloseStages.APPORTION_VERSION + "; the change in calculation between versions explains the difference";
        }
        return "the sealed close and its recomputation from the same inputs, rules, catalogues and version differ: "
                + "a reproducibility defect, please report it with this dispute's folder";
    }

    /**
     * {@code recomputed-rows.parquet} (every consumer's rows on the disputed origin lines),
     * {@code ledger-entries.parquet} (the cost lines behind each of the consumer's {@code x_UsageRef}),
     * {@code dispute.json} (result, archive check, differences, the invoice lines and each row's trail) and
     * {@code summary.md}.
     */
    private void writeOutputs(DuckDbSession db, Result result, Path recomputed, JsonNode manifest, ArrayNode archiveChecks, Path work) {
        try {
            Files.createDirectories(work);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create " + work + ": " + e.getMessage(), e);
        }
        ObjectNode report = JSON.createObjectNode();
        report.put("period", manifest.path("period").asString());
        report.put("version", "v" + manifest.path("version").asInt());
        report.put("consumer", result.consumer());
        report.put("result", result.reproduced() ? "reproduced" : "not reproduced");
        report.put("disputedAt", clock.instant().toString());
        report.put("publishedBy", manifest.path("apportionVersion").asString());
        report.put("recomputedBy", CloseStages.APPORTION_VERSION);
        report.put("fingerprint", manifest.path("fingerprint").asString());
        report.put("rowsCompared", result.rowsCompared());
        report.put("originLines", result.originLines());
        report.set("archive", archiveChecks);
        ArrayNode differences = report.putArray("differences");
        for (Difference difference : result.differences()) {
            ObjectNode entry = differences.addObject().put("rowId", difference.rowId()).put("anchorId", difference.anchorId())
                    .put("kind", difference.kind()).put("cause", difference.cause());
            difference.columns().forEach(entry.putArray("columns")::add);
        }
        ArrayNode lines = report.putArray("originLines");
        StringBuilder trails = new StringBuilder();
        List<Map<String, Object>> rowTrails = new ArrayList<>();
        JsonNode methods = readJson(recomputed.resolve("allocation-methods.json"));
        // A table, not a view: each consumer's evidence queries it several times, and it is the same recomputation for all.
        db.execute(Sql.of("CREATE TEMP TABLE IF NOT EXISTS focus AS SELECT * FROM read_parquet(${file})").bind("file", recomputed.resolve(FocusExporter.FOCUS_FILE)));
        db.execute(Sql.of("CREATE OR REPLACE TEMP TABLE disputed_anchors AS SELECT DISTINCT anchor_id FROM compared"));
        db.execute(Sql.of("COPY (SELECT * FROM focus WHERE x_AllocationAnchorId IN (SELECT anchor_id FROM disputed_anchors) "
                + "ORDER BY x_AllocationRowId) TO ${target} (FORMAT parquet, COMPRESSION zstd)").bind("target", work.resolve("recomputed-rows.parquet")));
        db.execute(Sql.of("""
                        COPY (SELECT u.* FROM read_parquet(${refs}) u
                              WHERE u.x_UsageRef IN (SELECT x_UsageRef FROM focus WHERE AllocatedResourceId = ${consumer})
                              ORDER BY u.x_UsageRef, u.cost_line_id) TO ${target} (FORMAT parquet, COMPRESSION zstd)""")
                .bind("refs", recomputed.resolve(FocusExporter.USAGE_REFS_FILE)).bind("consumer", result.consumer())
                .bind("target", work.resolve("ledger-entries.parquet")));
        // Each kind of evidence in one query for all the consumer's rows, never one per row: a consumer has thousands of
        // rows in a large month, and reading a row's cost lines from the unordered usage references scanned all of them
        // again (at 10M requests, over an hour for one consumer).
        Map<String, String> lineJson = new HashMap<>();
        Map<String, ExplainCommand.Origin> origins = new HashMap<>();
        db.query(Sql.of("SELECT anchor_id, CAST(to_json(l) AS VARCHAR), " + ExplainCommand.ORIGIN_COLUMNS
                        + " FROM read_parquet(${file}) l WHERE anchor_id IN (SELECT anchor_id FROM disputed_anchors)")
                .bind("file", recomputed.resolve(FocusExporter.INVOICE_LINES_FILE)), line -> {
                    lineJson.put(line.getString(1), line.getString(2));
                    origins.put(line.getString(1), ExplainCommand.origin(line, 3));
                });
        Map<String, ExplainCommand.UsageLines> usage = new HashMap<>();
        db.query(Sql.of("SELECT x_UsageRef, count(*), list(cost_line_id ORDER BY cost_line_id)[1:${shown}] FROM read_parquet(${file}) GROUP BY 1")
                .bindRaw("shown", String.valueOf(ExplainCommand.TRAIL_ENTRIES)).bind("file", work.resolve("ledger-entries.parquet")), ref -> {
                    List<String> first = new ArrayList<>();
                    for (Object id : (Object[]) ref.getArray(3).getArray()) {
                        first.add((String) id);
                    }
                    usage.put(ref.getString(1), new ExplainCommand.UsageLines(ref.getLong(2), first));
                });
        // The rows of every origin line the consumer has rows on, line after line; each line's rows are in memory only
        // while its trails are written.
        List<Object[]> lineRows = new ArrayList<>();
        Runnable trailsOfLine = () -> {
            if (lineRows.isEmpty()) {
                return;
            }
            String anchor = (String) lineRows.get(0)[17];
            ObjectNode line = null;
            for (Object[] row : lineRows) {
                if (!result.consumer().equals(row[3])) {
                    continue;
                }
                if (line == null) {
                    line = lines.addObject().put("anchorId", anchor);
                    ObjectNode origin = line.putObject("invoiceLine");
                    if (lineJson.containsKey(anchor)) {
                        origin.setAll((ObjectNode) JSON.readTree(lineJson.get(anchor)));
                    }
                    line.put("consumersOnLine", lineRows.stream().map(values -> values[3] == null ? "" : (String) values[3]).distinct().count());
                    line.putArray("rows");
                }
                String rowId = (String) row[0];
                ByteArrayOutputStream text = new ByteArrayOutputStream();
                ObjectNode trail = ((ArrayNode) line.path("rows")).addObject();
                ExplainCommand.render(rowId, lineRows, origins.get(anchor), row[11] == null ? null : usage.getOrDefault((String) row[11],
                        new ExplainCommand.UsageLines(0, List.of())), methods, new PrintStream(text, true, StandardCharsets.UTF_8), trail);
                trails.append(text.toString(StandardCharsets.UTF_8));
                rowTrails.add(Map.of("rowId", rowId, "text", text.toString(StandardCharsets.UTF_8).strip()));
            }
            lineRows.clear();
        };
        db.query(Sql.of("SELECT " + ExplainCommand.TRAIL_ROW_COLUMNS + """

                        FROM focus f
                        WHERE f.x_AllocationAnchorId IN (SELECT x_AllocationAnchorId FROM focus WHERE AllocatedResourceId = ${consumer})
                        ORDER BY f.x_AllocationAnchorId, f.x_AllocationRowId""").bind("consumer", result.consumer()), row -> {
                    Object[] values = ExplainCommand.trailRow(row, 1);
                    if (!lineRows.isEmpty() && !lineRows.get(0)[17].equals(values[17])) {
                        trailsOfLine.run();
                    }
                    lineRows.add(values);
                });
        trailsOfLine.run();
        AtomicFiles.writeString(work.resolve("dispute.json"), report.toPrettyString() + "\n");
        AtomicFiles.writeString(work.resolve("summary.md"), summary(result, manifest, archiveChecks, trails.toString()));
        AtomicFiles.writeString(work.resolve("report.html"), page(result, manifest, archiveChecks, rowTrails));
    }

    /** The dispute as a page of the reports (same head, style and offline policy as the close report). */
    private String page(Result result, JsonNode manifest, ArrayNode archiveChecks, List<Map<String, Object>> trails) {
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("title", "Dispute of " + result.consumer() + " in " + result.close());
        model.put("result", result.reproduced() ? "reproduced" : "not reproduced");
        model.put("badge", result.reproduced() ? "reproduced" : "not-reproduced");
        model.put("disputedAt", clock.instant().toString());
        model.put("publishedBy", manifest.path("apportionVersion").asString());
        model.put("recomputedBy", CloseStages.APPORTION_VERSION);
        model.put("fingerprint", manifest.path("fingerprint").asString());
        model.put("rowsCompared", result.rowsCompared());
        model.put("originLines", result.originLines());
        model.put("differenceCount", result.differences().size());
        model.put("summary", result.reproduced()
                ? "Every row of the consumer was recomputed from the archived inputs with the close's pinned rules and catalogues, and equals the published row."
                : result.differences().size() + " row(s) of the consumer differ from their recomputation from the archived inputs; each is listed with its cause.");
        model.put("noDifferences", result.differences().isEmpty());
        List<Map<String, Object>> differences = new ArrayList<>();
        for (Difference difference : result.differences()) {
            differences.add(Map.of("rowId", difference.rowId(), "anchorId", difference.anchorId(), "kind", difference.kind(),
                    "columns", difference.columns(), "cause", difference.cause()));
        }
        model.put("differences", differences);
        List<Map<String, Object>> archive = new ArrayList<>();
        archiveChecks.forEach(input -> archive.add(Map.of("name", input.path("name").asString(), "sha256", input.path("sha256").asString(),
                "verified", input.path("verified").asBoolean() ? "yes" : "no")));
        model.put("archive", archive);
        model.put("trails", trails);
        return ReportPages.render("dispute.html.mustache", model);
    }

    private static String summary(Result result, JsonNode manifest, ArrayNode archiveChecks, String trails) {
        StringBuilder md = new StringBuilder();
        md.append("# Dispute of ").append(result.consumer()).append(" in ").append(result.close()).append("\n\n");
        md.append("**Result: ").append(result.reproduced() ? "reproduced" : "not reproduced").append(".** ")
                .append(result.rowsCompared()).append(" row(s) of the consumer on ").append(result.originLines())
                .append(" origin line(s) were recomputed from the archived inputs");
        md.append(result.reproduced() ? "; every row and its evidence hash equal the published ones.\n\n"
                : "; " + result.differences().size() + " differ (below).\n\n");
        md.append("- Close fingerprint: `").append(manifest.path("fingerprint").asString()).append("`\n");
        md.append("- Published by Apportion ").append(manifest.path("apportionVersion").asString()).append(", recomputed by ")
                .append(CloseStages.APPORTION_VERSION).append("\n");
        md.append("- Archived inputs checked: ").append(archiveChecks.size()).append(", all with the SHA-256 the close read\n\n");
        if (!result.reproduced()) {
            md.append("## Differences\n\n| row | origin line | kind | columns | cause |\n|---|---|---|---|---|\n");
            for (Difference difference : result.differences()) {
                md.append("| ").append(cell(difference.rowId())).append(" | ").append(cell(difference.anchorId())).append(" | ")
                        .append(difference.kind()).append(" | ").append(cell(String.join("; ", difference.columns()))).append(" | ")
                        .append(cell(difference.cause())).append(" |\n");
            }
            md.append("\n");
        }
        md.append("## Evidence trail (recomputed)\n\nEvery row of the consumer as the recomputation gives it: origin line, rule, basis, "
                + "ratio, rounding remainder and ledger entries. All rows of these origin lines, every consumer's, are in "
                + "`recomputed-rows.parquet`; the cost lines behind each usage reference in `ledger-entries.parquet`.\n\n```\n");
        md.append(trails).append("```\n");
        return md.toString();
    }

    private static String cell(String text) {
        return text.replace("|", "\\|").replace("\n", " ");
    }

    /** A new directory name under {@code parent}: the timestamp, then {@code -2}, {@code -3}... when taken. */
    private static Path uniqueDirectory(Path parent, String stamp) {
        Path candidate = parent.resolve(stamp);
        for (int i = 2; Files.exists(candidate); i++) {
            candidate = parent.resolve(stamp + "-" + i);
        }
        return candidate;
    }

    private static JsonNode readJson(Path file) {
        try {
            return JSON.readTree(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
