package dev.apportion.readers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.apportion.ledger.AtomicFiles;
import dev.apportion.ledger.DuckDbSession;
import dev.apportion.ledger.Home;
import dev.apportion.ledger.LedgerFiles;
import dev.apportion.ledger.Sql;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every container of a format reads to the same records; messy but legitimate exports are accepted. */
class ReaderFormatsTest {
    static final String CSV = "request_id,occurred_at,provider,model,consumer_id,input_tokens,cache_read_tokens,output_tokens,team\n"
            + "r1,2026-05-01T10:00:00Z,openai,gpt-4o,tenant:A,17903,17817,188,search\n"
            + "r2,2026-05-02T11:30:00+02:00,anthropic,claude-sonnet-4,tenant:B,1000,0,50,\n"
            + "r3,2026-05-03T00:00:00Z,openai,gpt-4o-mini,NULL,10,0,1,NULL\n";
    static final String JSONL = """
            {"request_id":"r1","occurred_at":"2026-05-01T10:00:00Z","provider":"openai","model":"gpt-4o","consumer_id":"tenant:A","input_tokens":17903,"cache_read_tokens":17817,"output_tokens":188,"team":"search"}
            {"request_id":"r2","occurred_at":"2026-05-02T11:30:00+02:00","provider":"anthropic","model":"claude-sonnet-4","consumer_id":"tenant:B","input_tokens":1000,"cache_read_tokens":0,"output_tokens":50}
            {"request_id":"r3","occurred_at":"2026-05-03T00:00:00Z","provider":"openai","model":"gpt-4o-mini","consumer_id":null,"input_tokens":10,"output_tokens":1,"team":null}
            """;

    @TempDir
    Path directory;

    /** The accepted rows of one file, without the columns naming the source, and the rejects. */
    record Read(InputFormat format, List<List<String>> rows, List<List<String>> rejects, ReadOutcome outcome) {
    }

    private Read read(String name, byte[] content) throws IOException {
        return read(name, content, List.of(), List.of());
    }

    private Read read(String name, byte[] content, List<Path> committedLedger, List<Path> committedInvoices) throws IOException {
        Path file = Files.write(directory.resolve(name), content);
        Home home = new Home(directory.resolve("home"));
        try (DuckDbSession db = DuckDbSession.open(directory)) {
            ReadOutcome outcome = Readers.read(db, home, new SourceFile(file, name, "sha-" + name), committedLedger, committedInvoices);
            List<List<String>> rows = new ArrayList<>();
            db.query("SELECT * EXCLUDE (period, source_sha256, source_line" + (outcome.format().kind() == InputFormat.Kind.BILLING
                    ? ", source_format" : "") + ") FROM accepted ORDER BY source_line", row -> {
                        List<String> values = new ArrayList<>();
                        for (int i = 1; i <= row.getMetaData().getColumnCount(); i++) {
                            values.add(row.getString(i));
                        }
                        rows.add(values);
                    });
            List<List<String>> rejects = new ArrayList<>();
            db.query("SELECT location, \"column\", reason_code, reason FROM rejects ORDER BY location",
                    row -> rejects.add(List.of(row.getString(1), String.valueOf(row.getString(2)), row.getString(3), row.getString(4))));
            for (ReadOutcome.StagedFile staged : outcome.staged()) {
                AtomicFiles.move(staged.temporary(), staged.target());
            }
            return new Read(outcome.format(), rows, rejects, outcome);
        }
    }

    private byte[] parquet(String selectSql) {
        Path file = directory.resolve("made-" + System.nanoTime() + ".parquet");
        try (DuckDbSession db = DuckDbSession.open(directory)) {
            db.execute(Sql.of("COPY (" + selectSql + ") TO ${file} (FORMAT parquet)").bind("file", file));
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static byte[] gzip(byte[] content) throws IOException {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (OutputStream out = new GZIPOutputStream(bytes)) {
            out.write(content);
        }
        return bytes.toByteArray();
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void requestLog_csvSemicolonCrlfBomJsonLinesParquetAndGzip_readToTheSameEvents() throws IOException {
        Read csv = read("a.csv", utf8(CSV));
        assertThat(csv.format()).isEqualTo(InputFormat.REQUEST_LOG_CSV);
        assertThat(csv.rejects()).isEmpty();
        assertThat(csv.rows()).hasSize(3);

        String semicolons = "\uFEFF" + CSV.replace(",", ";").replace("\n", "\r\n");
        assertThat(read("b.txt", utf8(semicolons)).rows()).isEqualTo(csv.rows());
        assertThat(read("c.bin", gzip(utf8(CSV))).rows()).isEqualTo(csv.rows());

        Read jsonl = read("d.jsonl", utf8(JSONL));
        assertThat(jsonl.format()).isEqualTo(InputFormat.REQUEST_LOG_JSONL);
        assertThat(jsonl.rows()).isEqualTo(csv.rows());

        Path source = Files.writeString(directory.resolve("source.csv"), CSV);
        Read parquet = read("e.parquet", parquet("SELECT request_id, CAST(occurred_at AS TIMESTAMPTZ) AS occurred_at, provider, model, "
                + "nullif(consumer_id, 'NULL') AS consumer_id, CAST(input_tokens AS BIGINT) AS input_tokens, "
                + "CAST(cache_read_tokens AS INTEGER) AS cache_read_tokens, CAST(output_tokens AS BIGINT) AS output_tokens, "
                + "nullif(team, 'NULL') AS team FROM read_csv('" + source + "', all_varchar = true)"));
        assertThat(parquet.format()).isEqualTo(InputFormat.REQUEST_LOG_PARQUET);
        assertThat(parquet.rows()).isEqualTo(csv.rows());
    }

    @Test
    void requestLog_spacesAroundCells_areTrimmed_asciiSpacesAndUnicodeSpaces() throws IOException {
        List<List<String>> plain = read("plain.csv", utf8(CSV)).rows();
        // An all-ASCII file takes the cheap test (a cell starts or ends with ' '); any other byte, trim() on every cell.
        Read ascii = read("ascii.csv", utf8(padCells(CSV, "  ", " ")));
        assertThat(ascii.rejects()).isEmpty();
        assertThat(ascii.rows()).isEqualTo(plain);
        Read unicode = read("unicode.csv", utf8(padCells(CSV, "\u00a0", "\u3000")));
        assertThat(unicode.rejects()).isEmpty();
        assertThat(unicode.rows()).isEqualTo(plain);
        // Inner non-ASCII text is kept as it is.
        Read inner = read("inner.csv", utf8(CSV.replace("tenant:A", " tenant:Zürich ")));
        assertThat(inner.rows().get(0)).contains("tenant:Zürich");
    }

    /** Every cell after the header with {@code before} and {@code after} around it. */
    private static String padCells(String csv, String before, String after) {
        List<String> lines = csv.lines().toList();
        StringBuilder padded = new StringBuilder(lines.get(0)).append('\n');
        for (String line : lines.subList(1, lines.size())) {
            padded.append(java.util.Arrays.stream(line.split(",", -1)).map(cell -> before + cell + after)
                    .collect(java.util.stream.Collectors.joining(","))).append('\n');
        }
        return padded.toString();
    }

    @Test
    void requestLog_extraColumnsAreTagsAndNullLiteralsAreEmpty() throws IOException {
        Read csv = read("a.csv", utf8(CSV));
        // consumer_id NULL is empty (unattributed); the extra column team is carried as a tag when it has a value.
        assertThat(csv.rows().get(2)).contains((String) null);
        List<String> tags = csv.rows().stream().map(row -> row.get(row.size() - 1)).toList();
        assertThat(tags).containsExactly("{\"team\":\"search\"}", null, null);
    }

    @Test
    void requestLog_badRowsAreRejectedWithLineColumnAndReason() throws IOException {
        Read read = read("bad.csv", utf8("request_id,occurred_at,provider,model,input_tokens,output_tokens\n"
                + "r1,2026-05-01 10:00:00,openai,gpt-4o,10,1\n"
                + "r2,2026-05-01T10:00:00Z,openai,gpt-4o,ten,1\n"
                + "r3,2026-05-01T10:00:00Z,openai,gpt-4o,10,1\n"
                + "r4,2026-05-01T10:00:00Z,openai,gpt-4o,10"));
        assertThat(read.rejects()).extracting(row -> row.subList(0, 3)).containsExactly(
                List.of("line 2", "occurred_at", "invalid_timestamp"),
                List.of("line 3", "input_tokens", "invalid_integer"),
                List.of("line 5", "output_tokens", "malformed_row"));
        assertThat(read.outcome().rowsRead()).isEqualTo(4);
        assertThat(read.outcome().rowsAccepted()).isEqualTo(1);
    }

    @Test
    void requestLog_duplicateAcrossFiles_isADuplicateNotDoubleCounted() throws IOException {
        read("first.csv", utf8(CSV));
        List<Path> ledger = List.of(new Home(directory.resolve("home")).ledgerPartition(YearMonth.of(2026, 5)).resolve("sha-first.csv.parquet"));
        Read second = read("second.csv", utf8(CSV.replace("r3,", "r9,")), ledger, List.of());
        assertThat(second.outcome().rowsDuplicate()).isEqualTo(2);
        assertThat(second.outcome().rowsAccepted()).isEqualTo(1);
        assertThat(second.rejects()).extracting(row -> row.get(2)).containsOnly("duplicate");
    }

    @Test
    void jsonLines_malformedLineIsRejectedAndAnUnknownShapeNamesItsKeys() throws IOException {
        Read read = read("a.jsonl", utf8(JSONL + "{\"request_id\": \"r4\", \n"));
        assertThat(read.rejects()).extracting(row -> row.subList(0, 3)).containsExactly(List.of("line 4", "null", "malformed_row"));
        assertThat(read.rows()).hasSize(3);

        assertThatThrownBy(() -> read("b.jsonl", utf8("{\"event\":\"click\",\"at\":1}\n{\"event\":\"view\",\"at\":2}\n")))
                .isInstanceOf(FileRejectedException.class).hasMessageContaining("b.jsonl")
                .hasMessageContaining("first record has the keys event, at");
        assertThatThrownBy(() -> read("c.json", utf8("{\"object\": \"list\", \"things\": []}")))
                .isInstanceOf(FileRejectedException.class).hasMessageContaining("JSON document of an unknown shape (object, object=list, things)");
    }

    static final String FOCUS = "BilledCost,BillingAccountId,BillingCurrency,BillingPeriodStart,BillingPeriodEnd,ChargeCategory,"
            + "ChargePeriodStart,ChargePeriodEnd,InvoiceIssuerName,ServiceName,ServiceProviderName,SkuMeter,SkuPriceDetails,"
            + "ConsumedQuantity,RegionId,x_VendorColumn\n"
            + "1.50,acct,USD,2026-05-01 00:00:00,2026-06-01 00:00:00,Usage,2026-05-02 00:00:00,2026-05-03 00:00:00,"
            + "OpenAI,OpenAI API,OpenAI,Output Tokens,\"{\"\"x_ModelId\"\":\"\"gpt-4o\"\"}\",150000,NULL,abc\n"
            + "12.00,acct,USD,2026-05-01T00:00:00Z,2026-06-01T00:00:00Z,Usage,2026-05-02T00:00:00Z,2026-05-03T00:00:00Z,"
            + "Amazon Web Services,Amazon EC2,AWS,NULL,NULL,24,us-east-1,def\n";

    @Test
    void focus_sqlToolExportsWithNullLiteralsNoZoneDatetimesExtraColumnsAndNonAiServices_areAccepted() throws IOException {
        Read read = read("export.csv", utf8(FOCUS));
        assertThat(read.format()).isEqualTo(InputFormat.FOCUS_CSV);
        assertThat(read.rejects()).isEmpty();
        assertThat(read.outcome().rowsAccepted()).isEqualTo(2);
        try (DuckDbSession db = DuckDbSession.open(directory)) {
            List<String> lines = new ArrayList<>();
            db.query("SELECT strftime(ChargePeriodStart, '%Y-%m-%dT%H:%M:%SZ'), provider, model, token_type, RegionId, ServiceName FROM read_parquet('"
                    + new Home(directory.resolve("home")).invoicePartition(YearMonth.of(2026, 5)).resolve("sha-export.csv.parquet")
                    + "') ORDER BY source_line", row -> lines.add(row.getString(1) + "|" + row.getString(2) + "|" + row.getString(3)
                    + "|" + row.getString(4) + "|" + row.getString(5) + "|" + row.getString(6)));
            assertThat(lines).containsExactly("2026-05-02T00:00:00Z|openai|gpt-4o|output|null|OpenAI API",
                    "2026-05-02T00:00:00Z|aws|null|null|us-east-1|Amazon EC2");
        }
    }

    @Test
    void focus_parquetReadsLikeCsvWithTheSameAnchors() throws IOException {
        Read csv = read("export.csv", utf8(FOCUS));
        Path source = Files.writeString(directory.resolve("focus-source.csv"), FOCUS);
        Read parquet = read("export.parquet", parquet("SELECT CAST(BilledCost AS DECIMAL(18, 2)) AS BilledCost, BillingAccountId, BillingCurrency, "
                + "CAST(BillingPeriodStart AS TIMESTAMPTZ) AS BillingPeriodStart, CAST(BillingPeriodEnd AS TIMESTAMPTZ) AS BillingPeriodEnd, "
                + "ChargeCategory, CAST(ChargePeriodStart AS TIMESTAMPTZ) AS ChargePeriodStart, "
                + "CAST(ChargePeriodEnd AS TIMESTAMPTZ) AS ChargePeriodEnd, InvoiceIssuerName, ServiceName, ServiceProviderName, "
                + "nullif(SkuMeter, 'NULL') AS SkuMeter, nullif(SkuPriceDetails, 'NULL') AS SkuPriceDetails, "
                + "CAST(ConsumedQuantity AS DECIMAL(38, 6)) AS ConsumedQuantity, nullif(RegionId, 'NULL') AS RegionId "
                + "FROM read_csv('" + source + "', all_varchar = true)"));
        assertThat(parquet.format()).isEqualTo(InputFormat.FOCUS_PARQUET);
        assertThat(parquet.rejects()).isEmpty();
        assertThat(parquet.rows()).isEqualTo(csv.rows());
    }

    @Test
    void focus_currencyNotIso4217OrDifferentFromThePeriods_isRejected() throws IOException {
        String lines = FOCUS.replace("12.00,acct,USD,", "12.00,acct,EUR,") + FOCUS.lines().skip(1).findFirst().orElseThrow()
                .replace("1.50,acct,USD", "2.50,acct,XYZ").replace("OpenAI API", "OpenAI Batch") + "\n";
        Read read = read("mixed.csv", utf8(lines));
        assertThat(read.rejects()).extracting(row -> row.subList(0, 3)).containsExactly(
                List.of("line 3", "BillingCurrency", "currency_differs"),
                List.of("line 4", "BillingCurrency", "invalid_value"));
        assertThat(read.rejects().get(0).get(3)).contains("EUR").contains("USD").contains("2026-05");
        assertThat(read.outcome().rowsAccepted()).isEqualTo(1);
    }

    @Test
    void correction_goesToTheOriginalsPeriodAndAnUnknownTargetIsRejected() throws IOException {
        read("may.csv", utf8("request_id,occurred_at,provider,model,input_tokens,output_tokens\n"
                + "r1,2026-05-31T23:00:00Z,openai,gpt-4o,1000,10\n"));
        List<Path> ledger = List.of(new Home(directory.resolve("home")).ledgerPartition(YearMonth.of(2026, 5)).resolve("sha-may.csv.parquet"));
        Read june = read("june.csv", utf8("request_id,occurred_at,provider,model,input_tokens,output_tokens,corrects_request_id\n"
                + "r1-fix,2026-06-02T08:00:00Z,openai,gpt-4o,900,10,r1\n"
                + "r7,2026-06-02T09:00:00Z,openai,gpt-4o,50,5,\n"
                + "r7-fix,2026-06-02T10:00:00Z,openai,gpt-4o,40,5,r7\n"
                + "rx-fix,2026-06-02T11:00:00Z,openai,gpt-4o,40,5,rx\n"), ledger, List.of());
        assertThat(june.outcome().acceptedByPeriod()).containsEntry(YearMonth.of(2026, 5), 1L).containsEntry(YearMonth.of(2026, 6), 2L);
        assertThat(june.rejects()).extracting(row -> row.subList(0, 3))
                .containsExactly(List.of("line 5", "corrects_request_id", "unknown_correction_target"));
        try (DuckDbSession db = DuckDbSession.open(directory)) {
            List<String> fix = new ArrayList<>();
            db.query("SELECT strftime(occurred_at, '%Y-%m-%dT%H:%M:%SZ'), tags FROM read_parquet('" + new Home(directory.resolve("home"))
                    .ledgerPartition(YearMonth.of(2026, 5)).resolve("sha-june.csv.parquet") + "')", row -> {
                        fix.add(row.getString(1));
                        fix.add(row.getString(2));
                    });
            assertThat(fix).containsExactly("2026-05-31T23:00:00Z", "{\"corrected_at\":\"2026-06-02T08:00:00.000000Z\"}");
        }
    }

    @Test
    void requestLog_aCleanLogsCheckedFileIsItsLedgerFile_andEveryLedgerFileReadsWithTheLinesOfItsRecords() throws IOException {
        // Clean, read in one streamed pass: records on lines 2, 3, 4, numbered by their order.
        Read streamed = read("streamed.csv", utf8(CSV));
        // Clean, but a quoted cell spans lines 3 and 4: the general path, which knows each record's line.
        Read general = read("general.csv", utf8("request_id,occurred_at,provider,model,input_tokens,output_tokens,feature\n"
                + "g1,2026-05-01T00:00:00Z,openai,gpt-4o,10,1,a\n"
                + "g2,2026-05-01T00:00:00Z,openai,gpt-4o,10,1,\"two\nlines\"\n"
                + "g3,2026-05-01T00:00:00Z,openai,gpt-4o,10,1,c\n"));
        Read jsonLines = read("lines.jsonl", utf8(JSONL));
        // Line 3 is invalid: the accepted rows are copied, each with its line.
        Read copied = read("copied.csv", utf8("request_id,occurred_at,provider,model,input_tokens,output_tokens\n"
                + "c1,2026-05-01T00:00:00Z,openai,gpt-4o,10,1\n"
                + "c2,2026-05-01T00:00:00Z,openai,gpt-4o,ten,1\n"
                + "c3,2026-05-01T00:00:00Z,openai,gpt-4o,10,1\n"));
        for (Read clean : List.of(streamed, general, jsonLines)) {
            assertThat(clean.outcome().staged().get(0).temporary().getFileName().toString()).endsWith("request-checked.parquet");
        }
        assertThat(copied.outcome().staged().get(0).temporary().getFileName().toString()).doesNotContain("request-checked");

        Path partition = new Home(directory.resolve("home")).ledgerPartition(YearMonth.of(2026, 5));
        List<Path> files = List.of("sha-streamed.csv", "sha-general.csv", "sha-lines.jsonl", "sha-copied.csv").stream()
                .map(sha -> partition.resolve(sha + ".parquet")).toList();
        try (DuckDbSession db = DuckDbSession.open(directory)) {
            String ledger = LedgerFiles.relation(db, files);
            List<String> lines = new ArrayList<>();
            db.query("SELECT source_sha256 || ' ' || request_id || ' line ' || source_line FROM " + ledger + " ORDER BY 1",
                    row -> lines.add(row.getString(1)));
            assertThat(lines).containsExactly("sha-copied.csv c1 line 2", "sha-copied.csv c3 line 4",
                    "sha-general.csv g1 line 2", "sha-general.csv g2 line 3", "sha-general.csv g3 line 5",
                    "sha-lines.jsonl r1 line 1", "sha-lines.jsonl r2 line 2", "sha-lines.jsonl r3 line 3",
                    "sha-streamed.csv r1 line 2", "sha-streamed.csv r2 line 3", "sha-streamed.csv r3 line 4");
            List<String> columns = new ArrayList<>();
            db.query("DESCRIBE SELECT * FROM " + ledger, row -> columns.add(row.getString(1)));
            assertThat(columns).doesNotContain("problem", "_location", "_position", "_line_break", "source_first_line", "file_row_number")
                    .contains("request_id", "occurred_at", "consumer_id", "tags", "source_sha256", "source_line");
        }
    }

    @Test
    void requestLog_periodIsTheUtcMonthAcrossOffsetsAndBeforeTheEpoch_oneLedgerFilePerPeriod() throws IOException {
        Read read = read("edges.csv", utf8("request_id,occurred_at,provider,model,input_tokens,output_tokens\n"
                + "r1,2026-05-31T23:30:00-01:00,openai,gpt-4o,10,1\n"
                + "r2,2026-06-01T00:30:00+02:00,openai,gpt-4o,10,1\n"
                + "r3,1969-12-31T23:59:59.999999Z,openai,gpt-4o,10,1\n"
                + "r4,2026-06-30T23:59:59.999999Z,openai,gpt-4o,10,1\n"));
        // r1 is 2026-06-01T00:30Z, r2 2026-05-31T22:30Z.
        Map<YearMonth, List<String>> expected = Map.of(YearMonth.of(2026, 6), List.of("r1", "r4"), YearMonth.of(2026, 5), List.of("r2"),
                YearMonth.of(1969, 12), List.of("r3"));
        assertThat(read.outcome().acceptedByPeriod()).isEqualTo(Map.of(YearMonth.of(2026, 6), 2L, YearMonth.of(2026, 5), 1L,
                YearMonth.of(1969, 12), 1L));
        try (DuckDbSession db = DuckDbSession.open(directory)) {
            for (Map.Entry<YearMonth, List<String>> period : expected.entrySet()) {
                List<String> ids = new ArrayList<>();
                db.query("SELECT request_id FROM read_parquet('" + new Home(directory.resolve("home")).ledgerPartition(period.getKey())
                        .resolve("sha-edges.csv.parquet") + "') ORDER BY request_id", row -> ids.add(row.getString(1)));
                assertThat(ids).as(period.getKey().toString()).isEqualTo(period.getValue());
            }
        }
    }

    @Test
    void emptyAndWhitespaceOnlyFiles_areRejectedWholeNamingTheFile() {
        assertThatThrownBy(() -> read("empty.csv", new byte[0]))
                .isInstanceOf(FileRejectedException.class).hasMessageContaining("empty.csv is empty (0 bytes)")
                .satisfies(e -> assertThat(((FileRejectedException) e).reason()).isEqualTo(RejectReason.EMPTY_FILE));
        assertThatThrownBy(() -> read("blank.csv", utf8("\n  \n")))
                .isInstanceOf(FileRejectedException.class).hasMessageContaining("blank.csv has no content");
    }

    @Test
    void unknownProvider_isAcceptedAndLeftToPricingWhichCallsItUnpriced() throws IOException {
        Read read = read("acme.csv", utf8("request_id,occurred_at,provider,model,input_tokens,output_tokens\n"
                + "r1,2026-05-01T10:00:00Z,acme-llm,acme-1,10,1\n"));
        assertThat(read.rejects()).isEmpty();
        assertThat(read.rows()).singleElement().satisfies(row -> assertThat(row).contains("acme-llm"));
    }
}
