package dev.apportion.jobs;

import dev.apportion.ledger.Home;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.time.YearMonth;
import java.util.Locale;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcConnectionPool;
import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.configuration.annotation.EnableBatchProcessing;
import org.springframework.batch.core.configuration.annotation.EnableJdbcJobRepository;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.builder.JobBuilder;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.listener.StepExecutionListener;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.Step;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.core.step.builder.StepBuilder;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.ClassPathResource;
import org.springframework.jdbc.datasource.init.ResourceDatabasePopulator;
import org.springframework.jdbc.support.JdbcTransactionManager;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * The close job (DESIGN §10): steps price → reconcile → allocate → export → report → publish, identified by
 * the job parameters {@code period} and {@code version} ({@code profile} and {@code fingerprint} ride along,
 * not identifying). Each step is a tasklet over files of the work directory, so a failed close restarts at
 * the failed step.
 */
@Configuration
@EnableBatchProcessing
@EnableJdbcJobRepository(dataSourceRef = "jobRepositoryDataSource", transactionManagerRef = "transactionManager")
class CloseJobConfiguration {
    static final String JOB_NAME = "close";

    // Disposed with the context: an H2 file database stays open while a pooled connection lives, and would keep
    // another process (the next close, after this one in a long-lived JVM) out of the job repository.
    @Bean(destroyMethod = "dispose")
    DataSource jobRepositoryDataSource(Home home) {
        JdbcConnectionPool pool = JdbcConnectionPool.create("jdbc:h2:file:" + home.jobRepository().resolve("batch")
                // WRITE_DELAY=0: every commit reaches the file at once. By default H2 defers writes by half a second, so a
                // close killed early lost its running execution and the rerun could not recover it, only start afresh.
                + ";DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0", "apportion", "");
        try (var connection = pool.getConnection(); var tables = connection.getMetaData().getTables(null, null, "BATCH_JOB_INSTANCE", null)) {
            if (!tables.next()) {
                new ResourceDatabasePopulator(new ClassPathResource("org/springframework/batch/core/schema-h2.sql")).execute(pool);
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("Cannot open the job repository in " + home.jobRepository() + ": " + e.getMessage(), e);
        }
        return pool;
    }

    @Bean
    PlatformTransactionManager transactionManager(DataSource jobRepositoryDataSource) {
        return new JdbcTransactionManager(jobRepositoryDataSource);
    }

    @Bean
    StepProgress stepProgress(PrintStream progress) {
        return new StepProgress(progress);
    }

    @Bean
    Job closeJob(JobRepository repository, PlatformTransactionManager transactionManager, CloseStagesFactory stages,
                 StepProgress progress) {
        StepFactory steps = (name, stage) -> new StepBuilder(name, repository)
                .tasklet((contribution, chunk) -> {
                    stage.accept(stages.create(chunk.getStepContext().getStepExecution().getJobParameters()));
                    return RepeatStatus.FINISHED;
                }, transactionManager)
                .listener(progress)
                .build();
        return new JobBuilder(JOB_NAME, repository)
                .start(steps.step("price", CloseStages::price))
                .next(steps.step("reconcile", CloseStages::reconcile))
                .next(steps.step("allocate", CloseStages::allocate))
                .next(steps.step("export", CloseStages::export))
                .next(steps.step("report", CloseStages::report))
                .next(steps.step("publish", CloseStages::publish))
                .build();
    }

    /** Builds the tasklet step that runs one stage of the close. */
    @FunctionalInterface
    private interface StepFactory {
        Step step(String name, Consumer<CloseStages> stage);
    }

    /** Prints each step's start and duration: the close's progress for cron logs and terminals. */
    static final class StepProgress implements StepExecutionListener {
        private final PrintStream out;

        StepProgress(PrintStream out) {
            this.out = out;
        }

        @Override
        public void beforeStep(StepExecution stepExecution) {
            out.println("close: " + stepExecution.getStepName() + " ...");
        }

        @Override
        public ExitStatus afterStep(StepExecution stepExecution) {
            if (stepExecution.getStartTime() != null && stepExecution.getEndTime() != null) {
                out.printf(Locale.ROOT, "close: %s %s in %.1f s%n", stepExecution.getStepName(),
                        stepExecution.getStatus().name().toLowerCase(Locale.ROOT),
                        Duration.between(stepExecution.getStartTime(), stepExecution.getEndTime()).toMillis() / 1000.0);
            } else {
                out.println("close: " + stepExecution.getStepName() + " " + stepExecution.getStatus().name().toLowerCase(Locale.ROOT));
            }
            return stepExecution.getExitStatus();
        }
    }

    @Bean
    CloseStagesFactory closeStagesFactory(Home home, Clock clock, StageHook stageHook) {
        return parameters -> {
            stageHook.beforeStage();
            return new CloseStages(home, YearMonth.parse(parameters.getString("period")), parameters.getLong("version").intValue(),
                    parameters.getString("profile"), parameters.getString("fingerprint"), clock,
                    new CloseOptions("true".equals(parameters.getString("acceptVariance")),
                            "true".equals(parameters.getString("requireCompleteEvidence")), columns(parameters.getString("columns")),
                            "true".equals(parameters.getString("preliminary")), false));
        };
    }

    private static java.util.List<String> columns(String parameter) {
        return parameter == null || parameter.isEmpty() ? null : java.util.List.of(parameter.split(","));
    }

    /** Creates the stages of one close. */
    interface CloseStagesFactory {
        CloseStages create(JobParameters parameters);
    }

    /**
     * Called as each stage of the close starts: restart tests fail or pause the N-th stage, {@code bench} reads the
     * time and the peak memory of the stage before. The command line's hook does nothing.
     */
    interface StageHook {
        void beforeStage();
    }
}
