package dev.apportion.reports;

import static java.util.Objects.requireNonNull;

import dev.apportion.ledger.AtomicFiles;
import dev.apportion.ledger.DuckDbSession;
import dev.apportion.ledger.Home;
import dev.apportion.ledger.SpreadsheetCsv;
import dev.apportion.ledger.Sql;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The close report (issue H): {@code report.html}, one self-contained page (styles, data, Chart.js and its drawing
 * code inlined; a Content-Security-Policy forbids any fetch), {@code anomalies.csv} and the spreadsheet summaries,
 * all computed from the close's own files: the FOCUS rows, the invoice lines, the reconciliation cells and the
 * rejects. The HTML comes from a Mustache template (escaping every value); the numbers from DuckDB, as exact
 * decimal strings.
 */
public final class CloseReport {
    public static final String REPORT = "report.html";
    public static final String ANOMALIES = "anomalies.csv";
    public static final String BY_MODEL = "summary-by-model.csv";
    public static final String BY_DAY = "summary-by-day.csv";

    /** Consumers charted and tabled by name; the others are summed as the rest. */
    static final int TOP = 15;
    static final int REJECTS_SHOWN = 200;
    static final int ANOMALIES_SHOWN = 50;

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** What the report reads. {@code previousFocus} (the previous period's current close) may be null. */
    public record Inputs(String period, String version, String status, String apportionVersion, Path focus, Path invoiceLines,
                         Path reconciliation, Path rejects, Path previousFocus, String previousName, AnomalySettings anomalies) {
        public Inputs {
            requireNonNull(period, "period is null");
            requireNonNull(focus, "focus is null");
            requireNonNull(invoiceLines, "invoiceLines is null");
            requireNonNull(reconciliation, "reconciliation is null");
            requireNonNull(anomalies, "anomalies is null");
        }
    }

    /** One anomaly: kind, subject (consumer or feature), day, value, trailing median, value ÷ median. */
    public record Anomaly(String kind, String subject, String day, BigDecimal value, BigDecimal baseline, BigDecimal ratio) {
    }

    private CloseReport() {
    }

    /** Writes the report and its companions into {@code directory}; returns the anomalies found. */
    public static List<Anomaly> write(DuckDbSession db, Inputs inputs, Path directory, Instant generatedAt) {
        db.execute(SpreadsheetCsv.MACROS);
        db.execute(Sql.resource(CloseReport.class, "report.sql").bind("focus", inputs.focus()).bind("lines", inputs.invoiceLines())
                .bind("reconciliation", inputs.reconciliation()));
        AnomalySettings settings = inputs.anomalies();
        db.execute(Sql.resource(CloseReport.class, "anomalies.sql").bindRaw("window", String.valueOf(settings.windowDays()))
                .bindRaw("min_history", String.valueOf(settings.minHistoryDays())).bind("k", settings.k().toPlainString()));
        List<Anomaly> anomalies = anomalies(db);

        CloseSummaries.write(db, inputs.focus(), directory);
        SpreadsheetCsv.write(db, "report_by_model", "billed_cost DESC, model, token_type", directory.resolve(BY_MODEL));
        SpreadsheetCsv.write(db, "report_by_day", "day", directory.resolve(BY_DAY));
        db.execute("CREATE OR REPLACE TEMP TABLE anomalies_out AS SELECT kind, subject, strftime(day, '%Y-%m-%d') AS day, value, "
                + "baseline AS trailing_median, " + Sql.literal(settings.k().toPlainString()) + " AS k, " + settings.windowDays()
                + " AS window_days FROM anomalies");
        SpreadsheetCsv.write(db, "anomalies_out", "kind, subject, day", directory.resolve(ANOMALIES));

        Map<String, Object> model = model(db, inputs, anomalies, generatedAt);
        AtomicFiles.writeString(directory.resolve(REPORT), ReportPages.render("report.html.mustache", model));
        return anomalies;
    }

    private static List<Anomaly> anomalies(DuckDbSession db) {
        List<Anomaly> anomalies = new ArrayList<>();
        db.query("SELECT kind, subject, strftime(day, '%Y-%m-%d'), value, baseline FROM anomalies ORDER BY kind, subject, day", row -> {
            BigDecimal value = row.getBigDecimal(4);
            BigDecimal baseline = row.getBigDecimal(5);
            anomalies.add(new Anomaly(row.getString(1), row.getString(2), row.getString(3), value, baseline,
                    value.divide(baseline, new MathContext(4, RoundingMode.HALF_EVEN))));
        });
        return anomalies;
    }

    private static Map<String, Object> model(DuckDbSession db, Inputs inputs, List<Anomaly> anomalies, Instant generatedAt) {
        Map<String, Object> model = new LinkedHashMap<>();
        String currency = text(db, "SELECT coalesce(min(currency), '') FROM report_rows");
        model.put("title", "Apportion close " + inputs.period() + (inputs.version() == null ? "" : " " + inputs.version()));
        model.put("period", inputs.period());
        model.put("status", inputs.status() == null ? "final" : inputs.status());
        model.put("generatedAt", generatedAt.toString());
        model.put("apportionVersion", inputs.apportionVersion());
        model.put("currency", currency);
        model.put("topN", TOP);
        model.put("chartJs", chartJs());
        model.put("reportJs", resource("report.js"));

        ObjectNode data = JSON.createObjectNode();
        data.put("period", inputs.period());
        data.put("currency", currency);
        ObjectNode headline = data.putObject("headline");
        Map<String, Object> cards = new LinkedHashMap<>();
        BigDecimal invoiced = decimal(db, Sql.of("SELECT coalesce(sum(BilledCost), 0) FROM read_parquet(${lines})").bind("lines", inputs.invoiceLines()).text());
        BigDecimal allocated = decimal(db, "SELECT coalesce(sum(billed_cost), 0) FROM report_rows");
        BigDecimal corrections = decimal(db, "SELECT coalesce(sum(billed_cost), 0) FROM report_rows WHERE charge_class = 'Correction'");
        BigDecimal unallocated = decimal(db, "SELECT coalesce(sum(billed_cost), 0) FROM report_rows WHERE allocated_resource_id IS NULL");
        BigDecimal unattributed = decimal(db, "SELECT coalesce(sum(billed_cost), 0) FROM report_rows WHERE allocated_resource_id = 'unattributed'");
        long rows = db.queryLong("SELECT count(*) FROM report_rows");
        long complete = db.queryLong("SELECT count(*) FROM report_rows WHERE evidence_status = 'complete'");
        long rejectedRows = 0;
        long rejectedFiles = 0;
        if (inputs.rejects() != null && Files.exists(inputs.rejects())) {
            db.execute(Sql.of("CREATE OR REPLACE TEMP TABLE report_rejects AS SELECT * FROM read_csv(${file}, header = true, all_varchar = true)")
                    .bind("file", inputs.rejects()));
            rejectedRows = db.queryLong("SELECT count(*) FROM report_rejects");
            rejectedFiles = db.queryLong("SELECT count(DISTINCT file_sha256) FROM report_rejects");
        }
        putFigure(headline, cards, "invoiced", invoiced);
        putFigure(headline, cards, "allocated", allocated);
        putFigure(headline, cards, "corrections", corrections);
        putFigure(headline, cards, "unallocated", unallocated);
        putFigure(headline, cards, "unattributed", unattributed);
        cards.put("hasCorrections", corrections.signum() != 0);
        cards.put("allocatedNote", allocated.compareTo(invoiced.add(corrections)) == 0
                ? (corrections.signum() == 0 ? "equals the invoiced total" : "equals the invoiced total plus the corrections")
                : "differs from the invoiced total by " + plain(allocated.subtract(invoiced).subtract(corrections)));
        headline.put("rows", rows);
        headline.put("evidenceComplete", complete);
        headline.put("rejectedRows", rejectedRows);
        headline.put("rejectedFiles", rejectedFiles);
        cards.put("rows", rows);
        cards.put("evidenceComplete", complete);
        cards.put("evidencePercent", rows == 0 ? "100" : plain(BigDecimal.valueOf(complete * 100).divide(BigDecimal.valueOf(rows), 1, RoundingMode.DOWN)));
        cards.put("rejectedRows", rejectedRows);
        cards.put("rejectedFiles", rejectedFiles);
        model.put("headline", cards);

        List<Map<String, Object>> mix = new ArrayList<>();
        ObjectNode mixJson = headline.putObject("reconciliation");
        db.query("SELECT class, sum(cells), sum(absolute_cost_diff) FROM report_variance_by_day GROUP BY 1 ORDER BY 1", row -> {
            mix.add(Map.of("class", row.getString(1), "cells", row.getLong(2), "difference", plain(row.getBigDecimal(3))));
            mixJson.putObject(row.getString(1)).put("cells", row.getLong(2)).put("absoluteCostDifference", plain(row.getBigDecimal(3)));
        });
        model.put("reconciliationMix", mix);

        ObjectNode charts = data.putObject("charts");
        labelled(db, charts, "consumers", "SELECT label, value FROM (SELECT consumer AS label, billed_cost AS value, "
                + "row_number() OVER (ORDER BY billed_cost DESC, consumer) AS rank FROM report_by_consumer) WHERE rank <= " + TOP
                + " UNION ALL SELECT '(rest)', sum(billed_cost) FROM (SELECT billed_cost, row_number() OVER (ORDER BY billed_cost DESC, consumer) AS rank "
                + "FROM report_by_consumer) WHERE rank > " + TOP + " HAVING count(*) > 0 ORDER BY 2 DESC, 1");
        labelled(db, charts, "features", "SELECT feature, billed_cost FROM report_by_feature ORDER BY 2 DESC, 1");
        series(db, charts, "models", "SELECT model, token_type, billed_cost FROM report_by_model");
        labelled(db, charts, "tiers", "SELECT service_tier, billed_cost FROM report_by_tier ORDER BY 2 DESC, 1");
        labelled(db, charts, "daily", "SELECT strftime(day, '%Y-%m-%d'), billed_cost FROM report_by_day ORDER BY 1");
        series(db, charts, "variance", "SELECT strftime(day, '%Y-%m-%d'), class, absolute_cost_diff FROM report_variance_by_day");
        BigDecimal longer = decimal(db, "SELECT coalesce(sum(billed_cost), 0) FROM report_rows WHERE day IS NULL");
        model.put("dailyNote", longer.signum() == 0 ? "every charge is within one day"
                : "charges within one UTC day; " + plain(longer) + " " + currency + " of monthly and longer charges are not shown");

        List<Map<String, Object>> varianceByModel = new ArrayList<>();
        db.query("SELECT provider, model, class, cells, absolute_cost_diff FROM report_variance_by_model ORDER BY absolute_cost_diff DESC, 1, 2, 3 LIMIT 50",
                row -> varianceByModel.add(Map.of("provider", row.getString(1), "model", row.getString(2), "class", row.getString(3),
                        "cells", row.getLong(4), "difference", plain(row.getBigDecimal(5)))));
        model.put("varianceByModel", varianceByModel);

        if (inputs.previousFocus() != null && Files.exists(inputs.previousFocus())) {
            model.put("previous", inputs.previousName());
            db.execute(Sql.of("""
                    CREATE OR REPLACE TEMP TABLE report_previous AS
                    SELECT coalesce(AllocatedResourceId, '(unallocated)') AS consumer,
                           coalesce(json_extract_string(AllocatedTags, '$."apportion/feature"'), json_extract_string(Tags, '$."apportion/feature"'), '(none)') AS feature,
                           BilledCost AS billed_cost
                    FROM read_parquet(${file})""").bind("file", inputs.previousFocus()));
            for (String dimension : List.of("consumer", "feature")) {
                labelled(db, charts, dimension.equals("consumer") ? "momConsumers" : "momFeatures", """
                        SELECT label, change FROM (
                            SELECT coalesce(n.%1$s, o.%1$s) AS label, coalesce(n.billed, 0) - coalesce(o.billed, 0) AS change
                            FROM (SELECT %1$s, sum(billed_cost) AS billed FROM report_rows GROUP BY 1) n
                            FULL OUTER JOIN (SELECT %1$s, sum(billed_cost) AS billed FROM report_previous GROUP BY 1) o ON o.%1$s = n.%1$s)
                        WHERE change <> 0 ORDER BY abs(change) DESC, label LIMIT %2$d""".formatted(dimension, TOP));
            }
        }

        Map<String, Object> anomalyModel = new LinkedHashMap<>();
        anomalyModel.put("k", plain(inputs.anomalies().k()));
        anomalyModel.put("window", inputs.anomalies().windowDays());
        anomalyModel.put("minHistory", inputs.anomalies().minHistoryDays());
        anomalyModel.put("none", anomalies.isEmpty());
        List<Map<String, Object>> anomalyRows = new ArrayList<>();
        ArrayNode anomaliesJson = data.putArray("anomalies");
        List<Anomaly> byRatio = new ArrayList<>(anomalies);
        byRatio.sort(java.util.Comparator.comparing(Anomaly::ratio).reversed().thenComparing(Anomaly::kind).thenComparing(Anomaly::subject)
                .thenComparing(Anomaly::day));
        for (Anomaly anomaly : byRatio.subList(0, Math.min(ANOMALIES_SHOWN, byRatio.size()))) {
            anomalyRows.add(Map.of("id", Home.percentEncoded(anomaly.kind() + "-" + anomaly.subject() + "-" + anomaly.day()), "kind", anomaly.kind(),
                    "subject", anomaly.subject(), "day", anomaly.day(), "value", plain(anomaly.value()), "baseline", plain(anomaly.baseline()),
                    "ratio", plain(anomaly.ratio())));
        }
        for (Anomaly anomaly : anomalies) {
            anomaliesJson.addObject().put("kind", anomaly.kind()).put("subject", anomaly.subject()).put("day", anomaly.day())
                    .put("value", plain(anomaly.value())).put("baseline", plain(anomaly.baseline()));
        }
        anomalyModel.put("count", anomalies.size());
        anomalyModel.put("shown", anomalyRows.size());
        anomalyModel.put("rows", anomalyRows);
        model.put("anomalies", anomalyModel);

        List<Map<String, Object>> consumers = new ArrayList<>();
        ArrayNode consumersJson = data.putArray("topConsumers");
        db.query("SELECT consumer, billed_cost, effective_cost, requests, features, rows FROM report_by_consumer ORDER BY billed_cost DESC, consumer LIMIT " + TOP,
                row -> {
                    consumers.add(Map.of("id", Home.percentEncoded(row.getString(1)), "consumer", row.getString(1), "billed", plain(row.getBigDecimal(2)),
                            "effective", plain(row.getBigDecimal(3)), "requests", row.getLong(4), "features", row.getLong(5), "rows", row.getLong(6)));
                    consumersJson.addObject().put("consumer", row.getString(1)).put("billedCost", plain(row.getBigDecimal(2)));
                });
        model.put("topConsumers", consumers);

        List<Map<String, Object>> variance = new ArrayList<>();
        db.query("SELECT provider, billing_account_id, model, token_type, strftime(day, '%Y-%m-%d'), class, cost_diff, invoice_billed_cost, "
                + "ledger_contracted_cost, hint, anchor_ids FROM report_top_variance", row -> {
                    Map<String, Object> cell = new LinkedHashMap<>();
                    cell.put("id", Home.percentEncoded(row.getString(1) + "-" + row.getString(3) + "-" + row.getString(4) + "-" + row.getString(5)));
                    cell.put("provider", row.getString(1));
                    cell.put("account", row.getString(2));
                    cell.put("model", row.getString(3));
                    cell.put("tokenType", row.getString(4));
                    cell.put("day", row.getString(5));
                    cell.put("class", row.getString(6));
                    cell.put("difference", plain(row.getBigDecimal(7)));
                    cell.put("invoiced", plain(row.getBigDecimal(8)));
                    cell.put("ledger", plain(row.getBigDecimal(9)));
                    cell.put("hint", row.getString(10) == null ? "" : row.getString(10));
                    cell.put("anchors", row.getString(11) == null ? "" : row.getString(11));
                    variance.add(cell);
                });
        model.put("topVariance", variance);
        model.put("noVariance", variance.isEmpty());

        List<Map<String, Object>> rejects = new ArrayList<>();
        if (rejectedRows > 0) {
            db.query("SELECT file_name, location, coalesce(\"column\", ''), reason_code || ': ' || reason FROM report_rejects LIMIT " + REJECTS_SHOWN,
                    row -> rejects.add(Map.of("id", String.valueOf(rejects.size() + 1), "file", row.getString(1), "location", row.getString(2),
                            "column", row.getString(3), "reason", row.getString(4))));
        }
        model.put("rejects", rejects);
        model.put("noRejects", rejects.isEmpty());
        model.put("rejectsShown", Math.min(REJECTS_SHOWN, rejectedRows));

        // Inside <script>, "</" would end the element early; JSON allows it escaped.
        model.put("dataJson", data.toString().replace("</", "<\\/"));
        return model;
    }

    private static void putFigure(ObjectNode json, Map<String, Object> cards, String name, BigDecimal value) {
        json.put(name, plain(value));
        cards.put(name, plain(value));
    }

    /** A chart of labels and values: {@code sql} returns label, value. */
    private static void labelled(DuckDbSession db, ObjectNode charts, String name, String sql) {
        ObjectNode chart = charts.putObject(name);
        ArrayNode labels = chart.putArray("labels");
        ArrayNode values = chart.putArray("values");
        db.query(sql, row -> {
            labels.add(row.getString(1));
            values.add(plain(row.getBigDecimal(2)));
        });
        if (labels.isEmpty()) {
            charts.remove(name);
        }
    }

    /** A stacked chart: {@code sql} returns label, series name, value. */
    private static void series(DuckDbSession db, ObjectNode charts, String name, String sql) {
        List<String> labels = new ArrayList<>();
        List<String> names = new ArrayList<>();
        Map<String, Map<String, BigDecimal>> values = new LinkedHashMap<>();
        db.query("SELECT * FROM (" + sql + ") ORDER BY 1, 2", row -> {
            if (!labels.contains(row.getString(1))) {
                labels.add(row.getString(1));
            }
            if (!names.contains(row.getString(2))) {
                names.add(row.getString(2));
            }
            values.computeIfAbsent(row.getString(2), key -> new LinkedHashMap<>()).put(row.getString(1), row.getBigDecimal(3));
        });
        if (labels.isEmpty()) {
            return;
        }
        ObjectNode chart = charts.putObject(name);
        labels.forEach(chart.putArray("labels")::add);
        ArrayNode series = chart.putArray("series");
        names.sort(null);
        for (String seriesName : names) {
            ObjectNode entry = series.addObject().put("name", seriesName);
            ArrayNode points = entry.putArray("values");
            for (String label : labels) {
                BigDecimal value = values.get(seriesName).get(label);
                if (value == null) {
                    points.addNull();
                } else {
                    points.add(plain(value));
                }
            }
        }
    }

    private static BigDecimal decimal(DuckDbSession db, String sql) {
        BigDecimal[] value = new BigDecimal[1];
        db.query(sql, row -> value[0] = row.getBigDecimal(1));
        return value[0];
    }

    private static String text(DuckDbSession db, String sql) {
        String[] value = new String[1];
        db.query(sql, row -> value[0] = row.getString(1));
        return value[0];
    }

    static String plain(BigDecimal value) {
        if (value == null) {
            return "";
        }
        BigDecimal stripped = value.stripTrailingZeros();
        return (stripped.scale() < 0 ? stripped.setScale(0) : stripped).toPlainString();
    }

    static String resource(String name) {
        try (InputStream in = CloseReport.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("Missing resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Chart.js from its WebJar on the class path, inlined so the report opens offline. */
    private static String chartJs() {
        String path = "/META-INF/resources/webjars/chart.js/4.4.7/dist/chart.umd.js";
        try (InputStream in = CloseReport.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("Chart.js is not on the class path (" + path + ")");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
