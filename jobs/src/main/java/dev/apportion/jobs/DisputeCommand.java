package dev.apportion.jobs;

import dev.apportion.ledger.Home;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code apportion dispute}: exit 0 when a consumer's published rows are reproduced from the archived inputs,
 * 1 otherwise (see {@link Dispute}). Reads the close and the archive without the writer lock; writes only under
 * {@code disputes/}.
 */
@Command(name = "dispute",
        description = "Recompute the origin lines a consumer has rows on from the archived inputs and the close's pinned rules and "
                + "catalogues; exit 0 when the published rows are reproduced, 1 with each differing row and its cause otherwise. "
                + "Writes dispute.json, report.html, summary.md, recomputed-rows.parquet and ledger-entries.parquet under "
                + "disputes/<period>/<consumer, percent-encoded>/<timestamp>/.")
final class DisputeCommand implements Callable<Integer> {
    /** Differing rows named in the message; all of them are in dispute.json. */
    private static final int ROWS_SHOWN = 10;

    @ParentCommand
    Apportion root;

    @Mixin
    CloseSelection selection;

    @Option(names = "--consumer", required = true, paramLabel = "C",
            description = "The consumer (AllocatedResourceId). Repeat it to dispute several against one recomputation.")
    List<String> consumers;

    @Option(names = "--json", description = "Print the result as one JSON object.") boolean json;

    @Override
    public Integer call() {
        Home home = root.requireHome(true);
        List<Dispute.Result> results = new Dispute(home, root.clock, root.err)
                .run(selection.period(root.clock), selection.version, List.copyOf(new java.util.LinkedHashSet<>(consumers)));
        if (json) {
            ObjectNode node;
            if (results.size() == 1) {
                node = toJson(results.get(0));
            } else {
                node = JsonMapper.builder().build().createObjectNode();
                node.put("result", results.stream().allMatch(Dispute.Result::reproduced) ? "reproduced" : "not reproduced");
                ArrayNode disputes = node.putArray("disputes");
                results.forEach(result -> disputes.add(toJson(result)));
            }
            root.out.println(node.toPrettyString());
        } else {
            for (Dispute.Result result : results) {
                root.out.println((result.reproduced() ? "reproduced " : "differs    ") + result.consumer() + " in " + result.close() + ": "
                        + result.rowsCompared() + " row(s) on " + result.originLines() + " origin line(s)"
                        + (result.reproduced() ? ", rows and evidence hashes equal" : ", " + result.differences().size() + " differ"));
                root.out.println("dispute    " + result.directory());
            }
        }
        List<String> failed = new ArrayList<>();
        for (Dispute.Result result : results) {
            if (result.reproduced()) {
                continue;
            }
            List<String> shown = new ArrayList<>();
            for (Dispute.Difference difference : result.differences().subList(0, Math.min(ROWS_SHOWN, result.differences().size()))) {
                shown.add("row " + difference.rowId() + " (origin " + difference.anchorId() + "): " + difference.kind()
                        + (difference.columns().isEmpty() ? "" : "; " + String.join("; ", difference.columns()))
                        + "\n    cause: " + difference.cause());
            }
            failed.add("dispute of " + result.consumer() + " in " + result.close() + " not reproduced: " + result.differences().size()
                    + " of " + result.rowsCompared() + " row(s) differ:\n  " + String.join("\n  ", shown)
                    + (result.differences().size() > ROWS_SHOWN ? "\n  ..." : "") + "\nEvidence: " + result.directory().resolve("summary.md"));
        }
        if (failed.isEmpty()) {
            return 0;
        }
        throw new ApportionException(ApportionException.ExitCode.GATE_FAILED, String.join("\n", failed));
    }

    private static ObjectNode toJson(Dispute.Result result) {
        ObjectNode node = JsonMapper.builder().build().createObjectNode();
        node.put("result", result.reproduced() ? "reproduced" : "not reproduced");
        node.put("close", result.close());
        node.put("consumer", result.consumer());
        node.put("rowsCompared", result.rowsCompared());
        node.put("originLines", result.originLines());
        ArrayNode differences = node.putArray("differences");
        for (Dispute.Difference difference : result.differences()) {
            ObjectNode entry = differences.addObject().put("rowId", difference.rowId()).put("anchorId", difference.anchorId())
                    .put("kind", difference.kind()).put("cause", difference.cause());
            difference.columns().forEach(entry.putArray("columns")::add);
        }
        node.put("directory", result.directory().toString());
        return node;
    }
}
