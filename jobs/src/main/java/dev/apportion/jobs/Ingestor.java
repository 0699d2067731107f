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
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import tools.jackson.databind.json.JsonMapper;
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
        List<Path> files = new ArrayList<>();
        try (Stream<Path> entries = Files.list(home.inbox())) {
            entries.filter(path -> !path.getFileName().toString().startsWith(".")).sorted().forEach(files::add);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list " + home.inbox() + ": " + e.getMessage(), e);
        }
        int ingested = 0;
        int duplicates = 0;
        int rejected = 0;
        long rejectedRows = 0;
        for (Path file : files) {
            waitUntilSettled(file, settleSeconds);
            String name = file.getFileName().toString();
            if (Files.isSymbolicLink(file) || !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) || name.contains("..")) {
                rejectWhole(file, name, Sha256.of(name), "unsafe_name: " + name + " is a symlink, not a regular file, or has '..' in its name");
                rejected++;
                continue;
            }
            String sha = Sha256.ofFile(file);
            if (Files.exists(home.ingestedRecord(sha))) {
                delete(file);
                progress.println("ingest: " + name + " is identical to an already ingested file (sha256 " + sha + "); removed from the inbox");
                duplicates++;
                continue;
            }
            try (DuckDbSession db = DuckDbSession.open(home.state())) {
                ReadOutcome outcome = Readers.read(db, home, new SourceFile(file, name, sha), records.committed(InputFormat.Kind.USAGE),
                        records.committed(InputFormat.Kind.BILLING));
                commit(file, name, sha, outcome);
                rejectedRows += outcome.rowsRejected();
                ingested++;
                progress.println("ingest: " + name + " (" + outcome.format().id() + "): read " + outcome.rowsRead() + ", accepted "
                        + outcome.rowsAccepted() + ", rejected " + outcome.rowsRejected() + ", duplicate " + outcome.rowsDuplicate());
            } catch (FileRejectedException e) {
                rejectWhole(file, name, sha, e.reason().code() + ": " + e.getMessage());
                rejected++;
            }
        }
        return new Summary(ingested, duplicates, rejected, rejectedRows);
    }

    private void commit(Path file, String name, String sha, ReadOutcome outcome) {
        for (ReadOutcome.StagedFile staged : outcome.staged()) {
            AtomicFiles.move(staged.temporary(), staged.target());
        }
        Path archived = home.archived(sha, name);
        AtomicFiles.copy(file, archived);
        archived.toFile().setReadOnly();
        ObjectNode record = JSON.createObjectNode();
        record.put("name", name);
        record.put("sha256", sha);
        record.put("format", outcome.format().id());
        record.put("kind", outcome.format().kind().name().toLowerCase(java.util.Locale.ROOT));
        record.put("rowsRead", outcome.rowsRead());
        record.put("rowsAccepted", outcome.rowsAccepted());
        record.put("rowsRejected", outcome.rowsRejected());
        record.put("rowsDuplicate", outcome.rowsDuplicate());
        record.put("ingestedAt", clock.instant().toString());
        ObjectNode periods = record.putObject("periods");
        outcome.acceptedByPeriod().forEach((period, rows) -> periods.put(period.toString(), rows));
        AtomicFiles.write(home.ingestedRecord(sha), JSON.writeValueAsBytes(record));
        delete(file);
    }

    private void rejectWhole(Path file, String name, String sha, String reason) {
        Path target = home.rejected().resolve(sha + "-" + name);
        AtomicFiles.write(target.resolveSibling(target.getFileName() + ".error.txt"),
                (name + ": " + reason + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        AtomicFiles.move(file, target);
        progress.println("ingest: rejected " + name + ": " + reason + " (moved to " + home.root().relativize(target) + ")");
    }

    /**
     * Waits until the file's size and modification time stay the same for {@code settleSeconds}, so a file
     * still being copied into the inbox is never read half-written (and never skipped once it settles).
     */
    private static void waitUntilSettled(Path file, long settleSeconds) {
        if (settleSeconds <= 0) {
            return;
        }
        try {
            while (true) {
                long size = Files.size(file);
                FileTime modified = Files.getLastModifiedTime(file);
                Thread.sleep(settleSeconds * 1000);
                if (Files.size(file) == size && Files.getLastModifiedTime(file).equals(modified)) {
                    return;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + file + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for " + file + " to settle", e);
        }
    }

    private static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot remove " + file + " from the inbox: " + e.getMessage(), e);
        }
    }
}
