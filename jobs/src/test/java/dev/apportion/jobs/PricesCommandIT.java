package dev.apportion.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.YearMonth;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code apportion prices import|list|quote|explain} against a real home, and the close pricing with what they manage. */
class PricesCommandIT {
    /** A genai-prices v2 file of one provider, with a price change on 2026-09-01. */
    static final String GENAI = """
            [{"id": "openai", "name": "OpenAI", "pricing_urls": ["https://openai.com/api/pricing/"], "api_pattern": "x",
              "models": [
                {"id": "gpt-4o", "match": {"or": [{"equals": "gpt-4o"}, {"starts_with": "gpt-4o-2024"}]},
                 "prices": [{"prices": {"input_mtok": 3, "output_mtok": 12}},
                            {"constraint": {"start_date": "2026-09-01"}, "prices": {"input_mtok": 2, "output_mtok": 8}}]}
              ]}]
            """;
    static final String LOG = "request_id,occurred_at,provider,model,input_tokens,cache_read_tokens,output_tokens\n"
            + "golden,2026-08-14T10:20:11.412Z,openai,gpt-4o-2024-08-06,17903,17817,188\n"
            + "unknown,2026-08-14T10:20:11Z,openai,gpt-9,10,0,1\n"
            + "bad,2026-08-14T10:20:11Z,openai,gpt-4o,ten,0,1\n";

    @TempDir
    Path directory;

    @Test
    void list_freshHome_showsTheBuiltInCatalogueAlone() throws Exception {
        TestHome test = TestHome.init(directory.resolve("home"));
        assertThat(test.run("prices", "list", "--home", test.home.root().toString())).as(test.lastErr).isZero();
        assertThat(test.lastOut.lines().skip(1)).singleElement().asString().startsWith("1 ").contains("apportion-default")
                .contains("built-in");
    }

    @Test
    void quote_log_pricesEveryRowWithoutIngestingIt() throws Exception {
        TestHome test = TestHome.init(directory.resolve("home"));
        Path log = Files.writeString(directory.resolve("log.csv"), LOG);

        assertThat(test.run("prices", "quote", "--file", log.toString(), "--home", test.home.root().toString())).isEqualTo(5);

        List<String> lines = test.lastOut.lines().toList();
        assertThat(lines.get(0)).isEqualTo("request_id,provider,model,matched_entry,catalogue_version,input_uncached_cost,"
                + "cache_read_cost,cache_write_5m_cost,cache_write_1h_cost,output_cost,web_search_cost,list_total,"
                + "contracted_total,currency,status");
        assertThat(lines.get(1)).startsWith("golden,openai,gpt-4o-2024-08-06,openai/gpt-4o,")
                .endsWith(",0.000215,0.02227125,0,0,0.00188,0,0.02436625,0.02436625,USD,priced");
        assertThat(lines.get(2)).startsWith("unknown,openai,gpt-9,,,").endsWith(",USD,unpriced:unknown_model");
        assertThat(lines).hasSize(3);
        assertThat(test.lastErr).contains("log.csv line 4 column input_tokens").contains("1 rows rejected by the reader");
        assertThat(test.home.inbox()).isEmptyDirectory();
        assertThat(test.home.ledgerPartition(YearMonth.of(2026, 8))).doesNotExist();

        Path out = directory.resolve("quote.csv");
        assertThat(test.run("prices", "quote", "--file", log.toString(), "--at", "2024-06-01T00:00:00Z", "--out", out.toString(),
                "--home", test.home.root().toString())).isEqualTo(5);
        // At the May 2024 list price there was no cached-input discount known to the catalogue: unpriced, never zero.
        assertThat(Files.readAllLines(out).get(1)).endsWith(",unpriced:unknown_token_type");
    }

    @Test
    void import_genaiPrices_takesPrecedenceAndDatesItsPrices() throws Exception {
        TestHome test = TestHome.init(directory.resolve("home"));
        Path catalogue = Files.writeString(directory.resolve("genai-prices.json"), GENAI);
        String home = test.home.root().toString();

        assertThat(test.run("prices", "import", catalogue.toString(), "--home", home)).as(test.lastErr).isZero();
        assertThat(test.lastOut).startsWith("imported   genai-prices.json version ").contains("precedence 1");
        String sha = dev.apportion.ledger.Sha256.ofFile(catalogue);
        assertThat(test.home.archivedCatalogue(sha, "genai-prices.json")).hasContent(GENAI);

        assertThat(test.run("prices", "import", catalogue.toString(), "--home", home)).isZero();
        assertThat(test.lastOut).startsWith("unchanged");

        assertThat(test.run("prices", "list", "--home", home)).isZero();
        assertThat(test.lastOut.lines().skip(1).map(line -> line.split("\\s+")[1]).toList())
                .containsExactly("genai-prices.json", "apportion-default");

        // Before 2026-09-01: 1,000,000 input × 3.00/M; after: × 2.00/M.
        assertThat(test.run("prices", "explain", "--provider", "openai", "--model", "gpt-4o-2024-11-20", "--at", "2026-08-31T23:59:59Z",
                "--input-tokens", "1000000", "--home", home)).as(test.lastErr).isZero();
        assertThat(test.lastOut).contains("genai-prices.json").contains("list total: 3 USD");
        assertThat(test.run("prices", "explain", "--provider", "openai", "--model", "gpt-4o-2024-11-20", "--at", "2026-09-01T00:00:00Z",
                "--input-tokens", "1000000", "--home", home)).isZero();
        assertThat(test.lastOut).contains("list total: 2 USD");

        assertThat(test.run("prices", "import", catalogue.toString(), "--after", "apportion-default", "--home", home)).isZero();
        assertThat(test.run("prices", "list", "--home", home)).isZero();
        assertThat(test.lastOut.lines().skip(1).map(line -> line.split("\\s+")[1]).toList())
                .containsExactly("apportion-default", "genai-prices.json");
    }

    @Test
    void import_malformedCatalogue_isRejectedWithThePathAndChangesNothing() throws Exception {
        TestHome test = TestHome.init(directory.resolve("home"));
        String home = test.home.root().toString();
        assertThat(test.run("prices", "import", Files.writeString(directory.resolve("good.json"), GENAI).toString(), "--home", home)).isZero();
        byte[] registry = Files.readAllBytes(test.home.catalogueRegistry());

        Path bad = Files.writeString(directory.resolve("bad.json"), GENAI.replace("\"input_mtok\": 2,", "\"input_mtok\": \"two\","));
        assertThat(test.run("prices", "import", bad.toString(), "--home", home)).isEqualTo(1);

        assertThat(test.lastErr).startsWith("apportion: Catalogue bad.json: $[0].models[0]").contains("prices[1]")
                .contains("catalogues in force are unchanged").doesNotContain("Exception");
        assertThat(Files.readAllBytes(test.home.catalogueRegistry())).isEqualTo(registry);
        assertThat(test.home.archivedCatalogue(dev.apportion.ledger.Sha256.ofFile(bad), "bad.json")).doesNotExist();

        Path unknown = Files.writeString(directory.resolve("notes.txt"), "just some text\n");
        assertThat(test.run("prices", "import", unknown.toString(), "--home", home)).isEqualTo(1);
        assertThat(test.lastErr).contains("matches no catalogue format");
    }

    @Test
    void close_pricesWithTheContractAndPinsTheCataloguesItUsed() throws Exception {
        TestHome test = TestHome.init(directory.resolve("home"));
        String home = test.home.root().toString();
        test.replaceRules(WorkedExampleIT.RULES);
        test.drop("may-invoice.csv", WorkedExampleIT.INVOICE);
        test.drop("may-requests.csv", WorkedExampleIT.REQUESTS);
        assertThat(test.run("close", "--period", "2026-05", "--accept-variance", "--home", home)).as(test.lastErr).isZero();

        Path contract = Files.writeString(directory.resolve("contract.csv"),
                "provider,model,token_type,service_tier,region,billing_account_id,unit_price,currency,per,effective_from,effective_to\n"
                        + "openai,gpt-4o,input_uncached,,,acct-1,2.00,USD,1000000,2026-01-01,\n");
        assertThat(test.run("prices", "import", contract.toString(), "--home", home)).as(test.lastErr).isZero();

        // The catalogues changed, so the published close no longer matches: refused until republished.
        assertThat(test.run("close", "--period", "2026-05", "--accept-variance", "--home", home)).isEqualTo(1);

        Path work = directory.resolve("home2");
        TestHome fresh = TestHome.init(work);
        fresh.replaceRules(WorkedExampleIT.RULES);
        fresh.drop("may-invoice.csv", WorkedExampleIT.INVOICE);
        fresh.drop("may-requests.csv", WorkedExampleIT.REQUESTS);
        assertThat(fresh.run("prices", "import", contract.toString(), "--home", work.toString())).isZero();
        assertThat(fresh.run("close", "--period", "2026-05", "--accept-variance", "--home", work.toString())).as(fresh.lastErr).isZero();

        Path close = fresh.home.close(YearMonth.of(2026, 5), 1);
        assertThat(close.resolve("pinned/catalogues/01-contract.csv")).hasSameTextualContentAs(contract);
        assertThat(close.resolve("pinned/catalogues/02-apportion-default")).exists();
        String manifest = Files.readString(close.resolve("manifest.json"));
        assertThat(manifest).contains("\"contract.csv\"").contains("contract-csv");
        // 4,800,000 input tokens at the contract's 2.00/M = 9.60 contracted against 12.00 at list.
        List<List<Object>> totals = TestHome.query("SELECT sum(ledger_list_cost), sum(ledger_contracted_cost) FROM read_parquet('"
                + close.resolve("reconciliation.parquet") + "')");
        assertThat((BigDecimal) totals.get(0).get(0)).isEqualByComparingTo("12.00");
        assertThat((BigDecimal) totals.get(0).get(1)).isEqualByComparingTo("9.60");
        assertThat(fresh.run("verify", "--period", "2026-05", "--home", work.toString())).as(fresh.lastErr).isZero();
    }

    @Test
    void close_unpricedLines_areFlaggedCountedAndReportedNeverZero() throws Exception {
        TestHome test = TestHome.init(directory.resolve("home"));
        String home = test.home.root().toString();
        test.replaceRules(WorkedExampleIT.RULES);
        test.drop("may-invoice.csv", WorkedExampleIT.INVOICE);
        test.drop("may-requests.csv", WorkedExampleIT.REQUESTS
                + "r-5,2026-05-05T10:00:00Z,openai,gpt-9-preview,acct-1,svc-web,tenant:T-001,search,1000,10\n");

        assertThat(test.run("close", "--period", "2026-05", "--accept-variance", "--home", home)).as(test.lastErr).isZero();

        assertThat(test.lastOut).contains("unpriced   2 of 6 cost lines (unknown_model 2); they reconcile as unpriced_model");
        Path close = test.home.close(YearMonth.of(2026, 5), 1);
        assertThat(Files.readString(close.resolve("manifest.json"))).contains("\"unpricedLines\" : 2").contains("\"unknown_model\" : 2");
        List<List<Object>> reconciliation = TestHome.query("SELECT class, ledger_list_cost FROM read_parquet('"
                + close.resolve("reconciliation.parquet") + "') WHERE model = 'gpt-9-preview' ORDER BY token_type");
        assertThat(reconciliation).hasSize(2).allSatisfy(row -> {
            assertThat(row.get(0)).isEqualTo("unpriced_model");
            assertThat(row.get(1)).isNull();
        });
    }
}
