-- Usage behind each invoice line and month, per row key (consumer, principal, feature, environment):
-- the bases of direct and activity allocation, and the evidence (usage reference, entry count, rates).
-- An anchor has one token type, so each request has at most one cost line on it: requests = lines. The rate
-- versions are nearly always one per row key; only row keys with several get the full distinct list.
-- The usage reference hashes the row key's sorted cost line ids. The ids themselves are not kept: export lists
-- them by joining the ledger lines to these row keys (evidence/usage-refs.parquet).
-- The ids of a row key must be in memory together, so Allocator runs this for one batch of anchors at a time
-- (anchor_usage_batch(b, n): the anchors whose hash is b modulo n): at 100M requests the whole month's id lists
-- (about 12 GB) spilled until the disk was full. A row key lies in one anchor, so batches never split one.
CREATE OR REPLACE TEMP MACRO anchor_usage_batch(batch, batches) AS TABLE
SELECT anchor_id, consumer_id, principal_id, feature, environment,
       sum(contracted_cost) AS cost, sum(quantity) AS tokens, count(*) AS requests,
       -- The rate version when the row key has one; several are listed afterwards (anchor-usage-rates.sql). Compared
       -- column by column: a text of both per cost line cost a sixth of the aggregation.
       min(catalogue_id) FILTER (WHERE catalogue_version IS NOT NULL) || ':'
           || min(catalogue_version) FILTER (WHERE catalogue_id IS NOT NULL) AS rate_version,
       min(catalogue_id) FILTER (WHERE catalogue_version IS NOT NULL) <> max(catalogue_id) FILTER (WHERE catalogue_version IS NOT NULL)
           OR min(catalogue_version) FILTER (WHERE catalogue_id IS NOT NULL) <> max(catalogue_version) FILTER (WHERE catalogue_id IS NOT NULL)
           AS several_rate_versions,
       -- Each list sorted once it is complete: cheaper in DuckDB than string_agg(... ORDER BY ...).
       'sha256:' || sha256(array_to_string(list_sort(list(cost_line_id)), chr(10))) AS usage_ref
FROM anchored_cost_lines WHERE anchor_id IS NOT NULL AND hash(anchor_id) % batches = batch
GROUP BY anchor_id, consumer_id, principal_id, feature, environment;

CREATE OR REPLACE TEMP TABLE anchor_usage AS FROM anchor_usage_batch(0, 1) LIMIT 0;

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
