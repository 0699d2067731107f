package dev.apportion.jobs;

import dev.apportion.ledger.DuckDbSession;
import dev.apportion.ledger.Home;
import dev.apportion.ledger.Sql;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code apportion explain}: the trail behind FOCUS rows of a published close (DESIGN §10): the origin line, the
 * rule and its method, the basis figures, the ratio, the rounding remainder the row received, and the ledger
 * entries behind it. Reads only the close (and never writes), so it works while another close runs.
 */
@Command(name = "explain",
        description = "Explain FOCUS rows of a published close: origin line, rule, basis, ratio, rounding remainder, ledger entries.")
final class ExplainCommand implements Callable<Integer> {
    /** Ledger entries printed per row; the count is always given. */
    static final int ENTRIES_SHOWN = 10;

    /** Cost lines listed per row in a JSON trail; the count is always given, the full list is in a Parquet file. */
    static final int TRAIL_ENTRIES = 100;

    @ParentCommand
    Apportion root;

    @Mixin
    CloseSelection selection;

    // Checked in call(): picocli would enforce a required group even for --help.
    @ArgGroup(exclusive = true, multiplicity = "0..1")
    Target target;

    static final class Target {
        @Option(names = "--row", paramLabel = "ID", description = "One row, by x_AllocationRowId.") String row;

        @ArgGroup(exclusive = false)
        AnchorAndConsumer anchor;
    }

    static final class AnchorAndConsumer {
        @Option(names = "--anchor", required = true, paramLabel = "A", description = "An origin line, by x_AllocationAnchorId.") String anchor;

        @Option(names = "--consumer", required = true, paramLabel = "C", description = "The consumer (AllocatedResourceId).") String consumer;
    }

    @Override
    public Integer call() {
        if (target == null) {
            throw new ApportionException(ApportionException.ExitCode.USAGE, "explain needs --row ID, or --anchor A with --consumer C");
        }
        Home home = root.requireHome(true);
        Path close = PublishedClose.of(home, selection.period(root.clock), selection.version);
        JsonNode methods;
        try {
            methods = JsonMapper.builder().build().readTree(Files.readString(close.resolve("allocation-methods.json")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try (DuckDbSession db = DuckDbSession.open(home.state())) {
            db.execute(Sql.of("CREATE TEMP VIEW focus AS SELECT * FROM read_parquet(${file})").bind("file", close.resolve("focus/cost-and-usage.parquet")));
            String where = target.row != null ? Sql.of("x_AllocationRowId = ${row}").bind("row", target.row).text()
                    : Sql.of("x_AllocationAnchorId = ${anchor} AND AllocatedResourceId = ${consumer}")
                    .bind("anchor", target.anchor.anchor).bind("consumer", target.anchor.consumer).text();
            List<String> rowIds = new ArrayList<>();
            db.query("SELECT x_AllocationRowId FROM focus WHERE " + where + " ORDER BY x_SplitPeriodStart, x_AllocationRowId",
                    row -> rowIds.add(row.getString(1)));
            if (rowIds.isEmpty()) {
                throw new ApportionException(ApportionException.ExitCode.USAGE, "No FOCUS row of " + close + " matches "
                        + (target.row != null ? "--row " + target.row : "--anchor " + target.anchor.anchor + " --consumer " + target.anchor.consumer));
            }
            for (String rowId : rowIds) {
                explain(db, close, methods, rowId, root.out, null);
            }
        }
        return 0;
    }

    /** The columns of the rows of an origin line a trail reads, in {@code x_AllocationRowId} order ({@code f}: the FOCUS rows). */
    static final String TRAIL_ROW_COLUMNS = """
            f.x_AllocationRowId, f.AllocatedMethodId, f.x_AllocationMethod, f.AllocatedResourceId, f.BilledCost,
            f.x_SplitRatio, strftime(f.x_SplitPeriodStart, '%Y-%m-%dT%H:%M:%SZ'), strftime(f.x_SplitPeriodEnd, '%Y-%m-%dT%H:%M:%SZ'),
            json_extract_string(f.AllocatedMethodDetails, '$.Elements[0].UsageQuantity'),
            json_extract_string(f.AllocatedMethodDetails, '$.Elements[0].UsageUnit'),
            json_extract_string(f.AllocatedMethodDetails, '$.Elements[0].x_Percent'),
            f.x_UsageRef, f.x_UsageEntryCount, f.x_RateVersion, f.x_ReconciliationStatus, f.x_MappingNote, f.x_EvidenceOwner,
            f.x_AllocationAnchorId""";
    private static final int TRAIL_ROW_VALUES = 18;

    /** The columns of an invoice line ({@code inputs/invoice-lines.parquet}) a trail shows, read by {@link #origin}. */
    static final String ORIGIN_COLUMNS = """
            BilledCost, BillingCurrency, strftime(ChargePeriodStart, '%Y-%m-%dT%H:%M:%SZ'), strftime(ChargePeriodEnd, '%Y-%m-%dT%H:%M:%SZ'),
            ChargeCategory, coalesce(SkuId, '-'), coalesce(model, '-'), coalesce(token_type, '-'), source_format, source_line, amount_scale""";

    /** An origin line as a trail shows it. */
    record Origin(BigDecimal billedCost, String currency, String start, String end, String category, String sku,
                  String model, String tokenType, String sourceFormat, long sourceLine, int amountScale) {
    }

    /** The cost lines behind a usage reference: how many, and the first of them in cost line order. */
    record UsageLines(long count, List<String> first) {
    }

    /** One row of {@link #TRAIL_ROW_COLUMNS} from {@code row}, whose first of them is column {@code first}. */
    static Object[] trailRow(ResultSet row, int first) throws SQLException {
        Object[] values = new Object[TRAIL_ROW_VALUES];
        for (int i = 0; i < values.length; i++) {
            values[i] = row.getObject(first + i);
        }
        return values;
    }

    /** The {@link #ORIGIN_COLUMNS} of {@code row}, whose first of them is column {@code first}. */
    static Origin origin(ResultSet row, int first) throws SQLException {
        return new Origin(row.getBigDecimal(first), row.getString(first + 1), row.getString(first + 2), row.getString(first + 3),
                row.getString(first + 4), row.getString(first + 5), row.getString(first + 6), row.getString(first + 7),
                row.getString(first + 8), row.getLong(first + 9), row.getInt(first + 10));
    }

    /**
     * One row's trail, printed to {@code out} and, when {@code trail} is given, also put into it as JSON. Reads the
     * view {@code focus} over {@code close}'s FOCUS file, its invoice line and its cost lines, three queries for one
     * row; a dispute reads them for all its rows at once and calls {@link #render}.
     */
    static void explain(DuckDbSession db, Path close, JsonNode methods, String rowId, PrintStream out, ObjectNode trail) {
        List<Object[]> siblings = new ArrayList<>();
        db.query(Sql.of("SELECT " + TRAIL_ROW_COLUMNS + """

                FROM focus f
                WHERE f.x_AllocationAnchorId = (SELECT x_AllocationAnchorId FROM focus WHERE x_AllocationRowId = ${row})
                ORDER BY f.x_AllocationRowId""").bind("row", rowId), row -> siblings.add(trailRow(row, 1)));
        Object[] self = rowOf(siblings, rowId);
        String anchor = (String) self[17];
        Origin[] origin = new Origin[1];
        db.query(Sql.of("SELECT " + ORIGIN_COLUMNS + " FROM read_parquet(${file}) WHERE anchor_id = ${anchor}")
                .bind("file", close.resolve("inputs/invoice-lines.parquet")).bind("anchor", anchor), line -> origin[0] = origin(line, 1));
        String usageRef = (String) self[11];
        UsageLines usage = null;
        if (usageRef != null) {
            List<String> first = new ArrayList<>();
            long[] count = new long[1];
            db.query(Sql.of("SELECT cost_line_id FROM read_parquet(${file}) WHERE x_UsageRef = ${ref} ORDER BY cost_line_id")
                    .bind("file", close.resolve("evidence/usage-refs.parquet")).bind("ref", usageRef), entry -> {
                        if (count[0]++ < (trail == null ? ENTRIES_SHOWN : TRAIL_ENTRIES)) {
                            first.add(entry.getString(1));
                        }
                    });
            usage = new UsageLines(count[0], first);
        }
        render(rowId, siblings, origin[0], usage, methods, out, trail);
    }

    /**
     * One row's trail from what was read for it: the rows of its origin line ({@link #trailRow}, in row id order), the
     * line (null when the close has none for it) and the cost lines behind its usage reference (null without one).
     */
    static void render(String rowId, List<Object[]> siblings, Origin origin, UsageLines usage, JsonNode methods,
                       PrintStream out, ObjectNode trail) {
        Object[] r = rowOf(siblings, rowId);
        String anchor = (String) r[17];
        out.println("row       " + rowId);
        ObjectNode json = trail == null ? JsonMapper.builder().build().createObjectNode() : trail;
        json.put("rowId", rowId).put("anchorId", anchor).put("consumer", (String) r[3]).put("rule", (String) r[1])
                .put("method", (String) r[2]).put("billedCost", plain((BigDecimal) r[4])).put("ratio", plain((BigDecimal) r[5]))
                .put("reconciliationClass", (String) r[14]).put("rateVersion", (String) r[13]).put("mappingNote", (String) r[15])
                .put("evidenceOwner", (String) r[16]);
        if (origin != null) {
            out.println("origin    " + anchor + ": " + plain(origin.billedCost()) + " " + origin.currency() + ", " + origin.category()
                    + ", [" + origin.start() + ", " + origin.end() + "), SKU " + origin.sku() + ", model " + origin.model()
                    + ", token type " + origin.tokenType() + " (" + origin.sourceFormat() + " line " + origin.sourceLine() + ")");
            out.println("          reconciliation " + r[14]);
            String ruleId = (String) r[1];
            JsonNode rule = methods.path(ruleId);
            out.println("rule      " + ruleId + ": " + rule.path("method").asString("unallocated")
                    + (rule.has("basis") ? ", basis " + rule.path("basis").asString() : "")
                    + (rule.has("window") && "activity".equals(rule.path("method").asString()) ? ", window " + rule.path("window").asString() : "")
                    + (rule.has("variance") ? ", variance " + rule.path("variance").asString() : "")
                    + (rule.has("split") ? ", split " + rule.path("split").path("table").asString() : "")
                    + ", owner " + r[16] + (rule.has("note") ? " (" + rule.path("note").asString() + ")" : ""));
            out.println("method    " + r[2] + (r[3] == null ? " (no consumer)" : " to " + r[3])
                    + (r[6] == null ? "" : ", split period [" + r[6] + ", " + r[7] + ")"));
            json.set("ruleDefinition", rule);
            explainSplit(r, siblings, ruleId, origin.billedCost(), origin.amountScale(), origin.currency(), out, json);
        }
        List<String> entries = usage == null ? List.of() : usage.first();
        long count = usage == null ? 0 : usage.count();
        json.put("usageRef", (String) r[11]);
        json.put("usageEntryCount", r[12] == null ? null : ((Number) r[12]).longValue());
        json.put("costLineCount", count);
        entries.forEach(json.putArray("costLines")::add);
        List<String> shown = entries.subList(0, Math.min(entries.size(), ENTRIES_SHOWN));
        out.println("ledger    " + (r[11] == null ? "none (a residual row is not backed by ledger entries)"
                : r[12] + " entries, " + count + " cost lines (" + r[11] + ")" + (shown.isEmpty() ? "" : ": " + String.join(", ", shown)
                + (count > ENTRIES_SHOWN ? ", ..." : ""))));
        if (r[13] != null) {
            out.println("rates     " + r[13]);
        }
        out.println("note      " + r[15]);
        out.println();
    }

    private static Object[] rowOf(List<Object[]> siblings, String rowId) {
        return siblings.stream().filter(values -> rowId.equals(values[0])).findFirst()
                .orElseThrow(() -> new IllegalStateException(rowId + " is not among the rows of its origin line"));
    }

    /**
     * The basis, ratio and rounding of one row: each row of the rule on this origin has weight w (its usage
     * quantity; percent × seconds of its split period for a fixed split; 1 for an even split); the row's exact
     * share is A·w/W, truncated toward zero at the amount scale, and the remainder units went by |A·w| mod W.
     */
    private static void explainSplit(Object[] r, List<Object[]> siblings, String ruleId, BigDecimal amount, int scale,
                                     String currency, PrintStream out, ObjectNode json) {
        BigDecimal usageTotal = BigDecimal.ZERO;
        boolean unallocatedVariance = false;
        for (Object[] sibling : siblings) {
            if (ruleId.equals(sibling[1])) {
                BigDecimal w = weight(sibling);
                if (w != null) {
                    usageTotal = usageTotal.add(w);
                } else if ("unallocated".equals(sibling[2])) {
                    unallocatedVariance = true;
                }
            }
        }
        // A direct rule's unallocated variance weighs the line minus its ledger, which is what the other rows weigh.
        BigDecimal total = unallocatedVariance ? amount : usageTotal;
        BigDecimal weight = weight(r) != null ? weight(r) : "unallocated".equals(r[2]) && unallocatedVariance ? amount.subtract(usageTotal) : null;
        BigDecimal ratio = (BigDecimal) r[5];
        if (weight == null || total.signum() == 0) {
            out.println("basis     ratio " + plain(ratio));
            out.println("amount    " + plain((BigDecimal) r[4]) + " " + currency);
            return;
        }
        json.put("basisWeight", plain(weight)).put("basisTotal", plain(total)).put("originAmount", plain(amount));
        String unit = r[9] != null ? " " + r[9] : r[10] != null ? " (" + plain(new BigDecimal((String) r[10])) + " % x seconds of the split period)" : "";
        out.println("basis     " + plain(weight) + unit + " of " + plain(total) + " on this line; ratio " + plain(ratio));
        BigDecimal exact = amount.multiply(weight).divide(total, MathContext.DECIMAL128);
        BigDecimal truncated = exact.setScale(scale, RoundingMode.DOWN);
        BigDecimal billed = (BigDecimal) r[4];
        BigDecimal remainder = billed.subtract(truncated);
        json.put("exactShare", plain(exact.round(new MathContext(24)))).put("truncatedShare", plain(truncated))
                .put("remainderReceived", plain(remainder));
        out.println("amount    " + plain(billed) + " " + currency + " = " + plain(amount) + " x " + plain(weight) + " / " + plain(total)
                + " = " + plain(exact.round(new MathContext(24))) + ", truncated at " + scale + " decimals to " + plain(truncated)
                + (remainder.signum() == 0 ? ", no remainder unit" : ", plus a remainder of " + plain(remainder)
                + " (remainder units go by descending |A x w| mod W, then row key)"));
    }

    private static BigDecimal weight(Object[] row) {
        if (row[8] != null) {
            return new BigDecimal((String) row[8]);
        }
        if (row[10] != null && row[6] != null) {
            long seconds = Duration.between(Instant.parse((String) row[6]), Instant.parse((String) row[7])).toSeconds();
            return new BigDecimal((String) row[10]).multiply(BigDecimal.valueOf(seconds));
        }
        if ("residual".equals(row[2])) {
            return BigDecimal.ONE;
        }
        return null;
    }

    private static String plain(BigDecimal value) {
        if (value == null) {
            return "-";
        }
        BigDecimal stripped = value.stripTrailingZeros();
        return (stripped.scale() < 0 ? stripped.setScale(0) : stripped).toPlainString();
    }
}
