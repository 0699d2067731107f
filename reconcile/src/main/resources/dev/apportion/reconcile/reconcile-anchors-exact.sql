-- Anchors cost lines when some hours are shared by several invoice lines of one key, or covered only in part
-- (sub-hour lines, overlaps): the hour join first, then the exact range test for the cost lines in those hours.
CREATE OR REPLACE TEMP TABLE anchored_cost_lines AS
SELECT c.*, h.anchor_id, h.hour_number IS NOT NULL AND h.anchor_id IS NULL AS anchor_ambiguous
FROM cost_lines c
LEFT JOIN anchor_hours h
  ON h.provider = c.provider AND h.billing_account_id = c.billing_account_id AND h.model = c.model
 AND h.token_type = c.token_type AND h.service_tier = c.service_tier AND h.region_key = coalesce(c.region, chr(0))
 AND h.hour_number = epoch_us(c.occurred_at) // 3600000000;

UPDATE anchored_cost_lines a SET anchor_id = f.anchor_id
FROM (
    SELECT c.cost_line_id, min(i.anchor_id) AS anchor_id
    FROM anchored_cost_lines c
    JOIN recon_invoice i
      ON i.anchorable AND i.provider = c.provider AND i.billing_account_id = c.billing_account_id AND i.model = c.model
     AND i.token_type = c.token_type AND i.service_tier = c.service_tier AND i.region IS NOT DISTINCT FROM c.region
     AND c.occurred_at >= i.period_start AND c.occurred_at < i.period_end
    WHERE c.anchor_ambiguous
    GROUP BY c.cost_line_id
) f
WHERE a.anchor_ambiguous AND a.cost_line_id = f.cost_line_id;

ALTER TABLE anchored_cost_lines DROP COLUMN anchor_ambiguous;
