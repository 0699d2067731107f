package dev.apportion.jobs;

import java.util.List;

/**
 * What a user chooses for one close besides period and profile. The gates change nothing published, so they are
 * neither in the fingerprint nor identifying job parameters (a close stopped by a gate resumes at the stopped
 * step); the column selection changes the FOCUS file, so it is part of the fingerprint.
 *
 * @param acceptVariance publish even when the reconciliation gate fails (recorded in the manifest)
 * @param requireCompleteEvidence refuse to publish while any FOCUS row's evidence is insufficient
 * @param columns the FOCUS columns of {@code --columns} (sorted), or null for all
 * @param preliminary publish although {@code expected_sources} do not cover every day; the manifest's status
 *                    is then {@code preliminary}
 * @param republish publish {@code v<N+1>} with {@code diff.csv} when a published period's fingerprint changed
 */
record CloseOptions(boolean acceptVariance, boolean requireCompleteEvidence, List<String> columns, boolean preliminary,
                    boolean republish) {
    static final CloseOptions DEFAULTS = new CloseOptions(false, false, null, false, false);

    CloseOptions(boolean acceptVariance, boolean requireCompleteEvidence) {
        this(acceptVariance, requireCompleteEvidence, null, false, false);
    }

    CloseOptions {
        columns = columns == null ? null : columns.stream().sorted().distinct().toList();
    }
}
