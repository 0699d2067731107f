-- Spend of a close by consumer and by feature, from the published FOCUS rows (what finance received).
CREATE OR REPLACE TEMP TABLE summary_by_consumer AS
SELECT coalesce(AllocatedResourceId, '(unallocated)') AS consumer, BillingCurrency AS currency,
       sum(BilledCost) AS billed_cost, sum(EffectiveCost) AS effective_cost, sum(ListCost) AS list_cost,
       count(*) AS rows
FROM read_parquet(${focus}) GROUP BY ALL;

CREATE OR REPLACE TEMP TABLE summary_by_feature AS
SELECT coalesce(json_extract_string(AllocatedTags, '$."apportion/feature"'), '(none)') AS feature,
       BillingCurrency AS currency, sum(BilledCost) AS billed_cost, sum(EffectiveCost) AS effective_cost,
       count(DISTINCT AllocatedResourceId) AS consumers, count(*) AS rows
FROM read_parquet(${focus}) GROUP BY ALL;
