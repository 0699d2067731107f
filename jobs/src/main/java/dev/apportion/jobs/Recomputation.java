package dev.apportion.jobs;

import dev.apportion.ledger.AtomicFiles;
import dev.apportion.ledger.Home;
import dev.apportion.ledger.Sha256;
import dev.apportion.pricing.CatalogueRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A published close computed again in a scratch home, from archived inputs and the close's pinned
 * {@code apportion.yml}, catalogues, profile and column selection: what {@code dispute} compares against, and what
 * next-period corrections take the difference from. Reads the home's archive, never writes the home.
 */
final class Recomputation {
    /** An archived input, and when it was first ingested. */
    record Input(String name, String sha256, long sequence) {
    }

    private Recomputation() {
    }

    /**
     * Ingests {@code inputs} into {@code scratch} in their original order (supersession keeps the later snapshot, a
     * duplicate request stays with the file read first) and runs the close stages up to export (not report or
     * publish); returns the recomputed close directory. The gates are off: the published close already passed or
     * accepted them, and the recomputation must give its rows whatever they were.
     */
    static Path run(Home home, Home scratch, Path close, JsonNode manifest, YearMonth period, List<Input> inputs, Clock clock) {
        try {
            for (Path directory : List.of(scratch.inbox(), scratch.archive(), scratch.rejected(), scratch.state())) {
                Files.createDirectories(directory);
            }
            byte[] config = Files.readAllBytes(close.resolve("pinned/apportion.yml"));
            if (!Sha256.of(config).equals(manifest.path("rulesSha256").asString())) {
                throw new ApportionException(ApportionException.ExitCode.GATE_FAILED, close.resolve("pinned/apportion.yml")
                        + " is not the configuration the close recorded (rulesSha256); run apportion verify");
            }
            AtomicFiles.write(scratch.config(), config);
            restoreCatalogues(scratch, close, manifest);

            Ingestor ingestor = new Ingestor(scratch, clock, new PrintStream(OutputStream.nullOutputStream()));
            List<Input> ordered = new ArrayList<>(inputs);
            ordered.sort(Comparator.comparingLong(Input::sequence));
            for (Input input : ordered) {
                AtomicFiles.linkOrCopy(home.archived(input.sha256(), input.name()), scratch.inbox().resolve(input.name()));
                ingestor.ingestInbox(0);
            }
            CloseStages stages = new CloseStages(scratch, period, 1, manifest.path("profile").asString(), manifest.path("fingerprint").asString(),
                    clock, new CloseOptions(true, false, pinnedColumns(close), true, false));
            stages.price();
            stages.reconcile();
            stages.allocate();
            stages.export();
            return stages.out();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot recompute " + close + ": " + e.getMessage(), e);
        }
    }

    /** The inputs a close's manifest lists, with their ingest order (from the manifest, else the ingest record). */
    static List<Input> inputsOf(Home home, JsonNode manifest) {
        List<Input> inputs = new ArrayList<>();
        for (JsonNode input : manifest.path("inputs")) {
            String sha = input.path("sha256").asString();
            long sequence = input.has("ingestSequence") ? input.path("ingestSequence").asLong() : ingestSequence(home, sha);
            inputs.add(new Input(input.path("name").asString(), sha, sequence));
        }
        return inputs;
    }

    static long ingestSequence(Home home, String sha) {
        Path record = home.ingestedRecord(sha);
        try {
            return Files.exists(record) ? JsonMapper.builder().build().readTree(Files.readAllBytes(record)).path("sequence").asLong() : Long.MAX_VALUE;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + record + ": " + e.getMessage(), e);
        }
    }

    /** The {@code --columns} selection the close pinned; null when it wrote every column. */
    static List<String> pinnedColumns(Path close) {
        Path file = close.resolve("pinned/columns.txt");
        try {
            return Files.exists(file) ? Files.readAllLines(file).stream().filter(line -> !line.isBlank()).toList() : null;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static void restoreCatalogues(Home scratch, Path close, JsonNode manifest) throws IOException {
        List<CatalogueRegistry.Registered> order = new ArrayList<>();
        List<byte[]> contents = new ArrayList<>();
        for (JsonNode catalogue : manifest.path("catalogues")) {
            String pinned = String.format(Locale.ROOT, "%02d-%s", catalogue.path("precedence").asInt(), catalogue.path("id").asString());
            order.add(new CatalogueRegistry.Registered(catalogue.path("id").asString(), catalogue.path("format").asString(),
                    catalogue.path("sha256").asString(), manifest.path("createdAt").asString()));
            contents.add(Files.readAllBytes(close.resolve("pinned/catalogues").resolve(pinned)));
        }
        try {
            new CatalogueRegistry(scratch).restore(order, contents);
        } catch (IllegalArgumentException e) {
            throw new ApportionException(ApportionException.ExitCode.GATE_FAILED, "Cannot recompute " + close + ": " + e.getMessage());
        }
    }
}
