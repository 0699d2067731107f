package dev.apportion.jobs;

import dev.apportion.focus.OutputColumns;
import dev.apportion.ledger.Home;
import java.io.PrintStream;
import java.time.Clock;
import java.time.YearMonth;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcConnectionPool;
import org.springframework.batch.core.configuration.annotation.EnableBatchProcessing;
import org.springframework.batch.core.configuration.annotation.EnableJdbcJobRepository;
import org.springframework.batch.core.configuration.annotation.StepScope;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.builder.JobBuilder;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.listener.StepExecutionListener;
import org.springframework.batch.core.step.Step;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.core.step.builder.StepBuilder;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.ClassPathResource;
import org.springframework.jdbc.datasource.init.ResourceDatabasePopulator;
import org.springframework.jdbc.support.JdbcTransactionManager;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * The close job (DESIGN §10): steps price → reconcile → allocate → export → report → publish, identified by
 * the job parameters {@code period} and {@code version}. Each step is a tasklet over files of the work
 * directory, so a failed close restarts at the failed step.
 */
@Configuration
@EnableBatchProcessing
@EnableJdbcJobRepository(dataSourceRef = "jobRepositoryDataSource", transactionManagerRef = "transactionManager")
class CloseJobConfiguration {
    static final String JOB_NAME = "close";

    @Bean
    DataSource jobRepositoryDataSource(Home home) {
        JdbcConnectionPool pool = JdbcConnectionPool.create("jdbc:h2:file:" + home.jobRepository().resolve("batch")
                + ";DB_CLOSE_ON_EXIT=FALSE", "apportion", "");
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
    Job closeJob(JobRepository jobRepository, Step price, Step reconcile, Step allocate, Step export, Step report, Step publish) {
        return new JobBuilder(JOB_NAME, jobRepository).start(price).next(reconcile).next(allocate).next(export)
                .next(report).next(publish).build();
    }

    @Bean
    StepProgress stepProgress(PrintStream progress) {
        return new StepProgress(progress);
    }

    @Bean
    Step price(JobRepository repository, PlatformTransactionManager transactionManager, Tasklet priceTasklet, StepProgress progress) {
        return step("price", repository, transactionManager, priceTasklet, progress);
    }

    @Bean
    Step reconcile(JobRepository repository, PlatformTransactionManager transactionManager, Tasklet reconcileTasklet, StepProgress progress) {
        return step("reconcile", repository, transactionManager, reconcileTasklet, progress);
    }

    @Bean
    Step allocate(JobRepository repository, PlatformTransactionManager transactionManager, Tasklet allocateTasklet, StepProgress progress) {
        return step("allocate", repository, transactionManager, allocateTasklet, progress);
    }

    @Bean
    Step export(JobRepository repository, PlatformTransactionManager transactionManager, Tasklet exportTasklet, StepProgress progress) {
        return step("export", repository, transactionManager, exportTasklet, progress);
    }

    @Bean
    Step report(JobRepository repository, PlatformTransactionManager transactionManager, Tasklet reportTasklet, StepProgress progress) {
        return step("report", repository, transactionManager, reportTasklet, progress);
    }

    @Bean
    Step publish(JobRepository repository, PlatformTransactionManager transactionManager, Tasklet publishTasklet, StepProgress progress) {
        return step("publish", repository, transactionManager, publishTasklet, progress);
    }

    private static Step step(String name, JobRepository repository, PlatformTransactionManager transactionManager, Tasklet tasklet,
                             StepProgress progress) {
        return new StepBuilder(name, repository).tasklet(tasklet, transactionManager).listener(progress).build();
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
                out.printf(java.util.Locale.ROOT, "close: %s %s in %.1f s%n", stepExecution.getStepName(),
                        stepExecution.getStatus().name().toLowerCase(java.util.Locale.ROOT),
                        java.time.Duration.between(stepExecution.getStartTime(), stepExecution.getEndTime()).toMillis() / 1000.0);
            } else {
                out.println("close: " + stepExecution.getStepName() + " " + stepExecution.getStatus().name().toLowerCase(java.util.Locale.ROOT));
            }
            return stepExecution.getExitStatus();
        }
    }

    @Bean
    @StepScope
    Tasklet priceTasklet(CloseStagesFactory stages, @Value("#{jobParameters['period']}") String period,
                         @Value("#{jobParameters['version']}") Long version) {
        return (contribution, context) -> done(() -> stages.create(period, version).price());
    }

    @Bean
    @StepScope
    Tasklet reconcileTasklet(CloseStagesFactory stages, @Value("#{jobParameters['period']}") String period,
                             @Value("#{jobParameters['version']}") Long version) {
        return (contribution, context) -> done(() -> stages.create(period, version).reconcile());
    }

    @Bean
    @StepScope
    Tasklet allocateTasklet(CloseStagesFactory stages, @Value("#{jobParameters['period']}") String period,
                            @Value("#{jobParameters['version']}") Long version) {
        return (contribution, context) -> done(() -> stages.create(period, version).allocate());
    }

    @Bean
    @StepScope
    Tasklet exportTasklet(CloseStagesFactory stages, @Value("#{jobParameters['period']}") String period,
                          @Value("#{jobParameters['version']}") Long version, @Value("#{jobParameters['profile']}") String profile) {
        return (contribution, context) -> done(() -> stages.create(period, version).export(OutputColumns.Profile.fromId(profile)));
    }

    @Bean
    @StepScope
    Tasklet reportTasklet(CloseStagesFactory stages, @Value("#{jobParameters['period']}") String period,
                          @Value("#{jobParameters['version']}") Long version) {
        return (contribution, context) -> done(() -> stages.create(period, version).report());
    }

    @Bean
    @StepScope
    Tasklet publishTasklet(CloseStagesFactory stages, @Value("#{jobParameters['period']}") String period,
                           @Value("#{jobParameters['version']}") Long version, @Value("#{jobParameters['profile']}") String profile,
                           @Value("#{jobParameters['fingerprint']}") String fingerprint) {
        return (contribution, context) -> done(() -> stages.create(period, version).publish(profile, fingerprint));
    }

    @Bean
    CloseStagesFactory closeStagesFactory(Home home, Clock clock, FailureInjection failureInjection) {
        return (period, version) -> {
            failureInjection.beforeStage();
            return new CloseStages(home, YearMonth.parse(period), version.intValue(), clock);
        };
    }

    private static RepeatStatus done(Runnable stage) {
        stage.run();
        return RepeatStatus.FINISHED;
    }

    /** Creates the stages of one close. */
    interface CloseStagesFactory {
        CloseStages create(String period, Long version);
    }

    /** A seam for restart tests: fails the N-th stage of a run. The default never fails. */
    interface FailureInjection {
        void beforeStage();
    }
}
