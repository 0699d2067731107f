package dev.apportion.jobs;

import dev.apportion.ledger.Home;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.YearMonth;

/** Finds a published close for the read-only commands: the named version, or the one {@code current} names. */
final class PublishedClose {
    private PublishedClose() {
    }

    /**
     * {@code closes/<period>/<version>}, or the current version when {@code version} is null.
     *
     * @throws ApportionException (usage) when the period has no such published close
     */
    static Path of(Home home, YearMonth period, String version) {
        try {
            String name = version;
            if (name == null) {
                if (!Files.exists(home.currentVersionFile(period))) {
                    throw new ApportionException(ApportionException.ExitCode.USAGE, period + " has no published close in " + home.root());
                }
                name = Files.readString(home.currentVersionFile(period)).strip();
            }
            Path close = home.closes(period).resolve(name);
            if (!Files.isRegularFile(close.resolve("manifest.json"))) {
                throw new ApportionException(ApportionException.ExitCode.USAGE, "No published close " + close);
            }
            return close;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + home.currentVersionFile(period) + ": " + e.getMessage(), e);
        }
    }
}
