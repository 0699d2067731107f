-- Prices every usage event of the period at the rate in force when it happened (DESIGN §6): one cost line
-- per token type with a non-zero quantity. Unmatched models stay unpriced (null cost), never zero.
-- A row with corrects_request_id replaces the request it names (DESIGN §5): the corrected original is
-- left out of the ledger, so a correction never counts twice.
CREATE OR REPLACE TEMP TABLE period_events AS
WITH in_period AS (
    SELECT * FROM ${events} WHERE occurred_at >= ${period_start} AND occurred_at < ${period_end}
)
SELECT * FROM in_period e
WHERE NOT EXISTS (SELECT 1 FROM in_period c WHERE c.provider = e.provider AND c.corrects_request_id = e.request_id);

-- Billing account: the log's, else the accounts map (principal -> account), else the only account the
-- provider has in the period's invoices.
CREATE OR REPLACE TEMP TABLE sole_invoice_accounts AS
SELECT provider, min(BillingAccountId) AS billing_account_id
FROM invoice_lines GROUP BY provider HAVING count(DISTINCT BillingAccountId) = 1;

CREATE OR REPLACE TEMP TABLE priced_entries AS
SELECT e.provider || ':' || e.request_id AS entry_id,
       e.request_id, e.occurred_at, e.provider,
       coalesce(e.billing_account_id, pa.billing_account_id, sa.billing_account_id) AS billing_account_id,
       e.model AS logged_model,
       coalesce(al.model, ca.model, e.model) AS model,
       al.model IS NOT NULL OR ca.model IS NOT NULL AS model_known,
       e.service_tier, e.region, e.principal_id, e.consumer_id, e.feature, e.environment,
       e.input_tokens - e.cache_read_tokens - e.cache_write_tokens - e.cache_write_1h_tokens AS input_uncached,
       e.cache_read_tokens AS cache_read,
       e.cache_write_tokens AS cache_write_5m,
       e.cache_write_1h_tokens AS cache_write_1h,
       e.output_tokens AS output,
       e.web_search_calls AS web_search,
       e.logged_cost_usd, e.source_sha256, e.source_line
FROM period_events e
LEFT JOIN principal_accounts pa ON pa.principal_id = e.principal_id
LEFT JOIN sole_invoice_accounts sa ON sa.provider = e.provider
LEFT JOIN model_aliases al ON al.provider = e.provider AND al.alias = e.model
LEFT JOIN config_model_aliases ca ON ca.alias = e.model;

CREATE OR REPLACE TEMP TABLE cost_lines_unpriced AS
SELECT * FROM (
    UNPIVOT priced_entries
    ON input_uncached, cache_read, cache_write_5m, cache_write_1h, output, web_search
    INTO NAME token_type VALUE quantity
) WHERE quantity > 0;

CREATE OR REPLACE TEMP TABLE cost_lines AS
SELECT u.entry_id,
       u.entry_id || '#' || u.token_type AS cost_line_id,
       u.request_id, u.occurred_at, u.provider, u.billing_account_id, u.logged_model, u.model, u.token_type,
       u.service_tier, u.region, u.principal_id, u.consumer_id, u.feature, u.environment,
       CAST(u.quantity AS BIGINT) AS quantity,
       r.unit_price, r.per,
       CAST(u.quantity * r.price_per_unit AS DECIMAL(38, 18)) AS list_cost,
       CAST(u.quantity * r.price_per_unit AS DECIMAL(38, 18)) AS contracted_cost,
       r.entry_id IS NOT NULL AS priced,
       r.catalogue_id, r.catalogue_version, r.entry_id AS rate_entry_id,
       u.logged_cost_usd, u.source_sha256, u.source_line
FROM cost_lines_unpriced u
LEFT JOIN rates r
       ON r.provider = u.provider AND r.model = u.model AND r.token_type = u.token_type
      AND r.service_tier = u.service_tier
      AND u.occurred_at >= r.effective_from AND (r.effective_to IS NULL OR u.occurred_at < r.effective_to);
