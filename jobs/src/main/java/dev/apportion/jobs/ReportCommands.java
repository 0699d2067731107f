package dev.apportion.jobs;

import dev.apportion.ledger.AtomicFiles;
import dev.apportion.ledger.DuckDbSession;
import dev.apportion.ledger.Home;
import dev.apportion.ledger.Sql;
import dev.apportion.reports.CloseReport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** {@code apportion report} and {@code apportion anomalies}: the close report again, and its anomalies for alerting. */
final class ReportCommands {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private ReportCommands() {
    }

    @Command(name = "report",
            description = "Regenerate the report of a published close (report.html, anomalies.csv, summaries) with today's anomalies: "
                    + "settings and month-over-month comparison, under reports/<period>/v<N>/<timestamp>/. The close itself is never rewritten.")
    static final class Report implements Callable<Integer> {
        @ParentCommand
        Apportion root;

        @Mixin
        CloseSelection selection;

        @Override
        public Integer call() {
            Home home = root.requireHome(true);
            YearMonth month = selection.period(root.clock);
            Path close = PublishedClose.of(home, month, selection.version);
            JsonNode manifest = manifest(close);
            String name = close.getFileName().toString();
            Path parent = home.root().resolve("reports").resolve(month.toString()).resolve(name);
            Path work = parent.resolve(AtomicFiles.TEMPORARY_PREFIX + UUID.randomUUID());
            try {
                Files.createDirectories(work);
                List<CloseReport.Anomaly> anomalies;
                try (DuckDbSession db = DuckDbSession.open(work)) {
                    anomalies = CloseReport.write(db, CloseStages.reportInputs(home, month, name, manifest.path("status").asString("final"), close,
                            Config.load(home)), work, root.clock.instant());
                }
                Path target = parent.resolve(STAMP.format(root.clock.instant()));
                for (int i = 2; Files.exists(target); i++) {
                    target = parent.resolve(STAMP.format(root.clock.instant()) + "-" + i);
                }
                AtomicFiles.publishDirectory(work, target);
                root.out.println("report     " + target.resolve(CloseReport.REPORT));
                root.out.println("anomalies  " + anomalies.size() + " (" + target.resolve(CloseReport.ANOMALIES) + ")");
                return 0;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } finally {
                AtomicFiles.deleteRecursively(work);
            }
        }
    }

    @Command(name = "anomalies",
            description = "Print the anomalies of a published close (its anomalies.csv); exit 1 when there is any, so cron can alert.")
    static final class Anomalies implements Callable<Integer> {
        @ParentCommand
        Apportion root;

        @Mixin
        CloseSelection selection;

        @Option(names = "--json", description = "Print one JSON object.") boolean json;

        @Override
        public Integer call() {
            Home home = root.requireHome(true);
            Path close = PublishedClose.of(home, selection.period(root.clock), selection.version);
            Path file = close.resolve(CloseReport.ANOMALIES);
            if (!Files.exists(file)) {
                throw new ApportionException(ApportionException.ExitCode.USAGE, close + " has no " + CloseReport.ANOMALIES
                        + " (published before reports existed); regenerate one with apportion report --period " + selection.period);
            }
            List<List<String>> rows = new ArrayList<>();
            try (DuckDbSession db = DuckDbSession.open(home.state())) {
                db.query(Sql.of("SELECT kind, subject, day, value, trailing_median, k, window_days FROM read_csv(${file}, header = true, "
                        + "all_varchar = true) ORDER BY kind, subject, day").bind("file", file), row -> {
                            List<String> values = new ArrayList<>();
                            for (int i = 1; i <= 7; i++) {
                                values.add(row.getString(i));
                            }
                            rows.add(values);
                        });
            }
            String name = close.getParent().getFileName() + " " + close.getFileName();
            if (json) {
                ObjectNode result = JsonMapper.builder().build().createObjectNode();
                result.put("close", name);
                ArrayNode list = result.putArray("anomalies");
                for (List<String> row : rows) {
                    list.addObject().put("kind", row.get(0)).put("subject", row.get(1)).put("day", row.get(2)).put("value", row.get(3))
                            .put("trailingMedian", row.get(4)).put("k", row.get(5)).put("windowDays", Integer.parseInt(row.get(6)));
                }
                root.out.println(result.toPrettyString());
            } else if (!rows.isEmpty()) {
                root.out.println(String.format(Locale.ROOT, "%-26s %-24s %-10s %16s %16s", "kind", "subject", "day", "value", "trailing median"));
                for (List<String> row : rows) {
                    root.out.println(String.format(Locale.ROOT, "%-26s %-24s %-10s %16s %16s", row.get(0), row.get(1), row.get(2), row.get(3), row.get(4)));
                }
            } else {
                root.out.println("no anomalies in " + name);
            }
            if (rows.isEmpty()) {
                return 0;
            }
            throw new ApportionException(ApportionException.ExitCode.GATE_FAILED, rows.size() + " anomal" + (rows.size() == 1 ? "y" : "ies")
                    + " in " + name + " exceed their threshold (" + rows.get(0).get(5) + " x the trailing median of " + rows.get(0).get(6)
                    + " days); see " + close.resolve(CloseReport.REPORT) + "#anomalies");
        }
    }

    private static JsonNode manifest(Path close) {
        try {
            return JsonMapper.builder().build().readTree(Files.readAllBytes(close.resolve("manifest.json")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
