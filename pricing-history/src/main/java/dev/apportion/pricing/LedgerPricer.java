package dev.apportion.pricing;

import static java.util.Objects.requireNonNull;

import dev.apportion.ledger.DuckDbSession;
import dev.apportion.ledger.LedgerFiles;
import dev.apportion.ledger.Periods;
import dev.apportion.ledger.Sql;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Turns usage events into ledger cost lines priced at the rates in force when each request ran
 * (DESIGN §6). The {@link PriceBook} resolves each distinct rate key into a timeline of prices; one range
 * join in DuckDB then prices every cost line, so the work per row is set-based whatever the month's size.
 *
 * <p>Leaves the priced lines in the temp table {@code cost_lines}: one per request and token type with a
 * non-zero quantity, list and contracted cost (null when unpriced, never zero), the catalogue, its version,
 * the matched entry and, when unpriced, the reason.
 */
public final class LedgerPricer {
    /** Decimal places of a price per single unit (token or call); costs carry the same scale. */
    public static final int PRICE_SCALE = 18;

    private LedgerPricer() {
    }

    /**
     * Prices the usage events in {@code eventFiles} that fall in {@code period}. Expects the session to hold
     * {@code invoice_lines} (for the billing-account fallback).
     *
     * @param principalAccounts the {@code accounts:} map of the configuration, principal → billing account
     */
    public static void price(DuckDbSession db, PriceBook book, List<Path> eventFiles, YearMonth period,
                             Map<String, String> principalAccounts) {
        String events;
        if (eventFiles.isEmpty()) {
            db.execute(Sql.resource(LedgerPricer.class, "usage-events-empty.sql"));
            events = "no_usage_events";
        } else {
            events = LedgerFiles.relation(db, eventFiles);
        }
        db.execute(Sql.of("CREATE OR REPLACE TEMP VIEW usage_events_in_scope AS SELECT * FROM ${events} "
                        + "WHERE occurred_at >= ${period_start} AND occurred_at < ${period_end}")
                .bindRaw("events", events)
                .bind("period_start", Periods.start(period))
                .bind("period_end", Periods.end(period)));
        priceEvents(db, book, "usage_events_in_scope", principalAccounts, Periods.start(period), Periods.end(period), null);
    }

    /**
     * Prices every event of {@code eventsRelation} (a table or view with the normalised usage-event columns).
     * Without invoices in the session, billing accounts come from the log and {@code principalAccounts} only.
     *
     * @param from start of the range every event lies in
     * @param to end (exclusive) of that range
     * @param pricedAt when non-null, every event is priced at this instant instead of its own time
     */
    public static void priceEvents(DuckDbSession db, PriceBook book, String eventsRelation, Map<String, String> principalAccounts,
                                   Instant from, Instant to, Instant pricedAt) {
        requireNonNull(book, "book is null");
        loadMap(db, "principal_accounts", "principal_id", "billing_account_id", principalAccounts);
        if (!tableExists(db, "invoice_lines")) {
            db.execute("CREATE OR REPLACE TEMP TABLE invoice_lines (provider VARCHAR, BillingAccountId VARCHAR)");
        }
        db.execute(Sql.resource(LedgerPricer.class, "price-entries.sql")
                .bindRaw("events", eventsRelation)
                .bindRaw("priced_at", pricedAt == null ? "e.occurred_at" : Sql.of("${at}").bind("at", pricedAt).text()));
        Instant rangeFrom = pricedAt == null ? from : pricedAt;
        Instant rangeTo = pricedAt == null ? to : pricedAt.plusNanos(1_000);
        loadTimeline(db, book, rangeFrom, rangeTo);
        db.execute(Sql.resource(LedgerPricer.class, "price.sql"));
    }

    private static void loadTimeline(DuckDbSession db, PriceBook book, Instant from, Instant to) {
        db.execute(Sql.resource(LedgerPricer.class, "price-timeline.sql"));
        List<PriceBook.Key> keys = new ArrayList<>();
        try (Statement statement = db.connection().createStatement();
             ResultSet rows = statement.executeQuery(
                     "SELECT DISTINCT provider, logged_model, service_tier, region, billing_account_id FROM priced_entries ORDER BY ALL")) {
            while (rows.next()) {
                keys.add(new PriceBook.Key(rows.getString(1), rows.getString(2), rows.getString(3), rows.getString(4), rows.getString(5)));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot list the rate keys of the ledger: " + e.getMessage(), e);
        }
        try (PreparedStatement keyInsert = db.connection().prepareStatement("INSERT INTO price_keys VALUES (?, ?, ?, ?, ?, ?, ?)");
             PreparedStatement segmentInsert = db.connection().prepareStatement(
                     "INSERT INTO price_segments VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
             PreparedStatement rateInsert = db.connection().prepareStatement(
                     "INSERT INTO price_rates VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            int keyId = 0;
            int segmentId = 0;
            for (PriceBook.Key key : keys) {
                keyId++;
                List<PriceBook.Segment> segments = book.resolve(key, from, to);
                keyInsert.setInt(1, keyId);
                keyInsert.setString(2, key.provider());
                keyInsert.setString(3, key.model());
                keyInsert.setString(4, key.serviceTier());
                keyInsert.setString(5, key.region());
                keyInsert.setString(6, key.billingAccountId());
                keyInsert.setString(7, segments.get(0).canonicalModel());
                keyInsert.addBatch();
                for (PriceBook.Segment segment : segments) {
                    segmentId++;
                    segmentInsert.setInt(1, segmentId);
                    segmentInsert.setInt(2, keyId);
                    segmentInsert.setObject(3, OffsetDateTime.ofInstant(segment.from(), ZoneOffset.UTC));
                    segmentInsert.setObject(4, OffsetDateTime.ofInstant(segment.to(), ZoneOffset.UTC));
                    segmentInsert.setString(5, segment.unpriced() == null ? null : segment.unpriced().id());
                    segmentInsert.setString(6, segment.match() == null ? null : segment.match().catalogue().id());
                    segmentInsert.setString(7, segment.match() == null ? null : segment.match().catalogue().version());
                    segmentInsert.setString(8, segment.match() == null ? null : segment.match().entry().entryId());
                    segmentInsert.setString(9, segment.match() == null ? null : segment.match().how());
                    segmentInsert.setString(10, segment.canonicalModel());
                    segmentInsert.addBatch();
                    for (PriceBook.TokenRate rate : segment.rates()) {
                        rateInsert.setInt(1, segmentId);
                        rateInsert.setString(2, rate.tokenType().id());
                        rateInsert.setLong(3, rate.inputAbove());
                        rateInsert.setObject(4, rate.inputUpTo());
                        rateInsert.setBigDecimal(5, rate.list() == null ? null : rate.list().unitPrice());
                        rateInsert.setObject(6, rate.list() == null ? null : rate.list().per());
                        rateInsert.setBigDecimal(7, rate.list() == null ? null : rate.list().pricePerUnit().setScale(PRICE_SCALE));
                        rateInsert.setString(8, rate.list() == null ? null : rate.list().source());
                        rateInsert.setBigDecimal(9, rate.contract() == null ? null : rate.contract().unitPrice());
                        rateInsert.setObject(10, rate.contract() == null ? null : rate.contract().per());
                        rateInsert.setBigDecimal(11, rate.contract() == null ? null : rate.contract().pricePerUnit().setScale(PRICE_SCALE));
                        rateInsert.setString(12, rate.contract() == null ? null : rate.contractFile() + " line " + rate.contract().line());
                        rateInsert.addBatch();
                    }
                }
            }
            keyInsert.executeBatch();
            segmentInsert.executeBatch();
            rateInsert.executeBatch();
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot load the price timeline: " + e.getMessage(), e);
        }
    }

    private static boolean tableExists(DuckDbSession db, String table) {
        return db.queryLong(Sql.of("SELECT count(*) FROM duckdb_tables() WHERE table_name = ${table}").bind("table", table).text()) > 0;
    }

    private static void loadMap(DuckDbSession db, String table, String keyColumn, String valueColumn, Map<String, String> map) {
        db.execute("CREATE OR REPLACE TEMP TABLE " + table + " (" + keyColumn + " VARCHAR, " + valueColumn + " VARCHAR)");
        try (PreparedStatement insert = db.connection().prepareStatement("INSERT INTO " + table + " VALUES (?, ?)")) {
            for (Map.Entry<String, String> entry : map.entrySet()) {
                insert.setString(1, entry.getKey());
                insert.setString(2, entry.getValue());
                insert.addBatch();
            }
            insert.executeBatch();
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot load " + table + ": " + e.getMessage(), e);
        }
    }
}
