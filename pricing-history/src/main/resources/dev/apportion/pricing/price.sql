-- Prices every request at the rate in force when it ran (DESIGN §6): one cost line per token type with a
-- non-zero quantity. The context band is chosen by the request's total input tokens and applies to every
-- token type of the request. Unmatched lines stay unpriced (null cost, with the reason), never zero.
--
-- One streaming pass: each request meets its rate key and time segment, then the rate of each of its token
-- types (small tables, so every join builds on the small side), computes its totals, and only then becomes
-- one cost line per token type. Nothing joins cost lines back to requests, so the ledger streams into the
-- close's Parquet stage without a wide copy in memory (joining 30M lines back to 10M wide requests spilled).
CREATE OR REPLACE TEMP VIEW segmented_entries AS
SELECT e.*, p.segment_id, p.model, p.unpriced_reason AS segment_unpriced_reason,
       p.catalogue_id, p.catalogue_version, p.rate_entry_id, p.matched_by
FROM priced_entries e
JOIN price_keys k
  ON k.provider = e.provider AND k.logged_model = e.logged_model AND k.service_tier = e.service_tier
 AND k.region IS NOT DISTINCT FROM e.region AND k.billing_account_id IS NOT DISTINCT FROM e.billing_account_id
JOIN price_segments p
  ON p.key_id = k.key_id AND e.priced_at >= p.segment_from AND e.priced_at < p.segment_to;

-- The gateway's logged cost is per request. Each request's is spread over its cost lines in proportion to their
-- contracted cost (by tokens when the request has no price), in integer units of 10^-12 truncated toward zero,
-- so a line's share never goes through binary floating point (DuckDB divides decimals as doubles).
CREATE OR REPLACE TEMP MACRO units12(x) AS CAST(CAST(x AS DECIMAL(38, 12)) * 1000000000000 AS HUGEINT);

CREATE OR REPLACE TEMP VIEW rated_entries AS
SELECT e.*,
       [{'token_type': 'input_uncached', 'quantity': CAST(e.input_uncached AS BIGINT), 'rate': r1},
        {'token_type': 'cache_read', 'quantity': CAST(e.cache_read AS BIGINT), 'rate': r2},
        {'token_type': 'cache_write_5m', 'quantity': CAST(e.cache_write_5m AS BIGINT), 'rate': r3},
        {'token_type': 'cache_write_1h', 'quantity': CAST(e.cache_write_1h AS BIGINT), 'rate': r4},
        {'token_type': 'output', 'quantity': CAST(e.output AS BIGINT), 'rate': r5},
        {'token_type': 'web_search', 'quantity': CAST(e.web_search AS BIGINT), 'rate': r6}] AS token_lines
FROM segmented_entries e
LEFT JOIN price_rates r1 ON r1.segment_id = e.segment_id AND r1.token_type = 'input_uncached'
      AND (r1.input_above = 0 OR e.input_total > r1.input_above) AND (r1.input_up_to IS NULL OR e.input_total <= r1.input_up_to)
LEFT JOIN price_rates r2 ON r2.segment_id = e.segment_id AND r2.token_type = 'cache_read'
      AND (r2.input_above = 0 OR e.input_total > r2.input_above) AND (r2.input_up_to IS NULL OR e.input_total <= r2.input_up_to)
LEFT JOIN price_rates r3 ON r3.segment_id = e.segment_id AND r3.token_type = 'cache_write_5m'
      AND (r3.input_above = 0 OR e.input_total > r3.input_above) AND (r3.input_up_to IS NULL OR e.input_total <= r3.input_up_to)
LEFT JOIN price_rates r4 ON r4.segment_id = e.segment_id AND r4.token_type = 'cache_write_1h'
      AND (r4.input_above = 0 OR e.input_total > r4.input_above) AND (r4.input_up_to IS NULL OR e.input_total <= r4.input_up_to)
LEFT JOIN price_rates r5 ON r5.segment_id = e.segment_id AND r5.token_type = 'output'
      AND (r5.input_above = 0 OR e.input_total > r5.input_above) AND (r5.input_up_to IS NULL OR e.input_total <= r5.input_up_to)
LEFT JOIN price_rates r6 ON r6.segment_id = e.segment_id AND r6.token_type = 'web_search'
      AND (r6.input_above = 0 OR e.input_total > r6.input_above) AND (r6.input_up_to IS NULL OR e.input_total <= r6.input_up_to);

CREATE OR REPLACE TEMP VIEW priced_lines AS
SELECT * EXCLUDE (token_line),
       token_line.token_type AS token_type, token_line.quantity AS quantity,
       token_line.rate.list_unit_price AS list_unit_price, token_line.rate.list_per AS list_per,
       CAST(token_line.quantity * token_line.rate.list_price_per_unit AS DECIMAL(38, 18)) AS list_cost,
       CAST(token_line.quantity * coalesce(token_line.rate.contract_price_per_unit, token_line.rate.list_price_per_unit)
            AS DECIMAL(38, 18)) AS contracted_cost,
       token_line.rate.contract_unit_price AS contract_unit_price, token_line.rate.contract_per AS contract_per,
       token_line.rate.contract_ref AS contract_ref,
       token_line.rate.segment_id IS NOT NULL AS priced
FROM (
    SELECT * EXCLUDE (token_lines), unnest(list_filter(token_lines, lambda line: line.quantity > 0)) AS token_line,
           -- The request's totals for its logged-cost split, over the same lines, before they are split apart.
           list_sum(list_transform(list_filter(token_lines, lambda line: line.quantity > 0),
               lambda line: units12(coalesce(CAST(line.quantity * coalesce(line.rate.contract_price_per_unit, line.rate.list_price_per_unit)
                                             AS DECIMAL(38, 18)), 0)))) AS entry_cost_units,
           list_sum(list_transform(list_filter(token_lines, lambda line: line.quantity > 0), lambda line: line.quantity)) AS entry_quantity
    FROM rated_entries
);

CREATE OR REPLACE TEMP VIEW cost_lines AS
SELECT entry_id,
       entry_id || '#' || token_type AS cost_line_id,
       request_id, occurred_at, provider, billing_account_id, logged_model, model, token_type,
       service_tier, region, principal_id, consumer_id, feature, environment,
       quantity, list_unit_price AS unit_price, list_per AS per, list_cost, contracted_cost,
       contract_unit_price, contract_per, contract_ref, priced,
       CASE WHEN priced THEN NULL ELSE coalesce(segment_unpriced_reason, 'unknown_token_type') END AS unpriced_reason,
       catalogue_id, catalogue_version, rate_entry_id,
       logged_cost_usd,
       CASE WHEN logged_cost_usd IS NULL THEN NULL
            WHEN entry_cost_units > 0 THEN CAST(units12(logged_cost_usd) * units12(coalesce(contracted_cost, 0)) // entry_cost_units AS DECIMAL(38, 0))
            ELSE CAST(units12(logged_cost_usd) * quantity // entry_quantity AS DECIMAL(38, 0))
       END * 0.000000000001 AS logged_cost_share,
       source_sha256, source_line
FROM priced_lines;
