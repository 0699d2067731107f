-- The invoice side of anchoring (DESIGN §7): the period's invoice lines with their key and day span, and the
-- UTC hours each anchorable line covers. Reconciler then anchors the cost lines with one hash join on key and hour.
--
-- Key: provider, billing account, model, token type, service tier, region (null matches null).

CREATE OR REPLACE TEMP TABLE recon_invoice AS
SELECT anchor_id, provider, BillingAccountId AS billing_account_id, model, token_type, service_tier, region,
       ChargePeriodStart AS period_start, ChargePeriodEnd AS period_end, ChargeCategory AS charge_category,
       CAST(ConsumedQuantity AS DECIMAL(38, 18)) AS line_quantity, CAST(BilledCost AS DECIMAL(38, 18)) AS billed_cost,
       model IS NOT NULL AND token_type IS NOT NULL AND ChargeCategory = 'Usage' AS anchorable,
       date_trunc('day', ChargePeriodStart) AS day_from,
       date_trunc('day', ChargePeriodEnd - INTERVAL 1 MICROSECOND) + INTERVAL 1 DAY AS day_to
FROM invoice_lines;

-- Anchoring: the invoice line of the same key whose half-open charge period holds occurred_at. Lines are expanded
-- into the UTC hours they cover (few rows), so each cost line finds its anchor with one hash join on key and
-- hour. An hour covered by exactly one line, wholly, has that line's anchor; an hour that several lines share or
-- that a line covers only in part (sub-hour lines, overlaps) has none here, and its cost lines get the exact range
-- test (reconcile-anchors-exact.sql).
CREATE OR REPLACE TEMP TABLE anchor_hours AS
SELECT provider, billing_account_id, model, token_type, service_tier, region_key, epoch_us(hour) // 3600000000 AS hour_number,
       CASE WHEN count(*) = 1 AND bool_and(period_start <= hour AND period_end >= hour + INTERVAL 1 HOUR)
            THEN min(anchor_id) END AS anchor_id
FROM (
    SELECT provider, billing_account_id, model, token_type, service_tier, coalesce(region, chr(0)) AS region_key,
           period_start, period_end, anchor_id,
           unnest(generate_series(date_trunc('hour', period_start), period_end - INTERVAL 1 MICROSECOND, INTERVAL 1 HOUR)) AS hour
    FROM recon_invoice WHERE anchorable
)
GROUP BY ALL;
