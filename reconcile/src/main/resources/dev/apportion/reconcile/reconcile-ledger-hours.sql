-- The anchored ledger per key, UTC hour and anchor: one pass over the cost lines, integer hours.
CREATE OR REPLACE TEMP TABLE ledger_hours AS
SELECT provider, billing_account_id, model, token_type, service_tier, region,
       epoch_us(occurred_at) // 3600000000 AS hour_number,
       anchor_id,
       count(*) AS lines,
       count(*) FILTER (WHERE NOT priced) AS unpriced_lines,
       min(unpriced_reason) AS first_reason, max(unpriced_reason) AS last_reason,
       sum(quantity) AS quantity, sum(list_cost) AS list_cost, sum(contracted_cost) AS contracted_cost,
       sum(logged_cost_share) AS logged_cost
FROM anchored_cost_lines
GROUP BY ALL;
