package dev.apportion.jobs;

import dev.apportion.focus.OutputColumns;
import dev.apportion.ledger.AtomicFiles;
import dev.apportion.ledger.DuckDbSession;
import dev.apportion.ledger.Home;
import dev.apportion.ledger.Periods;
import dev.apportion.ledger.Sql;
import dev.apportion.ledger.TokenType;
import dev.apportion.ledger.sample.SampleMonthGenerator;
import dev.apportion.ledger.sample.SampleMonthSpec;
import dev.apportion.pricing.Catalogue;
import dev.apportion.pricing.PriceBook;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code apportion bench} (DESIGN §12): generates (or reuses) a month, then per request-log format ingests and
 * closes it in a fresh home, timing each stage with its peak resident memory, and times the <em>floor</em> in the
 * same run: a bare DuckDB query over the same request files doing only the effective-dated price join and the
 * group-by to (day, consumer, model) with one cost column per token type. Benchmarks, not tests: nothing here
 * asserts a time.
 */
@Command(name = "bench",
        description = "Benchmark: generate (or reuse) a month, ingest and close it in a fresh home per request-log format, and print "
                + "each stage's wall time, rows/s and peak RSS, the floor (a bare DuckDB price join and group-by over the same files, "
                + "same run), close / floor, and the close's content digest.")
final class BenchCommand implements Callable<Integer> {
    static final YearMonth PERIOD = YearMonth.of(2026, 10);
    static final long SEED = 20261001L;

    @ParentCommand
    Apportion root;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Option(names = "--requests", defaultValue = "1000000", paramLabel = "N", description = "Requests in the month (default 1000000).")
    long requests;

    @Option(names = "--formats", defaultValue = "csv", split = ",", paramLabel = "F[,F]",
            description = "Request-log formats to close, each in its own home: csv, parquet (default csv).")
    List<String> formats;

    @Option(names = "--dir", paramLabel = "DIR",
            description = "Where the month and the homes go; a month generated there before is reused (default: a temporary directory).")
    Path dir;

    @Option(names = "--keep", description = "Keep the homes (and a temporary directory) after the run.")
    boolean keep;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Override
    public Integer call() throws IOException {
        Set<String> chosen = new LinkedHashSet<>(formats);
        for (String format : chosen) {
            if (!format.equals("csv") && !format.equals("parquet")) {
                throw new ApportionException(ApportionException.ExitCode.USAGE, "--formats " + format + ": expected csv or parquet");
            }
        }
        if (requests < 1) {
            throw new ApportionException(ApportionException.ExitCode.USAGE, "--requests must be at least 1");
        }
        Path base = dir != null ? dir : Files.createTempDirectory("apportion-bench-");
        ObjectNode result = JsonMapper.builder().build().createObjectNode();
        result.put("requests", requests);
        result.put("period", PERIOD.toString());
        result.put("availableProcessors", Runtime.getRuntime().availableProcessors());
        result.put("maxHeapBytes", Runtime.getRuntime().maxMemory());
        try {
            Path month = base.resolve("month-" + requests + "-" + SEED);
            double generateSeconds = generate(month, chosen);
            result.put("generateSeconds", generateSeconds);
            ArrayNode runs = result.putArray("runs");
            for (String format : chosen) {
                runs.add(run(base, month, format));
            }
        } finally {
            if (dir == null && !keep) {
                AtomicFiles.deleteRecursively(base);
            }
        }
        if (json) {
            root.out.println(result.toPrettyString());
        } else {
            print(result);
        }
        return 0;
    }

    /** Generates the month into {@code month} unless a complete one is there; returns the seconds it took (0 when reused). */
    private double generate(Path month, Set<String> chosen) throws IOException {
        Path complete = month.resolve(".complete");
        Set<String> present = Files.exists(complete) ? Set.copyOf(Files.readAllLines(complete)) : Set.of();
        if (present.containsAll(chosen)) {
            root.err.println("bench: reusing the month in " + month);
            return 0;
        }
        SampleMonthGenerator generator = ServiceLoader.load(SampleMonthGenerator.class).findFirst()
                .orElseThrow(() -> new ApportionException(ApportionException.ExitCode.INTERNAL,
                        "The sample-data module is not on the classpath; build with ./apportion"));
        root.err.println("bench: generating " + requests + " requests for " + PERIOD + " (" + String.join(", ", chosen) + ") into " + month);
        AtomicFiles.deleteRecursively(month);
        long start = System.nanoTime();
        generator.generate(new SampleMonthSpec(PERIOD, requests, SEED), month, chosen);
        AtomicFiles.writeString(complete, String.join("\n", chosen) + "\n");
        return seconds(start);
    }

    /** Ingest and close of the month's {@code format} log (and its invoices) in a fresh home, then the floor. */
    private ObjectNode run(Path base, Path month, String format) throws IOException {
        Path homeRoot = base.resolve("home-" + format + "-" + System.currentTimeMillis());
        Home home = new Home(homeRoot);
        Apportion.initialise(home);
        AtomicFiles.writeString(home.config(), Files.readString(home.config()).replace("settle_seconds: 2", "settle_seconds: 0"));
        List<Path> logs = new ArrayList<>();
        try (Stream<Path> files = Files.list(month)) {
            for (Path file : files.filter(Files::isRegularFile).filter(file -> !file.getFileName().toString().startsWith(".")).toList()) {
                String name = file.getFileName().toString();
                boolean isLog = name.startsWith("requests-");
                boolean wanted = !isLog || (format.equals("csv") ? name.endsWith(".csv") : name.endsWith(".parquet"));
                if (wanted) {
                    link(file, home.inbox().resolve(name));
                    if (isLog) {
                        logs.add(file);
                    }
                }
            }
        }
        ObjectNode run = JsonMapper.builder().build().createObjectNode();
        run.put("format", format);
        run.put("home", homeRoot.toString());
        ArrayNode stages = run.putArray("stages");
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        try {
            root.err.println("bench: " + format + ": floor (warm-up, then timed)");
            floor(home, logs, format);
            PeakMemory.reset();
            long floorStart = System.nanoTime();
            long groups = floor(home, logs, format);
            double floorSeconds = seconds(floorStart);
            long floorPeak = PeakMemory.peakBytes();

            root.err.println("bench: " + format + ": ingest");
            PeakMemory.reset();
            long closeStart = System.nanoTime();
            Ingestor.Summary ingest = new Ingestor(home, root.clock, quiet).ingestInbox(0);
            stage(stages, "ingest", seconds(closeStart), PeakMemory.peakBytes());
            List<String> names = List.of("price", "reconcile", "allocate", "export", "report", "publish");
            long[] stageStart = {System.nanoTime()};
            int[] index = {-1};
            root.err.println("bench: " + format + ": close");
            CloseRunner.close(home, PERIOD, OutputColumns.Profile.DEFAULT.id(), new CloseOptions(true, false), root.clock, quiet, () -> {
                if (index[0] >= 0) {
                    stage(stages, names.get(index[0]), seconds(stageStart[0]), PeakMemory.peakBytes());
                }
                index[0]++;
                stageStart[0] = System.nanoTime();
                PeakMemory.reset();
            });
            stage(stages, names.get(index[0]), seconds(stageStart[0]), PeakMemory.peakBytes());
            double closeSeconds = seconds(closeStart);
            long closePeak = 0;
            for (var stage : stages) {
                closePeak = Math.max(closePeak, stage.path("peakRssBytes").asLong());
            }
            ObjectNode close = run.putObject("close");
            close.put("seconds", closeSeconds);
            close.put("rowsPerSecond", (long) (requests / closeSeconds));
            close.put("peakRssBytes", closePeak);
            close.put("rejectedRows", ingest.rejectedRows());
            ObjectNode floor = run.putObject("floor");
            floor.put("seconds", floorSeconds);
            floor.put("rowsPerSecond", (long) (requests / floorSeconds));
            floor.put("peakRssBytes", floorPeak);
            floor.put("groups", groups);
            run.put("closeOverFloor", new BigDecimal(closeSeconds / floorSeconds).round(new MathContext(3)).doubleValue());
            run.put("verified", Apportion.verify(home, PERIOD, null, null, quiet) == 0);
            // The month is generated from a fixed seed, so this is comparable across runs, code versions and machines.
            run.put("contentDigest", JsonMapper.builder().build().readTree(PublishedClose.of(home, PERIOD, null)
                    .resolve("manifest.json").toFile()).path("contentDigest").asString());
            for (var stage : stages) {
                ((ObjectNode) stage).put("rowsPerSecond", (long) (requests / stage.path("seconds").asDouble()));
            }
            return run;
        } finally {
            if (!keep) {
                AtomicFiles.deleteRecursively(homeRoot);
            }
        }
    }

    /**
     * The floor: only the effective-dated price join and the group-by to (day, consumer, model), one cost column
     * per token type, over the same request files, materialised so the work is done. Returns the groups.
     */
    private long floor(Home home, List<Path> logs, String format) {
        try (DuckDbSession db = DuckDbSession.open(home.state())) {
            PriceBook book = PricesCommand.priceBook(home, Config.load(home));
            String files = Sql.of("${files}").bindList("files", logs.stream().map(Path::toString).toList()).text();
            String source = format.equals("csv") ? "read_csv(" + files + ", header = true)" : "read_parquet(" + files + ")";
            db.execute("CREATE OR REPLACE TEMP TABLE floor_prices (provider VARCHAR, model VARCHAR, segment_from TIMESTAMPTZ, segment_to TIMESTAMPTZ, "
                    + "input_uncached DECIMAL(38, 18), cache_read DECIMAL(38, 18), cache_write_5m DECIMAL(38, 18), cache_write_1h DECIMAL(38, 18), "
                    + "output DECIMAL(38, 18))");
            List<String[]> keys = new ArrayList<>();
            db.query("SELECT DISTINCT provider, model FROM " + source + " ORDER BY ALL", row -> keys.add(new String[] {row.getString(1), row.getString(2)}));
            Instant from = Periods.start(PERIOD);
            Instant to = Periods.end(PERIOD);
            for (String[] key : keys) {
                for (PriceBook.Segment segment : book.resolve(new PriceBook.Key(key[0], key[1], null, null, null), from, to)) {
                    Map<TokenType, BigDecimal> prices = new LinkedHashMap<>();
                    for (PriceBook.TokenRate rate : segment.rates()) {
                        Catalogue.Rate list = rate.list();
                        if (rate.inputAbove() == 0 && list != null) {
                            prices.put(rate.tokenType(), list.pricePerUnit());
                        }
                    }
                    db.execute(Sql.of("INSERT INTO floor_prices VALUES (${provider}, ${model}, ${from}, ${to}, ${a}, ${b}, ${c}, ${d}, ${e})")
                            .bind("provider", key[0]).bind("model", key[1])
                            .bind("from", OffsetDateTime.ofInstant(segment.from(), ZoneOffset.UTC).toString())
                            .bind("to", OffsetDateTime.ofInstant(segment.to(), ZoneOffset.UTC).toString())
                            .bindRaw("a", price(prices, TokenType.INPUT_UNCACHED)).bindRaw("b", price(prices, TokenType.CACHE_READ))
                            .bindRaw("c", price(prices, TokenType.CACHE_WRITE_5M)).bindRaw("d", price(prices, TokenType.CACHE_WRITE_1H))
                            .bindRaw("e", price(prices, TokenType.OUTPUT)));
                }
            }
            db.execute("""
                    CREATE OR REPLACE TEMP TABLE floor_result AS
                    SELECT CAST(r.occurred_at AS DATE) AS day, r.consumer_id, r.model,
                           sum((r.input_tokens - coalesce(r.cache_read_tokens, 0) - coalesce(r.cache_write_tokens, 0)
                                - coalesce(r.cache_write_1h_tokens, 0)) * p.input_uncached) AS input_uncached_cost,
                           sum(coalesce(r.cache_read_tokens, 0) * p.cache_read) AS cache_read_cost,
                           sum(coalesce(r.cache_write_tokens, 0) * p.cache_write_5m) AS cache_write_5m_cost,
                           sum(coalesce(r.cache_write_1h_tokens, 0) * p.cache_write_1h) AS cache_write_1h_cost,
                           sum(r.output_tokens * p.output) AS output_cost
                    FROM %s r
                    JOIN floor_prices p ON p.provider = r.provider AND p.model = r.model
                     AND CAST(r.occurred_at AS TIMESTAMPTZ) >= p.segment_from AND CAST(r.occurred_at AS TIMESTAMPTZ) < p.segment_to
                    GROUP BY ALL""".formatted(source));
            return db.queryLong("SELECT count(*) FROM floor_result");
        }
    }

    private static String price(Map<TokenType, BigDecimal> prices, TokenType type) {
        BigDecimal price = prices.get(type);
        return price == null ? "0" : "CAST(" + Sql.literal(price.toPlainString()) + " AS DECIMAL(38, 18))";
    }

    private static void stage(ArrayNode stages, String name, double seconds, long peak) {
        stages.addObject().put("name", name).put("seconds", seconds).put("peakRssBytes", peak);
    }

    private void print(ObjectNode result) {
        root.out.printf(Locale.ROOT, "bench: %,d requests, %s, %d cores, max heap %,d MB%n", result.path("requests").asLong(),
                result.path("period").asString(), result.path("availableProcessors").asInt(), result.path("maxHeapBytes").asLong() >> 20);
        if (result.path("generateSeconds").asDouble() > 0) {
            root.out.printf(Locale.ROOT, "generate   %8.1f s%n", result.path("generateSeconds").asDouble());
        }
        for (var run : result.path("runs")) {
            root.out.printf(Locale.ROOT, "%n%s log%n%-12s %9s %14s %14s%n", run.path("format").asString(), "stage", "wall s", "rows/s", "peak RSS MB");
            for (var stage : run.path("stages")) {
                root.out.printf(Locale.ROOT, "%-12s %9.2f %,14d %,14d%n", stage.path("name").asString(), stage.path("seconds").asDouble(),
                        stage.path("rowsPerSecond").asLong(), stage.path("peakRssBytes").asLong() >> 20);
            }
            var close = run.path("close");
            var floor = run.path("floor");
            root.out.printf(Locale.ROOT, "%-12s %9.2f %,14d %,14d%n", "close", close.path("seconds").asDouble(), close.path("rowsPerSecond").asLong(),
                    close.path("peakRssBytes").asLong() >> 20);
            root.out.printf(Locale.ROOT, "%-12s %9.2f %,14d %,14d   (%,d day/consumer/model groups)%n", "floor", floor.path("seconds").asDouble(),
                    floor.path("rowsPerSecond").asLong(), floor.path("peakRssBytes").asLong() >> 20, floor.path("groups").asLong());
            root.out.printf(Locale.ROOT, "close / floor %.1f; verified %s; content digest %s%n", run.path("closeOverFloor").asDouble(),
                    run.path("verified").asBoolean(), run.path("contentDigest").asString());
        }
    }

    /** A hard link where the file system allows one (the month is reused read-only), else a copy. */
    private static void link(Path source, Path target) throws IOException {
        try {
            Files.createLink(target, source);
        } catch (IOException | UnsupportedOperationException e) {
            Files.copy(source, target);
        }
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }

    /** Peak resident memory of this process (Linux {@code VmHWM}), resettable between stages. */
    static final class PeakMemory {
        private PeakMemory() {
        }

        /** Resets the peak to the current resident size (writing 5 to {@code /proc/self/clear_refs}); no-op elsewhere. */
        static void reset() {
            try {
                Files.writeString(Path.of("/proc/self/clear_refs"), "5");
            } catch (IOException | UnsupportedOperationException | SecurityException e) {
                // Not Linux, or not allowed: the peak is then the process's since start.
            }
        }

        /** The peak resident size since the last reset, in bytes; 0 when unknown. */
        static long peakBytes() {
            try {
                for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                    if (line.startsWith("VmHWM:")) {
                        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                    }
                }
            } catch (IOException | NumberFormatException e) {
                return 0;
            }
            return 0;
        }
    }
}
