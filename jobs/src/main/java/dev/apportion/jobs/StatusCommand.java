package dev.apportion.jobs;

import dev.apportion.ledger.Home;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code apportion status}: every close of the home with its versions, status, gate results and fingerprint
 * (DESIGN §10), read from the published manifests; unfinished closes (a work directory left by a failed or
 * running close) are listed too. Reads only, without the writer lock.
 */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "List every close: versions, status, gates, totals and fingerprint; unfinished closes too.")
final class StatusCommand implements Callable<Integer> {
    @ParentCommand
    Apportion root;

    @Option(names = "--json", description = "Print one JSON object instead of the table.")
    boolean json;

    @Override
    public Integer call() {
        Home home = root.requireHome(true);
        ObjectNode status = status(home);
        if (json) {
            root.out.println(status.toPrettyString());
            return 0;
        }
        if (status.path("closes").isEmpty()) {
            root.out.println("no closes yet in " + home.root());
            return 0;
        }
        root.out.println(String.format(Locale.ROOT, "%-8s %-8s %-12s %-20s %18s %-9s %-30s %-16s %s", "period", "version", "status",
                "created", "billed", "currency", "reconciliation gate", "evidence", "fingerprint"));
        for (JsonNode close : status.path("closes")) {
            for (JsonNode version : close.path("versions")) {
                JsonNode gate = version.path("reconciliationGate");
                String gateText = gate.isMissingNode() ? "-" : (gate.path("passed").asBoolean() ? "passed" : "failed")
                        + (gate.path("varianceAccepted").asBoolean() ? ", accepted" : "") + " (" + gate.path("gatedVariance").asString() + ")";
                root.out.println(String.format(Locale.ROOT, "%-8s %-8s %-12s %-20s %18s %-9s %-30s %-16s %s", close.path("period").asString(),
                        version.path("version").asString() + (version.path("current").asBoolean() ? "*" : ""),
                        version.path("status").asString(), version.path("createdAt").asString(), version.path("billedCost").asString(),
                        version.path("currency").asString(), gateText,
                        version.path("evidence").path("complete").asLong() + " / " + version.path("evidence").path("insufficient").asLong(),
                        version.path("fingerprint").asString()));
            }
            for (JsonNode unfinished : close.path("unfinished")) {
                root.out.println(String.format(Locale.ROOT, "%-8s %-8s %-12s rerun 'apportion close --period %s' to finish it",
                        close.path("period").asString(), unfinished.asString(), "unfinished", close.path("period").asString()));
            }
        }
        root.out.println("* current version; evidence: complete / insufficient rows");
        return 0;
    }

    /** The status of every close under {@code closes/}, periods in order, versions in order. */
    static ObjectNode status(Home home) {
        JsonMapper mapper = JsonMapper.builder().build();
        ObjectNode status = mapper.createObjectNode();
        status.put("home", home.root().toString());
        ArrayNode closes = status.putArray("closes");
        Path closesDirectory = home.root().resolve("closes");
        if (!Files.isDirectory(closesDirectory)) {
            return status;
        }
        for (Path period : list(closesDirectory)) {
            if (!Files.isDirectory(period)) {
                continue;
            }
            ObjectNode close = closes.addObject();
            close.put("period", period.getFileName().toString());
            String current = read(period.resolve("current"));
            if (current != null) {
                close.put("current", current.strip());
            }
            ArrayNode versions = close.putArray("versions");
            ArrayNode unfinished = close.putArray("unfinished");
            for (Path version : list(period)) {
                String name = version.getFileName().toString();
                if (name.startsWith(".work-")) {
                    unfinished.add(name.substring(".work-".length()));
                } else if (name.matches("v\\d+") && Files.isRegularFile(version.resolve("manifest.json"))) {
                    versions.add(versionStatus(mapper, version, current != null && current.strip().equals(name)));
                }
            }
        }
        return status;
    }

    private static ObjectNode versionStatus(JsonMapper mapper, Path version, boolean isCurrent) {
        ObjectNode entry = mapper.createObjectNode();
        entry.put("version", version.getFileName().toString());
        entry.put("current", isCurrent);
        try {
            JsonNode manifest = mapper.readTree(version.resolve("manifest.json").toFile());
            entry.put("status", manifest.path("status").asString());
            entry.put("createdAt", manifest.path("createdAt").asString());
            entry.put("billedCost", manifest.path("totals").path("billedCost").asString());
            entry.put("currency", manifest.path("billingCurrency").asString(""));
            entry.put("fingerprint", manifest.path("fingerprint").asString());
            entry.put("contentDigest", manifest.path("contentDigest").asString());
            entry.set("reconciliationGate", manifest.path("reconciliationGate"));
            entry.set("reconciliation", manifest.path("reconciliation"));
            entry.set("evidence", manifest.path("evidence"));
        } catch (JacksonException e) {
            entry.put("status", "unreadable manifest: " + e.getOriginalMessage());
        }
        return entry;
    }

    private static List<Path> list(Path directory) {
        try (Stream<Path> entries = Files.list(directory)) {
            return entries.sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list " + directory + ": " + e.getMessage(), e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.isRegularFile(file) ? Files.readString(file) : null;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
