package dev.apportion.ledger.sample;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Writes a realistic month of provider inputs (request logs and the matching billing exports) into a
 * directory, as a user would drop them into the inbox.
 *
 * <p>The implementation lives in the {@code sample-data} module and is found with
 * {@link java.util.ServiceLoader}, so the command line can offer {@code demo} without the modules above
 * depending on the generator.
 */
public interface SampleMonthGenerator {

    /**
     * Generates the month described by {@code spec} into {@code directory} (created when missing).
     * The same spec always produces byte-identical files.
     *
     * @throws IOException when a file cannot be written
     */
    GeneratedMonth generate(SampleMonthSpec spec, Path directory) throws IOException;

    /**
     * Like {@link #generate(SampleMonthSpec, Path)}, with the request log in each of {@code requestLogFormats}
     * ({@code csv}, {@code parquet}) beside the billing exports; the same requests in every format.
     */
    GeneratedMonth generate(SampleMonthSpec spec, Path directory, java.util.Set<String> requestLogFormats) throws IOException;
}
