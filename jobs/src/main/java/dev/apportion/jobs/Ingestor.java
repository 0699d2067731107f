package dev.apportion.jobs;

import dev.apportion.ledger.AtomicFiles;
import dev.apportion.ledger.DuckDbSession;
import dev.apportion.ledger.Home;
import dev.apportion.ledger.Sha256;
import dev.apportion.readers.FileRejectedException;
import dev.apportion.readers.InputFormat;
import dev.apportion.readers.ReadOutcome;
import dev.apportion.readers.Readers;
import dev.apportion.readers.SourceFile;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Takes every settled file from the inbox (DESIGN §4, §5): identical bytes already ingested are a no-op,
 * unreadable files are rejected whole with a reason file, readable ones are archived by SHA-256 with their
 * good rows normalised and their bad rows recorded. The ingest record is written last: it is the commit.
 */
final class Ingestor {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final Home home;
    private final Clock clock;
    private final PrintStream progress;
    private final IngestRecords records;

    Ingestor(Home home, Clock clock, PrintStream progress) {
        this.home = home;
        this.clock = clock;
        this.progress = progress;
        this.records = new IngestRecords(home);
    }

    /** Counts of one ingest run. */
    record Summary(int ingested, int duplicateFiles, int rejectedFiles, long rejectedRows) {
        boolean anythingRejected() {
            return rejectedFiles > 0 || rejectedRows > 0;
        }
    }

    Summary ingestInbox(long settleSeconds) {
        // Scratch files of an ingest that died (the ingest session spills and stages into state/).
        AtomicFiles.removeTemporaries(home.state());
        List<Path> pending = new ArrayList<>();
        try (Stream<Path> entries = Files.list(home.inbox())) {
            entries.filter(path -> !path.getFileName().toString().startsWith(".")).sorted().forEach(pending::add);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list " + home.inbox() + ": " + e.getMessage(), e);
        }
        Map<Outcome, Integer> files = new EnumMap<>(Outcome.class);
        long rejectedRows = 0;
        while (!pending.isEmpty()) {
            List<Path> ready = settled(pending, settleSeconds);
            pending.removeAll(ready);
            for (Path file : ready) {
                ReadOutcome read = ingest(file, files);
                rejectedRows += read == null ? 0 : read.rowsRejected();
            }
        }
        return new Summary(files.getOrDefault(Outcome.INGESTED, 0), files.getOrDefault(Outcome.IDENTICAL, 0),
                files.getOrDefault(Outcome.REJECTED, 0), rejectedRows);
    }

    /** What became of one inbox file. */
    private enum Outcome { INGESTED, IDENTICAL, REJECTED }

    /** Ingests one settled file; returns what was read, or null when the file was identical or rejected whole. */
    private ReadOutcome ingest(Path file, Map<Outcome, Integer> files) {
        String name = file.getFileName().toString();
        if (Files.isSymbolicLink(file) || !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) || name.contains("..")) {
            rejectWhole(file, name, Sha256.of(name), "unsafe_name: " + name + " is a symlink, not a regular file, or has '..' in its name");
            files.merge(Outcome.REJECTED, 1, Integer::sum);
            return null;
        }
        String sha = Sha256.ofFile(file);
        if (Files.exists(home.ingestedRecord(sha))) {
            delete(file);
            progress.println("ingest: " + name + " is identical to an already ingested file (sha256 " + sha + "); removed from the inbox");
            files.merge(Outcome.IDENTICAL, 1, Integer::sum);
            return null;
        }
        try (DuckDbSession db = DuckDbSession.open(home.state())) {
            ReadOutcome outcome = Readers.read(db, home, new SourceFile(file, name, sha), records.committed(InputFormat.Kind.USAGE),
                    records.committed(InputFormat.Kind.BILLING), Config.load(home).attribution());
            ArrayNode scopes = outcome.format().kind() == InputFormat.Kind.BILLING ? scopes(db) : JSON.createArrayNode();
            commit(file, name, sha, outcome, scopes);
            files.merge(Outcome.INGESTED, 1, Integer::sum);
            progress.println("ingest: " + name + " (" + outcome.format().id() + "): read " + outcome.rowsRead() + ", accepted "
                    + outcome.rowsAccepted() + ", rejected " + outcome.rowsRejected() + ", duplicate " + outcome.rowsDuplicate());
            return outcome;
        } catch (FileRejectedException e) {
            rejectWhole(file, name, sha, e.reason().code() + ": " + e.getMessage());
            files.merge(Outcome.REJECTED, 1, Integer::sum);
            return null;
        }
    }

    /** The snapshot scopes (issuer, billing account, billing period) of the billing lines just read. */
    private static ArrayNode scopes(DuckDbSession db) {
        ArrayNode scopes = JSON.createArrayNode();
        db.query("SELECT scope_key, any_value(InvoiceIssuerName), any_value(BillingAccountId), "
                + "strftime(any_value(BillingPeriodStart), '%Y-%m-%dT%H:%M:%SZ'), count(*) FROM accepted GROUP BY scope_key ORDER BY scope_key",
                row -> scopes.addObject().put("key", row.getString(1)).put("invoiceIssuer", row.getString(2))
                        .put("billingAccountId", row.getString(3)).put("billingPeriodStart", row.getString(4)).put("lines", row.getLong(5)));
        return scopes;
    }

    /**
     * The earlier billing files this one supersedes (DESIGN §5): those with a scope this file also covers. The
     * close keeps each scope's lines from the latest file only; here the supersession is recorded and said.
     */
    private ArrayNode supersedes(String name, ArrayNode scopes) {
        ArrayNode superseded = JSON.createArrayNode();
        for (JsonNode earlier : records.records()) {
            for (JsonNode earlierScope : earlier.path("scopes")) {
                for (JsonNode scope : scopes) {
                    if (scope.path("key").asString().equals(earlierScope.path("key").asString())) {
                        superseded.addObject().put("sha256", earlier.path("sha256").asString()).put("name", earlier.path("name").asString())
                                .put("invoiceIssuer", scope.path("invoiceIssuer").asString())
                                .put("billingAccountId", scope.path("billingAccountId").asString())
                                .put("billingPeriodStart", scope.path("billingPeriodStart").asString())
                                .put("linesRetractedOrReplaced", earlierScope.path("lines").asLong());
                        progress.println("ingest: " + name + " supersedes " + earlier.path("name").asString() + " for "
                                + scope.path("invoiceIssuer").asString() + " account " + scope.path("billingAccountId").asString()
                                + ", billing period from " + scope.path("billingPeriodStart").asString() + " ("
                                + earlierScope.path("lines").asLong() + " earlier lines replaced by " + scope.path("lines").asLong() + ")");
                    }
                }
            }
        }
        return superseded;
    }

    private void commit(Path file, String name, String sha, ReadOutcome outcome, ArrayNode scopes) {
        for (ReadOutcome.StagedFile staged : outcome.staged()) {
            AtomicFiles.move(staged.temporary(), staged.target());
        }
        Path archived = home.archived(sha, name);
        AtomicFiles.linkOrCopy(file, archived);
        archived.toFile().setReadOnly();
        ObjectNode record = JSON.createObjectNode();
        record.put("name", name);
        record.put("sha256", sha);
        record.put("format", outcome.format().id());
        record.put("kind", outcome.format().kind().name().toLowerCase(Locale.ROOT));
        record.put("rowsRead", outcome.rowsRead());
        record.put("rowsAccepted", outcome.rowsAccepted());
        record.put("rowsRejected", outcome.rowsRejected());
        record.put("rowsDuplicate", outcome.rowsDuplicate());
        record.put("ingestedAt", clock.instant().toString());
        // Ingest order decides which snapshot of a billing scope is the latest; records are written under the lock.
        record.put("sequence", records.records().stream().mapToLong(earlier -> earlier.path("sequence").asLong()).max().orElse(0) + 1);
        if (!scopes.isEmpty()) {
            record.set("scopes", scopes);
            ArrayNode superseded = supersedes(name, scopes);
            if (!superseded.isEmpty()) {
                record.set("supersedes", superseded);
            }
        }
        ObjectNode periods = record.putObject("periods");
        outcome.acceptedByPeriod().forEach((period, rows) -> periods.put(period.toString(), rows));
        AtomicFiles.write(home.ingestedRecord(sha), JSON.writeValueAsBytes(record));
        delete(file);
    }

    private void rejectWhole(Path file, String name, String sha, String reason) {
        Path target = home.rejected().resolve(sha + "-" + name);
        AtomicFiles.write(target.resolveSibling(target.getFileName() + ".error.txt"),
                (name + ": " + reason + "\n").getBytes(StandardCharsets.UTF_8));
        AtomicFiles.move(file, target);
        progress.println("ingest: rejected " + name + ": " + reason + " (moved to " + home.root().relativize(target) + ")");
    }

    /**
     * The files whose size and modification time stayed the same for {@code settleSeconds}: a file still being
     * copied into the inbox is never read half-written, and never skipped once it settles. All pending files
     * are observed together, so the wait is paid once per round, and files that settled are not held up by
     * one still growing.
     */
    private static List<Path> settled(List<Path> files, long settleSeconds) {
        if (settleSeconds <= 0) {
            return List.copyOf(files);
        }
        try {
            Map<Path, String> before = observe(files);
            Thread.sleep(settleSeconds * 1000);
            Map<Path, String> after = observe(files);
            return files.stream().filter(file -> before.get(file).equals(after.get(file))).toList();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for inbox files to settle", e);
        }
    }

    private static Map<Path, String> observe(List<Path> files) {
        Map<Path, String> states = new HashMap<>();
        for (Path file : files) {
            try {
                states.put(file, Files.size(file) + "@" + Files.getLastModifiedTime(file));
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read " + file + ": " + e.getMessage(), e);
            }
        }
        return states;
    }

    private static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot remove " + file + " from the inbox: " + e.getMessage(), e);
        }
    }
}
