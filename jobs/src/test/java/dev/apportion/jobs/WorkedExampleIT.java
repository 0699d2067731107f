package dev.apportion.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.YearMonth;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The worked example of the requirements, through the real pipeline: one invoice line of 12,000.00 USD for
 * 4,800,000 tokens in May 2026; tenant:T-019 used 1,056,000 of them through svc-infer-prod; allocated by
 * tokens, T-019 gets exactly 2,640.00 (ratio 0.22) and everyone else 9,360.00.
 */
class WorkedExampleIT {
    static final String FOCUS_HEADER = "BilledCost,BillingAccountId,BillingAccountName,BillingCurrency,BillingPeriodEnd,"
            + "BillingPeriodStart,ChargeCategory,ChargeDescription,ChargeFrequency,ChargePeriodEnd,ChargePeriodStart,"
            + "ConsumedQuantity,ConsumedUnit,ContractedCost,ContractedUnitPrice,EffectiveCost,HostProviderName,InvoiceId,"
            + "InvoiceIssuerName,ListCost,ListUnitPrice,PricingQuantity,PricingUnit,ServiceCategory,ServiceName,"
            + "ServiceProviderName,SkuId,SkuMeter,SkuPriceDetails,SkuPriceId\n";
    static final String INVOICE = FOCUS_HEADER
            + "12000.00,acct-1,Example Org,USD,2026-06-01T00:00:00Z,2026-05-01T00:00:00Z,Usage,gpt-4o input tokens,Usage-Based,"
            + "2026-06-01T00:00:00Z,2026-05-01T00:00:00Z,4800000,Tokens,12000.00,2500,12000.00,OpenAI,INV-1,OpenAI,12000.00,2500,"
            + "4.8,1000000 Tokens,AI and Machine Learning,OpenAI API,OpenAI,gpt-4o,Input Tokens,"
            + "\"{\"\"x_ModelId\"\":\"\"gpt-4o\"\"}\",gpt-4o:input\n";
    static final String REQUESTS = "request_id,occurred_at,provider,model,billing_account_id,principal_id,consumer_id,feature,input_tokens,output_tokens\n"
            + "r-1,2026-05-03T10:00:00Z,openai,gpt-4o,acct-1,svc-infer-prod,tenant:T-019,chat,1000000,0\n"
            + "r-2,2026-05-20T23:59:59.999Z,openai,gpt-4o-2024-08-06,acct-1,svc-infer-prod,tenant:T-019,chat,56000,0\n"
            + "r-3,2026-05-04T08:00:00+02:00,openai,gpt-4o,acct-1,svc-web,tenant:T-001,search,2000000,0\n"
            + "r-4,2026-05-31T23:00:00Z,openai,gpt-4o,acct-1,svc-web,=cmd|' /C calc'!A0,search,1744000,0\n";
    static final String RULES = """
            rules:
              - id: by-tokens
                select: { charge_category: Usage }
                method: activity
                basis: tokens
                window: line
                owner: FinOps
              - id: catch-all
                select: {}
                method: residual
                basis: proportional
                owner: FinOps
            """;

    @TempDir
    Path directory;

    @Test
    void close_workedExample_allocatesExactlyByTokens() throws Exception {
        TestHome test = TestHome.init(directory);
        test.replaceRules(RULES);
        test.drop("may-invoice.csv", INVOICE);
        test.drop("may-requests.csv", REQUESTS);

        // The example's unit price (2,500 per million tokens) is not gpt-4o's list price, so reconciliation classes
        // the line price_drift and the gate would stop the close; allocation is what this test is about.
        assertThat(test.run("close", "--period", "2026-05", "--accept-variance", "--home", directory.toString())).as(test.lastErr).isZero();

        Path focus = test.home.close(YearMonth.of(2026, 5), 1).resolve("focus/cost-and-usage.parquet");
        String file = "'" + focus + "'";
        List<List<Object>> tenant = TestHome.query("SELECT sum(BilledCost), sum(x_SplitRatio), sum(ConsumedQuantity), "
                + "count(DISTINCT x_AllocationAnchorId), min(PrincipalId), min(AllocatedMethodId) FROM read_parquet(" + file
                + ") WHERE ConsumerId = 'tenant:T-019'");
        assertThat((BigDecimal) tenant.get(0).get(0)).isEqualByComparingTo("2640.00");
        assertThat((BigDecimal) tenant.get(0).get(1)).isEqualByComparingTo("0.22");
        assertThat((BigDecimal) tenant.get(0).get(2)).isEqualByComparingTo("1056000");
        assertThat(tenant.get(0).get(3)).isEqualTo(1L);
        assertThat(tenant.get(0).get(4)).isEqualTo("svc-infer-prod");
        assertThat(tenant.get(0).get(5)).isEqualTo("by-tokens");

        List<List<Object>> others = TestHome.query("SELECT sum(BilledCost) FROM read_parquet(" + file
                + ") WHERE ConsumerId IS DISTINCT FROM 'tenant:T-019'");
        assertThat((BigDecimal) others.get(0).get(0)).isEqualByComparingTo("9360.00");

        // Every row carries the one line's anchor, and the anchor is the invoice line's.
        List<List<Object>> anchors = TestHome.query("SELECT DISTINCT f.x_AllocationAnchorId, i.anchor_id FROM read_parquet(" + file
                + ") f, read_parquet('" + focus.getParent().getParent().resolve("inputs/invoice-lines.parquet") + "') i");
        assertThat(anchors).hasSize(1);
        assertThat(anchors.get(0).get(0)).isEqualTo(anchors.get(0).get(1)).asString().startsWith("anc_");

        // ListCost = ListUnitPrice x PricingQuantity holds per row because it holds for the origin.
        for (List<Object> row : TestHome.query("SELECT ListCost, ListUnitPrice, PricingQuantity, ContractedCost, ContractedUnitPrice FROM read_parquet(" + file + ")")) {
            BigDecimal quantity = (BigDecimal) row.get(2);
            assertThat((BigDecimal) row.get(0)).isEqualByComparingTo(((BigDecimal) row.get(1)).multiply(quantity));
            assertThat((BigDecimal) row.get(3)).isEqualByComparingTo(((BigDecimal) row.get(4)).multiply(quantity));
        }

        // The spreadsheet twin neutralises a consumer id that a spreadsheet would run as a formula.
        String csv = java.nio.file.Files.readString(focus.getParent().getParent().resolve("spreadsheet/cost-and-usage.csv"));
        assertThat(csv).contains(",'=cmd|' /C calc'!A0,").doesNotContain(",=cmd");

        assertThat(test.run("verify", "--home", directory.toString(), "--period", "2026-05")).as(test.lastErr).isZero();
    }
}
