package dev.apportion.sample;

/** The columns of the demo FOCUS 1.4 billing export, in the order the header lists them. */
enum FocusColumn {
    BILLED_COST("BilledCost"),
    BILLING_ACCOUNT_ID("BillingAccountId"),
    BILLING_ACCOUNT_NAME("BillingAccountName"),
    BILLING_ACCOUNT_TYPE("BillingAccountType"),
    BILLING_CURRENCY("BillingCurrency"),
    BILLING_PERIOD_END("BillingPeriodEnd"),
    BILLING_PERIOD_START("BillingPeriodStart"),
    CHARGE_CATEGORY("ChargeCategory"),
    CHARGE_CLASS("ChargeClass"),
    CHARGE_DESCRIPTION("ChargeDescription"),
    CHARGE_FREQUENCY("ChargeFrequency"),
    CHARGE_PERIOD_END("ChargePeriodEnd"),
    CHARGE_PERIOD_START("ChargePeriodStart"),
    CONSUMED_QUANTITY("ConsumedQuantity"),
    CONSUMED_UNIT("ConsumedUnit"),
    CONTRACTED_COST("ContractedCost"),
    CONTRACTED_UNIT_PRICE("ContractedUnitPrice"),
    EFFECTIVE_COST("EffectiveCost"),
    HOST_PROVIDER_NAME("HostProviderName"),
    INVOICE_ID("InvoiceId"),
    INVOICE_ISSUER_NAME("InvoiceIssuerName"),
    LIST_COST("ListCost"),
    LIST_UNIT_PRICE("ListUnitPrice"),
    PRICING_CATEGORY("PricingCategory"),
    PRICING_CURRENCY("PricingCurrency"),
    PRICING_QUANTITY("PricingQuantity"),
    PRICING_UNIT("PricingUnit"),
    REGION_ID("RegionId"),
    REGION_NAME("RegionName"),
    SERVICE_CATEGORY("ServiceCategory"),
    SERVICE_NAME("ServiceName"),
    SERVICE_PROVIDER_NAME("ServiceProviderName"),
    SERVICE_SUBCATEGORY("ServiceSubcategory"),
    SKU_ID("SkuId"),
    SKU_METER("SkuMeter"),
    SKU_PRICE_DETAILS("SkuPriceDetails"),
    SKU_PRICE_ID("SkuPriceId"),
    SUB_ACCOUNT_ID("SubAccountId"),
    SUB_ACCOUNT_NAME("SubAccountName"),
    TAGS("Tags");

    private final String header;

    FocusColumn(String header) {
        this.header = header;
    }

    /** The header row without its line end. */
    static String headerRow() {
        StringBuilder row = new StringBuilder();
        for (FocusColumn column : values()) {
            if (row.length() > 0) {
                row.append(',');
            }
            row.append(column.header);
        }
        return row.toString();
    }
}
