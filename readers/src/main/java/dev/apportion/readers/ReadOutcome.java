package dev.apportion.readers;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.YearMonth;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What reading one input produced. Rows read = accepted + rejected + duplicate. The normalised rows and
 * the row rejects are written under temporary names ({@link StagedFile}); the caller renames them into
 * place and then writes the ingest record, which is the commit point.
 */
public record ReadOutcome(InputFormat format, long rowsRead, long rowsAccepted, long rowsRejected,
                          long rowsDuplicate, SortedMap<YearMonth, Long> acceptedByPeriod, List<StagedFile> staged) {
    public ReadOutcome {
        requireNonNull(format, "format is null");
        acceptedByPeriod = new TreeMap<>(acceptedByPeriod);
        staged = List.copyOf(staged);
        if (rowsRead != rowsAccepted + rowsRejected + rowsDuplicate) {
            throw new IllegalStateException("Counts do not reconcile: read " + rowsRead + " != accepted "
                    + rowsAccepted + " + rejected " + rowsRejected + " + duplicate " + rowsDuplicate);
        }
    }

    /** A file written under {@code temporary}, to be renamed to {@code target} when the ingest commits. */
    public record StagedFile(Path temporary, Path target) {
        public StagedFile {
            requireNonNull(temporary, "temporary is null");
            requireNonNull(target, "target is null");
        }
    }
}
