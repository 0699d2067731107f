package dev.apportion.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Bad input never crashes a run and never passes silently: row errors land in the rejects with file, line,
 * column and reason; whole-file problems move the file to {@code rejected/} with a reason file; counts
 * reconcile (read = accepted + rejected + duplicate) and ingest exits 5.
 */
class BadInputIT {
    static final String HEADER = "request_id,occurred_at,provider,model,consumer_id,input_tokens,cache_read_tokens,output_tokens\n";

    @TempDir
    Path directory;

    @Test
    void ingest_badRows_areRejectedWithTheirLineAndColumn() throws Exception {
        TestHome test = TestHome.init(directory);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        log.writeBytes((HEADER
                + "ok-1,2026-05-01T00:00:00Z,openai,gpt-4o,tenant:A,100,10,5\n"
                + "neg-1,2026-05-01T00:00:01Z,openai,gpt-4o,tenant:A,-5,0,5\n"
                + "ok-2,2026-05-01T00:00:02Z,openai,gpt-4o,tenant:\"\"B\"\",100,0,5\n").getBytes(StandardCharsets.UTF_8));
        log.writeBytes("bad-utf8,2026-05-01T00:00:03Z,openai,gpt-4o,tenant:".getBytes(StandardCharsets.UTF_8));
        log.write(0xff);
        log.write(0xfe);
        log.writeBytes((",1,0,1\n"
                + "cache-1,2026-05-01T00:00:04Z,openai,gpt-4o,tenant:A,10,11,1\n"
                + "time-1,yesterday,openai,gpt-4o,tenant:A,10,0,1\n"
                + "ok-1,2026-05-01T00:00:05Z,openai,gpt-4o,tenant:A,100,0,5\n"
                + "ok-3,2026-05-01T00:00:06Z,openai,gpt-4o,tenant:C,7,0,1\n").getBytes(StandardCharsets.UTF_8));
        test.drop("requests.csv", log.toByteArray());

        assertThat(test.run("ingest", "--home", directory.toString())).as(test.lastErr).isEqualTo(5);

        JsonNode record = onlyRecord(test);
        assertThat(record.path("rowsRead").asLong()).isEqualTo(8);
        assertThat(record.path("rowsAccepted").asLong()).isEqualTo(3);
        assertThat(record.path("rowsRejected").asLong()).isEqualTo(4);
        assertThat(record.path("rowsDuplicate").asLong()).isEqualTo(1);

        assertThat(rejects(test, record)).containsExactlyInAnyOrder(
                List.of("line 3", "input_tokens", "negative_value"),
                List.of("line 5", "consumer_id", "invalid_encoding"),
                List.of("line 6", "cache_read_tokens", "cache_exceeds_input"),
                List.of("line 7", "occurred_at", "invalid_timestamp"),
                List.of("line 8", "request_id", "duplicate"));
        assertThat(Files.exists(test.home.archived(record.path("sha256").asString(), "requests.csv"))).isTrue();
        assertThat(test.home.inbox()).isEmptyDirectory();
    }

    @Test
    void ingest_fileTheParserReadsWhole_namesEachRejectByItsLine() throws Exception {
        TestHome test = TestHome.init(directory);
        test.drop("requests.csv", HEADER
                + "ok-1,2026-05-01T00:00:00Z,openai,gpt-4o,tenant:A,100,10,5\n"
                + "neg-1,2026-05-01T00:00:01Z,openai,gpt-4o,tenant:A,-5,0,5\n"
                + "ok-2,2026-05-01T00:00:02Z,openai,gpt-4o,tenant:B,100,0,5\n"
                + "ok-1,2026-05-01T00:00:05Z,openai,gpt-4o,tenant:A,100,0,5\n"
                + "time-1,yesterday,openai,gpt-4o,tenant:A,10,0,1\n"
                + "ok-3,2026-05-01T00:00:06Z,openai,gpt-4o,tenant:C,7,0,1\n");

        assertThat(test.run("ingest", "--home", directory.toString())).as(test.lastErr).isEqualTo(5);

        JsonNode record = onlyRecord(test);
        assertThat(counts(record)).containsExactly(6L, 3L, 2L, 1L);
        assertThat(rejects(test, record)).containsExactlyInAnyOrder(
                List.of("line 3", "input_tokens", "negative_value"),
                List.of("line 5", "request_id", "duplicate"),
                List.of("line 6", "occurred_at", "invalid_timestamp"));
        assertThat(sourceLines(test)).containsExactly(List.of("ok-1", 2L), List.of("ok-2", 4L), List.of("ok-3", 7L));
    }

    @Test
    void ingest_lineBreakInsideAQuotedCell_numbersLaterRecordsByTheirPhysicalLine() throws Exception {
        TestHome test = TestHome.init(directory);
        test.drop("requests.csv", "request_id,occurred_at,provider,model,consumer_id,input_tokens,cache_read_tokens,output_tokens,note\n"
                + "ok-1,2026-05-01T00:00:00Z,openai,gpt-4o,tenant:A,100,10,5,\"two\nlines\"\n"
                + "neg-1,2026-05-01T00:00:01Z,openai,gpt-4o,tenant:A,-5,0,5,\n"
                + "ok-2,2026-05-01T00:00:02Z,openai,gpt-4o,tenant:B,100,0,5,\"three\nphysical\nlines\"\n"
                + "time-1,yesterday,openai,gpt-4o,tenant:A,10,0,1,\n");

        assertThat(test.run("ingest", "--home", directory.toString())).as(test.lastErr).isEqualTo(5);

        JsonNode record = onlyRecord(test);
        assertThat(counts(record)).containsExactly(4L, 2L, 2L, 0L);
        assertThat(rejects(test, record)).containsExactlyInAnyOrder(
                List.of("line 4", "input_tokens", "negative_value"),
                List.of("line 8", "occurred_at", "invalid_timestamp"));
        assertThat(sourceLines(test)).containsExactly(List.of("ok-1", 2L), List.of("ok-2", 5L));
    }

    @Test
    void close_absurdAmounts_areRejectedOrLeftUnpriced_neverAnInternalError() throws Exception {
        // Both rows below overflowed pricing's 128-bit arithmetic, and the close ended in an internal error (exit 4) on
        // every rerun. A logged cost of a million dollars or more is a unit mistake (micro-dollars logged as dollars):
        // refused at ingest, and so is a count of a trillion tokens or more. A request whose tokens times its highest price
        // reach ten million dollars stays unpriced.
        TestHome test = TestHome.init(directory);
        test.drop("october-invoice.csv", WorkedExampleIT.FOCUS_HEADER + ReconciliationIT.CLEAN_INVOICE);
        test.drop("october-requests.csv", ReconciliationIT.REQUEST_HEADER.strip() + ",logged_cost_usd\n"
                + ReconciliationIT.request("r1", "2026-10-01T09:00:00Z", "gpt-4o", 1_000_000).strip() + ",2.5\n"
                + ReconciliationIT.request("r7", "2026-10-07T23:59:59.999Z", "gpt-4o", 400_000).strip() + ",999999.999999999999\n"
                + ReconciliationIT.request("r8", "2026-10-08T00:00:00Z", "gpt-4o", 400_000).strip() + ",\n"
                + ReconciliationIT.request("nano", "2026-10-01T10:00:00Z", "gpt-4o", 1_000).strip() + ",123456789.123456789012\n"
                + ReconciliationIT.request("micro", "2026-10-01T11:00:00Z", "gpt-4o", 1_000).strip() + ",-1000000\n"
                + ReconciliationIT.request("huge", "2026-10-01T12:00:00Z", "gpt-4o", 999_999_999_999_999_999L).strip() + ",0.5\n"
                // gpt-4o's output price is 10 per million tokens: (999999999999 + 1) x 0.00001 = 10^7, priced no more.
                + "dear,2026-10-01T13:00:00Z,openai,gpt-4o,acct-1,svc-1,tenant:T-1,999999999999,1,0.5\n");

        // 5: published, and this run's ingest rejected rows.
        assertThat(test.run("close", "--period", "2026-10", "--home", directory.toString())).as(test.lastErr).isEqualTo(5);

        JsonNode record = recordOf(test, "october-requests.csv");
        assertThat(counts(record)).containsExactly(7L, 4L, 3L, 0L);
        assertThat(rejects(test, record)).containsExactly(
                List.of("line 5", "logged_cost_usd", "out_of_range"),
                List.of("line 6", "logged_cost_usd", "out_of_range"),
                List.of("line 7", "input_tokens", "out_of_range"));
        // dear's input and output lines
        assertThat(test.lastOut).contains("unpriced   2 of 5 cost lines (cost_out_of_range 2)");
        JsonNode manifest = JsonMapper.builder().build().readTree(test.home.close(java.time.YearMonth.of(2026, 10), 1).resolve("manifest.json").toFile());
        assertThat(manifest.path("pricing").path("unpricedLinesByReason").path("cost_out_of_range").asLong()).isEqualTo(2);
    }

    @Test
    void close_billingLinesBeyondTheBounds_areRejected_andLinesAtTheBoundsCloseToTheCent() throws Exception {
        // A bill of 10^20 used to pass ingest and end the close in an internal error (exit 4) in reconciliation; one of
        // 10^12 in the report. Costs and unit prices must be below 10^12, quantities below 10^15.
        TestHome test = TestHome.init(directory);
        test.drop("october-invoice.csv", WorkedExampleIT.FOCUS_HEADER
                + ReconciliationIT.inputLine(1, 1_000_000, "2.5")
                // at the bounds: 999999999999999 tokens at 1000 per million bill 999999999999.999
                + ReconciliationIT.inputLine(2, 999_999_999_999_999L, "1000")
                // 10^12 tokens at a million per million bill 10^12
                + ReconciliationIT.inputLine(3, 1_000_000_000_000L, "1000000")
                // 10^15 tokens at 0.000001 per million bill 0.001
                + ReconciliationIT.inputLine(4, 1_000_000_000_000_000L, "0.000001")
                // a bill of 30 digits, beyond even DECIMAL(38, 18)
                + ReconciliationIT.inputLine(5, 1_000_000, "123456789012345678901234567890"));
        test.drop("october-requests.csv", ReconciliationIT.REQUEST_HEADER
                + ReconciliationIT.request("r1", "2026-10-01T09:00:00Z", "gpt-4o", 1_000_000)
                + ReconciliationIT.request("r2", "2026-10-02T09:00:00Z", "gpt-4o", 999_999_999_999L)
                + ReconciliationIT.request("r3", "2026-10-02T10:00:00Z", "gpt-4o", 1_000_000_000_000L));

        assertThat(test.run("close", "--period", "2026-10", "--accept-variance", "--home", directory.toString())).as(test.lastErr).isEqualTo(5);

        JsonNode invoice = recordOf(test, "october-invoice.csv");
        assertThat(counts(invoice)).containsExactly(5L, 2L, 3L, 0L);
        assertThat(rejects(test, invoice)).containsExactly(
                List.of("line 4", "BilledCost", "out_of_range"),
                List.of("line 5", "ConsumedQuantity", "out_of_range"),
                List.of("line 6", "BilledCost", "out_of_range"));
        JsonNode requests = recordOf(test, "october-requests.csv");
        assertThat(counts(requests)).containsExactly(3L, 2L, 1L, 0L);
        assertThat(rejects(test, requests)).containsExactly(List.of("line 4", "input_tokens", "out_of_range"));
        assertThat(Files.readString(test.home.close(java.time.YearMonth.of(2026, 10), 1).resolve("rejects.csv")))
                .contains("line 4,BilledCost,out_of_range,BilledCost must be below 10^12 in absolute value");

        // Conservation at the bound: 2.5 + 999999999999.999, to the last digit.
        Path focus = test.home.close(java.time.YearMonth.of(2026, 10), 1).resolve("focus/cost-and-usage.parquet");
        assertThat((java.math.BigDecimal) TestHome.query("SELECT sum(BilledCost) FROM read_parquet('" + focus + "')").get(0).get(0))
                .isEqualByComparingTo("1000000000002.499");
        assertThat(test.run("verify", "--period", "2026-10", "--home", directory.toString())).as(test.lastErr).isEqualTo(0);
    }

    @Test
    void ingest_missingRequiredColumn_rejectsTheWholeFile() throws Exception {
        TestHome test = TestHome.init(directory);
        test.drop("no-output.csv", "request_id,occurred_at,provider,model,input_tokens\nr1,2026-05-01T00:00:00Z,openai,gpt-4o,1\n");

        assertThat(test.run("ingest", "--home", directory.toString())).isEqualTo(5);

        Path reason = onlyRejected(test, ".error.txt");
        assertThat(Files.readString(reason)).contains("no-output.csv").contains("output_tokens").contains("missing_column");
    }

    @Test
    void ingest_headerOnlyFile_isRejectedWhole() throws Exception {
        TestHome test = TestHome.init(directory);
        test.drop("empty-month.csv", HEADER);

        assertThat(test.run("ingest", "--home", directory.toString())).isEqualTo(5);

        assertThat(Files.readString(onlyRejected(test, ".error.txt"))).contains("header_only").contains("empty-month.csv");
    }

    @Test
    void ingest_sameBytesTwice_isANoOp() throws Exception {
        TestHome test = TestHome.init(directory);
        String content = HEADER + "ok-1,2026-05-01T00:00:00Z,openai,gpt-4o,tenant:A,100,10,5\n";
        test.drop("a.csv", content);
        assertThat(test.run("ingest", "--home", directory.toString())).isZero();
        test.drop("a-again.csv", content);

        assertThat(test.run("ingest", "--home", directory.toString())).isZero();

        assertThat(test.lastOut).contains("identical 1");
        assertThat(onlyRecord(test).path("rowsAccepted").asLong()).isEqualTo(1);
        assertThat(test.home.inbox()).isEmptyDirectory();
    }

    @Test
    void commands_withoutHome_exitWithUsageError() {
        TestHome test = new TestHomeWithoutInit().test;
        assertThat(test.run("ingest")).isEqualTo(2);
        assertThat(test.lastErr).contains("--home").doesNotContain("Exception");
        assertThat(test.run("close", "--period", "2026-13", "--home", directory.toString())).isEqualTo(2);
    }

    /** Rows read, accepted, rejected and duplicate, from the file's ingest record. */
    private static List<Long> counts(JsonNode record) {
        return List.of(record.path("rowsRead").asLong(), record.path("rowsAccepted").asLong(),
                record.path("rowsRejected").asLong(), record.path("rowsDuplicate").asLong());
    }

    /** Each accepted request with the line it was read from, as the ledger keeps it (cast: the general path types it as a decimal, the streamed one as BIGINT). */
    private static List<List<Object>> sourceLines(TestHome test) throws Exception {
        return TestHome.query("SELECT request_id, CAST(source_line AS BIGINT) FROM read_parquet('" + test.home.ledgerPartition(java.time.YearMonth.of(2026, 5))
                + "/*.parquet') ORDER BY source_line");
    }

    private static List<List<Object>> rejects(TestHome test, JsonNode record) throws Exception {
        return TestHome.query("SELECT location, \"column\", reason_code FROM read_parquet('"
                + test.home.rowRejects().resolve(record.path("sha256").asString() + ".parquet") + "') ORDER BY location");
    }

    private static JsonNode recordOf(TestHome test, String fileName) throws Exception {
        try (Stream<Path> records = Files.list(test.home.ingestedRecords())) {
            for (Path file : records.toList()) {
                JsonNode record = JsonMapper.builder().build().readTree(Files.readAllBytes(file));
                if (record.path("name").asString().equals(fileName)) {
                    return record;
                }
            }
        }
        throw new AssertionError("no ingest record for " + fileName);
    }

    private static JsonNode onlyRecord(TestHome test) throws Exception {
        try (Stream<Path> records = Files.list(test.home.ingestedRecords())) {
            List<Path> files = records.toList();
            assertThat(files).hasSize(1);
            return JsonMapper.builder().build().readTree(Files.readAllBytes(files.get(0)));
        }
    }

    private static Path onlyRejected(TestHome test, String suffix) throws Exception {
        try (Stream<Path> files = Files.list(test.home.rejected())) {
            List<Path> matching = files.filter(path -> path.toString().endsWith(suffix)).toList();
            assertThat(matching).hasSize(1);
            return matching.get(0);
        }
    }

    /** A TestHome whose directory was never initialised. */
    private final class TestHomeWithoutInit {
        final TestHome test = TestHome.uninitialised(directory);
    }
}
