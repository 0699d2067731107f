package dev.apportion.sample;

import java.math.BigDecimal;
import java.time.YearMonth;

/** The two provider channels of the demo month, with the billing account each one invoices. */
enum Provider {
    OPENAI("openai", "org-demo-openai", "Demo Org (OpenAI)", "OpenAI", "OpenAI API", "150.00"),
    ANTHROPIC("anthropic", "anthropic-org-demo", "Demo Org (Anthropic)", "Anthropic", "Anthropic API", "200.00");

    private final String id;
    private final String billingAccountId;
    private final String billingAccountName;
    private final String companyName;
    private final String serviceName;
    private final BigDecimal supportPlanFee;

    Provider(String id, String billingAccountId, String billingAccountName, String companyName,
             String serviceName, String supportPlanFee) {
        this.id = id;
        this.billingAccountId = billingAccountId;
        this.billingAccountName = billingAccountName;
        this.companyName = companyName;
        this.serviceName = serviceName;
        this.supportPlanFee = new BigDecimal(supportPlanFee);
    }

    /** Provider channel id as the request log and the close spell it. */
    String id() {
        return id;
    }

    String billingAccountId() {
        return billingAccountId;
    }

    String billingAccountName() {
        return billingAccountName;
    }

    /** Issuer, host and service provider name on the FOCUS export. */
    String companyName() {
        return companyName;
    }

    String serviceName() {
        return serviceName;
    }

    /** The flat monthly non-token charge on every invoice, so a close has one line without a model. */
    BigDecimal supportPlanFee() {
        return supportPlanFee;
    }

    /** {@code INV-OPENAI-2026-10}. */
    String invoiceId(YearMonth period) {
        return "INV-" + name() + "-" + period;
    }

    /** {@code invoice-openai-2026-10.focus.csv}. */
    String invoiceFileName(YearMonth period) {
        return "invoice-" + id + "-" + period + ".focus.csv";
    }
}
