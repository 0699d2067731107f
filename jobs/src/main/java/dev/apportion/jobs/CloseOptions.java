package dev.apportion.jobs;

/**
 * The gates a user may relax or tighten for one close: neither changes the published content, so neither is part
 * of the fingerprint nor an identifying job parameter (a close stopped by a gate resumes at the stopped step).
 *
 * @param acceptVariance publish even when the reconciliation gate fails (recorded in the manifest)
 * @param requireCompleteEvidence refuse to publish while any FOCUS row's evidence is insufficient
 */
record CloseOptions(boolean acceptVariance, boolean requireCompleteEvidence) {
    static final CloseOptions DEFAULTS = new CloseOptions(false, false);
}
