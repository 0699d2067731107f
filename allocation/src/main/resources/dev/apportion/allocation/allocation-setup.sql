-- Usage behind each invoice line and month, per row key (consumer, principal, feature, environment):
-- the bases of direct and activity allocation, and the evidence (usage reference, entry count, rates).
-- An anchor has one token type, so each request has at most one cost line on it: requests = lines. The rate
-- versions are nearly always one per row key; only row keys with several get the full distinct list.
-- The usage reference hashes the row key's sorted cost line ids. The ids themselves are not kept: export lists
-- them by joining the ledger lines to these row keys (evidence/usage-refs.parquet).
CREATE OR REPLACE TEMP TABLE anchor_usage AS
SELECT anchor_id, consumer_id, principal_id, feature, environment,
       sum(contracted_cost) AS cost, sum(quantity) AS tokens, count(*) AS requests,
       min(catalogue_id || ':' || catalogue_version) AS rate_version,
       max(catalogue_id || ':' || catalogue_version) AS last_rate_version,
       -- A sorted list joined afterwards: faster in DuckDB than string_agg(... ORDER BY ...).
       'sha256:' || sha256(array_to_string(list(cost_line_id ORDER BY cost_line_id), chr(10))) AS usage_ref
FROM anchored_cost_lines WHERE anchor_id IS NOT NULL
GROUP BY anchor_id, consumer_id, principal_id, feature, environment;

UPDATE anchor_usage u SET rate_version = v.rate_version
FROM (
    SELECT c.anchor_id, c.consumer_id, c.principal_id, c.feature, c.environment,
           string_agg(DISTINCT c.catalogue_id || ':' || c.catalogue_version, ',' ORDER BY c.catalogue_id || ':' || c.catalogue_version) AS rate_version
    FROM anchored_cost_lines c
    SEMI JOIN (SELECT * FROM anchor_usage WHERE rate_version <> last_rate_version) m
      ON m.anchor_id = c.anchor_id AND m.consumer_id IS NOT DISTINCT FROM c.consumer_id AND m.principal_id IS NOT DISTINCT FROM c.principal_id
     AND m.feature IS NOT DISTINCT FROM c.feature AND m.environment IS NOT DISTINCT FROM c.environment
    GROUP BY ALL
) v
WHERE u.rate_version <> u.last_rate_version
  AND v.anchor_id = u.anchor_id AND v.consumer_id IS NOT DISTINCT FROM u.consumer_id AND v.principal_id IS NOT DISTINCT FROM u.principal_id
  AND v.feature IS NOT DISTINCT FROM u.feature AND v.environment IS NOT DISTINCT FROM u.environment;

ALTER TABLE anchor_usage DROP COLUMN last_rate_version;

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

-- The rules by index, as allocation rows name and describe them (filled once by Allocator).
CREATE OR REPLACE TEMP TABLE rule_descriptions (rule_index INTEGER, rule_id VARCHAR, method VARCHAR, owner VARCHAR, description VARCHAR);

-- The split's results per batch, appended by Allocator: each share of a line with its candidate weight row (a rowid
-- of candidate_weights; null for the variance a direct rule leaves unallocated). allocation-shares.sql joins the
-- weight rows' evidence back and moves them to allocation_rows.
CREATE OR REPLACE TABLE allocation_shares (
    weight_row BIGINT, anchor_id VARCHAR, rule_index INTEGER, unallocated BOOLEAN, row_key VARCHAR,
    split_ratio DECIMAL(38, 12), billed_cost DECIMAL(38, 18), effective_cost DECIMAL(38, 18),
    list_cost DECIMAL(38, 18), contracted_cost DECIMAL(38, 18), pricing_quantity DECIMAL(38, 18),
    consumed_quantity DECIMAL(38, 18), unit_price_identity_kept BOOLEAN, variance_note VARCHAR);

-- Weights of residual rules with a fixed split, per consumer and split period (filled per batch by Allocator).
-- DECIMAL(38, 18) like every other weight: DuckDB types a UNION of DECIMAL(38, 18) and DECIMAL(38, 2) as
-- DECIMAL(38, 2), which would round the other branches' weights (a cost weight of 0.0025 became 0.00).
CREATE OR REPLACE TEMP TABLE fixed_weights (anchor_id VARCHAR, rule_index INTEGER, consumer_id VARCHAR,
    weight DECIMAL(38, 18), percent DECIMAL(38, 18), split_start VARCHAR, split_end VARCHAR);

-- The cost lines behind each usage reference of an activity rule over a day or month window
-- (candidate-weights.sql adds them); those of anchored row keys are found through anchor_usage.
CREATE OR REPLACE TEMP TABLE usage_ref_lines (usage_ref VARCHAR, entry_id VARCHAR, cost_line_id VARCHAR);
