package dev.apportion.focus;

import java.util.Locale;

/**
 * The logical data types FOCUS defines for its columns. How each maps to a physical type (Parquet
 * {@code DECIMAL}, UTC timestamps, UTF-8 strings holding serialized JSON) is the writers' concern.
 */
public enum FocusDataType {
    /** Text; FOCUS {@code String}. */
    STRING("String"),
    /** An exact decimal number; FOCUS {@code Decimal}. */
    DECIMAL("Decimal"),
    /** A UTC moment in time; FOCUS {@code Date/Time}. */
    DATE_TIME("DateTime"),
    /** A JSON object serialized as a string; FOCUS {@code JSON} (key-value or JSON object format). */
    JSON("JSON");

    private final String catalogueName;

    FocusDataType(String catalogueName) {
        this.catalogueName = catalogueName;
    }

    /** The spelling used in the {@code data_type} field of the column catalogue resource. */
    String catalogueName() {
        return catalogueName;
    }

    static FocusDataType fromCatalogueName(String name) {
        for (FocusDataType type : values()) {
            if (type.catalogueName.equals(name)) {
                return type;
            }
        }
        throw new IllegalArgumentException(String.format(Locale.ROOT,
                "Unknown FOCUS data type %s (expected String, Decimal, DateTime or JSON)", name));
    }
}
