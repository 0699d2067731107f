package dev.apportion.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.YearMonth;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Provider exports dropped into the inbox as they come: detected, ingested, closed and verified. */
class ProviderFormatsIT {
    static final String OPENAI_COSTS = """
            {"object": "page", "data": [{"object": "bucket", "start_time": 1786665600, "end_time": 1786752000, "results": [
              {"object": "organization.costs.result", "amount": {"value": 2.654545, "currency": "usd"},
               "line_item": "gpt-4o-2024-08-06, input", "project_id": "proj_1", "quantity": 1061818, "quantity_unit": "tokens"},
              {"object": "organization.costs.result", "amount": {"value": 3.90064, "currency": "usd"},
               "line_item": "gpt-4o-2024-08-06, cached input", "project_id": "proj_1", "quantity": 3120512, "quantity_unit": "tokens"},
              {"object": "organization.costs.result", "amount": {"value": 2.11904, "currency": "usd"},
               "line_item": "gpt-4o-2024-08-06, output", "project_id": "proj_1", "quantity": 211904, "quantity_unit": "tokens"},
              {"object": "organization.costs.result", "amount": {"value": 0.35, "currency": "usd"},
               "line_item": "web search tool calls", "project_id": "proj_1"}]}],
             "has_more": false, "next_page": null}
            """;
    static final String LITELLM = "request_id,call_type,api_key,spend,prompt_tokens,completion_tokens,startTime,model,"
            + "custom_llm_provider,metadata,request_tags,status,cache_hit\n"
            + "chatcmpl-1,acompletion,88dc,0.02436625,17903,188,2026-08-14 10:20:11.412,gpt-4o-2024-08-06,openai,"
            + "\"{\"\"user_api_key_alias\"\": \"\"search-prod\"\", \"\"usage_object\"\": {\"\"prompt_tokens_details\"\": {\"\"cached_tokens\"\": 17817}}}\","
            + "\"[\"\"tenant:acme\"\", \"\"feature:summarize\"\"]\",success,False\n"
            + "chatcmpl-2,acompletion,88dc,0.0025,1000,0,2026-08-15 09:00:00,gpt-4o-2024-08-06,openai,"
            + "\"{\"\"user_api_key_alias\"\": \"\"batch-job\"\"}\",\"[\"\"tenant:globex\"\"]\",success,False\n";

    @TempDir
    Path directory;

    @Test
    void openAiCostsPageAndLiteLlmSpendLogs_closeToTheInvoicedTotalWithConfiguredAttribution() throws Exception {
        TestHome test = TestHome.init(directory.resolve("home"));
        String home = test.home.root().toString();
        String config = Files.readString(test.home.config());
        Files.writeString(test.home.config(), config.replace("attribution: {}",
                "attribution:\n  litellm:\n    consumer: [\"tag:tenant\"]\n    feature: [\"tag:feature\"]\n"));
        test.drop("costs-page-1", OPENAI_COSTS);
        test.drop("spend_logs_export", LITELLM);

        assertThat(test.run("ingest", "--home", home)).as(test.lastErr).isZero();
        assertThat(test.lastErr).contains("costs-page-1 (openai-costs-json): read 4, accepted 4")
                .contains("spend_logs_export (litellm-spend-logs-csv): read 2, accepted 2");

        // The reference records are of different days than the two logged requests, so most cells are variances.
        assertThat(test.run("close", "--period", "2026-08", "--accept-variance", "--home", home)).as(test.lastErr).isZero();

        Path close = test.home.close(YearMonth.of(2026, 8), 1);
        String focus = "read_parquet('" + close.resolve("focus/cost-and-usage.parquet") + "')";
        List<List<Object>> total = TestHome.query("SELECT sum(BilledCost) FROM " + focus);
        assertThat((BigDecimal) total.get(0).get(0)).isEqualByComparingTo("9.024225");
        List<List<Object>> consumers = TestHome.query("SELECT DISTINCT ConsumerId FROM " + focus + " WHERE ConsumerId IS NOT NULL ORDER BY 1");
        assertThat(consumers).extracting(row -> row.get(0)).containsExactly("acme", "globex");
        assertThat(test.run("verify", "--period", "2026-08", "--home", home)).as(test.lastErr).isZero();
    }
}
