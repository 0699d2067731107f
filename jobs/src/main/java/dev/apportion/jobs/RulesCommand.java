package dev.apportion.jobs;

import dev.apportion.allocation.RuleSet;
import dev.apportion.ledger.Home;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/** {@code apportion rules validate}: every problem of the rules and split tables, each with its file line (DESIGN §10). */
@Command(name = "rules", mixinStandardHelpOptions = true, description = "Check the allocation rules of apportion.yml.",
        subcommands = RulesCommand.Validate.class)
final class RulesCommand implements Callable<Integer> {
    @CommandLine.ParentCommand
    Apportion root;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(root.out);
        return ApportionException.ExitCode.USAGE.code;
    }

    @Command(name = "validate", mixinStandardHelpOptions = true,
            description = "Report every problem of rules: and splits: (unknown keys, bad regex, a missing or non-final catch-all, "
                    + "split tables not summing to 100.00 or overlapping, rules that can never match), each with its line; "
                    + "exit 1 when there is any.")
    static final class Validate implements Callable<Integer> {
        @CommandLine.ParentCommand
        RulesCommand rules;

        @Override
        public Integer call() {
            Home home = rules.root.requireHome(true);
            byte[] bytes = Config.bytes(home);
            JsonNode root;
            try {
                root = YAMLMapper.builder().build().readTree(bytes);
            } catch (JacksonException e) {
                throw new ApportionException(ApportionException.ExitCode.GATE_FAILED, home.config() + " is not valid YAML: "
                        + e.getOriginalMessage() + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")"));
            }
            RuleSet.Validation validation = RuleSet.validate(root == null ? null : root.get("rules"), root == null ? null : root.get("splits"));
            if (!validation.problems().isEmpty()) {
                throw new ApportionException(ApportionException.ExitCode.GATE_FAILED, validation.problems().size()
                        + (validation.problems().size() == 1 ? " problem" : " problems") + " in the rules of " + home.config() + ":\n  "
                        + String.join("\n  ", located(home, bytes, validation.problems())));
            }
            rules.root.out.println("rules valid: " + validation.rules().rules().size() + " rules, "
                    + validation.rules().splits().size() + " split tables in " + home.config());
            return 0;
        }
    }

    /**
     * Each problem as {@code apportion.yml:LINE: message}: the line of the rule's {@code id:} or of the split table's
     * name under {@code splits:} (the first line of the section when the problem concerns it as a whole).
     */
    static List<String> located(Home home, byte[] yaml, List<RuleSet.Problem> problems) {
        List<String> lines = List.of(new String(yaml, StandardCharsets.UTF_8).split("\n", -1));
        List<String> located = new ArrayList<>();
        for (RuleSet.Problem problem : problems) {
            int line = switch (problem.subject()) {
                case "rule" -> problem.name() == null ? find(lines, Pattern.compile("^rules:"), 0)
                        : find(lines, Pattern.compile("\\bid:\\s*[\"']?" + Pattern.quote(problem.name()) + "[\"']?\\s*([,}#]|$)"),
                        find(lines, Pattern.compile("^rules:"), 0));
                case "split" -> find(lines, Pattern.compile("^\\s+[\"']?" + Pattern.quote(problem.name()) + "[\"']?\\s*:"),
                        find(lines, Pattern.compile("^splits:"), 0));
                default -> find(lines, Pattern.compile("^" + Pattern.quote(problem.name()) + ":"), 0);
            };
            String message = problem.message().replaceFirst("^apportion\\.yml: ", "");
            located.add(home.config().getFileName() + (line > 0 ? ":" + line : "") + ": " + message);
        }
        return located;
    }

    /** The 1-based number of the first line from {@code fromLine} (1-based, 0 = start) matching, or 0. */
    private static int find(List<String> lines, Pattern pattern, int fromLine) {
        for (int i = Math.max(fromLine - 1, 0); i < lines.size(); i++) {
            if (pattern.matcher(lines.get(i)).find()) {
                return i + 1;
            }
        }
        return 0;
    }
}
