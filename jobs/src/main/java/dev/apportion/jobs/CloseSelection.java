package dev.apportion.jobs;

import java.time.Clock;
import java.time.YearMonth;
import picocli.CommandLine.Option;

/**
 * The options of the commands that read one published close: {@code --period}, {@code --version} (which is why
 * they declare {@code -h} themselves instead of picocli's standard help, whose {@code --version} would clash).
 */
final class CloseSelection {
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Option(names = "--period", required = true, paramLabel = "YYYY-MM") String period;

    @Option(names = "--version", paramLabel = "vN", description = "Default: the current version.") String version;

    YearMonth period(Clock clock) {
        return Apportion.parsePeriod(period, clock);
    }
}
