package dev.apportion.readers;

import dev.apportion.ledger.AtomicFiles;
import dev.apportion.ledger.DuckDbSession;
import dev.apportion.ledger.Home;
import dev.apportion.ledger.Sql;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.zip.GZIPInputStream;

/**
 * Entry point of the readers: detects an input's format from its content and reads it into the
 * normalised tables of the home, with row rejects. Nothing is committed here; see {@link ReadOutcome}.
 */
public final class Readers {
    private static final int HEADER_LIMIT = 1 << 16;

    private Readers() {
    }

    /**
     * Detects the format of {@code source} from its first line.
     *
     * @throws FileRejectedException when the file is empty, matches no reader or lacks a required column
     */
    public static InputFormat detect(SourceFile source) {
        return detect(source, Header.read(source));
    }

    private static InputFormat detect(SourceFile source, Header header) {
        List<String> tried = new ArrayList<>();
        for (InputFormat format : InputFormat.values()) {
            if (header.columns().containsAll(format.signature())) {
                List<String> missing = format.requiredColumns().stream()
                        .filter(column -> !header.columns().contains(column)).toList();
                if (!missing.isEmpty()) {
                    throw new FileRejectedException(RejectReason.MISSING_COLUMN, source.name() + " looks like "
                            + format.id() + " but lacks the required column(s) " + String.join(", ", missing)
                            + " in its header (line 1)");
                }
                return format;
            }
            tried.add(format.id() + " (needs " + String.join(", ", format.signature()) + ")");
        }
        throw new FileRejectedException(RejectReason.UNKNOWN_FORMAT, source.name()
                + " matches no reader; formats tried: " + String.join("; ", tried));
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
        Header header = Header.read(source);
        InputFormat format = detect(source, header);
        db.execute("CREATE OR REPLACE TEMP TABLE rejects (location VARCHAR, \"column\" VARCHAR, reason_code VARCHAR, reason VARCHAR)");
        CsvLoader.load(db, source, header.columnList(), header.gzip());
        long parsed = db.queryLong("SELECT count(*) FROM csv_raw");
        long parserRejects = db.queryLong("SELECT count(DISTINCT line) FROM csv_errors");
        if (parsed + parserRejects == 0) {
            throw new FileRejectedException(RejectReason.HEADER_ONLY, source.name()
                    + " has a header but no rows (line 1 is the only line)");
        }
        CsvLoader.collectParserRejects(db);
        Function<YearMonth, Path> partition;
        switch (format) {
            case REQUEST_LOG_CSV -> {
                RequestLogReader.validate(db, source, header, committedLedgerFiles);
                partition = home::ledgerPartition;
            }
            case FOCUS_CSV -> {
                FocusCsvReader.validate(db, source, header, committedInvoiceFiles);
                partition = home::invoicePartition;
            }
            default -> throw new IllegalStateException("No reader for " + format);
        }
        return stage(db, home, source, format, parsed + parserRejects, partition);
    }

    private static ReadOutcome stage(DuckDbSession db, Home home, SourceFile source, InputFormat format, long rowsRead,
                                     Function<YearMonth, Path> partition) {
        List<ReadOutcome.StagedFile> staged = new ArrayList<>();
        SortedMap<YearMonth, Long> byPeriod = new TreeMap<>();
        db.query("SELECT period, count(*) FROM accepted GROUP BY period ORDER BY period",
                row -> byPeriod.put(YearMonth.parse(row.getString(1)), row.getLong(2)));
        for (YearMonth period : byPeriod.keySet()) {
            Path target = partition.apply(period).resolve(source.sha256() + ".parquet");
            Path temporary = AtomicFiles.temporaryFor(target);
            mkdirs(target.getParent());
            db.execute(Sql.of("COPY (SELECT * EXCLUDE (period) FROM accepted WHERE period = ${period} ORDER BY source_line) "
                            + "TO ${target} (FORMAT parquet, COMPRESSION zstd)")
                    .bind("period", period.toString()).bind("target", temporary));
            staged.add(new ReadOutcome.StagedFile(temporary, target));
        }
        long duplicates = db.queryLong("SELECT count(*) FROM rejects WHERE reason_code = 'duplicate'");
        long rejected = db.queryLong("SELECT count(*) FROM rejects") - duplicates;
        long accepted = byPeriod.values().stream().mapToLong(Long::longValue).sum();
        Path rejectsTarget = home.rowRejects().resolve(source.sha256() + ".parquet");
        Path rejectsTemporary = AtomicFiles.temporaryFor(rejectsTarget);
        mkdirs(rejectsTarget.getParent());
        db.execute(Sql.of("""
                        COPY (SELECT ${name} AS file_name, ${sha} AS file_sha256, location, "column", reason_code, reason
                              FROM rejects ORDER BY CAST(regexp_extract(location, '[0-9]+') AS BIGINT), reason_code)
                        TO ${target} (FORMAT parquet, COMPRESSION zstd)""")
                .bind("name", source.name()).bind("sha", source.sha256()).bind("target", rejectsTemporary));
        staged.add(new ReadOutcome.StagedFile(rejectsTemporary, rejectsTarget));
        return new ReadOutcome(format, rowsRead, accepted, rejected, duplicates, byPeriod, staged);
    }

    private static void mkdirs(Path directory) {
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create " + directory + ": " + e.getMessage(), e);
        }
    }

    /** The header row of a CSV input, read without trusting its name. */
    record Header(List<String> columnList, boolean gzip) {
        Set<String> columns() {
            return new LinkedHashSet<>(columnList);
        }

        static Header read(SourceFile source) {
            try (InputStream raw = new BufferedInputStream(Files.newInputStream(source.path()))) {
                raw.mark(2);
                int first = raw.read();
                int second = raw.read();
                raw.reset();
                if (first == -1) {
                    throw new FileRejectedException(RejectReason.EMPTY_FILE, source.name() + " is empty (0 bytes)");
                }
                boolean gzip = first == 0x1f && second == 0x8b;
                try (InputStream in = gzip ? new GZIPInputStream(raw) : raw) {
                    String line = firstLine(in, source);
                    if (line.isBlank()) {
                        throw new FileRejectedException(RejectReason.EMPTY_FILE, source.name() + " has an empty first line; expected a header row");
                    }
                    List<String> columns = new ArrayList<>();
                    for (String cell : line.split(",", -1)) {
                        String name = cell.strip();
                        if (name.length() >= 2 && name.startsWith("\"") && name.endsWith("\"")) {
                            name = name.substring(1, name.length() - 1).replace("\"\"", "\"");
                        }
                        columns.add(name);
                    }
                    return new Header(columns, gzip);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read " + source.name() + ": " + e.getMessage(), e);
            }
        }

        private static String firstLine(InputStream in, SourceFile source) throws IOException {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) != -1 && b != '\n') {
                if (bytes.size() >= HEADER_LIMIT) {
                    throw new FileRejectedException(RejectReason.UNKNOWN_FORMAT, source.name()
                            + " has no line break in its first " + HEADER_LIMIT + " bytes; not a CSV with a header row");
                }
                bytes.write(b);
            }
            byte[] line = bytes.toByteArray();
            int start = line.length >= 3 && (line[0] & 0xff) == 0xef && (line[1] & 0xff) == 0xbb && (line[2] & 0xff) == 0xbf ? 3 : 0;
            try {
                return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .decode(java.nio.ByteBuffer.wrap(line, start, line.length - start)).toString().replace("\r", "");
            } catch (CharacterCodingException e) {
                throw new FileRejectedException(RejectReason.INVALID_ENCODING, source.name()
                        + " line 1: the header is not valid UTF-8");
            }
        }
    }
}
