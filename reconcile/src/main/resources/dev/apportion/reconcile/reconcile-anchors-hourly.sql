-- Anchors cost lines when every hour has at most one invoice line of each key, covering it wholly (the usual
-- case): a view, so the cost lines are streamed through one hash join, never copied.
CREATE OR REPLACE TEMP VIEW anchored_cost_lines AS
SELECT c.*, h.anchor_id
FROM cost_lines c
LEFT JOIN anchor_hours h
  ON h.provider = c.provider AND h.billing_account_id = c.billing_account_id AND h.model = c.model
 AND h.token_type = c.token_type AND h.service_tier = c.service_tier AND h.region_key = coalesce(c.region, chr(0))
 AND h.hour_number = epoch_us(c.occurred_at) // 3600000000;

-- The ledger per key, UTC hour and anchor. The anchor is a function of key and hour here, so the cost lines are
-- aggregated first (one pass, integer hour) and only the aggregate meets the anchors.
CREATE OR REPLACE TEMP TABLE ledger_hours AS
SELECT l.*, h.anchor_id
FROM (
    SELECT provider, billing_account_id, model, token_type, service_tier, region,
           epoch_us(occurred_at) // 3600000000 AS hour_number,
           count(*) AS lines,
           count(*) FILTER (WHERE NOT priced) AS unpriced_lines,
           min(unpriced_reason) AS first_reason, max(unpriced_reason) AS last_reason,
           sum(quantity) AS quantity, sum(list_cost) AS list_cost, sum(contracted_cost) AS contracted_cost,
           sum(logged_cost_share) AS logged_cost
    FROM cost_lines
    GROUP BY ALL
) l
LEFT JOIN anchor_hours h
  ON h.provider = l.provider AND h.billing_account_id = l.billing_account_id AND h.model = l.model
 AND h.token_type = l.token_type AND h.service_tier = l.service_tier AND h.region_key = coalesce(l.region, chr(0))
 AND h.hour_number = l.hour_number;
