-- Usage behind each invoice line and month, per row key (consumer, principal, feature, environment):
-- the bases of direct and activity allocation, and the evidence (usage reference, entry count, rates).
CREATE OR REPLACE TEMP TABLE anchor_usage AS
SELECT anchor_id, consumer_id, principal_id, feature, environment,
       sum(contracted_cost) AS cost, sum(quantity) AS tokens, count(DISTINCT entry_id) AS requests,
       'sha256:' || sha256(string_agg(cost_line_id, chr(10) ORDER BY cost_line_id)) AS usage_ref,
       string_agg(DISTINCT catalogue_id || ':' || catalogue_version, ',' ORDER BY catalogue_id || ':' || catalogue_version) AS rate_version
FROM anchored_cost_lines WHERE anchor_id IS NOT NULL
GROUP BY anchor_id, consumer_id, principal_id, feature, environment;

CREATE OR REPLACE TEMP TABLE line_fields AS
SELECT i.anchor_id, i.ChargeCategory AS charge_category, CAST(coalesce(u.has_usage, false) AS VARCHAR) AS has_usage,
       i.provider, i.model, i.token_type, i.service_tier, i.BillingAccountId AS billing_account_id,
       i.ServiceName AS service_name, i.SkuId AS sku_id, u.reconciliation_class, CAST(${tags} AS VARCHAR) AS tags_json
FROM invoice_lines i
LEFT JOIN invoice_usage u ON u.anchor_id = i.anchor_id;

CREATE OR REPLACE TABLE allocation_rows (
    anchor_id VARCHAR, rule_id VARCHAR, method VARCHAR, owner VARCHAR, row_key VARCHAR,
    consumer_id VARCHAR, principal_id VARCHAR, feature VARCHAR, environment VARCHAR, allocated_resource_id VARCHAR,
    split_ratio DECIMAL(38, 12), billed_cost DECIMAL(38, 18), effective_cost DECIMAL(38, 18),
    list_cost DECIMAL(38, 18), contracted_cost DECIMAL(38, 18), pricing_quantity DECIMAL(38, 18),
    consumed_quantity DECIMAL(38, 18), usage_unit VARCHAR, usage_quantity DECIMAL(38, 18), usage_ref VARCHAR,
    usage_entry_count BIGINT, rate_version VARCHAR, mapping_note VARCHAR,
    -- The bounded period a fixed split's ratio applies to (ISO-8601 UTC); null: the line's charge period.
    split_period_start VARCHAR, split_period_end VARCHAR);

-- Weights of residual rules with a fixed split, per consumer and split period (filled per batch by Allocator).
-- DECIMAL(38, 18) like every other weight: DuckDB types a UNION of DECIMAL(38, 18) and DECIMAL(38, 2) as
-- DECIMAL(38, 2), which would round the other branches' weights (a cost weight of 0.0025 became 0.00).
CREATE OR REPLACE TEMP TABLE fixed_weights (anchor_id VARCHAR, rule_index INTEGER, consumer_id VARCHAR,
    weight DECIMAL(38, 18), percent DECIMAL(38, 18), split_start VARCHAR, split_end VARCHAR);

-- The cost lines behind each usage reference (evidence/usage-refs.parquet).
CREATE OR REPLACE TEMP TABLE usage_ref_lines AS
SELECT u.usage_ref, c.entry_id, c.cost_line_id
FROM anchored_cost_lines c
JOIN anchor_usage u ON u.anchor_id = c.anchor_id
 AND u.consumer_id IS NOT DISTINCT FROM c.consumer_id AND u.principal_id IS NOT DISTINCT FROM c.principal_id
 AND u.feature IS NOT DISTINCT FROM c.feature AND u.environment IS NOT DISTINCT FROM c.environment;
