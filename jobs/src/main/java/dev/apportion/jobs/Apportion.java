package dev.apportion.jobs;

import dev.apportion.focus.EvidenceKeys;
import dev.apportion.focus.OutputColumns;
import dev.apportion.focus.Verifier;
import dev.apportion.ledger.AtomicFiles;
import dev.apportion.ledger.DuckDbSession;
import dev.apportion.ledger.Home;
import dev.apportion.ledger.Periods;
import dev.apportion.ledger.sample.GeneratedMonth;
import dev.apportion.ledger.sample.SampleMonthGenerator;
import dev.apportion.ledger.sample.SampleMonthSpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The command line (DESIGN §10). Parsing and {@code --help} need neither Spring nor DuckDB; each command
 * starts only what it uses.
 */
@Command(name = "apportion", mixinStandardHelpOptions = true, version = "apportion " + CloseStages.APPORTION_VERSION,
        description = "Closes a month of AI spend: ingest, price, reconcile, allocate, FOCUS output with evidence.",
        subcommands = {Apportion.Init.class, Apportion.Ingest.class, Apportion.Close.class, Apportion.Verify.class,
                StatusCommand.class, DisputeCommand.class, ReportCommands.Report.class, ReportCommands.Anomalies.class, BenchCommand.class,
                PricesCommand.class, RulesCommand.class, ExplainCommand.class,
                Apportion.Demo.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "1:a gate failed (verification, rules, ...)", "2:usage error (bad flags, no home)",
                "3:the home is locked by another writer", "4:internal error", "5:finished, but inputs were rejected"})
public final class Apportion {
    @Option(names = "--home", scope = ScopeType.INHERIT, paramLabel = "DIR",
            description = "The Apportion home (default: $APPORTION_HOME).")
    Path home;

    @Option(names = "--debug", scope = ScopeType.INHERIT, description = "Print stack traces of failures.")
    boolean debug;

    PrintStream out = System.out;
    PrintStream err = System.err;
    Clock clock = Clock.systemUTC();

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err, Clock.systemUTC()));
    }

    /** Runs the command line with the given streams and clock and returns its exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err, Clock clock) {
        Apportion root = new Apportion();
        root.out = out;
        root.err = err;
        root.clock = clock;
        CommandLine commandLine = new CommandLine(root);
        commandLine.setOut(new java.io.PrintWriter(out, true));
        commandLine.setErr(new java.io.PrintWriter(err, true));
        commandLine.setExecutionExceptionHandler((exception, line, parseResult) -> {
            if (exception instanceof ApportionException apportion) {
                err.println("apportion: " + apportion.getMessage());
                if (root.debug) {
                    apportion.printStackTrace(err);
                }
                return apportion.exitCode().code;
            }
            err.println("apportion: internal error: " + exception.getMessage());
            exception.printStackTrace(err);
            return ApportionException.ExitCode.INTERNAL.code;
        });
        commandLine.setParameterExceptionHandler((exception, arguments) -> {
            err.println("apportion: " + exception.getMessage());
            exception.getCommandLine().usage(err);
            return ApportionException.ExitCode.USAGE.code;
        });
        return commandLine.execute(args);
    }

    Home requireHome(boolean mustExist) {
        Path directory = home;
        if (directory == null && System.getenv("APPORTION_HOME") != null) {
            directory = Path.of(System.getenv("APPORTION_HOME"));
        }
        if (directory == null) {
            throw new ApportionException(ApportionException.ExitCode.USAGE, "No home: pass --home DIR or set APPORTION_HOME");
        }
        Home resolved = new Home(directory);
        if (mustExist && !resolved.isInitialised()) {
            throw new ApportionException(ApportionException.ExitCode.USAGE, resolved.root()
                    + " is not an Apportion home (no apportion.yml); run 'apportion init --home " + resolved.root() + "'");
        }
        return resolved;
    }

    static void initialise(Home home) {
        try {
            for (Path directory : List.of(home.inbox(), home.archive(), home.rejected(), home.state(), home.keys())) {
                Files.createDirectories(directory);
            }
            try (InputStream template = Apportion.class.getResourceAsStream("apportion.yml")) {
                AtomicFiles.write(home.config(), template.readAllBytes());
            }
            EvidenceKeys.generate(home.privateKey(), home.publicKey());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot initialise " + home.root() + ": " + e.getMessage(), e);
        }
    }

    @Command(name = "init", mixinStandardHelpOptions = true,
            description = "Create a home with a commented apportion.yml, an evidence signing key and its folders.")
    static final class Init implements Callable<Integer> {
        @CommandLine.ParentCommand
        Apportion root;

        @Override
        public Integer call() {
            Home home = root.home == null && System.getenv("APPORTION_HOME") == null
                    ? new Home(Path.of("apportion-home")) : root.requireHome(false);
            if (home.isInitialised()) {
                throw new ApportionException(ApportionException.ExitCode.USAGE, home.root() + " is already an Apportion home");
            }
            try (HomeLock lock = HomeLock.acquire(home, 0, root.clock)) {
                initialise(home);
            }
            root.out.println(home.root());
            return 0;
        }
    }

    @Command(name = "ingest", mixinStandardHelpOptions = true,
            description = "Take every settled file from the inbox (or copy one in with --file): archive it by SHA-256 "
                    + "or reject it with a reason.")
    static final class Ingest implements Callable<Integer> {
        @CommandLine.ParentCommand
        Apportion root;

        @Option(names = "--wait", paramLabel = "SECONDS", description = "Wait this long for another writer's lock.")
        long waitSeconds;

        @Option(names = "--file", paramLabel = "F", description = "Copy this file into the inbox first, then ingest.")
        Path file;

        @Override
        public Integer call() {
            Home home = root.requireHome(true);
            if (file != null && !Files.isRegularFile(file)) {
                throw new ApportionException(ApportionException.ExitCode.USAGE, "--file " + file + " is not a readable file");
            }
            try (HomeLock lock = HomeLock.acquire(home, waitSeconds, root.clock)) {
                if (file != null) {
                    // The copy appears under its name in one rename, so it is never read half-written.
                    AtomicFiles.copy(file, home.inbox().resolve(file.getFileName().toString()));
                }
                Ingestor.Summary summary = new Ingestor(home, root.clock, root.err).ingestInbox(Config.load(home).settleSeconds());
                root.out.println("ingested " + summary.ingested() + ", identical " + summary.duplicateFiles()
                        + ", rejected files " + summary.rejectedFiles() + ", rejected rows " + summary.rejectedRows());
                return summary.anythingRejected() ? ApportionException.ExitCode.INPUTS_REJECTED.code : 0;
            }
        }
    }

    @Command(name = "close", mixinStandardHelpOptions = true,
            description = "Ingest the inbox, then close the period: price, reconcile, allocate, export, report, publish.")
    static final class Close implements Callable<Integer> {
        @CommandLine.ParentCommand
        Apportion root;

        @Option(names = "--period", required = true, paramLabel = "YYYY-MM|previous", description = "The billing period.")
        String period;

        @Option(names = "--profile", defaultValue = "focus-1.4", paramLabel = "P",
                description = "focus-1.4 (default) or focus-1.4-strict (x_PrincipalId, x_ConsumerId).")
        String profile;

        @Option(names = "--wait", paramLabel = "SECONDS", description = "Wait this long for another writer's lock.")
        long waitSeconds;

        @Option(names = "--accept-variance",
                description = "Publish even when the reconciliation gate fails (the manifest records that the variance was accepted).")
        boolean acceptVariance;

        @Option(names = "--require-complete-evidence",
                description = "Refuse to publish (exit 1) while any FOCUS row's x_EvidenceStatus is insufficient.")
        boolean requireCompleteEvidence;

        @Option(names = "--republish",
                description = "When the period is already published and its inputs or configuration changed, publish v<N+1> with diff.csv against v<N>.")
        boolean republish;

        @Option(names = "--preliminary",
                description = "Publish although expected_sources do not cover every day of the period; the manifest's status is preliminary.")
        boolean preliminary;

        @Option(names = "--columns", paramLabel = "FILE",
                description = "Write only these FOCUS columns (names separated by lines or commas; # comments), plus the mandatory, "
                        + "allocation, actor and evidence columns, which are always written.")
        Path columns;

        @Override
        public Integer call() {
            Home home = root.requireHome(true);
            YearMonth closed = parsePeriod(period, root.clock);
            OutputColumns.Profile.fromId(profile);
            try (HomeLock lock = HomeLock.acquire(home, waitSeconds, root.clock)) {
                CloseRunner.Outcome outcome = CloseRunner.close(home, closed, profile,
                        new CloseOptions(acceptVariance, requireCompleteEvidence, columnSelection(columns, profile), preliminary, republish),
                        root.clock, root.err, () -> { });
                printClose(outcome, root.out);
                return outcome.ingest().anythingRejected() ? ApportionException.ExitCode.INPUTS_REJECTED.code : 0;
            }
        }
    }

    /** The FOCUS columns a {@code --columns} file names, checked against FOCUS 1.4; null without a file. */
    static List<String> columnSelection(Path file, String profile) {
        if (file == null) {
            return null;
        }
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new ApportionException(ApportionException.ExitCode.USAGE, "Cannot read --columns " + file + ": " + e.getMessage());
        }
        List<String> names = new ArrayList<>();
        for (String line : text.split("\\R")) {
            String content = line.replaceFirst("#.*", "");
            for (String name : content.split(",")) {
                if (!name.isBlank()) {
                    names.add(name.strip());
                }
            }
        }
        try {
            OutputColumns.select(OutputColumns.Profile.fromId(profile), new java.util.HashSet<>(names));
        } catch (IllegalArgumentException e) {
            throw new ApportionException(ApportionException.ExitCode.USAGE, "--columns " + file + ": " + e.getMessage());
        }
        return names;
    }

    @Command(name = "verify",
            description = "Verify a published close: signature, checksums, row hashes, digest, Merkle root, conservation.")
    static final class Verify implements Callable<Integer> {
        @CommandLine.ParentCommand
        Apportion root;

        @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
        boolean help;

        @Option(names = "--period", required = true, paramLabel = "YYYY-MM") String period;

        @Option(names = "--version", paramLabel = "vN", description = "Default: the current version.") String version;

        @Option(names = "--public-key", paramLabel = "FILE", description = "Trust this key instead of the home's.") Path publicKey;

        @Override
        public Integer call() {
            Home home = root.requireHome(true);
            return verify(home, parsePeriod(period, root.clock), version, publicKey, root.out);
        }
    }

    static int verify(Home home, YearMonth period, String version, Path publicKey, PrintStream out) {
        String name = version;
        try {
            if (name == null) {
                if (!Files.exists(home.currentVersionFile(period))) {
                    throw new ApportionException(ApportionException.ExitCode.GATE_FAILED, period + " has no published close in " + home.root());
                }
                name = Files.readString(home.currentVersionFile(period)).strip();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Path close = home.closes(period).resolve(name);
        if (!Files.isDirectory(close)) {
            throw new ApportionException(ApportionException.ExitCode.GATE_FAILED, "No close " + close);
        }
        List<String> failures;
        try (DuckDbSession db = DuckDbSession.open(home.state())) {
            failures = Verifier.verify(close, EvidenceKeys.readPublicKey(publicKey == null ? home.publicKey() : publicKey), db,
                    sha -> {
                        Path directory = home.archive().resolve(sha);
                        try (var files = Files.list(directory)) {
                            return files.findFirst().orElse(null);
                        } catch (IOException e) {
                            return null;
                        }
                    });
        }
        if (failures.isEmpty()) {
            out.println("verified " + close);
            return 0;
        }
        throw new ApportionException(ApportionException.ExitCode.GATE_FAILED, "verification of " + close + " failed:\n  - "
                + String.join("\n  - ", failures));
    }

    @Command(name = "demo", mixinStandardHelpOptions = true,
            description = "Generate a realistic sample month into a fresh home, close it, verify it and print where everything is.")
    static final class Demo implements Callable<Integer> {
        static final YearMonth PERIOD = YearMonth.of(2026, 10);

        @CommandLine.ParentCommand
        Apportion root;

        @Option(names = "--requests", defaultValue = "200000", paramLabel = "N", description = "Requests in the month (default 200000).")
        long requests;

        @Override
        public Integer call() throws IOException {
            Path directory = root.home != null ? root.home : Files.createTempDirectory("apportion-demo-");
            if (Files.isDirectory(directory)) {
                try (var entries = Files.list(directory)) {
                    if (entries.findAny().isPresent()) {
                        throw new ApportionException(ApportionException.ExitCode.USAGE, directory
                                + " is not empty; demo needs a fresh home (or omit --home for a temporary one)");
                    }
                }
            }
            Home home = new Home(directory);
            initialise(home);
            AtomicFiles.writeString(home.config(), Files.readString(home.config()).replace("settle_seconds: 2", "settle_seconds: 0"));
            SampleMonthGenerator generator = ServiceLoader.load(SampleMonthGenerator.class).findFirst()
                    .orElseThrow(() -> new ApportionException(ApportionException.ExitCode.INTERNAL,
                            "The sample-data module is not on the classpath; build with ./apportion"));
            root.err.println("demo: generating " + requests + " requests for " + PERIOD + " into " + home.inbox());
            GeneratedMonth month = generator.generate(new SampleMonthSpec(PERIOD, requests, 20261001L), home.inbox());
            try (HomeLock lock = HomeLock.acquire(home, 0, root.clock)) {
                CloseRunner.Outcome outcome = CloseRunner.close(home, PERIOD, OutputColumns.Profile.DEFAULT.id(), root.clock, root.err, () -> { });
                printClose(outcome, root.out);
                root.out.println("invoiced   " + month.invoicedTotal().toPlainString() + " " + month.currency());
            }
            int verified = verify(home, PERIOD, null, null, root.out);
            root.out.println("home       " + home.root());
            return verified;
        }
    }

    static void printClose(CloseRunner.Outcome outcome, PrintStream out) {
        out.println((outcome.unchanged() ? "unchanged  " : "published  ") + outcome.published());
        out.println("focus      " + outcome.published().resolve("focus/cost-and-usage.parquet"));
        out.println("manifest   " + outcome.published().resolve("manifest.json"));
        try {
            JsonNode manifest = JsonMapper.builder().build().readTree(outcome.published().resolve("manifest.json").toFile());
            List<String> classes = new ArrayList<>();
            manifest.path("reconciliation").properties().forEach(entry -> classes.add(entry.getKey() + " " + entry.getValue().path("cells").asLong()));
            JsonNode gate = manifest.path("reconciliationGate");
            out.println("reconcile  cells: " + String.join(", ", classes) + "; gated variance " + gate.path("gatedVariance").asString()
                    + " of " + gate.path("invoicedTotal").asString() + " invoiced (gate " + gate.path("gatePercent").asString() + " %"
                    + (gate.path("varianceAccepted").asBoolean() ? ", failed, variance accepted" : gate.path("passed").asBoolean(true) ? ", passed" : "")
                    + ")");
            JsonNode pricing = manifest.path("pricing");
            if (pricing.path("unpricedLines").asLong() > 0) {
                List<String> reasons = new ArrayList<>();
                pricing.path("unpricedLinesByReason").properties().forEach(entry -> reasons.add(entry.getKey() + " " + entry.getValue().asLong()));
                out.println("unpriced   " + pricing.path("unpricedLines").asLong() + " of " + pricing.path("costLines").asLong()
                        + " cost lines (" + String.join(", ", reasons) + "); they reconcile as unpriced_model");
            }
        } catch (JacksonException e) {
            throw new ApportionException(ApportionException.ExitCode.INTERNAL, "Cannot read the manifest of " + outcome.published()
                    + ": " + e.getOriginalMessage());
        }
    }

    static YearMonth parsePeriod(String text, Clock clock) {
        if ("previous".equals(text)) {
            return YearMonth.now(clock).minusMonths(1);
        }
        try {
            return Periods.parse(text);
        } catch (IllegalArgumentException e) {
            throw new ApportionException(ApportionException.ExitCode.USAGE, e.getMessage());
        }
    }
}
