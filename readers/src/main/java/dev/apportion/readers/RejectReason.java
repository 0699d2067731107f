package dev.apportion.readers;

/** Why an input row or file was rejected; the code is the {@code reason_code} column of {@code rejects.csv}. */
public enum RejectReason {
    MISSING_VALUE("missing_value"),
    INVALID_TIMESTAMP("invalid_timestamp"),
    INVALID_INTEGER("invalid_integer"),
    NEGATIVE_VALUE("negative_value"),
    INVALID_DECIMAL("invalid_decimal"),
    OUT_OF_RANGE("out_of_range"),
    INVALID_VALUE("invalid_value"),
    CACHE_EXCEEDS_INPUT("cache_exceeds_input"),
    REASONING_EXCEEDS_OUTPUT("reasoning_exceeds_output"),
    INVALID_PERIOD("invalid_period"),
    INVALID_ENCODING("invalid_encoding"),
    MALFORMED_ROW("malformed_row"),
    DUPLICATE("duplicate"),
    EMPTY_FILE("empty_file"),
    HEADER_ONLY("header_only"),
    UNKNOWN_FORMAT("unknown_format"),
    MISSING_COLUMN("missing_column"),
    UNSAFE_NAME("unsafe_name"),
    CURRENCY_DIFFERS("currency_differs"),
    UNKNOWN_CORRECTION_TARGET("unknown_correction_target"),
    NOT_A_MODEL_CALL("not_a_model_call");

    private final String code;

    RejectReason(String code) {
        this.code = code;
    }

    public String code() {
        return code;
    }
}
