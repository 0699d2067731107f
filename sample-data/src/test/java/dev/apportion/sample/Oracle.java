package dev.apportion.sample;

import java.math.BigDecimal;
import java.util.Map;

/**
 * The test's own copy of the brief's price list and model ids, typed separately from the generator so that
 * a wrong price or alias in production code cannot agree with itself.
 */
final class Oracle {
    static final String REQUEST_HEADER = "request_id,occurred_at,provider,model,billing_account_id,principal_id,"
            + "consumer_id,feature,user_id,session_id,environment,service_tier,region,input_tokens,cache_read_tokens,"
            + "cache_write_tokens,cache_write_1h_tokens,output_tokens,reasoning_tokens,web_search_calls,status,"
            + "logged_cost_usd,corrects_request_id";
    static final String FOCUS_HEADER = "BilledCost,BillingAccountId,BillingAccountName,BillingAccountType,"
            + "BillingCurrency,BillingPeriodEnd,BillingPeriodStart,ChargeCategory,ChargeClass,ChargeDescription,"
            + "ChargeFrequency,ChargePeriodEnd,ChargePeriodStart,ConsumedQuantity,ConsumedUnit,ContractedCost,"
            + "ContractedUnitPrice,EffectiveCost,HostProviderName,InvoiceId,InvoiceIssuerName,ListCost,ListUnitPrice,"
            + "PricingCategory,PricingCurrency,PricingQuantity,PricingUnit,RegionId,RegionName,ServiceCategory,"
            + "ServiceName,ServiceProviderName,ServiceSubcategory,SkuId,SkuMeter,SkuPriceDetails,SkuPriceId,"
            + "SubAccountId,SubAccountName,Tags";

    /** Logged model id to canonical model id. */
    static final Map<String, String> CANONICAL = Map.of(
            "gpt-4o", "gpt-4o",
            "gpt-4o-2024-08-06", "gpt-4o",
            "gpt-4o-mini", "gpt-4o-mini",
            "gpt-4.1-mini", "gpt-4.1-mini",
            "claude-sonnet-4-20250514", "claude-sonnet-4",
            "claude-haiku-4-5-20251001", "claude-haiku-4-5");

    static final Map<String, String> PROVIDER = Map.of(
            "gpt-4o", "openai",
            "gpt-4o-mini", "openai",
            "gpt-4.1-mini", "openai",
            "claude-sonnet-4", "anthropic",
            "claude-haiku-4-5", "anthropic");

    /** USD per 1M tokens by canonical model and token type. */
    static final Map<String, Map<String, BigDecimal>> PRICES = Map.of(
            "gpt-4o", prices("2.50", "1.25", null, "10.00"),
            "gpt-4o-mini", prices("0.15", "0.075", null, "0.60"),
            "gpt-4.1-mini", prices("0.40", "0.10", null, "1.60"),
            "claude-sonnet-4", prices("3.00", "0.30", "3.75", "15.00"),
            "claude-haiku-4-5", prices("1.00", "0.10", "1.25", "5.00"));

    private Oracle() {
    }

    private static Map<String, BigDecimal> prices(String input, String cacheRead, String cacheWrite, String output) {
        return cacheWrite == null
                ? Map.of("input_uncached", new BigDecimal(input), "cache_read", new BigDecimal(cacheRead),
                        "output", new BigDecimal(output))
                : Map.of("input_uncached", new BigDecimal(input), "cache_read", new BigDecimal(cacheRead),
                        "cache_write_5m", new BigDecimal(cacheWrite), "output", new BigDecimal(output));
    }
}
