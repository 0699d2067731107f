-- A synthetic priced month for ReconciliationBenchmark: ${requests} requests of three cost lines each (input,
-- cache read, output) over 8 models, 3 billing accounts and 1,000 consumers, as wide as the close's cost lines,
-- and daily invoice lines that bill exactly what the ledger holds except every 50th line (10 % more tokens). The
-- cost lines go to Parquet and are read through a view, as the close's reconcile step reads its stage file.
COPY (
WITH requests AS (
    SELECT r, hash(r) AS h FROM range(${requests}) t(r)
)
SELECT 'openai:req-' || r AS entry_id, 'openai:req-' || r || '#' || token_type AS cost_line_id, 'req-' || r AS request_id,
       TIMESTAMPTZ '2026-10-01 00:00:00+00' + to_microseconds(CAST(h % 2678400000000 AS BIGINT)) AS occurred_at,
       'openai' AS provider, 'acct-' || (h % 3) AS billing_account_id, 'gpt-model-' || (h % 8) AS logged_model,
       'gpt-model-' || (h % 8) AS model, token_type, 'standard' AS service_tier, NULL::VARCHAR AS region,
       'svc-' || (h % 40) AS principal_id, 'tenant:T-' || (h % 1000) AS consumer_id, 'feature-' || (h % 12) AS feature,
       'production' AS environment, quantity, 0.0000025::DECIMAL(38, 18) AS unit_price, 1 AS per,
       CAST(quantity * 0.0000025 AS DECIMAL(38, 18)) AS list_cost, CAST(quantity * 0.0000025 AS DECIMAL(38, 18)) AS contracted_cost,
       NULL::DECIMAL(38, 18) AS contract_unit_price, NULL::INTEGER AS contract_per, NULL::VARCHAR AS contract_ref, true AS priced,
       NULL::VARCHAR AS unpriced_reason, 'apportion-default' AS catalogue_id, 'sha' AS catalogue_version, 'gpt' AS rate_entry_id,
       CAST((h % 1000) * 0.00001 AS DECIMAL(38, 12)) AS logged_cost_usd,
       CAST(quantity * 0.0000024 AS DECIMAL(38, 12)) AS logged_cost_share, 'source' AS source_sha256, r + 2 AS source_line
FROM requests, (SELECT unnest(['input_uncached', 'cache_read', 'output']) AS token_type) t,
     LATERAL (SELECT CAST(1 + (h // 7) % 5000 AS BIGINT) AS quantity)
) TO ${target} (FORMAT parquet, COMPRESSION zstd);

CREATE OR REPLACE VIEW cost_lines AS SELECT * FROM read_parquet(${target});

CREATE OR REPLACE TABLE invoice_lines AS
SELECT 'anc_' || left(md5(concat_ws('|', provider, billing_account_id, model, token_type, day)), 32) AS anchor_id,
       provider, billing_account_id AS BillingAccountId, model, token_type, service_tier, region,
       day AS ChargePeriodStart, day + INTERVAL 1 DAY AS ChargePeriodEnd, 'Usage' AS ChargeCategory,
       CAST(CASE WHEN n % 50 = 0 THEN quantity * 1.1 ELSE quantity END AS DECIMAL(38, 18)) AS ConsumedQuantity,
       CAST(CASE WHEN n % 50 = 0 THEN cost * 1.1 ELSE cost END AS DECIMAL(38, 18)) AS BilledCost, 'USD' AS BillingCurrency
FROM (
    SELECT *, row_number() OVER (ORDER BY provider, billing_account_id, model, token_type, day) AS n
    FROM (SELECT provider, billing_account_id, model, token_type, service_tier, region, date_trunc('day', occurred_at) AS day,
                 sum(quantity) AS quantity, sum(contracted_cost) AS cost
          FROM cost_lines GROUP BY ALL)
);
