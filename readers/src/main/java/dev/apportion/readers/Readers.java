package dev.apportion.readers;

import dev.apportion.ledger.AtomicFiles;
import dev.apportion.ledger.DuckDbSession;
import dev.apportion.ledger.Home;
import dev.apportion.ledger.Sql;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Entry point of the readers: detects an input's format from its content and reads it into the
 * normalised tables of the home, with row rejects. Nothing is committed here; see {@link ReadOutcome}.
 */
public final class Readers {
    private Readers() {
    }

    /**
     * Detects the format of {@code source} from its content.
     *
     * @throws FileRejectedException when the file is empty, matches no reader or lacks a required column
     */
    public static InputFormat detect(DuckDbSession db, SourceFile source) {
        return detect(source, Sniff.of(db, source));
    }

    private static InputFormat detect(SourceFile source, Sniff sniff) {
        List<String> tried = new ArrayList<>();
        for (InputFormat format : InputFormat.values()) {
            Set<String> names = names(format, sniff);
            if (format.container() == sniff.container() && format.signatures().stream().anyMatch(names::containsAll)) {
                List<String> missing = format.requiredColumns().stream()
                        .filter(column -> !names.contains(column)).toList();
                if (!missing.isEmpty()) {
                    throw new FileRejectedException(RejectReason.MISSING_COLUMN, source.name() + " looks like "
                            + format.id() + " but lacks the required column(s) " + String.join(", ", missing)
                            + (sniff.container() == Sniff.Container.CSV ? " in its header (line 1)" : ""));
                }
                return format;
            }
            tried.add(format.id() + " (" + format.signatures().stream().map(signature -> String.join(", ", signature.stream().sorted().toList()))
                    .collect(Collectors.joining(" or ")) + ")");
        }
        String found = switch (sniff.container()) {
            case CSV -> "its header has " + String.join(", ", sniff.columns());
            case JSON_LINES -> "valid JSON lines whose first record has the keys " + String.join(", ", sniff.columns());
            case JSON_DOCUMENT -> "a JSON document of an unknown shape (" + String.join(", ", sniff.columns()) + ")";
            case PARQUET -> "Parquet with the columns " + String.join(", ", sniff.columns());
        };
        throw new FileRejectedException(RejectReason.UNKNOWN_FORMAT, source.name() + " matches no reader: " + found
                + "; formats tried: " + String.join("; ", tried));
    }

    /** The names a format is recognised by: legacy CUR headers ({@code lineItem/UsageType}) as their CUR 2.0 names. */
    private static Set<String> names(InputFormat format, Sniff sniff) {
        if (format.family() != InputFormat.Family.AWS_CUR) {
            return sniff.columnSet();
        }
        Set<String> names = new LinkedHashSet<>(sniff.columnSet());
        sniff.columns().forEach(column -> names.add(AwsCurReader.curName(column)));
        return names;
    }

    /**
     * Reads {@code source} into temporaries of the home's tables.
     *
     * @param committedLedgerFiles the usage-event files already ingested, for cross-file dedupe
     * @param committedInvoiceFiles the invoice-line files already ingested, for cross-file dedupe
     * @throws FileRejectedException when the whole file must be refused (for example header-only)
     */
    public static ReadOutcome read(DuckDbSession db, Home home, SourceFile source, List<Path> committedLedgerFiles,
                                   List<Path> committedInvoiceFiles) {
        return read(db, home, source, committedLedgerFiles, committedInvoiceFiles, Map.of());
    }

    /**
     * Reads {@code source} like {@link #read(DuckDbSession, Home, SourceFile, List, List)}, with the configured
     * attribution of request logs that do not carry the generic log's columns.
     *
     * @param attribution by format family id ({@code litellm}, {@code otel}); a family without one uses its defaults
     */
    public static ReadOutcome read(DuckDbSession db, Home home, SourceFile source, List<Path> committedLedgerFiles,
                                   List<Path> committedInvoiceFiles, Map<String, Attribution> attribution) {
        Sniff sniff = Sniff.of(db, source);
        InputFormat format = detect(source, sniff);
        db.execute("CREATE OR REPLACE TEMP TABLE rejects (location VARCHAR, \"column\" VARCHAR, reason_code VARCHAR, reason VARCHAR)");
        // The request log is most of a month's rows: as CSV it streams from the parser into the checks when it can.
        Optional<RequestLogReader.Streamed> streamed = format.family() == InputFormat.Family.REQUEST_LOG && sniff.container() == Sniff.Container.CSV
                ? RequestLogReader.validateStreamed(db, source, sniff, committedLedgerFiles) : Optional.empty();
        long rowsRead = streamed.isPresent() ? streamed.get().records() : RawRows.load(db, source, sniff);
        if (format.kind() == InputFormat.Kind.PROVIDER_USAGE) {
            rowsRead = ProviderUsageReader.read(db, source, format);
            if (rowsRead == 0) {
                throw new FileRejectedException(RejectReason.HEADER_ONLY, source.name() + " has no usage results (every bucket is empty)");
            }
            return stage(db, home, source, format, rowsRead, home::invoicePartition, null);
        }
        if (rowsRead == 0) {
            throw new FileRejectedException(RejectReason.HEADER_ONLY, source.name() + switch (sniff.container()) {
                case PARQUET -> " has columns but no rows";
                default -> " has a header but no rows (line 1 is the only line)";
            });
        }
        if (streamed.isPresent()) {
            return stage(db, home, source, format, rowsRead, home::ledgerPartition, streamed.get().checked());
        }
        Function<YearMonth, Path> partition;
        Path checked = null;
        switch (format.family()) {
            case REQUEST_LOG -> {
                checked = RequestLogReader.validate(db, source, sniff, committedLedgerFiles);
                partition = home::ledgerPartition;
            }
            case FOCUS -> {
                FocusReader.validate(db, source, format, sniff, committedInvoiceFiles);
                partition = home::invoicePartition;
            }
            case LITELLM, LITELLM_DOCUMENT, OTEL, OTEL_DOCUMENT -> {
                // Lines the parser refused were counted by RawRows; the reader counts the records it saw itself.
                long refused = sniff.container() == Sniff.Container.JSON_DOCUMENT ? 0
                        : rowsRead - db.queryLong("SELECT count(*) FROM raw_rows");
                boolean liteLlm = format.family() == InputFormat.Family.LITELLM || format.family() == InputFormat.Family.LITELLM_DOCUMENT;
                Attribution configured = attribution.getOrDefault(format.familyId(),
                        liteLlm ? Attribution.liteLlm() : Attribution.openTelemetry());
                rowsRead = refused + (liteLlm ? LiteLlmSpendLogsReader.toRequestText(db, source, sniff, configured)
                        : OtelSpansReader.toRequestText(db, source, sniff, configured));
                if (rowsRead == 0) {
                    throw new FileRejectedException(RejectReason.HEADER_ONLY, source.name() + " has no records");
                }
                checked = RequestLogReader.validateText(db, source, committedLedgerFiles);
                partition = home::ledgerPartition;
            }
            case OPENAI_COSTS, ANTHROPIC_COST_REPORT, AWS_CUR -> {
                rowsRead = switch (format.family()) {
                    case OPENAI_COSTS -> OpenAiCostsReader.toFocusText(db, source);
                    case ANTHROPIC_COST_REPORT -> AnthropicCostReportReader.toFocusText(db, source);
                    default -> AwsCurReader.toFocusText(db, source, sniff);
                };
                if (rowsRead == 0) {
                    throw new FileRejectedException(RejectReason.HEADER_ONLY, source.name() + " has no cost lines (every bucket is empty)");
                }
                FocusReader.validateText(db, source, format.familyId(), format.id(), committedInvoiceFiles);
                partition = home::invoicePartition;
            }
            default -> throw new IllegalStateException("No reader for " + format);
        }
        return stage(db, home, source, format, rowsRead, partition, checked);
    }

    /**
     * Writes the accepted rows into their periods' partitions and the rejects beside them, as temporaries.
     *
     * @param checkedRequests a request log's checked file (RequestLogReader), else null
     */
    private static ReadOutcome stage(DuckDbSession db, Home home, SourceFile source, InputFormat format, long rowsRead,
                                     Function<YearMonth, Path> partition, Path checkedRequests) {
        List<ReadOutcome.StagedFile> staged = new ArrayList<>();
        SortedMap<YearMonth, Long> byPeriod = new TreeMap<>();
        // Provider usage has one row per token type; its counts are of results (records).
        db.query(format.kind() == InputFormat.Kind.PROVIDER_USAGE ? "SELECT period, records FROM accepted_records ORDER BY period"
                        : "SELECT period, count(*) FROM accepted GROUP BY period ORDER BY period",
                row -> byPeriod.put(YearMonth.parse(row.getString(1)), row.getLong(2)));
        if (checkedRequests != null && byPeriod.size() == 1 && RequestLogReader.isClean(db)) {
            // A clean request log's checked file becomes its ledger file as it is: at 10M requests the second write of
            // every row took 9-13 s, a fifth of the ingest. Readers of the ledger go through LedgerFiles.
            Path target = partition.apply(byPeriod.firstKey()).resolve(stagedName(source.sha256(), format.kind()));
            mkdirs(target.getParent());
            staged.add(new ReadOutcome.StagedFile(checkedRequests, target));
        } else {
            for (YearMonth period : byPeriod.keySet()) {
                staged.add(copyPeriod(db, source, format, byPeriod.size() > 1 ? period : null, partition.apply(period)));
            }
        }
        long duplicates = db.queryLong("SELECT count(*) FROM rejects WHERE reason_code = 'duplicate'");
        long rejected = db.queryLong("SELECT count(*) FROM rejects") - duplicates;
        long accepted = byPeriod.values().stream().mapToLong(Long::longValue).sum();
        Path rejectsTarget = home.rowRejects().resolve(source.sha256() + ".parquet");
        Path rejectsTemporary = AtomicFiles.temporaryFor(rejectsTarget);
        mkdirs(rejectsTarget.getParent());
        db.execute(Sql.of("""
                        COPY (SELECT ${name} AS file_name, ${sha} AS file_sha256, location, "column", reason_code, reason
                              FROM rejects ORDER BY TRY_CAST(regexp_extract(location, '[0-9]+') AS BIGINT), location, reason_code)
                        TO ${target} (FORMAT parquet, COMPRESSION zstd)""")
                .bind("name", source.name()).bind("sha", source.sha256()).bind("target", rejectsTemporary));
        staged.add(new ReadOutcome.StagedFile(rejectsTemporary, rejectsTarget));
        return new ReadOutcome(format, rowsRead, accepted, rejected, duplicates, byPeriod, staged);
    }

    /** The accepted rows of one period (null: every row, the file having one period) into a temporary in its partition. */
    private static ReadOutcome.StagedFile copyPeriod(DuckDbSession db, SourceFile source, InputFormat format, YearMonth period,
                                                     Path partition) {
        Path target = partition.resolve(stagedName(source.sha256(), format.kind()));
        Path temporary = AtomicFiles.temporaryFor(target);
        mkdirs(target.getParent());
        // Request logs are written in no particular order (no sort: at tens of millions of wide rows the sort cost
        // more than the rest of the ingest together); a copied ledger file names each row's line in source_line. zstd level 1:
        // for 10M requests a few seconds faster than the default level, and the file a little smaller.
        // A file of one period (the usual case) needs no filter: the period of every row was computed once already.
        Sql copy = Sql.of("COPY (SELECT * EXCLUDE (period) FROM accepted" + (period == null ? "" : " WHERE period = ${period}")
                        + (format.kind() == InputFormat.Kind.USAGE ? "" : " ORDER BY source_line")
                        + ") TO ${target} (FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 1)")
                .bind("period", String.valueOf(period)).bind("target", temporary);
        if (format.kind() == InputFormat.Kind.USAGE) {
            db.executeUnordered(copy);
        } else {
            db.execute(copy);
        }
        return new ReadOutcome.StagedFile(temporary, target);
    }

    /**
     * The normalised file of an input in its period's partition: {@code <sha256>.parquet}, or
     * {@code <sha256>.provider-usage.parquet} beside the invoice lines, so the two never mix in a glob.
     */
    public static String stagedName(String sha256, InputFormat.Kind kind) {
        return sha256 + (kind == InputFormat.Kind.PROVIDER_USAGE ? ".provider-usage.parquet" : ".parquet");
    }

    private static void mkdirs(Path directory) {
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create " + directory + ": " + e.getMessage(), e);
        }
    }
}
