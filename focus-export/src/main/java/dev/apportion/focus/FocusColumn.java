package dev.apportion.focus;

import static java.util.Objects.requireNonNull;

import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One column of a FOCUS dataset as the specification catalogues it.
 *
 * @param name the Column ID, for example {@code BilledCost}; ASCII letters, digits and underscores
 * @param dataType the FOCUS logical data type
 * @param featureLevel {@code Mandatory}, {@code Conditional} or {@code Recommended}
 * @param allowsNulls whether the specification lets the column hold nulls; {@code true} does not make
 *     a column optional, and columns that allow nulls still have conditional nullability rules
 */
public record FocusColumn(String name, FocusDataType dataType, String featureLevel, boolean allowsNulls) {
    /** Feature level of columns that every FOCUS dataset must contain. */
    public static final String MANDATORY = "Mandatory";
    /** Feature level of columns that must be present when a stated condition holds. */
    public static final String CONDITIONAL = "Conditional";
    /** Feature level of columns that should be present. */
    public static final String RECOMMENDED = "Recommended";

    private static final Set<String> FEATURE_LEVELS = Set.of(MANDATORY, CONDITIONAL, RECOMMENDED);
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    /**
     * Validates every component.
     *
     * @throws NullPointerException if any reference component is null
     * @throws IllegalArgumentException if the name is not an ASCII identifier or the feature level is unknown
     */
    public FocusColumn {
        requireNonNull(name, "name is null");
        requireNonNull(dataType, "dataType is null");
        requireNonNull(featureLevel, "featureLevel is null");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "Invalid FOCUS column name %s: expected ASCII letters, digits and underscores", name));
        }
        if (!FEATURE_LEVELS.contains(featureLevel)) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "Invalid feature level %s for column %s: expected Mandatory, Conditional or Recommended",
                    featureLevel, name));
        }
    }

    /** Whether the column is {@code Mandatory} and must never be null. */
    public boolean mandatoryNotNull() {
        return MANDATORY.equals(featureLevel) && !allowsNulls;
    }
}
