package dev.apportion.sample;

import static java.util.Objects.requireNonNull;

import dev.apportion.ledger.sample.GeneratedMonth;
import dev.apportion.ledger.sample.SampleMonthGenerator;
import dev.apportion.ledger.sample.SampleMonthSpec;
import java.io.IOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import tools.jackson.databind.JsonNode;

/**
 * Generates a realistic month of AI spend for two providers, priced with this module's own list prices (an
 * independent oracle), in any of the {@link OutputFormat formats} Apportion reads. By default (and through the
 * {@link SampleMonthGenerator} service) it writes the generic request log as CSV and the FOCUS 1.4 billing
 * export of each provider:
 * <ul>
 *   <li>{@code requests-<YYYY-MM>.csv}: the generic request log (DESIGN.md §5), in time order;</li>
 *   <li>{@code invoice-openai-<YYYY-MM>.focus.csv} and {@code invoice-anthropic-<YYYY-MM>.focus.csv}: one
 *   usage line per UTC day, model and token type, plus a monthly support plan line.</li>
 * </ul>
 * The other formats render the same requests and the same invoice lines (see {@link OutputFormat}); the files of
 * one format per source are a complete month.
 *
 * <p>Invoices bill exactly the logged tokens except on two seeded (day, model) cells per provider, where the
 * provider billed 0.1–0.3 % more uncached input than the log holds (traffic that bypassed the gateway).
 * Months too small to have cells of 10,000 uncached input tokens get fewer such cells, or none. The choice of
 * formats never changes the month: the same spec gives byte-identical files in every format.
 *
 * <p>Requests are streamed to every request-log format at once and only per-day totals are kept, so memory
 * does not grow with {@link SampleMonthSpec#requests()}; the Parquet log is converted by DuckDB from the CSV
 * log, which is written for the purpose (and not kept) when CSV is not asked for. Each file is written beside
 * its target and moved into place when complete, replacing a file of the same name.
 */
public final class RealisticMonthGenerator implements SampleMonthGenerator {
    /** The generic request log as CSV and a FOCUS export per provider: what the {@code demo} command closes. */
    public static final Set<OutputFormat> DEFAULT_FORMATS =
            Collections.unmodifiableSet(EnumSet.of(OutputFormat.REQUEST_LOG_CSV, OutputFormat.FOCUS_CSV));

    private final Set<OutputFormat> formats;

    /** Creates a generator of the {@link #DEFAULT_FORMATS}; it holds no state between calls. */
    public RealisticMonthGenerator() {
        this(DEFAULT_FORMATS);
    }

    /**
     * Creates a generator that writes the month in each of {@code formats}.
     *
     * @throws IllegalArgumentException when {@code formats} is empty
     */
    public RealisticMonthGenerator(Set<OutputFormat> formats) {
        requireNonNull(formats, "formats is null");
        if (formats.isEmpty()) {
            throw new IllegalArgumentException("No output format was chosen; expected at least one of "
                    + EnumSet.allOf(OutputFormat.class));
        }
        this.formats = Collections.unmodifiableSet(EnumSet.copyOf(formats));
    }

    /** A generator of every format. */
    public static RealisticMonthGenerator allFormats() {
        return new RealisticMonthGenerator(EnumSet.allOf(OutputFormat.class));
    }

    /** The formats this generator writes. */
    public Set<OutputFormat> formats() {
        return formats;
    }

    /**
     * {@inheritDoc}
     *
     * <p>{@link GeneratedMonth#files()} lists the files in the order of {@link OutputFormat}, each format's
     * per-provider files OpenAI first.
     */
    @Override
    public GeneratedMonth generate(SampleMonthSpec spec, Path directory, Set<String> requestLogFormats) throws IOException {
        Set<OutputFormat> chosen = EnumSet.of(OutputFormat.FOCUS_CSV);
        for (String format : requestLogFormats) {
            chosen.add(switch (format) {
                case "csv" -> OutputFormat.REQUEST_LOG_CSV;
                case "parquet" -> OutputFormat.REQUEST_LOG_PARQUET;
                default -> throw new IllegalArgumentException("request-log format '" + format + "': expected csv or parquet");
            });
        }
        return new RealisticMonthGenerator(chosen).generate(spec, directory);
    }

    @Override
    public GeneratedMonth generate(SampleMonthSpec spec, Path directory) throws IOException {
        requireNonNull(spec, "spec is null");
        requireNonNull(directory, "directory is null");
        Files.createDirectories(directory);
        SplittableRandom seeded = new SplittableRandom(spec.seed());
        SplittableRandom requestRandom = seeded.split();
        SplittableRandom varianceRandom = seeded.split();

        Map<OutputFormat, List<Path>> written = new EnumMap<>(OutputFormat.class);
        UsageTotals totals = new UsageTotals(spec.period());
        writeRequestLogs(spec, directory, requestRandom, totals, written);

        BigDecimal invoicedTotal = BigDecimal.ZERO;
        for (Provider provider : Provider.values()) {
            List<BilledVariance> variances = BilledVariance.choose(provider, totals, varianceRandom);
            ProviderInvoice invoice = ProviderInvoice.bill(provider, spec.period(), totals, variances);
            invoicedTotal = invoicedTotal.add(invoice.billedTotal());
            if (formats.contains(OutputFormat.FOCUS_CSV)) {
                try (StagedFile file = StagedFile.create(directory.resolve(provider.invoiceFileName(spec.period())))) {
                    FocusInvoiceWriter.write(file.writer(), invoice);
                    add(written, OutputFormat.FOCUS_CSV, file.commit());
                }
            }
            if (formats.contains(OutputFormat.PROVIDER_COSTS_JSON)) {
                add(written, OutputFormat.PROVIDER_COSTS_JSON, writeDocument(
                        directory.resolve(ProviderCostPages.fileName(provider, spec.period())),
                        ProviderCostPages.page(invoice)));
            }
            if (formats.contains(OutputFormat.PROVIDER_USAGE_JSON)) {
                add(written, OutputFormat.PROVIDER_USAGE_JSON, writeDocument(
                        directory.resolve(ProviderUsagePages.fileName(provider, spec.period())),
                        ProviderUsagePages.page(invoice, totals)));
            }
        }
        List<Path> files = new ArrayList<>();
        written.values().forEach(files::addAll);
        return new GeneratedMonth(files, spec.requests(), invoicedTotal, FocusInvoiceWriter.CURRENCY);
    }

    /** Streams the month's requests once into every request-log format asked for, adding each to {@code totals}. */
    private void writeRequestLogs(SampleMonthSpec spec, Path directory, SplittableRandom random, UsageTotals totals,
                                  Map<OutputFormat, List<Path>> written) throws IOException {
        Map<OutputFormat, StagedFile> staged = new EnumMap<>(OutputFormat.class);
        try {
            List<RequestSink> sinks = new ArrayList<>();
            // Parquet is converted from the CSV log, so the CSV is written whenever either is asked for.
            if (formats.contains(OutputFormat.REQUEST_LOG_CSV) || formats.contains(OutputFormat.REQUEST_LOG_PARQUET)) {
                StagedFile csv = stage(staged, OutputFormat.REQUEST_LOG_CSV, directory, spec);
                sinks.add(new RequestLogWriter(csv.writer()));
            }
            if (formats.contains(OutputFormat.REQUEST_LOG_JSON_LINES)) {
                Writer jsonLines = stage(staged, OutputFormat.REQUEST_LOG_JSON_LINES, directory, spec).writer();
                sinks.add(new RequestLogJsonLinesWriter(jsonLines));
            }
            if (formats.contains(OutputFormat.LITELLM_SPEND_LOGS_CSV)) {
                Writer spendLogs = stage(staged, OutputFormat.LITELLM_SPEND_LOGS_CSV, directory, spec).writer();
                sinks.add(new LiteLlmSpendLogsWriter(spendLogs));
            }
            if (formats.contains(OutputFormat.OTEL_SPANS_JSON_LINES)) {
                sinks.add(new OtelSpansWriter(stage(staged, OutputFormat.OTEL_SPANS_JSON_LINES, directory, spec).writer()));
            }
            RequestStream requests = new RequestStream(spec.period(), spec.requests(), random, spec.spike());
            while (requests.hasNext()) {
                SampleRequest request = requests.next();
                for (RequestSink sink : sinks) {
                    sink.write(request);
                }
                totals.add(request);
            }
            for (RequestSink sink : sinks) {
                sink.finish();
            }
            if (formats.contains(OutputFormat.REQUEST_LOG_PARQUET)) {
                StagedFile parquet = StagedFile.forTool(directory.resolve(RequestLogParquet.fileName(spec.period())));
                staged.put(OutputFormat.REQUEST_LOG_PARQUET, parquet);
                RequestLogParquet.convert(staged.get(OutputFormat.REQUEST_LOG_CSV).complete(), parquet.staging());
            }
            for (Map.Entry<OutputFormat, StagedFile> file : staged.entrySet()) {
                if (formats.contains(file.getKey())) {
                    add(written, file.getKey(), file.getValue().commit());
                }
            }
        } catch (IOException | RuntimeException e) {
            // The failure that stopped the month is the one to report; one in discarding the files goes with it.
            try {
                closeAll(staged.values());
            } catch (IOException discarding) {
                e.addSuppressed(discarding);
            }
            throw e;
        }
        // Discards the CSV written only to be converted to Parquet; committed files are left as they are.
        closeAll(staged.values());
    }

    private static Path writeDocument(Path target, JsonNode document) throws IOException {
        try (StagedFile file = StagedFile.create(target)) {
            Json.writeDocument(file.writer(), document);
            return file.commit();
        }
    }

    private static StagedFile stage(Map<OutputFormat, StagedFile> staged, OutputFormat format, Path directory,
                                    SampleMonthSpec spec) throws IOException {
        StagedFile file = StagedFile.create(directory.resolve(format.fileNames(spec.period()).get(0)));
        staged.put(format, file);
        return file;
    }

    /** Closes every file (discarding those not committed), reporting the first failure with the others suppressed. */
    private static void closeAll(Iterable<StagedFile> files) throws IOException {
        IOException failure = null;
        for (StagedFile file : files) {
            try {
                file.close();
            } catch (IOException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private static void add(Map<OutputFormat, List<Path>> written, OutputFormat format, Path file) {
        written.computeIfAbsent(format, key -> new ArrayList<>()).add(file);
    }
}
