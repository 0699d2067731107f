-- Prices every request at the rate in force when it ran (DESIGN §6): one cost line per token type with a
-- non-zero quantity. The context band is chosen by the request's total input tokens and applies to every
-- token type of the request. Unmatched lines stay unpriced (null cost, with the reason), never zero.
--
-- One streaming pass: each request meets its rate key and time segment, then the rate of each of its token
-- types (small tables, so every join builds on the small side), computes its totals, and only then becomes
-- one cost line per token type. Nothing joins cost lines back to requests, so the ledger streams into the
-- close's Parquet stage without a wide copy in memory (joining 30M lines back to 10M wide requests spilled).
-- A request that could cost 10^7 USD or more keeps no rate, so it stays unpriced (cost_out_of_range) instead of
-- overflowing the arithmetic below: its tokens times the highest price (list or contract) of its segment bound its
-- cost from above, in doubles, which cannot overflow. Every cost is then below 10^8 for line_units12, and a logged
-- cost (below 10^6, checked at ingest) times a cost, both in units of 10^-12, stays below HUGEINT's 1.7 * 10^38.
CREATE OR REPLACE TEMP TABLE price_segments AS
SELECT s.*, coalesce(b.bound_price, 0) AS bound_price
FROM price_segments s
LEFT JOIN (SELECT segment_id, max(greatest(abs(CAST(list_price_per_unit AS DOUBLE)), coalesce(abs(CAST(contract_price_per_unit AS DOUBLE)), 0))) AS bound_price
           FROM price_rates GROUP BY segment_id) b ON b.segment_id = s.segment_id;

CREATE OR REPLACE TEMP VIEW segmented_entries AS
SELECT e.*, p.segment_id, p.model, p.unpriced_reason AS segment_unpriced_reason,
       p.catalogue_id, p.catalogue_version, p.rate_entry_id, p.matched_by,
       (coalesce(CAST(e.input_total AS DOUBLE), 0) + coalesce(CAST(e.output AS DOUBLE), 0) + coalesce(CAST(e.web_search AS DOUBLE), 0))
           * p.bound_price < 10000000 AS cost_in_range
FROM priced_entries e
JOIN price_keys k
  ON k.provider = e.provider AND k.logged_model = e.logged_model AND k.service_tier = e.service_tier
 AND k.region IS NOT DISTINCT FROM e.region AND k.billing_account_id IS NOT DISTINCT FROM e.billing_account_id
JOIN price_segments p
  ON p.key_id = k.key_id AND e.priced_at >= p.segment_from AND e.priced_at < p.segment_to;

-- The gateway's logged cost is per request. Each request's is spread over its cost lines in proportion to their
-- contracted cost (by tokens when the request has no price), in integer units of 10^-12 truncated toward zero,
-- so a line's share never goes through binary floating point (DuckDB divides decimals as doubles).
-- Rounding x * 10^12 to an integer is rounding x to 12 places and scaling (both round half away from zero), without
-- the 128-bit division a cast down to 12 places costs (it was half the pricing time). Exact for |x| < 10^8, which
-- every cost is (a request's is below 10^7, or it stays unpriced: segmented_entries) and every logged cost (below 10^6).
CREATE OR REPLACE TEMP MACRO line_units12(x) AS CAST(CAST(x AS DECIMAL(38, 18)) * 1000000000000 AS HUGEINT);
-- The same for a value that is a whole number of 10^-12 (a logged cost, 12 decimals), without that cast's 128-bit
-- division: the value as a double times 10^12, rounded, is that number whenever it is exact enough, which one exact
-- decimal comparison proves; otherwise line_units12 computes it.
CREATE OR REPLACE TEMP MACRO whole_units12(x) AS
    CASE WHEN CAST(CAST(CAST(x AS DOUBLE) * 1e12 AS HUGEINT) AS DECIMAL(38, 0)) * 0.000000000001 = x
         THEN CAST(CAST(x AS DOUBLE) * 1e12 AS HUGEINT) ELSE line_units12(x) END;

-- n // d (truncated toward zero) for n >= 0 and d > 0 without a 128-bit division where the quotient is below 10^15:
-- there the quotient of the two values as doubles is within 0.4 of the exact one, so the nearest integer is off by
-- at most one, and one exact remainder decides. Other quotients divide exactly (each 128-bit division cost about
-- 0.3 us per cost line).
CREATE OR REPLACE TEMP MACRO units_quotient(n, d, estimate) AS
    estimate - CASE WHEN n - estimate * d < 0 THEN 1 WHEN n - estimate * d >= d THEN -1 ELSE 0 END;
CREATE OR REPLACE TEMP MACRO units_div(n, d) AS
    CASE WHEN n >= 0 AND d > 0 AND CAST(n AS DOUBLE) < CAST(d AS DOUBLE) * 1e15
         THEN units_quotient(n, d, CAST(CAST(n AS DOUBLE) / CAST(d AS DOUBLE) AS HUGEINT))
         ELSE n // d END;

-- Each rate row by number, so a cost line carries one integer to its rate instead of the rate's columns.
-- price_units12: the price that costs (contract, else list) in units of 10^-12 when that is a whole number, as it is
-- for any price with at most 12 decimal places; null otherwise. A quantity times it is then the cost in those units
-- exactly, with no rounding to do: a 128-bit multiplication instead of line_units12's decimal-to-integer cast,
-- whose 128-bit division took most of the pricing computation (about 0.3 us per value, six values per request).
CREATE OR REPLACE TEMP TABLE price_rate_ids AS
SELECT *,
       CASE WHEN abs(price) < 100000000 AND price * 1000000000000 = round(price * 1000000000000) THEN CAST(price * 1000000000000 AS HUGEINT) END AS price_units12
FROM (
    SELECT row_number() OVER (ORDER BY segment_id, token_type, input_above) AS rate_id, *,
           coalesce(contract_price_per_unit, list_price_per_unit) AS price
    FROM price_rates
);

CREATE OR REPLACE TEMP TABLE token_types AS
SELECT * FROM (VALUES (1, 'input_uncached'), (2, 'cache_read'), (3, 'cache_write_5m'), (4, 'cache_write_1h'), (5, 'output'), (6, 'web_search')) t(token_index, token_type);

-- Per request, the rate of each token type (plain columns: lists of structs cost more than the joins), its
-- contracted cost and that cost in units of 10^-12, and the totals the logged-cost split needs, all before the
-- request becomes its cost lines: each line then picks its own, and the 128-bit arithmetic runs once per value.
CREATE OR REPLACE TEMP VIEW rated_entries AS
SELECT *,
       -- The request's totals for its logged-cost split, over all its token types (zero quantities add nothing).
       coalesce(units_1, 0) + coalesce(units_2, 0) + coalesce(units_3, 0) + coalesce(units_4, 0) + coalesce(units_5, 0) + coalesce(units_6, 0) AS entry_cost_units,
       quantity_1 + quantity_2 + quantity_3 + quantity_4 + quantity_5 + quantity_6 AS entry_quantity,
       -- Ingest refuses a logged cost of 10^6 or more (out_of_range); a ledger read before that rule may hold one,
       -- which then has no share rather than overflowing the split.
       CASE WHEN abs(logged_cost_usd) < 1000000 THEN whole_units12(logged_cost_usd) END AS logged_units
FROM (
SELECT * EXCLUDE (price_units_1, price_units_2, price_units_3, price_units_4, price_units_5, price_units_6),
       CASE WHEN price_units_1 IS NULL THEN line_units12(cost_1) ELSE quantity_1 * price_units_1 END AS units_1,
       CASE WHEN price_units_2 IS NULL THEN line_units12(cost_2) ELSE quantity_2 * price_units_2 END AS units_2,
       CASE WHEN price_units_3 IS NULL THEN line_units12(cost_3) ELSE quantity_3 * price_units_3 END AS units_3,
       CASE WHEN price_units_4 IS NULL THEN line_units12(cost_4) ELSE quantity_4 * price_units_4 END AS units_4,
       CASE WHEN price_units_5 IS NULL THEN line_units12(cost_5) ELSE quantity_5 * price_units_5 END AS units_5,
       CASE WHEN price_units_6 IS NULL THEN line_units12(cost_6) ELSE quantity_6 * price_units_6 END AS units_6
FROM (
SELECT *,
       CAST(quantity_1 * price_1 AS DECIMAL(38, 18)) AS cost_1, CAST(quantity_2 * price_2 AS DECIMAL(38, 18)) AS cost_2,
       CAST(quantity_3 * price_3 AS DECIMAL(38, 18)) AS cost_3, CAST(quantity_4 * price_4 AS DECIMAL(38, 18)) AS cost_4,
       CAST(quantity_5 * price_5 AS DECIMAL(38, 18)) AS cost_5, CAST(quantity_6 * price_6 AS DECIMAL(38, 18)) AS cost_6
FROM (
SELECT e.* EXCLUDE (input_uncached, cache_read, cache_write_5m, cache_write_1h, output, web_search),
       CAST(e.input_uncached AS BIGINT) AS quantity_1, CAST(e.cache_read AS BIGINT) AS quantity_2,
       CAST(e.cache_write_5m AS BIGINT) AS quantity_3, CAST(e.cache_write_1h AS BIGINT) AS quantity_4,
       CAST(e.output AS BIGINT) AS quantity_5, CAST(e.web_search AS BIGINT) AS quantity_6,
       r1.rate_id AS rate_1, r1.price AS price_1, r1.price_units12 AS price_units_1,
       r2.rate_id AS rate_2, r2.price AS price_2, r2.price_units12 AS price_units_2,
       r3.rate_id AS rate_3, r3.price AS price_3, r3.price_units12 AS price_units_3,
       r4.rate_id AS rate_4, r4.price AS price_4, r4.price_units12 AS price_units_4,
       r5.rate_id AS rate_5, r5.price AS price_5, r5.price_units12 AS price_units_5,
       r6.rate_id AS rate_6, r6.price AS price_6, r6.price_units12 AS price_units_6
FROM segmented_entries e
LEFT JOIN price_rate_ids r1 ON r1.segment_id = e.segment_id AND e.cost_in_range AND r1.token_type = 'input_uncached'
      AND (r1.input_above = 0 OR e.input_total > r1.input_above) AND (r1.input_up_to IS NULL OR e.input_total <= r1.input_up_to)
LEFT JOIN price_rate_ids r2 ON r2.segment_id = e.segment_id AND e.cost_in_range AND r2.token_type = 'cache_read'
      AND (r2.input_above = 0 OR e.input_total > r2.input_above) AND (r2.input_up_to IS NULL OR e.input_total <= r2.input_up_to)
LEFT JOIN price_rate_ids r3 ON r3.segment_id = e.segment_id AND e.cost_in_range AND r3.token_type = 'cache_write_5m'
      AND (r3.input_above = 0 OR e.input_total > r3.input_above) AND (r3.input_up_to IS NULL OR e.input_total <= r3.input_up_to)
LEFT JOIN price_rate_ids r4 ON r4.segment_id = e.segment_id AND e.cost_in_range AND r4.token_type = 'cache_write_1h'
      AND (r4.input_above = 0 OR e.input_total > r4.input_above) AND (r4.input_up_to IS NULL OR e.input_total <= r4.input_up_to)
LEFT JOIN price_rate_ids r5 ON r5.segment_id = e.segment_id AND e.cost_in_range AND r5.token_type = 'output'
      AND (r5.input_above = 0 OR e.input_total > r5.input_above) AND (r5.input_up_to IS NULL OR e.input_total <= r5.input_up_to)
LEFT JOIN price_rate_ids r6 ON r6.segment_id = e.segment_id AND e.cost_in_range AND r6.token_type = 'web_search'
      AND (r6.input_above = 0 OR e.input_total > r6.input_above) AND (r6.input_up_to IS NULL OR e.input_total <= r6.input_up_to)
)));

CREATE OR REPLACE TEMP VIEW priced_lines AS
SELECT l.* EXCLUDE (rate_id),
       r.list_unit_price, r.list_per,
       CAST(l.quantity * r.list_price_per_unit AS DECIMAL(38, 18)) AS list_cost,
       r.contract_unit_price, r.contract_per, r.contract_ref,
       r.rate_id IS NOT NULL AS priced
FROM (
    SELECT * FROM (
        SELECT e.* EXCLUDE (quantity_1, quantity_2, quantity_3, quantity_4, quantity_5, quantity_6,
                            rate_1, price_1, rate_2, price_2, rate_3, price_3, rate_4, price_4, rate_5, price_5, rate_6, price_6,
                            cost_1, cost_2, cost_3, cost_4, cost_5, cost_6, units_1, units_2, units_3, units_4, units_5, units_6),
               t.token_type,
               CASE t.token_index WHEN 1 THEN e.quantity_1 WHEN 2 THEN e.quantity_2 WHEN 3 THEN e.quantity_3
                                  WHEN 4 THEN e.quantity_4 WHEN 5 THEN e.quantity_5 WHEN 6 THEN e.quantity_6 END AS quantity,
               CASE t.token_index WHEN 1 THEN e.rate_1 WHEN 2 THEN e.rate_2 WHEN 3 THEN e.rate_3
                                  WHEN 4 THEN e.rate_4 WHEN 5 THEN e.rate_5 WHEN 6 THEN e.rate_6 END AS rate_id,
               -- quantity × the contract price (else the list price) of the line's rate, computed per request above.
               CASE t.token_index WHEN 1 THEN e.cost_1 WHEN 2 THEN e.cost_2 WHEN 3 THEN e.cost_3
                                  WHEN 4 THEN e.cost_4 WHEN 5 THEN e.cost_5 WHEN 6 THEN e.cost_6 END AS contracted_cost,
               CASE t.token_index WHEN 1 THEN e.units_1 WHEN 2 THEN e.units_2 WHEN 3 THEN e.units_3
                                  WHEN 4 THEN e.units_4 WHEN 5 THEN e.units_5 WHEN 6 THEN e.units_6 END AS contracted_units
        FROM rated_entries e CROSS JOIN token_types t
    ) WHERE quantity > 0
) l
LEFT JOIN price_rate_ids r ON r.rate_id = l.rate_id;

CREATE OR REPLACE TEMP VIEW cost_lines AS
SELECT entry_id,
       entry_id || '#' || token_type AS cost_line_id,
       request_id, occurred_at, provider, billing_account_id, logged_model, model, token_type,
       service_tier, region, principal_id, consumer_id, feature, environment,
       quantity, list_unit_price AS unit_price, list_per AS per, list_cost, contracted_cost,
       contract_unit_price, contract_per, contract_ref, priced,
       CASE WHEN priced THEN NULL WHEN NOT cost_in_range THEN 'cost_out_of_range'
            ELSE coalesce(segment_unpriced_reason, 'unknown_token_type') END AS unpriced_reason,
       catalogue_id, catalogue_version, rate_entry_id,
       logged_cost_usd,
       CAST(units_div(share_numerator, share_denominator) AS DECIMAL(38, 0)) * 0.000000000001 AS logged_cost_share,
       source_sha256, source_line
FROM (
    -- The split's numerator and denominator as columns of their own: passed to units_div as expressions, they were
    -- computed once per use (units_div's time doubled).
    SELECT *,
           CASE WHEN entry_cost_units > 0 THEN logged_units * coalesce(contracted_units, 0) ELSE logged_units * quantity END AS share_numerator,
           CASE WHEN entry_cost_units > 0 THEN entry_cost_units ELSE entry_quantity END AS share_denominator
    FROM priced_lines
);
