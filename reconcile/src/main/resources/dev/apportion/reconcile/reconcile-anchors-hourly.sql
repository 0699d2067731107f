-- Anchors cost lines when every hour has at most one invoice line of each key, covering it wholly (the usual
-- case): a view, so the cost lines are streamed through one hash join on key and hour, never copied.
CREATE OR REPLACE TEMP VIEW anchored_cost_lines AS
SELECT c.*, h.anchor_id
FROM cost_lines c
LEFT JOIN anchor_hours h
  ON h.provider = c.provider AND h.billing_account_id = c.billing_account_id AND h.model = c.model
 AND h.token_type = c.token_type AND h.service_tier = c.service_tier AND h.region_key = coalesce(c.region, chr(0))
 AND h.hour_number = epoch_us(c.occurred_at) // 3600000000;
