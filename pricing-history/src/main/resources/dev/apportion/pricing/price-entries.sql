-- One row per request to price (DESIGN §5, §6). A row with corrects_request_id replaces the request it
-- names, so the corrected original is left out and a correction never counts twice. Billing account: the
-- log's, else the accounts map (principal -> account), else the only account the provider has in the
-- period's invoices.
CREATE OR REPLACE TEMP TABLE sole_invoice_accounts AS
SELECT provider, min(BillingAccountId) AS billing_account_id
FROM invoice_lines GROUP BY provider HAVING count(DISTINCT BillingAccountId) = 1;

CREATE OR REPLACE TEMP VIEW priced_entries AS
WITH corrected AS (
    SELECT DISTINCT provider, corrects_request_id AS request_id FROM ${events} WHERE corrects_request_id IS NOT NULL
)
SELECT e.provider || ':' || e.request_id AS entry_id,
       e.request_id, e.occurred_at, ${priced_at} AS priced_at, e.provider,
       coalesce(e.billing_account_id, pa.billing_account_id, sa.billing_account_id) AS billing_account_id,
       e.model AS logged_model,
       e.service_tier, e.region, e.principal_id, e.consumer_id, e.feature, e.environment,
       e.input_tokens AS input_total,
       e.input_tokens - e.cache_read_tokens - e.cache_write_tokens - e.cache_write_1h_tokens AS input_uncached,
       e.cache_read_tokens AS cache_read,
       e.cache_write_tokens AS cache_write_5m,
       e.cache_write_1h_tokens AS cache_write_1h,
       e.output_tokens AS output,
       e.web_search_calls AS web_search,
       e.logged_cost_usd, e.source_sha256, e.source_line
FROM ${events} e
LEFT JOIN principal_accounts pa ON pa.principal_id = e.principal_id
LEFT JOIN sole_invoice_accounts sa ON sa.provider = e.provider
ANTI JOIN corrected c ON c.provider = e.provider AND c.request_id = e.request_id;
