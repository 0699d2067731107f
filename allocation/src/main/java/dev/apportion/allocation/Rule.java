package dev.apportion.allocation;

import static java.util.Objects.requireNonNull;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One allocation rule of {@code apportion.yml} (DESIGN §8): which invoice lines it selects and how it
 * splits them; for {@code activity} rules, optionally which ledger cost lines form the basis.
 */
public record Rule(String id, Map<String, Selector> select, Method method, String basis, String window,
                   String variance, String split, Map<String, Selector> basisSelector, String owner, String note) {

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
        // Kept in the order written, so SQL, messages and allocation-methods.json are the same on every run.
        select = Collections.unmodifiableMap(new LinkedHashMap<>(requireNonNull(select, "select is null")));
        basisSelector = basisSelector == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(basisSelector));
        requireNonNull(method, "method is null");
        requireNonNull(owner, "owner is null");
    }

    /** True when every selector matches the line's field (an empty selector matches every line). */
    boolean selects(Map<String, String> lineFields) {
        for (Selector selector : select.values()) {
            if (!selector.matches(lineFields.get(selector.field()))) {
                return false;
            }
        }
        return true;
    }
}
