package dev.apportion.allocation;

import static java.util.Objects.requireNonNull;

import java.util.Map;

/**
 * One allocation rule of {@code apportion.yml} (DESIGN §8): which invoice lines it selects and how it
 * splits them. Selector values are compared for equality with the line's field.
 */
public record Rule(String id, Map<String, String> select, Method method, String basis, String window,
                   String variance, String split, String owner, String note) {

    /** The allocation methods; the id is what FOCUS rows carry in {@code x_AllocationMethod}. */
    public enum Method {
        DIRECT("direct"), ACTIVITY("activity"), RESIDUAL("residual");

        private final String id;

        Method(String id) {
            this.id = id;
        }

        public String id() {
            return id;
        }
    }

    public Rule {
        requireNonNull(id, "id is null");
        select = Map.copyOf(requireNonNull(select, "select is null"));
        requireNonNull(method, "method is null");
        requireNonNull(owner, "owner is null");
    }

    /** True when every selector matches the line's field (an empty selector matches every line). */
    boolean selects(Map<String, String> lineFields) {
        for (Map.Entry<String, String> selector : select.entrySet()) {
            if (!selector.getValue().equals(lineFields.get(selector.getKey()))) {
                return false;
            }
        }
        return true;
    }
}
