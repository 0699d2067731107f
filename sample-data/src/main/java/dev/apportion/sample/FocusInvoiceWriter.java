package dev.apportion.sample;

import java.io.IOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Writes one provider's month as a FOCUS 1.4 billing export: a usage line per (UTC day, model, token type)
 * with tokens, priced exactly at the oracle list price, then the monthly support plan.
 */
final class FocusInvoiceWriter {
    static final String CURRENCY = "USD";
    /** Invoice lines are billed to the micro-dollar; this is the one place money is rounded. */
    private static final int BILLED_SCALE = 6;
    private static final int TOKENS_PER_PRICING_UNIT_DIGITS = 6;

    private final Writer writer;
    private final Provider provider;
    private final YearMonth period;
    private BigDecimal billedTotal = BigDecimal.ZERO;

    private FocusInvoiceWriter(Writer writer, Provider provider, YearMonth period) {
        this.writer = writer;
        this.provider = provider;
        this.period = period;
    }

    /**
     * Writes the export and returns its total {@code BilledCost}. The provider bills the logged tokens of
     * {@code totals} plus the {@code variances}, each of which must belong to this provider.
     */
    static BigDecimal write(Writer writer, Provider provider, YearMonth period, UsageTotals totals,
                            List<BilledVariance> variances) throws IOException {
        FocusInvoiceWriter invoice = new FocusInvoiceWriter(writer, provider, period);
        writer.write(FocusColumn.headerRow());
        writer.write('\n');
        for (int day = 0; day < totals.days(); day++) {
            for (OracleModel model : OracleModel.values()) {
                if (model.provider() != provider) {
                    continue;
                }
                for (TokenType tokenType : TokenType.values()) {
                    long quantity = totals.quantity(day, model, tokenType) + extra(variances, day, model, tokenType);
                    if (quantity > 0) {
                        invoice.writeUsageLine(totals.date(day), model, tokenType, quantity);
                    }
                }
            }
        }
        invoice.writeSupportPlan();
        return invoice.billedTotal;
    }

    private static long extra(List<BilledVariance> variances, int day, OracleModel model, TokenType tokenType) {
        if (tokenType != TokenType.INPUT_UNCACHED) {
            return 0;
        }
        long extra = 0;
        for (BilledVariance variance : variances) {
            if (variance.model().provider() != model.provider()) {
                throw new IllegalArgumentException("Variance on %s cannot go on the %s invoice"
                        .formatted(variance.model().id(), model.provider().id()));
            }
            if (variance.day() == day && variance.model() == model) {
                extra += variance.extraTokens();
            }
        }
        return extra;
    }

    private void writeUsageLine(LocalDate date, OracleModel model, TokenType tokenType, long tokens)
            throws IOException {
        BigDecimal unitPrice = model.listPrice(tokenType);
        BigDecimal pricingQuantity = BigDecimal.valueOf(tokens, TOKENS_PER_PRICING_UNIT_DIGITS);
        BigDecimal listCost = unitPrice.multiply(pricingQuantity);
        BigDecimal billedCost = listCost.setScale(BILLED_SCALE, RoundingMode.HALF_UP);
        Map<FocusColumn, String> line = commonFields();
        line.put(FocusColumn.BILLED_COST, billedCost.toPlainString());
        line.put(FocusColumn.EFFECTIVE_COST, billedCost.toPlainString());
        line.put(FocusColumn.LIST_COST, listCost.stripTrailingZeros().toPlainString());
        line.put(FocusColumn.CONTRACTED_COST, listCost.stripTrailingZeros().toPlainString());
        line.put(FocusColumn.LIST_UNIT_PRICE, unitPrice.toPlainString());
        line.put(FocusColumn.CONTRACTED_UNIT_PRICE, unitPrice.toPlainString());
        line.put(FocusColumn.CHARGE_CATEGORY, "Usage");
        line.put(FocusColumn.CHARGE_FREQUENCY, "Usage-Based");
        line.put(FocusColumn.CHARGE_DESCRIPTION, model.id() + " " + tokenType.description() + " tokens");
        line.put(FocusColumn.CHARGE_PERIOD_START, midnight(date));
        line.put(FocusColumn.CHARGE_PERIOD_END, midnight(date.plusDays(1)));
        line.put(FocusColumn.CONSUMED_QUANTITY, Long.toString(tokens));
        line.put(FocusColumn.CONSUMED_UNIT, "Tokens");
        line.put(FocusColumn.PRICING_QUANTITY, pricingQuantity.stripTrailingZeros().toPlainString());
        line.put(FocusColumn.PRICING_UNIT, "1000000 Tokens");
        line.put(FocusColumn.SKU_ID, model.id());
        line.put(FocusColumn.SKU_METER, tokenType.skuMeter());
        line.put(FocusColumn.SKU_PRICE_ID, model.id() + ":" + tokenType.id() + ":standard");
        line.put(FocusColumn.SKU_PRICE_DETAILS, skuPriceDetails(model, tokenType));
        writeLine(line, billedCost);
    }

    private void writeSupportPlan() throws IOException {
        BigDecimal fee = provider.supportPlanFee();
        Map<FocusColumn, String> line = commonFields();
        line.put(FocusColumn.BILLED_COST, fee.toPlainString());
        line.put(FocusColumn.EFFECTIVE_COST, fee.toPlainString());
        line.put(FocusColumn.LIST_COST, fee.toPlainString());
        line.put(FocusColumn.CONTRACTED_COST, fee.toPlainString());
        line.put(FocusColumn.CHARGE_CATEGORY, "Purchase");
        line.put(FocusColumn.CHARGE_FREQUENCY, "Recurring");
        line.put(FocusColumn.CHARGE_DESCRIPTION, "Platform support plan");
        line.put(FocusColumn.CHARGE_PERIOD_START, midnight(period.atDay(1)));
        line.put(FocusColumn.CHARGE_PERIOD_END, midnight(period.plusMonths(1).atDay(1)));
        line.put(FocusColumn.PRICING_QUANTITY, "1");
        line.put(FocusColumn.PRICING_UNIT, "Month");
        line.put(FocusColumn.SKU_ID, "support-plan");
        line.put(FocusColumn.SKU_PRICE_ID, "support-plan");
        writeLine(line, fee);
    }

    private Map<FocusColumn, String> commonFields() {
        Map<FocusColumn, String> line = new EnumMap<>(FocusColumn.class);
        line.put(FocusColumn.BILLING_ACCOUNT_ID, provider.billingAccountId());
        line.put(FocusColumn.BILLING_ACCOUNT_NAME, provider.billingAccountName());
        line.put(FocusColumn.BILLING_ACCOUNT_TYPE, "Organization");
        line.put(FocusColumn.BILLING_CURRENCY, CURRENCY);
        line.put(FocusColumn.PRICING_CURRENCY, CURRENCY);
        line.put(FocusColumn.BILLING_PERIOD_START, midnight(period.atDay(1)));
        line.put(FocusColumn.BILLING_PERIOD_END, midnight(period.plusMonths(1).atDay(1)));
        line.put(FocusColumn.HOST_PROVIDER_NAME, provider.companyName());
        line.put(FocusColumn.INVOICE_ISSUER_NAME, provider.companyName());
        line.put(FocusColumn.SERVICE_PROVIDER_NAME, provider.companyName());
        line.put(FocusColumn.SERVICE_NAME, provider.serviceName());
        line.put(FocusColumn.SERVICE_CATEGORY, "AI and Machine Learning");
        line.put(FocusColumn.SERVICE_SUBCATEGORY, "Generative AI");
        line.put(FocusColumn.PRICING_CATEGORY, "Standard");
        line.put(FocusColumn.INVOICE_ID, provider.invoiceId(period));
        return line;
    }

    private void writeLine(Map<FocusColumn, String> line, BigDecimal billedCost) throws IOException {
        StringBuilder row = new StringBuilder(640);
        for (FocusColumn column : FocusColumn.values()) {
            if (column.ordinal() > 0) {
                row.append(',');
            }
            Csv.appendField(row, line.get(column));
        }
        writer.append(row.append('\n'));
        billedTotal = billedTotal.add(billedCost);
    }

    /** Canonical ids only: the dated ids of the log never reach an invoice. */
    private static String skuPriceDetails(OracleModel model, TokenType tokenType) {
        return "{\"x_ModelId\":\"" + model.id()
                + "\",\"x_ModelFamily\":\"" + model.family()
                + "\",\"x_ModelDeveloper\":\"" + model.developer()
                + "\",\"x_ServiceTier\":\"standard\",\"x_TokenType\":\"" + tokenType.id() + "\"}";
    }

    private static String midnight(LocalDate date) {
        return date + "T00:00:00Z";
    }
}
