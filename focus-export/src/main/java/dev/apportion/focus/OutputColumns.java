package dev.apportion.focus;

import dev.apportion.ledger.FocusColumns;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Set;
import java.util.List;

/**
 * The columns of Apportion's FOCUS output in file order (DESIGN §9): the 65 FOCUS 1.4 columns and the
 * actor columns in ASCII order, then the evidence columns ({@code x_}) in ASCII order.
 */
public final class OutputColumns {
    /** The evidence columns and their DuckDB types. */
    static final List<OutputColumn> EVIDENCE = List.of(
            new OutputColumn("x_AllocationAnchorId", "VARCHAR"),
            new OutputColumn("x_AllocationMethod", "VARCHAR"),
            new OutputColumn("x_AllocationRowId", "VARCHAR"),
            new OutputColumn("x_EvidenceHash", "VARCHAR"),
            new OutputColumn("x_EvidenceOwner", "VARCHAR"),
            new OutputColumn("x_EvidenceStatus", "VARCHAR"),
            new OutputColumn("x_MappingNote", "VARCHAR"),
            new OutputColumn("x_QuantitySource", "VARCHAR"),
            new OutputColumn("x_RateVersion", "VARCHAR"),
            new OutputColumn("x_ReconciliationStatus", "VARCHAR"),
            new OutputColumn("x_SplitPeriodEnd", "TIMESTAMPTZ"),
            new OutputColumn("x_SplitPeriodStart", "TIMESTAMPTZ"),
            new OutputColumn("x_SplitRatio", "DECIMAL(38, 12)"),
            new OutputColumn("x_UsageEntryCount", "BIGINT"),
            new OutputColumn("x_UsageRef", "VARCHAR"));

    private OutputColumns() {
    }

    /** A column of the output: its name in the file and its DuckDB type. */
    public record OutputColumn(String name, String duckDbType) {
    }

    /** All output columns in file order for {@code profile} ({@link Profile#STRICT} prefixes the actor columns). */
    public static List<OutputColumn> forProfile(Profile profile) {
        List<OutputColumn> focus = new ArrayList<>();
        for (FocusColumns.Column column : FocusColumns.all()) {
            focus.add(new OutputColumn(column.name(), column.duckDbType()));
        }
        List<OutputColumn> custom = new ArrayList<>(EVIDENCE);
        if (profile == Profile.STRICT) {
            custom.add(new OutputColumn("x_ConsumerId", "VARCHAR"));
            custom.add(new OutputColumn("x_PrincipalId", "VARCHAR"));
        } else {
            focus.add(new OutputColumn("ConsumerId", "VARCHAR"));
            focus.add(new OutputColumn("PrincipalId", "VARCHAR"));
        }
        focus.sort(Comparator.comparing(OutputColumn::name));
        custom.sort(Comparator.comparing(OutputColumn::name));
        List<OutputColumn> all = new ArrayList<>(focus);
        all.addAll(custom);
        return List.copyOf(all);
    }

    /**
     * FOCUS columns every file keeps, whatever {@code --columns} asks: our rows are data-generator-calculated
     * split cost allocations, so the allocation columns are required with the mandatory ones; InvoiceId keys the
     * manifest's totals by invoice.
     */
    static final Set<String> ALLOCATION_COLUMNS = Set.of("AllocatedMethodDetails", "AllocatedMethodId", "AllocatedResourceId",
            "AllocatedResourceName", "AllocatedTags", "InvoiceId");

    /**
     * The output columns of {@code profile} restricted to a user's selection ({@code --columns}): the selected FOCUS
     * columns plus those FOCUS and Apportion always need (mandatory, allocation, actor and evidence columns), in
     * file order. A null selection keeps every column.
     *
     * @throws IllegalArgumentException naming the selected names that are not FOCUS 1.4 Cost and Usage columns
     */
    public static List<OutputColumn> select(Profile profile, Set<String> selection) {
        List<OutputColumn> all = forProfile(profile);
        if (selection == null) {
            return all;
        }
        Set<String> focus = new HashSet<>();
        Set<String> mandatory = new HashSet<>();
        FocusSchema.costAndUsage().forEach(column -> {
            focus.add(column.name());
            if (column.mandatoryNotNull() || "Mandatory".equals(column.featureLevel())) {
                mandatory.add(column.name());
            }
        });
        List<String> unknown = selection.stream().filter(name -> !focus.contains(name)).sorted().toList();
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("not FOCUS 1.4 Cost and Usage columns: " + String.join(", ", unknown)
                    + " (actor and x_ evidence columns are always written)");
        }
        return all.stream().filter(column -> !focus.contains(column.name()) || mandatory.contains(column.name())
                || ALLOCATION_COLUMNS.contains(column.name()) || selection.contains(column.name())).toList();
    }

    /** The output profiles of {@code --profile}. */
    public enum Profile {
        /** FOCUS 1.4 plus the requested actor columns {@code PrincipalId} and {@code ConsumerId}. */
        DEFAULT("focus-1.4"),
        /** For validators that enforce the 1.4 custom-column prefix: {@code x_PrincipalId}, {@code x_ConsumerId}. */
        STRICT("focus-1.4-strict");

        private final String id;

        Profile(String id) {
            this.id = id;
        }

        public String id() {
            return id;
        }

        public static Profile fromId(String id) {
            for (Profile profile : values()) {
                if (profile.id.equals(id)) {
                    return profile;
                }
            }
            throw new IllegalArgumentException("Unknown profile '" + id + "'; use focus-1.4 or focus-1.4-strict");
        }
    }
}
