package dev.apportion.readers;

import java.util.List;
import java.util.Set;

/**
 * The input formats Apportion reads, each recognised by its content (the header row), never by file name.
 */
public enum InputFormat {
    /** The generic request log of DESIGN §5, as CSV. */
    REQUEST_LOG_CSV("request-log-csv", Kind.USAGE,
            List.of("request_id", "occurred_at", "provider", "model", "input_tokens", "output_tokens")),
    /** A FOCUS 1.0–1.4 billing export as CSV. */
    FOCUS_CSV("focus-csv", Kind.BILLING,
            List.of("BilledCost", "BillingAccountId", "BillingCurrency", "BillingPeriodStart", "BillingPeriodEnd",
                    "ChargeCategory", "ChargePeriodStart", "ChargePeriodEnd", "InvoiceIssuerName", "ServiceName"));

    /** What an input holds. */
    public enum Kind { USAGE, BILLING }

    private final String id;
    private final Kind kind;
    private final List<String> requiredColumns;

    InputFormat(String id, Kind kind, List<String> requiredColumns) {
        this.id = id;
        this.kind = kind;
        this.requiredColumns = requiredColumns;
    }

    /** The id written to ingest records, manifests and anchors. */
    public String id() {
        return id;
    }

    public Kind kind() {
        return kind;
    }

    public List<String> requiredColumns() {
        return requiredColumns;
    }

    /** Columns of the header that identify the format even when other required ones are missing. */
    Set<String> signature() {
        return switch (this) {
            case REQUEST_LOG_CSV -> Set.of("request_id", "occurred_at", "input_tokens");
            case FOCUS_CSV -> Set.of("BilledCost", "ChargePeriodStart", "BillingAccountId");
        };
    }
}
