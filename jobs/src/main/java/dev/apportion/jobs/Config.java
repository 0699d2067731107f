package dev.apportion.jobs;

import dev.apportion.allocation.RuleSet;
import dev.apportion.ledger.Home;
import dev.apportion.readers.Attribution;
import dev.apportion.reconcile.Tolerances;
import dev.apportion.reports.AnomalySettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/** The parts of {@code apportion.yml} this release reads (DESIGN §10). */
record Config(RuleSet rules, Map<String, String> accounts, Map<String, String> models, List<String> pricingSources,
              Map<String, Attribution> attribution, Tolerances tolerances, Map<String, ConsumerInfo> consumers,
              Map<String, List<String>> expectedSources, boolean correctionsNextPeriod, AnomalySettings anomalies, long settleSeconds,
              byte[] bytes) {
    /** An entry of the optional {@code consumers:} table: how finance names and books a consumer id. */
    record ConsumerInfo(String name, String team, String costCenter) {
    }

    static final Set<String> KEYS = Set.of("attribution", "accounts", "models", "consumers", "pricing", "reconciliation",
            "rules", "splits", "expected_sources", "corrections", "anomalies", "inbox");

    /** The bytes of the home's {@code apportion.yml}. */
    static byte[] bytes(Home home) {
        try {
            return Files.readAllBytes(home.config());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + home.config() + ": " + e.getMessage(), e);
        }
    }

    static Config load(Home home) {
        byte[] bytes = bytes(home);
        JsonNode root;
        try {
            root = YAMLMapper.builder().build().readTree(bytes);
        } catch (JacksonException e) {
            throw new ApportionException(ApportionException.ExitCode.USAGE, home.config() + " is not valid YAML: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new ApportionException(ApportionException.ExitCode.USAGE, home.config() + " must be a YAML mapping");
        }
        for (String key : root.propertyNames()) {
            if (!KEYS.contains(key)) {
                throw new ApportionException(ApportionException.ExitCode.USAGE, home.config() + ": unknown top-level key '" + key + "'");
            }
        }
        RuleSet.Validation validation = RuleSet.validate(root.get("rules"), root.get("splits"));
        if (!validation.problems().isEmpty()) {
            throw new ApportionException(ApportionException.ExitCode.GATE_FAILED, "Rules invalid (" + validation.problems().size()
                    + (validation.problems().size() == 1 ? " problem" : " problems") + "; see apportion rules validate):\n  "
                    + String.join("\n  ", RulesCommand.located(home, bytes, validation.problems())));
        }
        RuleSet rules = validation.rules();
        long settle = root.path("inbox").path("settle_seconds").asLong(2);
        List<String> sources = new ArrayList<>();
        JsonNode pricing = root.path("pricing").path("sources");
        if (!pricing.isMissingNode() && !pricing.isNull()) {
            if (!pricing.isArray()) {
                throw new ApportionException(ApportionException.ExitCode.USAGE, home.config()
                        + ": pricing.sources must be a list of catalogue names (see 'apportion prices list')");
            }
            pricing.forEach(source -> sources.add(source.asString()));
        }
        String corrections = root.path("corrections").asString("republish");
        if (!corrections.equals("republish") && !corrections.equals("next_period")) {
            throw new ApportionException(ApportionException.ExitCode.USAGE, home.config() + ": corrections must be republish or next_period, not '"
                    + corrections + "'");
        }
        return new Config(rules, map(root.get("accounts")), map(root.get("models")), List.copyOf(sources),
                attribution(home, root.path("attribution")), tolerances(home, root.path("reconciliation")),
                consumers(home, root.path("consumers")), expectedSources(home, root.path("expected_sources")),
                corrections.equals("next_period"), anomalies(home, root.path("anomalies")), settle, bytes);
    }

    /** {@code anomalies:} {@code k}, {@code window} (days) and {@code min_history_days}; defaults 5, 7 and 3. */
    private static AnomalySettings anomalies(Home home, JsonNode node) {
        if (node.isMissingNode() || node.isNull()) {
            return AnomalySettings.DEFAULTS;
        }
        for (String key : node.propertyNames()) {
            if (!Set.of("k", "window", "min_history_days").contains(key)) {
                throw new ApportionException(ApportionException.ExitCode.USAGE, home.config() + ": unknown key anomalies." + key
                        + " (known: k, window, min_history_days)");
            }
        }
        try {
            AnomalySettings defaults = AnomalySettings.DEFAULTS;
            return new AnomalySettings(node.has("k") ? new BigDecimal(node.path("k").asString()) : defaults.k(),
                    node.path("window").asInt(defaults.windowDays()), node.path("min_history_days").asInt(defaults.minHistoryDays()));
        } catch (IllegalArgumentException e) {
            throw new ApportionException(ApportionException.ExitCode.USAGE, home.config() + ": " + e.getMessage());
        }
    }

    /**
     * {@code consumers:} consumer id → {@code name}, {@code team}, {@code cost_center} (each optional), for FOCUS
     * AllocatedResourceName and the {@code apportion/team} and {@code apportion/cost_center} AllocatedTags.
     */
    private static Map<String, ConsumerInfo> consumers(Home home, JsonNode node) {
        Map<String, ConsumerInfo> consumers = new LinkedHashMap<>();
        if (node.isMissingNode() || node.isNull()) {
            return consumers;
        }
        if (!node.isObject()) {
            throw new ApportionException(ApportionException.ExitCode.USAGE, home.config()
                    + ": consumers must be a mapping of consumer ids to { name, team, cost_center }");
        }
        for (Map.Entry<String, JsonNode> consumer : node.properties()) {
            JsonNode entry = consumer.getValue();
            if (!entry.isObject()) {
                throw new ApportionException(ApportionException.ExitCode.USAGE, home.config() + ": consumers." + consumer.getKey()
                        + " must be a mapping with name, team and/or cost_center");
            }
            for (String key : entry.propertyNames()) {
                if (!List.of("name", "team", "cost_center").contains(key)) {
                    throw new ApportionException(ApportionException.ExitCode.USAGE, home.config() + ": consumers." + consumer.getKey()
                            + " has an unknown key '" + key + "' (name, team, cost_center)");
                }
            }
            consumers.put(consumer.getKey(), new ConsumerInfo(textOrNull(entry.get("name")), textOrNull(entry.get("team")),
                    textOrNull(entry.get("cost_center"))));
        }
        return consumers;
    }

    /**
     * {@code expected_sources:} billing account → the source families (format family ids such as {@code focus},
     * {@code request-log}, {@code litellm}) that must cover every day of a closed period (DESIGN §10).
     */
    private static Map<String, List<String>> expectedSources(Home home, JsonNode node) {
        Map<String, List<String>> expected = new LinkedHashMap<>();
        if (node.isMissingNode() || node.isNull()) {
            return expected;
        }
        java.util.Set<String> families = new java.util.TreeSet<>();
        for (dev.apportion.readers.InputFormat format : dev.apportion.readers.InputFormat.values()) {
            families.add(format.familyId());
        }
        if (!node.isObject()) {
            throw new ApportionException(ApportionException.ExitCode.USAGE, home.config()
                    + ": expected_sources must map billing accounts to lists of source families (" + String.join(", ", families) + ")");
        }
        for (Map.Entry<String, JsonNode> account : node.properties()) {
            List<String> sources = new ArrayList<>();
            for (JsonNode source : account.getValue().isArray() ? account.getValue() : YAMLMapper.builder().build().createArrayNode().add(account.getValue())) {
                if (!families.contains(source.asString())) {
                    throw new ApportionException(ApportionException.ExitCode.USAGE, home.config() + ": expected_sources." + account.getKey()
                            + " names '" + source.asString() + "', which is not a source family (" + String.join(", ", families) + ")");
                }
                sources.add(source.asString());
            }
            expected.put(account.getKey(), List.copyOf(sources));
        }
        return expected;
    }

    private static String textOrNull(JsonNode node) {
        return node == null || node.isNull() ? null : node.asString();
    }

    /**
     * {@code reconciliation:} {@code quantity_tolerance_percent}, {@code cost_tolerance_percent} and
     * {@code cost_floor} (DESIGN §7) and {@code gate_percent}; a key left out keeps its default.
     */
    private static Tolerances tolerances(Home home, JsonNode node) {
        if (node.isMissingNode() || node.isNull()) {
            return Tolerances.DEFAULTS;
        }
        if (!node.isObject()) {
            throw new ApportionException(ApportionException.ExitCode.USAGE, home.config() + ": reconciliation must be a mapping");
        }
        Map<String, BigDecimal> values = new LinkedHashMap<>();
        values.put("quantity_tolerance_percent", Tolerances.DEFAULTS.quantityPercent());
        values.put("cost_tolerance_percent", Tolerances.DEFAULTS.costPercent());
        values.put("cost_floor", Tolerances.DEFAULTS.costFloor());
        values.put("gate_percent", Tolerances.DEFAULTS.gatePercent());
        for (Map.Entry<String, JsonNode> entry : node.properties()) {
            if (!values.containsKey(entry.getKey())) {
                throw new ApportionException(ApportionException.ExitCode.USAGE, home.config() + ": unknown key reconciliation."
                        + entry.getKey() + " (known: " + String.join(", ", values.keySet()) + ")");
            }
            BigDecimal value;
            try {
                value = entry.getValue().isValueNode() ? new BigDecimal(entry.getValue().asString().strip()) : null;
            } catch (NumberFormatException e) {
                value = null;
            }
            if (value == null || value.signum() < 0) {
                throw new ApportionException(ApportionException.ExitCode.USAGE, home.config() + ": reconciliation." + entry.getKey()
                        + " must be a number >= 0, not '" + entry.getValue().asString() + "'");
            }
            values.put(entry.getKey(), value);
        }
        return new Tolerances(values.get("quantity_tolerance_percent"), values.get("cost_tolerance_percent"),
                values.get("cost_floor"), values.get("gate_percent"));
    }

    /**
     * {@code attribution:} per request-log format ({@code litellm}, {@code otel}): for each role (consumer,
     * principal, feature, user, session, environment) one source or a list tried in order; a role left out keeps
     * the format's default, {@code []} leaves it empty. The generic request log carries its own columns.
     */
    private static Map<String, Attribution> attribution(Home home, JsonNode node) {
        Map<String, Attribution> byFormat = new LinkedHashMap<>();
        if (node.isMissingNode() || node.isNull() || node.isObject() && node.isEmpty()) {
            return byFormat;
        }
        if (!node.isObject()) {
            throw new ApportionException(ApportionException.ExitCode.USAGE, home.config() + ": attribution must be a mapping of formats");
        }
        for (Map.Entry<String, JsonNode> format : node.properties()) {
            Attribution attribution = switch (format.getKey()) {
                case "litellm" -> Attribution.liteLlm();
                case "otel" -> Attribution.openTelemetry();
                default -> throw new ApportionException(ApportionException.ExitCode.USAGE, home.config() + ": attribution."
                        + format.getKey() + " is not a format with configurable attribution (litellm, otel)");
            };
            for (Map.Entry<String, JsonNode> role : format.getValue().properties()) {
                List<String> sources = new ArrayList<>();
                if (role.getValue().isArray()) {
                    role.getValue().forEach(source -> sources.add(source.asString()));
                } else if (!role.getValue().isNull()) {
                    sources.add(role.getValue().asString());
                }
                try {
                    attribution = attribution.with(Attribution.Role.of(role.getKey()), sources);
                } catch (IllegalArgumentException e) {
                    throw new ApportionException(ApportionException.ExitCode.USAGE, home.config() + ": attribution."
                            + format.getKey() + "." + role.getKey() + ": " + e.getMessage());
                }
            }
            byFormat.put(format.getKey(), attribution);
        }
        return Map.copyOf(byFormat);
    }

    private static Map<String, String> map(JsonNode node) {
        Map<String, String> map = new LinkedHashMap<>();
        if (node != null && node.isObject()) {
            node.properties().forEach(entry -> map.put(entry.getKey(), entry.getValue().asString()));
        }
        return map;
    }
}
