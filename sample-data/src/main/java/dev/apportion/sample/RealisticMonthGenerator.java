package dev.apportion.sample;

import static java.util.Objects.requireNonNull;

import dev.apportion.ledger.sample.GeneratedMonth;
import dev.apportion.ledger.sample.SampleMonthGenerator;
import dev.apportion.ledger.sample.SampleMonthSpec;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Generates a realistic month of AI spend for two providers: a generic request log and the FOCUS 1.4
 * billing export of each provider, priced with this module's own list prices (an independent oracle).
 *
 * <p>Writes into the directory, replacing files of the same name:
 * <ul>
 *   <li>{@code requests-<YYYY-MM>.csv}: the generic request log (DESIGN.md §5), in time order;</li>
 *   <li>{@code invoice-openai-<YYYY-MM>.focus.csv} and {@code invoice-anthropic-<YYYY-MM>.focus.csv}: one
 *   usage line per UTC day, model and token type, plus a monthly support plan line.</li>
 * </ul>
 * Invoices bill exactly the logged tokens except on two seeded (day, model) cells per provider, where the
 * provider billed 0.1–0.3 % more uncached input than the log holds (traffic that bypassed the gateway).
 * Months too small to have cells of 10,000 uncached input tokens get fewer such cells, or none.
 *
 * <p>The same spec gives byte-identical files. Requests are streamed to disk and only per-day totals are
 * kept, so memory does not grow with {@link SampleMonthSpec#requests()}. Each file is written beside its
 * target and moved into place when complete.
 */
public final class RealisticMonthGenerator implements SampleMonthGenerator {

    /** Creates a generator; it holds no state between calls. */
    public RealisticMonthGenerator() {
    }

    @Override
    public GeneratedMonth generate(SampleMonthSpec spec, Path directory) throws IOException {
        requireNonNull(spec, "spec is null");
        requireNonNull(directory, "directory is null");
        Files.createDirectories(directory);
        SplittableRandom seeded = new SplittableRandom(spec.seed());
        SplittableRandom requestRandom = seeded.split();
        SplittableRandom varianceRandom = seeded.split();

        List<Path> files = new ArrayList<>();
        UsageTotals totals = new UsageTotals(spec.period());
        try (StagedFile file = StagedFile.create(directory.resolve(RequestLogWriter.fileName(spec.period())))) {
            RequestLogWriter log = new RequestLogWriter(file.writer());
            RequestStream requests = new RequestStream(spec.period(), spec.requests(), requestRandom);
            while (requests.hasNext()) {
                SampleRequest request = requests.next();
                log.write(request);
                totals.add(request);
            }
            files.add(file.commit());
        }

        BigDecimal invoicedTotal = BigDecimal.ZERO;
        for (Provider provider : Provider.values()) {
            List<BilledVariance> variances = BilledVariance.choose(provider, totals, varianceRandom);
            try (StagedFile file = StagedFile.create(directory.resolve(provider.invoiceFileName(spec.period())))) {
                invoicedTotal = invoicedTotal.add(
                        FocusInvoiceWriter.write(file.writer(), provider, spec.period(), totals, variances));
                files.add(file.commit());
            }
        }
        return new GeneratedMonth(files, spec.requests(), invoicedTotal, FocusInvoiceWriter.CURRENCY);
    }
}
