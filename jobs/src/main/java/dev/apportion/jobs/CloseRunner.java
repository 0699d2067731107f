package dev.apportion.jobs;

import dev.apportion.ledger.Home;
import dev.apportion.ledger.Sha256;
import dev.apportion.pricing.CatalogueRegistry;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;
import org.springframework.batch.core.launch.JobOperator;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Runs a close: the inbox first, then the fingerprint, then the Spring Batch close job with the
 * identifying parameters period and version. A failed close rerun with the same command restarts the
 * failed job instance at its failed step.
 */
final class CloseRunner {
    /** The outcome of a close for the command line. */
    record Outcome(Path published, boolean unchanged, Ingestor.Summary ingest) {
    }

    private CloseRunner() {
    }

    static Outcome close(Home home, YearMonth period, String profile, Clock clock, PrintStream progress,
                         CloseJobConfiguration.StageHook stageHook) {
        return close(home, period, profile, CloseOptions.DEFAULTS, clock, progress, stageHook);
    }

    /** Closes with the given gate options (see {@link CloseOptions}). */
    static Outcome close(Home home, YearMonth period, String profile, CloseOptions options, Clock clock, PrintStream progress,
                         CloseJobConfiguration.StageHook stageHook) {
        Config config = Config.load(home);
        Ingestor ingestor = new Ingestor(home, clock, progress);
        Ingestor.Summary ingest = ingestor.ingestInbox(config.settleSeconds());
        List<Corrections.Late> corrections = config.correctionsNextPeriod() ? Corrections.plan(home, period) : List.of();
        String fingerprint = fingerprint(new IngestRecords(home), period, config, CloseStages.catalogues(home, config), profile,
                options.columns(), Corrections.fingerprintParts(corrections));
        Path current = home.currentVersionFile(period);
        int version = 1;
        if (Files.exists(current)) {
            String name = read(current).strip();
            Path published = home.closes(period).resolve(name);
            JsonNode manifest = JsonMapper.builder().build().readTree(read(published.resolve("manifest.json")));
            if (manifest.path("fingerprint").asString().equals(fingerprint)) {
                progress.println("close: " + period + " is unchanged since " + name + " (same inputs, rules, catalogue and profile)");
                return new Outcome(published, true, ingest);
            }
            if (!options.republish() && config.correctionsNextPeriod()) {
                progress.println("close: " + period + " was closed as " + name + " and its inputs changed since; with corrections: next_period "
                        + "the difference goes into the next close as Correction rows (or publish v" + (Integer.parseInt(name.substring(1)) + 1)
                        + " now with --republish)");
                return new Outcome(published, true, ingest);
            }
            if (!options.republish()) {
                throw new ApportionException(ApportionException.ExitCode.GATE_FAILED, period + " was already closed as " + name
                        + " and its inputs or configuration changed since; rerun with --republish to publish v"
                        + (Integer.parseInt(name.substring(1)) + 1) + " with diff.csv against " + name);
            }
            version = Integer.parseInt(name.substring(1)) + 1;
        }
        try (AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext()) {
            context.registerBean(Home.class, () -> home);
            context.registerBean(Clock.class, () -> clock);
            context.registerBean(CloseJobConfiguration.StageHook.class, () -> stageHook);
            // The stream is the caller's (stderr): closing the context must not close it, or the message of a
            // failed close would go nowhere. Spring infers close() as the destroy method of an AutoCloseable bean.
            context.registerBean("progress", PrintStream.class, () -> progress, definition -> definition.setDestroyMethodName(""));
            context.register(CloseJobConfiguration.class);
            context.refresh();
            JobParameters parameters = new JobParametersBuilder()
                    .addString("period", period.toString(), true)
                    .addLong("version", (long) version, true)
                    .addString("profile", profile, false)
                    .addString("fingerprint", fingerprint, false)
                    .addString("acceptVariance", String.valueOf(options.acceptVariance()), false)
                    .addString("requireCompleteEvidence", String.valueOf(options.requireCompleteEvidence()), false)
                    .addString("columns", options.columns() == null ? "" : String.join(",", options.columns()), false)
                    .addString("preliminary", String.valueOf(options.preliminary()), false)
                    .toJobParameters();
            JobOperator operator = context.getBean(JobOperator.class);
            recoverAbandoned(context.getBean(JobRepository.class), operator, parameters, progress);
            progress.println("close: " + period + " v" + version + ": price, reconcile, allocate, export, report, publish");
            JobExecution execution = operator.start(context.getBean(Job.class), parameters);
            if (execution.getStatus() != BatchStatus.COMPLETED) {
                List<Throwable> failures = new ArrayList<>(execution.getAllFailureExceptions());
                for (Throwable failure : failures) {
                    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
                        if (cause instanceof ApportionException apportion) {
                            throw apportion;
                        }
                    }
                }
                IllegalStateException error = new IllegalStateException("The close job of " + period + " ended " + execution.getStatus()
                        + "; rerun the same command to resume at the failed step");
                failures.forEach(error::addSuppressed);
                throw error;
            }
        } catch (org.springframework.batch.core.launch.JobInstanceAlreadyCompleteException
                 | org.springframework.batch.core.launch.JobExecutionAlreadyRunningException
                 | org.springframework.batch.core.job.parameters.InvalidJobParametersException
                 | org.springframework.batch.core.launch.JobRestartException e) {
            throw new IllegalStateException("Cannot run the close job of " + period + ": " + e.getMessage(), e);
        }
        return new Outcome(home.close(period, version), false, ingest);
    }

    /**
     * An execution still marked running belongs to a close that was killed: this process holds the writer
     * lock, so nothing else can be running it. Recovering marks it failed so the rerun restarts it.
     */
    private static void recoverAbandoned(JobRepository repository, JobOperator operator, JobParameters parameters, PrintStream progress) {
        JobExecution last = repository.getLastJobExecution(CloseJobConfiguration.JOB_NAME, parameters);
        if (last != null && last.isRunning()) {
            progress.println("close: recovering execution " + last.getId() + " of a close that did not finish (killed?)");
            operator.recover(last);
        }
    }

    /**
     * SHA-256 of the period's input hashes (sorted), the rules, the catalogues in precedence, the version, the
     * profile and the {@code --columns} selection (none: every column).
     */
    static String fingerprint(IngestRecords records, YearMonth period, Config config, List<CatalogueRegistry.Registered> catalogues,
                              String profile, List<String> columns, List<String> corrections) {
        List<String> parts = new ArrayList<>();
        records.inPeriod(period).stream()
                .map(record -> "input " + record.path("sha256").asString()).sorted().forEach(parts::add);
        parts.add("config " + Sha256.of(config.bytes()));
        for (int i = 0; i < catalogues.size(); i++) {
            parts.add("catalogue " + catalogues.get(i).name() + " " + catalogues.get(i).sha256() + " precedence " + (i + 1));
        }
        parts.add("apportion " + CloseStages.APPORTION_VERSION);
        parts.add("profile " + profile);
        if (columns != null) {
            parts.add("columns " + String.join(",", columns));
        }
        parts.addAll(corrections);
        return Sha256.of(String.join("\n", parts));
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
