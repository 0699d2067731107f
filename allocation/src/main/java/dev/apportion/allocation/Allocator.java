package dev.apportion.allocation;

import dev.apportion.ledger.DuckDbSession;
import dev.apportion.ledger.Sql;
import java.math.BigDecimal;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;
import tools.jackson.databind.json.JsonMapper;

/**
 * Allocates every invoice line of the period to row keys (DESIGN §8). Bases are computed set-based in
 * DuckDB; the exact integer split runs in Java ({@link LineSplitter}) on the aggregated weights, which are
 * per line and row key, never per request.
 *
 * <p>Each line takes the first rule whose selector matches and whose basis total is positive; a line no
 * rule can split becomes one {@code unallocated} row. Residual {@code proportional} rules are evaluated
 * last, on the usage allocations of the period. Expects {@code invoice_lines}, {@code anchored_cost_lines},
 * {@code invoice_usage} (with each line's reconciliation class); leaves {@code allocation_rows}, and the usage
 * references' cost lines for the evidence: {@code anchor_usage} (the reference of each anchored row key, whose cost
 * lines are the row key's anchored cost lines) and {@code usage_ref_lines} (those of day and month windows).
 */
public final class Allocator {
    private static final String SELECTED_LINES = """
            SELECT anchor_id, amount_scale, BilledCost, coalesce(EffectiveCost, BilledCost), coalesce(ListCost, BilledCost),
                   coalesce(ContractedCost, BilledCost), ListUnitPrice, ContractedUnitPrice, PricingQuantity, ConsumedQuantity
            FROM invoice_lines ORDER BY anchor_id""";

    /**
     * Cost lines per batch of the row-key aggregation. Each row key's cost line ids are held in memory until its
     * usage reference is hashed, about 70 bytes a line, so a batch stays near 2 GB, inside DuckDB's memory limit.
     * Every batch scans all the cost lines, so batches are as large as memory allows: at 100M requests (240M
     * lines), 22 batches of 12M lines took 550 s, mostly rescanning.
     */
    static final long COST_LINES_PER_BATCH = 30_000_000;

    private Allocator() {
    }

    public static void allocate(DuckDbSession db, RuleSet rules, String currency) {
        allocate(db, rules, currency, COST_LINES_PER_BATCH);
    }

    static void allocate(DuckDbSession db, RuleSet rules, String currency, long costLinesPerBatch) {
        boolean tagged = db.queryLong("SELECT count(*) FROM duckdb_columns() WHERE table_name = 'invoice_lines' AND column_name = 'Tags'") > 0;
        db.execute(Sql.resource(Allocator.class, "allocation-setup.sql").bindRaw("tags", tagged ? "i.Tags" : "NULL::VARCHAR"));
        long costLines = db.queryLong("SELECT count(*) FROM anchored_cost_lines");
        long batches = Math.max(1, (costLines + costLinesPerBatch - 1) / costLinesPerBatch);
        for (long batch = 0; batch < batches; batch++) {
            db.execute("INSERT INTO anchor_usage FROM anchor_usage_batch(" + batch + ", " + batches + ")");
        }
        db.execute(Sql.resource(Allocator.class, "anchor-usage-rates.sql"));
        Map<String, OriginLine> lines = new TreeMap<>();
        db.query(SELECTED_LINES, row -> lines.put(row.getString(1), new OriginLine(row.getString(1), row.getInt(2),
                row.getBigDecimal(3), row.getBigDecimal(4), row.getBigDecimal(5), row.getBigDecimal(6),
                row.getBigDecimal(7), row.getBigDecimal(8), row.getBigDecimal(9), row.getBigDecimal(10))));
        Map<String, Map<String, String>> fields = new HashMap<>();
        JsonMapper json = JsonMapper.builder().build();
        db.query("SELECT * FROM line_fields", row -> {
            Map<String, String> lineFields = new HashMap<>();
            for (int column = 2; column <= row.getMetaData().getColumnCount(); column++) {
                String name = row.getMetaData().getColumnName(column);
                if (name.equals("tags_json")) {
                    // Selectors name a tag as tags.<key>; FOCUS Tags is a JSON object of text values.
                    if (row.getString(column) != null) {
                        json.readTree(row.getString(column)).properties().forEach(tag ->
                                lineFields.put("tags." + tag.getKey(), tag.getValue().isValueNode() ? tag.getValue().asString() : tag.getValue().toString()));
                    }
                } else {
                    lineFields.put(name, row.getString(column));
                }
            }
            fields.put(row.getString(1), lineFields);
        });

        try (PreparedStatement insert = db.connection().prepareStatement("INSERT INTO rule_descriptions VALUES (?, ?, ?, ?, ?)")) {
            for (int index = 0; index < rules.rules().size(); index++) {
                Rule rule = rules.rules().get(index);
                insert.setInt(1, index);
                insert.setString(2, rule.id());
                insert.setString(3, rule.method().id());
                insert.setString(4, rule.owner());
                insert.setString(5, describe(rule));
                insert.addBatch();
            }
            insert.executeBatch();
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot record the rules: " + e.getMessage(), e);
        }
        // The index of the first rule each pending line may still take.
        Map<String, Integer> pending = new TreeMap<>();
        lines.keySet().forEach(anchor -> pending.put(anchor, 0));
        try (DuckDBAppender appender = ((DuckDBConnection) db.connection()).createAppender("main", "allocation_rows")) {
            while (!pending.isEmpty()) {
                Map<String, Integer> candidates = new LinkedHashMap<>();
                for (Map.Entry<String, Integer> line : pending.entrySet()) {
                    int index = firstMatch(rules, fields.get(line.getKey()), line.getValue());
                    if (index < 0) {
                        appendUnallocated(appender, lines.get(line.getKey()));
                    } else {
                        candidates.put(line.getKey(), index);
                    }
                }
                pending.keySet().retainAll(candidates.keySet());
                if (candidates.isEmpty()) {
                    break;
                }
                // Proportional residuals weigh the usage allocations, so they wait until nothing else is pending.
                Map<String, Integer> batch = new LinkedHashMap<>();
                candidates.forEach((anchor, index) -> {
                    if (!isProportionalResidual(rules.rules().get(index))) {
                        batch.put(anchor, index);
                    }
                });
                if (batch.isEmpty()) {
                    batch.putAll(candidates);
                }
                appender.flush();
                Set<String> allocated = evaluate(db, rules, currency, batch, lines);
                batch.forEach((anchor, index) -> {
                    if (allocated.contains(anchor)) {
                        pending.remove(anchor);
                    } else {
                        pending.put(anchor, index + 1);
                    }
                });
            }
            appender.flush();
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot write allocation rows: " + e.getMessage(), e);
        }
    }

    private static int firstMatch(RuleSet rules, Map<String, String> lineFields, int from) {
        for (int index = from; index < rules.rules().size(); index++) {
            if (rules.rules().get(index).selects(lineFields)) {
                return index;
            }
        }
        return -1;
    }

    private static boolean isProportionalResidual(Rule rule) {
        return rule.method() == Rule.Method.RESIDUAL && "proportional".equals(rule.basis());
    }

    /** Splits the lines of {@code batch} whose candidate rule has a positive basis; returns their anchors. */
    private static Set<String> evaluate(DuckDbSession db, RuleSet rules, String currency, Map<String, Integer> batch,
                                        Map<String, OriginLine> lines) throws SQLException {
        db.execute("CREATE OR REPLACE TEMP TABLE line_candidates (anchor_id VARCHAR, rule_index INTEGER, method VARCHAR, basis VARCHAR, \"window\" VARCHAR)");
        try (PreparedStatement insert = db.connection().prepareStatement("INSERT INTO line_candidates VALUES (?, ?, ?, ?, ?)")) {
            for (Map.Entry<String, Integer> candidate : batch.entrySet()) {
                Rule rule = rules.rules().get(candidate.getValue());
                insert.setString(1, candidate.getKey());
                insert.setInt(2, candidate.getValue());
                insert.setString(3, rule.method().id());
                insert.setString(4, rule.basis());
                insert.setString(5, rule.window());
                insert.addBatch();
            }
            insert.executeBatch();
        }
        fillFixedWeights(db, rules, batch);
        db.execute(Sql.resource(Allocator.class, "candidate-weights.sql").bind("currency", currency)
                .bindRaw("basis_scope", basisScope(rules)));
        db.query("SELECT anchor_id, rule_index, consumer_id, weight FROM candidate_weights WHERE weight < 0 ORDER BY 1, 3 LIMIT 1", row -> {
            throw new IllegalStateException("Allocation error: rule " + rules.rules().get(row.getInt(2)).id() + " gives consumer "
                    + row.getString(3) + " the negative weight " + row.getBigDecimal(4).toPlainString() + " on line " + row.getString(1));
        });
        // Only what the split needs crosses into Java, and only the split's results come back (allocation_shares):
        // every value through JDBC and the appender costs a native call, and the usage evidence (units, quantities,
        // references, rate versions, split periods) stays in DuckDB, joined back to each share by its weight row.
        try (DuckDBAppender shareAppender = ((DuckDBConnection) db.connection()).createAppender("main", "allocation_shares")) {
            AnchorSplitter splitter = new AnchorSplitter(rules, lines, shareAppender);
            db.query("SELECT rowid, anchor_id, rule_index, " + ROW_KEY + " AS row_key, weight FROM candidate_weights WHERE weight > 0 ORDER BY anchor_id",
                    row -> splitter.accept(row.getString(2), new WeightRow(row.getLong(1), row.getInt(3), row.getString(4), row.getBigDecimal(5))));
            splitter.flush();
            shareAppender.flush();
            db.execute(Sql.resource(Allocator.class, "allocation-shares.sql"));
            return splitter.allocated;
        }
    }

    /**
     * The weights of the batch's lines whose rule is a fixed split: per split period inside the line's charge
     * period and per consumer, percent × seconds, so each split period takes the line's amount in proportion to
     * its share of the charge period and each row's ratio is its percent × that fraction (DESIGN §8).
     */
    private static void fillFixedWeights(DuckDbSession db, RuleSet rules, Map<String, Integer> batch) throws SQLException {
        db.execute("DELETE FROM fixed_weights");
        Map<String, Integer> fixed = new LinkedHashMap<>();
        batch.forEach((anchor, index) -> {
            Rule rule = rules.rules().get(index);
            if (rule.method() == Rule.Method.RESIDUAL && "fixed".equals(rule.basis())) {
                fixed.put(anchor, index);
            }
        });
        if (fixed.isEmpty()) {
            return;
        }
        Map<String, Instant[]> periods = new HashMap<>();
        db.query("SELECT anchor_id, strftime(ChargePeriodStart, '%Y-%m-%dT%H:%M:%S.%fZ'), strftime(ChargePeriodEnd, '%Y-%m-%dT%H:%M:%S.%fZ') "
                + "FROM invoice_lines", row -> {
                    if (fixed.containsKey(row.getString(1))) {
                        periods.put(row.getString(1), new Instant[] {Instant.parse(row.getString(2)), Instant.parse(row.getString(3))});
                    }
                });
        try (PreparedStatement insert = db.connection().prepareStatement("INSERT INTO fixed_weights VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            for (Map.Entry<String, Integer> line : fixed.entrySet()) {
                Rule rule = rules.rules().get(line.getValue());
                Instant[] period = periods.get(line.getKey());
                List<SplitTable.Slice> slices;
                try {
                    slices = rules.splits().get(rule.split()).slices(period[0], period[1]);
                } catch (IllegalArgumentException e) {
                    throw new IllegalStateException("Allocation error: rule " + rule.id() + " cannot split line " + line.getKey()
                            + ": " + e.getMessage());
                }
                for (SplitTable.Slice slice : slices) {
                    for (Map.Entry<String, BigDecimal> share : new TreeMap<>(slice.shares()).entrySet()) {
                        insert.setString(1, line.getKey());
                        insert.setInt(2, line.getValue());
                        insert.setString(3, share.getKey());
                        insert.setBigDecimal(4, share.getValue().multiply(BigDecimal.valueOf(slice.seconds())));
                        insert.setBigDecimal(5, share.getValue());
                        insert.setString(6, slice.start().toString());
                        insert.setString(7, slice.end().toString());
                        insert.addBatch();
                    }
                }
            }
            insert.executeBatch();
        }
    }

    /**
     * Which cost lines form the basis of an activity rule over a day or month window, as SQL over {@code a} (the
     * cost line), {@code i} (the invoice line) and {@code c} (the candidate): the rule's basis_selector, else the
     * cost lines of the line's provider, billing account and model (all models when the line has none).
     */
    static String basisScope(RuleSet rules) {
        String sameModel = "(a.provider = i.provider AND a.billing_account_id = i.BillingAccountId AND (i.model IS NULL OR a.model = i.model))";
        List<String> cases = new ArrayList<>();
        for (int index = 0; index < rules.rules().size(); index++) {
            Rule rule = rules.rules().get(index);
            if (!rule.basisSelector().isEmpty()) {
                cases.add("WHEN " + index + " THEN " + rule.basisSelector().values().stream()
                        .map(selector -> selector.sql("a." + selector.field())).collect(java.util.stream.Collectors.joining(" AND ")));
            }
        }
        return cases.isEmpty() ? sameModel : "CASE c.rule_index " + String.join(" ", cases) + " ELSE " + sameModel + " END";
    }

    /** Collects the weight rows of one anchor at a time (they arrive ordered by anchor) and splits each line. */
    private static final class AnchorSplitter {
        private final RuleSet rules;
        private final Map<String, OriginLine> lines;
        private final DuckDBAppender appender;
        private final List<WeightRow> rows = new ArrayList<>();
        private final Set<String> allocated = new HashSet<>();
        private String anchor;

        AnchorSplitter(RuleSet rules, Map<String, OriginLine> lines, DuckDBAppender appender) {
            this.rules = rules;
            this.lines = lines;
            this.appender = appender;
        }

        void accept(String rowAnchor, WeightRow row) throws SQLException {
            if (anchor != null && !anchor.equals(rowAnchor)) {
                flush();
            }
            anchor = rowAnchor;
            rows.add(row);
        }

        void flush() throws SQLException {
            if (anchor != null) {
                split(rules, lines.get(anchor), rows, appender);
                allocated.add(anchor);
                rows.clear();
                anchor = null;
            }
        }
    }

    /**
     * The row key of a candidate weight row: (consumer, principal, feature, environment, and the split period start
     * when there is one) as one string whose code-point order is the tuple order, nulls first (DESIGN §8). Each part
     * is U+0001 and its text, or U+0000 for null; parts are joined by U+0000. Built in SQL, so one string per
     * weight row crosses into Java instead of its five parts.
     */
    static final String ROW_KEY = "concat_ws(chr(0), " + String.join(", ",
            keyPart("consumer_id"), keyPart("principal_id"), keyPart("feature"), keyPart("environment"),
            "CASE WHEN split_start IS NOT NULL THEN chr(1) || split_start END") + ")";

    /** The row key of the variance a direct rule with {@code variance: unallocated} leaves unallocated. */
    static final String UNALLOCATED_ROW_KEY = String.join("\u0000", "\u0000", "\u0000", "\u0000", "\u0000", "\u0000", "\u0001unallocated");

    private static String keyPart(String column) {
        return "CASE WHEN " + column + " IS NULL THEN chr(0) ELSE chr(1) || " + column + " END";
    }

    /** A candidate's weight row as the split needs it; {@code weightRow} is its rowid in candidate_weights. */
    record WeightRow(long weightRow, int ruleIndex, String rowKey, BigDecimal weight, boolean unallocated) {
        WeightRow(long weightRow, int ruleIndex, String rowKey, BigDecimal weight) {
            this(weightRow, ruleIndex, rowKey, weight, false);
        }

        /** The variance a direct rule with {@code variance: unallocated} leaves unallocated, as a weight. */
        static WeightRow unallocatedVariance(int ruleIndex, BigDecimal variance) {
            return new WeightRow(-1, ruleIndex, UNALLOCATED_ROW_KEY, variance, true);
        }
    }

    private static void split(RuleSet rules, OriginLine origin, List<WeightRow> usageRows, DuckDBAppender appender) throws SQLException {
        Rule rule = rules.rules().get(usageRows.get(0).ruleIndex());
        List<WeightRow> rows = new ArrayList<>(usageRows);
        String varianceNote = "";
        if (rule.method() == Rule.Method.DIRECT && "unallocated".equals(rule.variance())) {
            // Each consumer keeps its own ledger cost; the line's variance over the ledger is a row of its own. A line
            // below its ledger cannot leave a negative unallocated row on a positive line: then it is spread.
            BigDecimal ledger = usageRows.stream().map(WeightRow::weight).reduce(BigDecimal.ZERO, BigDecimal::add);
            BigDecimal variance = origin.billedCost().subtract(ledger);
            if (variance.signum() > 0) {
                rows.add(WeightRow.unallocatedVariance(usageRows.get(0).ruleIndex(), variance));
            } else if (variance.signum() < 0) {
                varianceNote = "; the ledger (" + ledger.stripTrailingZeros().toPlainString() + ") exceeds the line, so the variance is spread";
            }
        }
        List<BigDecimal> weights = rows.stream().map(WeightRow::weight).toList();
        List<String> keys = rows.stream().map(WeightRow::rowKey).toList();
        List<AllocatedShare> shares = LineSplitter.split(origin, weights, keys);
        for (int i = 0; i < rows.size(); i++) {
            WeightRow row = rows.get(i);
            AllocatedShare share = shares.get(i);
            appender.beginRow()
                    .append(row.unallocated() ? null : row.weightRow()).append(origin.anchorId()).append(row.ruleIndex())
                    .append(row.unallocated()).append(keys.get(i))
                    .append(share.ratio()).append(column(share.billedCost())).append(column(share.effectiveCost()))
                    .append(column(share.listCost())).append(column(share.contractedCost())).append(column(share.pricingQuantity()))
                    .append(column(share.consumedQuantity())).append(share.unitPriceIdentityKept())
                    .append(varianceNote.isEmpty() ? null : varianceNote)
                    .endRow();
        }
    }

    /** The value at the DECIMAL(38, 18) scale of allocation_rows; exact, since no amount has more places. */
    private static BigDecimal column(BigDecimal value) {
        return value == null ? null : value.setScale(18);
    }

    private static String describe(Rule rule) {
        return switch (rule.method()) {
            case DIRECT -> "rule " + rule.id() + " (direct: contracted ledger cost, variance " + rule.variance() + ")";
            case ACTIVITY -> "rule " + rule.id() + " (activity: " + rule.basis() + ", window " + rule.window() + ")";
            case RESIDUAL -> "rule " + rule.id() + " (residual: " + rule.basis() + (rule.split() == null ? "" : " split " + rule.split()) + ")";
        };
    }

    private static void appendUnallocated(DuckDBAppender appender, OriginLine origin) throws SQLException {
        appender.beginRow()
                .append(origin.anchorId()).append((String) null).append("unallocated").append((String) null).append("")
                .append((String) null).append((String) null).append((String) null).append((String) null).append((String) null)
                .append(BigDecimal.ONE.setScale(12)).append(column(origin.billedCost())).append(column(origin.effectiveCost()))
                .append(column(origin.listCost())).append(column(origin.contractedCost())).append(column(origin.pricingQuantity()))
                .append(column(origin.consumedQuantity())).append((String) null).append((BigDecimal) null)
                .append((String) null).append(0L).append((String) null)
                .append("no rule could split this line (every matching basis was zero); kept whole as unallocated")
                .append((String) null).append((String) null)
                .endRow();
    }
}
