-- The rows of a close as the report reads them: each FOCUS row with the dimensions of its origin invoice line
-- (model, token type, service tier; none for correction rows, whose origin is another period's line).
CREATE OR REPLACE TEMP TABLE report_rows AS
SELECT f.BilledCost AS billed_cost, f.EffectiveCost AS effective_cost, f.ChargeClass AS charge_class,
       f.ChargePeriodStart AS charge_start, f.ChargePeriodEnd AS charge_end, f.BillingCurrency AS currency,
       f.AllocatedResourceId AS allocated_resource_id,
       coalesce(f.AllocatedResourceId, '(unallocated)') AS consumer,
       coalesce(json_extract_string(f.AllocatedTags, '$."apportion/feature"'), json_extract_string(f.Tags, '$."apportion/feature"'),
                '(none)') AS feature,
       coalesce(l.model, '(none)') AS model, coalesce(l.token_type, '(none)') AS token_type,
       coalesce(l.service_tier, '(none)') AS service_tier,
       f.x_EvidenceStatus AS evidence_status, coalesce(f.x_UsageEntryCount, 0) AS requests, f.x_AllocationAnchorId AS anchor_id,
       -- Daily series use the rows whose charge period lies within one UTC day; longer lines are shown apart.
       CASE WHEN f.ChargePeriodEnd - f.ChargePeriodStart <= INTERVAL 1 DAY
                 AND CAST(f.ChargePeriodStart AS DATE) = CAST(f.ChargePeriodEnd - INTERVAL 1 MICROSECOND AS DATE)
            THEN CAST(f.ChargePeriodStart AS DATE) END AS day
FROM read_parquet(${focus}) f
LEFT JOIN read_parquet(${lines}) l ON l.anchor_id = f.x_AllocationAnchorId;

CREATE OR REPLACE TEMP TABLE report_by_consumer AS
SELECT consumer, sum(billed_cost) AS billed_cost, sum(effective_cost) AS effective_cost, sum(requests) AS requests,
       count(DISTINCT feature) AS features, count(*) AS rows
FROM report_rows GROUP BY 1;

CREATE OR REPLACE TEMP TABLE report_by_feature AS
SELECT feature, sum(billed_cost) AS billed_cost, sum(effective_cost) AS effective_cost, sum(requests) AS requests,
       count(DISTINCT allocated_resource_id) AS consumers, count(*) AS rows
FROM report_rows GROUP BY 1;

CREATE OR REPLACE TEMP TABLE report_by_model AS
SELECT model, token_type, sum(billed_cost) AS billed_cost, sum(requests) AS requests, count(*) AS rows
FROM report_rows GROUP BY 1, 2;

CREATE OR REPLACE TEMP TABLE report_by_tier AS
SELECT service_tier, sum(billed_cost) AS billed_cost, count(*) AS rows FROM report_rows GROUP BY 1;

CREATE OR REPLACE TEMP TABLE report_by_day AS
SELECT day, sum(billed_cost) AS billed_cost, sum(requests) AS requests FROM report_rows WHERE day IS NOT NULL GROUP BY 1;

CREATE OR REPLACE TEMP TABLE report_variance_by_day AS
SELECT CAST(cell_start AS DATE) AS day, class, sum(abs(cost_diff)) AS absolute_cost_diff, count(*) AS cells
FROM read_parquet(${reconciliation}) GROUP BY 1, 2;

CREATE OR REPLACE TEMP TABLE report_variance_by_model AS
SELECT provider, coalesce(model, '(none)') AS model, class, sum(abs(cost_diff)) AS absolute_cost_diff, count(*) AS cells
FROM read_parquet(${reconciliation}) GROUP BY 1, 2, 3;

CREATE OR REPLACE TEMP TABLE report_top_variance AS
SELECT provider, billing_account_id, coalesce(model, '(none)') AS model, coalesce(token_type, '(none)') AS token_type,
       CAST(cell_start AS DATE) AS day, class, cost_diff, invoice_billed_cost, ledger_contracted_cost, hint, anchor_ids
FROM read_parquet(${reconciliation}) WHERE class <> 'matched'
ORDER BY abs(cost_diff) DESC, provider, model, token_type, cell_start LIMIT 20;
