-- Prices every request at the rate in force when it ran (DESIGN §6): one cost line per token type with a
-- non-zero quantity. The context band is chosen by the request's total input tokens and applies to every
-- token type of the request. Unmatched lines stay unpriced (null cost, with the reason), never zero.
-- The work runs on narrow rows (row numbers, token type, quantity); cost_lines is a view that widens them
-- only when read (for example streamed into the close's Parquet stage), so no wide copy sits in memory.
CREATE OR REPLACE TEMP TABLE entry_segments AS
SELECT e.rowid AS entry_row, s.segment_id
FROM priced_entries e
JOIN price_keys k
  ON k.provider = e.provider AND k.logged_model = e.logged_model AND k.service_tier = e.service_tier
 AND k.region IS NOT DISTINCT FROM e.region AND k.billing_account_id IS NOT DISTINCT FROM e.billing_account_id
JOIN price_segments s
  ON s.key_id = k.key_id AND e.priced_at >= s.segment_from AND e.priced_at < s.segment_to;

CREATE OR REPLACE TEMP VIEW segmented_entries AS
SELECT e.*, s.segment_id, p.model, p.unpriced_reason AS segment_unpriced_reason,
       p.catalogue_id, p.catalogue_version, p.rate_entry_id, p.matched_by
FROM priced_entries e
JOIN entry_segments s ON s.entry_row = e.rowid
JOIN price_segments p ON p.segment_id = s.segment_id;

CREATE OR REPLACE TEMP TABLE priced_lines AS
WITH lines AS (
    SELECT * FROM (
        SELECT s.entry_row, s.segment_id, e.input_total,
               unnest(['input_uncached', 'cache_read', 'cache_write_5m', 'cache_write_1h', 'output', 'web_search']) AS token_type,
               unnest([e.input_uncached, e.cache_read, e.cache_write_5m, e.cache_write_1h, e.output, e.web_search]) AS quantity
        FROM priced_entries e JOIN entry_segments s ON s.entry_row = e.rowid
    ) WHERE quantity > 0
)
SELECT u.entry_row, u.segment_id, u.token_type, CAST(u.quantity AS BIGINT) AS quantity,
       r.list_unit_price, r.list_per,
       CAST(u.quantity * r.list_price_per_unit AS DECIMAL(38, 18)) AS list_cost,
       CAST(u.quantity * coalesce(r.contract_price_per_unit, r.list_price_per_unit) AS DECIMAL(38, 18)) AS contracted_cost,
       r.contract_unit_price, r.contract_per, r.contract_ref,
       r.segment_id IS NOT NULL AS priced
FROM lines u
LEFT JOIN price_rates r
       ON r.segment_id = u.segment_id AND r.token_type = u.token_type
      AND (r.input_above = 0 OR u.input_total > r.input_above)
      AND (r.input_up_to IS NULL OR u.input_total <= r.input_up_to);

-- The gateway's logged cost is per request. Each request's is spread over its cost lines in proportion to their
-- contracted cost (by tokens when the request has no price), in integer units of 10^-12 truncated toward zero,
-- so a line's share never goes through binary floating point (DuckDB divides decimals as doubles).
CREATE OR REPLACE TEMP MACRO units12(x) AS CAST(CAST(x AS DECIMAL(38, 12)) * 1000000000000 AS HUGEINT);
CREATE OR REPLACE TEMP TABLE logged_entry_totals AS
SELECT l.entry_row, sum(units12(coalesce(l.contracted_cost, 0))) AS cost_units, sum(l.quantity) AS quantity
FROM priced_lines l SEMI JOIN (SELECT rowid AS entry_row FROM priced_entries WHERE logged_cost_usd IS NOT NULL) e
  ON e.entry_row = l.entry_row
GROUP BY l.entry_row;

CREATE OR REPLACE TEMP VIEW cost_lines AS
SELECT e.entry_id,
       e.entry_id || '#' || l.token_type AS cost_line_id,
       e.request_id, e.occurred_at, e.provider, e.billing_account_id, e.logged_model, s.model, l.token_type,
       e.service_tier, e.region, e.principal_id, e.consumer_id, e.feature, e.environment,
       l.quantity, l.list_unit_price AS unit_price, l.list_per AS per, l.list_cost, l.contracted_cost,
       l.contract_unit_price, l.contract_per, l.contract_ref, l.priced,
       CASE WHEN l.priced THEN NULL ELSE coalesce(s.unpriced_reason, 'unknown_token_type') END AS unpriced_reason,
       s.catalogue_id, s.catalogue_version, s.rate_entry_id,
       e.logged_cost_usd,
       CASE WHEN t.entry_row IS NULL THEN NULL
            WHEN t.cost_units > 0 THEN CAST(units12(e.logged_cost_usd) * units12(coalesce(l.contracted_cost, 0)) // t.cost_units AS DECIMAL(38, 0))
            ELSE CAST(units12(e.logged_cost_usd) * l.quantity // t.quantity AS DECIMAL(38, 0))
       END * 0.000000000001 AS logged_cost_share,
       e.source_sha256, e.source_line
FROM priced_lines l
JOIN priced_entries e ON e.rowid = l.entry_row
JOIN price_segments s ON s.segment_id = l.segment_id
LEFT JOIN logged_entry_totals t ON t.entry_row = l.entry_row;
