-- Anchors ledger cost lines to invoice lines and classifies each comparison cell (DESIGN §7).
-- A cost line reconciles to the invoice line with the same canonical key whose charge period contains its
-- occurred_at. Null key fields (region) match null.
CREATE OR REPLACE TEMP TABLE anchored_cost_lines AS
SELECT c.*, m.anchor_id
FROM cost_lines c
LEFT JOIN (
    SELECT c2.cost_line_id, min(i.anchor_id) AS anchor_id
    FROM cost_lines c2
    JOIN invoice_lines i
      ON i.provider = c2.provider AND i.BillingAccountId = c2.billing_account_id AND i.model = c2.model
     AND i.token_type = c2.token_type AND i.service_tier = c2.service_tier
     AND i.region IS NOT DISTINCT FROM c2.region
     AND c2.occurred_at >= i.ChargePeriodStart AND c2.occurred_at < i.ChargePeriodEnd
    GROUP BY c2.cost_line_id
) m ON m.cost_line_id = c.cost_line_id;

-- What each invoice line has behind it in the ledger.
CREATE OR REPLACE TEMP TABLE invoice_usage AS
SELECT i.anchor_id,
       count(DISTINCT a.entry_id) AS ledger_entry_count,
       coalesce(sum(a.quantity), 0) AS ledger_quantity,
       count(a.cost_line_id) > 0 AS has_usage
FROM invoice_lines i LEFT JOIN anchored_cost_lines a ON a.anchor_id = i.anchor_id
GROUP BY i.anchor_id;

-- Cells: anchored lines use their invoice line's charge period (or the UTC day when that is shorter);
-- unanchored ledger lines their UTC day; invoice lines without ledger lines their own charge period.
CREATE OR REPLACE TEMP TABLE reconciliation_cells AS
WITH invoice_side AS (
    SELECT i.provider, i.BillingAccountId AS billing_account_id, i.model, i.token_type, i.service_tier, i.region,
           least(i.ChargePeriodStart, date_trunc('day', i.ChargePeriodStart)) AS cell_start,
           greatest(i.ChargePeriodEnd, date_trunc('day', i.ChargePeriodStart) + INTERVAL 1 DAY) AS cell_end,
           i.anchor_id, i.ConsumedQuantity AS invoice_quantity, i.BilledCost AS invoice_billed_cost, i.BillingCurrency AS currency
    FROM invoice_lines i
), ledger_anchored AS (
    SELECT anchor_id, sum(quantity) AS ledger_quantity, sum(list_cost) AS ledger_list_cost,
           sum(contracted_cost) AS ledger_contracted_cost, bool_and(priced) AS all_priced
    FROM anchored_cost_lines WHERE anchor_id IS NOT NULL GROUP BY anchor_id
), ledger_unanchored AS (
    SELECT provider, billing_account_id, model, token_type, service_tier, region,
           date_trunc('day', occurred_at) AS cell_start, date_trunc('day', occurred_at) + INTERVAL 1 DAY AS cell_end,
           sum(quantity) AS ledger_quantity, sum(list_cost) AS ledger_list_cost,
           sum(contracted_cost) AS ledger_contracted_cost, bool_and(priced) AS all_priced
    FROM anchored_cost_lines WHERE anchor_id IS NULL
    GROUP BY ALL
)
SELECT s.provider, s.billing_account_id, s.model, s.token_type, s.service_tier, s.region, s.cell_start, s.cell_end,
       l.ledger_quantity, l.ledger_list_cost, l.ledger_contracted_cost,
       s.invoice_quantity, s.invoice_billed_cost, s.anchor_id AS anchor_ids, s.currency,
       CASE WHEN l.anchor_id IS NULL THEN 'unmatched_invoice_line'
            WHEN NOT l.all_priced THEN 'unpriced_model'
            ELSE 'matched' END AS class
FROM invoice_side s LEFT JOIN ledger_anchored l ON l.anchor_id = s.anchor_id
UNION ALL
SELECT u.provider, u.billing_account_id, u.model, u.token_type, u.service_tier, u.region, u.cell_start, u.cell_end,
       u.ledger_quantity, u.ledger_list_cost, u.ledger_contracted_cost,
       NULL, NULL, NULL, ${currency},
       CASE WHEN NOT u.all_priced THEN 'unpriced_model' ELSE 'unmatched_ledger' END
FROM ledger_unanchored u;

CREATE OR REPLACE TEMP TABLE reconciliation AS
SELECT ${period} AS period, provider, billing_account_id, model, token_type, service_tier, region,
       cell_start, cell_end,
       CAST(ledger_quantity AS DECIMAL(38, 0)) AS ledger_quantity,
       CAST(ledger_list_cost AS DECIMAL(38, 18)) AS ledger_list_cost,
       CAST(ledger_contracted_cost AS DECIMAL(38, 18)) AS ledger_contracted_cost,
       CAST(NULL AS DECIMAL(38, 18)) AS ledger_logged_cost,
       CAST(NULL AS DECIMAL(38, 18)) AS provider_usage_quantity,
       CAST(invoice_quantity AS DECIMAL(38, 18)) AS invoice_quantity,
       CAST(invoice_billed_cost AS DECIMAL(38, 18)) AS invoice_billed_cost,
       CAST(coalesce(invoice_quantity, 0) - CAST(coalesce(ledger_quantity, 0) AS DECIMAL(38, 0)) AS DECIMAL(38, 18)) AS quantity_diff,
       CAST(coalesce(invoice_billed_cost, 0) - coalesce(ledger_contracted_cost, 0) AS DECIMAL(38, 18)) AS cost_diff,
       class,
       CASE class
           WHEN 'unmatched_invoice_line' THEN CASE WHEN model IS NULL THEN 'non-token charge (fee, credit, tax)' ELSE 'traffic outside the logs' END
           WHEN 'unmatched_ledger' THEN 'no invoice line for this key and day'
           WHEN 'unpriced_model' THEN 'model not in the price catalogue'
       END AS hint,
       anchor_ids, currency
FROM reconciliation_cells;
