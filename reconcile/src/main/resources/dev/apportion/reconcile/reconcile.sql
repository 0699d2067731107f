-- Reconciles the anchored ledger against the invoice (DESIGN §7): one aggregation of the cost lines to (key,
-- UTC day, anchor), then cells, a few rows per key and day.
--
-- Key: provider, billing account, model, token type, service tier, region (null matches null).

-- Money as integer units of 10^-12, for the few divisions (DuckDB divides decimals in binary floating point).
CREATE OR REPLACE TEMP MACRO units12(x) AS CAST(CAST(x AS DECIMAL(38, 12)) * 1000000000000 AS HUGEINT);

-- The ledger per key, UTC day and anchor, from the hourly aggregate the anchoring left (ledger_hours).
CREATE OR REPLACE TEMP TABLE ledger_days AS
SELECT provider, billing_account_id, model, token_type, service_tier, region,
       CAST(make_timestamp(day_number * 86400000000) AS TIMESTAMPTZ) AS day, anchor_id, lines, unpriced_lines,
       CASE WHEN first_reason = last_reason THEN first_reason ELSE first_reason || ', ' || last_reason END AS unpriced_reasons,
       quantity, list_cost, contracted_cost, logged_cost
FROM (
    SELECT provider, billing_account_id, model, token_type, service_tier, region, hour_number // 24 AS day_number, anchor_id,
           sum(lines) AS lines, sum(unpriced_lines) AS unpriced_lines,
           min(first_reason) AS first_reason, max(last_reason) AS last_reason,
           sum(quantity) AS quantity, sum(list_cost) AS list_cost, sum(contracted_cost) AS contracted_cost,
           sum(logged_cost) AS logged_cost
    FROM ledger_hours
    GROUP BY ALL
);

-- Invoice cells: per key, the UTC days its lines cover, overlapping or touching spans of one key merged, so a
-- monthly line makes one month-long cell and hourly lines one cell per day. Lines that cannot carry usage
-- (no model or token type, credits, tax, fees) are each a cell of their own.
CREATE OR REPLACE TEMP TABLE invoice_cells AS
WITH spans AS (
    SELECT provider, billing_account_id, model, token_type, service_tier, region, day_from, day_to,
           max(day_to) OVER (PARTITION BY provider, billing_account_id, model, token_type, service_tier, region
                             ORDER BY day_from, day_to ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS reach
    FROM recon_invoice WHERE anchorable
), islands AS (
    SELECT *, sum(CASE WHEN reach IS NULL OR day_from >= reach THEN 1 ELSE 0 END)
                  OVER (PARTITION BY provider, billing_account_id, model, token_type, service_tier, region
                        ORDER BY day_from, day_to ROWS UNBOUNDED PRECEDING) AS island
    FROM spans
)
SELECT provider, billing_account_id, model, token_type, service_tier, region,
       min(day_from) AS cell_start, max(day_to) AS cell_end
FROM islands GROUP BY provider, billing_account_id, model, token_type, service_tier, region, island;

CREATE OR REPLACE TEMP TABLE invoice_line_cells AS
SELECT i.*, c.cell_start, c.cell_end,
       concat_ws(chr(31), i.provider, i.billing_account_id, i.model, i.token_type, i.service_tier, coalesce(i.region, '\N'),
                 strftime(c.cell_start, '%Y-%m-%dT%H:%M:%SZ')) AS cell_key
FROM recon_invoice i
JOIN invoice_cells c
  ON c.provider = i.provider AND c.billing_account_id = i.billing_account_id AND c.model = i.model
 AND c.token_type = i.token_type AND c.service_tier = i.service_tier AND c.region IS NOT DISTINCT FROM i.region
 AND i.day_from >= c.cell_start AND i.day_from < c.cell_end
WHERE i.anchorable
UNION ALL
SELECT i.*, i.day_from, i.day_to, 'line' || chr(31) || i.anchor_id
FROM recon_invoice i WHERE NOT i.anchorable;

-- Ledger days into cells: through their anchor; unanchored ones into the invoice cell of their key that holds
-- their day (an hour without an invoice line inside a billed day), else into a cell of their own UTC day.
CREATE OR REPLACE TEMP TABLE ledger_cells AS
WITH unanchored AS (
    SELECT d.*, c.cell_start, c.cell_end
    FROM ledger_days d
    LEFT JOIN invoice_cells c
      ON c.provider = d.provider AND c.billing_account_id = d.billing_account_id AND c.model = d.model
     AND c.token_type = d.token_type AND c.service_tier = d.service_tier AND c.region IS NOT DISTINCT FROM d.region
     AND d.day >= c.cell_start AND d.day < c.cell_end
    WHERE d.anchor_id IS NULL
)
SELECT d.* EXCLUDE (anchor_id), l.cell_start, l.cell_end, l.cell_key
FROM ledger_days d JOIN invoice_line_cells l ON l.anchor_id = d.anchor_id
UNION ALL
SELECT u.* EXCLUDE (anchor_id, cell_start, cell_end),
       coalesce(u.cell_start, u.day), coalesce(u.cell_end, u.day + INTERVAL 1 DAY),
       concat_ws(chr(31), u.provider, coalesce(u.billing_account_id, '\N'), u.model, u.token_type, u.service_tier,
                 coalesce(u.region, '\N'), strftime(coalesce(u.cell_start, u.day), '%Y-%m-%dT%H:%M:%SZ'))
FROM unanchored u;

-- Provider usage exports (quantities without cost) on the same key. Their rows carry no billing account: the
-- provider's only billing account in the period's invoice lines is theirs; with several, they stay out.
CREATE OR REPLACE TEMP TABLE usage_keyed AS
SELECT u.provider, a.billing_account_id, u.model, u.token_type, u.service_tier, u.region, u.bucket_start,
       CAST(u.quantity AS DECIMAL(38, 0)) AS quantity
FROM provider_usage u
JOIN (SELECT provider, min(billing_account_id) AS billing_account_id FROM recon_invoice
      GROUP BY provider HAVING count(DISTINCT billing_account_id) = 1) a ON a.provider = u.provider;

-- Invoice quantity per line: the line's own, else the usage export's for its key and charge period.
CREATE OR REPLACE TEMP TABLE invoice_line_quantities AS
SELECT l.anchor_id, l.cell_key, l.billed_cost,
       coalesce(l.line_quantity, u.quantity) AS quantity,
       CASE WHEN l.line_quantity IS NOT NULL THEN 'invoice' WHEN u.quantity IS NOT NULL THEN 'usage_export' END AS quantity_source
FROM invoice_line_cells l
LEFT JOIN (
    SELECT i.anchor_id, sum(k.quantity) AS quantity
    FROM recon_invoice i JOIN usage_keyed k
      ON i.anchorable AND i.line_quantity IS NULL AND k.provider = i.provider AND k.billing_account_id = i.billing_account_id
     AND k.model = i.model AND k.token_type = i.token_type AND k.service_tier = i.service_tier
     AND k.region IS NOT DISTINCT FROM i.region AND k.bucket_start >= i.period_start AND k.bucket_start < i.period_end
    GROUP BY i.anchor_id
) u ON u.anchor_id = l.anchor_id;

CREATE OR REPLACE TEMP TABLE reconciliation_cells AS
WITH invoice_side AS (
    SELECT l.cell_key, any_value(l.provider) AS provider, any_value(l.billing_account_id) AS billing_account_id,
           any_value(l.model) AS model, any_value(l.token_type) AS token_type, any_value(l.service_tier) AS service_tier,
           any_value(l.region) AS region, any_value(l.cell_start) AS cell_start, any_value(l.cell_end) AS cell_end,
           any_value(l.charge_category) AS charge_category, bool_and(l.anchorable) AS anchorable,
           sum(q.quantity) AS known_quantity, sum(q.billed_cost) FILTER (WHERE q.quantity IS NULL) AS billed_without_quantity,
           bool_or(q.quantity_source = 'usage_export') AS from_usage_export,
           sum(l.billed_cost) AS billed_cost, string_agg(l.anchor_id, ' ' ORDER BY l.anchor_id) AS anchor_ids, count(*) AS invoice_lines
    FROM invoice_line_cells l JOIN invoice_line_quantities q ON q.anchor_id = l.anchor_id
    GROUP BY l.cell_key
), ledger_side AS (
    SELECT cell_key, any_value(provider) AS provider, any_value(billing_account_id) AS billing_account_id,
           any_value(model) AS model, any_value(token_type) AS token_type, any_value(service_tier) AS service_tier,
           any_value(region) AS region, any_value(cell_start) AS cell_start, any_value(cell_end) AS cell_end,
           sum(lines) AS lines, sum(unpriced_lines) AS unpriced_lines,
           string_agg(DISTINCT unpriced_reasons, ', ' ORDER BY unpriced_reasons) AS unpriced_reasons,
           sum(quantity) AS quantity, sum(list_cost) AS list_cost, sum(contracted_cost) AS contracted_cost,
           sum(logged_cost) AS logged_cost
    FROM ledger_cells GROUP BY cell_key
), usage_side AS (
    SELECT c.cell_key, sum(k.quantity) AS quantity
    FROM (SELECT DISTINCT cell_key, provider, billing_account_id, model, token_type, service_tier, region, cell_start, cell_end
          FROM invoice_line_cells WHERE anchorable
          UNION
          SELECT DISTINCT cell_key, provider, billing_account_id, model, token_type, service_tier, region, cell_start, cell_end
          FROM ledger_cells) c
    JOIN usage_keyed k
      ON k.provider = c.provider AND k.billing_account_id = c.billing_account_id AND k.model = c.model
     AND k.token_type = c.token_type AND k.service_tier = c.service_tier AND k.region IS NOT DISTINCT FROM c.region
     AND k.bucket_start >= c.cell_start AND k.bucket_start < c.cell_end
    GROUP BY c.cell_key
)
SELECT coalesce(i.cell_key, l.cell_key) AS cell_key, coalesce(i.provider, l.provider) AS provider, coalesce(i.billing_account_id, l.billing_account_id) AS billing_account_id,
       coalesce(i.model, l.model) AS model, coalesce(i.token_type, l.token_type) AS token_type,
       coalesce(i.service_tier, l.service_tier) AS service_tier, coalesce(i.region, l.region) AS region,
       coalesce(i.cell_start, l.cell_start) AS cell_start, coalesce(i.cell_end, l.cell_end) AS cell_end,
       i.charge_category, coalesce(i.anchorable, true) AS anchorable,
       coalesce(l.lines, 0) AS ledger_lines, coalesce(l.unpriced_lines, 0) AS unpriced_lines, l.unpriced_reasons,
       l.quantity AS ledger_quantity, l.list_cost AS ledger_list_cost, l.contracted_cost AS ledger_contracted_cost,
       l.logged_cost AS ledger_logged_cost, u.quantity AS provider_usage_quantity,
       i.invoice_lines, i.billed_cost AS invoice_billed_cost, i.anchor_ids,
       i.known_quantity, i.billed_without_quantity, coalesce(i.from_usage_export, false) AS from_usage_export
FROM invoice_side i
FULL OUTER JOIN ledger_side l ON l.cell_key = i.cell_key
LEFT JOIN usage_side u ON u.cell_key = coalesce(i.cell_key, l.cell_key);

-- Quantities: an invoice line without one (and no usage export for it) gets billed cost ÷ the cell's contracted
-- rate per token, in whole tokens (x_QuantitySource = derived; a derived quantity never concludes price_drift).
-- Then the class, first that applies (DESIGN §7), with the tolerances relative to the invoice side.
CREATE OR REPLACE TEMP TABLE reconciliation_classified AS
WITH derivable AS (
    -- A quantity is derived only where it fits: the product in 10^-12 units within HUGEINT, the quotient below
    -- 10^15 like any invoice quantity. The estimate is a bound check in DOUBLE, never the value; beyond it (a
    -- contracted rate near zero against a large bill) the line keeps no quantity.
    SELECT *,
           billed_without_quantity IS NOT NULL AND ledger_quantity > 0 AND ledger_contracted_cost > 0
               AND abs(CAST(billed_without_quantity AS DOUBLE)) * CAST(ledger_quantity AS DOUBLE) < 1e25
               AND abs(CAST(billed_without_quantity AS DOUBLE)) * CAST(ledger_quantity AS DOUBLE)
                   < 1e15 * CAST(ledger_contracted_cost AS DOUBLE) AS derived
    FROM reconciliation_cells
), quantified AS (
    SELECT *,
           CASE WHEN billed_without_quantity IS NULL THEN known_quantity
                WHEN derived
                    THEN coalesce(known_quantity, 0) + CAST(units12(billed_without_quantity) * CAST(ledger_quantity AS HUGEINT)
                                                            // units12(ledger_contracted_cost) AS DECIMAL(38, 0))
           END AS invoice_quantity
    FROM derivable
), compared AS (
    SELECT *,
           coalesce(invoice_quantity, 0) - coalesce(ledger_quantity, 0) AS quantity_diff,
           coalesce(invoice_billed_cost, 0) - coalesce(ledger_contracted_cost, 0) AS cost_diff,
           abs(coalesce(invoice_quantity, 0) - coalesce(ledger_quantity, 0))
               > abs(coalesce(invoice_quantity, 0)) * ${quantity_tolerance} AS quantity_off,
           abs(coalesce(invoice_billed_cost, 0) - coalesce(ledger_contracted_cost, 0))
               > greatest(abs(coalesce(invoice_billed_cost, 0)) * ${cost_tolerance}, ${cost_floor}) AS cost_off
    FROM quantified
)
SELECT *,
       CASE
           WHEN unpriced_lines > 0 THEN 'unpriced_model'
           WHEN ledger_lines = 0 THEN 'unmatched_invoice_line'
           WHEN invoice_lines IS NULL THEN 'unmatched_ledger'
           WHEN invoice_quantity IS NOT NULL AND NOT derived AND NOT quantity_off AND cost_off THEN 'price_drift'
           WHEN invoice_quantity IS NOT NULL AND NOT derived AND quantity_off THEN CASE WHEN quantity_diff > 0 THEN 'unmetered_usage' ELSE 'phantom_usage' END
           -- A derived quantity is the billed cost restated (and carries its rounding): only the cost decides.
           WHEN (invoice_quantity IS NULL OR derived) AND cost_off THEN CASE WHEN cost_diff > 0 THEN 'unmetered_usage' ELSE 'phantom_usage' END
           ELSE 'matched'
       END AS class
FROM compared;

-- Hints name likely causes. A day-boundary shift: the neighbouring day of the same key has the opposite
-- quantity variance (a request billed on the other side of midnight UTC).
CREATE OR REPLACE TEMP TABLE reconciliation AS
WITH neighbours AS (
    SELECT *,
           lag(CASE WHEN class IN ('unmetered_usage', 'phantom_usage') THEN sign(quantity_diff) END)
               OVER (PARTITION BY provider, billing_account_id, model, token_type, service_tier, region ORDER BY cell_start) AS previous_sign,
           lag(cell_end) OVER (PARTITION BY provider, billing_account_id, model, token_type, service_tier, region ORDER BY cell_start) AS previous_end,
           lead(CASE WHEN class IN ('unmetered_usage', 'phantom_usage') THEN sign(quantity_diff) END)
               OVER (PARTITION BY provider, billing_account_id, model, token_type, service_tier, region ORDER BY cell_start) AS next_sign,
           lead(cell_start) OVER (PARTITION BY provider, billing_account_id, model, token_type, service_tier, region ORDER BY cell_start) AS next_start
    FROM reconciliation_classified
), hinted AS (
    SELECT *,
           list_filter([
               CASE WHEN class = 'unpriced_model' THEN 'no price for ' || coalesce(unpriced_lines || ' of ' || ledger_lines, '') || ' ledger lines ('
                    || coalesce(unpriced_reasons, 'unknown') || '): import a catalogue or contract rate that knows the model' END,
               CASE WHEN class = 'unmatched_invoice_line' THEN
                    CASE WHEN charge_category = 'Credit' THEN 'credit'
                         WHEN charge_category = 'Tax' THEN 'tax'
                         WHEN charge_category IN ('Purchase', 'Adjustment') THEN lower(charge_category) || ' (fee, commitment or adjustment)'
                         WHEN model IS NULL OR token_type IS NULL THEN 'non-token charge (platform fee, support plan, ...)'
                         ELSE 'traffic outside the logs: no request for this key in the cell (gateway bypassed, logs missing or not ingested)' END END,
               CASE WHEN class = 'unmatched_ledger' THEN 'no invoice line for this key in the cell: invoice not ingested yet, or the '
                    || 'billing account, service tier or region differs from the invoice' END,
               CASE WHEN class = 'price_drift' AND ledger_list_cost > 0
                         AND invoice_billed_cost BETWEEN ledger_list_cost * 0.45 AND ledger_list_cost * 0.55
                    THEN 'batch pattern: invoice unit price ≈ 50 % of list (requests logged as standard, billed as batch?)' END,
               CASE WHEN class = 'price_drift' AND ledger_list_cost > 0
                         AND invoice_billed_cost BETWEEN ledger_list_cost * 1.6 AND ledger_list_cost * 2.1
                    THEN 'priority pattern: invoice unit price ≈ 1.7–2 × list (priority tier not logged?)' END,
               CASE WHEN class IN ('price_drift', 'unmetered_usage', 'phantom_usage') AND token_type LIKE 'cache%'
                    THEN 'cache pricing mismatch: cache reads and writes priced or counted differently (inclusive vs exclusive input?)' END,
               CASE WHEN class = 'price_drift' THEN 'implied invoice unit price differs from the contracted rate: catalogue or contract out of date' END,
               CASE WHEN class IN ('unmetered_usage', 'phantom_usage') AND previous_end = cell_start AND previous_sign = -sign(quantity_diff)
                    THEN 'day-boundary shift: the previous day has the opposite variance' END,
               CASE WHEN class IN ('unmetered_usage', 'phantom_usage') AND next_start = cell_end AND next_sign = -sign(quantity_diff)
                    THEN 'day-boundary shift: the next day has the opposite variance' END,
               CASE WHEN class IN ('unmetered_usage', 'phantom_usage') AND derived
                    THEN 'derived quantity: the invoice line has none, billed cost ÷ contracted rate' END,
               CASE WHEN class = 'unmetered_usage' AND provider_usage_quantity IS NOT NULL AND provider_usage_quantity >= invoice_quantity
                    THEN 'the provider usage export agrees with the invoice: requests missing from the logs' END,
               CASE WHEN class = 'unmetered_usage' THEN 'invoice quantity above the ledger: traffic outside the gateway, or streamed requests logged without usage' END,
               CASE WHEN class = 'phantom_usage' THEN 'ledger above the invoice: requests logged twice, test traffic, or failed requests the provider did not bill' END
           ], lambda h: h IS NOT NULL) AS hints
    FROM neighbours
)
SELECT ${period} AS period, provider, billing_account_id, model, token_type, service_tier, region,
       cell_start, cell_end,
       CAST(ledger_quantity AS DECIMAL(38, 0)) AS ledger_quantity,
       CAST(ledger_list_cost AS DECIMAL(38, 18)) AS ledger_list_cost,
       CAST(ledger_contracted_cost AS DECIMAL(38, 18)) AS ledger_contracted_cost,
       CAST(ledger_logged_cost AS DECIMAL(38, 18)) AS ledger_logged_cost,
       CAST(provider_usage_quantity AS DECIMAL(38, 18)) AS provider_usage_quantity,
       CAST(invoice_quantity AS DECIMAL(38, 18)) AS invoice_quantity,
       CAST(invoice_billed_cost AS DECIMAL(38, 18)) AS invoice_billed_cost,
       CAST(quantity_diff AS DECIMAL(38, 18)) AS quantity_diff,
       CAST(cost_diff AS DECIMAL(38, 18)) AS cost_diff,
       class,
       nullif(array_to_string(hints, '; '), '') AS hint,
       anchor_ids,
       ${currency} AS currency
FROM hinted;

-- What each invoice line has behind it in the ledger, its cell's class (allocation selectors, FOCUS) and where
-- its quantity comes from (x_QuantitySource).
CREATE OR REPLACE TEMP TABLE invoice_usage AS
SELECT l.anchor_id,
       coalesce(u.ledger_entry_count, 0) AS ledger_entry_count,
       coalesce(u.ledger_quantity, 0) AS ledger_quantity,
       coalesce(u.ledger_entry_count, 0) > 0 AS has_usage,
       c.class AS reconciliation_class,
       coalesce(q.quantity_source, CASE WHEN c.derived THEN 'derived' END) AS quantity_source
FROM invoice_line_cells l
JOIN invoice_line_quantities q ON q.anchor_id = l.anchor_id
JOIN reconciliation_classified c ON c.cell_key = l.cell_key
LEFT JOIN (SELECT anchor_id, sum(lines) AS ledger_entry_count, sum(quantity) AS ledger_quantity
           FROM ledger_days WHERE anchor_id IS NOT NULL GROUP BY anchor_id) u ON u.anchor_id = l.anchor_id;
