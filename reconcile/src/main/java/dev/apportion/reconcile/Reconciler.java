package dev.apportion.reconcile;

import dev.apportion.ledger.DuckDbSession;
import dev.apportion.ledger.Sql;
import java.math.BigDecimal;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reconciles the priced ledger against the invoice (DESIGN §7): anchors every cost line to its invoice line,
 * compares ledger, gateway-logged cost, provider usage export and invoice per cell, and gives each cell one
 * class, first that applies: {@code unpriced_model} > {@code unmatched_invoice_line} > {@code unmatched_ledger}
 * > {@code price_drift} > {@code unmetered_usage} / {@code phantom_usage} > {@code matched}.
 *
 * <p>Expects {@code invoice_lines}, {@code cost_lines} (or {@code anchored_cost_lines}) and {@code provider_usage}
 * in the session; leaves {@code anchored_cost_lines} (see {@link #anchor}), {@code invoice_usage} (per anchor: entry count, quantity, has_usage, class,
 * quantity source) and {@code reconciliation} (the rows of {@code reconciliation.csv}).
 */
public final class Reconciler {
    /** The header of {@code reconciliation.csv} (DESIGN §7, contract). */
    public static final String CSV_HEADER = "period,provider,billing_account_id,model,token_type,service_tier,region,"
            + "cell_start,cell_end,ledger_quantity,ledger_list_cost,ledger_contracted_cost,ledger_logged_cost,"
            + "provider_usage_quantity,invoice_quantity,invoice_billed_cost,quantity_diff,cost_diff,class,hint,anchor_ids,currency";

    /** The classes whose absolute cost difference counts against the gate. */
    public static final List<String> GATED_CLASSES = List.of("price_drift", "unmetered_usage", "phantom_usage",
            "unpriced_model", "unmatched_ledger");

    /** Cells the gate message names, largest absolute cost difference first. */
    static final int TOP_CELLS = 10;

    private Reconciler() {
    }

    /**
     * Anchors every cost line to its invoice line (DESIGN §7): leaves {@code anchored_cost_lines}, the cost lines
     * with {@code anchor_id} (null when no invoice line of the key covers the line's instant). Expects
     * {@code invoice_lines} and {@code cost_lines}. A view over the cost lines when every hour is covered by at
     * most one line of its key, wholly; otherwise a table, with the exact range test for the lines of shared or
     * partly covered hours.
     */
    public static void anchor(DuckDbSession db) {
        db.execute(Sql.resource(Reconciler.class, "reconcile-anchors.sql"));
        boolean everyHourUnambiguous = db.queryLong("SELECT count(*) FROM anchor_hours WHERE anchor_id IS NULL") == 0;
        db.execute(Sql.resource(Reconciler.class, everyHourUnambiguous ? "reconcile-anchors-hourly.sql" : "reconcile-anchors-exact.sql"));
    }

    /**
     * Reconciles and evaluates the gate; see the class comment for what the session must hold. Cost lines
     * already anchored ({@code anchored_cost_lines}, from {@link #anchor}, perhaps in an earlier session) are
     * used as they are; otherwise {@code cost_lines} are anchored first.
     */
    public static GateResult reconcile(DuckDbSession db, YearMonth period, String currency, Tolerances tolerances) {
        ensureProviderUsage(db);
        if (db.queryLong("SELECT count(*) FROM duckdb_views() WHERE view_name = 'anchored_cost_lines'")
                + db.queryLong("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'anchored_cost_lines'") == 0) {
            anchor(db);
        } else {
            db.execute(Sql.resource(Reconciler.class, "reconcile-anchors.sql"));
        }
        db.execute(Sql.resource(Reconciler.class, "reconcile-ledger-hours.sql"));
        db.execute(Sql.resource(Reconciler.class, "reconcile.sql")
                .bind("period", period.toString())
                .bind("currency", currency)
                .bindRaw("quantity_tolerance", fraction(tolerances.quantityPercent()))
                .bindRaw("cost_tolerance", fraction(tolerances.costPercent()))
                .bindRaw("cost_floor", decimal(tolerances.costFloor())));
        return gate(db, currency, tolerances.gatePercent());
    }

    /** A close without provider usage exports reconciles with an empty table. */
    private static void ensureProviderUsage(DuckDbSession db) {
        if (db.queryLong("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'provider_usage'") == 0) {
            db.execute("""
                    CREATE TEMP TABLE provider_usage (provider VARCHAR, bucket_start TIMESTAMPTZ, model VARCHAR,
                        token_type VARCHAR, service_tier VARCHAR, region VARCHAR, quantity BIGINT)""");
        }
    }

    private static GateResult gate(DuckDbSession db, String currency, BigDecimal gatePercent) {
        String gated = GATED_CLASSES.stream().map(Sql::literal).reduce((a, b) -> a + ", " + b).orElseThrow();
        BigDecimal[] totals = new BigDecimal[2];
        db.query("SELECT coalesce(sum(CAST(BilledCost AS DECIMAL(38, 18))), 0) FROM invoice_lines",
                row -> totals[0] = row.getBigDecimal(1));
        db.query("SELECT coalesce(sum(abs(cost_diff)), 0) FROM reconciliation WHERE class IN (" + gated + ")",
                row -> totals[1] = row.getBigDecimal(1));
        List<String> topCells = new ArrayList<>();
        db.query(Sql.of("""
                        SELECT class, provider, coalesce(billing_account_id, '-'), coalesce(model, '-'), coalesce(token_type, '-'),
                               coalesce(service_tier, '-'), coalesce(region, '-'), strftime(cell_start, '%Y-%m-%d'),
                               strftime(cell_end, '%Y-%m-%d'), cost_diff, coalesce(hint, '')
                        FROM reconciliation WHERE class IN (${gated})
                        ORDER BY abs(cost_diff) DESC, provider, billing_account_id, model, token_type, cell_start
                        LIMIT ${top}""").bindRaw("gated", gated).bindRaw("top", String.valueOf(TOP_CELLS)),
                row -> topCells.add(String.format(Locale.ROOT, "%s %s/%s %s %s %s %s [%s, %s): cost difference %s %s%s",
                        row.getString(1), row.getString(2), row.getString(3), row.getString(4), row.getString(5),
                        row.getString(6), row.getString(7), row.getString(8), row.getString(9), plain(row.getBigDecimal(10)),
                        currency, row.getString(11).isEmpty() ? "" : " (" + row.getString(11) + ")")));
        return new GateResult(totals[0], totals[1], gatePercent, topCells);
    }

    private static String fraction(BigDecimal percent) {
        return decimal(percent.movePointLeft(2));
    }

    private static String decimal(BigDecimal value) {
        BigDecimal plain = value.stripTrailingZeros();
        int scale = Math.max(plain.scale(), 0);
        return "CAST(" + Sql.literal(plain.toPlainString()) + " AS DECIMAL(38, " + Math.min(scale, 18) + "))";
    }

    /** A decimal as plain text without trailing zeros (manifest and messages). */
    public static String plain(BigDecimal value) {
        BigDecimal stripped = value.stripTrailingZeros();
        return (stripped.scale() < 0 ? stripped.setScale(0) : stripped).toPlainString();
    }
}
