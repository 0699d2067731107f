package dev.apportion.pricing;

import static java.util.Objects.requireNonNull;

import dev.apportion.ledger.DuckDbSession;
import dev.apportion.ledger.Periods;
import dev.apportion.ledger.Sql;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.YearMonth;
import java.util.List;
import java.util.Map;

/**
 * Turns a period's usage events into ledger cost lines priced at the rates in force when each request
 * ran. Set-based: the rates go into DuckDB and one range join prices every cost line.
 *
 * <p>Expects the session to hold {@code invoice_lines} (for the billing-account fallback); leaves the
 * priced lines in the temp table {@code cost_lines}.
 */
public final class LedgerPricer {
    private LedgerPricer() {
    }

    /**
     * Prices the usage events in {@code eventFiles} that fall in {@code period}.
     *
     * @param principalAccounts the {@code accounts:} map of the configuration, principal → billing account
     * @param modelAliases the {@code models:} map of the configuration, reported id → canonical model
     */
    public static void price(DuckDbSession db, Catalogue catalogue, List<Path> eventFiles, YearMonth period,
                             Map<String, String> principalAccounts, Map<String, String> modelAliases) {
        requireNonNull(catalogue, "catalogue is null");
        loadRates(db, catalogue);
        loadMap(db, "principal_accounts", "principal_id", "billing_account_id", principalAccounts);
        loadMap(db, "config_model_aliases", "alias", "model", modelAliases);
        String events;
        if (eventFiles.isEmpty()) {
            db.execute(Sql.resource(LedgerPricer.class, "usage-events-empty.sql"));
            events = "no_usage_events";
        } else {
            events = Sql.of("read_parquet(${files}, union_by_name = true)")
                    .bindList("files", eventFiles.stream().map(path -> path.toAbsolutePath().toString()).toList()).text();
        }
        db.execute(Sql.resource(LedgerPricer.class, "price.sql")
                .bindRaw("events", events)
                .bind("period_start", Periods.start(period))
                .bind("period_end", Periods.end(period)));
    }

    static void loadRates(DuckDbSession db, Catalogue catalogue) {
        db.execute("""
                CREATE OR REPLACE TEMP TABLE rates (catalogue_id VARCHAR, catalogue_version VARCHAR, entry_id VARCHAR,
                    provider VARCHAR, model VARCHAR, token_type VARCHAR, service_tier VARCHAR,
                    effective_from TIMESTAMPTZ, effective_to TIMESTAMPTZ, unit_price DECIMAL(38, 12), per BIGINT,
                    price_per_unit DECIMAL(38, 18), source VARCHAR)""");
        db.execute("""
                CREATE OR REPLACE TEMP TABLE model_aliases (provider VARCHAR, alias VARCHAR, model VARCHAR,
                    developer VARCHAR, family VARCHAR)""");
        try (PreparedStatement insert = db.connection().prepareStatement(
                "INSERT INTO rates VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            for (Catalogue.Rate rate : catalogue.rates()) {
                insert.setString(1, catalogue.id());
                insert.setString(2, catalogue.version());
                insert.setString(3, rate.entryId());
                insert.setString(4, rate.provider());
                insert.setString(5, rate.model());
                insert.setString(6, rate.tokenType());
                insert.setString(7, rate.serviceTier());
                insert.setObject(8, rate.effectiveFrom().atOffset(java.time.ZoneOffset.UTC));
                insert.setObject(9, rate.effectiveTo() == null ? null : rate.effectiveTo().atOffset(java.time.ZoneOffset.UTC));
                insert.setBigDecimal(10, rate.unitPrice());
                insert.setLong(11, rate.per());
                insert.setBigDecimal(12, rate.pricePerUnit());
                insert.setString(13, rate.source());
                insert.addBatch();
            }
            insert.executeBatch();
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot load the rates of " + catalogue.id() + ": " + e.getMessage(), e);
        }
        try (PreparedStatement insert = db.connection().prepareStatement("INSERT INTO model_aliases VALUES (?, ?, ?, ?, ?)")) {
            for (Catalogue.Alias alias : catalogue.aliases()) {
                insert.setString(1, alias.provider());
                insert.setString(2, alias.alias());
                insert.setString(3, alias.model());
                insert.setString(4, alias.developer());
                insert.setString(5, alias.family());
                insert.addBatch();
            }
            insert.executeBatch();
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot load the model aliases of " + catalogue.id() + ": " + e.getMessage(), e);
        }
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
