package dev.apportion.jobs;

import dev.apportion.allocation.Allocator;
import dev.apportion.allocation.Rule;
import dev.apportion.focus.EvidenceKeys;
import dev.apportion.focus.FocusExporter;
import dev.apportion.focus.FocusMetadata;
import dev.apportion.focus.Manifest;
import dev.apportion.focus.OutputColumns;
import dev.apportion.focus.Verifier;
import dev.apportion.ledger.AtomicFiles;
import dev.apportion.ledger.DuckDbSession;
import dev.apportion.ledger.Home;
import dev.apportion.ledger.Sha256;
import dev.apportion.ledger.SpreadsheetCsv;
import dev.apportion.ledger.Sql;
import dev.apportion.ledger.TokenType;
import dev.apportion.pricing.CatalogueRegistry;
import dev.apportion.pricing.LedgerPricer;
import dev.apportion.pricing.PriceBook;
import dev.apportion.readers.InputFormat;
import dev.apportion.reconcile.GateResult;
import dev.apportion.reconcile.Reconciler;
import dev.apportion.reports.CloseReport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The stages of the close job. Each reads what earlier stages left in the work directory
 * ({@code closes/<P>/.work-v<N>/stage}) and writes its own outputs there atomically, so a rerun after a
 * failure resumes at the failed stage with the same inputs. {@code out/} becomes {@code v<N>} on publish.
 */
final class CloseStages {
    static final String APPORTION_VERSION = "0.1.0";

    private final Home home;
    private final YearMonth period;
    private final int version;
    private final OutputColumns.Profile profile;
    private final String fingerprint;
    private final Clock clock;
    private final CloseOptions options;

    CloseStages(Home home, YearMonth period, int version, String profile, String fingerprint, Clock clock, CloseOptions options) {
        this.home = home;
        this.period = period;
        this.version = version;
        this.profile = OutputColumns.Profile.fromId(profile);
        this.fingerprint = fingerprint;
        this.clock = clock;
        this.options = options;
    }

    Path stage(String name) {
        return home.closeWork(period, version).resolve("stage").resolve(name);
    }

    Path out() {
        return home.closeWork(period, version).resolve("out");
    }

    void price() {
        Config config = Config.load(home);
        IngestRecords state = new IngestRecords(home);
        try (DuckDbSession db = session()) {
            List<Path> invoiceFiles = committedIn(state, InputFormat.Kind.BILLING, home.invoicePartition(period));
            if (invoiceFiles.isEmpty()) {
                throw new ApportionException(ApportionException.ExitCode.GATE_FAILED, "No invoice lines were ingested for "
                        + period + "; drop the period's billing exports into " + home.inbox() + " first");
            }
            loadLatestSnapshots(db, state, "invoice_lines", invoiceFiles, "*");
            PriceBook book = PricesCommand.priceBook(home, config);
            canonicaliseModels(db, book, "invoice_lines");
            List<Path> usageFiles = committedIn(state, InputFormat.Kind.PROVIDER_USAGE, home.invoicePartition(period));
            if (usageFiles.isEmpty()) {
                db.execute("""
                        CREATE TABLE provider_usage (provider VARCHAR, bucket_start TIMESTAMPTZ, model VARCHAR, token_type VARCHAR,
                            service_tier VARCHAR, region VARCHAR, quantity BIGINT, reported_model VARCHAR)""");
            } else {
                loadLatestSnapshots(db, state, "provider_usage", usageFiles,
                        "provider, bucket_start, model, token_type, service_tier, region, quantity, scope_key");
                canonicaliseModels(db, book, "provider_usage");
            }
            List<Path> eventFiles = committedIn(state, InputFormat.Kind.USAGE, home.ledgerPartition(period));
            LedgerPricer.price(db, book, eventFiles, period, config.accounts());
            // Anchored in the same pass that prices, and only the columns later steps read: the ledger is written
            // once per close, never rewritten with its anchors (at 10M requests each wide copy cost half a minute).
            Reconciler.anchor(db);
            write(db, "invoice_lines", stage("invoice-lines.parquet"));
            write(db, "provider_usage", stage("provider-usage.parquet"));
            // In no particular order: no reader of the cost lines depends on it.
            writeUnordered(db, "(SELECT " + ledgerLineColumns(db) + " FROM anchored_cost_lines)", stage(LEDGER_LINES));
            checkCompleteness(db, state, config);
        }
    }

    /**
     * The completeness gate (DESIGN §10): every source family {@code expected_sources} names for a billing account
     * must have data on every UTC day of the period (an invoice line whose charge period touches the day, or a
     * logged request of that day). A gap stops the close (exit 1) unless {@code --preliminary}; the result goes
     * to the manifest either way.
     */
    private void checkCompleteness(DuckDbSession db, IngestRecords state, Config config) {
        ObjectNode completeness = Manifest.create();
        completeness.put("status", options.preliminary() ? "preliminary" : "final");
        ObjectNode missing = completeness.putObject("missingDays");
        if (!config.expectedSources().isEmpty()) {
            db.execute("CREATE OR REPLACE TEMP TABLE expected_sources (account VARCHAR, family VARCHAR)");
            config.expectedSources().forEach((account, families) -> families.forEach(family -> db.execute(
                    Sql.of("INSERT INTO expected_sources VALUES (${account}, ${family})").bind("account", account).bind("family", family))));
            db.execute("CREATE OR REPLACE TEMP TABLE source_families (sha VARCHAR, family VARCHAR)");
            for (JsonNode record : state.records()) {
                for (InputFormat format : InputFormat.values()) {
                    if (format.id().equals(record.path("format").asString())) {
                        db.execute(Sql.of("INSERT INTO source_families VALUES (${sha}, ${family})")
                                .bind("sha", record.path("sha256").asString()).bind("family", format.familyId()));
                    }
                }
            }
            db.query(Sql.of("""
                            WITH days AS (
                                SELECT CAST(d AS DATE) AS day
                                FROM unnest(generate_series(CAST(${first} AS DATE), CAST(${last} AS DATE), INTERVAL 1 DAY)) t(d)
                            ), covered AS (
                                SELECT DISTINCT i.BillingAccountId AS account, f.family, d.day
                                FROM invoice_lines i JOIN source_families f ON f.sha = i.source_sha256 JOIN days d
                                  ON i.ChargePeriodStart < CAST(d.day AS TIMESTAMPTZ) + INTERVAL 1 DAY AND i.ChargePeriodEnd > CAST(d.day AS TIMESTAMPTZ)
                                UNION
                                SELECT DISTINCT c.billing_account_id, f.family, CAST(c.occurred_at AS DATE)
                                FROM read_parquet(${ledger_lines}) c JOIN source_families f ON f.sha = c.source_sha256
                            )
                            SELECT e.account, e.family, string_agg(strftime(d.day, '%Y-%m-%d'), ', ' ORDER BY d.day)
                            FROM expected_sources e CROSS JOIN days d
                            WHERE NOT EXISTS (SELECT 1 FROM covered c WHERE c.account = e.account AND c.family = e.family AND c.day = d.day)
                            GROUP BY ALL ORDER BY ALL""")
                    .bind("first", period.atDay(1).toString()).bind("last", period.atEndOfMonth().toString())
                    .bind("ledger_lines", stage(LEDGER_LINES)), row -> missing.put(row.getString(1) + " " + row.getString(2), row.getString(3)));
        }
        AtomicFiles.writeString(stage("completeness.json"), completeness.toPrettyString());
        if (!missing.isEmpty() && !options.preliminary()) {
            List<String> gaps = new ArrayList<>();
            missing.properties().forEach(entry -> gaps.add(entry.getKey() + ": no data on " + entry.getValue().asString()));
            throw new ApportionException(ApportionException.ExitCode.GATE_FAILED, "Completeness gate failed for " + period
                    + ": expected_sources are missing days:\n  " + String.join("\n  ", gaps)
                    + "\nDrop the missing exports into the inbox and rerun, or publish a preliminary close with --preliminary.");
        }
    }

    private static List<Path> committedIn(IngestRecords state, InputFormat.Kind kind, Path partition) {
        return state.committed(kind).stream().filter(path -> path.getParent().equals(partition)).toList();
    }

    /**
     * The period's invoice lines or provider usage: of each snapshot scope (issuer, billing account, billing
     * period; for usage, source and bucket), only the rows of the latest file that covers it (DESIGN §5), so a
     * superseding export retracts the rows absent from it. Rows read before scopes were recorded are each their
     * own scope.
     */
    private static void loadLatestSnapshots(DuckDbSession db, IngestRecords state, String table, List<Path> files, String columns) {
        db.execute("CREATE OR REPLACE TEMP TABLE snapshot_file_order (file VARCHAR, sequence BIGINT)");
        Map<String, Long> sequences = new LinkedHashMap<>();
        state.records().forEach(record -> sequences.put(record.path("sha256").asString(), record.path("sequence").asLong()));
        for (Path file : files) {
            String sha = file.getFileName().toString().substring(0, file.getFileName().toString().indexOf('.'));
            db.execute(Sql.of("INSERT INTO snapshot_file_order VALUES (${file}, ${sequence})")
                    .bind("file", file.toString()).bind("sequence", sequences.getOrDefault(sha, 0L)));
        }
        db.execute(Sql.of("""
                        CREATE TEMP TABLE ${table} AS
                        SELECT * EXCLUDE (filename, sequence, row_in_file) FROM (
                            SELECT ${columns}, l.filename, l.file_row_number AS row_in_file, o.sequence
                            FROM read_parquet(${files}, union_by_name = true, filename = true, file_row_number = true) l
                            JOIN snapshot_file_order o ON o.file = l.filename
                        ) QUALIFY sequence = max(sequence) OVER (PARTITION BY coalesce(scope_key, filename || '#' || row_in_file))""")
                .bindRaw("table", table)
                .bindRaw("columns", columns.equals("*") ? "l.* EXCLUDE (filename, file_row_number)" : columns)
                .bindList("files", files.stream().map(Path::toString).toList()));
    }

    /**
     * Names the models of invoice lines or provider usage the way the ledger names them (DESIGN §5: the
     * issuer's model id, then the aliases): a dated id such as {@code gpt-4o-2024-08-06} on an OpenAI cost line
     * becomes {@code gpt-4o}, like the requests that reported it, so the line meets its ledger entries. The
     * issuer's id is kept in {@code reported_model}.
     */
    private static void canonicaliseModels(DuckDbSession db, PriceBook book, String table) {
        if (db.queryLong("SELECT count(*) FROM duckdb_columns() WHERE table_name = " + Sql.literal(table)
                + " AND column_name = 'reported_model'") == 0) {
            db.execute("ALTER TABLE " + table + " ADD COLUMN reported_model VARCHAR");
        }
        db.execute("UPDATE " + table + " SET reported_model = model");
        List<List<String>> renames = new ArrayList<>();
        db.query("SELECT DISTINCT provider, model FROM " + table + " WHERE model IS NOT NULL ORDER BY ALL", row -> {
            String canonical = book.canonicalModel(row.getString(1), row.getString(2));
            if (!canonical.equals(row.getString(2))) {
                renames.add(List.of(row.getString(1), row.getString(2), canonical));
            }
        });
        for (List<String> rename : renames) {
            db.execute(Sql.of("UPDATE " + table + " SET model = ${canonical} WHERE provider = ${provider} AND model = ${reported}")
                    .bind("canonical", rename.get(2)).bind("provider", rename.get(0)).bind("reported", rename.get(1)));
        }
    }

    /**
     * Reconciles, then applies the gate of DESIGN §7: when the gated variance exceeds its share of the invoiced
     * total the close stops here (exit 1, the largest cells named) unless the variance was accepted. The gate's
     * figures go to the manifest either way.
     */
    void reconcile() {
        Config config = Config.load(home);
        try (DuckDbSession db = session()) {
            load(db, "invoice_lines", "provider_usage");
            // Read where it lies, anchored by the price step: one columnar pass, never copied into the session.
            db.execute(Sql.of("CREATE OR REPLACE VIEW anchored_cost_lines AS SELECT * FROM read_parquet(${file})").bind("file", stage(LEDGER_LINES)));
            String currency = currency(db);
            GateResult gate = Reconciler.reconcile(db, period, currency, config.tolerances());
            write(db, "invoice_usage", stage("invoice-usage.parquet"));
            write(db, "reconciliation", stage("reconciliation.parquet"));
            SpreadsheetCsv.write(db, "reconciliation", "provider, billing_account_id, model, token_type, cell_start",
                    stage("reconciliation.csv"));
            ObjectNode figures = Manifest.create();
            figures.put("billingCurrency", currency);
            figures.put("gatePercent", Reconciler.plain(gate.gatePercent()));
            figures.put("invoicedTotal", Reconciler.plain(gate.invoicedTotal()));
            figures.put("gatedVariance", Reconciler.plain(gate.gatedVariance()));
            figures.put("passed", gate.passed());
            figures.put("varianceAccepted", !gate.passed() && options.acceptVariance());
            AtomicFiles.writeString(stage("reconciliation-gate.json"), figures.toPrettyString());
            if (!gate.passed() && !options.acceptVariance()) {
                throw new ApportionException(ApportionException.ExitCode.GATE_FAILED, String.format(Locale.ROOT,
                        "Reconciliation gate failed for %s: variance %s %s is %s %% of the invoiced %s %s (gate %s %%). "
                                + "Largest cells:%n  %s%nSee %s; fix the inputs, or rerun with --accept-variance to publish anyway.",
                        period, Reconciler.plain(gate.gatedVariance()), currency, gate.variancePercent(),
                        Reconciler.plain(gate.invoicedTotal()), currency, Reconciler.plain(gate.gatePercent()),
                        String.join(System.lineSeparator() + "  ", gate.topCells()), stage("reconciliation.csv")));
            }
        }
    }

    void allocate() {
        Config config = Config.load(home);
        try (DuckDbSession db = session()) {
            load(db, "invoice_lines", "invoice_usage", "reconciliation");
            // A view, not a table: each allocation query reads only the columns it needs from the Parquet file, where a
            // table would first copy every wide cost line into memory (and spill it) at tens of millions of lines.
            db.execute(Sql.of("CREATE OR REPLACE VIEW anchored_cost_lines AS SELECT *, entry_id || '#' || token_type AS cost_line_id "
                            + "FROM read_parquet(${file})").bind("file", stage(LEDGER_LINES)));
            Allocator.allocate(db, config.rules(), currency(db));
            write(db, "allocation_rows", stage("allocation-rows.parquet"));
            write(db, "(SELECT anchor_id, consumer_id, principal_id, feature, environment, usage_ref FROM anchor_usage)",
                    stage("anchor-usage-refs.parquet"));
            write(db, "usage_ref_lines", stage("usage-ref-lines.parquet"));
            if (config.correctionsNextPeriod()) {
                List<Corrections.Late> late = Corrections.plan(home, period);
                if (!late.isEmpty()) {
                    Corrections.build(home, db, period, late, profile, options.columns(), deliveredColumns(), stage("x").getParent(), clock);
                }
            }
        }
    }

    void export() {
        try (DuckDbSession db = session()) {
            load(db, "invoice_lines", "invoice_usage", "reconciliation", "allocation_rows");
            // The evidence of the usage references: the cost lines, read where they lie rather than copied into memory.
            db.execute(Sql.of("CREATE OR REPLACE VIEW anchored_cost_lines AS SELECT * FROM read_parquet(${file})").bind("file", stage(LEDGER_LINES)));
            db.execute(Sql.of("CREATE OR REPLACE VIEW anchor_usage_refs AS SELECT * FROM read_parquet(${file})")
                    .bind("file", stage("anchor-usage-refs.parquet")));
            db.execute(Sql.of("CREATE OR REPLACE VIEW usage_ref_lines AS SELECT * FROM read_parquet(${file})")
                    .bind("file", stage("usage-ref-lines.parquet")));
            boolean corrections = Files.exists(stage("correction-rows.parquet"));
            if (corrections) {
                load(db, "correction_rows");
            }
            db.execute("CREATE OR REPLACE TEMP TABLE consumers (consumer_id VARCHAR, name VARCHAR, team VARCHAR, cost_center VARCHAR)");
            for (Map.Entry<String, Config.ConsumerInfo> consumer : Config.load(home).consumers().entrySet()) {
                db.execute(Sql.of("INSERT INTO consumers VALUES (${id}, ${name}, ${team}, ${cost_center})")
                        .bind("id", consumer.getKey()).bind("name", consumer.getValue().name())
                        .bind("team", consumer.getValue().team()).bind("cost_center", consumer.getValue().costCenter()));
            }
            AtomicFiles.deleteRecursively(out());
            Map<String, String> metadata = new LinkedHashMap<>();
            metadata.put("FocusVersion", "1.4");
            metadata.put("FocusDatasetId", "CostAndUsage");
            metadata.put("DataGenerator", "Apportion");
            metadata.put("DataGeneratorVersion", APPORTION_VERSION);
            metadata.put("SchemaId", schemaId());
            metadata.put("CreationDate", clock.instant().toString());
            metadata.put("ColumnDefinition", FocusMetadata.columnDefinitions(deliveredColumns()).toString());
            FocusExporter.Result result = FocusExporter.export(db, out(), deliveredColumns(), profile, metadata);
            if (options.requireCompleteEvidence()) {
                requireCompleteEvidence(db);
            }
            db.execute(Sql.of("COPY (SELECT * FROM reconciliation ORDER BY provider, billing_account_id, model, token_type, cell_start) TO ${target} (FORMAT parquet, COMPRESSION zstd)")
                    .bind("target", out().resolve("reconciliation.parquet")));
            SpreadsheetCsv.write(db, "reconciliation", "provider, billing_account_id, model, token_type, cell_start",
                    out().resolve("reconciliation.csv"));
            writeRejects(db);
            if (corrections) {
                AtomicFiles.copy(stage("corrections.parquet"), out().resolve(Verifier.CORRECTIONS_FILE));
            }
            if (version > 1) {
                writeDiff(db, home.close(period, version - 1));
            }
            pin();
            // The digests are costly to recompute, so publish takes them from here.
            AtomicFiles.writeString(stage("export-digests.txt"), result.contentDigest() + "\n" + result.merkleRoot() + "\n");
        }
    }

    void report() {
        try (DuckDbSession db = session()) {
            String status = JsonMapper.builder().build().readTree(stage("completeness.json").toFile()).path("status").asString();
            CloseReport.write(db, reportInputs(home, period, "v" + version, status, out(), Config.load(home)), out(), clock.instant());
        }
    }

    /** What the close report of {@code close} reads; the previous period's current close, if any, for month over month. */
    static CloseReport.Inputs reportInputs(Home home, YearMonth period, String version, String status, Path close, Config config) {
        YearMonth previous = period.minusMonths(1);
        Path previousFocus = null;
        String previousName = null;
        try {
            if (Files.exists(home.currentVersionFile(previous))) {
                String name = Files.readString(home.currentVersionFile(previous)).strip();
                previousFocus = home.closes(previous).resolve(name).resolve(FocusExporter.FOCUS_FILE);
                previousName = previous + " " + name;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new CloseReport.Inputs(period.toString(), version, status, APPORTION_VERSION, close.resolve(FocusExporter.FOCUS_FILE),
                close.resolve(FocusExporter.INVOICE_LINES_FILE), close.resolve("reconciliation.parquet"), close.resolve("rejects.csv"),
                previousFocus, previousName, config.anomalies());
    }

    /** FOCUS SchemaId: a name-based UUID of the Apportion version, the profile and the delivered columns. */
    private String schemaId() {
        String columns = options.columns() == null ? "" : "-" + String.join(",", options.columns());
        return UUID.nameUUIDFromBytes(("apportion-" + APPORTION_VERSION + "-" + profile.id() + columns).getBytes(StandardCharsets.UTF_8)).toString();
    }

    /** The FOCUS file's columns: the profile's, restricted to the {@code --columns} selection when there is one. */
    private List<OutputColumns.OutputColumn> deliveredColumns() {
        return OutputColumns.select(profile, options.columns() == null ? null : new java.util.HashSet<>(options.columns()));
    }

    /** Seals and publishes {@code out/} as {@code v<N>}, then points {@code current} at it. */
    void publish() {
        Path published = home.close(period, version);
        if (!Files.exists(published)) {
            try (DuckDbSession db = session()) {
                List<String> digests = Files.readAllLines(stage("export-digests.txt"));
                ObjectNode manifest = manifest(digests);
                Manifest.seal(db, out(), manifest, EvidenceKeys.readPrivateKey(home.privateKey()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            AtomicFiles.publishDirectory(out(), published);
        }
        AtomicFiles.writeString(home.currentVersionFile(period), "v" + version + "\n");
        AtomicFiles.deleteRecursively(home.closeWork(period, version));
    }

    /** The catalogues this close prices with, in precedence order (contract rates first). */
    static List<CatalogueRegistry.Registered> catalogues(Home home, Config config) {
        try {
            return new CatalogueRegistry(home).precedence(config.pricingSources());
        } catch (IllegalArgumentException e) {
            throw new ApportionException(ApportionException.ExitCode.USAGE, home.config() + ": " + e.getMessage());
        }
    }

    /** The manifest's facts about this close: what it is, what it read and how it was configured. */
    private ObjectNode manifest(List<String> digests) throws IOException {
        ObjectNode manifest = Manifest.create();
        manifest.put("period", period.toString());
        manifest.put("version", version);
        JsonNode completeness = JsonMapper.builder().build().readTree(stage("completeness.json").toFile());
        manifest.put("status", completeness.path("status").asString());
        manifest.set("completeness", completeness.path("missingDays"));
        manifest.put("createdAt", clock.instant().toString());
        manifest.put("focusVersion", "1.4");
        Map<String, String> focusMetadata = new LinkedHashMap<>();
        focusMetadata.put("DataGenerator", "Apportion");
        focusMetadata.put("FocusDatasetId", "CostAndUsage");
        focusMetadata.put("SchemaId", schemaId());
        focusMetadata.put("FocusVersion", "1.4");
        focusMetadata.put("CreationDate", manifest.path("createdAt").asString());
        focusMetadata.put("DataGeneratorVersion", APPORTION_VERSION);
        manifest.set("focusMetadata", FocusMetadata.of(focusMetadata, deliveredColumns(), period + "/v" + version));
        manifest.put("profile", profile.id());
        manifest.put("apportionVersion", APPORTION_VERSION);
        manifest.put("fingerprint", fingerprint);
        if (version > 1) {
            manifest.put("previousVersion", "v" + (version - 1));
        }
        if (Files.exists(stage("corrections.json"))) {
            manifest.set("corrections", JsonMapper.builder().build().readTree(stage("corrections.json").toFile()));
        }
        manifest.put("rulesSha256", Sha256.of(Config.load(home).bytes()));
        ArrayNode catalogues = manifest.putArray("catalogues");
        List<CatalogueRegistry.Registered> precedence = catalogues(home, Config.load(home));
        for (int i = 0; i < precedence.size(); i++) {
            catalogues.addObject().put("id", precedence.get(i).name()).put("format", precedence.get(i).format())
                    .put("sha256", precedence.get(i).sha256()).put("precedence", i + 1);
        }
        var inputs = manifest.putArray("inputs");
        for (JsonNode record : new IngestRecords(home).inPeriod(period)) {
            ObjectNode input = inputs.addObject();
            for (String key : List.of("name", "sha256", "format")) {
                input.put(key, record.path(key).asString());
            }
            // The replay order of a dispute: supersession and duplicates resolve by it.
            input.put("ingestSequence", record.path("sequence").asLong());
            for (String key : List.of("rowsRead", "rowsAccepted", "rowsRejected", "rowsDuplicate")) {
                input.put(key, record.path(key).asLong());
            }
            if (record.has("supersedes")) {
                input.set("supersedes", record.path("supersedes"));
            }
        }
        try (DuckDbSession db = session()) {
            Manifest.addTotals(db, out(), manifest);
            ObjectNode gate = (ObjectNode) JsonMapper.builder().build().readTree(stage("reconciliation-gate.json").toFile());
            manifest.put("billingCurrency", gate.path("billingCurrency").asString());
            gate.remove("billingCurrency");
            manifest.set("reconciliationGate", gate);
            // Unpriced lines are never priced at zero; the manifest counts them by reason so they are reported.
            ObjectNode pricing = manifest.putObject("pricing");
            ObjectNode unpriced = pricing.putObject("unpricedLinesByReason");
            long[] lines = new long[2];
            db.query(Sql.of("SELECT unpriced_reason, count(*) FROM read_parquet(${file}) GROUP BY ALL ORDER BY ALL")
                    .bind("file", stage(LEDGER_LINES)), row -> {
                        lines[0] += row.getLong(2);
                        if (row.getString(1) != null) {
                            lines[1] += row.getLong(2);
                            unpriced.put(row.getString(1), row.getLong(2));
                        }
                    });
            pricing.put("costLines", lines[0]);
            pricing.put("unpricedLines", lines[1]);
        }
        manifest.put("contentDigest", digests.get(0));
        manifest.put("merkleRoot", digests.get(1));
        manifest.put("publicKey", Files.readString(home.publicKey()));
        return manifest;
    }

    /**
     * {@code pinned/}: the configuration and catalogue this close used, and {@code allocation-methods.json},
     * the documented split methods FOCUS requires, so the close can be explained without today's files.
     */
    private void pin() {
        Config config = Config.load(home);
        AtomicFiles.write(out().resolve("pinned/apportion.yml"), config.bytes());
        if (options.columns() != null) {
            AtomicFiles.writeString(out().resolve("pinned/columns.txt"), String.join("\n", options.columns()) + "\n");
        }
        CatalogueRegistry registry = new CatalogueRegistry(home);
        List<CatalogueRegistry.Registered> precedence = catalogues(home, config);
        for (int i = 0; i < precedence.size(); i++) {
            // Numbered by precedence, so the pinned folder shows the order the close priced with.
            String name = String.format(Locale.ROOT, "%02d-%s", i + 1, precedence.get(i).name());
            AtomicFiles.write(out().resolve("pinned/catalogues").resolve(name), registry.bytesOf(precedence.get(i)));
        }
        ObjectNode methods = Manifest.create();
        for (var rule : config.rules().rules()) {
            ObjectNode method = methods.putObject(rule.id());
            method.put("method", rule.method().id());
            if (rule.basis() != null) {
                method.put("basis", rule.basis());
            }
            method.put("window", rule.window());
            if (rule.method() == Rule.Method.DIRECT) {
                method.put("variance", rule.variance());
            }
            if (rule.split() != null) {
                ObjectNode split = method.putObject("split");
                split.put("table", rule.split());
                ArrayNode periods = split.putArray("periods");
                for (var period : config.rules().splits().get(rule.split()).periods()) {
                    ObjectNode entry = periods.addObject();
                    entry.put("effectiveFrom", period.from().toString());
                    if (period.to() != null) {
                        entry.put("effectiveTo", period.to().toString());
                    }
                    ObjectNode shares = entry.putObject("sharesPercent");
                    new java.util.TreeMap<>(period.shares()).forEach((consumer, percent) -> shares.put(consumer, percent.toPlainString()));
                }
            }
            ObjectNode select = method.putObject("select");
            rule.select().forEach((field, selector) -> select.put(field, selector.describe()));
            if (!rule.basisSelector().isEmpty()) {
                ObjectNode basisSelector = method.putObject("basisSelector");
                rule.basisSelector().forEach((field, selector) -> basisSelector.put(field, selector.describe()));
            }
            method.put("owner", rule.owner());
            if (rule.note() != null) {
                method.put("note", rule.note());
            }
        }
        methods.putObject("unallocated").put("method", "unallocated")
                .put("note", "a line no rule could split (every matching basis was zero) is kept whole, AllocatedResourceId null");
        AtomicFiles.write(out().resolve("allocation-methods.json"), methods.toPrettyString().getBytes(StandardCharsets.UTF_8));
    }

    /** {@code --require-complete-evidence}: the close stops before publishing while any row's evidence is insufficient. */
    private void requireCompleteEvidence(DuckDbSession db) {
        List<String> examples = new ArrayList<>();
        long[] insufficient = new long[1];
        db.query(Sql.of("""
                        SELECT x_EvidenceStatus, count(*), min(x_AllocationRowId) FROM read_parquet(${file})
                        WHERE x_EvidenceStatus <> 'complete' GROUP BY 1 ORDER BY 2 DESC, 1""")
                .bind("file", out().resolve(FocusExporter.FOCUS_FILE)), row -> {
                    insufficient[0] += row.getLong(2);
                    examples.add(row.getLong(2) + " row(s) " + row.getString(1) + " (e.g. " + row.getString(3) + ")");
                });
        if (insufficient[0] > 0) {
            throw new ApportionException(ApportionException.ExitCode.GATE_FAILED, "Evidence incomplete for " + period + ": "
                    + insufficient[0] + " FOCUS row(s) lack required evidence, and --require-complete-evidence was given:\n  "
                    + String.join("\n  ", examples) + "\nExplain a row with apportion explain --row ID after publishing without the flag.");
        }
    }

    /**
     * {@code diff.csv} of a republication (DESIGN §10): per consumer, anchor and summable column, the previous
     * version's sum, this one's and the delta, where they differ, with the reason. The deltas of a consumer sum to
     * its new total minus its old one, column by column.
     */
    private void writeDiff(DuckDbSession db, Path previous) {
        String sums = "SELECT coalesce(AllocatedResourceId, '') AS consumer_id, x_AllocationAnchorId AS anchor_id, "
                + String.join(", ", DIFF_COLUMNS.stream().map(column -> "sum(" + column + ") AS " + column).toList())
                + " FROM read_parquet(%s) GROUP BY 1, 2";
        db.execute(Sql.of("CREATE OR REPLACE TEMP TABLE diff_old AS " + sums.formatted("${file}")).bind("file", previous.resolve(FocusExporter.FOCUS_FILE)));
        db.execute(Sql.of("CREATE OR REPLACE TEMP TABLE diff_new AS " + sums.formatted("${file}")).bind("file", out().resolve(FocusExporter.FOCUS_FILE)));
        db.execute(Sql.of("""
                        CREATE OR REPLACE TEMP TABLE diff_origins AS
                        SELECT coalesce(o.anchor_id, n.anchor_id) AS anchor_id, o.BilledCost AS old_billed, n.BilledCost AS new_billed
                        FROM read_parquet(${old_lines}) o FULL OUTER JOIN read_parquet(${new_lines}) n ON n.anchor_id = o.anchor_id""")
                .bind("old_lines", previous.resolve(FocusExporter.INVOICE_LINES_FILE))
                .bind("new_lines", out().resolve(FocusExporter.INVOICE_LINES_FILE)));
        List<String> perColumn = new ArrayList<>();
        for (String column : DIFF_COLUMNS) {
            perColumn.add("""
                    SELECT coalesce(n.consumer_id, o.consumer_id) AS consumer_id, coalesce(n.anchor_id, o.anchor_id) AS anchor_id,
                           '%1$s' AS "column", o.%1$s AS old, n.%1$s AS new, coalesce(n.%1$s, 0) - coalesce(o.%1$s, 0) AS delta,
                           CASE WHEN g.old_billed IS NULL THEN 'new invoice line'
                                WHEN g.new_billed IS NULL THEN 'invoice line retracted'
                                WHEN g.old_billed <> g.new_billed THEN 'invoice line restated'
                                ELSE 'allocation changed (usage, rules or prices)' END AS reason
                    FROM diff_old o FULL OUTER JOIN diff_new n ON n.consumer_id = o.consumer_id AND n.anchor_id = o.anchor_id
                    LEFT JOIN diff_origins g ON g.anchor_id = coalesce(n.anchor_id, o.anchor_id)
                    WHERE o.%1$s IS DISTINCT FROM n.%1$s""".formatted(column));
        }
        db.execute("CREATE OR REPLACE TEMP TABLE diff AS " + String.join(" UNION ALL ", perColumn));
        SpreadsheetCsv.write(db, "diff", "consumer_id, anchor_id, \"column\"", out().resolve("diff.csv"));
    }

    private static final List<String> DIFF_COLUMNS = List.of("BilledCost", "EffectiveCost", "ListCost", "ContractedCost",
            "PricingQuantity", "ConsumedQuantity");

    private void writeRejects(DuckDbSession db) {
        List<Path> rejectFiles = new ArrayList<>();
        for (JsonNode record : new IngestRecords(home).inPeriod(period)) {
            Path file = home.rowRejects().resolve(record.path("sha256").asString() + ".parquet");
            if (Files.exists(file)) {
                rejectFiles.add(file);
            }
        }
        String source = rejectFiles.isEmpty()
                ? "(SELECT NULL::VARCHAR AS file_name, NULL::VARCHAR AS file_sha256, NULL::VARCHAR AS location, NULL::VARCHAR AS \"column\", NULL::VARCHAR AS reason_code, NULL::VARCHAR AS reason WHERE false)"
                : Sql.of("read_parquet(${files})").bindList("files", rejectFiles.stream().map(Path::toString).toList()).text();
        db.execute("CREATE OR REPLACE TEMP TABLE close_rejects AS SELECT file_name, file_sha256, location, \"column\", reason_code, reason FROM "
                + source);
        SpreadsheetCsv.write(db, "close_rejects", "file_name, file_sha256, CAST(regexp_extract(location, '[0-9]+') AS BIGINT), reason_code",
                out().resolve("rejects.csv"));
    }


    private String currency(DuckDbSession db) {
        List<String> currencies = new ArrayList<>();
        db.query("SELECT DISTINCT BillingCurrency FROM invoice_lines ORDER BY 1", row -> currencies.add(row.getString(1)));
        if (currencies.size() != 1) {
            throw new ApportionException(ApportionException.ExitCode.GATE_FAILED, "The invoices of " + period
                    + " use " + currencies + "; a close has exactly one billing currency");
        }
        return currencies.get(0);
    }

    private DuckDbSession session() {
        try {
            Files.createDirectories(stage("x").getParent());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        AtomicFiles.removeTemporaries(stage("x").getParent());
        return DuckDbSession.open(stage("x").getParent());
    }

    private void load(DuckDbSession db, String... tables) {
        for (String table : tables) {
            db.execute(Sql.of("CREATE OR REPLACE TABLE " + table + " AS SELECT * FROM read_parquet(${file})")
                    .bind("file", stage(table.replace('_', '-') + ".parquet")));
        }
    }

    /** The priced, anchored ledger of the close: one row per cost line, with what reconcile and allocate read. */
    private static final String LEDGER_LINES = "ledger-lines.parquet";
    private static final String LEDGER_LINE_COLUMNS = "entry_id, token_type, occurred_at, provider, billing_account_id, model, "
            + "service_tier, region, principal_id, consumer_id, feature, environment, quantity, list_cost, contracted_cost, "
            + "logged_cost_share, priced, unpriced_reason, catalogue_id, catalogue_version, source_sha256, anchor_id";

    /**
     * The cost lines' text columns that come unchanged from the usage events (price-entries.sql). With the token type
     * they are written as ENUMs of their values: the Parquet writer then takes each value's dictionary index as it is
     * instead of hashing the text (rewriting the 10M-request stage: 16-17 s to 13-14 s). The file reads back as text.
     */
    private static final List<String> EVENT_TEXT_COLUMNS = List.of("provider", "service_tier", "region", "principal_id",
            "consumer_id", "feature", "environment", "source_sha256");

    /** {@link #LEDGER_LINE_COLUMNS} with the token type and {@link #EVENT_TEXT_COLUMNS} as ENUMs of their values. */
    private static String ledgerLineColumns(DuckDbSession db) {
        db.execute("CREATE OR REPLACE TYPE ledger_token_type AS ENUM ("
                + Arrays.stream(TokenType.values()).map(type -> Sql.literal(type.id())).collect(Collectors.joining(", ")) + ")");
        for (String column : EVENT_TEXT_COLUMNS) {
            db.execute("CREATE OR REPLACE TYPE ledger_" + column + " AS ENUM (SELECT DISTINCT " + column + " FROM usage_events_in_scope WHERE "
                    + column + " IS NOT NULL)");
        }
        return Arrays.stream(LEDGER_LINE_COLUMNS.split(", "))
                .map(column -> column.equals("token_type") || EVENT_TEXT_COLUMNS.contains(column)
                        ? "CAST(" + column + " AS ledger_" + column + ") AS " + column : column)
                .collect(Collectors.joining(", "));
    }

    /** Writes a stage file: Snappy, since a stage file is read once or twice and deleted at publish (cheaper than zstd). */
    private void write(DuckDbSession db, String table, Path target) {
        Path temporary = AtomicFiles.temporaryFor(target);
        db.execute(stageCopy(table, temporary));
        AtomicFiles.move(temporary, target);
    }

    private void writeUnordered(DuckDbSession db, String table, Path target) {
        Path temporary = AtomicFiles.temporaryFor(target);
        db.executeUnordered(stageCopy(table, temporary));
        AtomicFiles.move(temporary, target);
    }

    private static Sql stageCopy(String table, Path temporary) {
        return Sql.of("COPY (SELECT * FROM " + table + ") TO ${target} (FORMAT parquet, COMPRESSION snappy)").bind("target", temporary);
    }
}
